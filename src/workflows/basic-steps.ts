/**
 * The Basic clone's ICE steps, each with its activity summary and the progress it reports: look the voice up (and,
 * with input `voice`, create it when ICE has no job for it), adopt a job ICE trains already, detect the recordings
 * given up front, submit.
 */
import type { VoiceJobSnapshot } from '../activities/types';
import { isKnownVoiceJobStatus } from '../ice/types';
import type { DetectionResult, VoiceRecording } from './definitions';
import { voiceCloneFailure } from './failures';
import { iceCalls, iceLookups, iceReads, summary } from './ice-activities';
import type { VoiceCloneProgress } from './progress';
import type { ValidBasicVoiceCloneInput } from './validation';
import { assertDetectionPassed, verifyDetection } from './verify-detection';

/** The voice's newest job, by the JobId given or through the job list; with input `voice`, created when missing. */
export function lookUpBasicVoice(
  valid: ValidBasicVoiceCloneInput,
  progress: VoiceCloneProgress,
): Promise<VoiceJobSnapshot> {
  return valid.voice ? lookUpOrCreateVoice(valid, progress) : lookUpVoice(valid, progress);
}

/** ICE trains the voice already, or it is in a state this package does not know (it never submits over one). */
export function adoptsJob(job: VoiceJobSnapshot): boolean {
  return job.status === 'PreTraining' || job.status === 'Training' || !isKnownVoiceJobStatus(job.status);
}

/** ICE detects every recording given up front; fails `AudioDetectionFailed` when one does not pass. */
export async function detectRecordings(
  voiceId: string,
  recordings: VoiceRecording[],
  progress: VoiceCloneProgress,
): Promise<DetectionResult[]> {
  progress.enter('DetectingAudio');
  const detection = await verifyDetection(voiceId, recordings);
  progress.detected(detection);
  assertDetectionPassed(voiceId, detection);
  return detection;
}

/** SubmitCustomizedVoiceJob, exactly once: the activity adopts the job when a retry finds it submitted. */
export async function submitBasicVoice(
  valid: ValidBasicVoiceCloneInput,
  seen: VoiceJobSnapshot,
  progress: VoiceCloneProgress,
): Promise<string> {
  progress.enter('Submitting');
  const submitted = await iceCalls.submitVoiceCloneJob.executeWithOptions(
    summary('SubmitCustomizedVoiceJob', valid.voiceId),
    [
      {
        voiceId: valid.voiceId,
        demoAudioMediaUrl: valid.demoAudioMediaUrl,
        seenJob: { jobId: seen.jobId, status: seen.status },
      },
    ],
  );
  progress.jobKnown(submitted.jobId);
  progress.iceStatusRead({ status: submitted.status, readAt: submitted.readAt });
  return submitted.jobId;
}

/** The voice's newest job; fails with `VoiceNotReady` when there is nothing ICE could train. */
async function lookUpVoice(valid: ValidBasicVoiceCloneInput, progress: VoiceCloneProgress): Promise<VoiceJobSnapshot> {
  progress.enter('LookingUpVoice');
  const job = valid.jobId ? await readGivenJob(valid.voiceId, valid.jobId) : await findVoiceJob(valid.voiceId);
  if (job === null) {
    throw voiceCloneFailure(
      'VoiceNotReady',
      `ICE has no job for voice ${valid.voiceId}: create it with CreateCustomizedVoiceJob and detect its recordings first`,
    );
  }
  progress.jobKnown(job.jobId);
  progress.iceStatusRead(job);
  if (job.status === 'Initialization' && !valid.recordings) {
    throw voiceCloneFailure(
      'VoiceNotReady',
      `voice ${valid.voiceId} has no detected recordings (job ${job.jobId} is in Initialization): pass recordings or run detection first`,
    );
  }
  return job;
}

/**
 * With input `voice`, the clone makes the voice itself: it looks the voice up as every clone does and, when ICE
 * has no job for it, creates it with CreateCustomizedVoiceJob (a voice ICE has already is adopted, whoever made it).
 */
async function lookUpOrCreateVoice(
  valid: ValidBasicVoiceCloneInput,
  progress: VoiceCloneProgress,
): Promise<VoiceJobSnapshot> {
  const { voiceId, voice } = valid;
  if (voice === undefined) throw new Error('lookUpOrCreateVoice needs input.voice');
  progress.enter('LookingUpVoice');
  let job = valid.jobId ? await readGivenJob(voiceId, valid.jobId) : await findVoiceJob(voiceId);
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

async function findVoiceJob(voiceId: string): Promise<VoiceJobSnapshot | null> {
  const { job } = await iceLookups.findVoiceCloneJob.executeWithOptions(summary('ListCustomizedVoiceJobs', voiceId), [
    { voiceId },
  ]);
  return job;
}

/** The caller named the job: one read, and it must be this voice's (a wrong JobId would train nothing or bill twice). */
async function readGivenJob(voiceId: string, jobId: string): Promise<VoiceJobSnapshot> {
  const job = await iceReads.readVoiceCloneJob.executeWithOptions(
    summary('GetCustomizedVoiceJob', voiceId, `job=${jobId} (lookup)`),
    [{ jobId }],
  );
  if (job.voiceId !== voiceId) {
    throw voiceCloneFailure(
      'InvalidInput',
      `jobId: must be the job of voice ${voiceId}, but ICE says job ${jobId} belongs to voice ${job.voiceId}`,
      { field: 'jobId', rule: 'must be the job of voiceId' },
    );
  }
  return job;
}
