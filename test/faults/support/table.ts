/** The fault suite's summary table, printed by each fault file after its scenarios. */
import type { ScenarioOutcome } from './clones';

export function formatFaultTable(rows: readonly ScenarioOutcome[]): string {
  const header = [
    'scenario',
    'clones',
    'completed correctly',
    'duplicate submits',
    'secrets found',
    'canary found',
    'seconds',
  ];
  const body = rows.map((row) => [
    row.scenario,
    String(row.clones),
    String(row.completedCorrectly),
    String(row.duplicateSubmits),
    String(row.secretsFound),
    row.canaryFound ? 'yes' : 'NO',
    row.seconds.toFixed(1),
  ]);
  const all = [header, ...body];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column].length)));
  const table = all.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ')).join('\n');
  const problems = rows.flatMap((row) => row.problems.slice(0, 5).map((problem) => `  ${row.scenario}: ${problem}`));
  return problems.length > 0 ? `${table}\nfirst problems:\n${problems.join('\n')}` : table;
}
