import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, mergeRounds, roundOrder, type PhaseRun } from '../../bench/support/rounds';
import { completionTimeline, phaseThroughput, steadyThroughputPerSec } from '../../bench/support/stats';

function run(throughputPerSec: number, startToResultMs: number[], extra: Partial<PhaseRun['result']> = {}): PhaseRun {
  return {
    result: {
      path: 'callback',
      load: 'all at once',
      clones: startToResultMs.length,
      completedCorrectly: startToResultMs.length,
      wallMs: 1000,
      throughputPerSec,
      startToResultMs: { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
      historyEvents: { sampled: 2, min: 28, max: 28, mean: 28 },
      iceCallsPerClone: { GetCustomizedVoiceJob: 2 },
      completedVia: { callback: startToResultMs.length },
      workerPeakRssMiB: 300,
      cpuSeconds: { server: 10, worker: 8, emulator: 3, receiver: 1, benchProcess: 2 },
      ...extra,
    },
    samples: { startToResultMs, callbackToResultMs: startToResultMs.map((ms) => ms / 10) },
  };
}

describe('bench rounds', () => {
  it('rotates the order of the paths so that no path always runs first or last', () => {
    assert.deepEqual(roundOrder(0), ['baseline', 'callback', 'poll']);
    assert.deepEqual(roundOrder(1), ['callback', 'poll', 'baseline']);
    assert.deepEqual(roundOrder(2), ['poll', 'baseline', 'callback']);
    assert.deepEqual(roundOrder(3), roundOrder(0));
  });

  it('takes the median round, not the mean, as the headline throughput', () => {
    assert.equal(median([30, 10, 20]), 20);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    const merged = mergeRounds([run(30, [1, 2]), run(10, [3, 4]), run(20, [5, 6])]);
    assert.equal(merged.throughputPerSec, 20);
    assert.deepEqual(merged.roundThroughputsPerSec, [30, 10, 20]);
  });

  it('pools latencies over every clone of every round and sums the outcomes', () => {
    const merged = mergeRounds([
      run(30, [100, 200, 300], { workerPeakRssMiB: 310, historyEvents: { sampled: 2, min: 28, max: 29, mean: 28.5 } }),
      run(20, [400], {
        iceCallsPerClone: { GetCustomizedVoiceJob: 3 },
        cpuSeconds: { server: 20, worker: 4, emulator: 0, receiver: 3, benchProcess: 0 },
      }),
    ]);
    assert.equal(merged.clones, 4);
    assert.equal(merged.completedCorrectly, 4);
    assert.equal(merged.startToResultMs.count, 4);
    assert.equal(merged.startToResultMs.p50, 200);
    assert.equal(merged.startToResultMs.max, 400);
    assert.equal(merged.callbackToResultMs?.max, 40);
    assert.deepEqual(merged.completedVia, { callback: 4 });
    // (2 calls × 3 clones + 3 calls × 1 clone) ÷ 4 clones
    assert.deepEqual(merged.iceCallsPerClone, { GetCustomizedVoiceJob: 2.25 });
    assert.deepEqual(merged.historyEvents, { sampled: 4, min: 28, max: 29, mean: 28.3 });
    assert.equal(merged.workerPeakRssMiB, 310);
    assert.deepEqual(merged.cpuSeconds, { server: 15, worker: 6, emulator: 1.5, receiver: 2, benchProcess: 1 });
  });

  it('leaves a single round as it was, without a per-round list', () => {
    const merged = mergeRounds([run(25, [7, 9])]);
    assert.equal(merged.throughputPerSec, 25);
    assert.equal(merged.roundThroughputsPerSec, undefined);
  });

  it('takes the steady throughput between the 10th and 90th percentile result, leaving out start and drain', () => {
    // 100 results one every 100 ms from 1 s on, and one straggler 20 s later.
    const offsets = [...Array.from({ length: 100 }, (_, index) => 1_000 + index * 100), 30_000];
    const timeline = completionTimeline(offsets);
    assert.deepEqual(timeline, { p10: 2_000, p50: 6_000, p90: 10_000, last: 30_000 });
    // 0.8 × 101 results over 8 s; the straggler would have cut clones ÷ last result to 3.4 a second.
    assert.equal(steadyThroughputPerSec(101, timeline), 10.1);
    assert.ok(Number.isNaN(steadyThroughputPerSec(1, completionTimeline([500]))));
    assert.deepEqual(phaseThroughput(101, offsets), {
      wallMs: 30_000,
      throughputPerSec: 3.37,
      steadyThroughputPerSec: 10.1,
      completedAtMs: [timeline],
    });

    const merged = mergeRounds([
      run(30, [1], { steadyThroughputPerSec: 33, completedAtMs: [timeline] }),
      run(10, [2], { steadyThroughputPerSec: 11, completedAtMs: [timeline] }),
      run(20, [3], { steadyThroughputPerSec: 22, completedAtMs: [timeline] }),
    ]);
    assert.equal(merged.steadyThroughputPerSec, 22);
    assert.deepEqual(merged.roundSteadyThroughputsPerSec, [33, 11, 22]);
    assert.equal(merged.completedAtMs?.length, 3);
  });
});
