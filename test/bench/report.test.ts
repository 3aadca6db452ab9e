import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart } from '../../bench/support/chart';
import type { BenchReport, PathName, PhaseResult } from '../../bench/support/report-types';
import { pathRatios } from '../../bench/support/rounds';
import { formatReport } from '../../bench/support/table';
import { checkTargets } from '../../bench/support/targets';

function phase(path: PathName, roundThroughputsPerSec: number[], wallMs: number): PhaseResult {
  return {
    path,
    ...(path !== 'baseline' && { load: 'all at once' }),
    clones: 100 * roundThroughputsPerSec.length,
    completedCorrectly: 100 * roundThroughputsPerSec.length,
    wallMs,
    throughputPerSec: NaN,
    roundThroughputsPerSec,
    startToResultMs: { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
    historyEvents: { sampled: 1, min: 27, max: 27, mean: 27 },
    workerPeakRssMiB: 300,
  };
}

/** A report as run.ts builds it: three rounds, and a scale run whose memory settled below its peak. */
function report(): BenchReport {
  const phases = [
    phase('baseline', [10, 20, 25], 19_000),
    phase('callback', [8, 20, 20], 22_500),
    phase('poll', [5, 10, 20], 35_000),
  ];
  const partial: Omit<BenchReport, 'targets'> = {
    generatedAt: '2026-12-01T00:00:00.000Z',
    machine: { nproc: 2, cpuModel: 'test cpu', memoryGiB: 8, node: 'v20', platform: 'linux x64', kernel: 'test' },
    options: { clones: 100, scale: 10_000, scaleSettleS: 120, skipScale: false, trainingMs: 500, rounds: 3 },
    stack: 'test',
    phases,
    ratio: { ...pathRatios(phases, 'whole'), steady: pathRatios(phases, 'steady') },
    scale: {
      clones: 10_000,
      requestedClones: 10_000,
      rampMs: 603_306,
      waitingWorkerRssMiB: 214.9,
      waitingWorkerRssSeries: [
        { afterS: 5, rssMiB: 309.7 },
        { afterS: 60, rssMiB: 309.7 },
        { afterS: 120, rssMiB: 214.9 },
      ],
      waitingWorkerPeakRssMiB: 471.7,
      finishAllMs: 401_869,
      workerPeakRssMiB: 480.2,
      completedCorrectly: 10_000,
      completedVia: { callback: 10_000 },
    },
    notes: [],
  };
  return { ...partial, targets: checkTargets(partial) };
}

describe('bench report', () => {
  it('prints the per-round ratios, their median and the ratio of totals, and names the one the target uses', () => {
    const text = formatReport(report());
    const row = (label: string): string[] | undefined =>
      text
        .split('\n')
        .find((line) => line.startsWith(`${label} `))
        ?.trim()
        .split(/\s{2,}/);
    assert.deepEqual(row('callback ÷ baseline'), ['callback ÷ baseline', '0.80 / 1.00 / 0.80', '0.80', '0.84']);
    assert.deepEqual(row('poll ÷ baseline'), ['poll ÷ baseline', '0.50 / 0.50 / 0.80', '0.50', '0.54']);
    assert.match(text, /throughput ratio\s+by round \(run order\)\s+median of rounds\s+of totals/);
    assert.match(text, /The ≥ 0\.9 throughput target uses the callback path's median of the per-round ratios/);
    // The target row is checked on that figure: 0.80, not the medians' 20 ÷ 20.
    assert.match(
      text,
      /throughput ratio package ÷ baseline\s+≥ 0\.9\s+0\.80 median of per-round ratios, rounds 0\.80-1\.00; of totals 0\.84 .*MISS/,
    );
  });

  it('prints the scale run’s settled memory with its peaks beside it', () => {
    const text = formatReport(report());
    assert.match(
      text,
      /worker RSS: 214\.9 MiB settled \(after 120 s of waiting; 309\.7 at 5 s\); peak 471\.7 MiB up to the reading, 480\.2 MiB over the whole run/,
    );
  });

  it('draws the settled reading and the peak side by side, and the target’s ratio in the caption', () => {
    const svg = renderChart(report());
    assert.match(svg, /10000 waiting settled: 214\.9 MiB/);
    assert.match(svg, /10000 waiting peak: 471\.7 MiB/);
    assert.match(
      svg,
      /callback ÷ baseline throughput: 0\.80 median of the per-round ratios \(the target's figure\), 0\.84 of totals/,
    );
  });
});
