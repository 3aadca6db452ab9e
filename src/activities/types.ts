/** What the clone activities take and hand back to the workflow: plain JSON, recorded in history, never a secret. */
import type { NamedVoiceEdition } from '../workflows/definitions';
import type { NamedVoiceSubmit } from '../workflows/editions';

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
  /** '' when ICE has not told it yet (a Standard submit answers the JobId only: the first read tells the VoiceId). */
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

/** Which voice a Standard or CosyVoice lookup is about: the VoiceName the caller gave, in that edition. */
export interface NamedVoice {
  edition: NamedVoiceEdition;
  voiceName: string;
}

export interface FoundNamedVoiceJob {
  /**
   * The job to adopt instead of submitting: the newest of this VoiceName in PreTraining, Training or Success, or in
   * a status this package does not know. Null when there is none (no job, or only jobs that ended in Fail).
   */
  job: VoiceJobSnapshot | null;
  /** Every job of this VoiceName the lookup saw (newest first, at most MAX_SEEN_JOB_IDS): none of them is a new submit. */
  seenJobIds: string[];
}

/** What Standard's and CosyVoice's submits take (docs/ice-api.md#editions), as src/workflows/editions.ts describes. */
export type { NamedVoiceSubmit };

export interface SubmitNamedVoiceJobInput {
  submit: NamedVoiceSubmit;
  /**
   * When the workflow decided to submit (ISO, workflow time, so recorded): a job of this VoiceName created since
   * then (minus a clock-skew margin) that the lookup did not see is one an earlier attempt got accepted.
   */
  decidedAt: string;
  /** The lookup's `seenJobIds`: jobs that were there before the first attempt. */
  seenJobIds: string[];
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
