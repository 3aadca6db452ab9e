/**
 * A callback's way through the receiver, one named stage each: authenticate (the signature headers) → read (the
 * body, and whether its signature carried another) → classify (what the body is) → admit (a delivery slot, the
 * backlog, or a busy answer) → deliver (the signal). Each stage answers or hands on; handler.ts writes the answer.
 * Two front doors share the stages from classify on (`settleCallback`): the HTTP receiver and the queue consumer
 * (consumer.ts), which has no signature to check and no body to read.
 */
import type { IncomingMessage } from 'node:http';
import type { IceClient } from '../ice/types';
import type { LogFields, Logger } from '../observability/logger';
import type { Client } from '@temporalio/client';
import { readBodyWithin } from '../net/read-body';
import { settleBefore } from '../net/deadline';
import { deliverIceCallback, type DeliveryResult } from './delivery';
import type { DeliveryGate } from './delivery-gate';
import { forwardCallback, type ForwardTarget } from './forward';
import {
  backlogAtArrival,
  backlogAtDeadline,
  busyReply,
  classifyCallback,
  ignoredReply,
  mayBacklog,
  queuedReply,
  reject,
  replyForDelivery,
  replyForForward,
  type Intake,
  type Reply,
} from './intake';
import type { CallbackMetricsRecorder, CallbackOutcome } from './metrics';
import { ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER, verifyIceCallbackSignature } from './signature';
import type { SignatureMemory, SignedUse } from './signature-memory';
import { inCallbackSpan, type CallbackSource } from './tracing';
import type { UnmatchedIds } from './unmatched-ids';
import type { CallbackReceiverConfig } from '../config';

/** What the handler reads of the receiver's settings: listening (host, port, path) is the server's business. */
export type IceCallbackHandlerConfig = Omit<CallbackReceiverConfig, 'host' | 'port' | 'path'>;

/** What classification and delivery need, whichever front door a callback came through. */
export interface IntakeContext {
  config: Pick<IceCallbackHandlerConfig, 'maxBacklog'>;
  client: Client;
  ice: IceClient;
  logger: Logger;
  forwardTarget?: ForwardTarget;
  voiceEventTypes?: ReadonlySet<string>;
  recorder: CallbackMetricsRecorder;
  gate: DeliveryGate;
  unmatched: UnmatchedIds;
}

/** Everything the HTTP receiver's stages share, built once per handler (handler.ts). */
export interface ReceiverContext extends IntakeContext {
  config: IceCallbackHandlerConfig;
  /** Set when signatures are checked (keys configured). */
  publicUrl?: string;
  signatures: SignatureMemory;
}

/** A callback body as a front door hands it on, and how long its sender waits for the outcome. */
export interface CallbackArrival {
  body: Buffer;
  contentType?: string;
  /** Epoch ms by which the outcome must be known. */
  deadlineMs: number;
  /**
   * Whether a clone's callback may be answered "queued" and delivered later: the HTTP door's answer to ICE's 3 s.
   * Never for the queue: its message stays in the queue until the outcome is settled.
   */
  mayBacklog: boolean;
  /** The front door: the span's kind and source (tracing.ts). */
  source: CallbackSource;
}

/** The sender went away before its body ended: nobody to answer, and nothing of ours went wrong. */
export const ABORTED = 'aborted';

/** Bound on a backlogged delivery's calls (retries of UNAVAILABLE included), so it cannot hold a slot forever. */
const BACKLOG_DELIVERY_TIMEOUT_MS = 10_000;

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every stage, in order; the answer for ICE (or ABORTED). */
export async function receiveCallback(
  context: ReceiverContext,
  req: IncomingMessage,
  startedAt: number,
): Promise<Reply | typeof ABORTED> {
  const fields: LogFields = {};
  const signed = authenticate(context, req, fields);
  if (signed !== undefined && 'status' in signed) return signed;
  const raw = await read(context, req, signed, fields);
  if (raw === ABORTED || 'status' in raw) return raw;
  const deadlineMs = startedAt + context.config.temporalTimeoutMs;
  const contentType = headerValue(req, 'content-type');
  const arrival: CallbackArrival = { body: raw.body, contentType, deadlineMs, mayBacklog: true, source: 'http' };
  const reply = await settleCallback(context, arrival, fields);
  // ICE's retry of this body under this pair gets the same answer without another delivery (signature-memory.ts).
  if (raw.use !== undefined && reply.status === 200) {
    context.signatures.answered(raw.use, { status: reply.status, body: reply.body });
  }
  return reply;
}

/** authenticate: the signature headers; the pair they carry, undefined in unsigned mode. */
function authenticate(
  context: ReceiverContext,
  req: IncomingMessage,
  fields: LogFields,
): { timestamp: string; signature: string } | Reply | undefined {
  const { publicUrl, config, recorder } = context;
  if (publicUrl === undefined) return undefined;
  const timestamp = headerValue(req, ICE_TIMESTAMP_HEADER);
  const signature = headerValue(req, ICE_SIGNATURE_HEADER);
  const check = verifyIceCallbackSignature({
    publicUrl,
    timestamp,
    signature,
    keys: config.authKeys,
    maxSkewSeconds: config.maxSkewSeconds,
    nowMs: Date.now(),
  });
  if (!check.ok) return reject(401, check.reason, check.message, true);
  // Tells operators how ICE really signs (docs/ice-api.md#callback-signature): the key as set, or lower-cased.
  recorder.recordKeyForm(check.keyForm);
  context.logger.debug('callback signature verified', { keyForm: check.keyForm });
  fields.keyForm = check.keyForm;
  return { timestamp: timestamp ?? '', signature: signature ?? '' };
}

/** read: the body within its limit, and one signature, one body (signature-memory.ts). */
async function read(
  context: ReceiverContext,
  req: IncomingMessage,
  pair: { timestamp: string; signature: string } | undefined,
  fields: LogFields,
): Promise<{ body: Buffer; use?: SignedUse } | Reply | typeof ABORTED> {
  const { maxBodyBytes } = context.config;
  // A body parser that ran first has consumed the stream: the bytes to forward are gone.
  if (req.readableEnded) throw new Error('the request body was consumed before the ICE callback handler');
  const read = await readBodyWithin(req, maxBodyBytes);
  if (read.kind === 'aborted') return ABORTED;
  if (read.kind === 'too_large')
    return reject(413, 'body_too_large', `body exceeds ${maxBodyBytes} bytes`, true, fields);
  if (pair === undefined) return { body: read.body };
  const use: SignedUse = { ...pair, body: read.body };
  const seen = context.signatures.use(use);
  switch (seen.kind) {
    case 'reused':
      return reject(401, 'signature_reused', 'this signature was used with another body', true, fields);
    case 'full':
      return { ...reject(503, 'signature_memory_full', 'try again shortly', false, fields), outcome: undefined };
    case 'retry':
      fields.retry = true;
      if (seen.answer !== undefined) {
        return { ...seen.answer, fields: { ...fields, detail: 'retry, answered as before' }, retry: true };
      }
      return { body: read.body, use };
    default:
      return { body: read.body, use };
  }
}

/**
 * The one intake of both front doors: classify → (forward or ignore) | (admit → deliver). The reply says how the
 * callback ended; the HTTP door sends it to ICE, the queue door deletes the message or leaves it (consumer.ts).
 * One span per callback (tracing.ts).
 */
export function settleCallback(context: IntakeContext, arrival: CallbackArrival, fields: LogFields): Promise<Reply> {
  return inCallbackSpan(arrival.source, fields, () => settle(context, arrival, fields));
}

async function settle(context: IntakeContext, arrival: CallbackArrival, fields: LogFields): Promise<Reply> {
  const intake = classify(arrival.body, context.voiceEventTypes, fields);
  if ('status' in intake) return intake;
  if (intake.kind === 'foreign') return settleForeign(context, intake.eventType, intake.detail, arrival, fields);
  return admit(context, intake, arrival, fields);
}

/** classify: another feature's event, a clone's callback, or invalid (400). */
function classify(
  raw: Buffer,
  voiceEventTypes: ReadonlySet<string> | undefined,
  fields: LogFields,
): Exclude<Intake, { kind: 'rejected' }> | Reply {
  const intake = classifyCallback(raw, voiceEventTypes);
  if (intake.kind === 'rejected') return { ...intake.reply, fields: { ...intake.reply.fields, ...fields } };
  if (intake.kind === 'voice')
    Object.assign(fields, { eventType: intake.fact.eventType, voiceId: intake.voiceId, jobId: intake.jobId });
  else fields.eventType = intake.eventType;
  return intake;
}

/** Another feature's event (or a JobId ICE does not know): forwarded when forwarding is on, else ignored. */
async function settleForeign(
  context: IntakeContext,
  eventType: string,
  detail: string,
  forwarded: CallbackArrival,
  fields: LogFields,
): Promise<Reply> {
  context.recorder.recordForeign(eventType);
  if (context.forwardTarget === undefined) return ignoredReply(fields, detail);
  return replyForForward(await forwardCallback(context.forwardTarget, forwarded), fields, detail);
}

/**
 * admit: a clone's callback gets a delivery slot in time, or a place in the backlog (answered 200 "queued"), or a
 * busy answer. Ids remembered as no clone's are answered at once.
 */
async function admit(
  context: IntakeContext,
  intake: Extract<Intake, { kind: 'voice' }>,
  forwarded: CallbackArrival,
  fields: LogFields,
): Promise<Reply> {
  const { gate, recorder, config } = context;
  const remembered = context.unmatched.recall(intake);
  if (remembered !== undefined) {
    recorder.recordRemembered();
    if (remembered === 'job-unknown-to-ice') {
      return settleForeign(context, intake.fact.eventType, 'job unknown to ICE (remembered)', forwarded, fields);
    }
    return replyForDelivery({ outcome: 'unmatched', detail: 'no open workflow (remembered)' }, fields);
  }
  const view = () => ({
    queued: gate.queued,
    slots: gate.limit,
    backlogDepth: recorder.backlogDepth,
    maxBacklog: config.maxBacklog,
    mayBacklog: forwarded.mayBacklog && mayBacklog(context.forwardTarget !== undefined, intake.voiceId),
  });
  // Seen before this callback joins the queue: behind a full round of waiting ones, it cannot start in time.
  const atArrival = backlogAtArrival(view());
  let backlogged = false;
  // ICE has had its answer once backlogged: the delivery is then bound by its own bound, not by ICE's 3 s.
  const ticket = gate.enqueue(() =>
    deliver(context, intake, backlogged ? Date.now() + BACKLOG_DELIVERY_TIMEOUT_MS : forwarded.deadlineMs),
  );
  const keepInBacklog = (when: string): Reply => {
    backlogged = true;
    recorder.recordBacklogged();
    ticket.result.then(
      (late) => finishBacklogged(context, late, fields),
      (error: unknown) => finishBacklogged(context, undefined, fields, error),
    );
    return queuedReply(fields, `kept in the backlog ${when}, behind ${gate.queued - 1} others`);
  };
  if (atArrival) return keepInBacklog('at once');
  const inTime = await settleBefore(ticket.result, forwarded.deadlineMs);
  // A delivery that has started is bounded by the same deadline: wait for its answer.
  const result = inTime.done ? inTime.value : ticket.started ? await ticket.result : undefined;
  if (result?.outcome === 'foreign') {
    return settleForeign(context, intake.fact.eventType, result.detail, forwarded, fields);
  }
  if (result !== undefined) return replyForDelivery(result, fields);
  if (backlogAtDeadline(view())) return keepInBacklog('at its deadline');
  ticket.withdraw();
  return busyReply(fields, `${gate.limit} deliveries in flight, backlog full (${config.maxBacklog}) or not allowed`);
}

/** deliver: the clone's `iceCallback` signal with the bounded fact, never the body (delivery.ts). */
function deliver(
  context: IntakeContext,
  intake: Extract<Intake, { kind: 'voice' }>,
  deadlineMs: number,
): Promise<DeliveryResult> {
  const { client, ice, logger, unmatched } = context;
  const { fact, voiceId, jobId } = intake;
  return deliverIceCallback({ client, ice, logger, unmatched }, { fact, voiceId, jobId, deadlineMs });
}

/** The end of a delivery ICE was answered for already: counted and logged like any other, never retried. */
function finishBacklogged(
  context: IntakeContext,
  result: DeliveryResult | undefined,
  fields: LogFields,
  error?: unknown,
): void {
  const { recorder, logger } = context;
  recorder.backlogSettled();
  // Only when forwarding is off can a backlogged callback turn out to be another feature's: nothing to forward.
  if (result?.outcome === 'foreign') recorder.recordForeign(String(fields.eventType));
  const reply =
    result === undefined
      ? undefined
      : result.outcome === 'foreign'
        ? ignoredReply({}, result.detail)
        : replyForDelivery(result, {});
  // A signal Temporal refused is counted as a refusal (400 had ICE still been waiting), not as an error of ours.
  const outcome: CallbackOutcome | undefined = reply?.rejection !== undefined ? undefined : (reply?.outcome ?? 'error');
  if (reply?.rejection !== undefined) recorder.recordRejected(reply.rejection);
  if (outcome !== undefined) recorder.recordOutcome(outcome);
  const line: LogFields = { outcome, ...fields, ...(reply !== undefined ? reply.fields : { error: String(error) }) };
  if (reply !== undefined && reply.status === 200) logger.info('backlogged callback delivered', line);
  else logger.warn('backlogged callback not delivered; the clone polls after its callbackTimeout', line);
}
