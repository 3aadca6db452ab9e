import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COSYVOICE_QUOTA_CODE, COSYVOICE_VOICE_LIMIT } from '../../src/emulator';
import { startWiredEmulator, withWiredEmulator } from './support/emulator';
import { waitFor } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

describe('state file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ice-emulator-state-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps voices, jobs and callback settings across a restart, and finishes training that was under way', async () => {
    const stateFile = path.join(dir, 'nested', 'state.json');
    const first = await startWiredEmulator({ stateFile, trainingMs: 60_000 });
    const ice1 = first.wire;
    const doneJob = await submitVoice(ice1, 'persistDone');
    await first.emulator.admin.finishJob(doneJob);
    const trainingJob = await submitVoice(ice1, 'persistTraining');
    await ice1.ok('CreateCustomizedVoiceJob', { VoiceId: 'persistNew', Gender: 'female', Scenario: 'story' });
    await ice1.ok('SetEventCallback', {
      CallbackURL: 'https://receiver.example.com/cb',
      AuthSwitch: 'on',
      AuthKey: 'Abc123xyz',
    });
    const before = await first.emulator.admin.jobs();
    await first.close();

    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { version: number };
    assert.equal(saved.version, 1);
    assert.deepEqual(
      (await readdir(path.dirname(stateFile))).filter((name) => name.endsWith('.tmp')),
      [],
      'no temp files left behind',
    );

    // Restart with a training time the stored job has already passed (submitted moments ago + 1.5 s).
    await withWiredEmulator({ stateFile, trainingMs: 1_500 }, async ({ emulator: second, wire: ice2 }) => {
      const restored = await second.admin.jobs();
      assert.deepEqual(
        restored.map((job) => [job.voiceId, job.jobId, job.submitCount]),
        before.map((job) => [job.voiceId, job.jobId, job.submitCount]),
      );
      const byVoice = Object.fromEntries(restored.map((job) => [job.voiceId, job]));
      assert.equal(byVoice.persistDone.status, 'Success');
      assert.equal(byVoice.persistNew.status, 'Initialization');
      assert.ok(['PreTraining', 'Training'].includes(byVoice.persistTraining.status));

      const finished = await waitFor(async () => {
        const body = await ice2.ok('GetCustomizedVoiceJob', { JobId: trainingJob });
        const job = (body.Data as { CustomizedVoiceJob: { Status: string } }).CustomizedVoiceJob;
        return job.Status === 'Success' ? job : undefined;
      }, 10_000);
      assert.equal(finished.Status, 'Success');
      const restoredJob = (await second.admin.jobs()).find((job) => job.jobId === trainingJob);
      assert.ok(restoredJob?.submittedAt && restoredJob.finishedAt);
      assert.ok(Date.parse(restoredJob.finishedAt) >= Date.parse(restoredJob.submittedAt) + 1_500);

      const callback = await ice2.ok('GetEventCallback');
      assert.equal(callback.CallbackURL, 'https://receiver.example.com/cb');
      // A persisted voice still blocks a duplicate create and a second submit.
      const dup = await ice2.raw('SubmitCustomizedVoiceJob', { VoiceId: 'persistDone' });
      assert.equal(dup.body.Code, 'InvalidOperation.JobStatus');
    });
    await withWiredEmulator({ stateFile }, async ({ emulator: third }) => {
      const job = (await third.admin.jobs()).find((entry) => entry.jobId === trainingJob);
      assert.equal(job?.status, 'Success', 'the finish was persisted too');
    });
  });

  it('keeps Standard and CosyVoice jobs across a restart: their voices, the quota they hold, and training under way', async () => {
    const stateFile = path.join(dir, 'editions.json');
    const first = await startWiredEmulator({ stateFile, trainingMs: 60_000 });
    const ice1 = first.wire;
    const standard = await ice1.ok('SubmitStandardCustomizedVoiceJob', {
      VoiceName: 'persisted standard',
      Gender: 'female',
      Authentication: 'auth1',
      Audios: 'm1,m2',
    });
    const standardJob = (standard.Data as { JobId: string }).JobId;
    for (let i = 0; i < COSYVOICE_VOICE_LIMIT; i++) {
      await ice1.ok('SubmitCosyVoiceCustomizedVoiceJob', {
        VoiceName: `persisted cosy ${i}`,
        Gender: 'male',
        Audios: 'm1',
        Model: 'cosyvoice-v3.5-plus',
      });
    }
    const before = await first.emulator.admin.jobs();
    await first.close();

    await withWiredEmulator({ stateFile, trainingMs: 1_000 }, async ({ emulator: second, wire: ice2 }) => {
      const restored = await second.admin.jobs();
      assert.deepEqual(
        restored.map((job) => [job.jobId, job.voiceId, job.edition, job.voiceName, job.model]),
        before.map((job) => [job.jobId, job.voiceId, job.edition, job.voiceName, job.model]),
      );
      const refused = await ice2.raw('SubmitCosyVoiceCustomizedVoiceJob', {
        VoiceName: 'over quota',
        Gender: 'male',
        Audios: 'm1',
        Model: 'cosyvoice-v3-plus',
      });
      assert.equal(refused.body.Code, COSYVOICE_QUOTA_CODE, 'the restored voices still hold the quota');
      const finished = await waitFor(async () => {
        const body = await ice2.ok('GetCustomizedVoiceJob', { JobId: standardJob });
        const job = (body.Data as { CustomizedVoiceJob: { Status: string; Type: string; VoiceId: string } })
          .CustomizedVoiceJob;
        return job.Status === 'Success' ? job : undefined;
      });
      assert.deepEqual([finished.Type, finished.VoiceId], ['Standard', before[0].voiceId]);
    });
  });

  it('reads a state file written before the editions existed: its jobs are Basic', async () => {
    const stateFile = path.join(dir, 'old.json');
    const createTime = '2026-01-01T00:00:00Z';
    await writeFile(
      stateFile,
      JSON.stringify({
        version: 1,
        book: {
          seq: 1,
          voices: [
            {
              voiceId: 'oldVoice',
              voiceName: 'Old',
              voiceDesc: '',
              gender: 'male',
              scenario: 'story',
              type: 'Basic',
              demoAudioMediaId: '',
              createTime,
              seq: 1,
            },
          ],
          jobs: [
            {
              jobId: 'a'.repeat(32),
              voiceId: 'oldVoice',
              status: 'Success',
              message: '',
              createTime,
              submittedAt: '2026-01-01T00:00:01.000Z',
              finishedAt: '2026-01-01T00:00:02.000Z',
              submitCount: 1,
              passedAudioRecordIds: [1],
              seq: 1,
            },
          ],
        },
      }),
    );
    await withWiredEmulator({ stateFile }, async ({ emulator, wire: ice }) => {
      const body = await ice.ok('GetCustomizedVoiceJob', { JobId: 'a'.repeat(32) });
      const job = (body.Data as { CustomizedVoiceJob: Record<string, string> }).CustomizedVoiceJob;
      assert.deepEqual([job.Type, job.Status, job.VoiceName, job.Gender], ['Basic', 'Success', 'Old', 'male']);
      const [emulated] = await emulator.admin.jobs();
      assert.deepEqual([emulated.edition, emulated.voiceName], ['Basic', 'Old']);
    });
  });
});
