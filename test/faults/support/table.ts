/** The fault suite's summary tables, printed by each fault file after its scenarios: all clones, then per edition. */
import { VOICE_CLONE_EDITIONS } from '../../../src/workflows/definitions';
import type { ScenarioOutcome } from './clones';

function formatTable(header: readonly string[], body: readonly string[][]): string {
  const all = [header, ...body];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column].length)));
  return all.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ')).join('\n');
}

export function formatFaultTable(rows: readonly ScenarioOutcome[]): string {
  const table = formatTable(
    ['scenario', 'clones', 'completed correctly', 'duplicate submits', 'secrets found', 'canary found', 'seconds'],
    rows.map((row) => [
      row.scenario,
      String(row.clones),
      String(row.completedCorrectly),
      String(row.duplicateSubmits),
      String(row.secretsFound),
      row.canaryFound ? 'yes' : 'NO',
      row.seconds.toFixed(1),
    ]),
  );
  const byEdition = formatTable(
    ['scenario', 'edition', 'clones', 'completed correctly', 'duplicate submits', 'secrets found', 'canary found'],
    rows.flatMap((row) =>
      VOICE_CLONE_EDITIONS.map((edition) => {
        const outcome = row.byEdition[edition];
        return [
          row.scenario,
          edition,
          String(outcome.clones),
          String(outcome.completedCorrectly),
          String(outcome.duplicateSubmits),
          String(outcome.secretsFound),
          outcome.canaryFound ? 'yes' : 'NO',
        ];
      }),
    ),
  );
  const problems = rows.flatMap((row) => row.problems.slice(0, 5).map((problem) => `  ${row.scenario}: ${problem}`));
  const tables = `${table}\n\nper edition:\n${byEdition}`;
  return problems.length > 0 ? `${tables}\nfirst problems:\n${problems.join('\n')}` : tables;
}
