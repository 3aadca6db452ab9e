/**
 * `ice-voice-clone callback-consumer`: the queue consumer as a long-running service, configured only through
 * src/config.ts, with `/healthz` and `/metrics` on ICE_CALLBACK_CONSUMER_ADDRESS when set. SIGINT/SIGTERM stop
 * receiving; the deliveries in flight finish first.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  loadCallbackConsumerConfig,
  loadIceClientConfig,
  loadLogLevel,
  loadTemporalConnectConfig,
  type CallbackConsumerConfig,
  type Env,
} from '../config';
import { createMnsQueueClient } from '../mns/client';
import { mnsCredentialChain } from '../mns/credentials';
import { createLogger, type Logger } from '../observability/logger';
import { PROMETHEUS_CONTENT_TYPE } from '../observability/metrics';
import { startIceCallbackConsumer, type IceCallbackConsumer } from './consumer';
import { HEALTH_PATH, METRICS_PATH } from './server';
import { createIntakeClients } from './temporal-connection';
import { firstStopSignal } from '../net/stop-signal';

export interface RunCallbackConsumerOptions {
  /** Resolves when the service should stop; default: the first SIGINT or SIGTERM. */
  stopRequested?: () => Promise<unknown>;
  logger?: Logger;
  /** Called once the consumer receives (with its health address, when it serves one). */
  onStarted?: (consumer: IceCallbackConsumer, address?: string) => void;
}

/** GET /healthz (503 while receives fail) and GET /metrics. */
async function serveHealth(
  consumer: IceCallbackConsumer,
  address: NonNullable<CallbackConsumerConfig['address']>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json'): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'GET' && path === HEALTH_PATH) {
      const healthy = consumer.healthy();
      return send(healthy ? 200 : 503, JSON.stringify({ status: healthy ? 'ok' : 'receive_failing' }));
    }
    if (req.method === 'GET' && path === METRICS_PATH)
      return send(200, consumer.renderMetrics(), PROMETHEUS_CONTENT_TYPE);
    send(404, JSON.stringify({ error: 'not_found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return { server, url: `http://${host}:${port}` };
}

/**
 * Runs the consumer until SIGINT/SIGTERM (or `stopRequested`), from settings in `env` only. A bad setting throws
 * `ConfigError` before anything connects; resolves once the deliveries in flight have ended.
 */
export async function runCallbackConsumer(env: Env, options: RunCallbackConsumerOptions = {}): Promise<void> {
  const config = loadCallbackConsumerConfig(env);
  const connectConfig = loadTemporalConnectConfig(env);
  const iceConfig = loadIceClientConfig(env);
  const logger = options.logger ?? createLogger('callback-consumer', loadLogLevel(env));
  const stop = (options.stopRequested ?? firstStopSignal)();

  const { connection, client, ice } = createIntakeClients(connectConfig, iceConfig, logger);
  const queue = createMnsQueueClient({
    endpoint: config.endpoint,
    queueName: config.queueName,
    credentials: mnsCredentialChain(iceConfig.credentials),
  });
  const consumer = startIceCallbackConsumer({ config, client, ice, queue, logger });
  let health: { server: Server; url: string } | undefined;
  try {
    if (config.address !== undefined) health = await serveHealth(consumer, config.address);
    logger.info('callback consumer receiving', { queue: config.queueName, health: health?.url });
    options.onStarted?.(consumer, health?.url);
    const reason = await stop;
    logger.info('callback consumer stopping', { reason: String(reason) });
  } finally {
    await consumer.stop();
    health?.server.close();
    await connection.close();
  }
  logger.info('callback consumer stopped', { metrics: consumer.metrics().queue });
}
