/**
 * What the clone workflow tests share: a real Temporal server, the real ICE emulator, the real ICE client and the
 * package's own worker (bundled once per test file), started through the one start module (src/local-stack/stack.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunningEmulator, StartEmulatorOptions } from '../../src/emulator';
import type { IceClient } from '../../src/ice/types';
import { startStack, type InProcessWorker } from '../../src/local-stack/stack';
import type { VoiceCloneStatus, VoiceCloneTiming, VoiceRecording } from '../../src/workflows/definitions';
import { statusQuery } from '../../src/workflows/definitions';
import { getWorkflowBundle, WORKFLOWS_ENTRY } from '../support/bundle';
import { devServerStarter, timeSkippingStarter, type DevServerOptions } from '../support/temporal';

export interface CloneStack {
  env: TestWorkflowEnvironment;
  client: Client;
  emulator: RunningEmulator;
  ice: IceClient;
  taskQueue: string;
  /** Starts (another) worker on the stack's task queue; the stack stops every worker it started. */
  startWorker(options?: WorkerStartOptions): Promise<RunningWorker>;
  /** Workers started and not stopped yet, oldest first. */
  workers(): RunningWorker[];
  stop(): Promise<void>;
}

export interface WorkerStartOptions {
  workflowsPath?: string;
  /** Default: the stack's task queue (only one worker per task queue per process). */
  taskQueue?: string;
}

/** A worker in the test process; `stop()` is a graceful shutdown (running activities finish). */
export type RunningWorker = InProcessWorker;

export interface CloneStackOptions {
  server?: 'dev' | 'time-skipping';
  devServer?: DevServerOptions;
  emulator?: StartEmulatorOptions;
  /** Start one worker right away (default true). */
  worker?: boolean;
}

export async function startCloneStack(options: CloneStackOptions = {}): Promise<CloneStack> {
  const stack = await startStack({
    temporal: options.server === 'time-skipping' ? timeSkippingStarter() : devServerStarter(options.devServer),
    emulator: { trainingMs: 300, ...options.emulator },
    iceTimeouts: { connectTimeoutMs: 2_000, readTimeoutMs: 5_000 },
    taskQueue: `voice-clone-test-${randomBytes(4).toString('hex')}`,
  });
  const startWorker = async (workerOptions: WorkerStartOptions = {}): Promise<RunningWorker> =>
    stack.startWorker({
      taskQueue: workerOptions.taskQueue,
      workflowBundle: await getWorkflowBundle(workerOptions.workflowsPath ?? WORKFLOWS_ENTRY),
    });
  try {
    if (options.worker !== false) await startWorker();
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    env: stack.temporal.env,
    client: stack.client,
    emulator: stack.emulator,
    ice: stack.ice,
    taskQueue: stack.taskQueue,
    startWorker,
    workers: () => stack.workers(),
    stop: () => stack.close(),
  };
}

let voiceSeq = 0;
/** A fresh VoiceId (letters and digits, ≤ 32) so that tests sharing an emulator never collide. */
export function newVoiceId(prefix = 'Voice'): string {
  voiceSeq += 1;
  return `${prefix}${voiceSeq}x${randomBytes(3).toString('hex')}`.slice(0, 32);
}

/** CreateCustomizedVoiceJob through the real client: every clone starts from a created voice. */
export async function createVoice(ice: IceClient, voiceId: string): Promise<string> {
  const created = await ice.createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
  return created.jobId;
}

/** Recordings 1..count; the ids in `failing` carry the emulator's documented "fail-detection" marker. */
export function recordings(voiceId: string, count: number, failing: number[] = []): VoiceRecording[] {
  return Array.from({ length: count }, (_, index) => {
    const audioRecordId = index + 1;
    const marker = failing.includes(audioRecordId) ? 'fail-detection-' : '';
    return {
      audioRecordId,
      recordUrl: `https://voices.oss-cn-shanghai.aliyuncs.com/${voiceId}/${marker}${audioRecordId}.wav`,
    };
  });
}

/** Short timings for the dev server: training in the emulator takes a few hundred ms. */
export const FAST_TIMING: VoiceCloneTiming = {
  callbackTimeout: '2 seconds',
  pollInterval: '200 milliseconds',
  maxPollInterval: '1 second',
  trainingTimeout: '1 minute',
};

/** Polls the workflow's `status` query until `predicate` holds (the query is the API being tested). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (status: VoiceCloneStatus) => boolean,
  timeoutMs = 20_000,
): Promise<VoiceCloneStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: VoiceCloneStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // not started yet, or no worker right now
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`status never matched within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** ICE actions the emulator received, by name. */
export async function iceCalls(emulator: RunningEmulator, voiceId?: string): Promise<string[]> {
  const calls = await emulator.admin.calls();
  return calls
    .filter(
      (call) => voiceId === undefined || call.params.VoiceId === voiceId || call.action === 'ListCustomizedVoiceJobs',
    )
    .map((call) => call.action);
}

export async function jobOf(emulator: RunningEmulator, voiceId: string) {
  const job = (await emulator.admin.jobs()).find((candidate) => candidate.voiceId === voiceId);
  if (!job) throw new Error(`emulator has no job for ${voiceId}`);
  return job;
}
