/**
 * The Nexus service's handler, served by the package's worker plugin: `cloneVoice` validates its input at the
 * edge, then starts `voiceCloneWorkflow` the way `startVoiceClone` does (same workflow ID, USE_EXISTING), on the
 * task queue the handler runs on, and the caller receives the clone's result or typed failure when it ends.
 * `cloneVoices` does the same for a batch, the way `startVoiceCloneBatch` does.
 */
import { ApplicationFailure } from '@temporalio/common';
import { getClient, operationInfo, startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { InvalidVoiceCloneInputError, voiceCloneStartOptions } from '../client/start-voice-clone';
import { VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX, voiceCloneBatchStartOptions } from '../client/start-voice-clone-batch';
import {
  VOICE_CLONE_BATCH_WORKFLOW_TYPE,
  type VoiceCloneBatchInput,
  type VoiceCloneBatchResult,
} from '../workflows/batch-definitions';
import { VOICE_CLONE_WORKFLOW_TYPE, VoiceCloneFailureTypes } from '../workflows/definitions';
import type { VoiceCloneInput, VoiceCloneResult } from '../workflows/definitions';
import { voiceCloneNexusService } from '../workflows/nexus-service';
import type { voiceCloneWorkflow } from '../workflows/voice-clone';
import type { voiceCloneBatchWorkflow } from '../workflows/voice-clone-batch';

/**
 * Starts the clone of `input`'s voice or, when it is already cloning, attaches this operation to that run (the
 * SDK's start attaches the caller's completion callback on an ID conflict): one workflow, one ICE submit.
 */
async function startClone(ctx: nexus.StartOperationContext, input: VoiceCloneInput) {
  const { taskQueue } = operationInfo();
  const options = await voiceCloneStartOptions(getClient(), input, { taskQueue }).catch(asHandlerError);
  return startWorkflow<typeof voiceCloneWorkflow>(ctx, VOICE_CLONE_WORKFLOW_TYPE, options);
}

/**
 * Starts a batch under an ID made of the operation's request ID: the caller's retries of one start reach the same
 * batch, and every operation has a batch of its own.
 */
async function startBatch(ctx: nexus.StartOperationContext, input: VoiceCloneBatchInput) {
  const { taskQueue } = operationInfo();
  const workflowId = `${VOICE_CLONE_BATCH_WORKFLOW_ID_PREFIX}nexus-${ctx.requestId}`;
  let options;
  try {
    options = voiceCloneBatchStartOptions(input, { taskQueue, workflowId });
  } catch (error) {
    asHandlerError(error);
  }
  return startWorkflow<typeof voiceCloneBatchWorkflow>(ctx, VOICE_CLONE_BATCH_WORKFLOW_TYPE, options);
}

/** Rethrows a failed validation as the caller's error; anything else as it is. */
function asHandlerError(error: unknown): never {
  throw error instanceof InvalidVoiceCloneInputError ? invalidInput(error) : error;
}

/** A bad input is the caller's error (BAD_REQUEST: not retried), carrying the clone's own `InvalidInput` failure. */
function invalidInput(error: InvalidVoiceCloneInputError): nexus.HandlerError {
  const failure = ApplicationFailure.create({
    type: VoiceCloneFailureTypes.InvalidInput,
    message: error.message,
    nonRetryable: true,
    details: [{ field: error.field, rule: error.rule }],
  });
  return new nexus.HandlerError('BAD_REQUEST', `invalid clone input: ${error.message}`, { cause: failure });
}

/**
 * `cloneVoice`: a workflow-run operation whose cancel leaves the clone running. Other callers may be attached to
 * the same clone, and ICE cannot stop a training once submitted (the batch's `cancelRunning` defaults the same way).
 */
class CloneVoiceOperation implements nexus.OperationHandler<VoiceCloneInput, VoiceCloneResult> {
  private readonly run = new WorkflowRunOperationHandler<VoiceCloneInput, VoiceCloneResult>(startClone);

  start(
    ctx: nexus.StartOperationContext,
    input: VoiceCloneInput,
  ): Promise<nexus.HandlerStartOperationResult<VoiceCloneResult>> {
    return this.run.start(ctx, input);
  }

  cancel(): Promise<void> {
    return Promise.resolve();
  }
}

/** The handler of `voiceCloneNexusService`, for a worker's `nexusServices` (the plugin adds it). */
export function createVoiceCloneNexusHandler(): nexus.ServiceHandler<(typeof voiceCloneNexusService)['operations']> {
  return nexus.serviceHandler(voiceCloneNexusService, {
    cloneVoice: new CloneVoiceOperation(),
    // Cancelling the operation cancels its own batch; the batch's `cancelRunning` decides about its clones.
    cloneVoices: new WorkflowRunOperationHandler<VoiceCloneBatchInput, VoiceCloneBatchResult>(startBatch),
  });
}
