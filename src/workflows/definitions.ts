/**
 * The clone workflow's public contract, declared once and imported by the workflow, the client, the callback
 * receiver and the CLI: names, input/result types, signal, query, search attributes and failure types.
 * Deterministic and free of Node APIs so that workflow code can import it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Demonstration, IceCallbackEnvelope } from '../ice/types';
import type { AnyEditionInput, EditionInput, VoiceCloneEdition } from './editions';
import type { VoiceRecording } from './input-parts';

/** The workflow type the clone is registered under: start or list clones by this name, not the function's. */
export const VOICE_CLONE_WORKFLOW_TYPE = 'voiceCloneWorkflow';
/** The task queue the package's own worker polls unless VOICE_CLONE_TASK_QUEUE says otherwise (src/config.ts). */
export const DEFAULT_TASK_QUEUE = 'voice-clone';

// Each edition is described once, in ./editions.ts; its names are part of this contract.
export {
  VOICE_CLONE_EDITIONS,
  VOICE_CLONE_WORKFLOW_ID_PREFIX,
  voiceCloneWorkflowId,
  type NamedVoiceEdition,
  type VoiceCloneEdition,
  type VoiceCloneIdentity,
} from './editions';

// The parts an input is made of: in their own module so that ./editions.ts can build the inputs from them.
export {
  DEFAULT_TIMING,
  type DurationInput,
  type VoiceCloneTiming,
  type VoiceRecording,
  type VoiceToCreate,
} from './input-parts';

/** The Basic edition (the default): the voice was created and its recordings detected under the caller's VoiceId. */
export type BasicVoiceCloneInput = EditionInput<'basic'>;
/** The Standard edition: SubmitStandardCustomizedVoiceJob (docs/ice-api.md#editions). ICE assigns the VoiceId. */
export type StandardVoiceCloneInput = EditionInput<'standard'>;
/** The CosyVoice edition: SubmitCosyVoiceCustomizedVoiceJob (docs/ice-api.md#editions), at most 30 voices. */
export type CosyVoiceCloneInput = EditionInput<'cosyvoice'>;

/** Any edition's input: `BasicVoiceCloneInput | StandardVoiceCloneInput | CosyVoiceCloneInput`. */
export type VoiceCloneInput = AnyEditionInput;

/** ICE's detection answer for one recording (DetectAudioForCustomizedVoiceJob). */
export interface DetectionResult {
  audioRecordId: number;
  recordUrl: string;
  pass: boolean;
  /** ICE's reason when `pass` is false ('' otherwise). */
  reason: string;
}

/**
 * How the clone learnt that training succeeded: a callback confirmed by a read, a poll, or a lookup that found the
 * voice already trained (nothing submitted).
 */
export type CompletedVia = 'callback' | 'poll' | 'already-trained';

/** What a clone returns once ICE reports the training job `Success`; any other end is a failure, not a result. */
export interface VoiceCloneResult {
  edition: VoiceCloneEdition;
  /** Basic: the caller's; Standard and CosyVoice: the one ICE assigned. */
  voiceId: string;
  /** Standard and CosyVoice: the name the clone was started with. */
  voiceName?: string;
  /** ICE's JobId of the training job (submitted by this clone or adopted). */
  jobId: string;
  status: 'Success';
  /** ICE's message on the finished job. */
  message: string;
  completedVia: CompletedVia;
  /** GetCustomizedVoiceJob reads made while awaiting the result (polls and callback confirmations). */
  statusChecks: number;
  /** The detection answers of the recordings this clone checked (absent when it checked none). */
  detection?: DetectionResult[];
}

/** Where a clone stands, as the `status` query and the `VoiceCloneStage` search attribute show it. */
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

/** What the `status` query answers: the clone's stage and what it knows of the ICE job so far. */
export interface VoiceCloneStatus {
  stage: VoiceCloneStage;
  edition: VoiceCloneEdition;
  /** Basic: the caller's. Standard and CosyVoice: '' until ICE has assigned it (a submit's answer or a read). */
  voiceId: string;
  /** Standard and CosyVoice: the name the clone was started with. */
  voiceName?: string;
  /** ICE's JobId once the lookup found a job or the submit was accepted. */
  jobId?: string;
  /**
   * Last status read from ICE and when (ISO time). ICE's raw value: a VoiceJobStatus as far as known, any other
   * value means "not finished" (docs/ice-api.md#job-fields).
   */
  lastIceStatus?: string;
  lastIceStatusAt?: string;
  /** Detection answers so far ([] until any recording is checked). */
  detection: DetectionResult[];
  /** `iceCallback` signals received, matched or not. */
  callbacksReceived: number;
  /**
   * Callbacks that caused no read of their own: repeats, not about this job, saying nothing new, or folded into a
   * read already due. A storm of callbacks shows here, not as ICE reads.
   */
  callbacksCoalesced: number;
  /** GetCustomizedVoiceJob reads made while awaiting the result. */
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
  /** `detecting` until ICE's detection has answered for this recording. */
  state: 'detecting' | 'passed' | 'failed';
  /** ICE's reason for a failed detection ('' otherwise). */
  reason: string;
}

/**
 * The facts of one ICE callback that a clone uses, each a bounded string: never the body. ICE signs the URL and the
 * timestamp, not the body (docs/ice-api.md#callback-signature), so a callback is only a wake-up and the workflow
 * re-reads the job. The receiver builds this from the body (see `ICE_CALLBACK_FACT_MAX_CHARS`).
 */
export interface IceCallbackFact {
  /** ICE's EventType (the voice-job events; the receiver drops foreign ones). */
  eventType: string;
  /** The JobId the callback names, when it names one: the inbox matches it against the clone's job. */
  jobId?: string;
  voiceId?: string;
  /** The job status the callback claims; untrusted until a read confirms it. */
  status?: string;
  /** ICE's EventTime as sent (not parsed). */
  eventTime?: string;
}

/** The longest value any field of an `IceCallbackFact` may carry; the receiver refuses a longer one. */
export const ICE_CALLBACK_FACT_MAX_CHARS = 128;

/**
 * What the `iceCallback` signal carries: an `IceCallbackFact`. The workflow also reads ICE's whole envelope, only so
 * that histories holding one replay; senders send the fact.
 */
export type IceCallbackSignalPayload = IceCallbackFact | IceCallbackEnvelope;

/** Wakes a clone about its ICE job; the callback receiver sends it. A wake-up only: the clone re-reads the job. */
export const iceCallbackSignal = defineSignal<[IceCallbackSignalPayload]>('iceCallback');
/** Answers the clone's `VoiceCloneStatus`; read-only, safe at any stage. */
export const statusQuery = defineQuery<VoiceCloneStatus>('status');

/**
 * The types of the non-retryable `ApplicationFailure`s a clone ends with. A final ICE error is not among them: it
 * keeps ICE's own Code as its type and the RequestId in its message.
 */
export const VoiceCloneFailureTypes = {
  /** The input broke a rule (field and rule in the message); no ICE call was made. */
  InvalidInput: 'InvalidInput',
  /** ICE's detection failed a recording (each failed sentence and ICE's reason in the message); nothing billed. */
  AudioDetectionFailed: 'AudioDetectionFailed',
  /** ICE has nothing to train: no job for the voice, one in `Initialization` without recordings, or none passed. */
  VoiceNotReady: 'VoiceNotReady',
  /** ICE reported the training job `Fail`. */
  TrainingFailed: 'TrainingFailed',
  /** Training had not ended `timing.trainingTimeout` after submit. */
  TrainingTimedOut: 'TrainingTimedOut',
  /** ICE answered without what the clone needs (a read's Status, a submit's JobId), still after the bounded retries. */
  UnexpectedIceResponse: 'UnexpectedIceResponse',
  /** A recording session was not submitted within `timing.recordingTimeout`. */
  RecordingTimedOut: 'RecordingTimedOut',
} as const;
/** One of `VoiceCloneFailureTypes`' values. */
export type VoiceCloneFailureType = (typeof VoiceCloneFailureTypes)[keyof typeof VoiceCloneFailureTypes];

/**
 * The Keyword search attributes a clone upserts, each only when the namespace has it registered (unregistered ones
 * are skipped, not an error).
 */
export const searchAttributes = {
  iceVoiceId: defineSearchAttributeKey('IceVoiceId', SearchAttributeType.KEYWORD),
  iceJobId: defineSearchAttributeKey('IceJobId', SearchAttributeType.KEYWORD),
  voiceCloneStage: defineSearchAttributeKey('VoiceCloneStage', SearchAttributeType.KEYWORD),
};

/**
 * The Keyword search attribute a batch (`voiceCloneBatchWorkflow`) upserts: its progress, e.g. "37/100 done, 2 failed",
 * only when the namespace has it registered.
 */
export const batchSearchAttributes = {
  voiceCloneBatchProgress: defineSearchAttributeKey('VoiceCloneBatchProgress', SearchAttributeType.KEYWORD),
};

/** The names of `searchAttributes` and `batchSearchAttributes`, to register once per namespace. */
export const SEARCH_ATTRIBUTE_NAMES = [...Object.values(searchAttributes), ...Object.values(batchSearchAttributes)].map(
  (key) => key.name,
);

/**
 * The worker's answer to "what may this clone upsert": the registered names and the stages to index. It is a local
 * activity's result, so it is recorded: a clone replays with the plan it started with, whatever a later worker
 * would answer.
 */
export interface SearchAttributePlan {
  /** The search attribute names registered in the namespace, among `SEARCH_ATTRIBUTE_NAMES`. */
  names: string[];
  /** Entering one of these stages upserts the search attributes; the other stages show only in the details. */
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
  /** ICE's reason when `pass` is false ('' otherwise). */
  reason: string;
}

/** What `submitTraining` answers: the JobId ICE accepted (the same one on every call). */
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
