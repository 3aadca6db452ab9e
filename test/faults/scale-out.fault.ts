/**
 * Scaled out as README's Production part describes: two workers on one task queue and two callback receivers behind
 * a round-robin load balancer whose URL ICE calls, all against one Temporal server. One worker is killed with
 * SIGKILL while its submits are in flight, then one receiver while callbacks arrive. Every clone (Basic, Standard and
 * CosyVoice) ends right, ICE carries out one submit per voice, no secret in any history; the survivors take over the
 * work of the dead.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { UpstreamCount } from '../../src/testing';
import type { FaultClone, ScenarioOutcome } from './support/clones';
import { onEverySubmit, waitForSubmitsStarted } from './support/clones';
import type { FaultStack } from './support/fault-stack';
import { assertScenario, runScenario } from './support/scenario';
import { perEdition, submitActivityOutcomes, submitsCarriedOutBetween } from './support/submit-adoption';
import { formatFaultTable } from './support/table';
import { VOICE_CLONE_EDITIONS } from '../../src/workflows/definitions';

const CLONES = 30;
const SUBMIT_LATENCY_MS = 3_000;
const rows: ScenarioOutcome[] = [];
after(() => console.log(`\n${formatFaultTable(rows)}\n`));

/** Callbacks an upstream answered 200. */
function answeredOk(counts: Map<string, UpstreamCount>, origin: string): number {
  return counts.get(origin)?.answered[200] ?? 0;
}

/** Wait until every receiver behind the balancer has answered at least one callback 200. */
async function waitForCallbacksOnEveryReceiver(stack: FaultStack, origins: readonly string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = stack.balancer?.counts() ?? new Map<string, UpstreamCount>();
    if (origins.every((origin) => answeredOk(counts, origin) > 0)) return;
    if (Date.now() > deadline)
      throw new Error(`not every receiver answered a callback: ${JSON.stringify(Object.fromEntries(counts))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('two workers and two receivers behind a load balancer, one of each killed with SIGKILL: nothing lost or billed twice', async () => {
  let killedWorker: { identity: string; killedAt: number; startedThere: FaultClone[] } | undefined;
  let killedReceiver: { origin: string; survivor: string; survivorOkAtKill: number } | undefined;
  const outcome = await runScenario({
    name: 'scale-out: 2 workers + 2 receivers, one of each SIGKILL',
    clones: CLONES,
    prefix: 'ScaleOut',
    stack: { trainingMs: 4_000, balancedReceivers: 2 },
    workers: 2,
    // A submit cut off by the kill waits out its 30 s startToCloseTimeout, then its retry (on the other worker)
    // looks the voice up first.
    timeoutMs: 180_000,
    // ICE carries a submit out 3 s after it arrived, then answers: the kill lands while some are in flight.
    beforeStart: (stack) =>
      stack.emulator.admin.setFaults({ operations: onEverySubmit({ latencyMs: SUBMIT_LATENCY_MS }) }),
    disrupt: async ({ stack, clones, workers }) => {
      const [doomed] = workers;
      const startedThere = await waitForSubmitsStarted(stack, clones, 5, { identity: doomed.identity, perEdition: 1 });
      await doomed.kill();
      killedWorker = { identity: doomed.identity, killedAt: Date.now(), startedThere };
      await stack.emulator.admin.setFaults({});

      // Callbacks come as trainings end: once both receivers have answered some, one dies with whatever it holds.
      const origins = stack.receivers.map((receiver) => new URL(receiver.callbackUrl).origin);
      await waitForCallbacksOnEveryReceiver(stack, origins);
      const [dying] = stack.receivers;
      await dying.kill();
      const counts = stack.balancer?.counts() ?? new Map<string, UpstreamCount>();
      killedReceiver = { origin: origins[0], survivor: origins[1], survivorOkAtKill: answeredOk(counts, origins[1]) };
    },
    afterwards: async ({ stack, clones, workers }) => {
      assert.ok(killedWorker && killedReceiver, 'both kills happened');
      const survivorIdentity = workers[1].identity;

      // The worker kill: submits it had sent were carried out by ICE after it died (in flight), and each of those
      // clones adopted its job on a retry on the surviving worker instead of submitting again.
      const calls = await stack.emulator.admin.calls();
      const inFlight = submitsCarriedOutBetween(calls, killedWorker.startedThere, killedWorker.killedAt);
      for (const edition of VOICE_CLONE_EDITIONS) {
        assert.ok(
          inFlight.some((clone) => clone.edition === edition),
          `no ${edition} submit of the killed worker was in flight at the kill`,
        );
      }
      const identities = new Set<string>();
      for (const clone of clones) {
        const history = await stack.client.workflow.getHandle(clone.workflowId).fetchHistory();
        for (const event of history.events ?? []) {
          const identity = event.activityTaskStartedEventAttributes?.identity;
          if (identity) identities.add(identity);
        }
        if (inFlight.includes(clone)) {
          const adopted = submitActivityOutcomes(history).some((o) => o.attempt > 1 && o.result.adopted);
          assert.ok(adopted, `${clone.name}: its submit was in flight at the kill and was not adopted on a retry`);
        }
      }
      assert.ok(identities.has(survivorIdentity), 'the surviving worker ran activities');
      assert.ok(identities.has(killedWorker.identity), 'the killed worker ran activities before it died');

      // The receiver kill: the balancer found it dead (connections refused) and the survivor took the callbacks.
      const counts = stack.balancer?.counts() ?? new Map<string, UpstreamCount>();
      assert.ok((counts.get(killedReceiver.origin)?.refused ?? 0) > 0, 'the balancer never found the receiver dead');
      assert.ok(
        answeredOk(counts, killedReceiver.survivor) > killedReceiver.survivorOkAtKill,
        'the surviving receiver answered no callback after the kill',
      );
      console.log(
        `scale-out: ${inFlight.length} submits in flight at the worker kill (${perEdition(inFlight)}), all adopted; ` +
          `balancer: ${JSON.stringify(Object.fromEntries(counts))}`,
      );
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});
