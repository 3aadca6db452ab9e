/** What the clone activities take and hand back to the workflow: plain JSON, recorded in history, never a secret. */

/**
 * One read of a voice job, with the RequestId of the read and the time it was made (ISO). `status` is ICE's raw
 * value (a `VoiceJobStatus` as far as known; docs/ice-api.md#job-fields).
 */
export interface VoiceJobSnapshot {
  jobId: string;
  voiceId: string;
  status: string;
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
  seenJob: { jobId: string; status: string } | null;
}

export interface SubmittedVoiceJob {
  jobId: string;
  voiceId: string;
  /** True when the lookup found the job already submitted (by an earlier attempt or someone else). */
  adopted: boolean;
  /** Status when adopted; a fresh submission starts in PreTraining. */
  status: string;
  requestId: string;
  /** When that status was known (ISO). */
  readAt: string;
}

/** CreateCustomizedVoiceJob's answer, or the voice's job when ICE had it already (`created: false`). */
export interface CreatedVoiceJob {
  created: boolean;
  job: VoiceJobSnapshot;
}

/** GetDemonstrationForCustomizedVoiceJob's sentences and when they were read (ISO). */
export interface ReadDemonstrations {
  demonstrations: { audioId: number; text: string; demoAudio: string }[];
  requestId: string;
  readAt: string;
}

export interface ReadVoiceCloneJobInput {
  jobId: string;
  /** Answers without a Status just before this read (a poll's): they count toward the bound on such answers. */
  earlierIncompleteAnswers?: number;
}

export interface PollVoiceCloneJobInput {
  jobId: string;
  /** Statuses unknown to this package that the workflow has already seen: the poll does not stop for them again. */
  reportedStatuses?: string[];
}

export interface PolledVoiceJob {
  /** Terminal (Success, Fail), or a status unknown to this package that the workflow has not seen yet. */
  job: VoiceJobSnapshot;
  /** The activity attempt that read it = number of GetCustomizedVoiceJob reads by this poll. */
  attempt: number;
}

/** Details of the retryable `TrainingInProgress` failure a poll throws while training runs. */
export interface TrainingInProgressDetails {
  jobId: string;
  status: string;
  attempt: number;
  readAt: string;
}

/** Details of the non-retryable `IncompleteIceAnswer` failure that ends a poll whose read came back without a Status. */
export interface IncompleteIceAnswerDetails {
  jobId: string;
  attempt: number;
  operation: string;
  field: string;
  requestId: string;
}

/** Details of an `UnexpectedIceResponse` failure. */
export interface UnexpectedIceResponseDetails {
  operation: string;
  field: string;
  requestId: string;
  retries: number;
}

export {
  INCOMPLETE_ICE_ANSWER_FAILURE_TYPE,
  TRAINING_IN_PROGRESS_FAILURE_TYPE,
  VoiceCloneFailureTypes,
} from '../workflows/definitions';
