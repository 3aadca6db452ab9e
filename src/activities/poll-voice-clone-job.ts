import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { TERMINAL_VOICE_JOB_STATUSES } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import { callIce } from './to-activity-failure';
import { TRAINING_IN_PROGRESS_FAILURE_TYPE, type PolledVoiceJob, type TrainingInProgressDetails } from './types';

/**
 * One GetCustomizedVoiceJob read per attempt. While training runs it fails with a retryable `TrainingInProgress`,
 * so the workflow polls through Temporal's activity retries (backoff up to the maximum interval) and a day of
 * polling costs a handful of history events instead of several per read. The failure is expected, so BENIGN: the
 * SDK logs it at DEBUG (not a WARN with a stack trace per read) and counts no failed activity in its metrics.
 */
export function createPollVoiceCloneJob({ ice }: IceActivityDeps) {
  return async function pollVoiceCloneJob(input: { jobId: string }): Promise<PolledVoiceJob> {
    const attempt = Context.current().info.attempt;
    const response = await callIce(() => ice.getCustomizedVoiceJob({ jobId: input.jobId }));
    const job = toSnapshot(response.customizedVoiceJob, response.requestId);
    if (TERMINAL_VOICE_JOB_STATUSES.includes(job.status)) return { job, attempt };
    const details: TrainingInProgressDetails = { jobId: job.jobId, status: job.status, attempt, readAt: job.readAt };
    throw ApplicationFailure.create({
      message: `voice job ${job.jobId} is still ${job.status} (read ${attempt}) [RequestId ${job.requestId}]`,
      type: TRAINING_IN_PROGRESS_FAILURE_TYPE,
      details: [details],
      nonRetryable: false,
      category: ApplicationFailureCategory.BENIGN,
    });
  };
}
