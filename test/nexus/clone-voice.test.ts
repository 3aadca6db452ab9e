/**
 * The package's Nexus service on a real dev server with the emulator: a caller workflow in a second namespace
 * clones a voice through a Nexus endpoint that targets the package's worker (the plugin serves the service). The
 * result and the clone's typed failures reach the caller; a second call for the same voice attaches to the clone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { NexusOperationFailure } from '@temporalio/common';
import { TRAINING_FAILED_MESSAGE } from '../../src/emulator';
import type { NexusCaller } from '../../src/testing';
import { voiceCloneWorkflowId, type VoiceCloneInput } from '../../src/workflows/definitions';
import { voiceCloneFailureOf } from '../../src/workflows/public';
import { startTestHarness, TEST_TIMINGS, type TestHarness } from '../support/harness';
import { createVoice, jobOf, newVoiceId, recordings, waitForStatus } from '../workflow/support';
import type {
  cloneBatchThroughNexus,
  cloneOutcomeThroughNexus,
  cloneThroughNexus,
  dubWithClonedVoiceWorkflow,
} from './fixtures/caller-workflows';

const CALLER_WORKFLOWS = path.resolve(__dirname, 'fixtures/caller-workflows.ts');
/** No receiver here: the clone finds the result by polling soon. */
const TIMING = TEST_TIMINGS.pollSoon;

describe('voiceCloneNexusService from another namespace (dev server + emulator)', () => {
  let stack: TestHarness;
  let caller: NexusCaller;

  before(async () => {
    stack = await startTestHarness({ name: 'nexus-clone-voice', worker: true });
    caller = await stack.startNexusCaller({ workflowsPath: CALLER_WORKFLOWS });
  });

  after(() => stack?.close());

  function startCaller(workflowId: string, input: VoiceCloneInput) {
    return caller.client.workflow.start<typeof cloneThroughNexus>('cloneThroughNexus', {
      workflowId,
      taskQueue: caller.taskQueue,
      args: [caller.endpoint, input],
    });
  }

  function callerOutcome(workflowId: string, input: unknown) {
    return caller.client.workflow.execute<typeof cloneOutcomeThroughNexus>('cloneOutcomeThroughNexus', {
      workflowId,
      taskQueue: caller.taskQueue,
      args: [caller.endpoint, input as VoiceCloneInput],
    });
  }

  async function createdVoice(prefix: string): Promise<{ voiceId: string; input: VoiceCloneInput }> {
    const voiceId = newVoiceId(prefix);
    await createVoice(stack.ice, voiceId);
    return { voiceId, input: { voiceId, recordings: recordings(voiceId, 2), timing: TIMING } };
  }

  test('the clone runs in the service namespace under its usual ID; its result reaches the caller', async () => {
    const { voiceId, input } = await createdVoice('NexusOk');
    const result = await (await startCaller(`caller-${voiceId}`, input)).result();
    assert.equal(result.status, 'Success');
    assert.equal(result.voiceId, voiceId);
    assert.equal(result.jobId, (await jobOf(stack.emulator, voiceId)).jobId);
    const clone = await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).describe();
    assert.equal(clone.status.name, 'COMPLETED');
    assert.equal(clone.taskQueue, stack.taskQueue);
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
  });

  test('TrainingFailed reaches the caller with its type, under the NexusOperationFailure', async () => {
    const { voiceId, input } = await createdVoice('FailTrainNexus');
    const thrown = await (await startCaller(`caller-${voiceId}`, input)).result().catch((error: unknown) => error);
    assert.ok(thrown instanceof WorkflowFailedError && thrown.cause instanceof NexusOperationFailure, String(thrown));
    assert.equal(thrown.cause.operation, 'cloneVoice');
    const cloneFailure = voiceCloneFailureOf(thrown);
    assert.equal(cloneFailure?.type, 'TrainingFailed');
    assert.ok(cloneFailure?.message.includes(TRAINING_FAILED_MESSAGE), cloneFailure?.message);
    // The caller workflow itself can branch on it (the helper runs in its sandbox).
    const { voiceId: other, input: otherInput } = await createdVoice('FailTrainNexus');
    const outcome = await callerOutcome(`caller-${other}`, otherInput);
    assert.deepEqual(outcome.ok ? 'succeeded' : outcome.type, 'TrainingFailed');
  });

  test('a bad input fails InvalidInput at the edge: no clone workflow, no ICE call', async () => {
    const voiceId = newVoiceId('NexusBad');
    const input = { voiceId, recordings: recordings(voiceId, 1), timing: { pollInterval: 'soon' } };
    const outcome = await callerOutcome(`caller-${voiceId}`, input);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.type, 'InvalidInput');
    assert.match(!outcome.ok ? outcome.message : '', /timing\.pollInterval/);
    await assert.rejects(
      stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).describe(),
      WorkflowNotFoundError,
    );
    assert.deepEqual(
      (await stack.emulator.admin.calls()).filter((call) => call.params.VoiceId === voiceId),
      [],
      'no ICE call names the voice',
    );
  });

  test('a second call for the same voice attaches to the running clone: one run, one submit', async () => {
    const { voiceId, input } = await createdVoice('NexusTwice');
    await stack.emulator.admin.updateSettings({ trainingMs: 3_000 });
    try {
      const first = await startCaller(`caller-a-${voiceId}`, input);
      const clone = stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId));
      await waitForStatus(clone, (status) => status.jobId !== undefined);
      const second = await startCaller(`caller-b-${voiceId}`, input);
      const [a, b] = await Promise.all([first.result(), second.result()]);
      assert.deepEqual(a, b);
      assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
      const runs = [];
      for await (const run of stack.client.workflow.list({
        query: `WorkflowId = '${voiceCloneWorkflowId(voiceId)}'`,
      })) {
        runs.push(run.runId);
      }
      assert.equal(runs.length, 1);
      // Both operations' completion callbacks hang on the one run.
      assert.equal((await clone.describe()).raw.callbacks?.length, 2);
    } finally {
      await stack.emulator.admin.updateSettings({ trainingMs: 300 });
    }
  });

  test('cloneVoices runs a batch: each voice a clone under its usual ID, the report reaches the caller', async () => {
    const ok = await createdVoice('NexusBatchOk');
    const failing = await createdVoice('FailTrainNexusBatch');
    const report = await caller.client.workflow.execute<typeof cloneBatchThroughNexus>('cloneBatchThroughNexus', {
      workflowId: `caller-batch-${ok.voiceId}`,
      taskQueue: caller.taskQueue,
      args: [caller.endpoint, { clones: [ok.input, failing.input], maxConcurrent: 2 }],
    });
    assert.deepEqual([report.total, report.succeeded, report.failed], [2, 1, 1]);
    assert.equal(report.clones[0].workflowId, voiceCloneWorkflowId(ok.voiceId));
    assert.equal(report.clones[0].result?.voiceId, ok.voiceId);
    assert.equal(report.clones[1].failure?.type, 'TrainingFailed');
    // A batch that breaks a rule is refused at the edge, with the clone's InvalidInput type.
    const refused = await caller.client.workflow
      .execute<typeof cloneBatchThroughNexus>('cloneBatchThroughNexus', {
        workflowId: `caller-batch-empty-${ok.voiceId}`,
        taskQueue: caller.taskQueue,
        args: [caller.endpoint, { clones: [] }],
      })
      .catch((error: unknown) => error);
    assert.equal(voiceCloneFailureOf(refused)?.type, 'InvalidInput');
    assert.match(voiceCloneFailureOf(refused)?.message ?? '', /^clones: /);
  });

  test("the README's caller workflow (examples/nexus-caller.ts) goes on with the voice, or asks for new recordings", async () => {
    const ok = await createdVoice('NexusDub');
    const failing = await createdVoice('FailTrainNexusDub');
    const dub = (voice: VoiceCloneInput, episodeId: string) =>
      caller.client.workflow.execute<typeof dubWithClonedVoiceWorkflow>('dubWithClonedVoiceWorkflow', {
        workflowId: `dub-${episodeId}`,
        taskQueue: caller.taskQueue,
        args: [{ episodeId, voice, endpoint: caller.endpoint }],
      });
    const plan = await dub(ok.input, ok.voiceId);
    assert.deepEqual(plan, {
      episodeId: ok.voiceId,
      voiceId: ok.voiceId,
      jobId: (await jobOf(stack.emulator, ok.voiceId)).jobId,
    });
    const retry = await dub(failing.input, failing.voiceId);
    assert.ok('needsNewRecordings' in retry && retry.needsNewRecordings.includes(TRAINING_FAILED_MESSAGE));
  });
});
