/**
 * What goes wrong in production, on a real dev server with the real emulator: an ambiguous submit, throttling
 * and 5xx storms, duplicate / early / forged / misaddressed callbacks (signalled directly: the signal is the API),
 * and a worker restarted mid-training. ICE callbacks are not configured here, so only the signals sent by the
 * tests wake the workflow.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startVoiceClone } from '../../src/client';
import { EMULATOR_VOICE_JOB_EVENT_TYPE, type IceCallbackEnvelope } from '../../src/ice/types';
import {
  iceCallbackSignal,
  statusQuery,
  VOICE_CLONE_WORKFLOW_TYPE,
  voiceCloneWorkflowId,
} from '../../src/workflows/definitions';
import type { voiceCloneWorkflow } from '../../src/workflows';
import {
  createVoice,
  FAST_TIMING,
  jobOf,
  newVoiceId,
  recordings,
  startCloneStack,
  waitForStatus,
  type CloneStack,
} from './support';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('voice clone under faults (dev server + emulator)', () => {
  let stack: CloneStack;

  before(async () => {
    stack = await startCloneStack();
  });
  beforeEach(async () => {
    await stack.emulator.admin.setFaults({});
    await stack.emulator.admin.updateSettings({ trainingMs: 300 });
  });
  after(async () => {
    await stack?.stop();
  });

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
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
    const faults = (await stack.emulator.admin.calls()).map((call) => call.fault).filter(Boolean);
    assert.ok(faults.filter((fault) => fault === 'throttle').length >= 3, `throttled: ${faults}`);
    assert.ok(faults.filter((fault) => fault === 'serverError').length >= 4, `5xx: ${faults}`);
  });

  test('a seeded random storm (25% throttling, 15% 503 on every call) → success with one submit', async () => {
    const voiceId = newVoiceId('RandomStorm');
    await createVoice(stack.ice, voiceId);
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
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
    assert.ok(
      (await stack.emulator.admin.calls()).some((call) => call.fault !== undefined),
      'faults fired',
    );
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
    const forged = callback(jobId, voiceId, 'Success');
    for (let i = 0; i < 3; i++) await handle.signal(iceCallbackSignal, forged);
    await waitForStatus(handle, (status) => status.callbacksReceived === 3 && status.statusChecks >= 1);
    await sleep(300);
    const settled = await handle.query(statusQuery);
    assert.equal(settled.statusChecks, 1, 'duplicates were coalesced into one read');
    assert.equal(settled.stage, 'AwaitingCallback');
    assert.ok(['PreTraining', 'Training'].includes(String(settled.lastIceStatus)));

    // A callback for another job and a body that is not ICE's shape: counted, no read, no crash.
    await handle.signal(iceCallbackSignal, callback('someone-elses-job', 'OtherVoice', 'Success'));
    await handle.signal(iceCallbackSignal, 'not a callback' as unknown as IceCallbackEnvelope);
    await waitForStatus(handle, (status) => status.callbacksReceived === 5);
    await sleep(300);
    assert.equal((await handle.query(statusQuery)).statusChecks, 1);

    // Training really ends; its callback is confirmed and completes the clone.
    await stack.emulator.admin.finishJob(jobId, { status: 'Success', message: 'trained' });
    await handle.signal(iceCallbackSignal, callback(jobId, voiceId, 'Success'));
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.statusChecks, 2);
    assert.equal(result.message, 'trained');
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
  });

  test('an early callback (before the JobId is known) is remembered and confirmed once the job is known', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 0 });
    const voiceId = newVoiceId('Early');
    const createdJobId = await createVoice(stack.ice, voiceId);
    // Delivered with the start, so the workflow has it before it has looked anything up.
    const handle = await stack.client.workflow.signalWithStart<typeof voiceCloneWorkflow, [IceCallbackEnvelope]>(
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
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
  });
});
