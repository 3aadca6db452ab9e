/**
 * The recording session's clock on the time-skipping test server, with the default timings: a session nobody
 * submits fails `RecordingTimedOut` after 7 days (its recordings kept in the failure), and the demonstration
 * sentences are re-read from ICE once the copy held is older than 11 hours (ICE's DemoAudio URLs expire after 12).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startVoiceClone } from '../../src/client';
import { awaitSubmittedUpdate, demonstrationsUpdate } from '../../src/workflows/definitions';
import { newVoiceId, waitForStatus } from './support';
import { startTestHarness, type TestHarness } from '../support/harness';
import { addRecording, performedCalls, recordingOf, updateFailure } from './recording-session-support';

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

describe('recording session timing on the time-skipping server (default timings)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'recording-timeout', worker: true, server: 'time-skipping' });
  });
  after(async () => {
    await stack?.close();
  });

  const sessionOf = (voiceId: string) => ({ voiceId, voice: { gender: 'male', scenario: 'navigation' } }) as const;

  test('no submit within 7 days → RecordingTimedOut, with the recordings answered so far', async () => {
    const voiceId = newVoiceId('Unsubmitted');
    const handle = await startVoiceClone(stack.client, sessionOf(voiceId), { taskQueue: stack.taskQueue });
    assert.equal((await addRecording(handle, recordingOf(voiceId, 1))).pass, true);
    assert.equal((await addRecording(handle, recordingOf(voiceId, 2, { failing: true }))).pass, false);
    const waiting = handle.executeUpdate(awaitSubmittedUpdate);
    waiting.catch(() => undefined); // awaited below, after the result

    const error = await handle.result().then(
      () => assert.fail('the clone should have timed out'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
    assert.equal(error.cause.type, 'RecordingTimedOut');
    assert.match(error.cause.message, /was not submitted within 7 d: 1 recordings passed detection, 1 failed/);
    const [details] = error.cause.details as [{ detection: { audioRecordId: number; pass: boolean }[] }];
    assert.deepEqual(
      details.detection.map((d) => [d.audioRecordId, d.pass]),
      [
        [1, true],
        [2, false],
      ],
    );
    // The update waiting for the submit gets the clone's failure, not silence.
    const waited = await updateFailure(waiting);
    assert.equal(waited.type, 'RecordingTimedOut');
    const description = await handle.describe();
    const elapsedMs = (description.closeTime?.getTime() ?? 0) - description.startTime.getTime();
    assert.ok(elapsedMs >= SEVEN_DAYS_MS, `workflow time ${elapsedMs} ms covers the 7-day recording timeout`);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 0);
  });

  test('the sentences are re-read from ICE when the copy held is older than 11 hours, not before', async () => {
    const voiceId = newVoiceId('Sentences');
    const handle = await startVoiceClone(stack.client, sessionOf(voiceId), { taskQueue: stack.taskQueue });
    await waitForStatus(handle, (status) => status.stage === 'AwaitingRecordings');
    const reads = async () =>
      (await stack.emulator.admin.calls()).filter(
        (call) => call.action === 'GetDemonstrationForCustomizedVoiceJob' && call.params.Scenario === 'navigation',
      ).length;
    const first = await handle.executeUpdate(demonstrationsUpdate);
    assert.equal(first.length, 20);
    const readsAtStart = await reads();
    await stack.env.sleep('10 hours');
    await handle.executeUpdate(demonstrationsUpdate);
    assert.equal(await reads(), readsAtStart, 'a 10-hour-old copy is answered as held');
    await stack.env.sleep('2 hours');
    const fresh = await handle.executeUpdate(demonstrationsUpdate);
    assert.equal(fresh.length, 20);
    assert.equal(await reads(), readsAtStart + 1, 'a 12-hour-old copy is read again');
    await handle.terminate('test done');
  });
});
