import type { IceActivityDeps } from './deps';
import { toSnapshot } from './snapshot';
import type { ReadVoiceCloneJobInput, VoiceJobSnapshot } from './types';
import { retryBound, withinAnswerBound } from './unexpected-responses';

/** One GetCustomizedVoiceJob read: how the workflow looks a given job up and confirms what a callback claims. */
export function createReadVoiceCloneJob(deps: IceActivityDeps) {
  const retries = retryBound(deps);
  return async function readVoiceCloneJob(input: ReadVoiceCloneJobInput): Promise<VoiceJobSnapshot> {
    return withinAnswerBound(
      retries,
      async () => {
        const response = await deps.ice.getCustomizedVoiceJob({ jobId: input.jobId });
        return toSnapshot(response.customizedVoiceJob, response.requestId);
      },
      input.earlierIncompleteAnswers,
    );
  };
}
