/**
 * The benchmark's stack, a preset of the test harness (src/testing/harness.ts): our own dev server child process
 * (persisted SQLite, search attributes registered), the emulator in its own process (ICE is remote), the
 * callback receiver with auth on in its own process (a service of its own in production), and ICE's event callback
 * pointed at it. Workers are not part of it: each phase forks its own so that its memory is measured alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { CallbackMetrics } from '../../src/callback/metrics';
import type { IceCredentials } from '../../src/config';
import type { FaultConfig, RunningEmulator } from '../../src/emulator';
import type { IceClient } from '../../src/ice/types';
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

const BASELINE_WORKER_ENTRY = path.resolve(__dirname, '../baseline-worker-process.ts');

export interface BenchStack {
  dir: string;
  /** Server, emulator, receiver and worker logs, kept after the run (the stack's own folder is removed). */
  logDir: string;
  server: DevServerProcess;
  client: Client;
  emulator: RunningEmulator & { readonly pid: number };
  ice: IceClient;
  receiver: { readonly pid: number; metrics(): Promise<CallbackMetrics> };
  credentials: IceCredentials;
  /** A package worker in its own process on the bench task queue; its log goes to `<logDir>/worker-<name>.log`. */
  startPackageWorker(name: string): Promise<WorkerChild>;
  /** A baseline worker in its own process on `taskQueue`, with the same cache, profiling and log folder. */
  startBaselineWorker(taskQueue: string, trainerUrl: string): Promise<WorkerChild>;
  close(): Promise<void>;
}

function pidOf(part: string, pid: number | undefined): number {
  if (pid === undefined) throw new Error(`the bench's ${part} must run in a process of its own`);
  return pid;
}

export async function startBenchStack(options: {
  trainingMs: number;
  faults?: FaultConfig;
  maxCachedWorkflows?: number;
  cpuProfileDir?: string;
  withoutSearchAttributes?: boolean;
}): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-bench-'));
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-bench-logs-'));
  const credentials: IceCredentials = {
    accessKeyId: 'LTAIBenchKey0001',
    accessKeySecret: `BenchSecret${randomBytes(12).toString('hex')}`,
  };
  const [harness, baselineBundlePath] = await Promise.all([
    startHarness({
      // The server's log goes with the worker logs, which outlive the run: it is what explains a server that failed.
      temporal: devServerProcess({
        dbFile: path.join(dir, 'temporal.sqlite'),
        logFile: path.join(logDir, 'dev-server.log'),
      }),
      emulator: { process: 'child', keyPairs: [credentials], trainingMs: options.trainingMs, faults: options.faults },
      receivers: { count: 1, process: 'child' },
      taskQueue: BENCH_TASK_QUEUE,
      logDir,
      cpuProfileDir: options.cpuProfileDir,
    }),
    workflowBundleFile(require.resolve('../baseline-workflows')),
  ]);
  const { stack } = harness;
  const [receiver] = stack.receivers;
  if (!receiver) throw new Error('the bench stack has a receiver');
  const server = stack.temporal;
  const emulator = stack.emulator;
  return {
    dir,
    logDir,
    server,
    client: stack.client,
    emulator: { ...emulator, pid: pidOf('emulator', emulator.pid) },
    ice: stack.ice,
    receiver: { pid: pidOf('receiver', receiver.pid), metrics: () => receiver.metrics() },
    credentials,
    startPackageWorker: (name) =>
      stack.forkWorker({
        name,
        maxCachedWorkflows: options.maxCachedWorkflows,
        ...(options.withoutSearchAttributes && { lookUpSearchAttributes: false }),
      }),
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
    close: async () => {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
