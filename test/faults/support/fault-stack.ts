/**
 * The fault suite's stack: our own dev server child process (restartable on its SQLite file), the emulator on a
 * fixed port (restartable on its state file), the callback receiver with auth on, and workers as child
 * processes (killable with SIGKILL). A random AccessKey secret and callback auth key per stack, so that the
 * secret search in histories means something, and a random canary of the same shape that the control clone carries
 * in its input, so that a search that cannot see into payloads fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { loadLocalToolsConfig, type IceCredentials } from '../../../src/config';
import { createIceClient } from '../../../src/ice/client';
import type { IceClient } from '../../../src/ice/types';
import { startEmulator, type CallbackTiming, type FaultConfig, type RunningEmulator } from '../../../src/emulator';
import type { RunningCallbackReceiver } from '../../../src/callback/server';
import { startSignedCallbackReceiver } from '../../../src/local-stack/signed-callback-receiver';
import { resolveTemporalCli } from '../../../src/local-stack/temporal-binaries';
import { silentLogger } from '../../../src/observability/logger';
import { freePort, startDevServerProcess, type DevServerProcess } from './dev-server-process';
import { startWorkerChild, type WorkerChild } from './worker-child';

export const FAULT_TASK_QUEUE = 'voice-clone-faults';

export interface FaultStackOptions {
  trainingMs: number;
  faults?: FaultConfig;
  /** Persist the emulator's state so that it can be restarted. */
  emulatorStateFile?: boolean;
  callbackTiming?: Partial<CallbackTiming>;
}

export interface FaultStack {
  server: DevServerProcess;
  client: Client;
  emulator: RunningEmulator;
  ice: IceClient;
  receiver: RunningCallbackReceiver;
  credentials: IceCredentials;
  callbackAuthKey: string;
  /** Planted in the control clone's input (see clones.ts): the secret search must find it there. */
  canary: string;
  /** The callback URL as configured in ICE (part of the signature). */
  callbackUrl: string;
  startWorker(): Promise<WorkerChild>;
  /** Close the emulator and start it again on the same port and state file. */
  restartEmulator(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

let bundlePromise: Promise<string> | undefined;

/** One workflow bundle per test process, shared by every worker it forks. */
function workflowBundle(): Promise<string> {
  bundlePromise ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-faults-bundle-'));
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../../src/workflows'),
      logger: new DefaultLogger('WARN'),
    });
    const file = path.join(dir, 'workflows.bundle.js');
    await writeFile(file, code);
    return file;
  })();
  return bundlePromise;
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-faults-'));
  const cliPath = await resolveTemporalCli(loadLocalToolsConfig(), silentLogger, { allowSdkDownload: false });
  if (!cliPath) throw new Error('no Temporal CLI: set TEMPORAL_CLI_PATH or run through scripts/run-tests.mjs');
  const [server, bundlePath] = await Promise.all([
    startDevServerProcess({ cliPath, dbFile: path.join(dir, 'temporal.sqlite') }),
    workflowBundle(),
  ]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const credentials: IceCredentials = {
    accessKeyId: 'LTAIFaultSuiteKey01',
    accessKeySecret: `FaultSecret${randomBytes(12).toString('hex')}`,
  };
  const emulatorPort = await freePort();
  const emulatorOptions = {
    host: '127.0.0.1',
    port: emulatorPort,
    keyPairs: [credentials],
    trainingMs: options.trainingMs,
    faults: options.faults ?? {},
    logger: silentLogger,
    ...(options.emulatorStateFile ? { stateFile: path.join(dir, 'emulator-state.json') } : {}),
    ...(options.callbackTiming ? { callbackTiming: options.callbackTiming } : {}),
  };
  let emulator = await startEmulator(emulatorOptions);
  const ice = createIceClient({
    region: 'cn-shanghai',
    endpoint: emulator.url,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 5_000,
    credentials,
  });
  const {
    receiver,
    callbackUrl,
    authKey: callbackAuthKey,
  } = await startSignedCallbackReceiver({ client, ice, logger: silentLogger });
  const workers: WorkerChild[] = [];
  return {
    server,
    client,
    get emulator() {
      return emulator;
    },
    ice,
    receiver,
    credentials,
    callbackAuthKey,
    canary: `FaultCanary${randomBytes(12).toString('hex')}`,
    callbackUrl,
    startWorker: async () => {
      const worker = await startWorkerChild(
        {
          mode: 'package',
          address: server.address,
          namespace: server.namespace,
          taskQueue: FAULT_TASK_QUEUE,
          workflowBundlePath: bundlePath,
          iceEndpoint: emulator.url,
          iceCredentials: credentials,
        },
        { logFile: path.join(os.tmpdir(), `ice-voice-clone-faults-worker-${process.pid}.log`) },
      );
      workers.push(worker);
      return worker;
    },
    restartEmulator: async (downMs = 1_000) => {
      await emulator.close();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      emulator = await startEmulator(emulatorOptions);
    },
    close: async () => {
      for (const worker of workers) await worker.shutdown();
      await receiver.close();
      await emulator.close();
      await connection.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
