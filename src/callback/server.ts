/**
 * The ICE callback receiver: the package's only door open to the internet. It turns a verified HTTP callback
 * into the clone workflow's `iceCallback` signal and answers 200 once Temporal has accepted it, 503 when Temporal
 * cannot be reached in time (ICE then retries twice, 1 s apart), and 200 for anything a retry would not fix
 * (unknown clone, event type we do not handle). In a burst, a callback still waiting for a delivery slot at its
 * deadline, or arriving behind a full round of waiting ones, is kept in a bounded backlog and answered 200
 * "queued": ICE's three tries within seconds would otherwise drop it, while the backlog delivers it at Temporal's
 * pace. A backlog lost with the process costs no clone: the workflow polls after its callbackTimeout. One log
 * line per request (and one when a backlogged callback's delivery ends), never with keys or signatures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { CallbackReceiverConfig } from '../config';
import type { IceClient } from '../ice/types';
import { createLogger, type LogFields, type Logger } from '../observability/logger';
import { checkIceCallbackEnvelope } from './envelope';
import { deliverIceCallback, type DeliveryResult } from './delivery';
import { DeliveryGate } from './delivery-gate';
import {
  CallbackMetricsRecorder,
  renderPrometheusMetrics,
  type CallbackMetrics,
  type CallbackOutcome,
  type CallbackRejectionReason,
} from './metrics';
import { ICE_SIGNATURE_HEADER, ICE_TIMESTAMP_HEADER, verifyIceCallbackSignature } from './signature';

export interface CallbackReceiverOptions {
  config: CallbackReceiverConfig;
  client: Client;
  ice: IceClient;
  /** Only for log context: signals go to the workflow wherever its worker polls. */
  taskQueue?: string;
  logger?: Logger;
}

export interface RunningCallbackReceiver {
  /** Local base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  /** Local full URL of the callback endpoint (base URL + path). */
  callbackUrl: string;
  metrics(): CallbackMetrics;
  close(): Promise<void>;
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

export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';
const FORCE_CLOSE_AFTER_MS = 5_000;
/** How long close() lets the backlog drain; what is left is found by the clones' polling. */
const BACKLOG_DRAIN_MS = 10_000;
/** Bound on a backlogged delivery's Temporal calls (retries of UNAVAILABLE included), so it cannot hold a slot forever. */
const BACKLOG_DELIVERY_TIMEOUT_MS = 10_000;

interface Reply {
  status: number;
  body: Record<string, unknown>;
  fields: LogFields;
  outcome?: CallbackOutcome;
  rejection?: CallbackRejectionReason;
  /** The request body was not (fully) read: close the connection instead of reusing it. */
  closeConnection?: boolean;
}

function reject(
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

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isJson(req: IncomingMessage): boolean {
  const mediaType = headerValue(req, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
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

function replyForDelivery(result: DeliveryResult, fields: LogFields): Reply {
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

export async function startCallbackReceiver(options: CallbackReceiverOptions): Promise<RunningCallbackReceiver> {
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
  const recorder = new CallbackMetricsRecorder();
  const gate = new DeliveryGate(config.maxInFlight);

  async function receiveCallback(req: IncomingMessage, startedAt: number): Promise<Reply> {
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
    }
    if (!isJson(req)) {
      return reject(415, 'unsupported_media_type', 'Content-Type must be application/json', true);
    }
    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === undefined) {
      return reject(413, 'body_too_large', `body exceeds ${config.maxBodyBytes} bytes`, true);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return reject(400, 'malformed_json', 'body is not valid JSON');
    }
    const check = checkIceCallbackEnvelope(parsed);
    if (check.kind === 'invalid') return reject(400, 'invalid_envelope', check.message);
    if (check.kind === 'ignored') {
      return {
        status: 200,
        body: { status: 'ignored' },
        fields: { eventType: check.eventType, detail: 'event type not handled' },
        outcome: 'ignored',
      };
    }
    const fields: LogFields = { eventType: check.envelope.EventType, voiceId: check.voiceId, jobId: check.jobId };
    const deadlineMs = startedAt + config.temporalTimeoutMs;
    // Behind a full round of waiting deliveries (a queue means every slot is busy) it cannot start in time: waiting
    // out the deadline would only make ICE's 3 s harder to meet for this answer and the ones after it.
    const behindFullRound = gate.queued >= gate.limit;
    let backlogged = false;
    const ticket = gate.enqueue(() =>
      deliverIceCallback(
        { client, ice, logger },
        {
          envelope: check.envelope,
          voiceId: check.voiceId,
          jobId: check.jobId,
          // ICE has had its answer: a backlogged delivery is not bound by ICE's 3 s, only by its own bound.
          deadlineMs: backlogged ? Date.now() + BACKLOG_DELIVERY_TIMEOUT_MS : deadlineMs,
        },
      ),
    );
    const keepInBacklog = (when: string): Reply => {
      backlogged = true;
      recorder.recordBacklogged();
      ticket.result.then(
        (late) => finishBacklogged(late, fields),
        (error: unknown) => finishBacklogged(undefined, fields, error),
      );
      return {
        status: 200,
        body: { status: 'queued' },
        fields: { ...fields, detail: `kept in the backlog ${when}, behind ${gate.queued - 1} others` },
      };
    };
    const roomInBacklog = (): boolean => recorder.backlogDepth < config.maxBacklog;
    if (behindFullRound && roomInBacklog()) return keepInBacklog('at once');

    const inTime = await resultBefore(ticket.result, deadlineMs);
    // A delivery that has started is bounded by the same deadline: wait for its answer.
    const result = inTime.done ? inTime.value : ticket.started ? await ticket.result : undefined;
    if (result !== undefined) return replyForDelivery(result, fields);
    if (roomInBacklog()) return keepInBacklog('at its deadline');
    ticket.withdraw();
    return {
      status: 503,
      body: { error: 'busy', message: 'try again shortly' },
      fields: { ...fields, detail: `${gate.limit} deliveries in flight, backlog full (${config.maxBacklog})` },
      outcome: 'busy',
    };
  }

  /** The end of a delivery ICE was answered for already: counted and logged like any other, never retried. */
  function finishBacklogged(result: DeliveryResult | undefined, fields: LogFields, error?: unknown): void {
    recorder.backlogSettled();
    const outcome: CallbackOutcome = result?.outcome ?? 'error';
    recorder.recordOutcome(outcome);
    const line: LogFields = {
      outcome,
      ...fields,
      ...(result !== undefined ? replyForDelivery(result, {}).fields : { error: String(error) }),
    };
    if (outcome === 'signalled' || outcome === 'unmatched') logger.info('backlogged callback delivered', line);
    else logger.warn('backlogged callback not delivered; the clone polls after its callbackTimeout', line);
  }

  function send(res: ServerResponse, status: number, body: string, contentType: string, close = false): void {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      ...(close ? { connection: 'close' } : {}),
    });
    res.end(body);
  }

  async function handleCallbackRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    recorder.recordReceived();
    let reply: Reply;
    try {
      reply = await receiveCallback(req, startedAt);
    } catch (error) {
      reply = {
        status: 500,
        body: { error: 'internal_error', message: 'unexpected error' },
        fields: { error: error instanceof Error ? error : String(error) },
        outcome: 'error',
      };
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
      logger[reply.status === 503 ? 'warn' : 'error']('callback not delivered', line);
    } else if (reply.status >= 400) {
      logger.warn('callback rejected', line);
    } else {
      logger.info('callback handled', line);
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === config.path) {
      if (req.method === 'POST') {
        void handleCallbackRequest(req, res);
        return;
      }
      res.setHeader('allow', 'POST');
      send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), 'application/json');
      return;
    }
    if (req.method === 'GET' && path === HEALTH_PATH) {
      send(res, 200, JSON.stringify({ status: 'ok' }), 'application/json');
      return;
    }
    if (req.method === 'GET' && path === METRICS_PATH) {
      send(res, 200, renderPrometheusMetrics(recorder.snapshot()), 'text/plain; version=0.0.4; charset=utf-8');
      return;
    }
    send(res, 404, JSON.stringify({ error: 'not_found' }), 'application/json');
  });
  // Slow senders must not hold sockets open: ICE either sends promptly or gives up after 3 s anyway.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${localHost(config.host)}:${port}`;
  if (signed) {
    logger.info('callback receiver listening', { url, path: config.path, keyCount: config.authKeys.length });
  } else {
    logger.warn('callback receiver listening and accepting UNSIGNED callbacks: anyone can wake clones', {
      url,
      path: config.path,
    });
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    callbackUrl: `${url}${config.path}`,
    metrics: () => recorder.snapshot(),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        // In-flight callbacks finish (bounded by the Temporal timeout); idle keep-alive sockets go now.
        const force = setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_AFTER_MS);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }).then(async () => {
        const left = await gate.drain(BACKLOG_DRAIN_MS);
        if (left > 0) {
          logger.warn('closing with backlogged callbacks undelivered; their clones poll after callbackTimeout', {
            undelivered: left,
          });
        }
      });
      return closing;
    },
  };
}

function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

// The CLI's `callback-server` command imports the service entry point from here.
export { runCallbackReceiver, type RunCallbackReceiverOptions } from './run';
