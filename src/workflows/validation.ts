/**
 * Input validation shared by the client helper (fails before any call) and the workflow (fails with a
 * non-retryable `InvalidInput` before any ICE call). Pure and deterministic: safe inside the workflow sandbox.
 */
import { DEFAULT_TIMING, type VoiceRecording, type VoiceToCreate } from './definitions';
import { parseDurationMs } from './duration';

/** Timing with every duration resolved to milliseconds. */
export interface ResolvedTiming {
  callbackTimeoutMs: number;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  trainingTimeoutMs: number;
  recordingTimeoutMs: number;
}

export interface ValidVoiceCloneInput {
  voiceId: string;
  jobId?: string;
  demoAudioMediaUrl?: string;
  recordings?: VoiceRecording[];
  timing: ResolvedTiming;
  voice?: VoiceToCreate;
  autoSubmitAfter?: number;
}

export type VoiceCloneInputValidation =
  { ok: true; value: ValidVoiceCloneInput } | { ok: false; field: string; rule: string; message: string };

export const VOICE_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;
/** ICE's JobIds are 32 hex digits; the rule is looser (letters, digits, '-', '_') in case that ever changes. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_RECORDINGS = 20;
export const MIN_DURATION_MS = 100;
export const MAX_DURATION_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_URL_LENGTH = 2048;

const INPUT_FIELDS = [
  'voiceId',
  'jobId',
  'demoAudioMediaUrl',
  'recordings',
  'timing',
  'voice',
  'autoSubmitAfter',
] as const;
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
  const record = asRecord(input, 'input', INPUT_FIELDS, '');
  const voiceId = record.voiceId;
  if (typeof voiceId !== 'string' || !VOICE_ID_PATTERN.test(voiceId)) {
    throw new InvalidField('voiceId', 'must be 1-32 letters or digits');
  }
  const value: ValidVoiceCloneInput = { voiceId, timing: parseTiming(record.timing) };
  if (record.jobId !== undefined) {
    if (typeof record.jobId !== 'string' || !JOB_ID_PATTERN.test(record.jobId)) {
      throw new InvalidField(
        'jobId',
        "must be 1-64 letters, digits, '-' or '_' (the JobId CreateCustomizedVoiceJob returned)",
      );
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

function asRecord(raw: unknown, field: string, allowed: readonly string[], prefix: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidField(field, 'must be an object');
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new InvalidField(`${prefix}${key}`, `is not a known field (known: ${allowed.join(', ')})`);
    }
  }
  return raw as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------------------
// The recording session: input `voice` and `autoSubmitAfter`, and the `addRecording` update's argument.
// ------------------------------------------------------------------------------------------------------------

const VOICE_FIELDS = ['gender', 'scenario', 'voiceName', 'voiceDesc'] as const;
const GENDERS: readonly string[] = ['female', 'male'];
const SCENARIOS: readonly string[] = ['story', 'interaction', 'navigation'];
/** CreateCustomizedVoiceJob's limits (docs/ice-api.md#voice-lifecycle-basic). */
const MAX_VOICE_NAME_LENGTH = 32;
const MAX_VOICE_DESC_LENGTH = 256;

function parseRecordingSessionFields(record: Record<string, unknown>, value: ValidVoiceCloneInput): void {
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
  if (typeof record.gender !== 'string' || !GENDERS.includes(record.gender)) {
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
