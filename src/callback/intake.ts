/**
 * The receiver's decisions, without I/O: what a callback body is (another ICE feature's event, a possible voice
 * clone callback, or invalid), whether a callback waiting for a delivery slot is kept in the backlog, and what ICE
 * is answered for each result. handler.ts does the reading, the calls and the writing around these.
 */
import type { IceCallbackFact } from '../workflows/definitions';
import type { LogFields } from '../observability/logger';
import type { DeliveryResult } from './delivery';
import { checkIceCallbackEnvelope } from './envelope';
import { ICE_FOREIGN_EVENT_TYPES } from './event-types';
import type { ForwardResult } from './forward';
import type { CallbackOutcome, CallbackRejectionReason } from './metrics';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  fields: LogFields;
  outcome?: CallbackOutcome;
  rejection?: CallbackRejectionReason;
  /** The request body was not (fully) read: close the connection instead of reusing it. */
  closeConnection?: boolean;
  /** ICE's retry of a callback answered 200 before (same signature, same body): answered as then, not delivered. */
  retry?: boolean;
}

export type Intake =
  | { kind: 'rejected'; reply: Reply }
  /** Not a voice clone's callback: no ICE and no Temporal call; forwarded when forwarding is on. */
  | { kind: 'foreign'; eventType: string; detail: string }
  | { kind: 'voice'; fact: IceCallbackFact; voiceId?: string; jobId?: string };

export function reject(
  status: number,
  reason: CallbackRejectionReason,
  message: string,
  closeConnection = false,
  fields: LogFields = {},
): Reply {
  return {
    status,
    body: { error: reason, message },
    fields: { reason, ...fields },
    rejection: reason,
    closeConnection,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `voiceEventTypes` (ICE_CALLBACK_VOICE_EVENT_TYPES): when set, the only types that may be voice callbacks. The
 * types ICE documents for other features never are, so their bodies are not validated beyond EventType: they are
 * forwarded as they came, and a strict check meant for our ids must not make ICE drop another pipeline's event.
 */
export function classifyCallback(raw: Buffer, voiceEventTypes?: ReadonlySet<string>): Intake {
  let parsed: unknown;
  try {
    // ASSUMPTION (docs/ice-api.md#callback-delivery): ICE names no Content-Type, only "a JSON string": the body is
    // read as JSON whatever the header says.
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { kind: 'rejected', reply: reject(400, 'malformed_json', 'body is not valid JSON') };
  }
  if (nestedDeeperThan(parsed, MAX_JSON_DEPTH)) {
    const message = `body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    return { kind: 'rejected', reply: reject(400, 'malformed_json', message) };
  }
  const eventType = isRecord(parsed) ? parsed.EventType : undefined;
  if (typeof eventType === 'string' && eventType !== '' && eventType.length <= 128) {
    if (ICE_FOREIGN_EVENT_TYPES.has(eventType)) {
      return { kind: 'foreign', eventType, detail: 'event type of another ICE feature' };
    }
    if (voiceEventTypes !== undefined && !voiceEventTypes.has(eventType)) {
      return { kind: 'foreign', eventType, detail: 'not in ICE_CALLBACK_VOICE_EVENT_TYPES' };
    }
  }
  const check = checkIceCallbackEnvelope(parsed);
  if (check.kind === 'invalid') return { kind: 'rejected', reply: reject(400, 'invalid_envelope', check.message) };
  if (check.kind === 'ignored') return { kind: 'foreign', eventType: check.eventType, detail: 'no VoiceId or JobId' };
  return { kind: 'voice', fact: check.fact, voiceId: check.voiceId, jobId: check.jobId };
}

/** ICE's documented bodies are two or three levels deep; far deeper is no callback of ICE's (and costly to walk). */
export const MAX_JSON_DEPTH = 32;

/** Iterative, so that a body nested 20,000 deep cannot overflow the stack. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/** What the receiver sees of its delivery slots and backlog when it decides about one callback. */
export interface AdmissionView {
  /** Deliveries waiting for a slot (a queue means every slot is busy). */
  queued: number;
  slots: number;
  backlogDepth: number;
  maxBacklog: number;
  /**
   * False for a callback that may turn out not to be a clone's while forwarding is on: ICE must then get the
   * forward target's answer, not an early 200.
   */
  mayBacklog: boolean;
}

/** At arrival: behind a full round of waiting deliveries it cannot start in time, so it is backlogged at once. */
export function backlogAtArrival(view: AdmissionView): boolean {
  return view.mayBacklog && view.queued >= view.slots && view.backlogDepth < view.maxBacklog;
}

/** At its deadline, still without a slot: backlogged if there is room, else answered busy. */
export function backlogAtDeadline(view: AdmissionView): boolean {
  return view.mayBacklog && view.backlogDepth < view.maxBacklog;
}

/** With forwarding on, only a callback with a VoiceId is known to be a clone's before its delivery. */
export function mayBacklog(forwarding: boolean, voiceId: string | undefined): boolean {
  return !forwarding || voiceId !== undefined;
}

export function queuedReply(fields: LogFields, detail: string): Reply {
  return { status: 200, body: { status: 'queued' }, fields: { ...fields, detail } };
}

export function busyReply(fields: LogFields, detail: string): Reply {
  return {
    status: 503,
    body: { error: 'busy', message: 'try again shortly' },
    fields: { ...fields, detail },
    outcome: 'busy',
  };
}

export function errorReply(error: unknown): Reply {
  return {
    status: 500,
    body: { error: 'internal_error', message: 'unexpected error' },
    fields: { error: error instanceof Error ? error : String(error) },
    outcome: 'error',
  };
}

/** A callback not for a voice clone, without forwarding: answered 200 so that ICE does not retry it. */
export function ignoredReply(fields: LogFields, detail: string): Reply {
  return { status: 200, body: { status: 'ignored' }, fields: { ...fields, detail }, outcome: 'ignored' };
}

/** ICE gets 200 only when the target took the callback; otherwise 502, so that ICE retries. */
export function replyForForward(result: ForwardResult, fields: LogFields, detail: string): Reply {
  if (result.ok)
    return { status: 200, body: { status: 'forwarded' }, fields: { ...fields, detail }, outcome: 'forwarded' };
  return {
    status: 502,
    body: { error: 'forward_failed', message: 'try again shortly' },
    fields: { ...fields, detail: `${detail}; ${result.detail}` },
    outcome: 'forward_failed',
  };
}

/** The answer for a delivery that ended with a clone's result ('foreign' is settled by forwarding or ignoring). */
export function replyForDelivery(result: Exclude<DeliveryResult, { outcome: 'foreign' }>, fields: LogFields): Reply {
  switch (result.outcome) {
    case 'signalled':
      return {
        status: 200,
        body: { status: 'signalled' },
        fields: { ...fields, workflowId: result.workflowId, via: result.via },
        outcome: 'signalled',
      };
    case 'unmatched':
      return {
        status: 200,
        body: { status: 'unmatched' },
        fields: { ...fields, workflowId: result.workflowId, via: result.via, detail: result.detail },
        outcome: 'unmatched',
      };
    case 'undeliverable':
      return reject(400, 'undeliverable', `Temporal refused the signal: ${result.detail}`, false, fields);
    case 'temporal_error':
      return { ...errorReply(result.detail), fields: { ...fields, error: result.detail } };
    case 'temporal_unavailable':
    case 'ice_unavailable':
      return {
        status: 503,
        body: { error: result.outcome, message: 'try again shortly' },
        fields: { ...fields, detail: result.detail },
        outcome: result.outcome,
      };
  }
}
