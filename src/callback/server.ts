/**
 * The callback receiver as its own HTTP server: the library handler (handler.ts) at ICE_CALLBACK_PATH, plus
 * `GET /healthz` and `GET /metrics`. A team that already runs a callback service mounts the handler there instead.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { CallbackReceiverConfig } from '../config';
import type { IceClient } from '../ice/types';
import { createLogger, type Logger } from '../observability/logger';
import { PROMETHEUS_CONTENT_TYPE } from '../observability/metrics';
import { createIceCallbackHandler } from './handler';
import type { CallbackMetrics } from './metrics';

export { CallbackReceiverError, type CallbackReceiverErrorCode } from './handler';

/** What `startCallbackReceiver` needs: the receiver's settings and the clients it signals and reads with. */
export interface CallbackReceiverOptions {
  config: CallbackReceiverConfig;
  /** Signals the clones; its namespace is the clones' namespace. */
  client: Client;
  /** Reads the job a callback names, to find its clone. */
  ice: IceClient;
  /** Only for log context: signals go to the workflow wherever its worker polls. */
  taskQueue?: string;
  logger?: Logger;
  /** How long a sender may take for its headers and for its whole request; defaults RECEIVER_HTTP_TIMEOUTS. */
  httpTimeouts?: ReceiverHttpTimeouts;
}

export interface ReceiverHttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Slow senders must not hold sockets open: ICE either sends promptly or gives up after 3 s anyway. */
export const RECEIVER_HTTP_TIMEOUTS: ReceiverHttpTimeouts = { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000 };

/** A listening callback receiver. */
export interface RunningCallbackReceiver {
  /** Local base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  /** The port it listens on (the one asked for, or the one the OS picked for 0). */
  port: number;
  /** Local full URL of the callback endpoint (base URL + path). */
  callbackUrl: string;
  metrics(): CallbackMetrics;
  /** Stops taking requests, lets in-flight callbacks finish and drains the backlog (bounded), then closes. */
  close(): Promise<void>;
}

export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';
const FORCE_CLOSE_AFTER_MS = 5_000;

function reply(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Starts the receiver's HTTP server: POST callbacks on the configured path, `/healthz` and `/metrics`. Throws
 * `CallbackReceiverError` for unsafe settings before anything listens.
 */
export async function startCallbackReceiver(options: CallbackReceiverOptions): Promise<RunningCallbackReceiver> {
  const { config } = options;
  const logger = (options.logger ?? createLogger('callback-receiver')).child({ taskQueue: options.taskQueue });
  // Refuses unsafe settings (no keys, no public URL) before anything listens.
  const handler = createIceCallbackHandler(options);
  const { headersTimeoutMs, requestTimeoutMs } = options.httpTimeouts ?? RECEIVER_HTTP_TIMEOUTS;
  const serverOptions = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // Node enforces both timeouts only when it checks its connections (every 30 s by default): a dripping sender
    // would linger up to 30 s past them. Checked at a fifth of the shorter one instead.
    connectionsCheckingInterval: Math.max(100, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs) / 5)),
  };
  const server = createServer(serverOptions, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === config.path) return handler(req, res);
    if (req.method === 'GET' && path === HEALTH_PATH) {
      return reply(res, 200, JSON.stringify({ status: 'ok' }), 'application/json');
    }
    if (req.method === 'GET' && path === METRICS_PATH) {
      return reply(res, 200, handler.renderMetrics(), PROMETHEUS_CONTENT_TYPE);
    }
    reply(res, 404, JSON.stringify({ error: 'not_found' }), 'application/json');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${localHost(config.host)}:${port}`;
  logger.info('callback receiver listening', {
    url,
    path: config.path,
    keyCount: config.authKeys.length,
    forwarding: config.forwardUrl !== undefined,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    callbackUrl: `${url}${config.path}`,
    metrics: () => handler.metrics(),
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
      }).then(() => handler.drain().then(() => undefined));
      return closing;
    },
  };
}

function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
