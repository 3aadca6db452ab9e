import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PathName, PhaseResult } from '../../bench/support/report-types';
import { mergeRounds, pathRatios, TARGET_RATIO_FIGURE, type PhaseRun } from '../../bench/support/rounds';
import { phaseThroughput, type CompletionTimeline } from '../../bench/support/stats';

/** One round of one path as its phase reports it: `clones` results, evenly from `firstMs` to `lastMs`. */
function round(path: PathName, clones: number, firstMs: number, lastMs: number): PhaseRun {
  const offsets = Array.from({ length: clones }, (_, index) => firstMs + ((lastMs - firstMs) * index) / (clones - 1));
  return {
    result: {
      path,
      load: 'all at once',
      clones,
      completedCorrectly: clones,
      ...phaseThroughput(clones, offsets),
      startToResultMs: { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
      historyEvents: { sampled: 1, min: 27, max: 27, mean: 27 },
      workerPeakRssMiB: 300,
    },
    samples: { startToResultMs: offsets },
  };
}

/** A merged phase with only the fields a results JSON keeps about its rounds. */
function stored(path: PathName, fields: Partial<PhaseResult> & Pick<PhaseResult, 'clones' | 'wallMs'>): PhaseResult {
  return {
    path,
    completedCorrectly: fields.clones,
    throughputPerSec: NaN,
    startToResultMs: { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
    historyEvents: { sampled: 1, min: 27, max: 27, mean: 27 },
    workerPeakRssMiB: 300,
    ...fields,
  };
}

const timeline = (p10: number, p90: number, last: number): CompletionTimeline => ({ p10, p50: 0, p90, last });

describe('bench ratios', () => {
  it('divides each round by the same round of the baseline, not one median by another', () => {
    // 100 clones a round. Baseline 10, 20, 25 clones/s; callback 8, 20, 20: 0.8, 1.0, 0.8 round by round.
    const phases = [
      mergeRounds([
        round('baseline', 100, 0, 10_000),
        round('baseline', 100, 0, 5_000),
        round('baseline', 100, 0, 4_000),
      ]),
      mergeRounds([
        round('callback', 100, 0, 12_500),
        round('callback', 100, 0, 5_000),
        round('callback', 100, 0, 5_000),
      ]),
      mergeRounds([round('poll', 100, 0, 20_000), round('poll', 100, 0, 10_000), round('poll', 100, 0, 5_000)]),
    ];
    assert.deepEqual(
      phases.map((phase) => phase.throughputPerSec),
      [20, 20, 10],
    );
    const ratios = pathRatios(phases);
    assert.equal(ratios.figure, TARGET_RATIO_FIGURE);
    assert.deepEqual(ratios.byRound, { callbackOverBaseline: [0.8, 1, 0.8], pollOverBaseline: [0.5, 0.5, 0.8] });
    // The median of the paths' medians would say 20 ÷ 20 = 1.00 and 10 ÷ 20 = 0.50.
    assert.equal(ratios.callbackOverBaseline, 0.8);
    assert.equal(ratios.pollOverBaseline, 0.5);
    // 300 clones in 22.5 s against 300 in 19 s; poll 300 in 35 s.
    assert.deepEqual(ratios.ofTotals, { callbackOverBaseline: 0.84, pollOverBaseline: 0.54 });
  });

  it('takes the steady ratios the same three ways, the totals over the 10th–90th percentile spans', () => {
    const ratios = pathRatios(
      [
        stored('baseline', {
          clones: 200,
          wallMs: 30_000,
          roundSteadyThroughputsPerSec: [10, 20],
          steadyThroughputPerSec: 15,
          completedAtMs: [timeline(2_000, 10_000, 12_000), timeline(1_000, 5_000, 6_000)],
        }),
        stored('callback', {
          load: 'all at once',
          clones: 200,
          wallMs: 30_000,
          roundSteadyThroughputsPerSec: [5, 20],
          steadyThroughputPerSec: 12.5,
          completedAtMs: [timeline(2_000, 18_000, 20_000), timeline(1_000, 5_000, 6_000)],
        }),
      ],
      'steady',
    );
    assert.deepEqual(ratios.byRound.callbackOverBaseline, [0.5, 1]);
    assert.equal(ratios.callbackOverBaseline, 0.75);
    // 160 steady results in 20 s against 160 in 12 s.
    assert.equal(ratios.ofTotals.callbackOverBaseline, 0.6);
    // No poll phase: nothing to divide, and no made-up figure.
    assert.deepEqual(ratios.byRound.pollOverBaseline, []);
    assert.ok(Number.isNaN(ratios.pollOverBaseline) && Number.isNaN(ratios.ofTotals.pollOverBaseline));
  });

  it('gives one round its one ratio three times', () => {
    const ratios = pathRatios([
      mergeRounds([round('baseline', 50, 0, 5_000)]),
      mergeRounds([round('callback', 50, 0, 6_250)]),
    ]);
    assert.deepEqual(ratios.byRound.callbackOverBaseline, [0.8]);
    assert.equal(ratios.callbackOverBaseline, 0.8);
    assert.equal(ratios.ofTotals.callbackOverBaseline, 0.8);
  });

  it('does not take totals over different rounds', () => {
    const ratios = pathRatios([
      stored('baseline', { clones: 200, wallMs: 20_000, roundThroughputsPerSec: [10, 10] }),
      stored('callback', { clones: 100, wallMs: 10_000, roundThroughputsPerSec: [9] }),
    ]);
    assert.deepEqual(ratios.byRound.callbackOverBaseline, [0.9]);
    assert.ok(Number.isNaN(ratios.ofTotals.callbackOverBaseline));
  });

  it('re-derives the 2026-11-28 13:54 UTC run from the rounds its results file keeps', () => {
    // bench/results/latest.json of that run, the fields the ratios read; its median-over-median headline was 0.83.
    const run = [
      stored('baseline', {
        clones: 2500,
        wallMs: 192_139,
        roundThroughputsPerSec: [15.22, 10.85, 13.87, 14.14, 11.96],
        completedAtMs: [
          timeline(9078, 30747, 32849),
          timeline(10238, 44344, 46099),
          timeline(9902, 33668, 36042),
          timeline(10074, 33179, 35359),
          timeline(10936, 39602, 41790),
        ],
      }),
      stored('callback', {
        load: 'all at once',
        clones: 2500,
        wallMs: 214_821,
        roundThroughputsPerSec: [12.74, 11.23, 11.56, 10.95, 11.86],
        completedAtMs: [
          timeline(9666, 36483, 39242),
          timeline(11795, 41211, 44516),
          timeline(11422, 40074, 43239),
          timeline(12915, 42526, 45667),
          timeline(10704, 39305, 42157),
        ],
      }),
    ];
    const ratios = pathRatios(run);
    assert.deepEqual(ratios.byRound.callbackOverBaseline, [0.84, 1.04, 0.83, 0.77, 0.99]);
    assert.equal(ratios.callbackOverBaseline, 0.84);
    assert.equal(ratios.ofTotals.callbackOverBaseline, 0.89);
    const steady = pathRatios(run, 'steady');
    assert.deepEqual(steady.byRound.callbackOverBaseline, []);
    // 2000 steady results in 143.1 s of 10th–90th percentile spans against the baseline's 2000 in 131.3 s.
    assert.equal(steady.ofTotals.callbackOverBaseline, 0.92);
  });
});
