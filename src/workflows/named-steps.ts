/**
 * The Standard and CosyVoice clones' ICE steps, each with its activity summary and the progress it reports: look
 * the VoiceName up (its job is adopted when ICE has one), submit once when it has none. Each edition's lookup Type
 * and submit operation come from its description (./editions.ts).
 */
import type { FoundNamedVoiceJob } from '../activities/types';
import { NAMED_EDITIONS, namedSubmit } from './editions';
import { iceCalls, iceLookups } from './ice-activities';
import type { VoiceCloneProgress } from './progress';
import type { ValidNamedVoiceCloneInput } from './validation';

/**
 * This VoiceName's job to adopt (PreTraining, Training, Success or a status unknown here), and every job of the
 * name the lookup saw (a Fail job does not block a new submit, and none of them is one of this clone's submits).
 */
export async function lookUpNamedVoice(
  valid: ValidNamedVoiceCloneInput,
  progress: VoiceCloneProgress,
): Promise<FoundNamedVoiceJob> {
  progress.enter('LookingUpVoice');
  const found = await iceLookups.findNamedVoiceJob.executeWithOptions(
    { summary: `ListCustomizedVoiceJobs ${valid.edition} voiceName="${valid.voiceName}"` },
    [{ edition: valid.edition, voiceName: valid.voiceName }],
  );
  if (found.job) {
    progress.jobKnown(found.job.jobId);
    progress.iceStatusRead(found.job);
  }
  return found;
}

/**
 * The edition's submit, exactly once: every submit is billed, so a retry after an ambiguous answer adopts a job of
 * the VoiceName the lookup had not seen instead of submitting again (src/activities/submit-named-voice-job.ts).
 */
export async function submitNamedVoiceJob(
  valid: ValidNamedVoiceCloneInput,
  found: FoundNamedVoiceJob,
  progress: VoiceCloneProgress,
): Promise<string> {
  progress.enter('Submitting');
  const submitted = await iceCalls.submitNamedVoiceJob.executeWithOptions(
    { summary: `${NAMED_EDITIONS[valid.edition].submitOperation} voiceName="${valid.voiceName}"` },
    // Workflow time: the moment is recorded with the input, so a retry's lookup window is the same on replay.
    [{ submit: namedSubmit(valid), decidedAt: new Date().toISOString(), seenJobIds: found.seenJobIds }],
  );
  progress.jobKnown(submitted.jobId);
  progress.iceStatusRead({ status: submitted.status, readAt: submitted.readAt, voiceId: submitted.voiceId });
  return submitted.jobId;
}
