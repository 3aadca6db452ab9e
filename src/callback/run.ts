/**
 * `ice-voice-clone callback-server`: the receiver as a long-running service, configured only through
 * src/config.ts, stopped cleanly by SIGINT/SIGTERM (in-flight callbacks finish first).
 */
import {
  loadCallbackReceiverConfig,
  loadIceClientConfig,
  loadLogLevel,
  loadTaskQueue,
  loadTemporalConnectConfig,
  type Env,
} from '../config';
import { createLogger, type Logger } from '../observability/logger';
import { startCallbackReceiver, type RunningCallbackReceiver } from './server';
import { createIntakeClients } from './temporal-connection';
import { firstStopSignal } from '../net/stop-signal';

export interface RunCallbackReceiverOptions {
  /** Resolves when the service should stop; default: the first SIGINT or SIGTERM. */
  stopRequested?: () => Promise<unknown>;
  logger?: Logger;
  /** Called once the receiver listens (e.g. to print its URL). */
  onListening?: (receiver: RunningCallbackReceiver) => void;
}

/**
 * Runs the receiver as a service until SIGINT/SIGTERM (or `stopRequested`), from settings in `env` only. A bad
 * setting throws `ConfigError` before anything listens; resolves once the receiver has closed.
 */
export async function runCallbackReceiver(env: Env, options: RunCallbackReceiverOptions = {}): Promise<void> {
  // Read every setting first so that a bad value fails before anything listens.
  const config = loadCallbackReceiverConfig(env);
  const connectConfig = loadTemporalConnectConfig(env);
  const iceConfig = loadIceClientConfig(env);
  const taskQueue = loadTaskQueue(env);
  const logger = options.logger ?? createLogger('callback-receiver', loadLogLevel(env));
  // Registered before anything slow, so a signal during start-up is not lost.
  const stop = (options.stopRequested ?? firstStopSignal)();

  const { connection, client, ice } = createIntakeClients(connectConfig, iceConfig, logger);
  let receiver: RunningCallbackReceiver;
  try {
    receiver = await startCallbackReceiver({ config, client, ice, taskQueue, logger });
  } catch (error) {
    await connection.close();
    throw error;
  }
  options.onListening?.(receiver);
  const reason = await stop;
  logger.info('callback receiver stopping', { reason: String(reason) });
  await receiver.close();
  await connection.close();
  logger.info('callback receiver stopped', { metrics: receiver.metrics() });
}
