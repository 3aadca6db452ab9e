/**
 * A 2xx ICE answer without what the clone needs (a read's Status, a submit's JobId) is retried like a transient
 * error, but only so many times: then the clone fails with `UnexpectedIceResponse`, naming the operation, the field
 * and ICE's RequestId. The count is the activity's attempt number, so counting costs no history; retries an
 * attempt spent on other transient errors (throttling, 5xx) count too, which keeps the bound a bound.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_UNEXPECTED_RESPONSE_RETRIES } from '../config';
import { isMissingResponseField, type MissingResponseFieldError } from '../ice/errors';
import type { IceActivityDeps } from './deps';
import { toActivityFailure } from './to-activity-failure';
import { VoiceCloneFailureTypes, type UnexpectedIceResponseDetails } from './types';

export function retryBound(deps: IceActivityDeps): number {
  return deps.unexpectedResponseRetries ?? DEFAULT_UNEXPECTED_RESPONSE_RETRIES;
}

/** Retries made before this answer: earlier attempts of this activity, plus incomplete answers before it (a poll's). */
export function retriesSoFar(earlierAnswers = 0): number {
  return Context.current().info.attempt - 1 + earlierAnswers;
}

export function unexpectedIceResponse(error: MissingResponseFieldError, retries: number): ApplicationFailure {
  const details: UnexpectedIceResponseDetails = {
    operation: error.operation,
    field: error.field,
    requestId: error.requestId ?? '',
    retries,
  };
  return ApplicationFailure.create({
    type: VoiceCloneFailureTypes.UnexpectedIceResponse,
    message:
      `ICE answered ${error.operation} without ${error.field} (missing or not a value ICE's SDK would give), ` +
      `still after ${retries} ${retries === 1 ? 'retry' : 'retries'} [RequestId ${error.requestId}]`,
    nonRetryable: true,
    details: [details],
  });
}

/**
 * Runs an activity's ICE work and converts its failure for Temporal: an incomplete answer stays retryable until
 * `retries` retries have been made, then ends the clone.
 */
export async function withinAnswerBound<T>(retries: number, work: () => Promise<T>, earlierAnswers = 0): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isMissingResponseField(error) && retriesSoFar(earlierAnswers) >= retries) {
      throw unexpectedIceResponse(error, retries);
    }
    throw toActivityFailure(error);
  }
}
