/**
 * How a clone's workflow that the batch did not start (a voice already being cloned by its own run) ended. Temporal
 * has no workflow command to await another workflow's result, so the batch asks through this activity: while the
 * clone runs, an attempt fails retryable and the activity's retry policy is the polling schedule (no history event per
 * attempt, no worker slot held between attempts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowClient, WorkflowFailedError } from '@temporalio/client';
import type { CloneOutcome } from '../workflows/batch-report';
import type { VoiceCloneResult } from '../workflows/definitions';
import type { SearchAttributeDeps } from './list-registered-search-attributes';

/** Type of the retryable failure of an attempt that found the clone still running. */
export const CLONE_STILL_RUNNING_FAILURE_TYPE = 'CloneStillRunning';

export function createReadVoiceCloneOutcome({ temporal: target }: SearchAttributeDeps) {
  let client: WorkflowClient | undefined;
  return async function readVoiceCloneOutcome(workflowId: string): Promise<CloneOutcome> {
    if (target === undefined) {
      throw ApplicationFailure.nonRetryable(
        `cannot await clone ${workflowId}: the worker was given no Temporal connection for its activities`,
        'NoTemporalConnection',
      );
    }
    client ??= new WorkflowClient({ connection: target.connection, namespace: target.namespace });
    const handle = client.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') {
      throw ApplicationFailure.retryable(`clone ${workflowId} is still running`, CLONE_STILL_RUNNING_FAILURE_TYPE);
    }
    try {
      const result = (await handle.result()) as VoiceCloneResult;
      return { status: 'Succeeded', result };
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      return { status: 'Failed', failure: summary(error.cause) };
    }
  };
}

function summary(cause: Error | undefined): { type: string; message: string } {
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  return { type: cause?.name ?? 'Failed', message: cause?.message ?? 'the clone workflow failed' };
}
