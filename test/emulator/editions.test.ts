/**
 * The Standard and CosyVoice editions and the two extra operations, over real HTTP with signed requests: each
 * edition's own rules, ICE-assigned VoiceIds, reads and lists per edition, delete and update, faults on the new
 * submits, and a callback at the end of every edition's job.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  COSYVOICE_QUOTA_CODE,
  COSYVOICE_VOICE_LIMIT,
  STANDARD_MAX_AUDIOS,
  TRAINING_FAILED_MESSAGE,
  VOICEPRINT_MISMATCH_MESSAGE,
  type RunningEmulator,
} from '../../src/emulator';
import { COSYVOICE_MODELS } from '../../src/ice/types';
import { startWiredEmulator, type CallbackTarget, type WiredEmulator } from './support/emulator';
import { waitFor, type WireClient } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

interface JobWire {
  JobId: string;
  VoiceId: string;
  VoiceName: string;
  Gender: string;
  Scenario: string;
  Status: string;
  Message: string;
  Type: string;
  CreateTime: string;
}

const ASSIGNED_VOICE_ID = /^Voice-[a-z0-9]{10}$/;
const media = (n: number, prefix = 'media'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('voice editions', () => {
  let harness: WiredEmulator;
  let emulator: RunningEmulator;
  let ice: WireClient;
  let receiver: CallbackTarget | undefined;

  before(async () => {
    harness = await startWiredEmulator({ trainingMs: 60_000 });
    ({ emulator, wire: ice } = harness);
  });
  after(() => harness.close());
  beforeEach(async () => {
    await emulator.admin.reset();
    await emulator.admin.updateSettings({ trainingMs: 60_000, cosyVoiceJobType: 'CosyVoice' });
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const standard = (voiceName: string, overrides: Record<string, string> = {}) =>
    ice.raw('SubmitStandardCustomizedVoiceJob', {
      VoiceName: voiceName,
      Gender: 'female',
      Authentication: 'authMedia01',
      Audios: media(15).join(','),
      ...overrides,
    });
  const cosyVoice = (voiceName: string, overrides: Record<string, string> = {}) =>
    ice.raw('SubmitCosyVoiceCustomizedVoiceJob', {
      VoiceName: voiceName,
      Gender: 'male',
      Audios: 'cosyMedia01',
      Model: 'cosyvoice-v3-plus',
      ...overrides,
    });
  const jobIdOf = (response: { status: number; body: Record<string, unknown> }): string => {
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return (response.body.Data as { JobId: string }).JobId;
  };
  const readJob = async (jobId: string): Promise<JobWire> =>
    ((await ice.ok('GetCustomizedVoiceJob', { JobId: jobId })).Data as { CustomizedVoiceJob: JobWire })
      .CustomizedVoiceJob;
  const listJobs = async (params: Record<string, string>) =>
    (await ice.ok('ListCustomizedVoiceJobs', params)).Data as { CustomizedVoiceJobList: JobWire[]; TotalCount: number };
  const listVoices = async (params: Record<string, string>) =>
    (await ice.ok('ListCustomizedVoices', params)).Data as {
      CustomizedVoiceList: Record<string, string>[];
      TotalCount: number;
    };
  const codeOf = (response: { status: number; body: Record<string, unknown> }): [number, string] => [
    response.status,
    String(response.body.Code),
  ];
  const voiceNames = async (): Promise<string[]> => (await emulator.admin.jobs()).map((job) => job.voiceName);

  describe('Standard', () => {
    it('answers Data{JobId} only; the job carries an ICE-assigned VoiceId, Type Standard and the caller’s name', async () => {
      const response = await standard('标准声音 01', {
        DemoAudioMediaURL: 'https://b.oss-cn-shanghai.aliyuncs.com/d.mp3',
      });
      const jobId = jobIdOf(response);
      assert.deepEqual(Object.keys(response.body.Data as object), ['JobId']);
      assert.match(jobId, /^[0-9a-f]{32}$/);
      assert.equal(response.body.Success, true);
      const job = await readJob(jobId);
      assert.match(job.VoiceId, ASSIGNED_VOICE_ID);
      assert.deepEqual(
        [job.Type, job.VoiceName, job.Gender, job.Status],
        ['Standard', '标准声音 01', 'female', 'PreTraining'],
      );
      const [emulated] = await emulator.admin.jobs();
      assert.deepEqual(
        [emulated.edition, emulated.audioMediaIds?.length, emulated.authenticationMediaId, emulated.submitCount],
        ['Standard', 15, 'authMedia01', 1],
      );
      const voice = (await ice.ok('GetCustomizedVoice', { VoiceId: job.VoiceId })).Data as {
        CustomizedVoice: Record<string, string>;
      };
      assert.deepEqual(
        [voice.CustomizedVoice.VoiceId, voice.CustomizedVoice.VoiceName, voice.CustomizedVoice.Gender],
        [job.VoiceId, '标准声音 01', 'female'],
      );
    });

    it('checks VoiceName, Gender, one Authentication ID and the audio count, and makes no job for a refusal', async () => {
      const refusals: [Record<string, string>, number, string][] = [
        [{ VoiceName: '' }, 400, 'MissingParameter'],
        [{ VoiceName: 'x'.repeat(33) }, 400, 'InvalidParameter'],
        [{ Gender: 'other' }, 400, 'InvalidParameter'],
        [{ Authentication: '' }, 400, 'MissingParameter'],
        [{ Authentication: 'authA,authB' }, 400, 'InvalidParameter'],
        [{ Audios: '' }, 400, 'MissingParameter'],
        [{ Audios: media(STANDARD_MAX_AUDIOS + 1).join(',') }, 400, 'InvalidParameter'],
        [{ Audios: 'media1,,media2' }, 400, 'InvalidParameter'],
        [{ Audios: 'media1,media1' }, 400, 'InvalidParameter'],
        [{ Audios: 'media1,clip-short-audio-2' }, 400, 'InvalidParameter'],
      ];
      for (const [overrides, status, code] of refusals) {
        assert.deepEqual(codeOf(await standard('refused', overrides)), [status, code], JSON.stringify(overrides));
      }
      assert.deepEqual(await emulator.admin.jobs(), []);
      jobIdOf(await standard('one clip', { Audios: 'longClip1' }));
      jobIdOf(await standard('most clips', { Audios: media(STANDARD_MAX_AUDIOS).join(',') }));
      assert.equal((await emulator.admin.jobs()).length, 2);
    });

    it('accepts a VoiceName again as a second job (a blind resubmit shows as two jobs)', async () => {
      const first = jobIdOf(await standard('twice'));
      const second = jobIdOf(await standard('twice'));
      assert.notEqual(first, second);
      const [a, b] = [await readJob(first), await readJob(second)];
      assert.notEqual(a.VoiceId, b.VoiceId);
      assert.deepEqual(await voiceNames(), ['twice', 'twice']);
    });

    it('fails training for a FailTrain name and for an authentication recording of another voice', async () => {
      const failName = jobIdOf(await standard('FailTrainStd'));
      const mismatch = jobIdOf(await standard('other speaker', { Authentication: 'auth-voiceprint-mismatch-1' }));
      const fine = jobIdOf(await standard('fine'));
      await emulator.admin.updateSettings({ trainingMs: 50 });
      const ended = await waitFor(async () => {
        const jobs = await Promise.all([failName, mismatch, fine].map(readJob));
        return jobs.every((job) => ['Success', 'Fail'].includes(job.Status)) ? jobs : undefined;
      });
      assert.deepEqual(
        ended.map((job) => [job.Status, job.Message]),
        [
          ['Fail', TRAINING_FAILED_MESSAGE],
          ['Fail', VOICEPRINT_MISMATCH_MESSAGE],
          ['Success', ''],
        ],
      );
    });
  });

  describe('CosyVoice', () => {
    it('answers Data{JobId, VoiceId} with a VoiceId ICE chose, for each of the four models', async () => {
      for (const model of COSYVOICE_MODELS) {
        const response = await cosyVoice(`cosy ${model}`, { Model: model });
        const data = response.body.Data as { JobId: string; VoiceId: string };
        assert.equal(response.status, 200);
        assert.match(data.VoiceId, ASSIGNED_VOICE_ID);
        const job = await readJob(data.JobId);
        assert.deepEqual(
          [job.VoiceId, job.Type, job.VoiceName, job.Gender],
          [data.VoiceId, 'CosyVoice', `cosy ${model}`, 'male'],
        );
      }
      assert.deepEqual(
        (await emulator.admin.jobs()).map((job) => job.model),
        [...COSYVOICE_MODELS],
      );
    });

    it('takes exactly one audio and a known model', async () => {
      assert.deepEqual(codeOf(await cosyVoice('two', { Audios: 'a1,a2' })), [400, 'InvalidParameter']);
      assert.deepEqual(codeOf(await cosyVoice('none', { Audios: '' })), [400, 'MissingParameter']);
      assert.deepEqual(codeOf(await cosyVoice('model', { Model: 'cosyvoice-v2' })), [400, 'InvalidParameter']);
      assert.deepEqual(codeOf(await cosyVoice('nomodel', { Model: '' })), [400, 'MissingParameter']);
      assert.deepEqual(codeOf(await cosyVoice('', {})), [400, 'MissingParameter']);
      assert.deepEqual(await emulator.admin.jobs(), []);
    });

    it(`refuses voice ${COSYVOICE_VOICE_LIMIT + 1} with ${COSYVOICE_QUOTA_CODE}; deleting a failed job frees its slot`, async () => {
      const jobIds: string[] = [];
      for (let i = 0; i < COSYVOICE_VOICE_LIMIT; i++) jobIds.push(jobIdOf(await cosyVoice(`quota${i}`)));
      // Other editions do not count against CosyVoice's quota.
      jobIdOf(await standard('not counted'));
      const refused = await cosyVoice('one too many');
      assert.deepEqual(codeOf(refused), [400, COSYVOICE_QUOTA_CODE]);
      assert.match(String(refused.body.RequestId), /\S/);
      assert.ok(!(await voiceNames()).includes('one too many'));

      await emulator.admin.finishJob(jobIds[0], { status: 'Fail' });
      assert.deepEqual(codeOf(await cosyVoice('still too many')), [400, COSYVOICE_QUOTA_CODE]);
      await ice.ok('DeleteCustomizedVoiceJob', { JobId: jobIds[0] });
      jobIdOf(await cosyVoice('after delete'));
      assert.deepEqual(codeOf(await cosyVoice('full again')), [400, COSYVOICE_QUOTA_CODE]);
    });

    it('can report and list CosyVoice jobs under Standard instead (the Type is undocumented)', async () => {
      const cosy = jobIdOf(await cosyVoice('as standard'));
      jobIdOf(await standard('standard one'));
      assert.equal((await readJob(cosy)).Type, 'CosyVoice');
      assert.deepEqual(
        (await listJobs({ Type: 'CosyVoice' })).CustomizedVoiceJobList.map((job) => job.VoiceName),
        ['as standard'],
      );
      await emulator.admin.updateSettings({ cosyVoiceJobType: 'Standard' });
      assert.equal((await readJob(cosy)).Type, 'Standard');
      assert.deepEqual(
        (await listJobs({ Type: 'Standard' })).CustomizedVoiceJobList.map((job) => [job.VoiceName, job.Type]),
        [
          ['standard one', 'Standard'],
          ['as standard', 'Standard'],
        ],
      );
      assert.deepEqual(codeOf(await ice.raw('ListCustomizedVoiceJobs', { Type: 'CosyVoice' })), [
        400,
        'InvalidParameter',
      ]);
      await assert.rejects(emulator.admin.updateSettings({ cosyVoiceJobType: 'Basic' as never }), /HTTP 400/);
    });
  });

  it('reads every edition with GetCustomizedVoiceJob and lists each under its own Type (Basic by default)', async () => {
    await submitVoice(ice, 'basicOne');
    jobIdOf(await standard('standardOne'));
    jobIdOf(await cosyVoice('cosyOne'));
    const names = (list: { CustomizedVoiceJobList: JobWire[] }) =>
      list.CustomizedVoiceJobList.map((job) => job.VoiceId);
    const basic = await listJobs({});
    assert.deepEqual([names(basic), basic.TotalCount], [['basicOne'], 1]);
    assert.deepEqual((await listJobs({ Type: 'Basic' })).TotalCount, 1);
    const std = await listJobs({ Type: 'Standard' });
    assert.deepEqual(
      std.CustomizedVoiceJobList.map((job) => [job.VoiceName, job.Type]),
      [['standardOne', 'Standard']],
    );
    const cosy = await listJobs({ Type: 'CosyVoice' });
    assert.deepEqual(
      cosy.CustomizedVoiceJobList.map((job) => [job.VoiceName, job.Type]),
      [['cosyOne', 'CosyVoice']],
    );
    assert.deepEqual(codeOf(await ice.raw('ListCustomizedVoiceJobs', { Type: 'Premium' })), [400, 'InvalidParameter']);

    const voices = await listVoices({ Type: 'Standard' });
    assert.deepEqual(
      voices.CustomizedVoiceList.map((voice) => [voice.VoiceName, voice.Type]),
      [['standardOne', 'Standard']],
    );
    assert.match(voices.CustomizedVoiceList[0].VoiceId, ASSIGNED_VOICE_ID);
    assert.deepEqual(
      (await listVoices({ Type: 'CosyVoice' })).CustomizedVoiceList.map((voice) => voice.Type),
      ['CosyVoice'],
    );
    assert.deepEqual(
      (await listVoices({})).CustomizedVoiceList.map((voice) => voice.VoiceId),
      ['basicOne'],
    );
  });

  describe('DeleteCustomizedVoiceJob', () => {
    it('deletes a job not in Training or Success, of any edition, and frees a Basic VoiceId', async () => {
      const created = (
        await ice.ok('CreateCustomizedVoiceJob', { VoiceId: 'delBasic', Gender: 'male', Scenario: 'story' })
      ).Data as { JobId: string };
      const failed = await submitVoice(ice, 'FailTrainDel');
      await emulator.admin.finishJob(failed);
      assert.equal((await readJob(failed)).Status, 'Fail');
      const preTraining = jobIdOf(await standard('delStandard'));
      for (const jobId of [created.JobId, failed, preTraining]) {
        const deleted = await ice.ok('DeleteCustomizedVoiceJob', { JobId: jobId });
        assert.equal(deleted.Success, true);
        assert.deepEqual(codeOf(await ice.raw('GetCustomizedVoiceJob', { JobId: jobId })), [404, 'JobNotFound']);
      }
      assert.deepEqual(await emulator.admin.jobs(), []);
      assert.deepEqual(codeOf(await ice.raw('GetCustomizedVoice', { VoiceId: 'delBasic' })), [404, 'VoiceNotFound']);
      await ice.ok('CreateCustomizedVoiceJob', { VoiceId: 'delBasic', Gender: 'female', Scenario: 'story' });
    });

    it('refuses a job in Training or Success with InvalidOperation.JobStatus, and an unknown one with JobNotFound', async () => {
      const done = jobIdOf(await cosyVoice('delDone'));
      await emulator.admin.finishJob(done);
      assert.deepEqual(codeOf(await ice.raw('DeleteCustomizedVoiceJob', { JobId: done })), [
        400,
        'InvalidOperation.JobStatus',
      ]);

      const training = await submitVoice(ice, 'delTraining');
      await emulator.admin.updateSettings({ trainingMs: 5_000 }); // Training after 1 s
      await waitFor(async () => ((await readJob(training)).Status === 'Training' ? true : undefined));
      assert.deepEqual(codeOf(await ice.raw('DeleteCustomizedVoiceJob', { JobId: training })), [
        400,
        'InvalidOperation.JobStatus',
      ]);
      await emulator.admin.updateSettings({ trainingMs: 60_000 });
      assert.deepEqual(
        (await emulator.admin.jobs()).map((job) => job.jobId),
        [done, training],
      );
      assert.deepEqual(codeOf(await ice.raw('DeleteCustomizedVoiceJob', { JobId: 'nope' })), [404, 'JobNotFound']);
      assert.deepEqual(codeOf(await ice.raw('DeleteCustomizedVoiceJob', {})), [400, 'MissingParameter']);
    });

    it('a deleted job never ends: no callback, while a job submitted after it does call back', async () => {
      receiver = await harness.captureCallbacks();
      await ice.ok('SetEventCallback', { CallbackURL: receiver.url });
      const deleted = jobIdOf(await cosyVoice('deletedEarly'));
      const kept = jobIdOf(await cosyVoice('keptLater'));
      await ice.ok('DeleteCustomizedVoiceJob', { JobId: deleted });
      await emulator.admin.updateSettings({ trainingMs: 0 });
      const rx = receiver;
      await waitFor(async () => (rx.requests.length > 0 ? true : undefined));
      // The deleted job was due first: its callback, had there been one, would have come before this one.
      assert.deepEqual(
        rx.callbacks().map((callback) => callback.body.MessageBody.JobId),
        [kept],
      );
    });
  });

  describe('UpdateCustomizedVoice', () => {
    it('changes only the demo audio media ID, for a voice of any edition', async () => {
      await ice.ok('CreateCustomizedVoiceJob', {
        VoiceId: 'updBasic',
        Gender: 'female',
        Scenario: 'interaction',
        VoiceName: 'Name',
        VoiceDesc: 'Desc',
      });
      const cosy = (await cosyVoice('updCosy')).body.Data as { VoiceId: string };
      for (const voiceId of ['updBasic', cosy.VoiceId]) {
        const read = async () =>
          (
            (await ice.ok('GetCustomizedVoice', { VoiceId: voiceId })).Data as {
              CustomizedVoice: Record<string, string>;
            }
          ).CustomizedVoice;
        const before = await read();
        const updated = await ice.ok('UpdateCustomizedVoice', {
          VoiceId: voiceId,
          DemoAudioMediaId: `demo-${voiceId}`,
        });
        assert.equal(updated.Success, true);
        assert.deepEqual(await read(), { ...before, DemoAudioMediaId: `demo-${voiceId}` });
      }
      assert.deepEqual(codeOf(await ice.raw('UpdateCustomizedVoice', { VoiceId: 'ghost', DemoAudioMediaId: 'd' })), [
        404,
        'VoiceNotFound',
      ]);
      assert.deepEqual(codeOf(await ice.raw('UpdateCustomizedVoice', { VoiceId: 'updBasic' })), [
        400,
        'MissingParameter',
      ]);
    });
  });

  describe('faults on the new submits', () => {
    it('closeAfterAccept carries the submit out and closes the connection: the job exists although no answer came', async () => {
      await emulator.admin.setFaults({
        operations: {
          SubmitStandardCustomizedVoiceJob: { closeAfterAccept: { count: 1 } },
          SubmitCosyVoiceCustomizedVoiceJob: { closeAfterAccept: { count: 1 } },
        },
      });
      await assert.rejects(standard('closedStd'), /socket hang up|ECONNRESET/);
      await assert.rejects(cosyVoice('closedCosy'), /socket hang up|ECONNRESET/);
      assert.deepEqual((await voiceNames()).sort(), ['closedCosy', 'closedStd']);
      const calls = await emulator.admin.calls();
      assert.deepEqual(
        calls.map((call) => [call.fault, call.performed]),
        [
          ['closeAfterAccept', true],
          ['closeAfterAccept', true],
        ],
      );
    });

    it('omitJobId answers 200 without Data.JobId for both submits (CosyVoice keeps its VoiceId)', async () => {
      await emulator.admin.setFaults({
        operations: {
          SubmitStandardCustomizedVoiceJob: { omitJobId: { count: 1 } },
          SubmitCosyVoiceCustomizedVoiceJob: { omitJobId: { count: 1 } },
        },
      });
      const std = await standard('noJobStd');
      const cosy = await cosyVoice('noJobCosy');
      assert.deepEqual([std.status, std.body.Data], [200, {}]);
      assert.equal(cosy.status, 200);
      assert.deepEqual(Object.keys(cosy.body.Data as object), ['VoiceId']);
      assert.equal((await emulator.admin.jobs()).length, 2);
    });

    it('throttle, serverError and latency apply to them without carrying them out', async () => {
      await emulator.admin.setFaults({
        operations: {
          SubmitStandardCustomizedVoiceJob: { throttle: { count: 1 } },
          SubmitCosyVoiceCustomizedVoiceJob: { serverError: { count: 1 }, latencyMs: 200 },
        },
      });
      assert.deepEqual(codeOf(await standard('throttled')), [400, 'Throttling.User']);
      const started = Date.now();
      assert.deepEqual(codeOf(await cosyVoice('unavailable')), [503, 'ServiceUnavailable']);
      assert.ok(Date.now() - started >= 190);
      assert.deepEqual(await emulator.admin.jobs(), []);
      jobIdOf(await standard('throttledThenOk'));
      jobIdOf(await cosyVoice('unavailableThenOk'));
    });

    it('jobStatusOverrides and failTrainingVoiceIds name a Standard/CosyVoice job by its VoiceName', async () => {
      await emulator.admin.setFaults({
        jobStatusOverrides: [{ voiceId: 'overridden', status: 'Queued', reads: 1 }],
        failTrainingVoiceIds: ['unlucky'],
      });
      const overridden = jobIdOf(await cosyVoice('overridden'));
      assert.equal((await readJob(overridden)).Status, 'Queued');
      assert.equal((await readJob(overridden)).Status, 'PreTraining');
      const unlucky = jobIdOf(await standard('unlucky'));
      await emulator.admin.finishJob(unlucky);
      assert.equal((await readJob(unlucky)).Status, 'Fail');
    });
  });

  it('calls back at the end of every edition’s job with JobId, VoiceId and Status, with no read', async () => {
    receiver = await harness.captureCallbacks();
    await ice.ok('SetEventCallback', { CallbackURL: receiver.url });
    const basic = await submitVoice(ice, 'cbBasic');
    const std = jobIdOf(await standard('cbStandard'));
    const cosyData = (await cosyVoice('FailTrainCosy')).body.Data as { JobId: string; VoiceId: string };
    await emulator.admin.clearCalls();
    await emulator.admin.updateSettings({ trainingMs: 100 });
    const rx = receiver;
    await waitFor(async () => (rx.requests.length === 3 ? true : undefined));
    const bodies = Object.fromEntries(
      rx.callbacks().map((callback) => [callback.body.MessageBody.JobId, callback.body.MessageBody]),
    );
    assert.deepEqual([bodies[basic].VoiceId, bodies[basic].Status], ['cbBasic', 'Success']);
    assert.match(bodies[std].VoiceId, ASSIGNED_VOICE_ID);
    assert.equal(bodies[std].Status, 'Success');
    assert.deepEqual([bodies[cosyData.JobId].VoiceId, bodies[cosyData.JobId].Status], [cosyData.VoiceId, 'Fail']);
    assert.deepEqual(
      (await emulator.admin.calls()).map((call) => call.action),
      [],
      'the clock ended the jobs: no ICE read was needed',
    );
    // What the callbacks said is what reads say.
    for (const [jobId, body] of Object.entries(bodies)) assert.equal((await readJob(jobId)).Status, body.Status);
  });
});
