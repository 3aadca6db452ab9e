/**
 * With input `voice`, the clone makes the voice itself: it looks the voice up as every clone does and, when ICE
 * has no job for it, creates it with CreateCustomizedVoiceJob (a voice ICE has already is adopted, whoever made it).
 */
import type { VoiceJobSnapshot } from '../activities/types';
import { iceCalls, summary } from './ice-activities';
import type { VoiceCloneProgress } from './progress';
import type { ValidBasicVoiceCloneInput } from './validation';

/** The clone's two ways to look a voice up (voice-clone.ts): by the JobId given, or through the job list. */
export interface VoiceLookups {
  readGivenJob(voiceId: string, jobId: string): Promise<VoiceJobSnapshot>;
  findVoiceJob(voiceId: string): Promise<VoiceJobSnapshot | null>;
}

export async function lookUpOrCreateVoice(
  valid: ValidBasicVoiceCloneInput,
  progress: VoiceCloneProgress,
  lookups: VoiceLookups,
): Promise<VoiceJobSnapshot> {
  const { voiceId, voice } = valid;
  if (voice === undefined) throw new Error('lookUpOrCreateVoice needs input.voice');
  progress.enter('LookingUpVoice');
  const found = valid.jobId ? await lookups.readGivenJob(voiceId, valid.jobId) : await lookups.findVoiceJob(voiceId);
  let job = found;
  if (job === null) {
    progress.enter('CreatingVoice');
    ({ job } = await iceCalls.createVoiceCloneJob.executeWithOptions(summary('CreateCustomizedVoiceJob', voiceId), [
      { voiceId, ...voice },
    ]));
  }
  progress.jobKnown(job.jobId);
  progress.iceStatusRead(job);
  return job;
}
