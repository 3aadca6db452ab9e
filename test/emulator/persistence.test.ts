import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMULATOR_DEV_CREDENTIALS } from '../../src/config';
import { startEmulator } from '../../src/emulator';
import { waitFor, wireClient } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

describe('state file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ice-emulator-state-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps voices, jobs and callback settings across a restart, and finishes training that was under way', async () => {
    const stateFile = path.join(dir, 'nested', 'state.json');
    const first = await startEmulator({ stateFile, trainingMs: 60_000 });
    const ice1 = wireClient(first.url, EMULATOR_DEV_CREDENTIALS);
    const doneJob = await submitVoice(ice1, 'persistDone');
    await first.admin.finishJob(doneJob);
    const trainingJob = await submitVoice(ice1, 'persistTraining');
    await ice1.ok('CreateCustomizedVoiceJob', { VoiceId: 'persistNew', Gender: 'female', Scenario: 'story' });
    await ice1.ok('SetEventCallback', {
      CallbackURL: 'https://receiver.example.com/cb',
      AuthSwitch: 'on',
      AuthKey: 'Abc123xyz',
    });
    const before = await first.admin.jobs();
    await first.close();

    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { version: number };
    assert.equal(saved.version, 1);
    assert.deepEqual(
      (await readdir(path.dirname(stateFile))).filter((name) => name.endsWith('.tmp')),
      [],
      'no temp files left behind',
    );

    // Restart with a training time the stored job has already passed (submitted moments ago + 1.5 s).
    const second = await startEmulator({ stateFile, trainingMs: 1_500 });
    try {
      const ice2 = wireClient(second.url, EMULATOR_DEV_CREDENTIALS);
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
    } finally {
      await second.close();
    }
    const third = await startEmulator({ stateFile });
    try {
      const job = (await third.admin.jobs()).find((entry) => entry.jobId === trainingJob);
      assert.equal(job?.status, 'Success', 'the finish was persisted too');
    } finally {
      await third.close();
    }
  });
});
