/**
 * The whole system on one machine: a Temporal dev server with the Web UI (child process, SQLite under the data
 * folder), the ICE emulator, the callback receiver (signed callbacks, key generated per run and registered with
 * the emulator through SetEventCallback) and a worker — everything but the dev server in this process.
 * `close()` stops them in reverse order and leaves no process behind.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { RunningCallbackReceiver } from '../callback/server';
import { DEFAULT_TASK_QUEUE, loadIceClientConfig, type LocalToolsConfig } from '../config';
import { startEmulator, type RunningEmulator } from '../emulator';
import { createIceClient } from '../ice/client';
import type { IceClient } from '../ice/types';
import { silentLogger, type Logger } from '../observability/logger';
import { countIceCalls } from '../observability/metrics';
import { createVoiceCloneWorker } from '../worker';
import { startTemporalDevServer, type TemporalDevServer } from './dev-server';
import { assertPortsFree, concretePort, LocalStackError } from './ports';
import { startSignedCallbackReceiver } from './signed-callback-receiver';
import { startSdkDownloadedDevServer } from './sdk-dev-server';
import { resolveTemporalCli, TemporalBinaryUnavailableError } from './temporal-binaries';

export const LOCAL_STACK_DEFAULT_PORTS = { temporal: 7233, ui: 8233, callback: 8787, emulator: 8788 } as const;
export const LOCAL_STACK_DEFAULT_TRAINING_MS = 20_000;

export interface LocalStackOptions {
  tools: LocalToolsConfig;
  /** 0 = a random free port. Defaults: LOCAL_STACK_DEFAULT_PORTS. */
  temporalPort?: number;
  uiPort?: number;
  callbackPort?: number;
  emulatorPort?: number;
  /** Emulated training time. Default 20 s. */
  trainingMs?: number;
  taskQueue?: string;
  workflowBundle?: WorkflowBundleOption;
  logger?: Logger;
  /** Lines for a person at a terminal while a first run builds or downloads the Temporal CLI. */
  onProgress?: (line: string) => void;
}

export interface LocalStack {
  temporal: TemporalDevServer;
  emulator: RunningEmulator;
  receiver: RunningCallbackReceiver;
  /** ICE client pointed at the emulator (dev key pair). */
  ice: IceClient;
  client: Client;
  taskQueue: string;
  dataDir: string;
  /** The Web UI page of a workflow. */
  workflowUrl(workflowId: string): string;
  close(): Promise<void>;
}

/** Fails with `PortInUse` (naming the port and its flag) before anything starts; returns the ports to use. */
export async function checkLocalStackPorts(
  options: Pick<LocalStackOptions, 'temporalPort' | 'uiPort' | 'callbackPort' | 'emulatorPort'>,
): Promise<Record<keyof typeof LOCAL_STACK_DEFAULT_PORTS, number>> {
  const ports = {
    temporal: options.temporalPort ?? LOCAL_STACK_DEFAULT_PORTS.temporal,
    ui: options.uiPort ?? LOCAL_STACK_DEFAULT_PORTS.ui,
    callback: options.callbackPort ?? LOCAL_STACK_DEFAULT_PORTS.callback,
    emulator: options.emulatorPort ?? LOCAL_STACK_DEFAULT_PORTS.emulator,
  };
  await assertPortsFree([
    { name: 'Temporal gRPC', flag: '--temporal-port', port: ports.temporal },
    { name: 'the Temporal Web UI', flag: '--ui-port', port: ports.ui },
    { name: 'the callback receiver', flag: '--callback-port', port: ports.callback },
    { name: 'the ICE emulator', flag: '--emulator-port', port: ports.emulator },
  ]);
  return ports;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const logger = options.logger ?? silentLogger;
  const ports = await checkLocalStackPorts(options);
  const cliPath = await resolveLocalTemporalCli(options);
  const dataDir = path.resolve(options.tools.dataDir);
  await mkdir(dataDir, { recursive: true });
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;

  // Everything started so far, stopped in reverse order by close() or when a later step fails.
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const close = async (): Promise<void> => {
    for (const { name, stop } of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn('stopping a local stack part failed', { part: name, error });
      }
    }
  };

  try {
    const server = {
      port: await concretePort(ports.temporal),
      uiPort: await concretePort(ports.ui),
      dbFile: path.join(dataDir, 'temporal.db'),
    };
    const temporal =
      'path' in cliPath
        ? await startTemporalDevServer({
            ...server,
            cliPath: cliPath.path,
            logFile: path.join(dataDir, 'temporal-server.log'),
            logger,
          })
        : await startSdkDownloadedDevServer(server, cliPath.tried, options.onProgress);
    stops.push({ name: 'temporal', stop: () => temporal.stop() });

    const emulator = await startEmulator({
      host: '127.0.0.1',
      port: ports.emulator,
      trainingMs: options.trainingMs ?? LOCAL_STACK_DEFAULT_TRAINING_MS,
      stateFile: path.join(dataDir, 'emulator-state.json'),
      logger: logger.child({ component: 'emulator' }),
    });
    stops.push({ name: 'emulator', stop: () => emulator.close() });
    const ice = createIceClient(
      { ...loadIceClientConfig({}), endpoint: emulator.url, credentials: emulator.credentials },
      { logger },
    );

    const connection = await Connection.connect({ address: temporal.address });
    stops.push({ name: 'client connection', stop: () => connection.close() });
    const client = new Client({ connection, namespace: temporal.namespace });

    const { receiver, callbackUrl } = await startSignedCallbackReceiver({
      client,
      ice,
      port: ports.callback,
      taskQueue,
      logger: logger.child({ component: 'callback-receiver' }),
    });
    stops.push({ name: 'callback receiver', stop: () => receiver.close() });

    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push({ name: 'worker connection', stop: () => nativeConnection.close() });
    const worker: Worker = await createVoiceCloneWorker({
      connection: nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      ice: countIceCalls(ice),
      ...(options.workflowBundle && { workflowBundle: options.workflowBundle }),
      logger,
    });
    const running = worker.run();
    stops.push({
      name: 'worker',
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    });
    running.catch((error: unknown) => logger.error('worker stopped with an error', { error }));
    logger.info('local stack ready', {
      temporal: temporal.address,
      ui: temporal.uiUrl,
      emulator: emulator.url,
      publicUrl: callbackUrl,
    });

    return {
      temporal,
      emulator,
      receiver,
      ice,
      client,
      taskQueue,
      dataDir,
      workflowUrl: (workflowId) =>
        `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The pinned CLI (built once when Go is there) or a `temporal` on PATH; when nothing local works, what was tried,
 * for the SDK's own download. A wrong TEMPORAL_CLI_PATH fails at once: no fallback papers over it.
 */
async function resolveLocalTemporalCli(options: LocalStackOptions): Promise<{ path: string } | { tried: string[] }> {
  try {
    const cliPath = await resolveTemporalCli(options.tools, options.logger, {
      allowSdkDownload: false,
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    if (cliPath !== undefined) return { path: cliPath };
    return { tried: [] };
  } catch (error) {
    if (error instanceof TemporalBinaryUnavailableError && error.localAttempts) return { tried: error.localAttempts };
    throw new LocalStackError('TemporalCliMissing', error instanceof Error ? error.message : String(error));
  }
}
