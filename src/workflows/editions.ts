/**
 * ICE's voice-cloning editions (docs/ice-api.md#editions), each described once: its input fields, their rules, how
 * its voice is named (and so its workflow ID), the CLI flags only it takes, and for the editions whose voice the
 * caller names, the ListCustomizedVoiceJobs Type its jobs are looked up under and its submit. The public input
 * types, the validation, the lookup and submit activities and the `start` command derive from here. Pure and
 * deterministic: safe inside the workflow sandbox (the submit only runs in an activity, on the client it is given).
 */
import {
  COSYVOICE_JOB_TYPE,
  COSYVOICE_MODELS,
  type CosyVoiceModel,
  type IceAction,
  type IceClient,
  type VoiceGender,
  type VoiceJobType,
} from '../ice/types';
import type { VoiceCloneTiming, VoiceRecording, VoiceToCreate } from './input-parts';
import { BASIC_VOICE_ID_PATTERN, BASIC_VOICE_ID_RULE, JOB_ID_PATTERN, JOB_ID_RULE } from './ice-ids';
import {
  GENDERS,
  InvalidField,
  parseMediaId,
  parseOneOf,
  parseOptionalHttpsUrl,
  parseRecordings,
  parseStandardAudios,
  parseVoice,
  parseVoiceName,
  MAX_RECORDINGS,
  type ResolvedTiming,
} from './input-fields';

/** Basic is the default. */
export const VOICE_CLONE_EDITIONS = ['basic', 'standard', 'cosyvoice'] as const;
/** ICE's voice-cloning edition a clone uses: `basic`, `standard` or `cosyvoice`. */
export type VoiceCloneEdition = (typeof VOICE_CLONE_EDITIONS)[number];
/** The editions whose voice the caller names and ICE gives a VoiceId at submit. */
export type NamedVoiceEdition = Exclude<VoiceCloneEdition, 'basic'>;

/** The Basic edition (the default): the voice was created and its recordings detected under the caller's VoiceId. */
export interface BasicVoiceFields {
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
}

/** The Standard edition: SubmitStandardCustomizedVoiceJob. ICE assigns the VoiceId. */
export interface StandardVoiceFields {
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
}

/** The CosyVoice edition: SubmitCosyVoiceCustomizedVoiceJob, at most 30 voices. ICE assigns the VoiceId. */
export interface CosyVoiceFields {
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
}

/** Each edition's own input fields. */
export interface EditionFields {
  basic: BasicVoiceFields;
  standard: StandardVoiceFields;
  cosyvoice: CosyVoiceFields;
}

type AnyEditionField = { [E in VoiceCloneEdition]: keyof EditionFields[E] }[VoiceCloneEdition];

/**
 * An edition's input: its fields, and every other edition's field as `?: never`, so that the compiler refuses a
 * field of another edition and code reading any field of any input (input.voiceId) compiles.
 */
export type EditionInput<E extends VoiceCloneEdition> = EditionFields[E] & {
  [K in Exclude<AnyEditionField, keyof EditionFields[E]>]?: never;
};

/** An edition's input once validated: its edition told, its timing resolved to milliseconds. */
export type ValidEditionInput<E extends VoiceCloneEdition> = Omit<EditionFields[E], 'edition' | 'timing'> & {
  edition: E;
  timing: ResolvedTiming;
};

/** Any edition's input (distributed over the editions). */
export type AnyEditionInput = { [E in VoiceCloneEdition]: EditionInput<E> }[VoiceCloneEdition];
/** Any edition's valid input (distributed over the editions). */
export type AnyValidEditionInput = { [E in VoiceCloneEdition]: ValidEditionInput<E> }[VoiceCloneEdition];
/** Any named edition's valid input (distributed over the named editions). */
export type ValidNamedEditionInput = { [E in NamedVoiceEdition]: ValidEditionInput<E> }[NamedVoiceEdition];

/** What a named edition's submit activity takes: the valid input without its timing (recorded in history). */
export type NamedVoiceSubmitOf<E extends NamedVoiceEdition> = Omit<ValidEditionInput<E>, 'timing'>;
export type NamedVoiceSubmit = { [E in NamedVoiceEdition]: NamedVoiceSubmitOf<E> }[NamedVoiceEdition];

/** What a named edition's submit answers ('' for a VoiceId ICE did not tell yet: the first read tells it). */
export interface NamedSubmitAnswer {
  jobId: string;
  voiceId: string;
  requestId: string;
}

export interface EditionDescription<E extends VoiceCloneEdition> {
  /** As ICE and the docs write it. */
  label: string;
  /** The input fields it takes; any other is refused. */
  fields: readonly (keyof EditionFields[E] & string)[];
  /** Its own fields, validated (the edition and the timing are common: ./validation.ts). */
  parse(record: Record<string, unknown>): Omit<ValidEditionInput<E>, 'timing'>;
  /** The `start` flags only it takes: given with another edition, they are a usage error, not silently dropped. */
  cliFlags: readonly string[];
  /** The Web UI's summary line of its clone, and the first lines of the details (demo clip and timing follow). */
  describeStart(valid: ValidEditionInput<E>): { summary: string; lines: string[] };
}

export interface NamedEditionDescription<E extends NamedVoiceEdition> extends EditionDescription<E> {
  submitOperation: IceAction;
  /**
   * Where ListCustomizedVoiceJobs lists its jobs (ICE has no VoiceName filter): under `type`, skipping jobs that
   * report one of `excludeTypes`; when ICE refuses `type` or answers it with jobs of other Types, under
   * `fallbackType` (see src/activities/find-named-voice-job.ts).
   */
  lookup: { type: VoiceJobType; excludeTypes?: readonly string[]; fallbackType?: VoiceJobType };
  /** Its submit, on the wire; runs in an activity. */
  submit(ice: IceClient, voice: NamedVoiceSubmitOf<E>): Promise<NamedSubmitAnswer>;
}

const basic: EditionDescription<'basic'> = {
  label: 'Basic',
  fields: ['edition', 'voiceId', 'jobId', 'demoAudioMediaUrl', 'recordings', 'timing', 'voice', 'autoSubmitAfter'],
  parse: parseBasic,
  cliFlags: ['voice-id', 'job-id', 'recording', 'scenario', 'auto-submit-after', 'recording-timeout', 'wait-for'],
  describeStart: (valid) => ({
    summary: `Clone ICE voice ${valid.voiceId}`,
    lines: [
      `**ICE voice clone** (Basic) \`${valid.voiceId}\``,
      '', // the Web UI needs a blank line before a markdown list
      ...(valid.voice ? [`- Voice: created if ICE lacks it (${valid.voice.gender}, ${valid.voice.scenario})`] : []),
      valid.voice !== undefined && !valid.recordings
        ? `- Recordings: sent as updates (addRecording)${valid.autoSubmitAfter ? `, submitted after ${valid.autoSubmitAfter} passed` : ''}`
        : `- Recordings to detect: ${valid.recordings?.length ?? 'none (detected beforehand)'}`,
    ],
  }),
};

const standard: NamedEditionDescription<'standard'> = {
  label: 'Standard',
  fields: ['edition', 'voiceName', 'gender', 'authenticationMediaId', 'audioMediaIds', 'demoAudioMediaUrl', 'timing'],
  parse: (record) => ({
    edition: 'standard',
    voiceName: parseVoiceName(record.voiceName),
    gender: parseOneOf(record.gender, 'gender', GENDERS),
    authenticationMediaId: parseMediaId(record.authenticationMediaId, 'authenticationMediaId'),
    audioMediaIds: parseStandardAudios(record.audioMediaIds),
    ...demoAudio(record),
  }),
  cliFlags: ['audio-media-id', 'authentication-media-id'],
  describeStart: (valid) =>
    describeNamedStart(
      valid,
      'Standard',
      `${valid.audioMediaIds.length} media IDs, authentication ${valid.authenticationMediaId}`,
    ),
  submitOperation: 'SubmitStandardCustomizedVoiceJob',
  lookup: { type: 'Standard', excludeTypes: [COSYVOICE_JOB_TYPE] },
  async submit(ice, voice) {
    const response = await ice.submitStandardCustomizedVoiceJob({
      voiceName: voice.voiceName,
      gender: voice.gender,
      authentication: voice.authenticationMediaId,
      audios: voice.audioMediaIds,
      demoAudioMediaUrl: voice.demoAudioMediaUrl,
    });
    // Standard answers the JobId only (docs/ice-api.md#editions): the first read tells the VoiceId.
    return { jobId: response.jobId, voiceId: '', requestId: response.requestId };
  },
};

/**
 * ASSUMPTION (docs/ice-api.md#editions): ICE lists CosyVoice jobs under Type `CosyVoice`, or else under `Standard`,
 * where nothing tells them from Standard jobs.
 */
const cosyvoice: NamedEditionDescription<'cosyvoice'> = {
  label: 'CosyVoice',
  fields: ['edition', 'voiceName', 'gender', 'audioMediaId', 'model', 'demoAudioMediaUrl', 'timing'],
  parse: (record) => ({
    edition: 'cosyvoice',
    voiceName: parseVoiceName(record.voiceName),
    gender: parseOneOf(record.gender, 'gender', GENDERS),
    audioMediaId: parseMediaId(record.audioMediaId, 'audioMediaId'),
    model: parseOneOf(record.model, 'model', COSYVOICE_MODELS),
    ...demoAudio(record),
  }),
  cliFlags: ['audio-media-id', 'model'],
  describeStart: (valid) => describeNamedStart(valid, 'CosyVoice', `${valid.audioMediaId}, model ${valid.model}`),
  submitOperation: 'SubmitCosyVoiceCustomizedVoiceJob',
  lookup: { type: COSYVOICE_JOB_TYPE, fallbackType: 'Standard' },
  async submit(ice, voice) {
    const response = await ice.submitCosyVoiceCustomizedVoiceJob({
      voiceName: voice.voiceName,
      gender: voice.gender,
      audios: voice.audioMediaId,
      model: voice.model,
      demoAudioMediaUrl: voice.demoAudioMediaUrl,
    });
    return { jobId: response.jobId, voiceId: response.voiceId, requestId: response.requestId };
  },
};

/** The editions whose voice the caller names, by name. */
export const NAMED_EDITIONS: { [E in NamedVoiceEdition]: NamedEditionDescription<E> } = { standard, cosyvoice };
/** Every edition, by name. */
export const EDITIONS: { [E in VoiceCloneEdition]: EditionDescription<E> } = { basic, ...NAMED_EDITIONS };

export function isNamedEdition(edition: unknown): edition is NamedVoiceEdition {
  return typeof edition === 'string' && edition !== 'basic' && Object.hasOwn(NAMED_EDITIONS, edition);
}

/** What a named edition's submit activity takes, from its valid input (the timing stays with the workflow). */
export function namedSubmit(valid: ValidNamedEditionInput): NamedVoiceSubmit {
  const { timing: _timing, ...submit } = valid;
  return submit;
}

/** The Web UI's summary and first detail lines of a clone about to start, by its edition. */
export function describeEditionStart(valid: AnyValidEditionInput): { summary: string; lines: string[] } {
  return (EDITIONS[valid.edition] as EditionDescription<VoiceCloneEdition>).describeStart(valid);
}

function describeNamedStart(
  valid: ValidNamedEditionInput,
  label: string,
  trainingAudio: string,
): { summary: string; lines: string[] } {
  return {
    summary: `Clone ICE voice "${valid.voiceName}" (${label} edition)`,
    lines: [
      `**ICE voice clone** (${label}) "${valid.voiceName}", ${valid.gender}`,
      '',
      `- Training audio: ${trainingAudio}`,
    ],
  };
}

/** Submits `voice` with its edition's operation (in an activity). */
export function submitNamedVoice(ice: IceClient, voice: NamedVoiceSubmit): Promise<NamedSubmitAnswer> {
  const description = NAMED_EDITIONS[voice.edition] as NamedEditionDescription<NamedVoiceEdition>;
  return description.submit(ice, voice);
}

/**
 * What names a clone: a Basic voice by the VoiceId the caller chose, a Standard or CosyVoice voice by the VoiceName
 * the caller gave (ICE picks its VoiceId). Any clone input is one.
 */
export type VoiceCloneIdentity =
  { edition?: 'basic'; voiceId: string } | { edition: NamedVoiceEdition; voiceName: string };

/** What every clone's workflow ID starts with, e.g. to list clones by ID prefix. */
export const VOICE_CLONE_WORKFLOW_ID_PREFIX = 'voice-clone-';

/**
 * One workflow per voice: the ID is what makes "start the same voice twice" attach instead of paying twice.
 * `voice-clone-<voiceId>` for Basic (a VoiceId alone means Basic), `voice-clone-<edition>-<voiceName>` for the
 * others. The two never collide: a Basic VoiceId has no '-'.
 */
export function voiceCloneWorkflowId(voice: string | VoiceCloneIdentity): string {
  if (typeof voice === 'string') return `${VOICE_CLONE_WORKFLOW_ID_PREFIX}${voice}`;
  if (isNamedVoice(voice)) {
    return `${VOICE_CLONE_WORKFLOW_ID_PREFIX}${voice.edition}-${voice.voiceName}`;
  }
  return `${VOICE_CLONE_WORKFLOW_ID_PREFIX}${voice.voiceId}`;
}

function isNamedVoice(voice: VoiceCloneIdentity): voice is Extract<VoiceCloneIdentity, { voiceName: string }> {
  return isNamedEdition(voice.edition);
}

function demoAudio(record: Record<string, unknown>): { demoAudioMediaUrl?: string } {
  const url = parseOptionalHttpsUrl(record.demoAudioMediaUrl, 'demoAudioMediaUrl');
  return url === undefined ? {} : { demoAudioMediaUrl: url };
}

function parseBasic(record: Record<string, unknown>): Omit<ValidEditionInput<'basic'>, 'timing'> {
  const voiceId = record.voiceId;
  if (typeof voiceId !== 'string' || !BASIC_VOICE_ID_PATTERN.test(voiceId)) {
    throw new InvalidField('voiceId', BASIC_VOICE_ID_RULE);
  }
  const value: Omit<ValidEditionInput<'basic'>, 'timing'> = { edition: 'basic', voiceId };
  if (record.jobId !== undefined) {
    if (typeof record.jobId !== 'string' || !JOB_ID_PATTERN.test(record.jobId)) {
      throw new InvalidField('jobId', `${JOB_ID_RULE} (the JobId CreateCustomizedVoiceJob returned)`);
    }
    value.jobId = record.jobId;
  }
  Object.assign(value, demoAudio(record));
  if (record.recordings !== undefined) value.recordings = parseRecordings(record.recordings);
  if (record.voice !== undefined) value.voice = parseVoice(record.voice);
  if (record.autoSubmitAfter !== undefined) value.autoSubmitAfter = parseAutoSubmitAfter(record.autoSubmitAfter, value);
  return value;
}

function parseAutoSubmitAfter(count: unknown, value: Omit<ValidEditionInput<'basic'>, 'timing'>): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_RECORDINGS) {
    throw new InvalidField('autoSubmitAfter', `must be a whole number from 1 to ${MAX_RECORDINGS}`);
  }
  if (value.voice === undefined || value.recordings !== undefined) {
    throw new InvalidField('autoSubmitAfter', 'needs a recording session: voice given and no recordings');
  }
  return count;
}
