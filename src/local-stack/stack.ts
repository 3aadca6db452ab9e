/**
 * The one way to start the system: a Temporal server (temporal-server.ts, test-servers.ts), the ICE emulator,
 * 0..N callback receivers and 0..N workers, each part in this process or in a child process of its own, as the
 * caller chooses. `npm start` (startLocalStack below), the tests, the fault suite and the benchmark all start
 * through startStack. `close()` stops everything in reverse order and leaves no process behind.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { CallbackMetrics } from '../callback/metrics';
import type { RunningCallbackReceiver } from '../callback/server';
import {
  DEFAULT_TASK_QUEUE,
  loadIceClientConfig,
  type IceClientConfig,
  type IceCredentials,
  type LocalToolsConfig,
} from '../config';
import { EMULATOR_DEFAULTS, startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../emulator';
import { createIceClient } from '../ice/client';
import type { IceClient } from '../ice/types';
import { silentLogger, type Logger } from '../observability/logger';
import { createVoiceCloneWorker } from '../worker';
import { generateCallbackAuthKey } from './auth-key';
import { startEmulatorChild, type EmulatorSpec } from './emulator-child';
import { assertPortsFree, concretePort, freePort } from './ports';
import { startReceiverChild } from './receiver-child';
import { localCallbackUrl, pointIceCallbackAt, startSignedReceiver } from './signed-callback-receiver';
import { devServerProcess, type DevServerProcess, type RunningTemporal, type TemporalStarter } from './temporal-server';
import { startWorkerChild, type WorkerChild } from './worker-child';
import { workflowBundleFile } from './workflow-bundle-file';

export type { RunningTemporal, TemporalStarter };

/** The emulator in this process (any StartEmulatorOptions) or in a child process (the options a spec can carry). */
export type StackEmulatorOptions =
  | ({ process?: 'in-process' } & StartEmulatorOptions)
  | ({ process: 'child' } & Partial<EmulatorSpec> & { logFile?: string });

export interface StackReceiversOptions {
  count: number;
  process?: 'in-process' | 'child';
  /** With one receiver: its port (0 or unset: a free one). */
  port?: number;
  /**
   * The URL ICE calls, which every receiver verifies signatures against: a load balancer's in front of several
   * receivers (then required). Default: the one receiver's own URL.
   */
  publicUrl?: string;
}

export interface InProcessWorkerOptions {
  /** Default: the stack's task queue (one worker per task queue per process). */
  taskQueue?: string;
  workflowBundle?: WorkflowBundleOption;
  workflowsPath?: string;
  /** Default: the stack's ICE client. */
  ice?: IceClient;
}

export interface ChildWorkerOptions {
  /** Default: the stack's task queue. */
  taskQueue?: string;
  /** Workflow module to bundle (once per process); default the package's workflows. */
  workflowsPath?: string;
  /** Its log: this file, else `<logDir>/worker-<name>.log` when the stack has a log folder. */
  logFile?: string;
  name?: string;
  maxCachedWorkflows?: number;
  lookUpSearchAttributes?: boolean;
}

export interface StackOptions<T extends RunningTemporal> {
  temporal: TemporalStarter<T>;
  /** Default: in this process, on a free port, with the dev key pair. */
  emulator?: StackEmulatorOptions;
  /** Default: none. */
  receivers?: StackReceiversOptions;
  /** Started with the stack; more with startWorker / forkWorker. Default: none. */
  workers?: { count: number } & (
    ({ process?: 'in-process' } & InProcessWorkerOptions) | ({ process: 'child' } & ChildWorkerOptions)
  );
  /** Default DEFAULT_TASK_QUEUE. */
  taskQueue?: string;
  /** Timeouts of the stack's own ICE client (and its in-process parts'); child processes use ICE's defaults. */
  iceTimeouts?: Partial<Pick<IceClientConfig, 'connectTimeoutMs' | 'readTimeoutMs'>>;
  /** Where child processes write their output (`emulator.log`, `receiver-<n>.log`, `worker-<name>.log`). */
  logDir?: string;
  /** A V8 CPU profile of every child process goes here when it exits. */
  cpuProfileDir?: string;
  logger?: Logger;
}

export interface InProcessWorker {
  worker: Worker;
  /** Graceful shutdown: running activities finish, then the worker stops. */
  stop(): Promise<void>;
}

export interface StackReceiver {
  /** The receiver's own callback URL (behind a balancer, not the one ICE calls). */
  readonly callbackUrl: string;
  /** Its process, when it runs in a child. */
  readonly pid: number | undefined;
  /** The receiver itself when it runs in this process. */
  readonly inProcess: RunningCallbackReceiver | undefined;
  metrics(): Promise<CallbackMetrics>;
  close(): Promise<void>;
  /** SIGKILL, for a receiver in a child process: its in-memory backlog dies with it. */
  kill(): Promise<void>;
}

export type StackEmulator = RunningEmulator & { readonly pid?: number };

export interface Stack<T extends RunningTemporal> {
  temporal: T;
  client: Client;
  /** The current emulator (restartEmulator replaces it). */
  readonly emulator: StackEmulator;
  /** Close the emulator and start it again on the same port (and state file, if any). */
  restartEmulator(downMs?: number): Promise<void>;
  /** ICE client pointed at the emulator. */
  ice: IceClient;
  /** The emulator's key pair, which every part signs with. */
  credentials: IceCredentials;
  taskQueue: string;
  receivers: StackReceiver[];
  /** The URL configured in ICE (signed) and its auth key, when the stack has receivers. */
  callbackUrl: string | undefined;
  callbackAuthKey: string | undefined;
  startWorker(options?: InProcessWorkerOptions): Promise<InProcessWorker>;
  forkWorker(options?: ChildWorkerOptions): Promise<WorkerChild>;
  /** Workers started and not stopped yet, oldest first. */
  workers(): InProcessWorker[];
  workerChildren(): WorkerChild[];
  close(): Promise<void>;
}

async function startStackEmulator(
  options: StackEmulatorOptions,
  logDir: string | undefined,
  cpuProfileDir: string | undefined,
): Promise<StackEmulator> {
  if (options.process !== 'child') {
    const { process: _inProcess, ...emulatorOptions } = options;
    return startEmulator(emulatorOptions);
  }
  const { process: _child, logFile, keyPairs, trainingMs, ...spec } = options;
  return startEmulatorChild(
    {
      ...spec,
      keyPairs: keyPairs ?? EMULATOR_DEFAULTS.keyPairs,
      trainingMs: trainingMs ?? EMULATOR_DEFAULTS.trainingMs,
    },
    { logFile: logFile ?? (logDir && path.join(logDir, 'emulator.log')), cpuProfileDir },
  );
}

export async function startStack<T extends RunningTemporal>(options: StackOptions<T>): Promise<Stack<T>> {
  const logger = options.logger ?? silentLogger;
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const { logDir, cpuProfileDir } = options;
  if (logDir) await mkdir(logDir, { recursive: true });

  let temporal: T | undefined;
  let emulator: StackEmulator | undefined;
  let ownConnection: Connection | undefined;
  let ownNativeConnection: Promise<NativeConnection> | undefined;
  const receivers: StackReceiver[] = [];
  const inProcessWorkers = new Set<InProcessWorker>();
  const workerChildren = new Set<WorkerChild>();

  const step = async (part: string, stop: () => Promise<unknown>): Promise<void> => {
    try {
      await stop();
    } catch (error) {
      logger.warn('stopping a stack part failed', { part, error });
    }
  };
  const close = async (): Promise<void> => {
    for (const worker of [...inProcessWorkers]) await step('worker', () => worker.stop());
    await Promise.all([...workerChildren].map((child) => step('worker process', () => child.shutdown())));
    workerChildren.clear();
    const nativeConnection = ownNativeConnection;
    ownNativeConnection = undefined;
    if (nativeConnection) await step('worker connection', async () => (await nativeConnection).close());
    for (const receiver of receivers.splice(0).reverse()) await step('callback receiver', () => receiver.close());
    if (ownConnection) await step('client connection', () => ownConnection?.close() ?? Promise.resolve());
    ownConnection = undefined;
    if (emulator) await step('emulator', () => emulator?.close() ?? Promise.resolve());
    emulator = undefined;
    if (temporal) await step('temporal', () => temporal?.stop() ?? Promise.resolve());
    temporal = undefined;
  };

  try {
    const server = await options.temporal(logger);
    temporal = server;
    const emulatorOptions = options.emulator ?? {};
    const running = await startStackEmulator(emulatorOptions, logDir, cpuProfileDir);
    emulator = running;
    const credentials = running.credentials;
    // Children get ICE's default timeouts; the stack's own client may be given shorter ones (tests).
    const iceConfig: IceClientConfig = { ...loadIceClientConfig({}), endpoint: running.url, credentials };
    const ice = createIceClient({ ...iceConfig, ...options.iceTimeouts }, { logger });

    let client = server.client;
    if (!client) {
      ownConnection = await Connection.connect({ address: server.address });
      client = new Client({ connection: ownConnection, namespace: server.namespace });
    }

    let callbackUrl: string | undefined;
    let callbackAuthKey: string | undefined;
    const receiverPlan = options.receivers;
    if (receiverPlan && receiverPlan.count > 0) {
      callbackAuthKey = generateCallbackAuthKey();
      if (receiverPlan.count > 1 && !receiverPlan.publicUrl) {
        throw new Error('several receivers need the URL of the load balancer in front of them (receivers.publicUrl)');
      }
      // The signed string contains the public URL, so a lone receiver's port must be known before it starts.
      const firstPort = receiverPlan.count === 1 ? await concretePort(receiverPlan.port ?? 0) : await freePort();
      callbackUrl = receiverPlan.publicUrl ?? localCallbackUrl(firstPort);
      for (let index = 0; index < receiverPlan.count; index++) {
        const port = index === 0 ? firstPort : await freePort();
        const settings = { port, authKey: callbackAuthKey, publicUrl: receiverPlan.publicUrl };
        if (receiverPlan.process === 'child') {
          const child = await startReceiverChild(
            { ...settings, address: server.address, namespace: server.namespace, ice: iceConfig },
            { logFile: logDir && path.join(logDir, `receiver-${index + 1}.log`), cpuProfileDir },
          );
          receivers.push({
            callbackUrl: child.callbackUrl,
            pid: child.pid,
            inProcess: undefined,
            metrics: () => child.metrics(),
            close: () => child.close(),
            kill: () => child.kill(),
          });
        } else {
          const receiver = await startSignedReceiver({
            ...settings,
            client,
            ice,
            taskQueue,
            logger: logger.child({ component: 'callback-receiver' }),
          });
          receivers.push({
            callbackUrl: receiver.callbackUrl,
            pid: undefined,
            inProcess: receiver,
            metrics: () => Promise.resolve(receiver.metrics()),
            close: () => receiver.close(),
            kill: () => Promise.reject(new Error('a receiver in this process cannot be killed; run it as a child')),
          });
        }
      }
      await pointIceCallbackAt(ice, callbackUrl, callbackAuthKey);
    }

    const nativeConnection = (): Promise<NativeConnection> => {
      if (server.nativeConnection) return Promise.resolve(server.nativeConnection);
      ownNativeConnection ??= NativeConnection.connect({ address: server.address });
      return ownNativeConnection;
    };
    const startWorker = async (workerOptions: InProcessWorkerOptions = {}): Promise<InProcessWorker> => {
      const worker = await createVoiceCloneWorker({
        connection: await nativeConnection(),
        namespace: server.namespace,
        taskQueue: workerOptions.taskQueue ?? taskQueue,
        ice: workerOptions.ice ?? ice,
        ...(workerOptions.workflowBundle && { workflowBundle: workerOptions.workflowBundle }),
        ...(workerOptions.workflowsPath !== undefined && { workflowsPath: workerOptions.workflowsPath }),
        logger,
      });
      const run = worker.run();
      run.catch((error: unknown) => logger.error('worker stopped with an error', { error }));
      const handle: InProcessWorker = {
        worker,
        stop: async () => {
          if (!inProcessWorkers.delete(handle)) return;
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await run;
        },
      };
      inProcessWorkers.add(handle);
      return handle;
    };
    let forked = 0;
    const forkWorker = async (workerOptions: ChildWorkerOptions = {}): Promise<WorkerChild> => {
      const name = workerOptions.name ?? String(++forked);
      const child = await startWorkerChild(
        {
          address: server.address,
          namespace: server.namespace,
          taskQueue: workerOptions.taskQueue ?? taskQueue,
          workflowBundlePath: await workflowBundleFile(workerOptions.workflowsPath),
          ice: iceConfig,
          maxCachedWorkflows: workerOptions.maxCachedWorkflows,
          lookUpSearchAttributes: workerOptions.lookUpSearchAttributes,
        },
        { logFile: workerOptions.logFile ?? (logDir && path.join(logDir, `worker-${name}.log`)), cpuProfileDir },
      );
      workerChildren.add(child);
      void child.exited.then(() => workerChildren.delete(child));
      return child;
    };

    const plan = options.workers;
    for (let index = 0; plan && index < plan.count; index++) {
      if (plan.process === 'child') await forkWorker(plan);
      else await startWorker(plan);
    }

    return {
      temporal: server,
      client,
      get emulator() {
        if (!emulator) throw new Error('the stack is closed');
        return emulator;
      },
      restartEmulator: async (downMs = 1_000) => {
        const port = running.port;
        await emulator?.close();
        emulator = undefined;
        await new Promise((resolve) => setTimeout(resolve, downMs));
        emulator = await startStackEmulator({ ...emulatorOptions, port }, logDir, cpuProfileDir);
      },
      ice,
      credentials,
      taskQueue,
      receivers,
      callbackUrl,
      callbackAuthKey,
      startWorker,
      forkWorker,
      workers: () => [...inProcessWorkers],
      workerChildren: () => [...workerChildren],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------------------------
// npm start: the whole system on one machine
// ------------------------------------------------------------------------------------------------------------

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
  temporal: DevServerProcess;
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

/**
 * A Temporal dev server with the Web UI (child process, SQLite under the data folder; when no local CLI works, the
 * SDK's download), the ICE emulator, one callback receiver (signed callbacks, key generated per run and registered
 * with the emulator through SetEventCallback) and one worker: everything but the dev server in this process.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const logger = options.logger ?? silentLogger;
  const ports = await checkLocalStackPorts(options);
  const dataDir = path.resolve(options.tools.dataDir);
  await mkdir(dataDir, { recursive: true });
  const stack = await startStack({
    temporal: devServerProcess({
      tools: options.tools,
      port: ports.temporal,
      uiPort: ports.ui,
      dbFile: path.join(dataDir, 'temporal.db'),
      logFile: path.join(dataDir, 'temporal-server.log'),
      sdkDownloadFallback: { onProgress: options.onProgress },
    }),
    emulator: {
      port: ports.emulator,
      trainingMs: options.trainingMs ?? LOCAL_STACK_DEFAULT_TRAINING_MS,
      stateFile: path.join(dataDir, 'emulator-state.json'),
      // The key is generated for this run and set again by the next one: it stays in memory (README).
      callbackAuthKeyOnDisk: false,
      logger: logger.child({ component: 'emulator' }),
    },
    receivers: { count: 1, port: ports.callback },
    taskQueue: options.taskQueue,
    logger,
  });
  try {
    await stack.startWorker({ workflowBundle: options.workflowBundle });
  } catch (error) {
    await stack.close();
    throw error;
  }
  const { temporal } = stack;
  const receiver = stack.receivers[0]?.inProcess;
  if (!receiver) throw new Error('the local stack starts its receiver in this process');
  logger.info('local stack ready', {
    temporal: temporal.address,
    ui: temporal.uiUrl,
    emulator: stack.emulator.url,
    publicUrl: stack.callbackUrl,
  });
  return {
    temporal,
    emulator: stack.emulator,
    receiver,
    ice: stack.ice,
    client: stack.client,
    taskQueue: stack.taskQueue,
    dataDir,
    workflowUrl: (workflowId) =>
      `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
    close: () => stack.close(),
  };
}
