import { Context } from '@temporalio/activity';
import type { VoiceJobStatus } from '../ice/types';
import type { IceActivityDeps } from './deps';
import { lookUpNewestVoiceJob } from './find-voice-clone-job';
import { callIce } from './to-activity-failure';
import type { SubmittedVoiceJob, SubmitVoiceCloneJobInput } from './types';

const SUBMITTED_STATUSES: readonly VoiceJobStatus[] = ['PreTraining', 'Training', 'Success', 'Fail'];

/**
 * SubmitCustomizedVoiceJob, exactly once per voice. Every retry looks the voice up first: when an earlier attempt
 * (or a crashed worker) got the job accepted but never heard the answer, the job has moved on from what the
 * workflow saw, and this attempt adopts it instead of paying for a second training.
 * ASSUMPTION: training takes minutes, so a job submitted by an earlier attempt cannot already have gone back to the
 * very same (JobId, Fail) pair the workflow saw before it decided to resubmit.
 */
export function createSubmitVoiceCloneJob({ ice }: IceActivityDeps) {
  return async function submitVoiceCloneJob(input: SubmitVoiceCloneJobInput): Promise<SubmittedVoiceJob> {
    // The first attempt follows the workflow's own lookup; only a retry can follow a submit ICE may have accepted.
    const { job } = Context.current().info.attempt > 1 ? await lookUpNewestVoiceJob(ice, input.voiceId) : { job: null };
    if (job !== null && SUBMITTED_STATUSES.includes(job.status) && !sameAs(job, input.seenJob)) {
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
    const response = await callIce(() =>
      ice.submitCustomizedVoiceJob({ voiceId: input.voiceId, demoAudioMediaUrl: input.demoAudioMediaUrl }),
    );
    return {
      jobId: response.jobId,
      voiceId: response.voiceId || input.voiceId,
      adopted: false,
      status: 'PreTraining',
      requestId: response.requestId,
      readAt: new Date().toISOString(),
    };
  };
}

function sameAs(job: { jobId: string; status: VoiceJobStatus }, seen: SubmitVoiceCloneJobInput['seenJob']): boolean {
  return seen !== null && seen.jobId === job.jobId && seen.status === job.status;
}
