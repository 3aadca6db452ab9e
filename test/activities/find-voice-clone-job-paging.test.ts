/**
 * The voice lookup pages ListCustomizedVoiceJobs (100 jobs a page) until it meets the voice's job. A retried submit
 * relies on it to adopt a job an earlier attempt got accepted, so an account with more than 100 jobs must not hide
 * the voice. Real emulator, real signed client; the pages read are counted from the emulator's call log.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { lookUpNewestVoiceJob } from '../../src/activities/find-voice-clone-job';
import { createSubmitVoiceCloneJob } from '../../src/activities/submit-voice-clone-job';
import type { SubmittedVoiceJob, SubmitVoiceCloneJobInput } from '../../src/activities/types';
import { type RunningEmulator, emulatorIceClient } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { type IceClient } from '../../src/ice';

/** Jobs created after the target: with 100 a page, the target is the 151st job listed, on page 2. */
const NEWER_JOBS = 150;
const TARGET = 'PagingTarget01';
const NEVER_CREATED = 'PagingNobody01';

let harness: IceHarness;

let emulator: RunningEmulator;
let ice: IceClient;
let targetJobId: string;

before(async () => {
  harness = await startTestEmulator({ trainingMs: 600_000 });
  emulator = harness.emulator;
  ice = emulatorIceClient(emulator, 3_000);
  // The target first: the emulator lists newest first, so every later job pushes it down.
  // ASSUMPTION (docs/ice-api.md#list-jobs): ICE lists newest first too; the lookup does not rely on it.
  ({ jobId: targetJobId } = await ice.createCustomizedVoiceJob({
    voiceId: TARGET,
    gender: 'female',
    scenario: 'story',
  }));
  await ice.detectAudioForCustomizedVoiceJob({
    voiceId: TARGET,
    audioRecordId: 1,
    recordUrl: 'https://bucket.oss-cn-shanghai.aliyuncs.com/paging/1.wav',
  });
  for (let offset = 0; offset < NEWER_JOBS; offset += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        ice.createCustomizedVoiceJob({
          voiceId: `PagingNewer${String(offset + index).padStart(3, '0')}`,
          gender: 'male',
          scenario: 'interaction',
        }),
      ),
    );
  }
});
after(() => harness.close());
beforeEach(() => emulator.admin.clearCalls());

/** The PageNo of every ListCustomizedVoiceJobs call since the last clear, in order. */
async function pagesRead(): Promise<number[]> {
  return (await emulator.admin.calls())
    .filter((call) => call.action === 'ListCustomizedVoiceJobs' && call.performed)
    .map((call) => Number(call.params.PageNo));
}

describe('voice lookup past the first page', () => {
  it('the target really is past page 1 (the setup this file relies on)', async () => {
    const first = await ice.listCustomizedVoiceJobs({ pageNo: 1, pageSize: 100, type: 'Basic' });
    assert.equal(first.totalCount, NEWER_JOBS + 1);
    assert.equal(first.customizedVoiceJobList.length, 100);
    assert.ok(!first.customizedVoiceJobList.some((job) => job.voiceId === TARGET), 'target on page 1');
  });

  it('finds a voice whose job is on page 2, reading pages 1 and 2 only', async () => {
    const { job } = await lookUpNewestVoiceJob(ice, TARGET);
    assert.equal(job?.jobId, targetJobId);
    assert.equal(job?.voiceId, TARGET);
    assert.deepEqual(await pagesRead(), [1, 2]);
  });

  it('reads every page for a voice ICE has no job for, then stops: null', async () => {
    const { job } = await lookUpNewestVoiceJob(ice, NEVER_CREATED);
    assert.equal(job, null);
    assert.deepEqual(await pagesRead(), [1, 2]);
  });

  it('a retried submit adopts the job an earlier attempt got accepted, found on page 2: no second submit', async () => {
    await ice.submitCustomizedVoiceJob({ voiceId: TARGET }); // the earlier attempt, whose answer was lost
    await emulator.admin.clearCalls();
    const env = new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('WARN') });
    const input: SubmitVoiceCloneJobInput = {
      voiceId: TARGET,
      seenJob: { jobId: targetJobId, status: 'Initialization' },
    };
    const submitted = (await env.run(createSubmitVoiceCloneJob({ ice }), input)) as SubmittedVoiceJob;
    assert.equal(submitted.adopted, true);
    assert.equal(submitted.jobId, targetJobId);
    assert.deepEqual(await pagesRead(), [1, 2]);
    const calls = await emulator.admin.calls();
    assert.deepEqual(
      calls.filter((call) => call.action === 'SubmitCustomizedVoiceJob'),
      [],
      'the retry submitted again',
    );
  });
});
