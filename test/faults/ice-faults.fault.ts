/**
 * ICE misbehaving: 30% 5xx plus throttling on every operation, and ambiguous submits (ICE accepts the job, then
 * the connection closes before the answer). Each: every clone succeeds, ICE gets one job per voice, no secret in
 * any history.
 */
import { after, test } from 'node:test';
import type { ScenarioOutcome } from './support/clones';
import { assertScenario, FAULT_TIMING, runScenario } from './support/scenario';
import { formatFaultTable } from './support/table';

const CLONES = 30;
const rows: ScenarioOutcome[] = [];
after(() => console.log(`\n${formatFaultTable(rows)}\n`));

test('30% 5xx plus throttling on every ICE operation: every clone succeeds', async () => {
  // 30% of every call answers 503 and 15% is throttled: 40% of all ICE calls fail. A submit retry must read the
  // job list and submit, both through the storm, so its retries back off for longer: hence the longer timeout.
  const outcome = await runScenario({
    name: '30% 5xx + 15% throttling, all operations',
    clones: CLONES,
    prefix: 'Storm',
    stack: { trainingMs: 2_000 },
    timing: FAULT_TIMING,
    expectVia: ['callback', 'poll'],
    timeoutMs: 360_000,
    beforeStart: (stack) =>
      stack.emulator.admin.setFaults({
        operations: { '*': { throttle: { rate: 0.15 }, serverError: { rate: 0.3 } } },
        seed: 20261124,
      }),
  });
  rows.push(outcome);
  assertScenario(outcome);
});

test('ambiguous submits (accepted, then the connection closes): one ICE job per voice', async () => {
  const outcome = await runScenario({
    name: 'ambiguous submits (closeAfterAccept, all)',
    clones: CLONES,
    prefix: 'Ambiguous',
    stack: { trainingMs: 2_000 },
    timing: FAULT_TIMING,
    expectVia: ['callback', 'poll'],
    beforeStart: (stack) =>
      stack.emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { closeAfterAccept: { rate: 1 } } } }),
  });
  rows.push(outcome);
  assertScenario(outcome);
});
