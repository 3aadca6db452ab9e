/**
 * The clone workflow's public contract, declared once and imported by the workflow, the client, the callback
 * receiver and the CLI: names, input/result types, signal, query, search attributes and failure types.
 * Deterministic and free of Node APIs so that workflow code can import it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CosyVoiceModel, Demonstration, IceCallbackEnvelope, VoiceGender, VoiceScenario } from '../ice/types';

export const VOICE_CLONE_WORKFLOW_TYPE = 'voiceCloneWorkflow';
/** The task queue the package's own worker polls unless VOICE_CLONE_TASK_QUEUE says otherwise (src/config.ts). */
export const DEFAULT_TASK_QUEUE = 'voice-clone';
export const VOICE_CLONE_WORKFLOW_ID_PREFIX = 'voice-clone-';

/** ICE's three voice-cloning editions (docs/ice-api.md#editions); Basic is the default. */
export const VOICE_CLONE_EDITIONS = ['basic', 'standard', 'cosyvoice'] as const;
export type VoiceCloneEdition = (typeof VOICE_CLONE_EDITIONS)[number];
/** The editions whose voice the caller names and ICE gives a VoiceId at submit. */
export type NamedVoiceEdition = Exclude<VoiceCloneEdition, 'basic'>;

/**
 * What names a clone: a Basic voice by the VoiceId the caller chose, a Standard or CosyVoice voice by the VoiceName
 * the caller gave (ICE picks its VoiceId). Any clone input is one.
 */
export type VoiceCloneIdentity =
  { edition?: 'basic'; voiceId: string } | { edition: NamedVoiceEdition; voiceName: string };

/**
 * One workflow per voice: the ID is what makes "start the same voice twice" attach instead of paying twice.
 * `voice-clone-<voiceId>` for Basic (a VoiceId alone means Basic), `voice-clone-<edition>-<voiceName>` for the
 * others. The two never collide: a Basic VoiceId has no '-'.
 */
export function voiceCloneWorkflowId(voice: string | VoiceCloneIdentity): string {
  if (typeof voice === 'string') return `${VOICE_CLONE_WORKFLOW_ID_PREFIX}${voice}`;
  if (isNamedVoice(voice)) return `${VOICE_CLONE_WORKFLOW_ID_PREFIX}${voice.edition}-${voice.voiceName}`;
  return `${VOICE_CLONE_WORKFLOW_ID_PREFIX}${voice.voiceId}`;
}

function isNamedVoice(voice: VoiceCloneIdentity): voice is Extract<VoiceCloneIdentity, { voiceName: string }> {
  return voice.edition === 'standard' || voice.edition === 'cosyvoice';
}

/** A Temporal duration string ("30s", "10 minutes") or milliseconds. */
export type DurationInput = string | number;

export interface VoiceCloneTiming {
  /** How long to wait for ICE's callback after submitting before polling starts. Default 10 min. */
  callbackTimeout?: DurationInput;
  /** First polling interval. Default 30 s. */
  pollInterval?: DurationInput;
  /** Polling backs off up to this interval. Default 5 min. */
  maxPollInterval?: DurationInput;
  /** Give up when training has not ended this long after submit. Default 24 h. */
  trainingTimeout?: DurationInput;
  /** A recording session (input `voice`, no `recordings`) unsubmitted this long fails RecordingTimedOut. Default 7 d. */
  recordingTimeout?: DurationInput;
}

export const DEFAULT_TIMING = {
  callbackTimeout: '10 minutes',
  pollInterval: '30 seconds',
  maxPollInterval: '5 minutes',
  trainingTimeout: '24 hours',
  recordingTimeout: '7 days',
} as const satisfies Required<VoiceCloneTiming>;

export interface VoiceRecording {
  /** The demonstration sentence's AudioId, 1..20. */
  audioRecordId: number;
  /** https URL of the recording in OSS (same account and region as ICE). */
  recordUrl: string;
}

/** The Basic edition (the default): the voice was created and its recordings detected under the caller's VoiceId. */
export interface BasicVoiceCloneInput {
  edition?: 'basic';
  /** 1–32 letters or digits; must be the VoiceId used with CreateCustomizedVoiceJob and detection. */
  voiceId: string;
  /**
   * The JobId CreateCustomizedVoiceJob returned for this voice. When given, the lookup is one GetCustomizedVoiceJob
   * read; without it the workflow pages ListCustomizedVoiceJobs (ICE has no VoiceId filter) until it meets the voice.
   */
  jobId?: string;
  /** https URL where ICE writes a demo clip after training. */
  demoAudioMediaUrl?: string;
  /** When given, each recording is run through ICE's audio detection before submitting. */
  recordings?: VoiceRecording[];
  timing?: VoiceCloneTiming;
  /**
   * The voice to create (CreateCustomizedVoiceJob) unless ICE has it already (then its job is adopted). Without
   * `recordings`, the clone then holds a recording session: `demonstrations`, `addRecording`, `submitTraining`.
   */
  voice?: VoiceToCreate;
  /** Recording session only: submit by itself once this many distinct recordings passed detection (1–20). */
  autoSubmitAfter?: number;
  voiceName?: never;
  gender?: never;
  authenticationMediaId?: never;
  audioMediaIds?: never;
  audioMediaId?: never;
  model?: never;
}

/** CreateCustomizedVoiceJob's parameters (docs/ice-api.md#voice-lifecycle-basic), the VoiceId aside. */
export interface VoiceToCreate {
  gender: VoiceGender;
  scenario: VoiceScenario;
  /** ≤ 32 characters. */
  voiceName?: string;
  /** ≤ 256 characters. */
  voiceDesc?: string;
}

/** The Standard edition: SubmitStandardCustomizedVoiceJob (docs/ice-api.md#editions). ICE assigns the VoiceId. */
export interface StandardVoiceCloneInput {
  edition: 'standard';
  /** ≤ 32 characters; names the voice and the clone (`voice-clone-standard-<voiceName>`). */
  voiceName: string;
  gender: VoiceGender;
  /** Media ID of the speaker reading ICE's consent text; a voiceprint unlike the training audio fails training. */
  authenticationMediaId: string;
  /** Media IDs of the training audio: 15–30 minutes in total, each clip over 1 minute (1–29 distinct IDs). */
  audioMediaIds: string[];
  /** https URL where ICE writes a demo clip after training. */
  demoAudioMediaUrl?: string;
  timing?: VoiceCloneTiming;
  voiceId?: never;
  jobId?: never;
  recordings?: never;
  voice?: never;
  autoSubmitAfter?: never;
  audioMediaId?: never;
  model?: never;
}

/** The CosyVoice edition: SubmitCosyVoiceCustomizedVoiceJob (docs/ice-api.md#editions), at most 30 voices. */
export interface CosyVoiceCloneInput {
  edition: 'cosyvoice';
  /** ≤ 32 characters; names the voice and the clone (`voice-clone-cosyvoice-<voiceName>`). */
  voiceName: string;
  gender: VoiceGender;
  /** Media ID of the one training audio. */
  audioMediaId: string;
  model: CosyVoiceModel;
  /** https URL where ICE writes a demo clip after training. */
  demoAudioMediaUrl?: string;
  timing?: VoiceCloneTiming;
  voiceId?: never;
  jobId?: never;
  recordings?: never;
  voice?: never;
  autoSubmitAfter?: never;
  authenticationMediaId?: never;
  audioMediaIds?: never;
}

// The `?: never` fields: each edition's input refuses the others' fields at compile time, and code that reads a
// field of any input (input.voiceId, input.recordings) compiles, getting undefined for another edition.

export type VoiceCloneInput = BasicVoiceCloneInput | StandardVoiceCloneInput | CosyVoiceCloneInput;

export interface DetectionResult {
  audioRecordId: number;
  recordUrl: string;
  pass: boolean;
  reason: string;
}

export type CompletedVia = 'callback' | 'poll' | 'already-trained';

export interface VoiceCloneResult {
  edition: VoiceCloneEdition;
  /** Basic: the caller's; Standard and CosyVoice: the one ICE assigned. */
  voiceId: string;
  /** Standard and CosyVoice: the name the clone was started with. */
  voiceName?: string;
  jobId: string;
  status: 'Success';
  message: string;
  completedVia: CompletedVia;
  /** GetCustomizedVoiceJob reads made while awaiting the result (polls and callback confirmations). */
  statusChecks: number;
  detection?: DetectionResult[];
}

export type VoiceCloneStage =
  | 'Validating'
  | 'CreatingVoice'
  | 'AwaitingRecordings'
  | 'DetectingAudio'
  | 'LookingUpVoice'
  | 'Submitting'
  | 'AwaitingCallback'
  | 'Polling'
  | 'Succeeded'
  | 'Failed';

export interface VoiceCloneStatus {
  stage: VoiceCloneStage;
  edition: VoiceCloneEdition;
  /** Basic: the caller's. Standard and CosyVoice: '' until ICE has assigned it (a submit's answer or a read). */
  voiceId: string;
  /** Standard and CosyVoice: the name the clone was started with. */
  voiceName?: string;
  jobId?: string;
  /**
   * Last status read from ICE and when (ISO time). ICE's raw value: a VoiceJobStatus as far as known, any other
   * value means "not finished" (docs/ice-api.md#job-fields).
   */
  lastIceStatus?: string;
  lastIceStatusAt?: string;
  detection: DetectionResult[];
  callbacksReceived: number;
  /**
   * Callbacks that caused no read of their own: repeats, not about this job, saying nothing new, or folded into a
   * read already due. A storm of callbacks shows here, not as ICE reads.
   */
  callbacksCoalesced: number;
  statusChecks: number;
  /** Set once the workflow has failed. */
  failure?: { type: string; message: string };
  /** Recording session only: each sentence recorded so far, with ICE's detection answer, by audioRecordId. */
  recordings?: RecordingStatus[];
}

/** One row of the recordings table: the latest recording of a sentence and where its detection stands. */
export interface RecordingStatus {
  audioRecordId: number;
  /** The demonstration sentence (empty while the demonstrations are not read yet). */
  text: string;
  recordUrl: string;
  state: 'detecting' | 'passed' | 'failed';
  /** ICE's reason for a failed detection ('' otherwise). */
  reason: string;
}

/**
 * The facts of one ICE callback that a clone uses, each a bounded string: never the body. ICE signs the URL and the
 * timestamp, not the body (docs/ice-api.md#callback-authentication), so a callback is only a wake-up and the workflow
 * re-reads the job. The receiver builds this from the body (see `ICE_CALLBACK_FACT_MAX_CHARS`).
 */
export interface IceCallbackFact {
  eventType: string;
  jobId?: string;
  voiceId?: string;
  status?: string;
  eventTime?: string;
}

/** The longest value any field of an `IceCallbackFact` may carry; the receiver refuses a longer one. */
export const ICE_CALLBACK_FACT_MAX_CHARS = 128;

/**
 * What the `iceCallback` signal carries: an `IceCallbackFact`. Histories written before the fact existed carry ICE's
 * whole envelope; the workflow still reads those, so that they replay.
 */
export type IceCallbackSignalPayload = IceCallbackFact | IceCallbackEnvelope;

export const iceCallbackSignal = defineSignal<[IceCallbackSignalPayload]>('iceCallback');
export const statusQuery = defineQuery<VoiceCloneStatus>('status');

export const VoiceCloneFailureTypes = {
  InvalidInput: 'InvalidInput',
  AudioDetectionFailed: 'AudioDetectionFailed',
  VoiceNotReady: 'VoiceNotReady',
  TrainingFailed: 'TrainingFailed',
  TrainingTimedOut: 'TrainingTimedOut',
  /** ICE answered without what the clone needs (a read's Status, a submit's JobId), still after the bounded retries. */
  UnexpectedIceResponse: 'UnexpectedIceResponse',
  /** A recording session was not submitted within `timing.recordingTimeout`. */
  RecordingTimedOut: 'RecordingTimedOut',
} as const;
export type VoiceCloneFailureType = (typeof VoiceCloneFailureTypes)[keyof typeof VoiceCloneFailureTypes];

export const searchAttributes = {
  iceVoiceId: defineSearchAttributeKey('IceVoiceId', SearchAttributeType.KEYWORD),
  iceJobId: defineSearchAttributeKey('IceJobId', SearchAttributeType.KEYWORD),
  voiceCloneStage: defineSearchAttributeKey('VoiceCloneStage', SearchAttributeType.KEYWORD),
};

export const SEARCH_ATTRIBUTE_NAMES = Object.values(searchAttributes).map((key) => key.name);

/**
 * The worker's answer to "what may this clone upsert": the registered names and the stages to index. It is a local
 * activity's result, so it is recorded: a clone replays with the plan it started with, whatever the code says now.
 */
export interface SearchAttributePlan {
  names: string[];
  indexedStages: VoiceCloneStage[];
}

/** Type of the retryable failure each poll attempt throws while training runs (activity retries do the polling). */
export const TRAINING_IN_PROGRESS_FAILURE_TYPE = 'TrainingInProgress';
/** Type of the non-retryable failure that ends a poll whose read lacked a Status: the workflow re-reads, bounded. */
export const INCOMPLETE_ICE_ANSWER_FAILURE_TYPE = 'IncompleteIceAnswer';

// ------------------------------------------------------------------------------------------------------------
// The recording session (input `voice` without `recordings`): Workflow Updates, answered synchronously.
// ------------------------------------------------------------------------------------------------------------

/** A demonstration sentence as GetDemonstrationForCustomizedVoiceJob lists it; `demoAudio` expires after 12 h. */
export type DemonstrationSentence = Demonstration;

/** What `addRecording` answers once ICE's detection has: a failed one is an answer, not an error. */
export interface RecordingAnswer {
  audioRecordId: number;
  pass: boolean;
  reason: string;
}

export interface SubmittedTraining {
  jobId: string;
}

/** What `awaitSubmitted` answers: the job ICE has, and the detection results it was submitted with. */
export interface SubmittedClone {
  jobId: string;
  /** The recordings detected by this clone ([] when it found the voice already training or trained). */
  detection: DetectionResult[];
}

/** The scenario's 20 sentences; re-read from ICE when the copy held is older than 11 hours. */
export const demonstrationsUpdate = defineUpdate<DemonstrationSentence[], []>('demonstrations');
/** Runs ICE's detection on one recording; a later recording of the same sentence replaces the earlier one. */
export const addRecordingUpdate = defineUpdate<RecordingAnswer, [VoiceRecording]>('addRecording');
/** Submits training once (a second call answers the same JobId), or fails AudioDetectionFailed / VoiceNotReady. */
export const submitTrainingUpdate = defineUpdate<SubmittedTraining, []>('submitTraining');
/** Answers as soon as ICE has the job (submitted, or found training or trained), or fails with the clone's failure. */
export const awaitSubmittedUpdate = defineUpdate<SubmittedClone, []>('awaitSubmitted');

/** Types of an update's rejection by its validator (nothing enters history) or of its refusal. */
export const RecordingUpdateRejections = {
  /** The update's argument breaks a rule (field and rule in the message and details). */
  InvalidInput: 'InvalidInput',
  /** The clone holds no recording session: started without `voice`, or with `recordings` up front. */
  NoRecordingSession: 'NoRecordingSession',
  /** Training is submitted or being submitted (or being decided): recordings can no longer change. */
  RecordingsClosed: 'RecordingsClosed',
} as const;
