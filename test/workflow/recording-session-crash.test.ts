/**
 * A worker process killed (SIGKILL) in the middle of a recording session loses no recording result: the results
 * live in workflow state rebuilt from history, so the next worker knows each answer without asking ICE again,
 * and an update sent while no worker runs is answered once one is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRecordingSession } from '../../src/client';
import { statusQuery } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { newVoiceId } from './support';
import { addRecording, performedCalls, recordingOf, sessionInput, submitTraining } from './recording-session-support';

describe('recording session across a worker crash (dev server, worker processes)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'recording-session-crash' });
  });
  after(async () => {
    await stack?.close();
  });

  test('SIGKILL of the worker mid-session: every answer kept, no detection repeated, the clone trains', async () => {
    const first = await stack.forkWorker({ name: 'first' });
    const voiceId = newVoiceId('Crash');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), { taskQueue: stack.taskQueue });
    const before: [number, boolean][] = [];
    for (const id of [1, 2, 3, 4, 5]) {
      const answer = await addRecording(handle, recordingOf(voiceId, id, { failing: id === 4 }));
      before.push([id, answer.pass]);
    }
    assert.deepEqual(before, [
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, true],
    ]);

    await first.kill();
    await first.exited;
    // Sent while no worker runs: Temporal holds it until a worker takes the workflow again.
    const late = addRecording(handle, recordingOf(voiceId, 6));
    await stack.forkWorker({ name: 'second' });
    assert.deepEqual(await late, { audioRecordId: 6, pass: true, reason: '' });

    const status = await handle.query(statusQuery);
    assert.deepEqual(
      status.recordings?.map((row) => [row.audioRecordId, row.state]),
      [
        [1, 'passed'],
        [2, 'passed'],
        [3, 'passed'],
        [4, 'failed'],
        [5, 'passed'],
        [6, 'passed'],
      ],
    );
    assert.match(status.recordings?.[3].reason ?? '', /noisy|match/, "ICE's reason survived the crash");
    assert.equal(await performedCalls(stack.emulator, voiceId, 'DetectAudioForCustomizedVoiceJob'), 6);

    assert.equal((await addRecording(handle, recordingOf(voiceId, 4, { take: 2 }))).pass, true);
    const { jobId } = await submitTraining(handle);
    const result = await handle.result();
    assert.equal(result.jobId, jobId);
    assert.equal(result.detection?.length, 6);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 1);
  });
});
