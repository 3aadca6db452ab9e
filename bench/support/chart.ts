/** A hand-written SVG chart of the latest results: throughput, latency percentiles, worker memory. */
import type { BenchReport, PhaseResult } from './report-types';

interface Bar {
  label: string;
  value: number;
  color: string;
}

interface Group {
  label: string;
  bars: Bar[];
}

const COLORS = {
  callback: '#2b7bb9',
  poll: '#e08b2b',
  baseline: '#7a7a7a',
  p50: '#9ecae1',
  p95: '#4292c6',
  p99: '#08519c',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panel(
  x: number,
  y: number,
  width: number,
  height: number,
  title: string,
  unit: string,
  groups: Group[],
): string {
  const max = Math.max(
    1,
    ...groups.flatMap((group) => group.bars.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0))),
  );
  const plotTop = y + 30;
  const plotHeight = height - 70;
  const groupWidth = width / Math.max(1, groups.length);
  const parts = [
    `<text x="${x + width / 2}" y="${y + 16}" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${x}" y1="${plotTop + plotHeight}" x2="${x + width}" y2="${plotTop + plotHeight}" stroke="#333"/>`,
  ];
  groups.forEach((group, groupIndex) => {
    const barWidth = Math.min(40, (groupWidth - 20) / Math.max(1, group.bars.length));
    const startX = x + groupIndex * groupWidth + (groupWidth - barWidth * group.bars.length) / 2;
    group.bars.forEach((bar, barIndex) => {
      const value = Number.isFinite(bar.value) ? bar.value : 0;
      const barHeight = (value / max) * plotHeight;
      const barX = startX + barIndex * barWidth;
      const barY = plotTop + plotHeight - barHeight;
      parts.push(
        `<rect x="${barX.toFixed(1)}" y="${barY.toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${bar.color}"><title>${escape(`${group.label} ${bar.label}: ${value} ${unit}`)}</title></rect>`,
        `<text x="${(barX + (barWidth - 4) / 2).toFixed(1)}" y="${(barY - 3).toFixed(1)}" text-anchor="middle" font-size="10">${escape(formatValue(value))}</text>`,
      );
      if (group.bars.length > 1) {
        parts.push(
          `<text x="${(barX + (barWidth - 4) / 2).toFixed(1)}" y="${plotTop + plotHeight + 12}" text-anchor="middle" font-size="9">${escape(bar.label)}</text>`,
        );
      }
    });
    parts.push(
      `<text x="${(x + groupIndex * groupWidth + groupWidth / 2).toFixed(1)}" y="${plotTop + plotHeight + (group.bars.length > 1 ? 26 : 14)}" text-anchor="middle" font-size="11">${escape(group.label)}</text>`,
    );
  });
  parts.push(`<text x="${x}" y="${y + height - 6}" font-size="10" fill="#555">${escape(unit)}</text>`);
  return parts.join('\n');
}

const formatRatio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '–');

function formatValue(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function renderChart(report: BenchReport): string {
  const width = 960;
  const height = 344;
  const phases = report.phases;
  const paced = (phase: PhaseResult): boolean => (phase.load ?? 'all at once') !== 'all at once';
  const labelOf = (phase: PhaseResult): string => (paced(phase) ? `${phase.path} (paced)` : phase.path);
  // Throughput only means something when every clone started at once.
  const throughput: Group[] = phases
    .filter((phase) => !paced(phase))
    .map((phase) => ({
      label: phase.path,
      bars: [{ label: phase.path, value: phase.throughputPerSec, color: COLORS[phase.path] }],
    }));
  const latency: Group[] = phases.map((phase) => ({
    label: `${labelOf(phase)} start→result`,
    bars: (['p50', 'p95', 'p99'] as const).map((key) => ({
      label: key,
      value: phase.startToResultMs[key],
      color: COLORS[key],
    })),
  }));
  for (const phase of phases) {
    const cb = phase.callbackToResultMs;
    if (phase.path !== 'callback' || !cb) continue;
    latency.push({
      label: `${paced(phase) ? '(paced) ' : ''}callback→result`,
      bars: (['p50', 'p95', 'p99'] as const).map((key) => ({ label: key, value: cb[key], color: COLORS[key] })),
    });
  }
  const memory: Group[] = phases.map((phase) => ({
    label: labelOf(phase),
    bars: [{ label: phase.path, value: phase.workerPeakRssMiB, color: COLORS[phase.path] }],
  }));
  if (report.scale) {
    // The settled reading is what waiting clones cost; the peak beside it is what the worker needed on the way.
    memory.push({
      label: `${report.scale.clones} waiting`,
      bars: [
        { label: 'settled', value: report.scale.waitingWorkerRssMiB, color: '#31a354' },
        { label: 'peak', value: report.scale.waitingWorkerPeakRssMiB, color: '#a1d99b' },
      ],
    });
  }
  const machine = report.machine;
  const caption = `${report.generatedAt} · ${machine.nproc} cores ${machine.cpuModel} · ${machine.memoryGiB} GiB · Node ${machine.node} · ${report.options.clones} clones per path`;
  const ratio = report.ratio;
  const ratioCaption =
    `callback ÷ baseline throughput: ${formatRatio(ratio.callbackOverBaseline)} ${ratio.figure} (the target's ` +
    `figure), ${formatRatio(ratio.ofTotals.callbackOverBaseline)} of totals; poll ÷ baseline ` +
    `${formatRatio(ratio.pollOverBaseline)}, ${formatRatio(ratio.ofTotals.pollOverBaseline)} of totals`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    panel(20, 10, 220, 290, 'Throughput', 'clones per second', throughput),
    panel(260, 10, 440, 290, 'Latency', 'milliseconds (p50 / p95 / p99)', latency),
    panel(720, 10, 220, 290, 'Worker memory', 'MiB RSS (phases: peak)', memory),
    `<text x="20" y="${height - 18}" font-size="10" fill="#555">${escape(ratioCaption)}</text>`,
    `<text x="20" y="${height - 4}" font-size="10" fill="#555">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
