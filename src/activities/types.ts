/** What the clone activities hand back to the workflow: plain JSON, recorded in history, never a secret. */
import type { VoiceJobStatus } from '../ice/types';

/** One read of a voice job, with the RequestId of the read and the time it was made (ISO). */
export interface VoiceJobSnapshot {
  jobId: string;
  voiceId: string;
  status: VoiceJobStatus;
  message: string;
  requestId: string;
  readAt: string;
}

export interface FoundVoiceJob {
  /** The voice's newest job, or null when ICE has none for this VoiceId. */
  job: VoiceJobSnapshot | null;
}

export interface SubmitVoiceCloneJobInput {
  voiceId: string;
  demoAudioMediaUrl?: string;
  /** The job as the workflow last saw it before deciding to submit (null: no job seen). */
  seenJob: { jobId: string; status: VoiceJobStatus } | null;
}

export interface SubmittedVoiceJob {
  jobId: string;
  voiceId: string;
  /** True when the lookup found the job already submitted (by an earlier attempt or someone else). */
  adopted: boolean;
  /** Status when adopted; a fresh submission starts in PreTraining. */
  status: VoiceJobStatus;
  requestId: string;
  /** When that status was known (ISO). */
  readAt: string;
}

export interface PolledVoiceJob {
  job: VoiceJobSnapshot;
  /** The activity attempt that saw the terminal status = number of GetCustomizedVoiceJob reads by this poll. */
  attempt: number;
}

/** Details of the retryable `TrainingInProgress` failure a poll throws while training runs. */
export interface TrainingInProgressDetails {
  jobId: string;
  status: VoiceJobStatus;
  attempt: number;
  readAt: string;
}

export { TRAINING_IN_PROGRESS_FAILURE_TYPE } from '../workflows/definitions';
