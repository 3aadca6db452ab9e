/**
 * ICE misbehaving: 30% 5xx plus throttling on every operation, and ambiguous submits (ICE accepts the job, then
 * the connection closes before the answer), on every edition's operations. Each: every clone succeeds, ICE gets one
 * job per voice (Basic's VoiceId, Standard's and CosyVoice's VoiceName), no secret in any history.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isPerformedSubmitOf, onEverySubmit, type ScenarioOutcome } from './support/clones';
import { assertScenario, runScenario } from './support/scenario';
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

test('ambiguous submits of every edition (accepted, then the connection closes): one ICE job per voice', async () => {
  const outcome = await runScenario({
    name: 'ambiguous submits (closeAfterAccept, all)',
    clones: CLONES,
    prefix: 'Ambiguous',
    stack: { trainingMs: 2_000 },
    beforeStart: (stack) =>
      stack.emulator.admin.setFaults({ operations: onEverySubmit({ closeAfterAccept: { rate: 1 } }) }),
    afterwards: async ({ stack, clones }) => {
      // Every clone's first submit was cut off after ICE accepted it, whatever its edition: none passed unhurt.
      const cutOff = (await stack.emulator.admin.calls()).filter((call) => call.fault === 'closeAfterAccept');
      const unhurt = clones.filter((clone) => !cutOff.some((call) => isPerformedSubmitOf(call, clone)));
      assert.deepEqual(
        unhurt.map((clone) => clone.name),
        [],
        'clones whose submit was never cut off',
      );
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});
