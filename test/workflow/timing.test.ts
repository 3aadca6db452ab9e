/**
 * Timing logic with the default timings (10 min callback timeout, 30 s → 5 min polling, 24 h training timeout) on
 * the time-skipping test server, in seconds of wall time: the lost callback falls back to polling, a callback
 * still wins while polling, and a training that never ends times out after 24 h with a small history.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startVoiceClone } from '../../src/client';
import { EMULATOR_VOICE_JOB_EVENT_TYPE } from '../../src/ice/types';
import { iceCallbackSignal, statusQuery } from '../../src/workflows/definitions';
import { createVoice, newVoiceId, recordings, waitForStatus } from './support';
import { startTestHarness, type TestHarness } from '../support/harness';

const NEVER_MS = 30 * 24 * 60 * 60 * 1000;
/** Temporal's documented warning threshold is 10,000 events; a day of polling must stay far below it. */
const EVENT_BUDGET = 100;

describe('clone timing on the time-skipping server (default timings)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'timing', worker: true, server: 'time-skipping' });
  });
  beforeEach(async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 300 });
  });
  after(async () => {
    await stack?.close();
  });

  test('no callback: after 10 minutes polling finds the trained voice', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 0 }); // real time does not skip: end training at once
    const voiceId = newVoiceId('Skip');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2) },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.completedVia, 'poll');
    assert.equal(result.statusChecks, 1);
    const description = await handle.describe();
    const elapsedMs = (description.closeTime?.getTime() ?? 0) - description.startTime.getTime();
    assert.ok(elapsedMs >= 10 * 60 * 1000, `workflow time ${elapsedMs} ms covers the 10 min callback timeout`);
  });

  test('a callback that arrives while polling cancels the poll and completes after confirmation', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: NEVER_MS });
    const voiceId = newVoiceId('PollThenCallback');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1) },
      { taskQueue: stack.taskQueue },
    );
    await waitForStatus(handle, (status) => status.stage === 'AwaitingCallback');
    await stack.env.sleep('12 minutes');
    const polling = await waitForStatus(handle, (status) => status.stage === 'Polling');
    assert.ok(polling.jobId);
    await stack.emulator.admin.finishJob(polling.jobId, { status: 'Success' });
    await handle.signal(iceCallbackSignal, {
      EventType: EMULATOR_VOICE_JOB_EVENT_TYPE,
      UserId: 1234567890123456,
      EventTime: new Date().toISOString(),
      MessageBody: { JobId: polling.jobId, VoiceId: voiceId, Status: 'Success' },
    });
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    const history = await handle.fetchHistory();
    const cancelled = (history.events ?? []).filter((event) => event.activityTaskCancelRequestedEventAttributes);
    assert.equal(cancelled.length, 1, 'the running poll was cancelled');
  });

  test(`training that never ends → TrainingTimedOut after 24 h, under ${EVENT_BUDGET} history events`, async (t) => {
    await stack.emulator.admin.updateSettings({ trainingMs: NEVER_MS });
    const voiceId = newVoiceId('Forever');
    await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.clearCalls();
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1) },
      { taskQueue: stack.taskQueue },
    );
    const error = await handle.result().then(
      () => assert.fail('training never ends, the clone must time out'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, 'TrainingTimedOut');

    const history = await handle.fetchHistory();
    const events = history.events?.length ?? 0;
    assert.ok(events < EVENT_BUDGET, `history has ${events} events`);

    const status = await handle.query(statusQuery);
    const reads = (await stack.emulator.admin.calls()).filter((call) => call.action === 'GetCustomizedVoiceJob');
    // ~24 h of reads backing off to one per 5 minutes: hundreds of reads, a constant number of events.
    assert.ok(reads.length > 250, `${reads.length} status reads`);
    assert.equal(status.statusChecks, reads.length, 'every read is counted');
    t.diagnostic(`24 h of polling: ${reads.length} GetCustomizedVoiceJob reads, ${events} history events`);
    assert.equal(status.stage, 'Failed');
    const description = await handle.describe();
    const elapsedMs = (description.closeTime?.getTime() ?? 0) - description.startTime.getTime();
    assert.ok(elapsedMs >= 24 * 60 * 60 * 1000, `workflow time ${elapsedMs} ms`);
  });

  test('a Status this package does not know never ends a clone: trained, but read as "Queued" for 24 h', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 0 });
    const voiceId = newVoiceId('QueuedDay');
    await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId, status: 'Queued', reads: 100_000 }] });
    try {
      const handle = await startVoiceClone(
        stack.client,
        { voiceId, recordings: recordings(voiceId, 1) },
        { taskQueue: stack.taskQueue },
      );
      const error = await handle.result().then(
        () => assert.fail('an unknown Status is not Success'),
        (thrown: unknown) => thrown,
      );
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure);
      assert.equal(error.cause.type, 'TrainingTimedOut');
      assert.match(error.cause.message, /last status Queued/);
      const events = (await handle.fetchHistory()).events?.length ?? 0;
      assert.ok(events < EVENT_BUDGET, `history has ${events} events`);
      assert.equal((await handle.query(statusQuery)).lastIceStatus, 'Queued');
    } finally {
      await stack.emulator.admin.setFaults({});
    }
  });
});
