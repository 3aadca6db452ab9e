/** Re-render the table, the targets and the SVG chart from a results JSON: `tsx bench/render.ts [file]`. */
import { readFile, writeFile } from 'node:fs/promises';
import { renderChart } from './support/chart';
import type { BenchReport } from './support/report-types';
import { pathRatios } from './support/rounds';
import { formatReport } from './support/table';
import { checkTargets } from './support/targets';

async function main(): Promise<void> {
  const file = process.argv[2] ?? 'bench/results/latest.json';
  const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
  // Ratios are re-derived from the stored rounds, so a file written by an older bench reads like a new one.
  report.ratio = { ...pathRatios(report.phases, 'whole'), steady: pathRatios(report.phases, 'steady') };
  report.targets = checkTargets(report);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(file.replace(/\.json$/, '.svg'), renderChart(report));
  process.stdout.write(`${formatReport(report)}\n`);
}

void main();
