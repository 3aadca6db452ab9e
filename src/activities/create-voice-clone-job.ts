import { Context } from '@temporalio/activity';
import { isIceError, isMissingResponseField } from '../ice/errors';
import type { CreateCustomizedVoiceJobRequest, IceClient } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { lookUpNewestVoiceJob } from './find-voice-clone-job';
import type { CreatedVoiceJob } from './types';
import { retriesSoFar, retryBound, withinAnswerBound } from './unexpected-responses';

/**
 * CreateCustomizedVoiceJob, once per voice. A retry looks the voice up first: an earlier attempt whose answer was
 * lost may have created it, and a second create of the same VoiceId is refused (the VoiceId is unique per account,
 * docs/ice-api.md#voice-lifecycle-basic). A final refusal is looked up too, since it may be that very refusal
 * (someone else created the voice since the workflow looked): the voice found is adopted, whoever made it.
 * ASSUMPTION (docs/ice-api.md#errors): the Code of that refusal is undocumented, so no Code is relied on.
 */
export function createCreateVoiceCloneJob(deps: IceActivityDeps) {
  const { ice } = deps;
  const retries = retryBound(deps);
  return async function createVoiceCloneJob(input: CreateCustomizedVoiceJobRequest): Promise<CreatedVoiceJob> {
    return withinAnswerBound(retries, async () => {
      // The first attempt follows the workflow's own lookup, which found no job for the voice.
      const adopted = Context.current().info.attempt > 1 ? await existing(ice, input.voiceId) : undefined;
      if (adopted) return adopted;
      try {
        const response = await ice.createCustomizedVoiceJob(input);
        return {
          created: true,
          job: {
            jobId: response.jobId,
            voiceId: response.voiceId || input.voiceId,
            status: 'Initialization',
            message: '',
            requestId: response.requestId,
            readAt: new Date().toISOString(),
          },
        };
      } catch (error) {
        const final = isIceError(error) && !error.retryable;
        const outOfRetries = isMissingResponseField(error) && retriesSoFar() >= retries;
        if (final || outOfRetries) {
          const found = await existing(ice, input.voiceId);
          if (found) return found;
        }
        throw error;
      }
    });
  };
}

async function existing(ice: IceClient, voiceId: string): Promise<CreatedVoiceJob | undefined> {
  const { job } = await lookUpNewestVoiceJob(ice, voiceId);
  if (job === null) return undefined;
  Context.current().log.info('voice already exists in ICE: adopting its job', {
    voiceId,
    jobId: job.jobId,
    status: job.status,
  });
  return { created: false, job };
}
