/**
 * One clone of a batch, in the batch's window: started as a child `voiceCloneWorkflow` under the voice's own workflow
 * ID, or, when that workflow is already running (started by anyone else), awaited instead: never started or
 * submitted twice. Either way the batch learns how it ended; a failed clone is an outcome, not the batch's failure.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ChildWorkflowFailure,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { VoiceCloneActivities } from '../activities';
import { VoiceCloneBatchFailureTypes } from './batch-definitions';
import type { CloneOutcome } from './batch-report';
import { VOICE_CLONE_WORKFLOW_TYPE, type VoiceCloneInput } from './definitions';
import { describeEditionStart } from './editions';
import { failureSummary } from './failures';
import type { ValidVoiceCloneInput } from './validation';
import type { voiceCloneWorkflow } from './voice-clone';

/**
 * A clone started elsewhere is asked about on this schedule (each attempt one DescribeWorkflowExecution; attempts
 * are not history events): soon after it ends for short trainings, at most every 30 s for ICE's hours.
 */
const otherRuns = proxyActivities<VoiceCloneActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

export interface BatchCloneStart {
  workflowId: string;
  input: VoiceCloneInput;
  valid: ValidVoiceCloneInput;
  /** Task-queue fairness: the clone's tasks (and its activities') are dispatched fairly among keys. */
  fairnessKey: string;
}

/** Runs the clone to its end and says how it ended. */
export async function cloneInBatch({ workflowId, input, valid, fairnessKey }: BatchCloneStart): Promise<CloneOutcome> {
  try {
    const child = await startChild<typeof voiceCloneWorkflow>(VOICE_CLONE_WORKFLOW_TYPE, {
      workflowId,
      args: [input],
      // A clone is its voice's own durable run (ICE bills its training): it outlives a terminated batch.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      priority: { fairnessKey },
      staticSummary: describeEditionStart(valid).summary,
    });
    return { status: 'Succeeded', result: await child.result() };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return await awaitOtherRun(workflowId);
    if (error instanceof ChildWorkflowFailure) return failed(failureSummary(error.cause ?? error));
    if (isCancellation(error)) return cancelled('the batch was cancelled before the clone started');
    throw error;
  }
}

/** The voice's workflow runs already (someone else started it): await its end, holding the window's place. */
async function awaitOtherRun(workflowId: string): Promise<CloneOutcome> {
  try {
    return await otherRuns.readVoiceCloneOutcome(workflowId);
  } catch (error) {
    if (isCancellation(error)) {
      return cancelled(`the batch was cancelled; the clone started elsewhere goes on under workflow ID ${workflowId}`);
    }
    if (error instanceof ActivityFailure) return failed(failureSummary(error.cause ?? error));
    throw error;
  }
}

function failed(failure: { type: string; message: string }): CloneOutcome {
  return { status: 'Failed', failure };
}

function cancelled(message: string): CloneOutcome {
  return failed({ type: VoiceCloneBatchFailureTypes.Cancelled, message });
}
