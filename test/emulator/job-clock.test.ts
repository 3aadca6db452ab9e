/**
 * The job clock on its own: training phases computed from the submit time, endings committed once, in due order,
 * by `settle` only, and its one timer firing at the due time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusAt, TrainingClock, type ClockedJob } from '../../src/emulator/job-clock';
import { withWiredEmulator } from './support/emulator';
import { waitFor } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const job = (jobId: string, submittedMs: number): ClockedJob => ({
  jobId,
  status: 'PreTraining',
  submittedAt: new Date(submittedMs).toISOString(),
});

describe('job clock', () => {
  it('shows PreTraining for the first fifth of the training time, then Training, and never an ending itself', () => {
    const submitted = job('a', T0);
    assert.equal(statusAt(submitted, T0, 1_000), 'PreTraining');
    assert.equal(statusAt(submitted, T0 + 199, 1_000), 'PreTraining');
    assert.equal(statusAt(submitted, T0 + 200, 1_000), 'Training');
    assert.equal(statusAt(submitted, T0 + 10_000, 1_000), 'Training', 'only settle ends a job');
    assert.equal(statusAt({ ...submitted, status: 'Success' }, T0, 1_000), 'Success');
    assert.equal(statusAt({ jobId: 'b', status: 'Initialization' }, T0, 1_000), 'Initialization');
  });

  it('settles every due job once, oldest submit first, and stops at the first one not due', () => {
    let now = T0;
    const ended: string[] = [];
    const clock = new TrainingClock<ClockedJob>(
      () => 1_000,
      (due) => ended.push(due.jobId),
      () => now,
    );
    clock.addAll([job('third', T0 + 20), job('first', T0), job('second', T0 + 10)]);
    clock.settle(T0 + 999);
    assert.deepEqual(ended, []);
    clock.settle(T0 + 1_010);
    assert.deepEqual(ended, ['first', 'second']);
    clock.settle(T0 + 1_010);
    assert.deepEqual(ended, ['first', 'second'], 'an ending is committed once');
    assert.deepEqual(
      clock.jobs().map((entry) => entry.jobId),
      ['third'],
    );
    now = T0 + 5_000;
    clock.settle();
    assert.deepEqual(ended, ['first', 'second', 'third']);
    clock.stop();
  });

  it('never ends a removed job, and measures every job against the training time in force', () => {
    const ended: string[] = [];
    let trainingMs = 60_000;
    const clock = new TrainingClock<ClockedJob>(
      () => trainingMs,
      (due) => ended.push(due.jobId),
      () => T0,
    );
    clock.add(job('kept', T0));
    clock.add(job('deleted', T0));
    clock.remove('deleted');
    clock.settle(T0 + 1_000);
    assert.deepEqual(ended, []);
    trainingMs = 500;
    clock.settle(T0 + 1_000);
    assert.deepEqual(ended, ['kept']);
    clock.stop();
  });

  it('fires its one timer at the earliest due time, with no read', async () => {
    const submittedMs = Date.now();
    const ended = new Promise<number>((resolve) => {
      const clock = new TrainingClock<ClockedJob>(
        () => 150,
        () => {
          resolve(Date.now());
          clock.stop();
        },
      );
      clock.add(job('timed', submittedMs));
      clock.arm();
    });
    const endedAt = await ended;
    assert.ok(endedAt >= submittedMs + 150, `ended ${endedAt - submittedMs} ms after submit, before its due time`);
  });

  it('holds a due time past what one Node timer can hold, instead of firing at once again and again', async () => {
    const ended: string[] = [];
    let clockReads = 0;
    const clock = new TrainingClock<ClockedJob>(
      () => 30 * 24 * 3600 * 1000,
      (due) => ended.push(due.jobId),
      () => {
        clockReads++;
        return Date.now();
      },
    );
    clock.add(job('far', Date.now()));
    clock.arm();
    // An uncapped timer fires after 1 ms, settles (nothing due), re-arms and fires again: many clock reads.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(clockReads, 1, 'the timer must not have fired');
    assert.deepEqual(ended, []);
    clock.stop();
  });
});

describe('job clock behind the emulator', () => {
  it('reads and callbacks agree for every edition: one callback per job, saying what every later read says', async () => {
    await withWiredEmulator({ trainingMs: 60_000 }, async (harness) => {
      const { emulator, wire: ice } = harness;
      const receiver = await harness.captureCallbacks();
      await ice.ok('SetEventCallback', { CallbackURL: receiver.url });
      const jobIds: string[] = [];
      for (let i = 0; i < 4; i++) {
        const failing = i % 2 === 0 ? 'FailTrain' : '';
        jobIds.push(await submitVoice(ice, `${failing}clockBasic${i}`));
        const standard = await ice.ok('SubmitStandardCustomizedVoiceJob', {
          VoiceName: `${failing}clockStd${i}`,
          Gender: 'female',
          Authentication: 'auth1',
          Audios: 'm1,m2',
        });
        jobIds.push((standard.Data as { JobId: string }).JobId);
        const cosy = await ice.ok('SubmitCosyVoiceCustomizedVoiceJob', {
          VoiceName: `${failing}clockCosy${i}`,
          Gender: 'male',
          Audios: 'm1',
          Model: 'cosyvoice-v3-flash',
        });
        jobIds.push((cosy.Data as { JobId: string }).JobId);
      }
      await emulator.admin.updateSettings({ trainingMs: 300 });
      const reads = new Map<string, string[]>(jobIds.map((jobId) => [jobId, []]));
      const readAll = async (): Promise<boolean> => {
        let ended = 0;
        for (const jobId of jobIds) {
          const body = await ice.ok('GetCustomizedVoiceJob', { JobId: jobId });
          const status = (body.Data as { CustomizedVoiceJob: { Status: string } }).CustomizedVoiceJob.Status;
          reads.get(jobId)?.push(status);
          if (status === 'Success' || status === 'Fail') ended++;
        }
        return ended === jobIds.length;
      };
      await waitFor(async () => ((await readAll()) ? true : undefined), 15_000, 5);
      await waitFor(async () => (receiver.requests.length >= jobIds.length ? true : undefined));
      await readAll();

      for (const jobId of jobIds) {
        const callbacks = receiver.callbacks().filter((callback) => callback.body.MessageBody.JobId === jobId);
        assert.equal(callbacks.length, 1, `one callback for ${jobId}`);
        const seen = reads.get(jobId) ?? [];
        const firstEnd = seen.findIndex((status) => status === 'Success' || status === 'Fail');
        assert.ok(firstEnd >= 0);
        assert.ok(
          seen.slice(firstEnd).every((status) => status === callbacks[0].body.MessageBody.Status),
          `after the first ending every read says what the callback said: ${seen.join(' ')}`,
        );
        assert.ok(
          seen.slice(0, firstEnd).every((status) => status === 'PreTraining' || status === 'Training'),
          seen.join(' '),
        );
      }
      const fails = receiver.callbacks().filter((callback) => callback.body.MessageBody.Status === 'Fail').length;
      assert.equal(fails, 6);
      assert.equal(receiver.requests.length, jobIds.length, 'no callback twice');
    });
  });
});
