/**
 * The ICE callback receiver's request handling as a framework-neutral Node `(req, res)` handler: a team mounts it at
 * a path of the callback service it already runs (Express, Fastify, node:http), or server.ts serves it alone. It
 * reads the raw body itself, so no body parser may run before it.
 *
 * A verified callback for a voice clone becomes the clone workflow's `iceCallback` signal, answered 200 once
 * Temporal has accepted it, 503 when Temporal (or ICE, for a JobId-only callback) cannot be reached in time (ICE then
 * retries twice, 1 s apart), 200 for anything a retry would not fix (no open clone). Another ICE feature's event
 * (the callback setting is account-wide) costs no ICE and no Temporal call: forwarded to ICE_CALLBACK_FORWARD_URL
 * (200 only if the target took it, else 502) or answered 200. In a burst, a clone's callback still waiting for a
 * delivery slot at its deadline, or arriving behind a full round of waiting ones, is kept in a bounded backlog and
 * answered 200 "queued": ICE's three tries within seconds would otherwise drop it, while the backlog delivers it at
 * Temporal's pace. A backlog lost with the process costs no clone: the workflow polls after its callbackTimeout.
 * One log line per request (and one when a backlogged callback's delivery ends), never with keys or signatures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { CallbackReceiverConfig } from '../config';
import type { IceClient } from '../ice/types';
import { createLogger, type LogFields, type Logger } from '../observability/logger';
import { deliverIceCallback, type DeliveryResult } from './delivery';
import { DeliveryGate } from './delivery-gate';
import { forwardCallback, type ForwardTarget } from './forward';
import {
  backlogAtArrival,
  backlogAtDeadline,
  busyReply,
  classifyCallback,
  errorReply,
  ignoredReply,
  mayBacklog,
  queuedReply,
  reject,
  replyForDelivery,
  replyForForward,
  type AdmissionView,
  type Reply,
} from './intake';
import { CallbackMetricsRecorder, type CallbackMetrics, type CallbackOutcome } from './metrics';
import { ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER, verifyIceCallbackSignature } from './signature';
import { UnmatchedIds } from './unmatched-ids';

/** What the handler reads of the receiver's settings: listening (host, port, path) is the server's business. */
export type IceCallbackHandlerConfig = Omit<CallbackReceiverConfig, 'host' | 'port' | 'path'>;

export interface IceCallbackHandlerOptions {
  config: IceCallbackHandlerConfig;
  client: Client;
  ice: IceClient;
  /** Only for log context: signals go to the workflow wherever its worker polls. */
  taskQueue?: string;
  logger?: Logger;
}

export interface IceCallbackHandler {
  /** Answers POST (anything else: 405). Never throws and never calls a `next`: every request gets its answer. */
  (req: IncomingMessage, res: ServerResponse): void;
  /** The same counts that renderMetrics() shows, as numbers. */
  metrics(): CallbackMetrics;
  /** The metrics in Prometheus text format (for the service's own /metrics). */
  renderMetrics(): string;
  /**
   * Once the HTTP server takes no more requests: waits up to `timeoutMs` for the backlog to drain and resolves with
   * how many callbacks were left undelivered (their clones poll after callbackTimeout).
   */
  drain(timeoutMs?: number): Promise<number>;
}

export type CallbackReceiverErrorCode = 'UnsignedCallbacksRefused' | 'MissingPublicUrl';

export class CallbackReceiverError extends Error {
  override readonly name = 'CallbackReceiverError';
  constructor(
    readonly code: CallbackReceiverErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** How long drain() lets the backlog drain by default; what is left is found by the clones' polling. */
export const BACKLOG_DRAIN_MS = 10_000;
/** Bound on a backlogged delivery's calls (retries of UNAVAILABLE included), so it cannot hold a slot forever. */
const BACKLOG_DELIVERY_TIMEOUT_MS = 10_000;

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The body, or undefined once it exceeds `limit`. Event-based rather than `for await`, because leaving a
 * `for await` early destroys the socket and the sender would never see the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(headerValue(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume(); // discard the rest; the answer closes the connection
      resolve(undefined);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** The promise's value if it settles before `deadlineMs`; a rejection passes through. */
async function resultBefore<T>(
  promise: Promise<T>,
  deadlineMs: number,
): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, body: string, contentType: string, close = false): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

export function createIceCallbackHandler(options: IceCallbackHandlerOptions): IceCallbackHandler {
  const { config, client, ice } = options;
  const logger = (options.logger ?? createLogger('callback-receiver')).child({ taskQueue: options.taskQueue });
  const signed = config.authKeys.length > 0;
  if (!signed && !config.allowUnsigned) {
    throw new CallbackReceiverError(
      'UnsignedCallbacksRefused',
      'no callback auth keys: set ICE_CALLBACK_AUTH_KEYS and ICE_CALLBACK_URL, or ICE_CALLBACK_ALLOW_UNSIGNED=true (local development only)',
    );
  }
  const publicUrl = config.publicUrl;
  if (signed && publicUrl === undefined) {
    throw new CallbackReceiverError('MissingPublicUrl', 'ICE_CALLBACK_URL is required to verify signatures');
  }
  if (!signed) logger.warn('ICE callback handler accepting UNSIGNED callbacks: anyone can wake clones');
  const forwardTarget: ForwardTarget | undefined =
    config.forwardUrl === undefined ? undefined : { url: config.forwardUrl, authKey: config.forwardAuthKey };
  const voiceEventTypes = config.voiceEventTypes === undefined ? undefined : new Set(config.voiceEventTypes);
  const recorder = new CallbackMetricsRecorder();
  const gate = new DeliveryGate(config.maxInFlight);
  const unmatched = new UnmatchedIds();
  const deps = { client, ice, logger, unmatched };

  /** Another feature's event (or a JobId ICE does not know): forwarded when forwarding is on, else ignored. */
  async function settleForeign(
    eventType: string,
    detail: string,
    forwarded: { body: Buffer; contentType?: string; deadlineMs: number },
    fields: LogFields,
  ): Promise<Reply> {
    recorder.recordForeign(eventType);
    if (forwardTarget === undefined) return ignoredReply(fields, detail);
    return replyForForward(await forwardCallback(forwardTarget, forwarded), fields, detail);
  }

  async function receiveCallback(req: IncomingMessage, startedAt: number): Promise<Reply> {
    const fields: LogFields = {};
    if (signed && publicUrl !== undefined) {
      const check = verifyIceCallbackSignature({
        publicUrl,
        timestamp: headerValue(req, ICE_TIMESTAMP_HEADER),
        signature: headerValue(req, ICE_SIGNATURE_HEADER),
        keys: config.authKeys,
        maxSkewSeconds: config.maxSkewSeconds,
        nowMs: Date.now(),
      });
      if (!check.ok) return reject(401, check.reason, check.message, true);
      // Tells operators how ICE really signs (docs/ice-api.md#callback-signature): the key as set, or lower-cased.
      recorder.recordKeyForm(check.keyForm);
      logger.debug('callback signature verified', { keyForm: check.keyForm });
      fields.keyForm = check.keyForm;
    }
    // A body parser that ran first has consumed the stream: the bytes to forward are gone.
    if (req.readableEnded) throw new Error('the request body was consumed before the ICE callback handler');
    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === undefined) {
      return reject(413, 'body_too_large', `body exceeds ${config.maxBodyBytes} bytes`, true, fields);
    }
    const deadlineMs = startedAt + config.temporalTimeoutMs;
    const forwarded = { body: raw, contentType: headerValue(req, 'content-type'), deadlineMs };
    const intake = classifyCallback(raw, voiceEventTypes);
    if (intake.kind === 'rejected') return { ...intake.reply, fields: { ...intake.reply.fields, ...fields } };
    if (intake.kind === 'foreign') {
      return settleForeign(intake.eventType, intake.detail, forwarded, { ...fields, eventType: intake.eventType });
    }
    const { envelope, voiceId, jobId } = intake;
    Object.assign(fields, { eventType: envelope.EventType, voiceId, jobId });

    const remembered = unmatched.recall(intake);
    if (remembered !== undefined) {
      recorder.recordRemembered();
      if (remembered === 'job-unknown-to-ice') {
        return settleForeign(envelope.EventType, 'job unknown to ICE (remembered)', forwarded, fields);
      }
      return replyForDelivery({ outcome: 'unmatched', detail: 'no open workflow (remembered)' }, fields);
    }

    const view = (): AdmissionView => ({
      queued: gate.queued,
      slots: gate.limit,
      backlogDepth: recorder.backlogDepth,
      maxBacklog: config.maxBacklog,
      mayBacklog: mayBacklog(forwardTarget !== undefined, voiceId),
    });
    const atArrival = backlogAtArrival(view());
    let backlogged = false;
    const ticket = gate.enqueue(() =>
      deliverIceCallback(deps, {
        envelope,
        voiceId,
        jobId,
        // ICE has had its answer: a backlogged delivery is not bound by ICE's 3 s, only by its own bound.
        deadlineMs: backlogged ? Date.now() + BACKLOG_DELIVERY_TIMEOUT_MS : deadlineMs,
      }),
    );
    const keepInBacklog = (when: string): Reply => {
      backlogged = true;
      recorder.recordBacklogged();
      ticket.result.then(
        (late) => finishBacklogged(late, fields),
        (error: unknown) => finishBacklogged(undefined, fields, error),
      );
      return queuedReply(fields, `kept in the backlog ${when}, behind ${gate.queued - 1} others`);
    };
    if (atArrival) return keepInBacklog('at once');

    const inTime = await resultBefore(ticket.result, deadlineMs);
    // A delivery that has started is bounded by the same deadline: wait for its answer.
    const result = inTime.done ? inTime.value : ticket.started ? await ticket.result : undefined;
    if (result?.outcome === 'foreign') return settleForeign(envelope.EventType, result.detail, forwarded, fields);
    if (result !== undefined) return replyForDelivery(result, fields);
    if (backlogAtDeadline(view())) return keepInBacklog('at its deadline');
    ticket.withdraw();
    return busyReply(fields, `${gate.limit} deliveries in flight, backlog full (${config.maxBacklog}) or not allowed`);
  }

  /** The end of a delivery ICE was answered for already: counted and logged like any other, never retried. */
  function finishBacklogged(result: DeliveryResult | undefined, fields: LogFields, error?: unknown): void {
    recorder.backlogSettled();
    // Only when forwarding is off can a backlogged callback turn out to be another feature's: nothing to forward.
    if (result?.outcome === 'foreign') recorder.recordForeign(String(fields.eventType));
    const reply =
      result === undefined
        ? undefined
        : result.outcome === 'foreign'
          ? ignoredReply({}, result.detail)
          : replyForDelivery(result, {});
    const outcome: CallbackOutcome = reply?.outcome ?? 'error';
    recorder.recordOutcome(outcome);
    const line: LogFields = { outcome, ...fields, ...(reply !== undefined ? reply.fields : { error: String(error) }) };
    if (reply !== undefined && reply.status === 200) logger.info('backlogged callback delivered', line);
    else logger.warn('backlogged callback not delivered; the clone polls after its callbackTimeout', line);
  }

  async function handleCallbackRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    recorder.recordReceived();
    let reply: Reply;
    try {
      reply = await receiveCallback(req, startedAt);
    } catch (error) {
      reply = errorReply(error);
    }
    if (reply.closeConnection) req.resume();
    send(res, reply.status, JSON.stringify(reply.body), 'application/json', reply.closeConnection);
    const durationMs = Date.now() - startedAt;
    recorder.recordLatency(durationMs);
    if (reply.rejection !== undefined) recorder.recordRejected(reply.rejection);
    if (reply.outcome !== undefined) recorder.recordOutcome(reply.outcome);
    const line: LogFields = { status: reply.status, outcome: reply.outcome, durationMs, ...reply.fields };
    if (!signed) {
      logger.warn('callback received WITHOUT signature check (ICE_CALLBACK_ALLOW_UNSIGNED)', line);
    } else if (reply.status >= 500) {
      // 503 and 502: ICE retries; anything else is ours to fix.
      logger[reply.status === 503 || reply.status === 502 ? 'warn' : 'error']('callback not delivered', line);
    } else if (reply.status >= 400) {
      logger.warn('callback rejected', line);
    } else {
      logger.info('callback handled', line);
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), 'application/json');
      return;
    }
    void handleCallbackRequest(req, res);
  };
  return Object.assign(handler, {
    metrics: () => recorder.snapshot(),
    renderMetrics: () => recorder.render(),
    drain: async (timeoutMs = BACKLOG_DRAIN_MS) => {
      const left = await gate.drain(timeoutMs);
      if (left > 0) {
        logger.warn('closing with backlogged callbacks undelivered; their clones poll after callbackTimeout', {
          undelivered: left,
        });
      }
      return left;
    },
  });
}
