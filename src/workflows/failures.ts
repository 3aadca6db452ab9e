/** Named, non-retryable failures of the clone workflow, and the mapping of activity failures onto them. */
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { VoiceCloneFailureType } from './definitions';

export function voiceCloneFailure(type: VoiceCloneFailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
}

/**
 * What the workflow fails with. A final ICE error reaches the caller as an ApplicationFailure whose type is ICE's
 * Code and whose message carries the RequestId, not wrapped in an ActivityFailure.
 */
export function asWorkflowFailure(error: unknown): unknown {
  if (isCancellation(error)) return error;
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    const cause = error.cause;
    return ApplicationFailure.create({
      type: cause.type ?? 'ActivityFailed',
      message: cause.message,
      nonRetryable: true,
      details: cause.details ?? [],
    });
  }
  return error;
}

export function failureSummary(error: unknown): { type: string; message: string } {
  if (error instanceof ApplicationFailure) return { type: error.type ?? 'ApplicationFailure', message: error.message };
  if (isCancellation(error)) return { type: 'Cancelled', message: 'the clone workflow was cancelled' };
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { type: 'Error', message: String(error) };
}
