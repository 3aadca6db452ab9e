import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator';
import { startWiredEmulator, type WiredEmulator } from './support/emulator';
import { waitFor, type WireClient } from './support/ice-wire';

interface JobWire {
  JobId: string;
  VoiceId: string;
  Status: string;
  Message: string;
  Type: string;
  CreateTime: string;
  GmtCreate?: string;
}

describe('voice job state machine', () => {
  let harness: WiredEmulator;
  let emulator: RunningEmulator;
  let ice: WireClient;

  before(async () => {
    harness = await startWiredEmulator({ trainingMs: 60_000 });
    ({ emulator, wire: ice } = harness);
  });
  after(() => harness.close());
  beforeEach(() => emulator.admin.reset());

  const create = async (voiceId: string): Promise<string> => {
    const body = await ice.ok('CreateCustomizedVoiceJob', { VoiceId: voiceId, Gender: 'female', Scenario: 'story' });
    const data = body.Data as { JobId: string; VoiceId: string };
    assert.equal(data.VoiceId, voiceId);
    assert.match(data.JobId, /^[0-9a-f]{32}$/);
    assert.equal(body.Success, true);
    return data.JobId;
  };
  const jobStatus = async (jobId: string): Promise<JobWire> =>
    ((await ice.ok('GetCustomizedVoiceJob', { JobId: jobId })).Data as { CustomizedVoiceJob: JobWire })
      .CustomizedVoiceJob;
  const detect = (voiceId: string, id: number, url = `https://b.oss-cn-shanghai.aliyuncs.com/${voiceId}/${id}.wav`) =>
    ice.raw('DetectAudioForCustomizedVoiceJob', { VoiceId: voiceId, RecordUrl: url, AudioRecordId: String(id) });

  it('serves 20 demonstration sentences with AudioId 1..20', async () => {
    const body = await ice.ok('GetDemonstrationForCustomizedVoiceJob', { Scenario: 'interaction' });
    const list = (body.Data as { DemonstrationList: { AudioId: number; Text: string; DemoAudio: string }[] })
      .DemonstrationList;
    assert.deepEqual(
      list.map((item) => item.AudioId),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const item of list) {
      assert.ok(item.Text.length > 0);
      assert.match(item.DemoAudio, /^https:\/\//);
    }
    const bad = await ice.raw('GetDemonstrationForCustomizedVoiceJob', { Scenario: 'opera' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.Code, 'InvalidParameter');
  });

  it('walks Initialization → AudioDetecting → PreTraining → Training → Success', async () => {
    const jobId = await create('voiceOk1');
    const created = await jobStatus(jobId);
    assert.equal(created.Status, 'Initialization');
    assert.equal(created.Type, 'Basic');
    assert.match(created.CreateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const detection = await detect('voiceOk1', 1);
    assert.equal(detection.status, 200);
    assert.deepEqual(detection.body.Data, { Pass: true, Reason: '' });
    assert.equal((await jobStatus(jobId)).Status, 'AudioDetecting');

    const submitted = await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: 'voiceOk1' });
    assert.deepEqual(submitted.Data, { JobId: jobId, VoiceId: 'voiceOk1' });
    assert.equal((await jobStatus(jobId)).Status, 'PreTraining');

    await emulator.admin.updateSettings({ trainingMs: 400 });
    await waitFor(async () => ((await jobStatus(jobId)).Status === 'Training' ? true : undefined));
    const done = await waitFor(async () => {
      const job = await jobStatus(jobId);
      return job.Status === 'Success' ? job : undefined;
    });
    assert.equal(done.Message, '');
    const [adminJob] = await emulator.admin.jobs();
    assert.equal(adminJob.submitCount, 1);
    assert.deepEqual(adminJob.passedAudioRecordIds, [1]);
    assert.ok(adminJob.finishedAt);
    await emulator.admin.updateSettings({ trainingMs: 60_000 });
  });

  it('fails detection deterministically for a recordUrl containing "fail-detection"', async () => {
    await create('voiceDet1');
    const failed = await detect('voiceDet1', 2, 'https://b.oss/fail-detection/2.wav');
    assert.equal(failed.status, 200);
    const data = failed.body.Data as { Pass: boolean; Reason: string };
    assert.equal(data.Pass, false);
    assert.ok(data.Reason.length > 0);
    const [job] = await emulator.admin.jobs();
    assert.equal(job.status, 'AudioDetecting');
    assert.deepEqual(job.passedAudioRecordIds, []);
  });

  it('needs an existing voice for detection, submit and queries', async () => {
    const detection = await detect('ghostVoice', 1);
    assert.equal(detection.status, 404);
    assert.equal(detection.body.Code, 'VoiceNotFound');
    const submit = await ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'ghostVoice' });
    assert.equal(submit.body.Code, 'VoiceNotFound');
    const job = await ice.raw('GetCustomizedVoiceJob', { JobId: 'nope' });
    assert.equal(job.status, 404);
    assert.equal(job.body.Code, 'JobNotFound');
    const missing = await ice.raw('GetCustomizedVoiceJob', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.Code, 'MissingParameter');
  });

  it('refuses submit without a passed detection, while training and after success', async () => {
    await create('voiceTwice');
    const noAudio = await ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'voiceTwice' });
    assert.equal(noAudio.status, 400);
    assert.equal(noAudio.body.Code, 'InvalidOperation.NoPassedAudio');
    await detect('voiceTwice', 1, 'https://b.oss/fail-detection.wav');
    assert.equal(
      (await ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'voiceTwice' })).body.Code,
      'InvalidOperation.NoPassedAudio',
    );

    await detect('voiceTwice', 1);
    await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: 'voiceTwice' });
    const whileTraining = await ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'voiceTwice' });
    assert.equal(whileTraining.status, 400);
    assert.equal(whileTraining.body.Code, 'InvalidOperation.JobStatus');

    const [job] = await emulator.admin.jobs();
    await emulator.admin.finishJob(job.jobId);
    const afterSuccess = await ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'voiceTwice' });
    assert.equal(afterSuccess.body.Code, 'InvalidOperation.JobStatus');
    assert.equal((await emulator.admin.jobs())[0].submitCount, 1);
  });

  it('fails training for FailTrain* voices and for faults.failTrainingVoiceIds, and allows a resubmit after Fail', async () => {
    await emulator.admin.setFaults({ failTrainingVoiceIds: ['unluckyVoice'] });
    for (const voiceId of ['FailTrainA', 'unluckyVoice', 'luckyVoice']) {
      await create(voiceId);
      await detect(voiceId, 1);
      await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: voiceId });
    }
    for (const job of await emulator.admin.jobs()) await emulator.admin.finishJob(job.jobId);
    const statuses = Object.fromEntries((await emulator.admin.jobs()).map((job) => [job.voiceId, job]));
    assert.equal(statuses.FailTrainA.status, 'Fail');
    assert.ok(statuses.FailTrainA.message.length > 0);
    assert.equal(statuses.unluckyVoice.status, 'Fail');
    assert.equal(statuses.luckyVoice.status, 'Success');

    const again = await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: 'FailTrainA' });
    assert.equal((again.Data as { JobId: string }).JobId, statuses.FailTrainA.jobId);
    const resubmitted = (await emulator.admin.jobs()).find((job) => job.voiceId === 'FailTrainA');
    assert.equal(resubmitted?.status, 'PreTraining');
    assert.equal(resubmitted?.submitCount, 2);
  });

  it('counts jobs by status without listing them, as the list would', async () => {
    await create('countCreated');
    await create('countDetected');
    await detect('countDetected', 1);
    for (const voiceId of ['countSubmitted', 'countTrained']) {
      await create(voiceId);
      await detect(voiceId, 1);
      await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: voiceId });
    }
    const trained = (await emulator.admin.jobs()).find((job) => job.voiceId === 'countTrained');
    await emulator.admin.finishJob(trained?.jobId ?? '');

    const counts = await emulator.admin.jobCounts();
    const listed = await emulator.admin.jobs();
    assert.equal(counts.jobs, 4);
    assert.equal(counts.submitted, 2);
    const byStatus: Record<string, number> = {};
    for (const job of listed) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
    assert.deepEqual(counts.byStatus, byStatus);
    assert.equal(counts.byStatus.Initialization, 1);
    assert.equal(counts.byStatus.AudioDetecting, 1);
    assert.equal(counts.byStatus.Success, 1);
  });

  it('lets the admin API end training with a chosen outcome, once', async () => {
    const jobId = await create('voiceAdmin');
    await detect('voiceAdmin', 3);
    await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: 'voiceAdmin' });
    await emulator.admin.finishJob(jobId, { status: 'Fail', message: 'chosen failure' });
    const job = await jobStatus(jobId);
    assert.equal(job.Status, 'Fail');
    assert.equal(job.Message, 'chosen failure');
    await assert.rejects(emulator.admin.finishJob(jobId), /409/);
    await assert.rejects(emulator.admin.finishJob('unknown-job'), /404/);
  });

  it('refuses a duplicate VoiceId and invalid create parameters', async () => {
    await create('voiceDup');
    const duplicate = await ice.raw('CreateCustomizedVoiceJob', {
      VoiceId: 'voiceDup',
      Gender: 'male',
      Scenario: 'story',
    });
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.Code, 'VoiceIdAlreadyExists');
    const badId = await ice.raw('CreateCustomizedVoiceJob', { VoiceId: 'bad-id!', Gender: 'male', Scenario: 'story' });
    assert.equal(badId.body.Code, 'InvalidParameter');
    const noGender = await ice.raw('CreateCustomizedVoiceJob', { VoiceId: 'v2', Scenario: 'story' });
    assert.equal(noGender.body.Code, 'MissingParameter');
  });

  it('lists jobs and voices newest first with paging, PageSize at most 100', async () => {
    for (const voiceId of ['listA', 'listB', 'listC']) await create(voiceId);
    const page1 = (await ice.ok('ListCustomizedVoiceJobs', { PageNo: '1', PageSize: '2' })).Data as {
      CustomizedVoiceJobList: JobWire[];
      TotalCount: number;
    };
    assert.equal(page1.TotalCount, 3);
    assert.deepEqual(
      page1.CustomizedVoiceJobList.map((job) => job.VoiceId),
      ['listC', 'listB'],
    );
    assert.ok(page1.CustomizedVoiceJobList[0].GmtCreate);
    const page2 = (await ice.ok('ListCustomizedVoiceJobs', { PageNo: '2', PageSize: '2' })).Data as {
      CustomizedVoiceJobList: JobWire[];
    };
    assert.deepEqual(
      page2.CustomizedVoiceJobList.map((job) => job.VoiceId),
      ['listA'],
    );
    const standard = (await ice.ok('ListCustomizedVoiceJobs', { Type: 'Standard' })).Data as { TotalCount: number };
    assert.equal(standard.TotalCount, 0);
    const tooBig = await ice.raw('ListCustomizedVoiceJobs', { PageSize: '101' });
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.body.Code, 'InvalidParameter');

    const voices = (await ice.ok('ListCustomizedVoices', {})).Data as {
      CustomizedVoiceList: { VoiceId: string; Type: string }[];
      TotalCount: number;
    };
    assert.deepEqual(
      voices.CustomizedVoiceList.map((voice) => voice.VoiceId),
      ['listC', 'listB', 'listA'],
    );
    const voice = (await ice.ok('GetCustomizedVoice', { VoiceId: 'listB' })).Data as {
      CustomizedVoice: Record<string, string>;
    };
    assert.deepEqual(Object.keys(voice.CustomizedVoice).sort(), [
      'DemoAudioMediaId',
      'Gender',
      'Scenario',
      'VoiceDesc',
      'VoiceId',
      'VoiceName',
    ]);
  });

  it('stores and returns the event callback settings, and keeps the AuthKey out of the call log', async () => {
    await ice.ok('SetEventCallback', {
      CallbackType: 'HTTP',
      CallbackURL: 'https://receiver.example.com/ice/callback',
      EventTypeList: 'CustomizedVoiceJobComplete',
      AuthSwitch: 'on',
      AuthKey: 'SecretKey123',
    });
    const settings = await ice.ok('GetEventCallback');
    assert.equal(settings.CallbackURL, 'https://receiver.example.com/ice/callback');
    assert.equal(settings.AuthSwitch, 'on');
    assert.equal(settings.AuthKey, 'SecretKey123');
    assert.equal(settings.EventTypeList, 'CustomizedVoiceJobComplete');
    const logged = (await emulator.admin.calls()).find((call) => call.action === 'SetEventCallback');
    assert.equal(logged?.params.AuthKey, '[redacted]');
    assert.ok(!JSON.stringify(await emulator.admin.calls()).includes('SecretKey123'));
    const weakKey = await ice.raw('SetEventCallback', {
      CallbackURL: 'https://x.example.com/',
      AuthSwitch: 'on',
      AuthKey: 'weak',
    });
    assert.equal(weakKey.body.Code, 'InvalidParameter');
  });

  it('answers an unknown action like the gateway does', async () => {
    const response = await ice.raw('DeleteEverything', {});
    assert.equal(response.status, 404);
    assert.equal(response.body.Code, 'InvalidAction.NotFound');
  });
});
