/**
 * Crashes and restarts mid-run: the worker killed with SIGKILL (a new worker finishes), the dev server restarted
 * on its persisted database, the emulator restarted on its persisted state. Each: every clone succeeds, ICE gets
 * one job per voice, no secret in any history.
 */
import { after, test } from 'node:test';
import type { ScenarioOutcome } from './support/clones';
import { waitForSubmitted } from './support/clones';
import { assertScenario, FAULT_TIMING, runScenario } from './support/scenario';
import { formatFaultTable } from './support/table';

const CLONES = 30;
const rows: ScenarioOutcome[] = [];
after(() => console.log(`\n${formatFaultTable(rows)}\n`));

test('worker killed with SIGKILL mid-training: a new worker finishes every clone', async () => {
  const outcome = await runScenario({
    name: 'worker SIGKILL mid-training',
    clones: CLONES,
    prefix: 'KillWorker',
    stack: { trainingMs: 8_000 },
    timing: FAULT_TIMING,
    expectVia: ['callback', 'poll'],
    disrupt: async (context) => {
      // Every clone submitted and training: no ICE activity in flight, so the kill tests recovery of waiting
      // clones. (A kill mid-submit costs the submit activity's whole startToCloseTimeout before the retry.)
      await waitForSubmitted(context.stack, context.voiceIds, CLONES);
      await context.worker.kill();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      context.worker = await context.stack.startWorker();
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});

test('worker killed with SIGKILL while submits are in flight: no voice is trained twice', async () => {
  const outcome = await runScenario({
    name: 'worker SIGKILL mid-submit',
    clones: CLONES,
    prefix: 'KillSubmit',
    stack: { trainingMs: 4_000 },
    timing: FAULT_TIMING,
    expectVia: ['callback', 'poll'],
    // A submit cut off by the kill waits out its 30 s startToCloseTimeout, then its retry looks the voice up first.
    timeoutMs: 180_000,
    disrupt: async (context) => {
      // Slow submits (ICE answers 1.5 s after it accepted the job), so that the kill lands on some in flight.
      await context.stack.emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { latencyMs: 1_500 } } });
      await waitForSubmitted(context.stack, context.voiceIds, CLONES / 3);
      await context.worker.kill();
      await context.stack.emulator.admin.setFaults({});
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      context.worker = await context.stack.startWorker();
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
    timing: FAULT_TIMING,
    expectVia: ['callback', 'poll'],
    disrupt: async (context) => {
      await waitForSubmitted(context.stack, context.voiceIds, CLONES / 2);
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
    timing: FAULT_TIMING,
    expectVia: ['callback', 'poll'],
    disrupt: async (context) => {
      await waitForSubmitted(context.stack, context.voiceIds, CLONES / 2);
      const earlierCalls = await context.stack.emulator.admin.calls();
      await context.stack.restartEmulator(1_000);
      return { earlierCalls };
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});
