/**
 * Input validation shared by the client helper (fails before any call) and the workflow (fails with a
 * non-retryable `InvalidInput` before any ICE call): what every edition has in common (the input is an object of
 * known fields, its edition, its timing) and the `addRecording` argument. Each edition's own fields are described
 * in ./editions.ts. Pure and deterministic: safe inside the workflow sandbox.
 */
import { DEFAULT_TIMING, type VoiceRecording } from './definitions';
import { parseDurationMs } from './duration';
import {
  EDITIONS,
  VOICE_CLONE_EDITIONS,
  type ValidEditionInput,
  type ValidNamedEditionInput,
  type VoiceCloneEdition,
} from './editions';
import { asRecord, InvalidField, parseOneOf, parseRecording, type ResolvedTiming } from './input-fields';

export type { ResolvedTiming } from './input-fields';
/** A Basic input that passed validation: `edition` set, `timing` resolved to milliseconds with defaults. */
export type ValidBasicVoiceCloneInput = ValidEditionInput<'basic'>;
/** A Standard input that passed validation: `edition` set, `timing` resolved to milliseconds with defaults. */
export type ValidStandardVoiceCloneInput = ValidEditionInput<'standard'>;
/** A CosyVoice input that passed validation: `edition` set, `timing` resolved to milliseconds with defaults. */
export type ValidCosyVoiceCloneInput = ValidEditionInput<'cosyvoice'>;
export type ValidNamedVoiceCloneInput = ValidNamedEditionInput;
/** Any edition's validated input; `edition` tells which. */
export type ValidVoiceCloneInput = ValidBasicVoiceCloneInput | ValidNamedVoiceCloneInput;

/** The validator's answer: the valid input, or the first broken rule (`field`, `rule`, and both in `message`). */
export type VoiceCloneInputValidation =
  { ok: true; value: ValidVoiceCloneInput } | { ok: false; field: string; rule: string; message: string };

/** The rules live in ./ice-ids.ts (one per kind of id); re-exported here for callers that import them from here. */
export { BASIC_VOICE_ID_PATTERN as VOICE_ID_PATTERN, JOB_ID_PATTERN } from './ice-ids';
export { MAX_RECORDINGS } from './input-fields';
export const MIN_DURATION_MS = 100;
export const MAX_DURATION_MS = 30 * 24 * 60 * 60 * 1000;

const TIMING_FIELDS = [
  'callbackTimeout',
  'pollInterval',
  'maxPollInterval',
  'trainingTimeout',
  'recordingTimeout',
] as const;

/**
 * Checks a clone input against the same rules the workflow applies (it never throws: a broken rule is the answer).
 * Pure and workflow-safe; `startVoiceClone` runs it before any call, the workflow fails `InvalidInput` on it.
 */
export function validateVoiceCloneInput(input: unknown): VoiceCloneInputValidation {
  return validating(() => parseInput(input));
}

function parseInput(input: unknown): ValidVoiceCloneInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidField('input', 'must be an object');
  }
  const edition = parseEdition((input as Record<string, unknown>).edition);
  const description = EDITIONS[edition];
  const record = asRecord(input, 'input', description.fields, '', ` of a ${edition} clone`);
  const own = description.parse(record);
  return { ...own, timing: parseTiming(record.timing) };
}

function parseEdition(raw: unknown): VoiceCloneEdition {
  if (raw === undefined) return 'basic';
  try {
    return parseOneOf(raw, 'edition', VOICE_CLONE_EDITIONS);
  } catch {
    throw new InvalidField('edition', `must be one of ${VOICE_CLONE_EDITIONS.join(', ')} (default basic)`);
  }
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
  const millis =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? parseDurationMs(raw) : undefined;
  if (millis === undefined || !Number.isFinite(millis) || millis < MIN_DURATION_MS || millis > MAX_DURATION_MS) {
    throw new InvalidField(field, rule);
  }
  return Math.round(millis);
}

export type RecordingValidation =
  { ok: true; value: VoiceRecording } | { ok: false; field: string; rule: string; message: string };

/**
 * The `addRecording` argument, by the rules of `recordings[i]` (fields named without the prefix). Pure: the update's
 * validator runs it before anything enters history.
 */
export function validateRecording(raw: unknown): RecordingValidation {
  return validating(() => parseRecording(raw, 'recording', ''));
}

function validating<T>(
  parse: () => T,
): { ok: true; value: T } | { ok: false; field: string; rule: string; message: string } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof InvalidField) {
      return { ok: false, field: error.field, rule: error.rule, message: error.message };
    }
    throw error;
  }
}
