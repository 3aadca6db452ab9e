import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import { callIce } from './to-activity-failure';
import type { VoiceJobSnapshot } from './types';

/** One GetCustomizedVoiceJob read: how the workflow confirms what a callback claims. */
export function createReadVoiceCloneJob({ ice }: IceActivityDeps) {
  return async function readVoiceCloneJob(input: { jobId: string }): Promise<VoiceJobSnapshot> {
    const response = await callIce(() => ice.getCustomizedVoiceJob({ jobId: input.jobId }));
    return toSnapshot(response.customizedVoiceJob, response.requestId);
  };
}
