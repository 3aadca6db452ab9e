/**
 * The poll activity reads the job once per attempt and fails while training runs, so that Temporal's retries do
 * the polling. That failure is expected, so it is BENIGN: the SDK logs it at DEBUG instead of a WARN with a stack
 * trace for every read of a half-hour training, and records no failure metric. Real emulator, real signed client,
 * the SDK's activity environment with its logger captured.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { createPollVoiceCloneJob } from '../../src/activities/poll-voice-clone-job';
import { TRAINING_IN_PROGRESS_FAILURE_TYPE, type PolledVoiceJob } from '../../src/activities/types';
import { type RunningEmulator, emulatorIceClient } from '../../src/emulator';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { type IceClient } from '../../src/ice';

let harness: IceHarness;

let emulator: RunningEmulator;
let ice: IceClient;

before(async () => {
  harness = await startTestEmulator({ trainingMs: 60_000 });
  emulator = harness.emulator;
  ice = emulatorIceClient(emulator, 3_000);
});
after(() => harness.close());

async function submittedJob(voiceId: string): Promise<string> {
  const { jobId } = await ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
  await ice.detectAudioForCustomizedVoiceJob({
    voiceId,
    audioRecordId: 1,
    recordUrl: 'https://bucket.oss-cn-shanghai.aliyuncs.com/voice/1.wav',
  });
  await ice.submitCustomizedVoiceJob({ voiceId });
  return jobId;
}

function activityEnvironment(attempt: number): { env: MockActivityEnvironment; logs: LogEntry[] } {
  const logs: LogEntry[] = [];
  const logger = new DefaultLogger('TRACE', (entry) => logs.push(entry));
  return { env: new MockActivityEnvironment({ attempt }, { logger }), logs };
}

describe('pollVoiceCloneJob', () => {
  const poll = () => createPollVoiceCloneJob({ ice });

  it('fails a read of a job still training as retryable and benign, logged at DEBUG only', async () => {
    const jobId = await submittedJob('PollBenign01');
    const { env, logs } = activityEnvironment(3);
    const failure = await env.run(poll(), { jobId }).then(
      () => assert.fail('a job in training must fail the attempt'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, TRAINING_IN_PROGRESS_FAILURE_TYPE);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.category, ApplicationFailureCategory.BENIGN);
    assert.equal((failure.details?.[0] as { attempt: number }).attempt, 3);
    assert.match(failure.message, /is still (PreTraining|Training) \(read 3\) \[RequestId \S+\]/);
    const failedLogs = logs.filter((entry) => entry.message === 'Activity failed');
    assert.deepEqual(
      failedLogs.map((entry) => entry.level),
      ['DEBUG'],
    );
    assert.deepEqual(
      logs.filter((entry) => entry.level === 'WARN' || entry.level === 'ERROR'),
      [],
    );
  });

  it('returns the job once training has ended, with the attempt that read it', async () => {
    const jobId = await submittedJob('PollBenign02');
    await emulator.admin.finishJob(jobId, { status: 'Success' });
    const { env } = activityEnvironment(2);
    const polled = (await env.run(poll(), { jobId })) as PolledVoiceJob;
    assert.equal(polled.job.status, 'Success');
    assert.equal(polled.attempt, 2);
  });
});
