/**
 * A team in another namespace (a dubbing pipeline) clones a voice through the package's Nexus service, then
 * continues with the trained voice. The voice team's worker serves the service (the worker plugin does, unless
 * VOICE_CLONE_NEXUS_SERVICE=off); an operator routes an endpoint to its namespace and task queue:
 *
 *   temporal operator nexus endpoint create --name voice-clone \
 *     --target-namespace voices --target-task-queue voice-clone
 *
 * Compiled by `npm run typecheck` and run by test/nexus/clone-voice.test.ts. In an installed package, import from
 * 'ice-voice-clone/workflows' instead of '../src/workflows/public'.
 */
import { createNexusServiceClient, log } from '@temporalio/workflow';
import {
  voiceCloneFailureOf,
  voiceCloneNexusService,
  VoiceCloneFailureTypes,
  type VoiceCloneInput,
} from '../src/workflows/public';

/** The endpoint's name, as the operator created it. */
export const VOICE_CLONE_ENDPOINT = 'voice-clone';

export interface DubbingInput {
  episodeId: string;
  voice: VoiceCloneInput;
  /** Default VOICE_CLONE_ENDPOINT. */
  endpoint?: string;
}

/** The episode goes on with the trained voice, or waits for new recordings when ICE could not use these. */
export type DubbingPlan =
  { episodeId: string; voiceId: string; jobId: string } | { episodeId: string; needsNewRecordings: string };

/** Failures that new recordings can fix; any other failure fails this workflow too. */
const RECORDING_PROBLEMS: readonly string[] = [
  VoiceCloneFailureTypes.AudioDetectionFailed,
  VoiceCloneFailureTypes.TrainingFailed,
];

export async function dubWithClonedVoiceWorkflow(input: DubbingInput): Promise<DubbingPlan> {
  const voices = createNexusServiceClient({
    service: voiceCloneNexusService,
    endpoint: input.endpoint ?? VOICE_CLONE_ENDPOINT,
  });
  try {
    // Room for the clone's trainingTimeout (24 h by default); a call for a voice already cloning waits for that clone.
    const voice = await voices.executeOperation('cloneVoice', input.voice, { scheduleToCloseTimeout: '2 days' });
    return { episodeId: input.episodeId, voiceId: voice.voiceId, jobId: voice.jobId };
  } catch (error) {
    // The clone's own failure (its type: InvalidInput, TrainingFailed, ICE's Code, …) is the operation's cause.
    const failure = voiceCloneFailureOf(error);
    if (failure?.type && RECORDING_PROBLEMS.includes(failure.type)) {
      log.warn('the voice could not be cloned from these recordings', { type: failure.type });
      return { episodeId: input.episodeId, needsNewRecordings: failure.message };
    }
    throw error;
  }
}
