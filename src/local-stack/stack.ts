/**
 * The one way to start the system: a Temporal server (temporal-server.ts, test-servers.ts), the ICE emulator,
 * 0..N callback receivers or 0..N queue consumers (callback-queue.ts), and 0..N workers, each part in this process or in a child process of its own, as the
 * caller chooses. `npm start` (startLocalStack below), the tests, the fault suite and the benchmark all start
 * through startStack. `close()` stops everything in reverse order and leaves no process behind.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { VersioningBehavior, WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, type Worker, type WorkerPlugin, type WorkflowBundleOption } from '@temporalio/worker';
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
import type { IceCallRateLimits } from '../ice/rate-limiter';
import { silentLogger, type Logger } from '../observability/logger';
import { createVoiceCloneWorker } from '../worker';
import { generateCallbackAuthKey } from './auth-key';
import {
  LOCAL_STACK_CALLBACK_QUEUE,
  newCallbackQueueName,
  pointIceCallbackAtQueue,
  startQueueConsumer,
  type StackConsumer,
  type StackConsumerOptions,
} from './callback-queue';
import { startEmulatorChild, type EmulatorSpec } from './emulator-child';
import { assertPortsFree, concretePort, freePort } from './ports';
import { startReceiverChild } from './receiver-child';
import { localCallbackUrl, pointIceCallbackAt, startSignedReceiver } from './signed-callback-receiver';
import { devServerProcess, type DevServerProcess, type RunningTemporal, type TemporalStarter } from './temporal-server';
import { startWorkerChild, type WorkerChild } from './worker-child';
import { workflowBundleFile } from './workflow-bundle';

export type { RunningTemporal, StackConsumer, StackConsumerOptions, TemporalStarter };

/** The emulator in this process (any StartEmulatorOptions) or in a child process (the options a spec can carry). */
export type StackEmulatorOptions =
  | ({ process?: 'in-process' } & StartEmulatorOptions)
  | ({ process: 'child' } & Partial<EmulatorSpec> & { logFile?: string });

/** The stack's callback receivers: one generated auth key, set in the emulator's callback setting. */
export interface StackReceiversOptions {
  /** More than one needs `publicUrl` (start throws otherwise). */
  count: number;
  /** Where they run; default in this process. A child receiver can be killed to test its loss. */
  process?: 'in-process' | 'child';
  /** With one receiver: its port (0 or unset: a free one). */
  port?: number;
  /**
   * The URL ICE calls, which every receiver verifies signatures against: a load balancer's in front of several
   * receivers (then required). Default: the one receiver's own URL.
   */
  publicUrl?: string;
}

/** A worker in this process, on the stack's Temporal server and emulator. */
export interface InProcessWorkerOptions {
  /** Default: the stack's task queue (one worker per task queue per process). */
  taskQueue?: string;
  /** A pre-built bundle (default: the package's workflows, bundled once per process). */
  workflowBundle?: WorkflowBundleOption;
  /** Workflow module to bundle instead of the package's; ignored when `workflowBundle` is given. */
  workflowsPath?: string;
  /** Default: the stack's ICE client. */
  ice?: IceClient;
  /** Default: VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES. */
  unexpectedResponseRetries?: number;
  /** More worker plugins (createVoiceCloneWorker's `plugins`); a prebuilt bundle must hold their workflow modules. */
  plugins?: WorkerPlugin[];
  /** A versioned worker of this deployment version (docs/deploys.md); default: unversioned. */
  deployment?: WorkerDeploymentVersion;
}

/** A worker in a child process of its own: it can be killed like a crashed worker and its memory read. */
export interface ChildWorkerOptions {
  /** Default: the stack's task queue. */
  taskQueue?: string;
  /** Workflow module to bundle (once per process); default the package's workflows. */
  workflowsPath?: string;
  /** Its log: this file, else `<logDir>/worker-<name>.log` when the stack has a log folder. */
  logFile?: string;
  /** Names its log file; default a counter. */
  name?: string;
  /** Sticky cache size; default the package's. */
  maxCachedWorkflows?: number;
  /** false: the worker upserts no search attributes (default true). */
  lookUpSearchAttributes?: boolean;
  /** Task-queue-wide cap on activities per second, as VOICE_CLONE_ICE_MAX_ACTIVITIES_PER_SECOND; default none. */
  maxIceActivitiesPerSecond?: number;
  /** The worker's ICE client's own per-action limit, as ICE_MAX_CALLS_PER_SECOND(_BY_ACTION); default none. */
  iceMaxCallsPerSecond?: IceCallRateLimits;
  /** A versioned worker of this deployment version (docs/deploys.md); default: unversioned. */
  deployment?: WorkerDeploymentVersion;
  /** With `deployment`: the behaviour of workflows that declare none (default the plugin's). */
  defaultVersioningBehavior?: VersioningBehavior;
}

/** What `startStack` starts; every part but Temporal is optional. */
export interface StackOptions<T extends RunningTemporal> {
  /** Which Temporal server: `devServerProcess`, `sdkDevServer` or `timeSkippingServer`. */
  temporal: TemporalStarter<T>;
  /** Default: in this process, on a free port, with the dev key pair. */
  emulator?: StackEmulatorOptions;
  /** Default: none. */
  receivers?: StackReceiversOptions;
  /** Queue consumers started with the stack (not with `receivers`); more with startConsumer. Default: none. */
  consumers?: { count: number } & StackConsumerOptions;
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
  /** The stack's own lines (default: silent). */
  logger?: Logger;
}

/** A worker the stack runs in this process; `close()` stops it if the test did not. */
export interface InProcessWorker {
  /** The SDK worker, already running. */
  worker: Worker;
  /** Graceful shutdown: running activities finish, then the worker stops. */
  stop(): Promise<void>;
}

/** One of the stack's callback receivers, in this process or a child. */
export interface StackReceiver {
  /** The receiver's own callback URL (behind a balancer, not the one ICE calls). */
  readonly callbackUrl: string;
  /** Its process, when it runs in a child. */
  readonly pid: number | undefined;
  /** The receiver itself when it runs in this process. */
  readonly inProcess: RunningCallbackReceiver | undefined;
  /** Its counts (asked over IPC for a child). */
  metrics(): Promise<CallbackMetrics>;
  /** Graceful: in-flight callbacks finish and the backlog drains. */
  close(): Promise<void>;
  /** SIGKILL, for a receiver in a child process: its in-memory backlog dies with it. */
  kill(): Promise<void>;
}

/** The stack's ICE emulator; `pid` is set when it runs in a child process. */
export type StackEmulator = RunningEmulator & { readonly pid?: number };

/** A running stack: its parts, starters for more workers, and `close()`, which stops them all in reverse order. */
export interface Stack<T extends RunningTemporal> {
  temporal: T;
  /** A Temporal client on the stack's namespace. */
  client: Client;
  /** The current emulator (restartEmulator replaces it). */
  readonly emulator: StackEmulator;
  /** Close the emulator and start it again on the same port (and state file, if any). */
  restartEmulator(downMs?: number): Promise<void>;
  /** ICE client pointed at the emulator. */
  ice: IceClient;
  /** The emulator's key pair, which every part signs with. */
  credentials: IceCredentials;
  /** The task queue workers poll by default. */
  taskQueue: string;
  /** [] unless `receivers` was given. */
  receivers: StackReceiver[];
  /** The URL configured in ICE (signed) and its auth key, when the stack has receivers. */
  callbackUrl: string | undefined;
  /** Secret: for tests that sign callbacks themselves. */
  callbackAuthKey: string | undefined;
  /** The MNS queue ICE writes its events into, once a consumer has started (the first one makes it). */
  readonly callbackQueue: string | undefined;
  /**
   * Starts a queue consumer in this process; the first makes the stack's queue in the emulator and points ICE's
   * callback setting at it. The stack stops it on `close()` unless closed before.
   */
  startConsumer(options?: StackConsumerOptions): Promise<StackConsumer>;
  /** Consumers started and not closed yet, oldest first. */
  consumers(): StackConsumer[];
  /** Starts one more worker in this process; the stack stops it on `close()` unless stopped before. */
  startWorker(options?: InProcessWorkerOptions): Promise<InProcessWorker>;
  /** Starts one more worker in a child process of its own; shut down on `close()`. */
  forkWorker(options?: ChildWorkerOptions): Promise<WorkerChild>;
  /** Workers started and not stopped yet, oldest first. */
  workers(): InProcessWorker[];
  /** Child-process workers started and not exited yet, oldest first. */
  workerChildren(): WorkerChild[];
  /** Stops every part in reverse order (a failing stop is logged, the rest still stop); safe to call twice. */
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

/** Stops the parts in the reverse order of their start; a failing stop is logged and the others still stop. */
class ReverseCloser {
  private readonly parts: { part: string; stop: () => Promise<unknown> }[] = [];

  constructor(private readonly logger: Logger) {}

  add(part: string, stop: () => Promise<unknown>): void {
    this.parts.push({ part, stop });
  }

  async close(): Promise<void> {
    for (const { part, stop } of this.parts.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        this.logger.warn('stopping a stack part failed', { part, error });
      }
    }
  }
}

/** A receiver in a child process or in this one, behind the same face. */
function childReceiver(child: Awaited<ReturnType<typeof startReceiverChild>>): StackReceiver {
  return {
    callbackUrl: child.callbackUrl,
    pid: child.pid,
    inProcess: undefined,
    metrics: () => child.metrics(),
    close: () => child.close(),
    kill: () => child.kill(),
  };
}

function inProcessReceiver(receiver: RunningCallbackReceiver): StackReceiver {
  return {
    callbackUrl: receiver.callbackUrl,
    pid: undefined,
    inProcess: receiver,
    metrics: () => Promise.resolve(receiver.metrics()),
    close: () => receiver.close(),
    kill: () => Promise.reject(new Error('a receiver in this process cannot be killed; run it as a child')),
  };
}

/** One method per part, each registering its stop with the closer as it starts. */
class StackParts<T extends RunningTemporal> {
  readonly logger: Logger;
  readonly taskQueue: string;
  readonly closer: ReverseCloser;
  readonly receivers: StackReceiver[] = [];
  temporal!: T;
  client!: Client;
  ice!: IceClient;
  iceConfig!: IceClientConfig;
  credentials!: IceCredentials;
  emulatorPort = 0;
  callbackUrl: string | undefined;
  callbackAuthKey: string | undefined;
  callbackQueue: string | undefined;
  private current: StackEmulator | undefined;
  private readonly queueConsumers = new Set<StackConsumer>();
  private nativeConnection: Promise<NativeConnection> | undefined;
  private readonly inProcessWorkers = new Set<InProcessWorker>();
  private readonly workerChildren = new Set<WorkerChild>();
  private forked = 0;

  constructor(private readonly options: StackOptions<T>) {
    this.logger = options.logger ?? silentLogger;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.closer = new ReverseCloser(this.logger);
  }

  get emulator(): StackEmulator {
    if (!this.current) throw new Error('the stack is closed');
    return this.current;
  }

  async startTemporal(): Promise<void> {
    this.temporal = await this.options.temporal(this.logger);
    this.closer.add('temporal', () => this.temporal.stop());
  }

  async startEmulator(): Promise<void> {
    const { logDir, cpuProfileDir } = this.options;
    const running = await startStackEmulator(this.options.emulator ?? {}, logDir, cpuProfileDir);
    this.current = running;
    this.emulatorPort = running.port;
    this.credentials = running.credentials;
    this.closer.add('emulator', async () => {
      await this.current?.close();
      this.current = undefined;
    });
    // Children get ICE's default timeouts; the stack's own client may be given shorter ones (tests).
    this.iceConfig = { ...loadIceClientConfig({}), endpoint: running.url, credentials: running.credentials };
    this.ice = createIceClient({ ...this.iceConfig, ...this.options.iceTimeouts }, { logger: this.logger });
  }

  /** Close the emulator and start it again on the same port (and state file, if any). */
  async restartEmulator(downMs = 1_000): Promise<void> {
    await this.current?.close();
    this.current = undefined;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    const { logDir, cpuProfileDir } = this.options;
    const options = { ...(this.options.emulator ?? {}), port: this.emulatorPort };
    this.current = await startStackEmulator(options, logDir, cpuProfileDir);
  }

  async connectClient(): Promise<void> {
    if (this.temporal.client) {
      this.client = this.temporal.client;
      return;
    }
    const connection = await Connection.connect({ address: this.temporal.address });
    this.closer.add('client connection', () => connection.close());
    this.client = new Client({ connection, namespace: this.temporal.namespace });
  }

  async startReceivers(): Promise<void> {
    const plan = this.options.receivers;
    if (!plan || plan.count <= 0) return;
    const authKey = generateCallbackAuthKey();
    if (plan.count > 1 && !plan.publicUrl) {
      throw new Error('several receivers need the URL of the load balancer in front of them (receivers.publicUrl)');
    }
    // The signed string contains the public URL, so a lone receiver's port must be known before it starts.
    const firstPort = plan.count === 1 ? await concretePort(plan.port ?? 0) : await freePort();
    const callbackUrl = plan.publicUrl ?? localCallbackUrl(firstPort);
    for (let index = 0; index < plan.count; index++) {
      const port = index === 0 ? firstPort : await freePort();
      const receiver = await this.startReceiver(plan, index, { port, authKey, publicUrl: plan.publicUrl });
      this.receivers.push(receiver);
      this.closer.add('callback receiver', () => receiver.close());
    }
    await pointIceCallbackAt(this.ice, callbackUrl, authKey);
    this.callbackUrl = callbackUrl;
    this.callbackAuthKey = authKey;
  }

  private async startReceiver(
    plan: StackReceiversOptions,
    index: number,
    settings: { port: number; authKey: string; publicUrl: string | undefined },
  ): Promise<StackReceiver> {
    const { address, namespace } = this.temporal;
    if (plan.process === 'child') {
      const { logDir, cpuProfileDir } = this.options;
      const logFile = logDir && path.join(logDir, `receiver-${index + 1}.log`);
      const child = await startReceiverChild(
        { ...settings, address, namespace, ice: this.iceConfig },
        { logFile, cpuProfileDir },
      );
      return childReceiver(child);
    }
    const receiver = await startSignedReceiver({
      ...settings,
      client: this.client,
      ice: this.ice,
      taskQueue: this.taskQueue,
      logger: this.logger.child({ component: 'callback-receiver' }),
    });
    return inProcessReceiver(receiver);
  }

  /** Consumers stop before the client connection closes, after the workers. */
  registerConsumers(): void {
    this.closer.add('callback consumers', async () => {
      for (const consumer of [...this.queueConsumers]) await this.stopQuietly('consumer', () => consumer.close());
    });
  }

  readonly startConsumer = async (consumerOptions: StackConsumerOptions = {}): Promise<StackConsumer> => {
    if (this.options.receivers && this.options.receivers.count > 0) {
      throw new Error('a stack with callback receivers has ICE calling them: start it without `receivers`');
    }
    const access = { endpoint: this.emulator.url, credentials: this.credentials };
    if (this.callbackQueue === undefined) {
      const queueName = consumerOptions.queueName ?? newCallbackQueueName();
      await pointIceCallbackAtQueue(this.ice, access, queueName, consumerOptions.visibilityTimeoutSeconds);
      this.callbackQueue = queueName;
    }
    const started = startQueueConsumer({
      access,
      queueName: this.callbackQueue,
      client: this.client,
      ice: consumerOptions.ice ?? this.ice,
      config: consumerOptions.config,
      logger: this.logger.child({ component: 'callback-consumer' }),
    });
    const consumers = this.queueConsumers;
    const handle: StackConsumer = {
      queueName: started.queueName,
      consumer: started.consumer,
      close: async () => {
        if (consumers.delete(handle)) await started.close();
      },
    };
    consumers.add(handle);
    return handle;
  };

  async startPlannedConsumers(): Promise<void> {
    const plan = this.options.consumers;
    for (let index = 0; plan && index < plan.count; index++) await this.startConsumer(plan);
  }

  /** Workers stop before the worker connection closes: in-process ones one by one, children together. */
  registerWorkers(): void {
    this.closer.add('worker connection', async () => {
      const connection = this.nativeConnection;
      this.nativeConnection = undefined;
      if (connection) await (await connection).close();
    });
    this.closer.add('workers', async () => {
      for (const worker of [...this.inProcessWorkers]) await this.stopQuietly('worker', () => worker.stop());
      const children = [...this.workerChildren];
      this.workerChildren.clear();
      await Promise.all(children.map((child) => this.stopQuietly('worker process', () => child.shutdown())));
    });
  }

  private async stopQuietly(part: string, stop: () => Promise<void>): Promise<void> {
    try {
      await stop();
    } catch (error) {
      this.logger.warn('stopping a stack part failed', { part, error });
    }
  }

  private connectWorkers(): Promise<NativeConnection> {
    if (this.temporal.nativeConnection) return Promise.resolve(this.temporal.nativeConnection);
    this.nativeConnection ??= NativeConnection.connect({ address: this.temporal.address });
    return this.nativeConnection;
  }

  readonly startWorker = async (workerOptions: InProcessWorkerOptions = {}): Promise<InProcessWorker> => {
    const worker = await createVoiceCloneWorker({
      connection: await this.connectWorkers(),
      namespace: this.temporal.namespace,
      taskQueue: workerOptions.taskQueue ?? this.taskQueue,
      ice: workerOptions.ice ?? this.ice,
      unexpectedResponseRetries: workerOptions.unexpectedResponseRetries,
      deployment: workerOptions.deployment ?? false,
      ...(workerOptions.workflowBundle && { workflowBundle: workerOptions.workflowBundle }),
      ...(workerOptions.workflowsPath !== undefined && { workflowsPath: workerOptions.workflowsPath }),
      ...(workerOptions.plugins && { plugins: workerOptions.plugins }),
      logger: this.logger,
    });
    const run = worker.run();
    run.catch((error: unknown) => this.logger.error('worker stopped with an error', { error }));
    const workers = this.inProcessWorkers;
    const handle: InProcessWorker = {
      worker,
      stop: async () => {
        if (!workers.delete(handle)) return;
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await run;
      },
    };
    workers.add(handle);
    return handle;
  };

  readonly forkWorker = async (workerOptions: ChildWorkerOptions = {}): Promise<WorkerChild> => {
    const name = workerOptions.name ?? String(++this.forked);
    const { logDir, cpuProfileDir } = this.options;
    const child = await startWorkerChild(
      {
        address: this.temporal.address,
        namespace: this.temporal.namespace,
        taskQueue: workerOptions.taskQueue ?? this.taskQueue,
        workflowBundlePath: await workflowBundleFile(workerOptions.workflowsPath),
        ice: { ...this.iceConfig, maxCallsPerSecond: workerOptions.iceMaxCallsPerSecond },
        maxCachedWorkflows: workerOptions.maxCachedWorkflows,
        lookUpSearchAttributes: workerOptions.lookUpSearchAttributes,
        maxIceActivitiesPerSecond: workerOptions.maxIceActivitiesPerSecond,
        deployment: workerOptions.deployment,
        defaultVersioningBehavior: workerOptions.defaultVersioningBehavior,
      },
      { logFile: workerOptions.logFile ?? (logDir && path.join(logDir, `worker-${name}.log`)), cpuProfileDir },
    );
    this.workerChildren.add(child);
    void child.exited.then(() => this.workerChildren.delete(child));
    return child;
  };

  async startPlannedWorkers(): Promise<void> {
    const plan = this.options.workers;
    for (let index = 0; plan && index < plan.count; index++) {
      if (plan.process === 'child') await this.forkWorker(plan);
      else await this.startWorker(plan);
    }
  }

  toStack(): Stack<T> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the stack's emulator getter reads the current one
    const parts = this;
    return {
      temporal: this.temporal,
      client: this.client,
      get emulator() {
        return parts.emulator;
      },
      restartEmulator: (downMs) => this.restartEmulator(downMs),
      ice: this.ice,
      credentials: this.credentials,
      taskQueue: this.taskQueue,
      receivers: this.receivers,
      callbackUrl: this.callbackUrl,
      callbackAuthKey: this.callbackAuthKey,
      get callbackQueue() {
        return parts.callbackQueue;
      },
      startConsumer: this.startConsumer,
      consumers: () => [...this.queueConsumers],
      startWorker: this.startWorker,
      forkWorker: this.forkWorker,
      workers: () => [...this.inProcessWorkers],
      workerChildren: () => [...this.workerChildren],
      close: () => this.closer.close(),
    };
  }
}

/**
 * Starts Temporal, the emulator, then the receivers and workers asked for, as one stack; on a failure it closes
 * what had started and rethrows (e.g. `LocalStackError`, `TemporalBinaryUnavailableError`).
 */
export async function startStack<T extends RunningTemporal>(options: StackOptions<T>): Promise<Stack<T>> {
  if (options.logDir) await mkdir(options.logDir, { recursive: true });
  const parts = new StackParts(options);
  try {
    await parts.startTemporal();
    await parts.startEmulator();
    await parts.connectClient();
    await parts.startReceivers();
    parts.registerConsumers();
    await parts.startPlannedConsumers();
    parts.registerWorkers();
    await parts.startPlannedWorkers();
    return parts.toStack();
  } catch (error) {
    await parts.closer.close();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------------------------
// npm start: the whole system on one machine
// ------------------------------------------------------------------------------------------------------------

/** `npm start`'s ports: Temporal gRPC, its Web UI, the callback receiver, the ICE emulator. */
export const LOCAL_STACK_DEFAULT_PORTS = { temporal: 7233, ui: 8233, callback: 8787, emulator: 8788 } as const;
/** How long the local stack's emulator takes to train a voice, in milliseconds. */
export const LOCAL_STACK_DEFAULT_TRAINING_MS = 20_000;

/** How ICE's events reach the local stack: the HTTP receiver, an MNS queue and its consumer, or not at all (polling). */
export const LOCAL_STACK_CALLBACK_MODES = ['http', 'mns', 'none'] as const;
export type LocalStackCallbacks = (typeof LOCAL_STACK_CALLBACK_MODES)[number];

/** What `startLocalStack` takes; every port defaults to `LOCAL_STACK_DEFAULT_PORTS`. */
export interface LocalStackOptions {
  /** Where the Temporal CLI and the data folder are (`loadLocalToolsConfig`). */
  tools: LocalToolsConfig;
  /** 0 = a random free port. Defaults: LOCAL_STACK_DEFAULT_PORTS. */
  temporalPort?: number;
  /** Temporal Web UI port. */
  uiPort?: number;
  /** Default `http`. */
  callbacks?: LocalStackCallbacks;
  /** Callback receiver port (`http` only). */
  callbackPort?: number;
  /** ICE emulator port. */
  emulatorPort?: number;
  /** Emulated training time. Default 20 s. */
  trainingMs?: number;
  /** Default DEFAULT_TASK_QUEUE. */
  taskQueue?: string;
  /** A pre-built bundle of the package's workflows (default: bundled at start). */
  workflowBundle?: WorkflowBundleOption;
  /** The stack's lines (default: silent). */
  logger?: Logger;
  /** Lines for a person at a terminal while a first run builds or downloads the Temporal CLI. */
  onProgress?: (line: string) => void;
}

/** The running local system of `npm start`. */
export interface LocalStack {
  temporal: DevServerProcess;
  emulator: RunningEmulator;
  callbacks: LocalStackCallbacks;
  /** `http`: signed, its key registered with the emulator through SetEventCallback. */
  receiver: RunningCallbackReceiver | undefined;
  /** `mns`: the emulator's queue ICE writes its events into, which the stack's consumer reads. */
  callbackQueue: string | undefined;
  /** ICE client pointed at the emulator (dev key pair). */
  ice: IceClient;
  /** A Temporal client on the dev server's namespace. */
  client: Client;
  /** The task queue the worker polls. */
  taskQueue: string;
  /** Absolute path of the data folder holding the SQLite file and the server's log. */
  dataDir: string;
  /** The Web UI page of a workflow. */
  workflowUrl(workflowId: string): string;
  /** Stops everything in reverse order; the SQLite file stays for the next run. */
  close(): Promise<void>;
}

/** Fails with `PortInUse` (naming the port and its flag) before anything starts; returns the ports to use. */
export async function checkLocalStackPorts(
  options: Pick<LocalStackOptions, 'temporalPort' | 'uiPort' | 'callbackPort' | 'emulatorPort' | 'callbacks'>,
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
    { name: 'the ICE emulator', flag: '--emulator-port', port: ports.emulator },
    ...((options.callbacks ?? 'http') === 'http'
      ? [{ name: 'the callback receiver', flag: '--callback-port', port: ports.callback }]
      : []),
  ]);
  return ports;
}

/** `http`: one signed receiver on the callback port; `mns`: one consumer on `LOCAL_STACK_CALLBACK_QUEUE`. */
function localCallbackParts(
  callbacks: LocalStackCallbacks,
  callbackPort: number,
): Pick<StackOptions<DevServerProcess>, 'receivers' | 'consumers'> {
  if (callbacks === 'http') return { receivers: { count: 1, port: callbackPort } };
  if (callbacks === 'mns') return { consumers: { count: 1, queueName: LOCAL_STACK_CALLBACK_QUEUE } };
  return {};
}

/**
 * A Temporal dev server with the Web UI (child process, SQLite under the data folder; when no local CLI works, the
 * SDK's download), the ICE emulator, the callbacks asked for (default one receiver: signed callbacks, key generated
 * per run and registered with the emulator through SetEventCallback; or an MNS queue in the emulator and one
 * consumer on it) and one worker: everything but the dev server in this process.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const logger = options.logger ?? silentLogger;
  const callbacks = options.callbacks ?? 'http';
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
    ...localCallbackParts(callbacks, ports.callback),
    taskQueue: options.taskQueue,
    logger,
  });
  try {
    // The state file may hold an earlier run's setting: with none, ICE sends nothing anywhere.
    if (callbacks === 'none') await stack.emulator.admin.clearEventCallback();
    await stack.startWorker({ workflowBundle: options.workflowBundle });
  } catch (error) {
    await stack.close();
    throw error;
  }
  const { temporal } = stack;
  logger.info('local stack ready', {
    temporal: temporal.address,
    ui: temporal.uiUrl,
    emulator: stack.emulator.url,
    callbacks,
    publicUrl: stack.callbackUrl,
    queue: stack.callbackQueue,
  });
  return {
    temporal,
    emulator: stack.emulator,
    callbacks,
    receiver: stack.receivers[0]?.inProcess,
    callbackQueue: stack.callbackQueue,
    ice: stack.ice,
    client: stack.client,
    taskQueue: stack.taskQueue,
    dataDir,
    workflowUrl: (workflowId) =>
      `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
    close: () => stack.close(),
  };
}
