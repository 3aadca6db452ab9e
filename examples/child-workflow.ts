/**
 * Embedding the clone in your own workflow when the package's own worker runs the clones (`ice-voice-clone worker`
 * on its task queue): a parent that clones a voice as a child workflow on that queue, then continues with the
 * trained voice. (With the worker plugin the child runs on the parent's own queue instead: examples/plugin/.)
 * Compiled by `npm run typecheck` and bundled for the workflow sandbox by test/cli/cli.test.ts. In an installed
 * package, import from 'ice-voice-clone/workflows' instead of '../src/workflows/public'.
 */
import { ApplicationFailure, ChildWorkflowFailure, executeChild, log } from '@temporalio/workflow';
import {
  DEFAULT_TASK_QUEUE,
  voiceCloneWorkflow,
  voiceCloneWorkflowId,
  type VoiceCloneResult,
  type VoiceRecording,
} from '../src/workflows/public';

export interface NarrationInput {
  voiceId: string;
  recordings: VoiceRecording[];
  chapters: string[];
}

export interface NarrationPlan {
  voiceId: string;
  jobId: string;
  chapters: number;
}

export async function narrateWithClonedVoiceWorkflow(input: NarrationInput): Promise<NarrationPlan> {
  let voice: VoiceCloneResult;
  try {
    voice = await executeChild(voiceCloneWorkflow, {
      // The clone's own ID scheme: one clone per voice, visible under this ID in the Web UI.
      workflowId: voiceCloneWorkflowId(input.voiceId),
      // The queue the voice-clone worker polls (VOICE_CLONE_TASK_QUEUE, default DEFAULT_TASK_QUEUE).
      taskQueue: DEFAULT_TASK_QUEUE,
      args: [{ voiceId: input.voiceId, recordings: input.recordings, timing: { callbackTimeout: '15 minutes' } }],
    });
  } catch (error) {
    // The child's failure type (TrainingFailed, AudioDetectionFailed, …) is on the ApplicationFailure cause.
    if (error instanceof ChildWorkflowFailure && error.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.nonRetryable(
        `voice ${input.voiceId} not cloned: ${error.cause.message}`,
        error.cause.type,
      );
    }
    throw error;
  }
  log.info('voice ready', { voiceId: voice.voiceId, jobId: voice.jobId, completedVia: voice.completedVia });
  // …synthesize each chapter with the cloned voice in your own activities here.
  return { voiceId: voice.voiceId, jobId: voice.jobId, chapters: input.chapters.length };
}
