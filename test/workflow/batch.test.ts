/**
 * The batch workflow end to end on a real dev server with the real emulator: the batch of 8 (one invalid
 * entry, one training that fails, one voice already being cloned by its own run) in a window of 3, duplicates
 * refused, and a CosyVoice quota refusal failing one clone only. No callback receiver runs here: each clone waits
 * `callbackTimeout` and finds its result by polling, which keeps every clone's length under the test's control.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { InvalidVoiceCloneInputError, startVoiceClone, startVoiceCloneBatch } from '../../src/client';
import { COSYVOICE_QUOTA_CODE, type EmulatedVoiceJob } from '../../src/emulator';
import {
  batchProgressQuery,
  VOICE_CLONE_BATCH_WORKFLOW_TYPE,
  type VoiceCloneBatchProgress,
} from '../../src/workflows/batch-definitions';
import { batchSearchAttributes, type VoiceCloneInput } from '../../src/workflows/definitions';
import { createVoice, fillCosyVoiceQuota, newVoiceId, recordings } from './support';
import { cosyVoiceInput, newVoiceName } from './editions-support';
import { assertWorkflowFailed, startTestHarness, TEST_TIMINGS, type TestHarness } from '../support/harness';

const QUICK = TEST_TIMINGS.pollSoon;

/** The most jobs training at one moment, from the emulator's submit and finish times. */
function mostAtOnce(jobs: EmulatedVoiceJob[]): number {
  const edges = jobs.flatMap((job) => [
    { at: Date.parse(job.submittedAt ?? ''), step: 1 },
    { at: Date.parse(job.finishedAt ?? ''), step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.step));
  return most;
}

/**
 * The most clones the batch held open at one moment, from its history: a child from its start command to its close,
 * a voice it awaits from the activity's schedule to its end.
 */
function mostOpenInHistory(events: temporal.api.history.v1.IHistoryEvent[]): number {
  let open = 0;
  let most = 0;
  for (const event of events) {
    if (event.startChildWorkflowExecutionInitiatedEventAttributes || event.activityTaskScheduledEventAttributes) open++;
    const closed =
      event.startChildWorkflowExecutionFailedEventAttributes ??
      event.childWorkflowExecutionCompletedEventAttributes ??
      event.childWorkflowExecutionFailedEventAttributes ??
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes;
    if (closed) open--;
    most = Math.max(most, open);
  }
  return most;
}

/** Polls `batchProgress` until it shows a running clone (the query is the API being tested). */
async function progressWhileRunning(handle: WorkflowHandle): Promise<VoiceCloneBatchProgress> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const progress = await handle.query(batchProgressQuery).catch(() => undefined);
    if (progress && progress.running > 0) return progress;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('batchProgress never showed a running clone');
}

describe('voice clone batch (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'batch', worker: true });
  });
  after(() => stack?.close());

  async function basicVoice(prefix: string): Promise<VoiceCloneInput> {
    const voiceId = newVoiceId(prefix);
    await createVoice(stack.ice, voiceId);
    return { voiceId, recordings: recordings(voiceId, 2), timing: QUICK };
  }

  test('8 clones, 3 at once: 6 Succeeded, TrainingFailed and InvalidInput in input order, one submit per voice', async () => {
    // Index 1 is already being cloned by its own run, which waits 5 s for a callback that never comes.
    const alreadyRunning = await basicVoice('Running');
    const ownRun = await startVoiceClone(
      stack.client,
      { ...alreadyRunning, timing: { ...QUICK, callbackTimeout: '5 seconds' } },
      { taskQueue: stack.taskQueue },
    );
    const clones: VoiceCloneInput[] = [
      await basicVoice('Batch'),
      alreadyRunning,
      await basicVoice('Batch'),
      { voiceId: 'not a voice id!', timing: QUICK },
      await basicVoice('Batch'),
      await basicVoice('FailTrain'),
      await basicVoice('Batch'),
      await basicVoice('Batch'),
    ];
    const handle = await startVoiceCloneBatch(
      stack.client,
      { clones, maxConcurrent: 3 },
      { taskQueue: stack.taskQueue },
    );
    const progress = await progressWhileRunning(handle);
    assert.equal(progress.total, 8);
    assert.ok(progress.running <= 3, JSON.stringify(progress));
    assert.equal(progress.pending + progress.running + progress.succeeded + progress.failed, 8);

    const report = await handle.result();
    assert.equal(report.total, 8);
    assert.equal(report.succeeded, 6);
    assert.equal(report.failed, 2);
    assert.deepEqual(
      report.clones.map((entry) => [entry.index, entry.status, entry.failure?.type]),
      [
        [0, 'Succeeded', undefined],
        [1, 'Succeeded', undefined],
        [2, 'Succeeded', undefined],
        [3, 'Failed', 'InvalidInput'],
        [4, 'Succeeded', undefined],
        [5, 'Failed', 'TrainingFailed'],
        [6, 'Succeeded', undefined],
        [7, 'Succeeded', undefined],
      ],
    );
    assert.match(report.clones[3]?.failure?.message ?? '', /clones\[3\]\.voiceId: /);
    assert.equal(report.clones[3]?.workflowId, 'voice-clone-not a voice id!');
    const attached = report.clones[1];
    assert.equal(attached?.workflowId, ownRun.workflowId);
    // The report drops `detection` (it stays in the clone's own result): the report stays bounded.
    const { detection, ...ownResult } = await ownRun.result();
    assert.equal(detection?.length, 2);
    assert.deepEqual(attached?.result, ownResult);

    const voiceIds = clones.filter((_, index) => index !== 3).map((clone) => (clone as { voiceId: string }).voiceId);
    const jobs = (await stack.emulator.admin.jobs()).filter((job) => voiceIds.includes(job.voiceId));
    assert.equal(jobs.length, 7);
    assert.deepEqual(
      jobs.map((job) => job.submitCount),
      [1, 1, 1, 1, 1, 1, 1],
      'one submit per voice',
    );
    assert.ok(mostAtOnce(jobs) <= 3, `at most 3 trainings at once, saw ${mostAtOnce(jobs)}`);
    const invalidCalls = (await stack.emulator.admin.calls()).filter(
      (call) => call.params.VoiceId === 'not a voice id!',
    );
    assert.deepEqual(invalidCalls, [], 'no ICE call for the invalid entry');

    // The voice already running was awaited, not started a second time.
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(mostOpenInHistory(events), 3, 'the window of 3 was full, never more');
    const childStarts = events.filter((event) => event.startChildWorkflowExecutionInitiatedEventAttributes);
    assert.equal(childStarts.length, 7);
    assert.equal(events.filter((event) => event.startChildWorkflowExecutionFailedEventAttributes).length, 1);
    const ownRunDescription = await ownRun.describe();
    assert.equal(ownRunDescription.runId, ownRun.firstExecutionRunId);

    const child = await stack.client.workflow.getHandle(report.clones[0]?.workflowId ?? '').describe();
    assert.equal(child.priority?.fairnessKey, handle.workflowId);
    // On the batch's task queue: under that worker's maxTaskQueueActivitiesPerSecond, like any clone.
    assert.equal(child.taskQueue, stack.taskQueue);
    const description = await handle.describe();
    assert.equal(
      description.typedSearchAttributes.get(batchSearchAttributes.voiceCloneBatchProgress),
      '8/8 done, 2 failed',
    );
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /Voice clone batch.*8\/8 done/);
  });

  test('two entries for one voice refuse the whole batch before anything starts, naming both indexes', async () => {
    const one = await basicVoice('Twice');
    const other = await basicVoice('Once');
    const input = { clones: [one, other, { ...one, timing: TEST_TIMINGS.fast }], maxConcurrent: 2 };
    await assert.rejects(
      startVoiceCloneBatch(stack.client, input, { taskQueue: stack.taskQueue }),
      (error: unknown) =>
        error instanceof InvalidVoiceCloneInputError &&
        error.field === 'clones[0], clones[2]' &&
        /same voice/.test(error.rule),
    );
    // The workflow refuses it too (a caller that starts it without the helper).
    const handle = await stack.client.workflow.start(VOICE_CLONE_BATCH_WORKFLOW_TYPE, {
      workflowId: `batch-duplicates-${one.voiceId as string}`,
      taskQueue: stack.taskQueue,
      args: [input],
    });
    const failure = await assertWorkflowFailed(handle.result());
    assert.equal(failure.type, 'InvalidInput');
    assert.match(failure.message, /clones\[0\], clones\[2\]/);
    const calls = (await stack.emulator.admin.calls()).filter(
      (call) => call.params.VoiceId === one.voiceId || call.params.VoiceId === other.voiceId,
    );
    assert.deepEqual(
      calls.map((call) => call.action),
      ['CreateCustomizedVoiceJob', 'CreateCustomizedVoiceJob'],
      'nothing started',
    );
  });

  test('the client helper checks maxConcurrent, clones and fairnessKey before any call', async () => {
    const one = await basicVoice('Edge');
    const cases: [string, object][] = [
      ['maxConcurrent', { clones: [one], maxConcurrent: 0 }],
      ['maxConcurrent', { clones: [one], maxConcurrent: 1001 }],
      ['clones', { clones: [] }],
      ['fairnessKey', { clones: [one], fairnessKey: 'x'.repeat(65) }],
      ['clones', { clones: Array.from({ length: 10_000 }, () => ({ ...one, voiceId: 'x'.repeat(200) })) }],
    ];
    for (const [field, input] of cases) {
      await assert.rejects(
        startVoiceCloneBatch(stack.client, input as never, { taskQueue: stack.taskQueue }),
        (error: unknown) => error instanceof InvalidVoiceCloneInputError && error.field === field,
      );
    }
  });

  // Last: it fills the account's CosyVoice quota, and resets the emulator afterwards.
  test("a CosyVoice submit refused for the quota fails that clone with ICE's Code; the batch goes on", async () => {
    try {
      await fillCosyVoiceQuota(stack.emulator, stack.ice);
      const clones = [cosyVoiceInput(newVoiceName('Over quota'), QUICK), await basicVoice('AfterQuota')];
      const handle = await startVoiceCloneBatch(stack.client, { clones }, { taskQueue: stack.taskQueue });
      const report = await handle.result();
      assert.deepEqual(
        report.clones.map((entry) => [entry.status, entry.failure?.type]),
        [
          ['Failed', COSYVOICE_QUOTA_CODE],
          ['Succeeded', undefined],
        ],
      );
      assert.match(report.clones[0]?.failure?.message ?? '', /RequestId/i);
    } finally {
      await stack.emulator.admin.reset();
    }
  });
});
