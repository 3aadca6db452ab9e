/**
 * Input validation shared by the client helper (fails before any call) and the workflow (fails with a
 * non-retryable `InvalidInput` before any ICE call). Pure and deterministic: safe inside the workflow sandbox.
 */
import { COSYVOICE_MODELS, type CosyVoiceModel, type VoiceGender } from '../ice/types';
import {
  DEFAULT_TIMING,
  VOICE_CLONE_EDITIONS,
  type VoiceCloneEdition,
  type VoiceRecording,
  type VoiceToCreate,
} from './definitions';
import { parseDurationMs } from './duration';
import {
  BASIC_VOICE_ID_PATTERN,
  BASIC_VOICE_ID_RULE,
  isVoiceName,
  JOB_ID_PATTERN,
  JOB_ID_RULE,
  MEDIA_ID_PATTERN,
  MEDIA_ID_RULE,
  STANDARD_MAX_AUDIO_MEDIA_IDS,
  VOICE_NAME_RULE,
} from './ice-ids';

/** Timing with every duration resolved to milliseconds. */
export interface ResolvedTiming {
  callbackTimeoutMs: number;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  trainingTimeoutMs: number;
  recordingTimeoutMs: number;
}

export interface ValidBasicVoiceCloneInput {
  edition: 'basic';
  voiceId: string;
  jobId?: string;
  demoAudioMediaUrl?: string;
  recordings?: VoiceRecording[];
  timing: ResolvedTiming;
  voice?: VoiceToCreate;
  autoSubmitAfter?: number;
}

export interface ValidStandardVoiceCloneInput {
  edition: 'standard';
  voiceName: string;
  gender: VoiceGender;
  authenticationMediaId: string;
  audioMediaIds: string[];
  demoAudioMediaUrl?: string;
  timing: ResolvedTiming;
}

export interface ValidCosyVoiceCloneInput {
  edition: 'cosyvoice';
  voiceName: string;
  gender: VoiceGender;
  audioMediaId: string;
  model: CosyVoiceModel;
  demoAudioMediaUrl?: string;
  timing: ResolvedTiming;
}

export type ValidNamedVoiceCloneInput = ValidStandardVoiceCloneInput | ValidCosyVoiceCloneInput;
export type ValidVoiceCloneInput = ValidBasicVoiceCloneInput | ValidNamedVoiceCloneInput;

export type VoiceCloneInputValidation =
  { ok: true; value: ValidVoiceCloneInput } | { ok: false; field: string; rule: string; message: string };

/** The rules live in ./ice-ids.ts (one per kind of id); these names are kept for callers that import them here. */
export { BASIC_VOICE_ID_PATTERN as VOICE_ID_PATTERN, JOB_ID_PATTERN } from './ice-ids';
export const MAX_RECORDINGS = 20;
export const MIN_DURATION_MS = 100;
export const MAX_DURATION_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_URL_LENGTH = 2048;
const GENDERS: readonly VoiceGender[] = ['female', 'male'];

const INPUT_FIELDS: Record<VoiceCloneEdition, readonly string[]> = {
  basic: ['edition', 'voiceId', 'jobId', 'demoAudioMediaUrl', 'recordings', 'timing', 'voice', 'autoSubmitAfter'],
  standard: ['edition', 'voiceName', 'gender', 'authenticationMediaId', 'audioMediaIds', 'demoAudioMediaUrl', 'timing'],
  cosyvoice: ['edition', 'voiceName', 'gender', 'audioMediaId', 'model', 'demoAudioMediaUrl', 'timing'],
};
const RECORDING_FIELDS = ['audioRecordId', 'recordUrl'] as const;
const TIMING_FIELDS = [
  'callbackTimeout',
  'pollInterval',
  'maxPollInterval',
  'trainingTimeout',
  'recordingTimeout',
] as const;

class InvalidField extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}

export function validateVoiceCloneInput(input: unknown): VoiceCloneInputValidation {
  try {
    return { ok: true, value: parseInput(input) };
  } catch (error) {
    if (error instanceof InvalidField) {
      return { ok: false, field: error.field, rule: error.rule, message: error.message };
    }
    throw error;
  }
}

function parseInput(input: unknown): ValidVoiceCloneInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidField('input', 'must be an object');
  }
  const edition = parseEdition((input as Record<string, unknown>).edition);
  const record = asRecord(input, 'input', INPUT_FIELDS[edition], '', edition);
  switch (edition) {
    case 'standard':
      return {
        edition,
        voiceName: parseVoiceName(record.voiceName),
        gender: parseGender(record.gender),
        authenticationMediaId: parseMediaId(record.authenticationMediaId, 'authenticationMediaId'),
        audioMediaIds: parseStandardAudios(record.audioMediaIds),
        ...parseDemoAudioUrl(record),
        timing: parseTiming(record.timing),
      };
    case 'cosyvoice':
      return {
        edition,
        voiceName: parseVoiceName(record.voiceName),
        gender: parseGender(record.gender),
        audioMediaId: parseMediaId(record.audioMediaId, 'audioMediaId'),
        model: parseModel(record.model),
        ...parseDemoAudioUrl(record),
        timing: parseTiming(record.timing),
      };
    case 'basic':
      return parseBasic(record);
  }
}

function parseDemoAudioUrl(record: Record<string, unknown>): { demoAudioMediaUrl?: string } {
  const raw = record.demoAudioMediaUrl;
  return raw === undefined ? {} : { demoAudioMediaUrl: parseHttpsUrl(raw, 'demoAudioMediaUrl') };
}

function parseEdition(raw: unknown): VoiceCloneEdition {
  if (raw === undefined) return 'basic';
  if (typeof raw !== 'string' || !(VOICE_CLONE_EDITIONS as readonly string[]).includes(raw)) {
    throw new InvalidField('edition', `must be one of ${VOICE_CLONE_EDITIONS.join(', ')} (default basic)`);
  }
  return raw as VoiceCloneEdition;
}

function parseBasic(record: Record<string, unknown>): ValidBasicVoiceCloneInput {
  const voiceId = record.voiceId;
  if (typeof voiceId !== 'string' || !BASIC_VOICE_ID_PATTERN.test(voiceId)) {
    throw new InvalidField('voiceId', BASIC_VOICE_ID_RULE);
  }
  const value: ValidBasicVoiceCloneInput = { edition: 'basic', voiceId, timing: parseTiming(record.timing) };
  if (record.jobId !== undefined) {
    if (typeof record.jobId !== 'string' || !JOB_ID_PATTERN.test(record.jobId)) {
      throw new InvalidField('jobId', `${JOB_ID_RULE} (the JobId CreateCustomizedVoiceJob returned)`);
    }
    value.jobId = record.jobId;
  }
  if (record.demoAudioMediaUrl !== undefined) {
    value.demoAudioMediaUrl = parseHttpsUrl(record.demoAudioMediaUrl, 'demoAudioMediaUrl');
  }
  if (record.recordings !== undefined) value.recordings = parseRecordings(record.recordings);
  parseRecordingSessionFields(record, value);
  return value;
}

function parseVoiceName(raw: unknown): string {
  if (!isVoiceName(raw)) throw new InvalidField('voiceName', VOICE_NAME_RULE);
  return raw;
}

function parseGender(raw: unknown): VoiceGender {
  if (typeof raw !== 'string' || !(GENDERS as readonly string[]).includes(raw)) {
    throw new InvalidField('gender', `must be one of ${GENDERS.join(', ')}`);
  }
  return raw as VoiceGender;
}

function parseModel(raw: unknown): CosyVoiceModel {
  if (typeof raw !== 'string' || !(COSYVOICE_MODELS as readonly string[]).includes(raw)) {
    throw new InvalidField('model', `must be one of ${COSYVOICE_MODELS.join(', ')}`);
  }
  return raw as CosyVoiceModel;
}

function parseMediaId(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || !MEDIA_ID_PATTERN.test(raw)) throw new InvalidField(field, MEDIA_ID_RULE);
  return raw;
}

function parseStandardAudios(raw: unknown): string[] {
  const rule = `must be an array of 1 to ${STANDARD_MAX_AUDIO_MEDIA_IDS} media IDs (15-30 minutes of audio in total, each clip over 1 minute)`;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > STANDARD_MAX_AUDIO_MEDIA_IDS) {
    throw new InvalidField('audioMediaIds', rule);
  }
  const firstUse = new Map<string, number>();
  return raw.map((item: unknown, index) => {
    const mediaId = parseMediaId(item, `audioMediaIds[${index}]`);
    const earlier = firstUse.get(mediaId);
    if (earlier !== undefined) {
      throw new InvalidField(`audioMediaIds[${index}]`, `must be unique (audioMediaIds[${earlier}] names it too)`);
    }
    firstUse.set(mediaId, index);
    return mediaId;
  });
}

function parseRecordings(raw: unknown): VoiceRecording[] {
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > MAX_RECORDINGS) {
    throw new InvalidField('recordings', `must be an array of 1 to ${MAX_RECORDINGS} recordings`);
  }
  const firstUse = new Map<number, number>();
  return raw.map((item: unknown, index) => {
    const field = `recordings[${index}]`;
    const record = asRecord(item, field, RECORDING_FIELDS, `${field}.`);
    const audioRecordId = record.audioRecordId;
    if (typeof audioRecordId !== 'number' || !Number.isInteger(audioRecordId) || audioRecordId < 1) {
      throw new InvalidField(`${field}.audioRecordId`, `must be a whole number from 1 to ${MAX_RECORDINGS}`);
    }
    if (audioRecordId > MAX_RECORDINGS) {
      throw new InvalidField(`${field}.audioRecordId`, `must be a whole number from 1 to ${MAX_RECORDINGS}`);
    }
    const earlier = firstUse.get(audioRecordId);
    if (earlier !== undefined) {
      throw new InvalidField(`${field}.audioRecordId`, `must be unique (recordings[${earlier}] uses it too)`);
    }
    firstUse.set(audioRecordId, index);
    return { audioRecordId, recordUrl: parseHttpsUrl(record.recordUrl, `${field}.recordUrl`) };
  });
}

function parseTiming(raw: unknown): ResolvedTiming {
  const record = raw === undefined ? {} : asRecord(raw, 'timing', TIMING_FIELDS, 'timing.');
  const timing: ResolvedTiming = {
    callbackTimeoutMs: parseDuration(record.callbackTimeout ?? DEFAULT_TIMING.callbackTimeout, 'callbackTimeout'),
    pollIntervalMs: parseDuration(record.pollInterval ?? DEFAULT_TIMING.pollInterval, 'pollInterval'),
    maxPollIntervalMs: parseDuration(record.maxPollInterval ?? DEFAULT_TIMING.maxPollInterval, 'maxPollInterval'),
    trainingTimeoutMs: parseDuration(record.trainingTimeout ?? DEFAULT_TIMING.trainingTimeout, 'trainingTimeout'),
    recordingTimeoutMs: parseDuration(record.recordingTimeout ?? DEFAULT_TIMING.recordingTimeout, 'recordingTimeout'),
  };
  if (timing.pollIntervalMs > timing.maxPollIntervalMs) {
    throw new InvalidField('timing.pollInterval', 'must not exceed timing.maxPollInterval');
  }
  if (timing.maxPollIntervalMs > timing.trainingTimeoutMs) {
    throw new InvalidField('timing.maxPollInterval', 'must not exceed timing.trainingTimeout');
  }
  if (timing.callbackTimeoutMs > timing.trainingTimeoutMs) {
    throw new InvalidField('timing.callbackTimeout', 'must not exceed timing.trainingTimeout');
  }
  return timing;
}

function parseDuration(raw: unknown, name: string): number {
  const field = `timing.${name}`;
  const rule = `must be a duration such as "30s" or "10 minutes", or milliseconds, from ${MIN_DURATION_MS} ms to 30 days`;
  let millis: number;
  if (typeof raw === 'number') {
    millis = raw;
  } else if (typeof raw === 'string' && raw.trim() !== '') {
    const parsed = parseDurationMs(raw);
    if (parsed === undefined) throw new InvalidField(field, rule);
    millis = parsed;
  } else {
    throw new InvalidField(field, rule);
  }
  if (!Number.isFinite(millis) || millis < MIN_DURATION_MS || millis > MAX_DURATION_MS) {
    throw new InvalidField(field, rule);
  }
  return Math.round(millis);
}

function parseHttpsUrl(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw.length > MAX_URL_LENGTH) {
    throw new InvalidField(field, `must be an https URL of at most ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidField(field, 'must be an https URL');
  }
  if (url.protocol !== 'https:' || url.hostname === '') throw new InvalidField(field, 'must be an https URL');
  // Credentials in a URL would land in workflow history and logs.
  if (url.username !== '' || url.password !== '') {
    throw new InvalidField(field, 'must not contain a user name or password');
  }
  return raw;
}

function asRecord(
  raw: unknown,
  field: string,
  allowed: readonly string[],
  prefix: string,
  edition?: VoiceCloneEdition,
): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidField(field, 'must be an object');
  }
  const of = edition === undefined ? '' : ` of a ${edition} clone`;
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new InvalidField(`${prefix}${key}`, `is not a known field${of} (known: ${allowed.join(', ')})`);
    }
  }
  return raw as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------------------
// The recording session: input `voice` and `autoSubmitAfter`, and the `addRecording` update's argument.
// ------------------------------------------------------------------------------------------------------------

const VOICE_FIELDS = ['gender', 'scenario', 'voiceName', 'voiceDesc'] as const;
const SCENARIOS: readonly string[] = ['story', 'interaction', 'navigation'];
/** CreateCustomizedVoiceJob's limits (docs/ice-api.md#voice-lifecycle-basic). */
const MAX_VOICE_NAME_LENGTH = 32;
const MAX_VOICE_DESC_LENGTH = 256;

function parseRecordingSessionFields(record: Record<string, unknown>, value: ValidBasicVoiceCloneInput): void {
  if (record.voice !== undefined) value.voice = parseVoice(record.voice);
  if (record.autoSubmitAfter === undefined) return;
  const count = record.autoSubmitAfter;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_RECORDINGS) {
    throw new InvalidField('autoSubmitAfter', `must be a whole number from 1 to ${MAX_RECORDINGS}`);
  }
  if (value.voice === undefined || value.recordings !== undefined) {
    throw new InvalidField('autoSubmitAfter', 'needs a recording session: voice given and no recordings');
  }
  value.autoSubmitAfter = count;
}

function parseVoice(raw: unknown): VoiceToCreate {
  const record = asRecord(raw, 'voice', VOICE_FIELDS, 'voice.');
  if (typeof record.gender !== 'string' || !(GENDERS as readonly string[]).includes(record.gender)) {
    throw new InvalidField('voice.gender', `must be one of ${GENDERS.join(', ')}`);
  }
  if (typeof record.scenario !== 'string' || !SCENARIOS.includes(record.scenario)) {
    throw new InvalidField('voice.scenario', `must be one of ${SCENARIOS.join(', ')}`);
  }
  const voice: VoiceToCreate = {
    gender: record.gender as VoiceToCreate['gender'],
    scenario: record.scenario as VoiceToCreate['scenario'],
  };
  const text = (field: 'voiceName' | 'voiceDesc', max: number): string | undefined => {
    const raw = record[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw.length > max) {
      throw new InvalidField(`voice.${field}`, `must be a string of at most ${max} characters`);
    }
    return raw;
  };
  const voiceName = text('voiceName', MAX_VOICE_NAME_LENGTH);
  const voiceDesc = text('voiceDesc', MAX_VOICE_DESC_LENGTH);
  if (voiceName !== undefined) voice.voiceName = voiceName;
  if (voiceDesc !== undefined) voice.voiceDesc = voiceDesc;
  return voice;
}

export type RecordingValidation =
  { ok: true; value: VoiceRecording } | { ok: false; field: string; rule: string; message: string };

/**
 * The `addRecording` argument, by the rules of `recordings[i]` (fields named without the prefix). Pure: the update's
 * validator runs it before anything enters history.
 */
export function validateRecording(raw: unknown): RecordingValidation {
  try {
    const record = asRecord(raw, 'recording', RECORDING_FIELDS, '');
    const audioRecordId = record.audioRecordId;
    if (
      typeof audioRecordId !== 'number' ||
      !Number.isInteger(audioRecordId) ||
      audioRecordId < 1 ||
      audioRecordId > MAX_RECORDINGS
    ) {
      throw new InvalidField('audioRecordId', `must be a whole number from 1 to ${MAX_RECORDINGS}`);
    }
    return { ok: true, value: { audioRecordId, recordUrl: parseHttpsUrl(record.recordUrl, 'recordUrl') } };
  } catch (error) {
    if (error instanceof InvalidField) {
      return { ok: false, field: error.field, rule: error.rule, message: error.message };
    }
    throw error;
  }
}
