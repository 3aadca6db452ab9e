/**
 * The integration-test harness: one call gives a test a Temporal server, the ICE emulator, an ICE client on it,
 * a client, a task queue named after the test, and starters for workers (in this process or in children), signed
 * callback receivers, MNS queue consumers and HTTP capture targets, all closed together in reverse order. It is a thin layer over the
 * one start module (src/local-stack/stack.ts); the package's tests, its fault suite and its benchmark are presets
 * of it. Modelled on the Temporal TypeScript SDK's own integration helpers.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { BundlerPlugin, WorkerPlugin } from '@temporalio/worker';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { startCallbackReceiver, type CallbackReceiverOptions, type RunningCallbackReceiver } from '../callback/server';
import type { Env, IceClientConfig, IceCredentials } from '../config';
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../emulator';
import { createIceClient } from '../ice/client';
import type { IceClient } from '../ice/types';
import {
  startSignedCallbackReceiver,
  type SignedCallbackReceiver,
  type SignedCallbackReceiverOptions,
} from '../local-stack/signed-callback-receiver';
import {
  startStack,
  type ChildWorkerOptions,
  type InProcessWorker,
  type RunningTemporal,
  type Stack,
  type StackConsumer,
  type StackConsumerOptions,
  type StackEmulator,
  type StackOptions,
  type StackReceiver,
} from '../local-stack/stack';
import type { WorkerChild } from '../local-stack/worker-child';
import { workflowBundle } from '../local-stack/workflow-bundle';
import type { VoiceCloneTiming } from '../workflows/definitions';
import { startHttpCapture, type HttpCapture, type HttpCaptureOptions } from './http-capture';
import { startNexusCaller, type NexusCaller, type NexusCallerOptions } from './nexus-caller';
import { runReceiverService, type ReceiverServiceOptions, type RunningReceiverService } from './receiver-service';

/** Clone timings for a dev server whose emulator trains in a few hundred ms. */
export const TEST_TIMINGS = {
  /** Wait briefly for the callback, then poll fast. */
  fast: {
    callbackTimeout: '2 seconds',
    pollInterval: '200 milliseconds',
    maxPollInterval: '1 second',
    trainingTimeout: '1 minute',
  },
  /** Give up on the callback almost at once: the poll finds the result. */
  pollSoon: {
    callbackTimeout: '500 milliseconds',
    pollInterval: '200 milliseconds',
    maxPollInterval: '1 second',
    trainingTimeout: '1 minute',
  },
  /** Long enough that only the callback can end the wait within a test. */
  byCallback: {
    callbackTimeout: '30 seconds',
    pollInterval: '200 milliseconds',
    maxPollInterval: '1 second',
    trainingTimeout: '1 minute',
  },
} as const satisfies Record<string, VoiceCloneTiming>;

/** Emulated training times. */
export const TEST_TRAINING_MS = {
  /** A clone finishes within a second. */
  quick: 300,
  /** A job stays training for the whole test. */
  endless: 60_000,
} as const;

/** A task queue of its own for a test (or a test file): its name, made safe and unique. */
export function taskQueueFor(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${slug || 'test'}-${randomBytes(4).toString('hex')}`;
}

/** A harness worker: in this process, its workflows bundled once per process and shared. */
export interface HarnessWorkerOptions {
  /** Workflow module to bundle (once per process); default the package's workflows. */
  workflowsPath?: string;
  /** Default: the harness's task queue (one worker per task queue per process). */
  taskQueue?: string;
  /** Default: the harness's ICE client. */
  ice?: IceClient;
  /** Default: VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES. */
  unexpectedResponseRetries?: number;
  /** More worker plugins (e.g. OpenTelemetryPlugin); their workflow interceptor modules go into the bundle. */
  plugins?: (WorkerPlugin & BundlerPlugin)[];
  /** A versioned worker of this deployment version (docs/deploys.md); default: unversioned. */
  deployment?: WorkerDeploymentVersion;
}

/** The stack's options (Temporal, emulator, receivers), plus a test name and an optional first worker. */
export interface HarnessOptions<T extends RunningTemporal> extends Omit<StackOptions<T>, 'workers' | 'taskQueue'> {
  /** The test's name: the task queue is derived from it. Default 'test'. */
  name?: string;
  /** A fixed task queue instead (the fault suite's, the bench's). */
  taskQueue?: string;
  /** Start one in-process worker right away (default: none). */
  worker?: boolean | HarnessWorkerOptions;
}

/** What a test of ICE alone gets: the emulator, an ICE client on it, HTTP targets, one closer. */
export interface IceHarness {
  readonly emulator: RunningEmulator;
  /** An ICE client on the emulator, signed with `credentials`. */
  readonly ice: IceClient;
  /** The emulator's key pair (secret in real life, the dev pair here). */
  readonly credentials: IceCredentials;
  /** An HTTP target that records what it gets. */
  captureHttp(options?: HttpCaptureOptions): Promise<HttpCapture>;
  /** Something else to stop when the harness closes (last added, first stopped; before the servers). */
  onClose(stop: () => Promise<unknown>): void;
  /** Stops what the test added (a failing stop is ignored), then the servers; safe to call twice. */
  close(): Promise<void>;
}

/** How to start an ICE-only harness. */
export interface IceHarnessOptions {
  /** Default: a free port, the dev key pair. */
  emulator?: StartEmulatorOptions;
  /** Timeouts of the harness's ICE client. */
  iceTimeouts?: Partial<Pick<IceClientConfig, 'connectTimeoutMs' | 'readTimeoutMs'>>;
}

/** Closers of what a test added, stopped last first, then the servers underneath. */
function closerList(closeServers: () => Promise<void>) {
  const closers: (() => Promise<unknown>)[] = [];
  return {
    onClose: (stop: () => Promise<unknown>): void => void closers.push(stop),
    close: async (): Promise<void> => {
      for (const stop of closers.splice(0).reverse()) await stop().catch(() => undefined);
      await closeServers();
    },
  };
}

/** The emulator in this process and an ICE client on it, without a Temporal server. */
export async function startIceHarness(options: IceHarnessOptions = {}): Promise<IceHarness> {
  const emulator = await startEmulator(options.emulator);
  const ice = createIceClient({
    region: 'cn-shanghai',
    endpoint: emulator.url,
    connectTimeoutMs: options.iceTimeouts?.connectTimeoutMs ?? 3_000,
    readTimeoutMs: options.iceTimeouts?.readTimeoutMs ?? 3_000,
    credentials: emulator.credentials,
  });
  const { onClose, close } = closerList(() => emulator.close());
  return {
    emulator,
    ice,
    credentials: emulator.credentials,
    captureHttp: async (captureOptions) => {
      const capture = await startHttpCapture(captureOptions);
      onClose(() => capture.close());
      return capture;
    },
    onClose,
    close,
  };
}

/** What an integration test gets: the stack's servers and clients, starters for its parts, one closer. */
export interface Harness<T extends RunningTemporal> extends IceHarness {
  /** The stack underneath, for what the harness does not wrap. */
  readonly stack: Stack<T>;
  /** The Temporal server the stack started (an SDK test server carries its `env`). */
  readonly temporal: T;
  /** A Temporal client on the stack's namespace. */
  readonly client: Client;
  /** The current emulator (restartEmulator replaces it). */
  readonly emulator: StackEmulator;
  /** Unique to the test (`taskQueueFor(name)`) unless `taskQueue` was given. */
  readonly taskQueue: string;
  /** The receivers the stack started (`receivers` option); `startReceiver` adds none here. */
  readonly receivers: StackReceiver[];
  /** An in-process worker; its workflows are bundled once per process. */
  startWorker(options?: HarnessWorkerOptions): Promise<InProcessWorker>;
  /** A worker in a child process (killable). */
  forkWorker(options?: ChildWorkerOptions): Promise<WorkerChild>;
  /** In-process workers started and not stopped yet, oldest first. */
  workers(): InProcessWorker[];
  /** A signed callback receiver on the harness's client and ICE client, with ICE told to call it. */
  startReceiver(options?: Omit<SignedCallbackReceiverOptions, 'client' | 'ice'>): Promise<SignedCallbackReceiver>;
  /**
   * A receiver with any config (a test of the receiver itself); client and ICE client default to the harness's
   * (a test that must prove ICE is not reached passes an unreachable one). ICE is told nothing.
   */
  startCallbackReceiver(
    options: Omit<CallbackReceiverOptions, 'client' | 'ice'> & Partial<Pick<CallbackReceiverOptions, 'client' | 'ice'>>,
  ): Promise<RunningCallbackReceiver>;
  /**
   * The `callback-server` service entry run from settings, stopped on close (a test of the service itself). The
   * harness fills in where its Temporal server, task queue and emulator are, and a free port; `env` adds to or
   * overrides that.
   */
  runReceiverService(env: Env, options?: ReceiverServiceOptions): Promise<RunningReceiverService>;
  /**
   * A queue consumer in this process (MNS callback mode): the first one makes a queue of its own in the emulator
   * (`stack.callbackQueue`) and points ICE's callback setting at it; later ones share that queue. Closed with the
   * harness unless closed before. Not with `receivers` (ICE calls one or the other).
   */
  startConsumer(options?: StackConsumerOptions): Promise<StackConsumer>;
  /** Stops the emulator, waits `downMs` (default 1000), starts it on the same port (and state file, if any). */
  restartEmulator(downMs?: number): Promise<void>;
  /**
   * A caller in a namespace of its own, with a Nexus endpoint that targets the harness's namespace and task queue
   * (whose workers serve the package's Nexus service) and a worker running `workflowsPath`; stopped on close.
   */
  startNexusCaller(options: NexusCallerOptions): Promise<NexusCaller>;
}

/** Starts the stack, then one worker if asked; on failure nothing is left running. */
export async function startHarness<T extends RunningTemporal>(options: HarnessOptions<T>): Promise<Harness<T>> {
  const { name, worker, ...stackOptions } = options;
  const stack = await startStack({ ...stackOptions, taskQueue: options.taskQueue ?? taskQueueFor(name ?? 'test') });
  const harness = harnessOver(stack);
  try {
    if (worker) await harness.startWorker(worker === true ? {} : worker);
  } catch (error) {
    await harness.close();
    throw error;
  }
  return harness;
}

function harnessOver<T extends RunningTemporal>(stack: Stack<T>): Harness<T> {
  const { onClose, close } = closerList(() => stack.close());
  return {
    stack,
    temporal: stack.temporal,
    client: stack.client,
    get emulator() {
      return stack.emulator;
    },
    ice: stack.ice,
    credentials: stack.credentials,
    taskQueue: stack.taskQueue,
    receivers: stack.receivers,
    startWorker: async (workerOptions = {}) =>
      stack.startWorker({
        taskQueue: workerOptions.taskQueue,
        ice: workerOptions.ice,
        unexpectedResponseRetries: workerOptions.unexpectedResponseRetries,
        workflowBundle: await workflowBundle(workerOptions.workflowsPath, workerOptions.plugins),
        plugins: workerOptions.plugins,
        deployment: workerOptions.deployment,
      }),
    forkWorker: (workerOptions) => stack.forkWorker(workerOptions),
    workers: () => stack.workers(),
    startConsumer: (consumerOptions) => stack.startConsumer(consumerOptions),
    startReceiver: async (receiverOptions = {}) => {
      const started = await startSignedCallbackReceiver({ ...receiverOptions, client: stack.client, ice: stack.ice });
      onClose(() => started.receiver.close());
      return started;
    },
    startCallbackReceiver: async (receiverOptions) => {
      const receiver = await startCallbackReceiver({ client: stack.client, ice: stack.ice, ...receiverOptions });
      onClose(() => receiver.close());
      return receiver;
    },
    captureHttp: async (captureOptions) => {
      const capture = await startHttpCapture(captureOptions);
      onClose(() => capture.close());
      return capture;
    },
    onClose,
    runReceiverService: async (env, serviceOptions) => {
      const service = await runReceiverService({ ...receiverServiceEnv(stack), ...env }, serviceOptions);
      onClose(() => service.stop());
      return service;
    },
    restartEmulator: (downMs) => stack.restartEmulator(downMs),
    startNexusCaller: async (callerOptions) => {
      const { address, namespace, nativeConnection } = stack.temporal;
      const target = { address, namespace, nativeConnection, connection: stack.client.connection };
      const caller = await startNexusCaller({ ...target, taskQueue: stack.taskQueue }, callerOptions);
      onClose(() => caller.stop());
      return caller;
    },
    close,
  };
}

/** The settings of a receiver service on the stack's servers. */
function receiverServiceEnv<T extends RunningTemporal>(stack: Stack<T>): Env {
  return {
    TEMPORAL_ADDRESS: stack.temporal.address,
    TEMPORAL_NAMESPACE: stack.temporal.namespace,
    VOICE_CLONE_TASK_QUEUE: stack.taskQueue,
    ICE_ENDPOINT: stack.emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: stack.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.credentials.accessKeySecret,
    ICE_CALLBACK_HOST: '127.0.0.1',
    ICE_CALLBACK_PORT: '0',
  };
}
