import { Context } from '@temporalio/activity';
import { isMissingResponseField } from '../ice/errors';
import type { IceClient } from '../ice/types';
import { submitNamedVoice } from '../workflows/editions';
import type { IceActivityDeps } from './deps';
import { createdAt, listJobsNamed, requireStatuses } from './find-named-voice-job';
import { toSnapshot } from './snapshot';
import type { SubmitNamedVoiceJobInput, SubmittedVoiceJob } from './types';
import { retriesSoFar, retryBound, withinAnswerBound } from './unexpected-responses';

/**
 * A job created this long before the workflow decided to submit still counts as one of its attempts: ICE's clock
 * and the Temporal server's may disagree by a little. Jobs the lookup saw before the first attempt never count,
 * so the margin can be generous.
 */
export const SUBMIT_CLOCK_SKEW_MARGIN_MS = 60_000;

/**
 * SubmitStandardCustomizedVoiceJob or SubmitCosyVoiceCustomizedVoiceJob, exactly once per clone. ICE has no
 * idempotency key, and a VoiceName may be submitted again (a second job, billed again: docs/ice-api.md#editions),
 * so an attempt after one that may have been accepted (connection closed after ICE accepted it, a timeout, a 2xx
 * without JobId) looks first: a job of this VoiceName created since the workflow decided to submit, that its
 * lookup had not seen, is the earlier attempt's, and is adopted instead of submitted again. When the bound on
 * answers without a JobId is reached the VoiceName is looked up once more before the clone fails with
 * `UnexpectedIceResponse`.
 * ASSUMPTION (docs/ice-api.md#list-jobs): a job is listed, with its CreateTime, once ICE has accepted its submit.
 */
export function createSubmitNamedVoiceJob(deps: IceActivityDeps) {
  const { ice } = deps;
  const retries = retryBound(deps);
  return async function submitNamedVoiceJob(input: SubmitNamedVoiceJobInput): Promise<SubmittedVoiceJob> {
    return withinAnswerBound(retries, async () => {
      // The first attempt follows the workflow's own lookup; only a retry can follow a submit ICE may have accepted.
      const adopted = Context.current().info.attempt > 1 ? await acceptedEarlier(ice, input) : undefined;
      if (adopted) return adopted;
      try {
        const submitted = await submitNamedVoice(ice, input.submit);
        return {
          jobId: submitted.jobId,
          voiceId: submitted.voiceId,
          adopted: false,
          status: 'PreTraining',
          requestId: submitted.requestId,
          readAt: new Date().toISOString(),
        };
      } catch (error) {
        // No retry will look again: look now, ICE may well have accepted it.
        if (isMissingResponseField(error) && retriesSoFar() >= retries) {
          const late = await acceptedEarlier(ice, input);
          if (late) return late;
        }
        throw error;
      }
    });
  };
}

/**
 * The job an earlier attempt got accepted, if any: of this VoiceName, not seen by the workflow's lookup, created
 * (ICE's whole seconds) at or after the decision minus the margin. A job without a creation time that the lookup
 * had not seen counts too: adopting it is cheaper than billing a second training.
 */
async function acceptedEarlier(
  ice: IceClient,
  input: SubmitNamedVoiceJobInput,
): Promise<SubmittedVoiceJob | undefined> {
  const voice = { edition: input.submit.edition, voiceName: input.submit.voiceName };
  const named = await listJobsNamed(ice, voice);
  requireStatuses(voice, named);
  const sinceSeconds = Math.floor((Date.parse(input.decidedAt) - SUBMIT_CLOCK_SKEW_MARGIN_MS) / 1000);
  const job = named.jobs.find((candidate) => {
    if (input.seenJobIds.includes(candidate.jobId)) return false;
    const created = Date.parse(createdAt(candidate));
    return Number.isNaN(created) || Math.floor(created / 1000) >= sinceSeconds;
  });
  if (job === undefined) return undefined;
  Context.current().log.info('voice job already submitted: adopting it', {
    edition: voice.edition,
    voiceName: voice.voiceName,
    jobId: job.jobId,
    status: job.status,
  });
  const snapshot = toSnapshot(job, named.requestId);
  return {
    jobId: snapshot.jobId,
    voiceId: snapshot.voiceId,
    adopted: true,
    status: snapshot.status,
    requestId: snapshot.requestId,
    readAt: snapshot.readAt,
  };
}
