/**
 * Every ICE operation through the real client (openapi-core, real V3 signatures) to the real emulator and back,
 * with non-ASCII and reserved characters in names and URLs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IceClientConfig } from '../../src/config';
import type { RunningEmulator } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { createIceClient, type IceClient } from '../../src/ice';
import { iceErrorOf } from './support';

const TRICKY_NAME = '声音 A&B=C+D/E?F#G%H';
const TRICKY_DESC = "中文描述 with spaces & = + / ? # % 100% ~!*()' and more";
const TRICKY_RECORD_URL = 'https://bucket.oss-cn-shanghai.aliyuncs.com/录音 01.wav?x=1&y=a+b&z=%2F#frag';
const TRICKY_DEMO_URL = 'https://bucket.oss-cn-shanghai.aliyuncs.com/demo/示例+1%.mp3?sig=a/b=c&d';
const TRICKY_CALLBACK_URL = 'https://cb.example.com/ice/回调?tenant=a&b=c+d%2Fe#x';

let harness: IceHarness;

let emulator: RunningEmulator;
let client: IceClient;

function configFor(emulatorUrl: string, credentials: IceClientConfig['credentials']): IceClientConfig {
  return { region: 'cn-shanghai', endpoint: emulatorUrl, connectTimeoutMs: 3_000, readTimeoutMs: 3_000, credentials };
}

async function lastParams(action: string): Promise<Record<string, string>> {
  const calls = (await emulator.admin.calls()).filter((call) => call.action === action);
  assert.ok(calls.length > 0, `the emulator saw no ${action}`);
  return calls.at(-1)!.params;
}

before(async () => {
  harness = await startTestEmulator({ trainingMs: 150 });
  emulator = harness.emulator;
  client = createIceClient(configFor(emulator.url, emulator.credentials));
});
after(() => harness.close());

describe('the voice-cloning flow round-trips through the emulator', () => {
  const voiceId = 'RoundTrip01';
  let jobId = '';

  it('CreateCustomizedVoiceJob sends every field and returns the ids', async () => {
    const created = await client.createCustomizedVoiceJob({
      voiceId,
      gender: 'female',
      scenario: 'story',
      voiceName: TRICKY_NAME,
      voiceDesc: TRICKY_DESC,
    });
    assert.equal(created.voiceId, voiceId);
    assert.ok(created.jobId.length > 0);
    assert.match(created.requestId, /\S/);
    jobId = created.jobId;
    assert.deepEqual(await lastParams('CreateCustomizedVoiceJob'), {
      Gender: 'female',
      Scenario: 'story',
      VoiceDesc: TRICKY_DESC,
      VoiceId: voiceId,
      VoiceName: TRICKY_NAME,
    });
  });

  it('GetCustomizedVoice returns the names exactly as sent', async () => {
    const { customizedVoice, requestId } = await client.getCustomizedVoice({ voiceId });
    assert.match(requestId, /\S/);
    assert.equal(customizedVoice.voiceId, voiceId);
    assert.equal(customizedVoice.voiceName, TRICKY_NAME);
    assert.equal(customizedVoice.voiceDesc, TRICKY_DESC);
    assert.equal(customizedVoice.gender, 'female');
    assert.equal(customizedVoice.scenario, 'story');
  });

  it('GetDemonstrationForCustomizedVoiceJob lists 20 sentences numbered 1..20', async () => {
    const { demonstrationList, requestId } = await client.getDemonstrationForCustomizedVoiceJob({
      scenario: 'story',
    });
    assert.match(requestId, /\S/);
    assert.deepEqual(
      demonstrationList.map((item) => item.audioId),
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    for (const item of demonstrationList) {
      assert.ok(item.text.length > 0);
      assert.match(item.demoAudio, /^https?:\/\//);
    }
  });

  it('DetectAudioForCustomizedVoiceJob passes a good recording, with its URL received byte for byte', async () => {
    const detected = await client.detectAudioForCustomizedVoiceJob({
      voiceId,
      recordUrl: TRICKY_RECORD_URL,
      audioRecordId: 1,
    });
    assert.equal(detected.pass, true);
    assert.match(detected.requestId, /\S/);
    assert.deepEqual(await lastParams('DetectAudioForCustomizedVoiceJob'), {
      AudioRecordId: '1',
      RecordUrl: TRICKY_RECORD_URL,
      VoiceId: voiceId,
    });
  });

  it('DetectAudioForCustomizedVoiceJob reports a failed detection with a reason', async () => {
    const detected = await client.detectAudioForCustomizedVoiceJob({
      voiceId,
      recordUrl: 'https://bucket.oss-cn-shanghai.aliyuncs.com/fail-detection/2.wav',
      audioRecordId: 2,
    });
    assert.equal(detected.pass, false);
    assert.ok(detected.reason.length > 0);
  });

  it('SubmitCustomizedVoiceJob sends DemoAudioMediaURL intact and returns the job', async () => {
    const submitted = await client.submitCustomizedVoiceJob({ voiceId, demoAudioMediaUrl: TRICKY_DEMO_URL });
    assert.equal(submitted.voiceId, voiceId);
    assert.equal(submitted.jobId, jobId);
    assert.deepEqual(await lastParams('SubmitCustomizedVoiceJob'), {
      DemoAudioMediaURL: TRICKY_DEMO_URL,
      VoiceId: voiceId,
    });
  });

  it('GetCustomizedVoiceJob follows the job to Success', async () => {
    let job = (await client.getCustomizedVoiceJob({ jobId })).customizedVoiceJob;
    assert.ok(['PreTraining', 'Training', 'Success'].includes(job.status), job.status);
    for (let attempt = 0; job.status !== 'Success' && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await client.getCustomizedVoiceJob({ jobId })).customizedVoiceJob;
    }
    assert.equal(job.status, 'Success');
    assert.equal(job.jobId, jobId);
    assert.equal(job.voiceId, voiceId);
    assert.equal(job.voiceName, TRICKY_NAME);
    assert.equal(job.voiceDesc, TRICKY_DESC);
    assert.equal(job.type, 'Basic');
    assert.match(job.createTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('ListCustomizedVoiceJobs and ListCustomizedVoices find the voice, with paging parameters sent', async () => {
    await client.createCustomizedVoiceJob({ voiceId: 'RoundTrip02', gender: 'male', scenario: 'interaction' });
    const jobs = await client.listCustomizedVoiceJobs({ pageNo: 1, pageSize: 100, type: 'Basic' });
    assert.deepEqual(await lastParams('ListCustomizedVoiceJobs'), { PageNo: '1', PageSize: '100', Type: 'Basic' });
    assert.equal(jobs.totalCount, 2);
    const listed = jobs.customizedVoiceJobList.find((job) => job.jobId === jobId);
    assert.ok(listed, 'the submitted job is listed');
    assert.equal(listed.status, 'Success');
    assert.match(listed.gmtCreate ?? '', /^\d{4}-/);

    const secondPage = await client.listCustomizedVoiceJobs({ pageNo: 2, pageSize: 1 });
    assert.equal(secondPage.customizedVoiceJobList.length, 1);
    assert.equal(secondPage.totalCount, 2);

    const voices = await client.listCustomizedVoices({ type: 'Basic' });
    assert.equal(voices.totalCount, 2);
    const voice = voices.customizedVoiceList.find((item) => item.voiceId === voiceId);
    assert.equal(voice?.voiceName, TRICKY_NAME);
    assert.match(voices.requestId, /\S/);
  });

  it('SetEventCallback then GetEventCallback returns the same settings', async () => {
    const set = await client.setEventCallback({
      callbackType: 'HTTP',
      callbackUrl: TRICKY_CALLBACK_URL,
      eventTypeList: ['CustomizedVoiceJobComplete', 'ProduceMediaComplete'],
      authSwitch: 'on',
      authKey: 'RoundTripKey9',
    });
    assert.equal(set.success, true);
    assert.match(set.requestId, /\S/);
    const got = await client.getEventCallback();
    assert.deepEqual(
      { ...got, requestId: undefined },
      {
        requestId: undefined,
        callbackType: 'HTTP',
        callbackUrl: TRICKY_CALLBACK_URL,
        eventTypeList: ['CustomizedVoiceJobComplete', 'ProduceMediaComplete'],
        authSwitch: 'on',
        authKey: 'RoundTripKey9',
      },
    );
  });

  it('SetEventCallback with an MNS queue, then GetEventCallback returns the queue and no URL or key', async () => {
    const set = await client.setEventCallback({
      callbackType: 'MNS',
      callbackQueueName: 'ice-callback-voice-clone',
      eventTypeList: ['CustomizedVoiceJobComplete'],
    });
    assert.equal(set.success, true);
    const got = await client.getEventCallback();
    assert.deepEqual(
      { ...got, requestId: undefined },
      {
        requestId: undefined,
        callbackType: 'MNS',
        callbackUrl: '',
        callbackQueueName: 'ice-callback-voice-clone',
        eventTypeList: ['CustomizedVoiceJobComplete'],
        authSwitch: 'off',
      },
    );
  });

  it('an ICE refusal comes back as a final IceError with Code, status and RequestId', async () => {
    const error = await iceErrorOf(client.getCustomizedVoiceJob({ jobId: 'no-such-job' }));
    assert.equal(error.operation, 'GetCustomizedVoiceJob');
    assert.equal(error.statusCode, 404);
    assert.equal(error.kind, 'final');
    assert.match(error.requestId ?? '', /\S/);
    const missing = await iceErrorOf(
      client.createCustomizedVoiceJob({ voiceId: '', gender: 'male', scenario: 'story' }),
    );
    assert.equal(missing.code, 'MissingParameter');
    assert.equal(missing.kind, 'final');
  });
});

describe('authentication failures', () => {
  it('a wrong secret gives a final SignatureDoesNotMatch with a RequestId and no secret in the message', async () => {
    const wrongSecret = 'WrongSecretDoNotLeak77';
    const impostor = createIceClient(
      configFor(emulator.url, { accessKeyId: emulator.credentials.accessKeyId, accessKeySecret: wrongSecret }),
    );
    const error = await iceErrorOf(impostor.getEventCallback());
    assert.equal(error.code, 'SignatureDoesNotMatch');
    assert.equal(error.kind, 'final');
    assert.equal(error.operation, 'GetEventCallback');
    assert.match(error.requestId ?? '', /\S/);
    assert.ok(error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500);
    const rendered = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
    assert.ok(!rendered.includes(wrongSecret));
    assert.ok(!rendered.includes(emulator.credentials.accessKeySecret));
  });

  it('an unknown AccessKey id gives a final InvalidAccessKeyId.NotFound', async () => {
    const stranger = createIceClient(
      configFor(emulator.url, { accessKeyId: 'LTAIUnknownKey', accessKeySecret: 'whatever-secret' }),
    );
    const error = await iceErrorOf(stranger.listCustomizedVoices({}));
    assert.equal(error.code, 'InvalidAccessKeyId.NotFound');
    assert.equal(error.kind, 'final');
  });

  it('an STS key pair signs too (security token sent in its own header)', async () => {
    const sts = createIceClient(configFor(emulator.url, { ...emulator.credentials, securityToken: 'sts-token-1' }));
    const result = await sts.getEventCallback();
    assert.match(result.requestId, /\S/);
  });
});
