/**
 * The shapes the admin API accepts (./admin-api.ts), checked field by field before anything reaches the emulator:
 * a wrong type, an unknown field or a number out of range is a problem naming the field (`operations.*.latencyMs`),
 * answered 400, so that no admin request can leave the emulator in a state that throws later.
 */
import { ICE_ACTIONS } from '../ice/types';
import { COSYVOICE_JOB_TYPES } from './admin-api';

/** Why a body was refused: the field's path in the body and what it must be. */
export interface AdminProblem {
  field: string;
  message: string;
}

type Problem = AdminProblem | undefined;

/** The longest wait a fault may ask for (and well inside setTimeout's range): one day. */
export const ADMIN_MAX_MS = 86_400_000;
/** The longest training time (the job clock caps its timer itself): a year, for benchmarks that never end one. */
const MAX_TRAINING_MS = 365 * ADMIN_MAX_MS;
/** Ids and names the faults match: longer than any ICE id or name. */
const MAX_ID_CHARS = 256;
const MAX_LISTED_VOICES = 100_000;
const MAX_RATE_PER_SECOND = 100_000;
/** How deep an admin body may nest (an event's MessageBody included). */
export const ADMIN_MAX_JSON_DEPTH = 32;

const OPERATION_TRIGGERS = ['throttle', 'serverError', 'closeAfterAccept', 'omitJobId'] as const;
const CALLBACK_TRIGGERS = ['drop', 'duplicate'] as const;
/** The MNS faults (./admin-api.ts MnsFaults), all triggers. */
export const MNS_FAULT_TRIGGERS = ['deleteFails', 'receiveServerError', 'base64Body'] as const;

function problem(field: string, message: string): AdminProblem {
  return { field, message };
}

function child(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function firstProblem(checks: Iterable<() => Problem>): Problem {
  for (const check of checks) {
    const found = check();
    if (found) return found;
  }
  return undefined;
}

/** An object with only these optional fields; `undefined` passes when `optional`. */
function objectWith(value: unknown, field: string, allowed: readonly string[], optional = true): Problem {
  if (value === undefined && optional) return undefined;
  if (!isObject(value)) return problem(field || 'body', 'must be a JSON object');
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  return unknown === undefined ? undefined : problem(child(field, unknown), 'is not a known field');
}

function wholeNumber(value: unknown, field: string, min: number, max: number): Problem {
  if (value === undefined) return undefined;
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? undefined
    : problem(field, `must be a whole number from ${min} to ${max}`);
}

function numberIn(value: unknown, field: string, min: number, max: number): Problem {
  if (value === undefined) return undefined;
  return typeof value === 'number' && value >= min && value <= max
    ? undefined
    : problem(field, `must be a number from ${min} to ${max}`);
}

function text(value: unknown, field: string, maxChars: number, optional = true): Problem {
  if (value === undefined && optional) return undefined;
  return typeof value === 'string' && value !== '' && value.length <= maxChars
    ? undefined
    : problem(field, `must be text of 1 to ${maxChars} characters`);
}

/** Calls per second of a rate limit: above 0 (0 would refuse every call: use the throttle fault), at most 100,000. */
function positiveRate(value: unknown, field: string): Problem {
  if (value === undefined) return undefined;
  return typeof value === 'number' && value > 0 && value <= MAX_RATE_PER_SECOND
    ? undefined
    : problem(field, `must be a number above 0 and at most ${MAX_RATE_PER_SECOND}`);
}

function trigger(value: unknown, field: string): Problem {
  return firstProblem([
    () => objectWith(value, field, ['count', 'rate']),
    () => wholeNumber((value as { count?: unknown } | undefined)?.count, `${field}.count`, 0, Number.MAX_SAFE_INTEGER),
    () => numberIn((value as { rate?: unknown } | undefined)?.rate, `${field}.rate`, 0, 1),
  ]);
}

function operationFaults(value: unknown, field: string): Problem {
  const entry = value as Record<string, unknown> | undefined;
  return firstProblem([
    () => objectWith(value, field, [...OPERATION_TRIGGERS, 'latencyMs', 'rateLimitPerSecond'], false),
    () => wholeNumber(entry?.latencyMs, `${field}.latencyMs`, 0, ADMIN_MAX_MS),
    () => positiveRate(entry?.rateLimitPerSecond, `${field}.rateLimitPerSecond`),
    ...OPERATION_TRIGGERS.map((name) => () => trigger(entry?.[name], `${field}.${name}`)),
  ]);
}

function operations(value: unknown): Problem {
  const actions: readonly string[] = [...ICE_ACTIONS, '*'];
  const unknown = objectWith(value, 'operations', actions);
  if (unknown) return { ...unknown, message: 'is not an ICE action or *' };
  return firstProblem(
    Object.entries(value ?? {}).map(
      ([action, entry]) =>
        () =>
          operationFaults(entry, `operations.${action}`),
    ),
  );
}

function callbackFaults(value: unknown): Problem {
  const entry = value as Record<string, unknown> | undefined;
  return firstProblem([
    () => objectWith(value, 'callbacks', [...CALLBACK_TRIGGERS, 'delayMs', 'reorderBatch']),
    () => wholeNumber(entry?.delayMs, 'callbacks.delayMs', 0, ADMIN_MAX_MS),
    () => wholeNumber(entry?.reorderBatch, 'callbacks.reorderBatch', 0, 100_000),
    ...CALLBACK_TRIGGERS.map((name) => () => trigger(entry?.[name], `callbacks.${name}`)),
  ]);
}

function mnsFaults(value: unknown): Problem {
  const entry = value as Record<string, unknown> | undefined;
  return firstProblem([
    () => objectWith(value, 'mns', MNS_FAULT_TRIGGERS),
    ...MNS_FAULT_TRIGGERS.map((name) => () => trigger(entry?.[name], `mns.${name}`)),
  ]);
}

function failTrainingVoiceIds(value: unknown): Problem {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_LISTED_VOICES) {
    return problem('failTrainingVoiceIds', `must be a list of at most ${MAX_LISTED_VOICES} VoiceIds or VoiceNames`);
  }
  return firstProblem(value.map((id, index) => () => text(id, `failTrainingVoiceIds[${index}]`, MAX_ID_CHARS, false)));
}

function jobStatusOverride(value: unknown, field: string): Problem {
  const entry = value as Record<string, unknown> | undefined;
  return firstProblem([
    () => objectWith(value, field, ['voiceId', 'status', 'reads'], false),
    () => text(entry?.voiceId, `${field}.voiceId`, MAX_ID_CHARS, false),
    () => (entry?.status === null ? undefined : text(entry?.status, `${field}.status`, MAX_ID_CHARS, false)),
    () =>
      entry?.reads === undefined
        ? problem(`${field}.reads`, 'is required')
        : wholeNumber(entry.reads, `${field}.reads`, 0, Number.MAX_SAFE_INTEGER),
  ]);
}

function jobStatusOverrides(value: unknown): Problem {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_LISTED_VOICES) {
    return problem('jobStatusOverrides', `must be a list of at most ${MAX_LISTED_VOICES} { voiceId, status, reads }`);
  }
  return firstProblem(value.map((entry, index) => () => jobStatusOverride(entry, `jobStatusOverrides[${index}]`)));
}

/** `PUT /faults`: a whole FaultConfig. */
export function faultConfigProblem(body: unknown): Problem {
  const config = body as Record<string, unknown> | undefined;
  return firstProblem([
    () =>
      objectWith(
        body,
        '',
        ['operations', 'failTrainingVoiceIds', 'callbacks', 'jobStatusOverrides', 'mns', 'seed'],
        false,
      ),
    () => operations(config?.operations),
    () => failTrainingVoiceIds(config?.failTrainingVoiceIds),
    () => callbackFaults(config?.callbacks),
    () => jobStatusOverrides(config?.jobStatusOverrides),
    () => mnsFaults(config?.mns),
    () => wholeNumber(config?.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  ]);
}

/** `PATCH /settings`: any of the settings. */
export function settingsProblem(body: unknown): Problem {
  const settings = body as Record<string, unknown> | undefined;
  return firstProblem([
    () => objectWith(body, '', ['trainingMs', 'lowerCaseCallbackKey', 'cosyVoiceJobType'], false),
    () => numberIn(settings?.trainingMs, 'trainingMs', 0, MAX_TRAINING_MS),
    () =>
      settings?.lowerCaseCallbackKey === undefined || typeof settings.lowerCaseCallbackKey === 'boolean'
        ? undefined
        : problem('lowerCaseCallbackKey', 'must be true or false'),
    () =>
      settings?.cosyVoiceJobType === undefined ||
      (COSYVOICE_JOB_TYPES as readonly unknown[]).includes(settings.cosyVoiceJobType)
        ? undefined
        : problem('cosyVoiceJobType', `must be one of ${COSYVOICE_JOB_TYPES.join(', ')}`),
  ]);
}

/** `POST /events`: an IceEventInput. */
export function eventProblem(body: unknown): Problem {
  const event = body as Record<string, unknown> | undefined;
  return firstProblem([
    () => objectWith(body, '', ['eventType', 'messageBody', 'userId', 'eventTime'], false),
    () => text(event?.eventType, 'eventType', 128, false),
    () => objectWith(event?.messageBody, 'messageBody', Object.keys(event?.messageBody ?? {}), false),
    () => wholeNumber(event?.userId, 'userId', 1, Number.MAX_SAFE_INTEGER),
    () => text(event?.eventTime, 'eventTime', 64),
  ]);
}

/** `POST /jobs/{jobId}/finish`: the job id as decoded from the path, and the optional outcome. */
export function finishProblem(jobId: string | undefined, body: unknown): Problem {
  const outcome = body as Record<string, unknown> | undefined;
  return firstProblem([
    () => (jobId === undefined ? problem('jobId', 'must be valid percent-encoded UTF-8') : undefined),
    () => text(jobId, 'jobId', MAX_ID_CHARS, false),
    () => objectWith(body, '', ['status', 'message']),
    () =>
      outcome?.status === undefined || outcome.status === 'Success' || outcome.status === 'Fail'
        ? undefined
        : problem('status', 'must be Success or Fail'),
    () => (outcome?.message === '' ? undefined : text(outcome?.message, 'message', 1024)),
  ]);
}

/** How deep a parsed JSON value nests (iteratively: a hostile body must not exhaust the stack). */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > ADMIN_MAX_JSON_DEPTH) return deepest;
    for (const item of Object.values(current)) stack.push([item, depth + 1]);
  }
  return deepest;
}
