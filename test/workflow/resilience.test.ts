/**
 * What goes wrong in production, on a real dev server with the real emulator: an ambiguous submit, throttling
 * and 5xx storms, duplicate / early / forged / misaddressed callbacks (signalled directly: the signal is the API),
 * and a worker restarted mid-training. ICE callbacks are not configured here, so only the signals sent by the
 * tests wake the workflow.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startVoiceClone } from '../../src/client';
import type { RecordedCall } from '../../src/emulator';
import { EMULATOR_VOICE_JOB_EVENT_TYPE, type IceCallbackEnvelope } from '../../src/ice/types';
import {
  iceCallbackSignal,
  type IceCallbackSignalPayload,
  statusQuery,
  VOICE_CLONE_WORKFLOW_TYPE,
  voiceCloneWorkflowId,
} from '../../src/workflows/definitions';
import type { voiceCloneWorkflow } from '../../src/workflows';
import { createVoice, FAST_TIMING, jobOf, newVoiceId, recordings, waitForStatus } from './support';
import { startTestHarness, type TestHarness } from '../support/harness';

const POLL_SOON = { ...FAST_TIMING, callbackTimeout: '500 milliseconds' };
/** Only a callback can finish these within the test: polling would start after 10 minutes. */
const CALLBACK_ONLY = { ...FAST_TIMING, callbackTimeout: '10 minutes', trainingTimeout: '1 hour' };

function callback(jobId: string, voiceId: string, status: string, eventTime = new Date().toISOString()) {
  return {
    EventType: EMULATOR_VOICE_JOB_EVENT_TYPE,
    UserId: 1234567890123456,
    EventTime: eventTime,
    MessageBody: { JobId: jobId, VoiceId: voiceId, Status: status },
  } satisfies IceCallbackEnvelope;
}

const { EventType } = temporal.api.enums.v1;
const WORKFLOW_TASK_PENDING = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
]);

/**
 * Waits until the workflow has handled `signals` signals and has nothing left to do about them: every signal is in
 * its history and a workflow task completed after the last one, with none scheduled since. The reads a callback
 * starts run as local activities inside that task, so by then every read the signals caused has been made.
 */
async function settledAfterSignals(handle: WorkflowHandle, signals: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const types = events.map((event) => event.eventType);
    const signalIndexes = types.flatMap((type, index) =>
      type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED ? [index] : [],
    );
    const lastCompleted = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    if (
      signalIndexes.length >= signals &&
      lastCompleted > (signalIndexes.at(-1) ?? -1) &&
      !types.slice(lastCompleted + 1).some((type) => type != null && WORKFLOW_TASK_PENDING.has(type))
    ) {
      return;
    }
    if (Date.now() > deadline) throw new Error(`workflow not settled after ${signals} signals within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The calls one clone made since `afterSeq`: those naming its voice or its job, and the job-list lookups (which name
 * neither; the tests of this file run one at a time, so after `afterSeq` they are this clone's).
 */
function callsOfClone(
  calls: readonly RecordedCall[],
  afterSeq: number,
  voiceId: string,
  jobId: string,
): RecordedCall[] {
  return calls.filter(
    (call) =>
      call.seq > afterSeq &&
      (call.params.VoiceId === voiceId || call.params.JobId === jobId || call.action === 'ListCustomizedVoiceJobs'),
  );
}

/** Faults that fired, as "Action fault" → count. */
function faultTally(calls: readonly RecordedCall[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const call of calls) {
    if (call.fault !== undefined)
      tally[`${call.action} ${call.fault}`] = (tally[`${call.action} ${call.fault}`] ?? 0) + 1;
  }
  return tally;
}

describe('voice clone under faults (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'resilience', worker: true });
  });
  beforeEach(async () => {
    await stack.emulator.admin.setFaults({});
    await stack.emulator.admin.updateSettings({ trainingMs: 300 });
  });
  after(async () => {
    await stack?.close();
  });

  /** Submits of this voice that reached the emulator's business logic (a refused second submit counts too). */
  const performedSubmits = async (voiceId: string): Promise<number> =>
    (await stack.emulator.admin.calls()).filter(
      (call) => call.action === 'SubmitCustomizedVoiceJob' && call.performed && call.params.VoiceId === voiceId,
    ).length;
  const lastCallSeq = async (): Promise<number> => (await stack.emulator.admin.calls()).at(-1)?.seq ?? 0;
  /** GetCustomizedVoiceJob reads of this job that ICE answered. */
  const readsOf = async (jobId: string): Promise<number> =>
    (await stack.emulator.admin.calls()).filter(
      (call) => call.action === 'GetCustomizedVoiceJob' && call.performed && call.params.JobId === jobId,
    ).length;

  test('ambiguous submit (accepted, then the connection closed) → a lookup adopts the job, one ICE job', async () => {
    const voiceId = newVoiceId('Ambiguous');
    await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({
      operations: { SubmitCustomizedVoiceJob: { closeAfterAccept: { count: 1 } } },
    });
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: POLL_SOON },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    const job = await jobOf(stack.emulator, voiceId);
    assert.equal(job.submitCount, 1);
    assert.equal(result.jobId, job.jobId);
    const submits = (await stack.emulator.admin.calls()).filter(
      (call) => call.action === 'SubmitCustomizedVoiceJob' && call.params.VoiceId === voiceId,
    );
    assert.deepEqual(
      submits.map((call) => call.fault),
      ['closeAfterAccept'],
      'exactly one submit reached ICE, and its answer was lost',
    );
    assert.equal((await stack.emulator.admin.jobs()).filter((candidate) => candidate.voiceId === voiceId).length, 1);
  });

  test('throttling and 5xx on every operation → retried until success, still one submit', async () => {
    const voiceId = newVoiceId('Storm');
    await createVoice(stack.ice, voiceId);
    const mark = await lastCallSeq();
    await stack.emulator.admin.setFaults({
      operations: {
        DetectAudioForCustomizedVoiceJob: { throttle: { count: 2 } },
        ListCustomizedVoiceJobs: { serverError: { count: 2 } },
        SubmitCustomizedVoiceJob: { throttle: { count: 1 }, serverError: { count: 1 } },
        GetCustomizedVoiceJob: { serverError: { count: 2 }, throttle: { count: 1 } },
      },
    });
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 3), timing: POLL_SOON },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    assert.equal(await performedSubmits(voiceId), 1);
    // Every fault set above fired, on this clone's calls (not on another test's).
    assert.deepEqual(faultTally(callsOfClone(await stack.emulator.admin.calls(), mark, voiceId, result.jobId)), {
      'DetectAudioForCustomizedVoiceJob throttle': 2,
      'ListCustomizedVoiceJobs serverError': 2,
      'SubmitCustomizedVoiceJob throttle': 1,
      'SubmitCustomizedVoiceJob serverError': 1,
      'GetCustomizedVoiceJob throttle': 1,
      'GetCustomizedVoiceJob serverError': 2,
    });
  });

  test('a seeded random storm (25% throttling, 15% 503 on every call) → success with one submit', async () => {
    const voiceId = newVoiceId('RandomStorm');
    await createVoice(stack.ice, voiceId);
    const mark = await lastCallSeq();
    await stack.emulator.admin.setFaults({
      operations: { '*': { throttle: { rate: 0.25 }, serverError: { rate: 0.15 } } },
      seed: 20261124,
    });
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 5), timing: POLL_SOON },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    assert.equal(await performedSubmits(voiceId), 1);
    const fired = faultTally(callsOfClone(await stack.emulator.admin.calls(), mark, voiceId, result.jobId));
    assert.ok(Object.keys(fired).length > 0, "faults fired on this clone's calls");
  });

  test('forged, duplicate, misaddressed and garbage callbacks do no harm; a confirmed one completes', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 600_000 });
    const voiceId = newVoiceId('Forged');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1), timing: CALLBACK_ONLY },
      { taskQueue: stack.taskQueue },
    );
    const { jobId } = await waitForStatus(handle, (status) => status.stage === 'AwaitingCallback');
    assert.ok(jobId);

    // A forged "Success" for our job, delivered three times: one confirmation read, which says "still training".
    const readsBefore = await readsOf(jobId);
    const forged = callback(jobId, voiceId, 'Success');
    for (let i = 0; i < 3; i++) await handle.signal(iceCallbackSignal, forged);
    await settledAfterSignals(handle, 3);
    const settled = await handle.query(statusQuery);
    assert.equal(settled.callbacksReceived, 3);
    assert.equal(settled.statusChecks, 1, 'duplicates were coalesced into one read');
    assert.equal((await readsOf(jobId)) - readsBefore, 1, 'ICE was read once');
    assert.equal(settled.stage, 'AwaitingCallback');
    assert.ok(['PreTraining', 'Training'].includes(String(settled.lastIceStatus)));

    // A callback for another job and a body that is not ICE's shape: counted, no read, no crash.
    await handle.signal(iceCallbackSignal, callback('someone-elses-job', 'OtherVoice', 'Success'));
    await handle.signal(iceCallbackSignal, 'not a callback' as unknown as IceCallbackEnvelope);
    await settledAfterSignals(handle, 5);
    const afterOthers = await handle.query(statusQuery);
    assert.equal(afterOthers.callbacksReceived, 5);
    assert.equal(afterOthers.statusChecks, 1);
    assert.equal((await readsOf(jobId)) - readsBefore, 1, 'ICE was not read again');

    // Training really ends; its callback is confirmed and completes the clone.
    await stack.emulator.admin.finishJob(jobId, { status: 'Success', message: 'trained' });
    await handle.signal(iceCallbackSignal, callback(jobId, voiceId, 'Success'));
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.statusChecks, 2);
    assert.equal(result.message, 'trained');
    assert.equal(await performedSubmits(voiceId), 1);
  });

  test('an early callback (before the JobId is known) is remembered and confirmed once the job is known', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 0 });
    const voiceId = newVoiceId('Early');
    const createdJobId = await createVoice(stack.ice, voiceId);
    // Delivered with the start, so the workflow has it before it has looked anything up.
    const handle = await stack.client.workflow.signalWithStart<typeof voiceCloneWorkflow, [IceCallbackSignalPayload]>(
      VOICE_CLONE_WORKFLOW_TYPE,
      {
        workflowId: voiceCloneWorkflowId(voiceId),
        taskQueue: stack.taskQueue,
        args: [{ voiceId, recordings: recordings(voiceId, 1), timing: CALLBACK_ONLY }],
        signal: iceCallbackSignal,
        signalArgs: [callback(createdJobId, voiceId, 'Success')],
      },
    );
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.jobId, createdJobId, 'ASSUMPTION checked here: ICE keeps one JobId per voice');
    assert.equal(result.statusChecks, 1);
  });

  test('worker stopped mid-training, callback arrives while it is down → a new worker completes the same run', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 600_000 });
    const voiceId = newVoiceId('Restart');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: CALLBACK_ONLY },
      { taskQueue: stack.taskQueue },
    );
    const { jobId } = await waitForStatus(handle, (status) => status.stage === 'AwaitingCallback');
    assert.ok(jobId);
    const [first] = stack.workers();
    await first.stop();
    await stack.emulator.admin.finishJob(jobId, { status: 'Success' });
    await handle.signal(iceCallbackSignal, callback(jobId, voiceId, 'Success'));
    await stack.startWorker();
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal((await handle.describe()).runId, handle.firstExecutionRunId);
    assert.equal(await performedSubmits(voiceId), 1);
  });
});
