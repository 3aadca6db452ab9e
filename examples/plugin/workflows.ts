/**
 * A team's workflows module with the voice clone embedded: it re-exports `voiceCloneWorkflow` so that the team's
 * worker (./worker.ts, with the voice-clone plugin) registers it, and the team's parent workflow runs the clone as a
 * child on its own task queue. In an installed package, import from 'ice-voice-clone/workflows' instead of
 * '../../src/workflows/public'. Run by test/plugin/media-worker.test.ts.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';
import {
  voiceCloneWorkflow,
  voiceCloneWorkflowId,
  type VoiceCloneResult,
  type VoiceCloneTiming,
  type VoiceRecording,
} from '../../src/workflows/public';
import type * as activities from './activities';

export { voiceCloneWorkflow };

const { synthesizeNarration } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface EpisodeInput {
  episodeId: string;
  /** The host's voice: the VoiceId used with CreateCustomizedVoiceJob. */
  voiceId: string;
  recordings: VoiceRecording[];
  script: string[];
  timing?: VoiceCloneTiming;
}

export interface PublishedEpisode {
  episodeId: string;
  voice: VoiceCloneResult;
  lines: number;
}

export async function narrateEpisodeWorkflow(input: EpisodeInput): Promise<PublishedEpisode> {
  const voice = await executeVoiceClone(input);
  const narration = await synthesizeNarration({
    episodeId: input.episodeId,
    voiceId: voice.voiceId,
    script: input.script,
  });
  return { episodeId: input.episodeId, voice, lines: narration.lines };
}

function executeVoiceClone(input: EpisodeInput): Promise<VoiceCloneResult> {
  return executeChild(voiceCloneWorkflow, {
    // Keep the clone's own ID: one clone per voice, and the callback receiver signals voice-clone-<voiceId>.
    workflowId: voiceCloneWorkflowId(input.voiceId),
    // No taskQueue: the child runs on the parent's queue, where the plugin registered its activities.
    args: [{ voiceId: input.voiceId, recordings: input.recordings, timing: input.timing }],
  });
}
