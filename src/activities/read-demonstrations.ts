import type { VoiceScenario } from '../ice/types';
import type { IceActivityDeps } from './deps';
import type { ReadDemonstrations } from './types';
import { retryBound, withinAnswerBound } from './unexpected-responses';

/**
 * GetDemonstrationForCustomizedVoiceJob: the scenario's sentences a speaker reads, with the time of the read (the
 * DemoAudio URLs expire 12 hours after it, docs/ice-api.md#voice-lifecycle-basic).
 */
export function createReadDemonstrations(deps: IceActivityDeps) {
  const retries = retryBound(deps);
  return async function readDemonstrations(input: { scenario: VoiceScenario }): Promise<ReadDemonstrations> {
    return withinAnswerBound(retries, async () => {
      const response = await deps.ice.getDemonstrationForCustomizedVoiceJob({ scenario: input.scenario });
      return {
        demonstrations: response.demonstrationList,
        requestId: response.requestId,
        readAt: new Date().toISOString(),
      };
    });
  };
}
