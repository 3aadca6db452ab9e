/**
 * The clone workflow's public contract, declared once and imported by the workflow, the client, the callback
 * receiver and the CLI: names, input/result types, signal, query, search attributes and failure types.
 * Deterministic and free of Node APIs so that workflow code can import it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CosyVoiceModel, IceCallbackEnvelope, VoiceGender } from '../ice/types';

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
}

export const DEFAULT_TIMING = {
  callbackTimeout: '10 minutes',
  pollInterval: '30 seconds',
  maxPollInterval: '5 minutes',
  trainingTimeout: '24 hours',
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
  voiceName?: never;
  gender?: never;
  authenticationMediaId?: never;
  audioMediaIds?: never;
  audioMediaId?: never;
  model?: never;
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
  statusChecks: number;
  /** Set once the workflow has failed. */
  failure?: { type: string; message: string };
}

/** ICE's callback body exactly as the receiver got it. Only a wake-up: the workflow re-reads the job. */
export type IceCallbackSignalPayload = IceCallbackEnvelope;

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
