/**
 * The whole voice lifecycle in one workflow, on a real dev server with the emulator: the clone creates the voice,
 * answers the sentences, each recording's detection and the submit as Workflow Updates, and Update-with-Start
 * returns the JobId while training continues.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { startRecordingSession, startVoiceClone } from '../../src/client';
import {
  awaitSubmittedUpdate,
  demonstrationsUpdate,
  searchAttributes,
  statusQuery,
  voiceCloneWorkflowId,
} from '../../src/workflows/definitions';
import { recordingBackendListener } from '../../examples/recording-session';
import { FAST_TIMING, jobOf, newVoiceId, recordings, waitForStatus } from './support';
import { startHttpServer, startTestHarness, type TestHarness } from '../support/harness';
import {
  addRecording,
  historyEvents,
  historyEventTypes,
  performedCalls,
  recordingOf,
  sessionInput,
  submitTraining,
  updateFailure,
} from './recording-session-support';

describe('recording session (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'recording-session', worker: true });
  });

  after(async () => {
    await stack?.close();
  });

  const queue = () => ({ taskQueue: stack.taskQueue });

  test('create + 20 recordings as updates + submitTraining → Success, one create, one submit', async () => {
    const voiceId = newVoiceId('Session');
    const { handle, demonstrations } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    assert.equal(handle.workflowId, voiceCloneWorkflowId(voiceId));
    assert.equal(demonstrations.length, 20);
    assert.deepEqual(
      demonstrations.map((sentence) => sentence.audioId),
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    assert.ok(demonstrations.every((sentence) => sentence.text !== '' && sentence.demoAudio.startsWith('https://')));

    const answers = await Promise.all(demonstrations.map((s) => addRecording(handle, recordingOf(voiceId, s.audioId))));
    assert.deepEqual(
      answers.map((answer) => [answer.audioRecordId, answer.pass, answer.reason]),
      demonstrations.map((s) => [s.audioId, true, '']),
    );
    const waiting = await handle.query(statusQuery);
    assert.equal(waiting.stage, 'AwaitingRecordings');
    assert.equal(waiting.recordings?.length, 20);
    assert.ok(waiting.recordings?.every((row) => row.state === 'passed'));
    assert.equal(waiting.recordings?.[6].text, demonstrations[6].text);
    const indexed = (await handle.describe()).typedSearchAttributes.get(searchAttributes.voiceCloneStage);
    assert.equal(indexed, 'AwaitingRecordings', 'a session waiting for recordings can be found in the Web UI');
    const details = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(details.currentDetails ?? '', /stage \*\*AwaitingRecordings\*\*/);
    assert.match(details.currentDetails ?? '', /\| 7 \| .+ \| passed \|/);
    assert.match(
      details.currentDetails ?? '',
      /Timing: callback timeout 2 s, poll 200 ms–1 s, training timeout 1 min, recording timeout 7 d/,
    );

    const { jobId } = await submitTraining(handle);
    const job = await jobOf(stack.emulator, voiceId);
    assert.equal(jobId, job.jobId);
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    assert.equal(result.jobId, jobId);
    assert.equal(result.detection?.length, 20);
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'CreateCustomizedVoiceJob'), 1);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'DetectAudioForCustomizedVoiceJob'), 20);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 1);
    const types = await historyEventTypes(handle);
    assert.equal(types.filter((type) => type === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED').length, 22);
  });

  test('a failed detection is answered with ICE reason, blocks the submit, and passes when re-recorded', async () => {
    const voiceId = newVoiceId('ReRecord');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    assert.equal((await addRecording(handle, recordingOf(voiceId, 1))).pass, true);
    const failed = await addRecording(handle, recordingOf(voiceId, 2, { failing: true }));
    assert.equal(failed.pass, false);
    assert.match(failed.reason, /noisy|match/);
    const status = await handle.query(statusQuery);
    assert.deepEqual(
      status.recordings?.map((row) => [row.audioRecordId, row.state]),
      [
        [1, 'passed'],
        [2, 'failed'],
      ],
    );

    const refused = await updateFailure(submitTraining(handle));
    assert.equal(refused.type, 'AudioDetectionFailed');
    assert.match(refused.message, /audioRecordId 2: .*noisy/);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 0);
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'the session stays open for a new recording');

    const again = await addRecording(handle, recordingOf(voiceId, 2, { take: 2 }));
    assert.deepEqual(again, { audioRecordId: 2, pass: true, reason: '' });
    const { jobId } = await submitTraining(handle);
    const result = await handle.result();
    assert.equal(result.jobId, jobId);
    assert.deepEqual(
      result.detection?.map((d) => [
        d.audioRecordId,
        d.pass,
        d.recordUrl.endsWith('-take2.wav') || d.audioRecordId === 1,
      ]),
      [
        [1, true, true],
        [2, true, true],
      ],
    );
  });

  test('two recordings of one sentence sent at once: ICE detects them in order, the later one counts', async () => {
    const voiceId = newVoiceId('SameSentence');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    const first = recordingOf(voiceId, 5, { failing: true });
    const second = recordingOf(voiceId, 5, { take: 2 });
    // Every detection takes 1 s in ICE: run side by side, both would be answered at about the same time.
    await stack.emulator.admin.setFaults({ operations: { DetectAudioForCustomizedVoiceJob: { latencyMs: 1_000 } } });
    let answers;
    try {
      const firstAnswer = addRecording(handle, first);
      await waitForStatus(handle, (status) => status.recordings?.[0]?.recordUrl === first.recordUrl);
      answers = await Promise.all([firstAnswer, addRecording(handle, second)]);
    } finally {
      await stack.emulator.admin.setFaults({});
    }
    assert.deepEqual(
      answers.map((answer) => answer.pass),
      [false, true],
    );
    const detected = (await stack.emulator.admin.calls()).filter(
      (call) => call.action === 'DetectAudioForCustomizedVoiceJob' && call.params.VoiceId === voiceId,
    );
    assert.deepEqual(
      detected.map((call) => call.params.RecordUrl),
      [first.recordUrl, second.recordUrl],
    );
    const apartMs = Date.parse(detected[1].at) - Date.parse(detected[0].at);
    assert.ok(apartMs >= 900, `the second detection started after the first was answered (${apartMs} ms apart)`);
    assert.equal((await jobOf(stack.emulator, voiceId)).passedAudioRecordIds.includes(5), true, 'ICE keeps the later');
    const status = await handle.query(statusQuery);
    assert.deepEqual(
      status.recordings?.map((row) => [row.audioRecordId, row.state, row.recordUrl]),
      [[5, 'passed', second.recordUrl]],
    );
    await handle.terminate('test done');
  });

  test('an invalid update is rejected naming field and rule, with no ICE call and no history event', async () => {
    const voiceId = newVoiceId('Invalid');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    await waitForStatus(handle, (status) => status.stage === 'AwaitingRecordings');
    const eventsBefore = await historyEvents(handle);
    await stack.emulator.admin.clearCalls();

    const outOfRange = await updateFailure(addRecording(handle, { audioRecordId: 21, recordUrl: 'https://a.b/c.wav' }));
    assert.equal(outOfRange.type, 'InvalidInput');
    assert.equal(outOfRange.message, 'addRecording: audioRecordId: must be a whole number from 1 to 20');
    assert.deepEqual(outOfRange.details, [{ field: 'audioRecordId', rule: 'must be a whole number from 1 to 20' }]);
    const notHttps = await updateFailure(addRecording(handle, { audioRecordId: 3, recordUrl: 'http://a.b/c.wav' }));
    assert.equal(notHttps.message, 'addRecording: recordUrl: must be an https URL');
    const unknownField = await updateFailure(
      handle.executeUpdate('addRecording', { args: [{ audioRecordId: 3, recordUrl: 'https://a.b/c.wav', x: 1 }] }),
    );
    assert.match(unknownField.message, /^addRecording: x: is not a known field/);

    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call');
    assert.equal(await historyEvents(handle), eventsBefore, 'no history event');

    // After the submit the validator closes the session, with a message that says why.
    await addRecording(handle, recordingOf(voiceId, 1));
    const { jobId } = await submitTraining(handle);
    const closed = await updateFailure(addRecording(handle, recordingOf(voiceId, 2)));
    assert.equal(closed.type, 'RecordingsClosed');
    assert.match(closed.message, new RegExp(`ICE has the training job of voice ${voiceId} \\(job ${jobId}\\)`));
    await handle.result();
  });

  test('updates a clone without a session cannot take are rejected before anything happens', async () => {
    const voiceId = newVoiceId('NoSession');
    await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'male', scenario: 'story' });
    await stack.emulator.admin.updateSettings({ trainingMs: 60_000 });
    try {
      const handle = await startVoiceClone(
        stack.client,
        { voiceId, recordings: recordings(voiceId, 1), timing: FAST_TIMING },
        queue(),
      );
      const noSession = await updateFailure(addRecording(handle, recordingOf(voiceId, 1)));
      assert.equal(noSession.type, 'NoRecordingSession');
      assert.match(noSession.message, /started without `voice`/);
      const noScenario = await updateFailure(handle.executeUpdate(demonstrationsUpdate));
      assert.equal(noScenario.type, 'NoRecordingSession');
      // awaitSubmitted works for every clone: recordings up front are detected, then submitted at once.
      const submitted = await handle.executeUpdate(awaitSubmittedUpdate);
      assert.equal(submitted.jobId, (await jobOf(stack.emulator, voiceId)).jobId);
      assert.deepEqual(
        submitted.detection.map((d) => [d.audioRecordId, d.pass]),
        [[1, true]],
      );
      await handle.terminate('test done');
    } finally {
      await stack.emulator.admin.updateSettings({ trainingMs: 300 });
    }
  });

  test('submitTraining twice (at once, and again later) → one ICE job, the same JobId', async () => {
    const voiceId = newVoiceId('Twice');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    await Promise.all([1, 2, 3].map((id) => addRecording(handle, recordingOf(voiceId, id))));
    const [first, second] = await Promise.all([submitTraining(handle), submitTraining(handle)]);
    assert.equal(first.jobId, second.jobId);
    const third = await submitTraining(handle);
    assert.equal(third.jobId, first.jobId);
    await handle.result();
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 1);
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
  });

  test('submitTraining with no recording passed fails VoiceNotReady and submits nothing', async () => {
    const voiceId = newVoiceId('Empty');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    const refused = await updateFailure(submitTraining(handle));
    assert.equal(refused.type, 'VoiceNotReady');
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 0);
    await handle.terminate('test done');
  });

  test('autoSubmitAfter: the clone submits by itself once that many distinct recordings passed', async () => {
    const voiceId = newVoiceId('Auto');
    const { handle } = await startRecordingSession(
      stack.client,
      sessionInput(voiceId, { autoSubmitAfter: 3 }),
      queue(),
    );
    assert.equal((await addRecording(handle, recordingOf(voiceId, 1))).pass, true);
    assert.equal((await addRecording(handle, recordingOf(voiceId, 1, { take: 2 }))).pass, true, 'same sentence');
    assert.equal((await addRecording(handle, recordingOf(voiceId, 2, { failing: true }))).pass, false);
    assert.equal((await addRecording(handle, recordingOf(voiceId, 3))).pass, true);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 0, 'sentence 2 failed');
    assert.equal((await addRecording(handle, recordingOf(voiceId, 2, { take: 2 }))).pass, true);
    const submitted = await handle.executeUpdate(awaitSubmittedUpdate);
    assert.deepEqual(
      submitted.detection.map((d) => d.audioRecordId),
      [1, 2, 3],
    );
    const result = await handle.result();
    assert.equal(result.jobId, submitted.jobId);
    assert.equal(await performedCalls(stack.emulator, voiceId, 'SubmitCustomizedVoiceJob'), 1);
  });

  test('Update-with-Start returns the JobId while training continues; result() waits for the voice', async () => {
    await stack.emulator.admin.updateSettings({ trainingMs: 3_000 });
    try {
      // Today's input: recordings up front, the voice created beforehand.
      const upFront = newVoiceId('EarlyUpFront');
      await stack.ice.createCustomizedVoiceJob({ voiceId: upFront, gender: 'female', scenario: 'story' });
      const early = await startVoiceClone(
        stack.client,
        { voiceId: upFront, recordings: recordings(upFront, 2), timing: FAST_TIMING },
        { ...queue(), waitFor: 'submitted' },
      );
      assert.equal(early.submitted.jobId, (await jobOf(stack.emulator, upFront)).jobId);
      assert.equal(early.submitted.detection.length, 2);
      assert.equal((await early.describe()).status.name, 'RUNNING');
      assert.match((await jobOf(stack.emulator, upFront)).status, /PreTraining|Training/);
      assert.equal((await early.result()).status, 'Success');

      // A session: one call attaches to it and returns once the recordings sent meanwhile were submitted.
      const voiceId = newVoiceId('EarlySession');
      const input = sessionInput(voiceId, { autoSubmitAfter: 2 });
      const { handle } = await startRecordingSession(stack.client, input, queue());
      const attached = startVoiceClone(stack.client, input, { ...queue(), waitFor: 'submitted' });
      await addRecording(handle, recordingOf(voiceId, 1));
      await addRecording(handle, recordingOf(voiceId, 2));
      const submitted = await attached;
      assert.equal(submitted.workflowId, handle.workflowId);
      assert.equal(submitted.submitted.jobId, (await jobOf(stack.emulator, voiceId)).jobId);
      assert.equal((await submitted.describe()).status.name, 'RUNNING');
      assert.equal((await submitted.result()).jobId, submitted.submitted.jobId);
      assert.equal(await performedCalls(stack.emulator, voiceId, 'CreateCustomizedVoiceJob'), 1);
    } finally {
      await stack.emulator.admin.updateSettings({ trainingMs: 300 });
    }
  });

  test('the example app backend (examples/recording-session.ts) drives a session over HTTP', async () => {
    const backend = await startHttpServer(
      recordingBackendListener({ client: stack.client, taskQueue: stack.taskQueue }),
    );
    const base = backend.url;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      const voiceId = newVoiceId('Backend');
      const created = await call('POST', `/voices/${voiceId}`, { gender: 'male', scenario: 'interaction' });
      assert.equal(created.status, 200);
      assert.equal((created.body.sentences as unknown[]).length, 20);
      const invalid = await call('POST', `/voices/${voiceId}/recordings`, { audioRecordId: 0, recordUrl: 'x' });
      assert.equal(invalid.status, 400);
      assert.match(String(invalid.body.error), /audioRecordId: must be a whole number from 1 to 20/);
      const noisy = await call('POST', `/voices/${voiceId}/recordings`, recordingOf(voiceId, 1, { failing: true }));
      assert.deepEqual([noisy.status, noisy.body.pass], [200, false]);
      const refused = await call('POST', `/voices/${voiceId}/training`);
      assert.deepEqual([refused.status, refused.body.type], [422, 'AudioDetectionFailed']);
      const again = await call('POST', `/voices/${voiceId}/recordings`, recordingOf(voiceId, 1, { take: 2 }));
      assert.deepEqual(again.body, { audioRecordId: 1, pass: true, reason: '' });
      const training = await call('POST', `/voices/${voiceId}/training`);
      assert.equal(training.status, 200);
      assert.equal(training.body.jobId, (await jobOf(stack.emulator, voiceId)).jobId);
      const closed = await call('POST', `/voices/${voiceId}/recordings`, recordingOf(voiceId, 2));
      assert.equal(closed.status, 409);
      const status = await call('GET', `/voices/${voiceId}`);
      assert.deepEqual(status.body.recordings, [
        {
          audioRecordId: 1,
          text: (created.body.sentences as { text: string }[])[0].text,
          recordUrl: recordingOf(voiceId, 1, { take: 2 }).recordUrl,
          state: 'passed',
          reason: '',
        },
      ]);
      // The backend starts clones with the default timings: the callback (none in this stack) is awaited 10 min.
      assert.equal(status.body.stage, 'AwaitingCallback');
      await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).terminate('test done');
    } finally {
      await backend.close();
    }
  });

  test('history stays bounded: 20 recordings, 5 of them failed and re-recorded, then the submit', async () => {
    const voiceId = newVoiceId('Bounded');
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    const failing = new Set([3, 8, 12, 15, 19]);
    // As a browser would send them: one at a time, each re-recorded at once when it failed.
    for (let id = 1; id <= 20; id++) {
      const answer = await addRecording(handle, recordingOf(voiceId, id, { failing: failing.has(id) }));
      assert.equal(answer.pass, !failing.has(id));
      if (!answer.pass) assert.equal((await addRecording(handle, recordingOf(voiceId, id, { take: 2 }))).pass, true);
    }
    await submitTraining(handle);
    await handle.result();
    const history = await handle.fetchHistory();
    const events = history.events?.length ?? 0;
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    console.log(`recording session history: 25 recordings (5 re-recorded) + submit = ${events} events, ${bytes} bytes`);
    // Temporal warns at 10,240 events (and 10 MB) and terminates at 51,200 (50 MB).
    assert.ok(events < 500, `${events} events`);
    assert.ok(bytes < 256 * 1024, `${bytes} bytes`);
  });

  test('a voice ICE has already is adopted, not created again; a trained one answers awaitSubmitted at once', async () => {
    const voiceId = newVoiceId('Adopt');
    const jobId = (await stack.ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' })).jobId;
    const { handle } = await startRecordingSession(stack.client, sessionInput(voiceId), queue());
    await addRecording(handle, recordingOf(voiceId, 1));
    assert.equal((await submitTraining(handle)).jobId, jobId);
    await handle.result();
    assert.equal(await performedCalls(stack.emulator, voiceId, 'CreateCustomizedVoiceJob'), 1, 'only ours above');

    // The voice is trained now: a new clone of it (the earlier run has closed) answers at once.
    const again = await startVoiceClone(stack.client, sessionInput(voiceId), { ...queue(), waitFor: 'submitted' });
    assert.deepEqual(again.submitted, { jobId, detection: [] });
    assert.equal((await again.result()).completedVia, 'already-trained');
  });
});
