/**
 * The client's operations for the Standard and CosyVoice editions, DeleteCustomizedVoiceJob and
 * UpdateCustomizedVoice, through the real client (openapi-core, real V3 signatures) to the emulator: the query
 * parameters exactly as the official SDK builds them, the answers mapped, ICE's errors kept with Code and RequestId.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { COSYVOICE_QUOTA_CODE, type RunningEmulator, emulatorIceClient } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { isMissingResponseField, type IceClient } from '../../src/ice';
import { iceErrorOf } from './support';

const TRICKY_NAME = '声音 A&B=C+D/E?F#G%H';
const DEMO_URL = 'https://bucket.oss-cn-shanghai.aliyuncs.com/demo/示例+1%.mp3?sig=a/b=c&d';

let harness: IceHarness;

let emulator: RunningEmulator;
let client: IceClient;

async function lastCall(action: string) {
  const calls = (await emulator.admin.calls()).filter((call) => call.action === action);
  assert.ok(calls.length > 0, `the emulator saw no ${action}`);
  return calls.at(-1)!;
}

before(async () => {
  harness = await startTestEmulator({ trainingMs: 60_000 });
  emulator = harness.emulator;
  client = emulatorIceClient(emulator, 3_000);
});
beforeEach(() => emulator.admin.reset());
after(() => harness.close());

describe('the edition operations of the client', () => {
  it('submitStandardCustomizedVoiceJob sends the SDK’s five parameters (Audios comma-separated) and maps Data{JobId}', async () => {
    const submitted = await client.submitStandardCustomizedVoiceJob({
      voiceName: TRICKY_NAME,
      gender: 'female',
      authentication: 'authMedia01',
      audios: ['media01', 'media02', 'media03'],
      demoAudioMediaUrl: DEMO_URL,
    });
    assert.match(submitted.jobId, /^[0-9a-f]{32}$/);
    const call = await lastCall('SubmitStandardCustomizedVoiceJob');
    assert.deepEqual(call.params, {
      Audios: 'media01,media02,media03',
      Authentication: 'authMedia01',
      DemoAudioMediaURL: DEMO_URL,
      Gender: 'female',
      VoiceName: TRICKY_NAME,
    });
    assert.equal(submitted.requestId, call.requestId);
    const { customizedVoiceJob } = await client.getCustomizedVoiceJob({ jobId: submitted.jobId });
    assert.deepEqual(
      [customizedVoiceJob.type, customizedVoiceJob.voiceName, customizedVoiceJob.status],
      ['Standard', TRICKY_NAME, 'PreTraining'],
    );
    assert.match(customizedVoiceJob.voiceId, /^Voice-/);
  });

  it('submitCosyVoiceCustomizedVoiceJob sends Audios, Gender, Model, VoiceName (no DemoAudioMediaURL when not given) and maps Data{JobId, VoiceId}', async () => {
    const submitted = await client.submitCosyVoiceCustomizedVoiceJob({
      voiceName: 'cosy',
      gender: 'male',
      audios: 'cosyMedia01',
      model: 'cosyvoice-v3.5-flash',
    });
    const call = await lastCall('SubmitCosyVoiceCustomizedVoiceJob');
    assert.deepEqual(call.params, {
      Audios: 'cosyMedia01',
      Gender: 'male',
      Model: 'cosyvoice-v3.5-flash',
      VoiceName: 'cosy',
    });
    assert.match(submitted.voiceId, /^Voice-[a-z0-9]+$/);
    const { customizedVoiceJob } = await client.getCustomizedVoiceJob({ jobId: submitted.jobId });
    assert.deepEqual([customizedVoiceJob.voiceId, customizedVoiceJob.type], [submitted.voiceId, 'CosyVoice']);
    const { customizedVoiceJobList } = await client.listCustomizedVoiceJobs({ type: 'CosyVoice' });
    assert.deepEqual(
      customizedVoiceJobList.map((job) => job.jobId),
      [submitted.jobId],
    );
    const { customizedVoiceList } = await client.listCustomizedVoices({ type: 'CosyVoice' });
    assert.deepEqual(
      customizedVoiceList.map((voice) => [voice.voiceId, voice.type]),
      [[submitted.voiceId, 'CosyVoice']],
    );
  });

  it('a refused submit is a final IceError with ICE’s Code, HTTP status and RequestId', async () => {
    const error = await iceErrorOf(
      client.submitCosyVoiceCustomizedVoiceJob({
        voiceName: 'bad model',
        gender: 'male',
        audios: 'm1',
        model: 'cosyvoice-v2' as never,
      }),
    );
    assert.deepEqual(
      [error.operation, error.code, error.statusCode, error.kind],
      ['SubmitCosyVoiceCustomizedVoiceJob', 'InvalidParameter', 400, 'final'],
    );
    assert.equal(error.requestId, (await lastCall('SubmitCosyVoiceCustomizedVoiceJob')).requestId);
    const standardError = await iceErrorOf(
      client.submitStandardCustomizedVoiceJob({
        voiceName: 'two auth',
        gender: 'female',
        authentication: 'a1,a2',
        audios: ['m1'],
      }),
    );
    assert.deepEqual([standardError.code, standardError.kind], ['InvalidParameter', 'final']);
  });

  it('the CosyVoice quota refusal keeps its code and is final', async () => {
    for (let i = 0; i < 30; i++) {
      await client.submitCosyVoiceCustomizedVoiceJob({
        voiceName: `q${i}`,
        gender: 'female',
        audios: 'm1',
        model: 'cosyvoice-v3-plus',
      });
    }
    const error = await iceErrorOf(
      client.submitCosyVoiceCustomizedVoiceJob({
        voiceName: 'q30',
        gender: 'female',
        audios: 'm1',
        model: 'cosyvoice-v3-plus',
      }),
    );
    assert.deepEqual([error.code, error.kind], [COSYVOICE_QUOTA_CODE, 'final']);
    assert.match(error.requestId ?? '', /\S/);
  });

  it('deleteCustomizedVoiceJob sends JobId; a refusal for a job in Success keeps ICE’s Code', async () => {
    const { jobId } = await client.submitStandardCustomizedVoiceJob({
      voiceName: 'to delete',
      gender: 'male',
      authentication: 'auth',
      audios: ['m1'],
    });
    const deleted = await client.deleteCustomizedVoiceJob({ jobId });
    const call = await lastCall('DeleteCustomizedVoiceJob');
    assert.deepEqual(call.params, { JobId: jobId });
    assert.equal(deleted.requestId, call.requestId);
    const gone = await iceErrorOf(client.getCustomizedVoiceJob({ jobId }));
    assert.deepEqual([gone.code, gone.statusCode], ['JobNotFound', 404]);

    const trained = await client.submitCosyVoiceCustomizedVoiceJob({
      voiceName: 'trained',
      gender: 'male',
      audios: 'm1',
      model: 'cosyvoice-v3-flash',
    });
    await emulator.admin.finishJob(trained.jobId);
    const refused = await iceErrorOf(client.deleteCustomizedVoiceJob({ jobId: trained.jobId }));
    assert.deepEqual(
      [refused.operation, refused.code, refused.statusCode, refused.kind],
      ['DeleteCustomizedVoiceJob', 'InvalidOperation.JobStatus', 400, 'final'],
    );
    assert.match(refused.requestId ?? '', /\S/);
  });

  it('updateCustomizedVoice sends VoiceId and DemoAudioMediaId; GetCustomizedVoice shows the new demo audio', async () => {
    const { voiceId } = await client.submitCosyVoiceCustomizedVoiceJob({
      voiceName: 'update me',
      gender: 'female',
      audios: 'm1',
      model: 'cosyvoice-v3-plus',
    });
    const updated = await client.updateCustomizedVoice({ voiceId, demoAudioMediaId: 'demoMedia01' });
    const call = await lastCall('UpdateCustomizedVoice');
    assert.deepEqual(call.params, { DemoAudioMediaId: 'demoMedia01', VoiceId: voiceId });
    assert.equal(updated.requestId, call.requestId);
    const { customizedVoice } = await client.getCustomizedVoice({ voiceId });
    assert.deepEqual(
      [customizedVoice.voiceId, customizedVoice.voiceName, customizedVoice.demoAudioMediaId],
      [voiceId, 'update me', 'demoMedia01'],
    );
    const unknown = await iceErrorOf(client.updateCustomizedVoice({ voiceId: 'ghost', demoAudioMediaId: 'd' }));
    assert.deepEqual([unknown.code, unknown.statusCode], ['VoiceNotFound', 404]);
  });

  it('a submit answered without Data.JobId is a MissingResponseFieldError with ICE’s RequestId, as for Basic', async () => {
    await emulator.admin.setFaults({
      operations: {
        SubmitStandardCustomizedVoiceJob: { omitJobId: { count: 1 } },
        SubmitCosyVoiceCustomizedVoiceJob: { omitJobId: { count: 1 } },
      },
    });
    const standard = await iceErrorOf(
      client.submitStandardCustomizedVoiceJob({ voiceName: 's', gender: 'male', authentication: 'a', audios: ['m'] }),
    );
    assert.ok(isMissingResponseField(standard));
    assert.equal(standard.field, 'Data.JobId');
    assert.equal(standard.requestId, (await lastCall('SubmitStandardCustomizedVoiceJob')).requestId);
    const cosy = await iceErrorOf(
      client.submitCosyVoiceCustomizedVoiceJob({
        voiceName: 'c',
        gender: 'male',
        audios: 'm',
        model: 'cosyvoice-v3-plus',
      }),
    );
    assert.ok(isMissingResponseField(cosy));
    assert.equal((await emulator.admin.jobs()).length, 2, 'both submits were carried out');
  });
});
