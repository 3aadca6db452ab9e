/**
 * The package's tests start their servers here: `startTestHarness` (a Temporal test server, the emulator, workers,
 * receivers: src/testing/harness.ts with the test servers of ./temporal.ts) or `startTestEmulator` (the emulator
 * alone). The CLI runner, the failure assertion, the timing presets and the HTTP capture target come from here too.
 * CONTRIBUTING.md shows a test written on it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main } from '../../src/cli/main';
import type { Env } from '../../src/config';
import type { StartEmulatorOptions } from '../../src/emulator';
import {
  startHarness,
  startIceHarness,
  TEST_TRAINING_MS,
  type Harness,
  type HarnessWorkerOptions,
  type IceHarness,
  type SdkTestServer,
  type StackReceiversOptions,
} from '../../src/testing';
import { devServerStarter, timeSkippingStarter, type DevServerOptions } from './temporal';

export {
  assertWorkflowFailed,
  closedPort,
  runReceiverService,
  startHttpCapture,
  startHttpServer,
  startTcpBlackHole,
  taskQueueFor,
  TEST_TIMINGS,
  TEST_TRAINING_MS,
  type CapturedRequest,
  type HttpCapture,
  type HttpCaptureOptions,
  type IceHarness,
} from '../../src/testing';

export { startCliProcess, startNodeProcess, type NodeProcess } from './cli-process';

/** Short ICE timeouts: a test that waits on a dead emulator fails in seconds, not ICE's minute. */
const TEST_ICE_TIMEOUTS = { connectTimeoutMs: 2_000, readTimeoutMs: 5_000 };

export interface TestHarnessOptions {
  /** The test (file)'s name: the task queue derives from it. */
  name?: string;
  /** Default the CLI's dev server. */
  server?: 'dev' | 'time-skipping';
  devServer?: DevServerOptions;
  /** Default: training takes TEST_TRAINING_MS.quick. */
  emulator?: StartEmulatorOptions;
  /** Start one in-process worker right away (default none). */
  worker?: boolean | HarnessWorkerOptions;
  receivers?: StackReceiversOptions;
}

export interface TestHarness extends Harness<SdkTestServer> {
  /** The SDK's environment: its client skips time on the time-skipping server. */
  readonly env: TestWorkflowEnvironment;
}

export async function startTestHarness(options: TestHarnessOptions = {}): Promise<TestHarness> {
  const harness = await startHarness({
    name: options.name,
    temporal: options.server === 'time-skipping' ? timeSkippingStarter() : devServerStarter(options.devServer),
    emulator: { trainingMs: TEST_TRAINING_MS.quick, ...options.emulator },
    receivers: options.receivers,
    iceTimeouts: TEST_ICE_TIMEOUTS,
    worker: options.worker,
  });
  return Object.defineProperty(harness, 'env', { get: () => harness.temporal.env, enumerable: true }) as TestHarness;
}

/** The emulator alone (no Temporal server), with an ICE client on it. */
export function startTestEmulator(emulator: StartEmulatorOptions = {}): Promise<IceHarness> {
  return startIceHarness({ emulator, iceTimeouts: TEST_ICE_TIMEOUTS });
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in this process with `env`, collecting what it prints. */
export async function runCli(argv: string[], env: Env): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, env, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n') });
  return { code, out, err };
}
