/**
 * The ICE callback receiver's request handling as a framework-neutral Node `(req, res)` handler: a team mounts it at
 * a path of the callback service it already runs (Express, Fastify, node:http), or server.ts serves it alone. It
 * reads the raw body itself, so no body parser may run before it.
 *
 * A verified callback for a voice clone becomes the clone workflow's `iceCallback` signal carrying a bounded fact
 * (never the body), answered 200 once Temporal has accepted it, 503 when Temporal (or ICE, for a JobId-only
 * callback) cannot be reached in time (ICE then retries twice, 1 s apart), 400 for what no retry can fix (a body
 * out of bounds, a signal Temporal refuses), 200 for a callback no open clone wants. A signature is good for one
 * body (signature-memory.ts). Another ICE feature's event (the callback setting is account-wide) costs no ICE and
 * no Temporal call: forwarded to ICE_CALLBACK_FORWARD_URL (200 only if the target took it, else 502) or answered
 * 200. In a burst, a clone's callback still waiting for a delivery slot at its deadline, or arriving behind a full
 * round of waiting ones, is kept in a bounded backlog and answered 200 "queued": ICE's three tries within seconds
 * would otherwise drop it. A backlog lost with the process costs no clone: the workflow polls after its
 * callbackTimeout. One log line per request, never with keys or signatures. The stages are in stages.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { IceClient } from '../ice/types';
import { createLogger, type LogFields, type Logger } from '../observability/logger';
import { DeliveryGate } from './delivery-gate';
import { errorReply, type Reply } from './intake';
import { CallbackMetricsRecorder, type CallbackMetrics } from './metrics';
import { SignatureMemory } from './signature-memory';
import { ABORTED, receiveCallback, type IceCallbackHandlerConfig, type ReceiverContext } from './stages';
import { UnmatchedIds } from './unmatched-ids';

export type { IceCallbackHandlerConfig } from './stages';

/** What a callback handler needs: its settings, the Temporal client it signals with, the ICE client it reads with. */
export interface IceCallbackHandlerOptions {
  config: IceCallbackHandlerConfig;
  /** Signals the clones; its namespace is the clones' namespace. */
  client: Client;
  /** Reads the job or voice a callback names when its IDs alone do not tell the clone (Standard, CosyVoice). */
  ice: IceClient;
  /** Only for log context: signals go to the workflow wherever its worker polls. */
  taskQueue?: string;
  logger?: Logger;
}

/** A Node request listener for ICE's callback POSTs, with its metrics and a drain for shutdown. */
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

export type CallbackReceiverErrorCode =
  'UnsignedCallbacksRefused' | 'UnsignedForwardSigningRefused' | 'MissingPublicUrl';

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

/**
 * Refuses unsafe settings (no keys and no unsigned mode, unsigned mode with a forward key, keys without the public
 * URL) and builds the stages' context.
 */
function createReceiverContext(options: IceCallbackHandlerOptions): ReceiverContext {
  const { config, client, ice } = options;
  const logger = (options.logger ?? createLogger('callback-receiver')).child({ taskQueue: options.taskQueue });
  const signed = config.authKeys.length > 0;
  if (!signed && !config.allowUnsigned) {
    throw new CallbackReceiverError(
      'UnsignedCallbacksRefused',
      'no callback auth keys: set ICE_CALLBACK_AUTH_KEYS and ICE_CALLBACK_URL, or ICE_CALLBACK_ALLOW_UNSIGNED=true (local development only)',
    );
  }
  if (config.allowUnsigned && config.forwardAuthKey !== undefined) {
    // Else anyone's unsigned POST would reach the forward target validly signed (docs/security.md#settings).
    throw new CallbackReceiverError(
      'UnsignedForwardSigningRefused',
      'ICE_CALLBACK_ALLOW_UNSIGNED=true and ICE_CALLBACK_FORWARD_AUTH_KEY together: unsigned mode never signs forwards',
    );
  }
  if (signed && config.publicUrl === undefined) {
    throw new CallbackReceiverError('MissingPublicUrl', 'ICE_CALLBACK_URL is required to verify signatures');
  }
  if (!signed) logger.warn('ICE callback handler accepting UNSIGNED callbacks: anyone can wake clones');
  return {
    config,
    client,
    ice,
    logger,
    publicUrl: signed ? config.publicUrl : undefined,
    forwardTarget:
      config.forwardUrl === undefined ? undefined : { url: config.forwardUrl, authKey: config.forwardAuthKey },
    voiceEventTypes: config.voiceEventTypes === undefined ? undefined : new Set(config.voiceEventTypes),
    recorder: new CallbackMetricsRecorder(),
    gate: new DeliveryGate(config.maxInFlight),
    unmatched: new UnmatchedIds(),
    signatures: new SignatureMemory(config.maxSkewSeconds),
  };
}

function send(res: ServerResponse, status: number, body: string, contentType: string, close = false): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** Runs the stages, writes the answer, counts it and logs one line. */
async function answerCallback(context: ReceiverContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { recorder, logger } = context;
  const startedAt = Date.now();
  recorder.recordReceived();
  let reply: Reply | typeof ABORTED;
  try {
    reply = await receiveCallback(context, req, startedAt);
  } catch (error) {
    reply = errorReply(error);
  }
  const durationMs = Date.now() - startedAt;
  recorder.recordLatency(durationMs);
  if (reply === ABORTED) {
    // A sender that went away (or was cut by the request timeout) is not an error of ours.
    logger.info('callback body aborted by the sender', { durationMs });
    return;
  }
  if (reply.closeConnection) req.resume();
  send(res, reply.status, JSON.stringify(reply.body), 'application/json', reply.closeConnection);
  if (reply.rejection !== undefined) recorder.recordRejected(reply.rejection);
  if (reply.outcome !== undefined) recorder.recordOutcome(reply.outcome);
  if (reply.retry === true) recorder.recordRetry();
  logReply(context, reply, { status: reply.status, outcome: reply.outcome, durationMs, ...reply.fields });
}

function logReply(context: ReceiverContext, reply: Reply, line: LogFields): void {
  const { logger } = context;
  if (context.publicUrl === undefined) {
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

/**
 * The receiver's request handler, to mount in an existing HTTP server (`startCallbackReceiver` runs its own). Each
 * POST is authenticated, read, classified, admitted and delivered as the `iceCallback` signal. Throws
 * `CallbackReceiverError` for unsafe settings (no auth keys without `allowUnsigned`, keys without the public URL).
 */
export function createIceCallbackHandler(options: IceCallbackHandlerOptions): IceCallbackHandler {
  const context = createReceiverContext(options);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), 'application/json');
      return;
    }
    void answerCallback(context, req, res);
  };
  return Object.assign(handler, {
    metrics: () => context.recorder.snapshot(),
    renderMetrics: () => context.recorder.render(),
    drain: async (timeoutMs = BACKLOG_DRAIN_MS) => {
      const left = await context.gate.drain(timeoutMs);
      if (left > 0) {
        context.logger.warn('closing with backlogged callbacks undelivered; their clones poll after callbackTimeout', {
          undelivered: left,
        });
      }
      return left;
    },
  });
}
