import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BenchReport, ScaleResult } from '../../bench/support/report-types';
import { formatReport } from '../../bench/support/table';
import { checkTargets, mnsBurstCheck } from '../../bench/support/targets';

/** A scale run's burst as runScalePhase reports it. */
function burst(callbacks: 'http' | 'mns', overrides: Partial<ScaleResult> = {}): ScaleResult {
  return {
    callbacks,
    clones: 10_000,
    requestedClones: 10_000,
    rampMs: 600_000,
    waitingWorkerRssMiB: 215,
    waitingWorkerPeakRssMiB: 470,
    finishAllMs: callbacks === 'http' ? 401_869 : 95_000,
    workerPeakRssMiB: 480,
    completedCorrectly: 10_000,
    completedVia: { callback: 10_000 },
    receiverDuringBurst: { signalled: 10_000, backlogged: 0, busy: 0, temporalUnavailable: 0 },
    ...(callbacks === 'mns' && {
      queueDuringBurst: { received: 10_000, deleted: 10_000, redelivered: 0, receiveErrors: 0, leftInQueue: 0 },
    }),
    ...overrides,
  };
}

function report(scale: ScaleResult | undefined, scaleMns: ScaleResult | undefined): BenchReport {
  const partial: Omit<BenchReport, 'targets'> = {
    generatedAt: '2026-12-05T00:00:00.000Z',
    machine: { nproc: 2, cpuModel: 'test cpu', memoryGiB: 8, node: 'v20', platform: 'linux x64', kernel: 'test' },
    options: { clones: 0, scale: 10_000, skipScale: false, trainingMs: 500, burstCallbacks: ['http', 'mns'] },
    stack: 'test',
    phases: [],
    ratio: {
      callbackOverBaseline: NaN,
      pollOverBaseline: NaN,
      figure: 'median of the per-round ratios',
      byRound: { callbackOverBaseline: [], pollOverBaseline: [] },
      ofTotals: { callbackOverBaseline: NaN, pollOverBaseline: NaN },
    },
    ...(scale && { scale }),
    ...(scaleMns && { scaleMns }),
    notes: [],
  };
  return { ...partial, targets: checkTargets(partial) };
}

describe('bench: the MNS burst beside the HTTP burst', () => {
  it('passes when all 10,000 close by callback within 120 s, with the HTTP figure beside it', () => {
    const check = mnsBurstCheck({ scale: burst('http'), scaleMns: burst('mns') });
    assert.equal(check.pass, true);
    assert.equal(check.name, 'burst via MNS: all closed by callback');
    assert.equal(check.target, '10,000 within 120 s of the burst');
    assert.equal(
      check.measured,
      '10000 clones: all closed in 95.0 s; 10000 by callback, 0 by polling; ' +
        'HTTP path: 10000 clones: all closed in 401.9 s; 10000 by callback, 0 by polling',
    );
  });

  it('names the burst with bare Temporal on the same machine beside it, when measured', () => {
    const scaleBaseline = { clones: 10_000, rampMs: 1, signalledMs: 2, finishAllMs: 118_400, signalConcurrency: 32 };
    const check = mnsBurstCheck({ scaleMns: burst('mns', { finishAllMs: 160_000 }), scaleBaseline });
    assert.equal(check.pass, false);
    assert.match(check.measured, /all closed in 160\.0 s;.*; bare Temporal: 10000 clones closed in 118\.4 s$/);
  });

  it('misses when a clone closed by polling, one never closed, the queue kept messages or it took too long', () => {
    const polled = burst('mns', { completedVia: { callback: 9_999, poll: 1 } });
    assert.equal(mnsBurstCheck({ scaleMns: polled }).pass, false);
    assert.match(mnsBurstCheck({ scaleMns: polled }).measured, /9999 by callback, 1 by polling/);
    const lost = burst('mns', { finishAllMs: null, completedVia: { callback: 9_998, 'error:TimeoutError': 2 } });
    assert.equal(mnsBurstCheck({ scaleMns: lost }).pass, false);
    assert.match(
      mnsBurstCheck({ scaleMns: lost }).measured,
      /not all closed; 9998 by callback, 0 by polling, 2 otherwise/,
    );
    const queued = burst('mns', {
      queueDuringBurst: { received: 10_000, deleted: 9_990, redelivered: 0, receiveErrors: 0, leftInQueue: 10 },
    });
    assert.equal(mnsBurstCheck({ scaleMns: queued }).pass, false);
    assert.match(mnsBurstCheck({ scaleMns: queued }).measured, /10 left in the queue/);
    assert.equal(mnsBurstCheck({ scaleMns: burst('mns', { finishAllMs: 120_001 }) }).pass, false);
  });

  it('calls a smaller burst that met the target n/a, labelled as reduced, not a PASS', () => {
    const reduced = burst('mns', { clones: 1_000, requestedClones: 1_000, completedVia: { callback: 1_000 } });
    const check = mnsBurstCheck({ scaleMns: reduced });
    assert.equal(check.pass, null);
    assert.match(check.measured, /\(reduced run: 1000 of 10000\)/);
  });

  it('says "not measured" when the MNS burst did not run but was asked for, and keeps the HTTP figure', () => {
    const targets = report(burst('http'), undefined).targets;
    const row = targets.find((check) => check.name === 'burst via MNS: all closed by callback');
    assert.equal(row?.pass, null);
    assert.match(row?.measured ?? '', /^not measured; HTTP path: 10000 clones: all closed in 401\.9 s/);
  });

  it('prints both scale runs, each labelled with its path, the queue counts under the MNS one', () => {
    const text = formatReport(report(burst('http'), burst('mns')));
    assert.match(text, /Scale \(burst via HTTP\): 10000\/10000 clones waiting at once/);
    assert.match(text, /Scale \(burst via MNS\): 10000\/10000 clones waiting at once/);
    assert.match(text, /all finished 401\.9 s after the callbacks began/);
    assert.match(text, /all finished 95\.0 s after the callbacks began/);
    assert.match(text, /queue consumer during the burst \{"signalled":10000/);
    assert.match(text, /MNS queue during the burst \{"received":10000,"deleted":10000,"redelivered":0/);
    assert.match(text, /burst via MNS: all closed by callback\s+10,000 within 120 s of the burst\s+.*PASS/);
  });

  it('reads the memory target off the MNS run when it ran alone', () => {
    const targets = report(undefined, burst('mns', { waitingWorkerRssMiB: 200 })).targets;
    const memory = targets.find((check) => check.name === 'worker memory, clones waiting at once');
    assert.match(memory?.measured ?? '', /^10000 waiting: 200 MiB RSS/);
    assert.equal(memory?.pass, true);
  });
});
