/**
 * The benchmark's local stack: our own dev server child process (persisted SQLite, search attributes
 * registered), the emulator in its own process (ICE is remote), the callback receiver with auth on in its own process
 * (a service of its own in production), and ICE's event callback pointed at it.
 * Workers are not part of it: each phase forks its own so that its memory is measured alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadLocalToolsConfig, type IceCredentials } from '../../src/config';
import { createIceClient } from '../../src/ice/client';
import type { IceClient } from '../../src/ice/types';
import type { FaultConfig } from '../../src/emulator/admin-api';
import { resolveTemporalCli } from '../../src/local-stack/temporal-binaries';
import { silentLogger } from '../../src/observability/logger';
import { startDevServerProcess, type DevServerProcess } from '../../test/faults/support/dev-server-process';
import { startWorkerChild, type WorkerChild } from '../../test/faults/support/worker-child';
import type { WorkerSpec } from '../worker-process';
import { benchIceClientConfig } from './bench-ice-client';
import { bundleToFile } from './bundle';
import { startEmulatorChild, type EmulatorChild } from './emulator-child';
import { startReceiverChild, type ReceiverChild } from './receiver-child';

export const BENCH_TASK_QUEUE = 'voice-clone-bench';

export interface BenchStack {
  dir: string;
  /** Worker logs, kept after the run (the stack's own folder is removed). */
  logDir: string;
  server: DevServerProcess;
  connection: Connection;
  client: Client;
  emulator: EmulatorChild;
  ice: IceClient;
  receiver: ReceiverChild;
  credentials: IceCredentials;
  packageBundlePath: string;
  baselineBundlePath: string;
  /** A package worker in its own process on the bench task queue; its log goes to `<logDir>/worker-<name>.log`. */
  startPackageWorker(name: string): Promise<WorkerChild>;
  /** A baseline worker in its own process on `taskQueue`, with the same cache, profiling and log folder. */
  startBaselineWorker(taskQueue: string, trainerUrl: string): Promise<WorkerChild>;
  close(): Promise<void>;
}

/** ICE wants auth keys of letters and digits with upper, lower case and a digit. */
export async function startBenchStack(options: {
  trainingMs: number;
  faults?: FaultConfig;
  maxCachedWorkflows?: number;
  cpuProfileDir?: string;
  withoutSearchAttributes?: boolean;
}): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-bench-'));
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-bench-logs-'));
  const cliPath = await resolveTemporalCli(loadLocalToolsConfig(), silentLogger, { allowSdkDownload: false });
  if (!cliPath) throw new Error('no Temporal CLI: run `npm test` once or set TEMPORAL_CLI_PATH');
  const credentials: IceCredentials = {
    accessKeyId: 'LTAIBenchKey0001',
    accessKeySecret: `BenchSecret${randomBytes(12).toString('hex')}`,
  };
  const [server, emulator, packageBundlePath, baselineBundlePath] = await Promise.all([
    // The server's log goes with the worker logs, which outlive the run: it is what explains a server that failed.
    startDevServerProcess({
      cliPath,
      dbFile: path.join(dir, 'temporal.sqlite'),
      logFile: path.join(logDir, 'dev-server.log'),
    }),
    startEmulatorChild(
      { keyPairs: [credentials], trainingMs: options.trainingMs, faults: options.faults },
      { logFile: path.join(logDir, 'emulator.log'), cpuProfileDir: options.cpuProfileDir },
    ),
    bundleToFile(require.resolve('../../src/workflows'), dir, 'package'),
    bundleToFile(require.resolve('../baseline-workflows'), dir, 'baseline'),
  ]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const ice = createIceClient(benchIceClientConfig(emulator.url, credentials));
  const receiver = await startReceiverChild(
    { address: server.address, namespace: server.namespace, iceEndpoint: emulator.url, iceCredentials: credentials },
    { logFile: path.join(logDir, 'receiver.log'), cpuProfileDir: options.cpuProfileDir },
  );
  /** Every bench worker: this server, the bench's cache size and profiling, its log in `logDir`. */
  const startWorker = (
    name: string,
    spec: Omit<WorkerSpec, 'address' | 'namespace' | 'maxCachedWorkflows'>,
  ): Promise<WorkerChild> =>
    startWorkerChild(
      { ...spec, address: server.address, namespace: server.namespace, maxCachedWorkflows: options.maxCachedWorkflows },
      { logFile: path.join(logDir, `worker-${name}.log`), cpuProfileDir: options.cpuProfileDir },
    );
  return {
    dir,
    logDir,
    server,
    connection,
    client,
    emulator,
    ice,
    receiver,
    credentials,
    packageBundlePath,
    baselineBundlePath,
    startPackageWorker: (name) =>
      startWorker(name, {
        mode: 'package',
        taskQueue: BENCH_TASK_QUEUE,
        workflowBundlePath: packageBundlePath,
        iceEndpoint: emulator.url,
        iceCredentials: credentials,
        ...(options.withoutSearchAttributes && { lookUpSearchAttributes: false }),
      }),
    startBaselineWorker: (taskQueue, trainerUrl) =>
      startWorker('baseline', {
        mode: 'baseline',
        taskQueue,
        workflowBundlePath: baselineBundlePath,
        baselineTrainerUrl: trainerUrl,
      }),
    close: async () => {
      await receiver.close();
      await emulator.close();
      await connection.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
