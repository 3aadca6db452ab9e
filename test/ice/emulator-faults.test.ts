/**
 * Each fault mode of the emulator's admin API, observed through the real client as the right kind of IceError.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { createIceClient, IceError, NETWORK_ERROR_CODE, TIMEOUT_ERROR_CODE, type IceClient } from '../../src/ice';
import { iceErrorOf as expectIceError } from './support';

let harness: IceHarness;

let emulator: RunningEmulator;
let client: IceClient;
/** Same emulator, a read timeout shorter than the injected latency. */
let impatientClient: IceClient;
const seenErrors: IceError[] = [];

async function iceErrorOf(promise: Promise<unknown>): Promise<IceError> {
  const error = await expectIceError(promise);
  seenErrors.push(error);
  return error;
}

/** A voice with one passed recording, ready to submit. */
async function detectedVoice(voiceId: string): Promise<string> {
  const { jobId } = await client.createCustomizedVoiceJob({ voiceId, gender: 'male', scenario: 'navigation' });
  const detected = await client.detectAudioForCustomizedVoiceJob({
    voiceId,
    recordUrl: `https://bucket.oss-cn-shanghai.aliyuncs.com/${voiceId}/1.wav`,
    audioRecordId: 1,
  });
  assert.equal(detected.pass, true);
  return jobId;
}

before(async () => {
  harness = await startTestEmulator({ trainingMs: 60_000 });
  emulator = harness.emulator;
  const config = { region: 'cn-shanghai', endpoint: emulator.url, credentials: emulator.credentials };
  client = createIceClient({ ...config, connectTimeoutMs: 3_000, readTimeoutMs: 3_000 });
  impatientClient = createIceClient({ ...config, connectTimeoutMs: 250, readTimeoutMs: 250 });
});
beforeEach(() => emulator.admin.reset());
after(() => harness.close());

describe('fault modes observed through the client', () => {
  it('throttle: a retryable Throttling.User (HTTP 400) with a RequestId, then the call works again', async () => {
    await emulator.admin.setFaults({ operations: { GetEventCallback: { throttle: { count: 1 } } } });
    const error = await iceErrorOf(client.getEventCallback());
    assert.deepEqual([error.code, error.statusCode, error.kind], ['Throttling.User', 400, 'retryable']);
    assert.equal(error.operation, 'GetEventCallback');
    assert.match(error.requestId ?? '', /\S/);
    const calls = await emulator.admin.calls();
    assert.equal(calls.at(-1)?.requestId, error.requestId, 'the RequestId is the one the emulator answered');
    assert.match((await client.getEventCallback()).requestId, /\S/);
  });

  it('serverError: a retryable ServiceUnavailable (HTTP 503)', async () => {
    await emulator.admin.setFaults({ operations: { '*': { serverError: { count: 1 } } } });
    const error = await iceErrorOf(client.listCustomizedVoices({}));
    assert.deepEqual([error.code, error.statusCode, error.kind], ['ServiceUnavailable', 503, 'retryable']);
    assert.equal(error.operation, 'ListCustomizedVoices');
    assert.match(error.requestId ?? '', /\S/);
  });

  it('closeAfterAccept: submit is carried out but the client sees a retryable NetworkError', async () => {
    const voiceId = 'CloseAfter01';
    const jobId = await detectedVoice(voiceId);
    await emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { closeAfterAccept: { count: 1 } } } });
    const error = await iceErrorOf(client.submitCustomizedVoiceJob({ voiceId }));
    assert.equal(error.code, NETWORK_ERROR_CODE);
    assert.equal(error.operation, 'SubmitCustomizedVoiceJob');
    assert.equal(error.kind, 'retryable');
    // The ambiguous case: ICE accepted the job although the caller saw a failure.
    const { customizedVoiceJob } = await client.getCustomizedVoiceJob({ jobId });
    assert.ok(['PreTraining', 'Training'].includes(customizedVoiceJob.status), customizedVoiceJob.status);
    const emulated = (await emulator.admin.jobs()).find((job) => job.jobId === jobId);
    assert.equal(emulated?.submitCount, 1);
  });

  it('latencyMs beyond the read timeout: a retryable Timeout naming the operation', async () => {
    await emulator.admin.setFaults({ operations: { GetCustomizedVoice: { latencyMs: 1_500 } } });
    await client.createCustomizedVoiceJob({ voiceId: 'Slow01', gender: 'female', scenario: 'story' });
    const error = await iceErrorOf(impatientClient.getCustomizedVoice({ voiceId: 'Slow01' }));
    assert.equal(error.code, TIMEOUT_ERROR_CODE);
    assert.equal(error.operation, 'GetCustomizedVoice');
    assert.equal(error.kind, 'retryable');
  });

  it('latencyMs within the read timeout: the call succeeds', async () => {
    await emulator.admin.setFaults({ operations: { GetEventCallback: { latencyMs: 50 } } });
    assert.match((await client.getEventCallback()).requestId, /\S/);
    assert.equal((await emulator.admin.calls()).at(-1)?.fault, 'latency');
  });

  it('omitJobId: the submit is carried out, and the client never reports a JobId it was not given', async () => {
    const voiceId = 'NoJobId01';
    const jobId = await detectedVoice(voiceId);
    await emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { omitJobId: { count: 1 } } } });
    const outcome = await client.submitCustomizedVoiceJob({ voiceId }).then(
      (response) => ({ response }),
      (error: Error) => ({ error }),
    );
    const submit = (await emulator.admin.calls()).find((call) => call.action === 'SubmitCustomizedVoiceJob');
    assert.deepEqual([submit?.httpStatus, submit?.fault], [200, 'omitJobId']);
    if ('error' in outcome) {
      const error = await iceErrorOf(Promise.reject(outcome.error));
      assert.equal(error.operation, 'SubmitCustomizedVoiceJob');
      assert.match(error.message, /JobId/);
      assert.equal(error.requestId, submit?.requestId, "ICE's RequestId is kept");
    } else {
      assert.ok(!outcome.response.jobId, `no JobId expected, got ${outcome.response.jobId}`);
    }
    const emulated = (await emulator.admin.jobs()).find((job) => job.jobId === jobId);
    assert.deepEqual([emulated?.status, emulated?.submitCount], ['PreTraining', 1]);
  });

  it('jobStatusOverrides: a read without Status is never read as a known Status, and the next read is real', async () => {
    const voiceId = 'NoStatus01';
    const { jobId } = await client.createCustomizedVoiceJob({ voiceId, gender: 'male', scenario: 'story' });
    await emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId, status: null, reads: 1 }] });
    const outcome = await client.getCustomizedVoiceJob({ jobId }).then(
      (response) => ({ response }),
      (error: Error) => ({ error }),
    );
    const read = (await emulator.admin.calls()).find((call) => call.action === 'GetCustomizedVoiceJob');
    assert.equal(read?.fault, 'jobStatusOverride');
    if ('error' in outcome) {
      const error = await iceErrorOf(Promise.reject(outcome.error));
      assert.equal(error.operation, 'GetCustomizedVoiceJob');
      assert.match(error.message, /Status/);
      assert.equal(error.requestId, read?.requestId);
    } else {
      assert.ok(!outcome.response.customizedVoiceJob.status, 'no Status was sent');
    }
    assert.equal((await client.getCustomizedVoiceJob({ jobId })).customizedVoiceJob.status, 'Initialization');
  });

  it('no error message seen in this file contains the AccessKey secret', () => {
    assert.ok(seenErrors.length >= 4);
    for (const error of seenErrors) {
      assert.ok(!`${error.message} ${error.stack ?? ''}`.includes(emulator.credentials.accessKeySecret));
    }
  });
});
