/**
 * The batch over time on a real dev server with the real emulator: continue-as-new (a small `clonesPerRun` so that
 * five clones take three runs) keeps every entry and result in input order with bounded history per run; a cancelled
 * batch starts no more clones, lets the running one finish, or with `cancelRunning` cancels it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { startVoiceCloneBatch } from '../../src/client';
import {
  batchProgressQuery,
  VOICE_CLONE_BATCH_WORKFLOW_TYPE,
  type VoiceCloneBatchInput,
  type VoiceCloneBatchRun,
} from '../../src/workflows/batch-definitions';
import { batchSearchAttributes, type VoiceCloneInput } from '../../src/workflows/definitions';
import type { voiceCloneBatchWorkflow } from '../../src/workflows/voice-clone-batch';
import { createVoice, newVoiceId, recordings } from './support';
import { startTestHarness, TEST_TIMINGS, type TestHarness } from '../support/harness';

/** Waits until `batchProgress` shows `running` clones. */
async function untilRunning(handle: WorkflowHandle, running: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const progress = await handle.query(batchProgressQuery).catch(() => undefined);
    if (progress?.running === running) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`batchProgress never showed ${running} running`);
}

describe('voice clone batch runs and cancel (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'batch-runs', worker: true });
  });
  after(() => stack?.close());

  async function basicVoices(count: number, callbackTimeout = '500 milliseconds'): Promise<VoiceCloneInput[]> {
    const voices: VoiceCloneInput[] = [];
    for (let index = 0; index < count; index++) {
      const voiceId = newVoiceId('Batch');
      await createVoice(stack.ice, voiceId);
      voices.push({
        voiceId,
        recordings: recordings(voiceId, 1),
        timing: { ...TEST_TIMINGS.pollSoon, callbackTimeout },
      });
    }
    return voices;
  }

  test('continues as new every clonesPerRun clones, keeping every entry and result in input order', async () => {
    const clones = await basicVoices(5);
    const input: VoiceCloneBatchInput = { clones, maxConcurrent: 2 };
    const firstRun: VoiceCloneBatchRun = { total: 5, firstIndex: 0, decided: [], clonesPerRun: 2 };
    const handle = await stack.client.workflow.start<typeof voiceCloneBatchWorkflow>(VOICE_CLONE_BATCH_WORKFLOW_TYPE, {
      workflowId: `batch-continue-${newVoiceId('Run')}`,
      taskQueue: stack.taskQueue,
      args: [input, firstRun],
    });
    const report = await handle.result();
    assert.deepEqual(
      report.clones.map((entry) => [entry.index, entry.status, entry.result?.voiceId]),
      clones.map((clone, index) => [index, 'Succeeded', (clone as { voiceId: string }).voiceId]),
    );
    assert.equal(report.succeeded, 5);

    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }))
      runs.push(run);
    assert.equal(runs.length, 3, 'two clones per run: three runs');
    for (const run of runs) {
      const history = await stack.client.workflow.getHandle(handle.workflowId, run.runId).fetchHistory();
      const events = history.events?.length ?? 0;
      // Measured: about a dozen events per clone (child start, started, closed, the workflow tasks between).
      assert.ok(events <= 2 * 15 + 20, `run ${run.runId} has ${events} events`);
    }
    const description = await handle.describe();
    assert.equal(
      description.typedSearchAttributes.get(batchSearchAttributes.voiceCloneBatchProgress),
      '5/5 done, 0 failed',
    );
  });

  test('cancelled: no more clones start, the running one finishes, the rest are NotStarted', async () => {
    const clones = await basicVoices(3, '3 seconds');
    const handle = await startVoiceCloneBatch(
      stack.client,
      { clones, maxConcurrent: 1 },
      { taskQueue: stack.taskQueue },
    );
    await untilRunning(handle, 1);
    await handle.cancel();
    const report = await handle.result();
    assert.deepEqual(
      report.clones.map((entry) => [entry.status, entry.failure?.type]),
      [
        ['Succeeded', undefined],
        ['Failed', 'NotStarted'],
        ['Failed', 'NotStarted'],
      ],
    );
    const voiceIds = clones.map((clone) => (clone as { voiceId: string }).voiceId);
    const submitted = (await stack.emulator.admin.jobs()).filter(
      (job) => voiceIds.includes(job.voiceId) && job.submitCount > 0,
    );
    assert.deepEqual(
      submitted.map((job) => job.voiceId),
      [voiceIds[0]],
    );
  });

  test('cancelled with cancelRunning: the running clone is cancelled too', async () => {
    const clones = await basicVoices(2, '30 seconds');
    const handle = await startVoiceCloneBatch(
      stack.client,
      { clones, maxConcurrent: 1, cancelRunning: true },
      { taskQueue: stack.taskQueue },
    );
    await untilRunning(handle, 1);
    await handle.cancel();
    const report = await handle.result();
    assert.deepEqual(
      report.clones.map((entry) => [entry.status, entry.failure?.type]),
      [
        ['Failed', 'Cancelled'],
        ['Failed', 'NotStarted'],
      ],
    );
    const child = await stack.client.workflow.getHandle(report.clones[0]?.workflowId ?? '').describe();
    assert.equal(child.status.name, 'CANCELLED');
  });
});
