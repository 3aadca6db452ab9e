import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batchChecks,
  callLogFigures,
  HISTORY_EVENTS_WARNING,
  ratePerSec,
  type BatchBenchResult,
  type BatchPathResult,
} from '../../bench/support/batch-report';
import { compactInput } from '../../bench/support/batch-phase';
import { BATCH_INPUT_MAX_BYTES } from '../../src/client/start-voice-clone-batch';
import type { RecordedCall } from '../../src/emulator';

let seq = 0;
function call(action: string, atMs: number, httpStatus = 200, code?: string): RecordedCall {
  return {
    seq: ++seq,
    at: new Date(atMs).toISOString(),
    action,
    params: {},
    httpStatus,
    ...(code !== undefined && { code }),
    requestId: String(seq),
    performed: httpStatus === 200,
  };
}

function path(fields: Partial<BatchPathResult> = {}): BatchPathResult {
  return {
    clones: 1000,
    succeeded: 1000,
    failed: 0,
    completionMs: 100_000,
    submitsPerSec: 19,
    callsPerSec: {},
    throttledByAction: {},
    throttled: 0,
    ...fields,
  };
}

function result(batch: Partial<BatchBenchResult['batch']> = {}, loop?: BatchPathResult): BatchBenchResult {
  return {
    ratePerSec: 20,
    maxConcurrent: 20,
    trainingMs: 500,
    batch: { ...path(), eventsPerRun: [4000, 3900], finished: true, ...batch },
    ...(loop && { loop }),
  };
}

describe('bench batch phase: report maths', () => {
  it('rates events between the first and the last, in any order', () => {
    assert.equal(ratePerSec([]), 0);
    assert.equal(ratePerSec([5_000]), 0);
    assert.equal(ratePerSec([2_000, 0, 1_000, 500, 1_500]), 2);
    assert.equal(ratePerSec([7, 7]), 0, 'two at the same moment give no rate, not Infinity');
  });

  it('reads accepted submits, per-action rates and every Throttling answer from the call log', () => {
    const calls = [
      call('SubmitCustomizedVoiceJob', 0),
      call('SubmitCustomizedVoiceJob', 500, 400, 'Throttling'),
      call('SubmitCustomizedVoiceJob', 1_000),
      call('SubmitCustomizedVoiceJob', 2_000),
      call('GetCustomizedVoiceJob', 0, 400, 'Throttling.User'),
      call('GetCustomizedVoiceJob', 4_000),
      call('DetectAudioForCustomizedVoiceJob', 100, 503, 'ServiceUnavailable'),
    ];
    assert.deepEqual(callLogFigures(calls), {
      submitsPerSec: 1,
      callsPerSec: {
        SubmitCustomizedVoiceJob: 1.5,
        GetCustomizedVoiceJob: 0.25,
        DetectAudioForCustomizedVoiceJob: 0,
      },
      throttledByAction: { SubmitCustomizedVoiceJob: 1, GetCustomizedVoiceJob: 1 },
      throttled: 2,
    });
  });

  it('checks the submit ratio, failures, throttling and events per run against the targets', () => {
    const checks = batchChecks(result({ submitsPerSec: 18 }, path({ completionMs: 200_000, throttled: 37 })));
    assert.deepEqual(
      checks.map((check) => [check.name, check.pass]),
      [
        ['batch: submit rate ÷ ICE limit', true],
        ['batch: clones failed', true],
        ['batch: throttling answers reaching a clone', true],
        ['batch: history events per run', true],
        ['batch ÷ loop completion time', null],
      ],
    );
    assert.match(checks[0].measured, /^0\.90 \(18\/s of 20\/s/);
    assert.match(checks[3].measured, /^max 4000 over 2 run\(s\)/);
    assert.match(checks[4].measured, /^0\.50 \(100\.0 s ÷ 200\.0 s; loop: 0 failed, 37 throttling answers\)/);
  });

  it('misses when a target is not met, and an unfinished batch passes neither failures nor history', () => {
    const missed = batchChecks(
      result({
        submitsPerSec: 17.9,
        failed: 1,
        throttled: 3,
        throttledByAction: { GetCustomizedVoiceJob: 3 },
        eventsPerRun: [HISTORY_EVENTS_WARNING],
      }),
    );
    assert.deepEqual(
      missed.map((check) => check.pass),
      [false, false, false, false],
    );
    assert.match(missed[2].measured, /^3 \(GetCustomizedVoiceJob 3\)/);
    const unfinished = batchChecks(result({ finished: false }));
    assert.deepEqual(
      unfinished.slice(1).map((check) => check.pass),
      [false, true, false],
    );
    assert.match(unfinished[1].measured, /did not finish/);
  });
});

describe('bench batch phase: inputs', () => {
  it('10,000 clones fit the batch input limit, so the 10,000-clone run is not refused', () => {
    const jobId = 'e334e7a31e3f4379bd70753a718c8c68';
    const clones = Array.from({ length: 10_000 }, (_, index) =>
      compactInput(`BenchBa${String(index).padStart(6, '0')}`, jobId),
    );
    const bytes = Buffer.byteLength(JSON.stringify({ clones, maxConcurrent: 1000 }));
    assert.ok(bytes < BATCH_INPUT_MAX_BYTES, `${bytes} bytes`);
  });
});
