/**
 * Callbacks misbehaving: all dropped; duplicated and reordered (with the emulator reporting CosyVoice jobs as Type
 * `Standard`, so the receiver tries the Standard clone before the CosyVoice one); delayed until after the poll has
 * finished the clone; forged (signed with the right key, lying body). Each, for Basic, Standard and CosyVoice clones
 * alike: every clone ends right, ICE gets one job per voice, no secret in any history.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EMULATOR_VOICE_JOB_EVENT_TYPE } from '../../src/ice/types';
import { signIceCallback } from '../../src/ice/callback-auth';
import type { ScenarioOutcome } from './support/clones';
import { clonesOf, submittedJobs, waitForSubmitted } from './support/clones';
import type { FaultStack } from './support/fault-stack';
import { assertScenario, FAULT_TIMING, runScenario } from './support/scenario';
import { formatFaultTable } from './support/table';

const CLONES = 30;
const rows: ScenarioOutcome[] = [];
after(() => console.log(`\n${formatFaultTable(rows)}\n`));

/** Long enough that only a callback can finish the clone in these scenarios. */
const CALLBACK_ONLY_TIMING = { ...FAULT_TIMING, callbackTimeout: '2 minutes' };

test('all callbacks dropped: every clone completes through polling', async () => {
  const outcome = await runScenario({
    name: 'all callbacks dropped',
    clones: CLONES,
    prefix: 'Dropped',
    stack: { trainingMs: 2_000, faults: { callbacks: { drop: { rate: 1 } } } },
    expectVia: ['poll'],
  });
  rows.push(outcome);
  assertScenario(outcome);
});

test('callbacks duplicated and reordered, CosyVoice jobs typed Standard: every clone completes once, via its callback', async () => {
  let flusher: NodeJS.Timeout | undefined;
  const outcome = await runScenario({
    name: 'callbacks duplicated + reordered, CosyVoice as Type Standard',
    clones: CLONES,
    prefix: 'Duplicated',
    // ASSUMPTION (docs/ice-api.md#editions): ICE may report CosyVoice jobs as Type Standard; the receiver then
    // signals the Standard clone of the VoiceName first, then the CosyVoice one.
    stack: {
      trainingMs: 2_000,
      faults: { callbacks: { duplicate: { rate: 1 }, reorderBatch: 4 } },
      cosyVoiceJobType: 'Standard',
    },
    timing: CALLBACK_ONLY_TIMING,
    expectVia: ['callback'],
    disrupt: async ({ stack }) => {
      // A last batch smaller than reorderBatch is held until a flush.
      flusher = setInterval(() => void stack.emulator.admin.flushCallbacks().catch(() => undefined), 3_000);
    },
    afterwards: async ({ stack, clones }) => {
      clearInterval(flusher);
      // The CosyVoice clones finished by callback although ICE called their jobs Standard.
      const jobs = await submittedJobs(stack, clonesOf(clones, 'cosyvoice'));
      for (const job of jobs.values()) {
        const read = await stack.ice.getCustomizedVoiceJob({ jobId: job.jobId });
        assert.equal(read.customizedVoiceJob.type, 'Standard', `CosyVoice job ${job.jobId} reports Type Standard`);
      }
      assert.equal(jobs.size, CLONES / 3, 'every CosyVoice clone has its job');
      const deliveries = await stack.emulator.admin.callbacks();
      assert.ok(
        deliveries.filter((d) => d.outcome === 'delivered').length >= CLONES * 2,
        'every callback arrived twice',
      );
    },
  });
  clearInterval(flusher);
  rows.push(outcome);
  assertScenario(outcome);
});

test('callbacks delayed past the poll: clones complete via poll, the late callbacks are answered 200', async () => {
  const outcome = await runScenario({
    name: 'callbacks delayed past the poll',
    clones: CLONES,
    prefix: 'Delayed',
    stack: { trainingMs: 2_000, faults: { callbacks: { delayMs: 8_000 } } },
    timing: { ...FAULT_TIMING, callbackTimeout: '1s', pollInterval: '500ms', maxPollInterval: '1s' },
    expectVia: ['poll'],
    afterwards: async ({ stack, clones }) => {
      // Callbacks name the job's VoiceId (for Standard and CosyVoice the one ICE assigned) and its JobId.
      const jobIds = [...(await submittedJobs(stack, clones)).values()].map((job) => job.jobId);
      assert.equal(jobIds.length, clones.length, 'every clone has its job');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const deliveries = await stack.emulator.admin.callbacks();
        const answered = new Set(deliveries.filter((d) => d.outcome === 'delivered').map((d) => d.jobId));
        if (jobIds.every((jobId) => answered.has(jobId))) break;
        assert.ok(
          !deliveries.some((d) => d.outcome === 'gave-up'),
          'a late callback for a finished clone was refused until ICE gave up',
        );
        assert.ok(Date.now() < deadline, `late callbacks not all answered: ${answered.size}/${jobIds.length}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});

async function sendForgedCallback(stack: FaultStack, body: Record<string, unknown>): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(stack.callbackUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-ice-timestamp': String(timestamp),
      'x-ice-signature': signIceCallback(stack.callbackUrl, timestamp, stack.callbackAuthKey),
    },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

test('forged callbacks (valid signature, lying body) while training: no clone ends before ICE says so', async () => {
  const outcome = await runScenario({
    name: 'forged callbacks (signed, lying body)',
    clones: CLONES,
    prefix: 'Forged',
    stack: { trainingMs: 8_000 },
    timing: CALLBACK_ONLY_TIMING,
    expectVia: ['callback'],
    disrupt: async ({ stack, clones }) => {
      await waitForSubmitted(stack, clones, CLONES);
      for (const job of (await submittedJobs(stack, clones)).values()) {
        for (const status of ['Success', 'Fail']) {
          await sendForgedCallback(stack, {
            EventType: EMULATOR_VOICE_JOB_EVENT_TYPE,
            UserId: 1234567890123456,
            EventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            MessageBody: { JobId: job.jobId, VoiceId: job.voiceId, Status: status, Message: 'forged' },
          });
        }
      }
      // The forged callbacks were confirmed against ICE: every clone must still be running.
      for (const clone of clones) {
        const description = await stack.client.workflow.getHandle(clone.workflowId).describe();
        const job = (await submittedJobs(stack, [clone])).get(clone.workflowId);
        if (job?.finishedAt === undefined)
          assert.equal(description.status.name, 'RUNNING', `${clone.name} believed a forged callback`);
      }
    },
    afterwards: async ({ stack, clones }) => {
      const jobs = await submittedJobs(stack, clones);
      for (const clone of clones) {
        const job = jobs.get(clone.workflowId);
        const description = await stack.client.workflow.getHandle(clone.workflowId).describe();
        assert.ok(job?.finishedAt, `${clone.name}: job never finished`);
        assert.ok(
          (description.closeTime?.getTime() ?? 0) >= Date.parse(job.finishedAt),
          `${clone.name} closed before its training ended`,
        );
      }
    },
  });
  rows.push(outcome);
  assertScenario(outcome);
});
