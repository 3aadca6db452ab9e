import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { isMissingResponseField } from '../ice/errors';
import { isKnownVoiceJobStatus, isTerminalVoiceJobStatus } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import { toActivityFailure } from './to-activity-failure';
import {
  INCOMPLETE_ICE_ANSWER_FAILURE_TYPE,
  TRAINING_IN_PROGRESS_FAILURE_TYPE,
  type IncompleteIceAnswerDetails,
  type PolledVoiceJob,
  type PollVoiceCloneJobInput,
  type TrainingInProgressDetails,
} from './types';
import { retryBound, unexpectedIceResponse } from './unexpected-responses';

/** A poll stops for at most this many different unknown statuses (each stop costs the workflow a few events). */
export const MAX_REPORTED_UNKNOWN_STATUSES = 5;

/**
 * One GetCustomizedVoiceJob read per attempt. While training runs it fails with a retryable `TrainingInProgress`,
 * so the workflow polls through Temporal's activity retries (backoff up to the maximum interval) and a day of
 * polling costs a handful of history events instead of several per read. The failure is expected, so BENIGN: the
 * SDK logs it at DEBUG (not a WARN with a stack trace per read) and counts no failed activity in its metrics.
 *
 * A Status this package does not know means "not finished" (docs/ice-api.md#job-fields), but the poll returns it
 * the first time it reads it, so that the clone's status and Web UI show it while polling goes on. A read without
 * a Status ends the poll (`IncompleteIceAnswer`): the attempt number here counts reads, not such answers, so the
 * workflow re-reads with the bounded retries of readVoiceCloneJob.
 */
export function createPollVoiceCloneJob(deps: IceActivityDeps) {
  const retries = retryBound(deps);
  return async function pollVoiceCloneJob(input: PollVoiceCloneJobInput): Promise<PolledVoiceJob> {
    const attempt = Context.current().info.attempt;
    let response;
    try {
      response = await deps.ice.getCustomizedVoiceJob({ jobId: input.jobId });
    } catch (error) {
      if (!isMissingResponseField(error)) throw toActivityFailure(error);
      if (retries === 0) throw unexpectedIceResponse(error, 0);
      const details: IncompleteIceAnswerDetails = {
        jobId: input.jobId,
        attempt,
        operation: error.operation,
        field: error.field,
        requestId: error.requestId ?? '',
      };
      throw ApplicationFailure.create({
        message: `${error.message} (read ${attempt} of the poll): the workflow reads again, ${retries} retries at most`,
        type: INCOMPLETE_ICE_ANSWER_FAILURE_TYPE,
        details: [details],
        nonRetryable: true,
      });
    }
    const job = toSnapshot(response.customizedVoiceJob, response.requestId);
    if (isTerminalVoiceJobStatus(job.status) || reportsNew(job.status, input.reportedStatuses ?? [])) {
      return { job, attempt };
    }
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

function reportsNew(status: string, reported: readonly string[]): boolean {
  return (
    !isKnownVoiceJobStatus(status) && !reported.includes(status) && reported.length < MAX_REPORTED_UNKNOWN_STATUSES
  );
}
