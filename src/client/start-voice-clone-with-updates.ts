/**
 * Update-with-Start ("early return") on `awaitSubmitted`: one call starts the clone (or attaches to the running
 * one: one workflow per voice, conflict policy USE_EXISTING) and returns when ICE has the training job, while the
 * workflow goes on: `handle.result()` still waits for the trained voice.
 */
import {
  WithStartWorkflowOperation,
  type Client,
  type WorkflowHandle,
  type WorkflowIdConflictPolicy,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { awaitSubmittedUpdate, VOICE_CLONE_WORKFLOW_TYPE, type SubmittedClone } from '../workflows/definitions';
import type { voiceCloneWorkflow } from '../workflows/voice-clone';

/** The workflow start options `startVoiceClone` builds, with the ID-conflict policy it always sets. */
export type VoiceCloneStartOptions = WorkflowStartOptions<typeof voiceCloneWorkflow> & {
  workflowIdConflictPolicy: WorkflowIdConflictPolicy;
};

/** The running clone, and what `awaitSubmitted` answered: ICE has the job. */
export type SubmittedVoiceCloneHandle = WorkflowHandle<typeof voiceCloneWorkflow> & { submitted: SubmittedClone };

/** `startVoiceClone(…, { waitFor: 'submitted' })`: the options are startVoiceClone's own (validated already). */
export async function startVoiceCloneUntilSubmitted(
  client: Client,
  startOptions: VoiceCloneStartOptions,
): Promise<SubmittedVoiceCloneHandle> {
  const operation = new WithStartWorkflowOperation<typeof voiceCloneWorkflow>(VOICE_CLONE_WORKFLOW_TYPE, startOptions);
  const submitted = await client.workflow.executeUpdateWithStart(awaitSubmittedUpdate, {
    startWorkflowOperation: operation,
  });
  return Object.assign(await operation.workflowHandle(), { submitted });
}
