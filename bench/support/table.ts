/** The console table the bench prints at the end. */
import type { BenchReport, RatiosByPath, ScaleResult } from './report-types';

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, index) => cell.padEnd(widths[index])).join('  ');
}

export function renderTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => pad(row, widths)).join('\n');
}

const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

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
  const byRound = (values: readonly number[] | undefined): string =>
    (values ?? []).map((value) => fmt(value, 2)).join(' / ');
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
  if (roundRows.length > 1) {
    const ratios = (label: string, rounds: RatiosByPath<number[]> | undefined) =>
      rounds
        ? `${label}: callback ${byRound(rounds.callbackOverBaseline)}, poll ${byRound(rounds.pollOverBaseline)}`
        : '';
    lines.push(
      renderTable(roundRows),
      ratios('ratio by round', report.ratio.byRound),
      ratios('steady ratio by round', report.ratio.steady?.byRound),
      '',
    );
  }
  const steady = report.ratio.steady;
  if (steady) {
    lines.push(
      `steady ratio (10th-90th percentile result, median round): callback ${fmt(steady.callbackOverBaseline, 2)}, ` +
        `poll ${fmt(steady.pollOverBaseline, 2)}`,
      '',
    );
  }
  if (report.scale) {
    const scale = report.scale;
    lines.push(
      `Scale: ${scale.clones}/${scale.requestedClones} clones waiting at once; ramp ${fmt(scale.rampMs / 1000)} s; ` +
        `worker RSS while waiting ${fmt(scale.waitingWorkerRssMiB)} MiB${settleNote(scale)} ` +
        `(peak ${fmt(scale.waitingWorkerPeakRssMiB)} MiB); ` +
        (scale.finishAllMs === null
          ? `not all finished (${scale.completedCorrectly} closed correctly, see notes)`
          : `all finished ${fmt(scale.finishAllMs / 1000)} s after the callbacks began; ${scale.completedCorrectly} correct`) +
        `; closed via ${JSON.stringify(scale.completedVia)}` +
        (scale.receiverDuringBurst ? `; receiver during the burst ${JSON.stringify(scale.receiverDuringBurst)}` : '') +
        (scale.iceCallbacksDuringBurst
          ? `; ICE's callbacks by job ${JSON.stringify(scale.iceCallbacksDuringBurst)}`
          : ''),
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

/** " after 120 s (5 s after the ramp: 374)": the reading is taken once V8 has had time to free the ramp's garbage. */
function settleNote(scale: ScaleResult): string {
  const series = scale.waitingWorkerRssSeries;
  const first = series?.[0];
  const last = series?.at(-1);
  return first && last && first !== last
    ? ` after ${last.afterS} s (${first.afterS} s after the ramp: ${first.rssMiB})`
    : '';
}
