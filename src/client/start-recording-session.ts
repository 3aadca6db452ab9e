/**
 * An app's first call of a recording session: Update-with-Start on `demonstrations`. It starts the clone (or
 * attaches to the running one), which creates the voice in ICE unless it exists, and answers the sentences to
 * record; the app then sends each recording with `addRecording` and ends with `submitTraining`.
 */
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  demonstrationsUpdate,
  VOICE_CLONE_WORKFLOW_TYPE,
  type DemonstrationSentence,
  type VoiceCloneInput,
} from '../workflows/definitions';
import type { voiceCloneWorkflow } from '../workflows/voice-clone';
import { InvalidVoiceCloneInputError, voiceCloneStartOptions, type StartVoiceCloneOptions } from './start-voice-clone';

/** What `startRecordingSession` answers: the clone's handle and the sentences to record. */
export interface RecordingSessionStart {
  handle: WorkflowHandle<typeof voiceCloneWorkflow>;
  /** The scenario's sentences: show them, then send each recording with `addRecording`. */
  demonstrations: DemonstrationSentence[];
}

/**
 * Starts a Basic clone that holds a recording session (input with `voice`, without `recordings`), or attaches to
 * the running one, and answers the scenario's sentences. Throws `InvalidVoiceCloneInputError` before any call for
 * an invalid input or one that is not a recording session; a failed update rejects with `WorkflowUpdateFailedError`.
 */
export async function startRecordingSession(
  client: Client,
  input: VoiceCloneInput,
  options: Pick<StartVoiceCloneOptions, 'taskQueue'> = {},
): Promise<RecordingSessionStart> {
  if (input.voice === undefined) throw new InvalidVoiceCloneInputError('voice', 'is required for a recording session');
  if (input.recordings !== undefined) {
    throw new InvalidVoiceCloneInputError('recordings', 'must be left out: a recording session gets them as updates');
  }
  const operation = new WithStartWorkflowOperation<typeof voiceCloneWorkflow>(
    VOICE_CLONE_WORKFLOW_TYPE,
    await voiceCloneStartOptions(client, input, options),
  );
  const demonstrations = await client.workflow.executeUpdateWithStart(demonstrationsUpdate, {
    startWorkflowOperation: operation,
  });
  return { handle: await operation.workflowHandle(), demonstrations };
}
