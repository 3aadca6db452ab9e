/**
 * The benchmark's stack, a preset of the test harness (src/testing/harness.ts): our own dev server child process
 * (persisted SQLite, search attributes registered), the emulator in its own process (ICE is remote), the
 * callback receiver with auth on in its own process (a service of its own in production), and ICE's event callback
 * pointed at it. Workers are not part of it: each phase forks its own so that its memory is measured alone.
 * The MNS burst's stack has no receiver: ICE writes its events into the emulator's MNS queue, which a queue
 * consumer in the bench process reads (the harness runs consumers in this process only).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { CallbackConsumerMetrics } from '../../src/callback/consumer-metrics';
import type { CallbackMetrics } from '../../src/callback/metrics';
import type { IceCredentials } from '../../src/config';
import type { FaultConfig, RunningEmulator } from '../../src/emulator';
import type { IceClient } from '../../src/ice/types';
import type { IceCallRateLimits } from '../../src/ice/rate-limiter';
import { forkWorkerChild } from '../../src/local-stack/worker-child';
import {
  devServerProcess,
  startHarness,
  workflowBundleFile,
  type DevServerProcess,
  type WorkerChild,
} from '../../src/testing';
import type { BaselineWorkerSpec } from '../baseline-worker-process';

export const BENCH_TASK_QUEUE = 'voice-clone-bench';

/** How ICE's events reach the clones in a burst: ICE's HTTP callback to the receiver, or its MNS queue. */
export const BURST_CALLBACK_PATHS = ['http', 'mns'] as const;
export type BurstCallbackPath = (typeof BURST_CALLBACK_PATHS)[number];

/** Where ICE's events come in: the intake's counts, and the queue consumer's own when they come through MNS. */
export interface CallbackIntake {
  readonly path: BurstCallbackPath;
  metrics(): Promise<CallbackMetrics>;
  queueMetrics(): CallbackConsumerMetrics | undefined;
}

const BASELINE_WORKER_ENTRY = path.resolve(__dirname, '../baseline-worker-process.ts');

/** The rate settings a bench worker can be started with. */
export interface WorkerLimits {
  maxIceActivitiesPerSecond?: number;
  iceMaxCallsPerSecond?: IceCallRateLimits;
}

export interface BenchStack {
  dir: string;
  /** Server, emulator, receiver and worker logs, kept after the run (the stack's own folder is removed). */
  logDir: string;
  server: DevServerProcess;
  client: Client;
  emulator: RunningEmulator & { readonly pid: number };
  ice: IceClient;
  receiver: { readonly pid: number; metrics(): Promise<CallbackMetrics> };
  intake: CallbackIntake;
  credentials: IceCredentials;
  /**
   * A package worker in its own process on the bench task queue; its log goes to `<logDir>/worker-<name>.log`.
   * `maxIceActivitiesPerSecond`: the worker's VOICE_CLONE_ICE_MAX_ACTIVITIES_PER_SECOND (default none);
   * `iceMaxCallsPerSecond`: its ICE client's per-action limit, as ICE_MAX_CALLS_PER_SECOND(_BY_ACTION) (default none).
   */
  startPackageWorker(name: string, limits?: WorkerLimits): Promise<WorkerChild>;
  /** A baseline worker in its own process on `taskQueue`, with the same cache, profiling and log folder. */
  startBaselineWorker(taskQueue: string, trainerUrl: string): Promise<WorkerChild>;
  close(): Promise<void>;
}

/** What the scale run needs of a stack: the HTTP stack above, or the MNS burst's, which has no receiver process. */
export type BurstStack = Pick<
  BenchStack,
  'client' | 'emulator' | 'ice' | 'startPackageWorker' | 'intake' | 'logDir' | 'close'
>;

function pidOf(part: string, pid: number | undefined): number {
  if (pid === undefined) throw new Error(`the bench's ${part} must run in a process of its own`);
  return pid;
}

export interface BenchStackOptions {
  trainingMs: number;
  faults?: FaultConfig;
  maxCachedWorkflows?: number;
  cpuProfileDir?: string;
  withoutSearchAttributes?: boolean;
}

async function startBenchHarness(options: BenchStackOptions, callbacks: BurstCallbackPath) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-bench-'));
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-bench-logs-'));
  const credentials: IceCredentials = {
    accessKeyId: 'LTAIBenchKey0001',
    accessKeySecret: `BenchSecret${randomBytes(12).toString('hex')}`,
  };
  const harness = await startHarness({
    // The server's log goes with the worker logs, which outlive the run: it is what explains a server that failed.
    temporal: devServerProcess({
      dbFile: path.join(dir, 'temporal.sqlite'),
      logFile: path.join(logDir, 'dev-server.log'),
    }),
    emulator: { process: 'child', keyPairs: [credentials], trainingMs: options.trainingMs, faults: options.faults },
    ...(callbacks === 'http' && { receivers: { count: 1, process: 'child' as const } }),
    taskQueue: BENCH_TASK_QUEUE,
    logDir,
    cpuProfileDir: options.cpuProfileDir,
  });
  const { stack } = harness;
  const common = {
    dir,
    logDir,
    server: stack.temporal,
    client: stack.client,
    emulator: { ...stack.emulator, pid: pidOf('emulator', stack.emulator.pid) },
    ice: stack.ice,
    credentials,
    startPackageWorker: (name: string, limits: WorkerLimits = {}) =>
      stack.forkWorker({
        name,
        ...limits,
        maxCachedWorkflows: options.maxCachedWorkflows,
        ...(options.withoutSearchAttributes && { lookUpSearchAttributes: false }),
      }),
    close: async () => {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return { harness, common };
}

/** The stack of the timed phases and the HTTP burst: ICE calls the receiver. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const [{ harness, common }, baselineBundlePath] = await Promise.all([
    startBenchHarness(options, 'http'),
    workflowBundleFile(require.resolve('../baseline-workflows')),
  ]);
  const [receiver] = harness.stack.receivers;
  if (!receiver) throw new Error('the bench stack has a receiver');
  const { server, logDir } = common;
  return {
    ...common,
    receiver: { pid: pidOf('receiver', receiver.pid), metrics: () => receiver.metrics() },
    intake: { path: 'http', metrics: () => receiver.metrics(), queueMetrics: () => undefined },
    startBaselineWorker: (taskQueue, trainerUrl) => {
      const spec: BaselineWorkerSpec = {
        address: server.address,
        namespace: server.namespace,
        taskQueue,
        workflowBundlePath: baselineBundlePath,
        baselineTrainerUrl: trainerUrl,
        maxCachedWorkflows: options.maxCachedWorkflows,
      };
      return forkWorkerChild(BASELINE_WORKER_ENTRY, spec, {
        logFile: path.join(logDir, 'worker-baseline.log'),
        cpuProfileDir: options.cpuProfileDir,
      });
    },
  };
}

/** A burst's stack: the HTTP one, or ICE writing into an MNS queue read by one consumer with its default settings. */
export async function startBurstStack(options: BenchStackOptions, callbacks: BurstCallbackPath): Promise<BurstStack> {
  if (callbacks === 'http') return startBenchStack(options);
  const { harness, common } = await startBenchHarness(options, 'mns');
  try {
    const { consumer } = await harness.startConsumer();
    const intake: CallbackIntake = {
      path: 'mns',
      metrics: () => Promise.resolve(consumer.metrics().intake),
      queueMetrics: () => consumer.metrics().queue,
    };
    return { ...common, intake };
  } catch (error) {
    await common.close();
    throw error;
  }
}
