/** Assertions a workflow test needs more than once. */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Awaits `outcome` (a workflow's result, or an activity's), which must fail with an ApplicationFailure: a
 * workflow's as the cause of its WorkflowFailedError, an activity's as thrown. Returns the failure for the test to
 * check its type and details; throws an AssertionError-like Error otherwise.
 */
export async function assertWorkflowFailed(outcome: Promise<unknown>): Promise<ApplicationFailure> {
  const failure = await outcome.then(
    () => {
      throw new Error('expected a failure, but it succeeded');
    },
    (thrown: unknown) => thrown,
  );
  const cause = failure instanceof WorkflowFailedError ? failure.cause : failure;
  if (!(cause instanceof ApplicationFailure)) {
    throw new Error(`expected an ApplicationFailure, got ${String(cause)} (from ${String(failure)})`);
  }
  return cause;
}
