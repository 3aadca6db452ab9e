/**
 * The rules of the input fields the editions share (URLs, text, media IDs, enumerations, recordings, the voice to
 * create), each failing with the field and the rule it breaks. The rules themselves live in ./ice-ids.ts. Pure and
 * deterministic: safe inside the workflow sandbox.
 */
import type { VoiceGender } from '../ice/types';
import type { VoiceRecording, VoiceToCreate } from './input-parts';
import {
  isVoiceName,
  MEDIA_ID_PATTERN,
  MEDIA_ID_RULE,
  STANDARD_MAX_AUDIO_MEDIA_IDS,
  textProblem,
  urlProblem,
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

export const MAX_RECORDINGS = 20;
export const GENDERS: readonly VoiceGender[] = ['female', 'male'];
const SCENARIOS: readonly string[] = ['story', 'interaction', 'navigation'];
/** CreateCustomizedVoiceJob's limits (docs/ice-api.md#voice-lifecycle-basic). */
const MAX_VOICE_NAME_LENGTH = 32;
const MAX_VOICE_DESC_LENGTH = 256;
const RECORDING_FIELDS = ['audioRecordId', 'recordUrl'] as const;
const VOICE_FIELDS = ['gender', 'scenario', 'voiceName', 'voiceDesc'] as const;

export class InvalidField extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}

/** `raw` as an object whose keys are all `allowed` (an unknown field is refused, not ignored). */
export function asRecord(
  raw: unknown,
  field: string,
  allowed: readonly string[],
  prefix: string,
  of = '',
): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidField(field, 'must be an object');
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new InvalidField(`${prefix}${key}`, `is not a known field${of} (known: ${allowed.join(', ')})`);
    }
  }
  return raw as Record<string, unknown>;
}

export function parseHttpsUrl(raw: unknown, field: string): string {
  const problem = urlProblem(raw, ['https:']);
  if (problem !== undefined) throw new InvalidField(field, problem);
  return raw as string;
}

export function parseOptionalHttpsUrl(raw: unknown, field: string): string | undefined {
  return raw === undefined ? undefined : parseHttpsUrl(raw, field);
}

/** Free text (a name, a description) by the one text rule. */
export function parseText(raw: unknown, field: string, max: number): string {
  const problem = textProblem(raw, max);
  if (problem !== undefined) throw new InvalidField(field, problem);
  return raw as string;
}

export function parseOneOf<T extends string>(raw: unknown, field: string, values: readonly T[]): T {
  if (typeof raw !== 'string' || !(values as readonly string[]).includes(raw)) {
    throw new InvalidField(field, `must be one of ${values.join(', ')}`);
  }
  return raw as T;
}

export function parseVoiceName(raw: unknown): string {
  if (!isVoiceName(raw)) throw new InvalidField('voiceName', VOICE_NAME_RULE);
  return raw;
}

export function parseMediaId(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || !MEDIA_ID_PATTERN.test(raw)) throw new InvalidField(field, MEDIA_ID_RULE);
  return raw;
}

export function parseStandardAudios(raw: unknown): string[] {
  const rule = `must be an array of 1 to ${STANDARD_MAX_AUDIO_MEDIA_IDS} media IDs (15-30 minutes of audio in total, each clip over 1 minute)`;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > STANDARD_MAX_AUDIO_MEDIA_IDS) {
    throw new InvalidField('audioMediaIds', rule);
  }
  return unique(
    raw,
    'audioMediaIds',
    parseMediaId,
    (mediaId) => mediaId,
    (index, earlier) =>
      new InvalidField(`audioMediaIds[${index}]`, `must be unique (audioMediaIds[${earlier}] names it too)`),
  );
}

/** Each item parsed, refusing one whose `key` an earlier item has (`duplicate` says how). */
function unique<T>(
  items: unknown[],
  field: string,
  parse: (item: unknown, field: string) => T,
  key: (value: T) => unknown,
  duplicate: (index: number, earlier: number) => InvalidField,
): T[] {
  const firstUse = new Map<unknown, number>();
  return items.map((item, index) => {
    const value = parse(item, `${field}[${index}]`);
    const earlier = firstUse.get(key(value));
    if (earlier !== undefined) throw duplicate(index, earlier);
    firstUse.set(key(value), index);
    return value;
  });
}

export function parseRecordings(raw: unknown): VoiceRecording[] {
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > MAX_RECORDINGS) {
    throw new InvalidField('recordings', `must be an array of 1 to ${MAX_RECORDINGS} recordings`);
  }
  return unique(
    raw,
    'recordings',
    (item, field) => parseRecording(item, field, `${field}.`),
    (recording) => recording.audioRecordId,
    (index, earlier) =>
      new InvalidField(`recordings[${index}].audioRecordId`, `must be unique (recordings[${earlier}] uses it too)`),
  );
}

/** One recording; `prefix` names its fields (`recordings[2].` in the input, nothing in the addRecording update). */
export function parseRecording(raw: unknown, field: string, prefix: string): VoiceRecording {
  const record = asRecord(raw, field, RECORDING_FIELDS, prefix);
  const audioRecordId = record.audioRecordId;
  if (
    typeof audioRecordId !== 'number' ||
    !Number.isInteger(audioRecordId) ||
    audioRecordId < 1 ||
    audioRecordId > MAX_RECORDINGS
  ) {
    throw new InvalidField(`${prefix}audioRecordId`, `must be a whole number from 1 to ${MAX_RECORDINGS}`);
  }
  return { audioRecordId, recordUrl: parseHttpsUrl(record.recordUrl, `${prefix}recordUrl`) };
}

/** CreateCustomizedVoiceJob's parameters: its name and description are free text (they reach ICE as given). */
export function parseVoice(raw: unknown): VoiceToCreate {
  const record = asRecord(raw, 'voice', VOICE_FIELDS, 'voice.');
  const voice: VoiceToCreate = {
    gender: parseOneOf(record.gender, 'voice.gender', GENDERS),
    scenario: parseOneOf(record.scenario, 'voice.scenario', SCENARIOS) as VoiceToCreate['scenario'],
  };
  if (record.voiceName !== undefined) {
    voice.voiceName = parseText(record.voiceName, 'voice.voiceName', MAX_VOICE_NAME_LENGTH);
  }
  if (record.voiceDesc !== undefined) {
    voice.voiceDesc = parseText(record.voiceDesc, 'voice.voiceDesc', MAX_VOICE_DESC_LENGTH);
  }
  return voice;
}
