/** The console table the bench prints at the end. */
import type { BenchReport, PathRatios, ScaleResult } from './report-types';
import { TARGET_RATIO_FIGURE } from './rounds';

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, index) => cell.padEnd(widths[index])).join('  ');
}

export function renderTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => pad(row, widths)).join('\n');
}

const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

const byRound = (values: readonly number[] | undefined): string =>
  (values ?? []).map((value) => fmt(value, 2)).join(' / ');

export function formatReport(report: BenchReport): string {
  const phaseRows = [
    [
      'path',
      'load',
      'clones',
      'ok',
      'clones/s',
      'start→result p50/p95/p99 ms',
      'callback→result p50/p95/p99 ms',
      'events',
      'worker peak MiB',
      'CPU s server/worker/emulator/receiver/bench',
    ],
    ...report.phases.map((phase) => [
      phase.path,
      phase.load ?? 'all at once',
      String(phase.clones),
      String(phase.completedCorrectly),
      fmt(phase.throughputPerSec, 2),
      `${fmt(phase.startToResultMs.p50, 0)}/${fmt(phase.startToResultMs.p95, 0)}/${fmt(phase.startToResultMs.p99, 0)}`,
      phase.callbackToResultMs
        ? `${fmt(phase.callbackToResultMs.p50, 0)}/${fmt(phase.callbackToResultMs.p95, 0)}/${fmt(phase.callbackToResultMs.p99, 0)}`
        : '-',
      `${phase.historyEvents.min}-${phase.historyEvents.max}`,
      fmt(phase.workerPeakRssMiB),
      phase.cpuSeconds
        ? `${fmt(phase.cpuSeconds.server)}/${fmt(phase.cpuSeconds.worker)}/${fmt(phase.cpuSeconds.emulator)}/${fmt(phase.cpuSeconds.receiver)}/${fmt(phase.cpuSeconds.benchProcess)}`
        : '-',
    ]),
  ];
  const iceRows = [
    ['path', 'ICE calls per clone'],
    ...report.phases
      .filter((phase) => phase.iceCallsPerClone)
      .map((phase) => [
        phase.path,
        Object.entries(phase.iceCallsPerClone ?? {})
          .map(([action, count]) => `${action}=${fmt(count, 2)}`)
          .join(' '),
      ]),
  ];
  const roundRows = [
    ['path', 'clones/s by round (run order)', 'steady clones/s (10th-90th percentile result)'],
    ...report.phases
      .filter((phase) => phase.roundThroughputsPerSec)
      .map((phase) => [phase.path, byRound(phase.roundThroughputsPerSec), byRound(phase.roundSteadyThroughputsPerSec)]),
  ];
  const targetRows = [
    ['target', 'wanted', 'measured', ''],
    ...report.targets.map((check) => [
      check.name,
      check.target,
      check.measured,
      check.pass === null ? 'n/a' : check.pass ? 'PASS' : 'MISS',
    ]),
  ];
  const lines = [
    `Machine: ${report.machine.nproc} cores, ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}`,
    '',
    renderTable(phaseRows),
    '',
    renderTable(iceRows),
    '',
  ];
  if (roundRows.length > 1) lines.push(renderTable(roundRows), '');
  lines.push(...ratioLines(report), '');
  if (report.scale) lines.push(...scaleLines(report.scale), '');
  if (report.scaleMns) lines.push(...scaleLines(report.scaleMns), '');
  if (report.scaleBaseline) {
    const bare = report.scaleBaseline;
    lines.push(
      `Burst with bare Temporal: ${bare.clones} baseline clones waiting after ${(bare.rampMs / 1000).toFixed(1)} s; ` +
        `signalled (${bare.signalConcurrency} at once) in ${(bare.signalledMs / 1000).toFixed(1)} s, ` +
        `all closed ${(bare.finishAllMs / 1000).toFixed(1)} s after the burst`,
      '',
    );
  }
  for (const phase of report.phases) {
    for (const straggler of phase.stragglers ?? []) lines.push(`not completed (${phase.path}): ${straggler}`);
    for (const slow of phase.slowCallbacks ?? []) lines.push(`slow callback (${phase.path}): ${slow}`);
  }
  lines.push(renderTable(targetRows));
  if (report.notes.length > 0) lines.push('', ...report.notes.map((note) => `note: ${note}`));
  return lines.join('\n');
}

/**
 * The package paths over the baseline, three ways over the same rounds, and which one the target is checked on:
 * a median of two paths' separate rounds would compare rounds that did not run together, so it is not printed.
 */
function ratioLines(report: BenchReport): string[] {
  const rows: string[][] = [['throughput ratio', 'by round (run order)', 'median of rounds', 'of totals']];
  const add = (label: string, ratios: PathRatios | undefined): void => {
    if (!ratios) return;
    rows.push(
      [
        `callback ÷ baseline${label}`,
        byRound(ratios.byRound.callbackOverBaseline),
        fmt(ratios.callbackOverBaseline, 2),
        fmt(ratios.ofTotals.callbackOverBaseline, 2),
      ],
      [
        `poll ÷ baseline${label}`,
        byRound(ratios.byRound.pollOverBaseline),
        fmt(ratios.pollOverBaseline, 2),
        fmt(ratios.ofTotals.pollOverBaseline, 2),
      ],
    );
  };
  add('', report.ratio);
  add(', steady', report.ratio.steady);
  return [
    renderTable(rows),
    `The ≥ 0.9 throughput target uses the callback path's ${TARGET_RATIO_FIGURE} (whole phase).`,
    "By round: a path over the baseline in the same round. Of totals: all rounds' clones ÷ all rounds' time, " +
      'the path over the baseline.',
    'Whole phase: clones ÷ (first start → last result). Steady: the 10th to 90th percentile results ÷ the time ' +
      'between them.',
  ];
}

/** The scale run; worker memory as its settled reading with the peaks beside it, as neither alone says what it costs. */
function scaleLines(scale: ScaleResult): string[] {
  const series = scale.waitingWorkerRssSeries;
  const first = series?.[0];
  const last = series?.at(-1);
  const settled =
    first && last && first !== last
      ? `${fmt(scale.waitingWorkerRssMiB)} MiB settled (after ${last.afterS} s of waiting; ${first.rssMiB} at ${first.afterS} s)`
      : `${fmt(scale.waitingWorkerRssMiB)} MiB while waiting`;
  const wholeRunPeak = scale.workerPeakRssMiB === null ? '' : `, ${fmt(scale.workerPeakRssMiB)} MiB over the whole run`;
  const via = scale.callbacks === 'mns' ? ' (burst via MNS)' : scale.callbacks === 'http' ? ' (burst via HTTP)' : '';
  const intake = scale.callbacks === 'mns' ? 'queue consumer' : 'receiver';
  return [
    `Scale${via}: ${scale.clones}/${scale.requestedClones} clones waiting at once; ramp ${fmt(scale.rampMs / 1000)} s`,
    `  worker RSS: ${settled}; peak ${fmt(scale.waitingWorkerPeakRssMiB)} MiB up to the reading${wholeRunPeak} ` +
      '(the finishing burst included)',
    '  ' +
      (scale.finishAllMs === null
        ? `not all finished (${scale.completedCorrectly} closed correctly, see notes)`
        : `all finished ${fmt(scale.finishAllMs / 1000)} s after the callbacks began; ${scale.completedCorrectly} correct`) +
      `; closed via ${JSON.stringify(scale.completedVia)}`,
    ...(scale.receiverDuringBurst ? [`  ${intake} during the burst ${JSON.stringify(scale.receiverDuringBurst)}`] : []),
    ...(scale.queueDuringBurst ? [`  MNS queue during the burst ${JSON.stringify(scale.queueDuringBurst)}`] : []),
    ...(scale.iceCallbacksDuringBurst
      ? [`  ICE's callbacks by job ${JSON.stringify(scale.iceCallbacksDuringBurst)}`]
      : []),
  ];
}
