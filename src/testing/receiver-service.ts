/**
 * The `callback-server` command's service entry (runCallbackReceiver) run in this process, for a test of the
 * service itself: it reads its settings from `env` as the command does, and a test stops it as SIGTERM would.
 */
import { runCallbackReceiver } from '../callback/run';
import type { RunningCallbackReceiver } from '../callback/server';
import type { Env } from '../config';
import type { Logger } from '../observability/logger';

/** How the receiver service of `runReceiverService` logs. */
export interface ReceiverServiceOptions {
  /** Default: the service's own logger at LOG_LEVEL. */
  logger?: Logger;
}

/** A receiver service that listens. */
export interface RunningReceiverService {
  /** The receiver the service started (its URL, callback URL and metrics). */
  readonly receiver: RunningCallbackReceiver;
  /** Asks the service to stop and resolves once it has closed the receiver and its Temporal connection. */
  stop(): Promise<void>;
}

/**
 * Runs the service from `env` until it listens. Rejects with the service's own error (a `ConfigError` naming the
 * variable, say) when it stops before it listens; nothing is left running then.
 */
export async function runReceiverService(
  env: Env,
  options: ReceiverServiceOptions = {},
): Promise<RunningReceiverService> {
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  let listening: (receiver: RunningCallbackReceiver) => void = () => undefined;
  const started = new Promise<RunningCallbackReceiver>((resolve) => (listening = resolve));
  const running = runCallbackReceiver(env, {
    stopRequested: () => stopRequested,
    logger: options.logger,
    onListening: listening,
  });
  const receiver = await Promise.race([
    started,
    running.then(() => Promise.reject(new Error('the receiver service stopped before it listened'))),
  ]);
  return {
    receiver,
    stop: async () => {
      requestStop();
      await running;
    },
  };
}
