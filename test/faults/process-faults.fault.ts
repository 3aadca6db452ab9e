/**
 * Crashes and restarts mid-run: the worker killed with SIGKILL (a new worker finishes), the dev server restarted
 * on its persisted database, the emulator restarted on its persisted state. Each, for Basic, Standard and CosyVoice
 * clones alike: every clone succeeds, ICE carries out one submit per voice, no secret in any history.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { VOICE_CLONE_EDITIONS } from '../../src/workflows/definitions';
import type { ScenarioOutcome } from './support/clones';
import { onEverySubmit, waitForSubmitsStarted, waitForSubmitted } from './support/clones';
import { assertScenario, runScenario } from './support/scenario';
import { perEdition, submitsAtTheKill, type KillWindow } from './support/submit-adoption';
import { formatFaultTable } from './support/table';

const CLONES = 30;
const SUBMIT_LATENCY_MS = 3_000;
const rows: ScenarioOutcome[] = [];
after(() => console.log(`\n${formatFaultTable(rows)}\n`));

test('worker killed with SIGKILL mid-training: a new worker finishes every clone', async () => {
  const outcome = await runScenario({
    name: 'worker SIGKILL mid-training',
    clones: CLONES,
    prefix: 'KillWorker',
    stack: { trainingMs: 8_000 },
    disrupt: async (context) => {
      // Every clone submitted and training: no ICE activity in flight, so the kill tests recovery of waiting
      // clones. (A kill mid-submit costs the submit activity's whole startToCloseTimeout before the retry.)
      await waitForSubmitted(context.stack, context.clones, CLONES);
      await context.worker.kill();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      context.worker = await context.stack.startWorker();
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});

test('worker killed with SIGKILL while submits are in flight: no voice is trained twice', async () => {
  let window: KillWindow | undefined;
  const outcome = await runScenario({
    name: 'worker SIGKILL mid-submit',
    clones: CLONES,
    prefix: 'KillSubmit',
    stack: { trainingMs: 4_000 },
    // A submit cut off by the kill waits out its 30 s startToCloseTimeout, then its retry looks the voice up first.
    timeoutMs: 180_000,
    // Slow submits (ICE carries a submit out 3 s after it arrived, then answers), so that the kill lands while
    // some are in flight: the emulator carries them out although their worker is dead.
    beforeStart: (stack) =>
      stack.emulator.admin.setFaults({ operations: onEverySubmit({ latencyMs: SUBMIT_LATENCY_MS }) }),
    disrupt: async (context) => {
      // Kill while a third of the clones wait for their submit's answer, some of every edition. (Waiting until a
      // third had been carried out came too late: the submits had all gone out together, so they were all carried
      // out before the kill.)
      await waitForSubmitsStarted(context.stack, context.clones, CLONES / 3, { perEdition: 2 });
      await context.worker.kill();
      const killedAt = Date.now();
      await context.stack.emulator.admin.setFaults({});
      // Longer than the latency, so that every submit the dead worker sent has been carried out before a new one.
      await new Promise((resolve) => setTimeout(resolve, SUBMIT_LATENCY_MS + 500));
      window = { killedAt, nextWorkerAt: Date.now() };
      context.worker = await context.stack.startWorker();
    },
    afterwards: async ({ stack, clones }) => {
      assert.ok(window, 'the kill happened');
      const atTheKill = await submitsAtTheKill(stack, clones, window);
      console.log(
        `worker SIGKILL mid-submit: ${atTheKill.inFlight.length} submits in flight at the kill ` +
          `(${perEdition(atTheKill.inFlight)}), ${atTheKill.adopted.length} adopted by a retry ` +
          `(${perEdition(atTheKill.adopted)}), lookups after the restart ${JSON.stringify(atTheKill.lookupsAfterRestart)}`,
      );
      assert.deepEqual(atTheKill.problems, []);
      assert.deepEqual(atTheKill.adopted, atTheKill.inFlight, 'every submit in flight at the kill was adopted');
      for (const edition of VOICE_CLONE_EDITIONS) {
        // A kill that missed every submit of an edition would prove nothing for it: fail instead of passing vacuously.
        const inFlight = atTheKill.inFlight.filter((clone) => clone.edition === edition).length;
        assert.ok(inFlight > 0, `no ${edition} submit was in flight at the kill`);
        // Each adoption follows a lookup: ListCustomizedVoiceJobs of the edition's Type (by VoiceId or VoiceName).
        assert.ok(
          atTheKill.lookupsAfterRestart[edition] >= inFlight,
          `${edition}: ${atTheKill.lookupsAfterRestart[edition]} lookups for ${inFlight} adopted jobs`,
        );
      }
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});

test('dev server restarted on its persisted database mid-run: every clone completes', async () => {
  const outcome = await runScenario({
    name: 'dev server restart (persisted DB)',
    clones: CLONES,
    prefix: 'RestartTemporal',
    stack: { trainingMs: 4_000 },
    disrupt: async (context) => {
      await waitForSubmitted(context.stack, context.clones, CLONES / 2);
      await context.stack.server.restart();
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});

test('emulator restarted on its persisted state mid-run: every clone completes, no job is lost or doubled', async () => {
  const outcome = await runScenario({
    name: 'emulator restart (state file)',
    clones: CLONES,
    prefix: 'RestartIce',
    stack: { trainingMs: 4_000, emulatorStateFile: true },
    disrupt: async (context) => {
      await waitForSubmitted(context.stack, context.clones, CLONES / 2);
      // The call log lives in memory: refuse every call (503, not carried out) before reading it, so that no submit
      // is carried out between the read and the close and then missing from the duplicate count. The restarted
      // emulator starts without this fault.
      await context.stack.emulator.admin.setFaults({ operations: { '*': { serverError: { rate: 1 } } } });
      const earlierCalls = await context.stack.emulator.admin.calls();
      await context.stack.restartEmulator(1_000);
      return { earlierCalls };
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});
