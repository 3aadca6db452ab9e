import { Context } from '@temporalio/activity';
import { isMissingResponseField } from '../ice/errors';
import type { IceClient, VoiceJobStatus } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { lookUpNewestVoiceJob } from './find-voice-clone-job';
import type { SubmittedVoiceJob, SubmitVoiceCloneJobInput, VoiceJobSnapshot } from './types';
import { retriesSoFar, retryBound, withinAnswerBound } from './unexpected-responses';

/** A job in one of these has not been submitted; any other status (known or not) has moved past the submit. */
const UNSUBMITTED_STATUSES: readonly string[] = ['Initialization', 'AudioDetecting'] satisfies VoiceJobStatus[];

/**
 * SubmitCustomizedVoiceJob, exactly once per voice. Every retry looks the voice up first: when an earlier attempt
 * (or a crashed worker) got the job accepted but never heard the answer, the job has moved on from what the
 * workflow saw, and this attempt adopts it instead of paying for a second training. An answer without a JobId is
 * just as ambiguous as a lost one: it is retried the same way, and when the bound on such answers is reached the
 * voice is looked up once more before the clone fails with `UnexpectedIceResponse`.
 * ASSUMPTION: training takes minutes, so a job submitted by an earlier attempt cannot already have gone back to the
 * very same (JobId, Fail) pair the workflow saw before it decided to resubmit.
 */
export function createSubmitVoiceCloneJob(deps: IceActivityDeps) {
  const { ice } = deps;
  const retries = retryBound(deps);
  return async function submitVoiceCloneJob(input: SubmitVoiceCloneJobInput): Promise<SubmittedVoiceJob> {
    return withinAnswerBound(retries, async () => {
      // The first attempt follows the workflow's own lookup; only a retry can follow a submit ICE may have accepted.
      const adopted = Context.current().info.attempt > 1 ? await adoptable(ice, input) : undefined;
      if (adopted) return adopted;
      try {
        const response = await ice.submitCustomizedVoiceJob({
          voiceId: input.voiceId,
          demoAudioMediaUrl: input.demoAudioMediaUrl,
        });
        return {
          jobId: response.jobId,
          voiceId: response.voiceId || input.voiceId,
          adopted: false,
          status: 'PreTraining',
          requestId: response.requestId,
          readAt: new Date().toISOString(),
        };
      } catch (error) {
        // No retry will look again: look now, ICE may well have accepted it.
        if (isMissingResponseField(error) && retriesSoFar() >= retries) {
          const late = await adoptable(ice, input);
          if (late) return late;
        }
        throw error;
      }
    });
  };
}

/** The voice's job when it has been submitted since the workflow looked (by an earlier attempt or someone else). */
async function adoptable(ice: IceClient, input: SubmitVoiceCloneJobInput): Promise<SubmittedVoiceJob | undefined> {
  const { job } = await lookUpNewestVoiceJob(ice, input.voiceId);
  if (job === null || UNSUBMITTED_STATUSES.includes(job.status) || sameAs(job, input.seenJob)) return undefined;
  Context.current().log.info('voice job already submitted: adopting it', {
    voiceId: input.voiceId,
    jobId: job.jobId,
    status: job.status,
  });
  return {
    jobId: job.jobId,
    voiceId: job.voiceId,
    adopted: true,
    status: job.status,
    requestId: job.requestId,
    readAt: job.readAt,
  };
}

function sameAs(job: VoiceJobSnapshot, seen: SubmitVoiceCloneJobInput['seenJob']): boolean {
  return seen !== null && seen.jobId === job.jobId && seen.status === job.status;
}
