/**
 * The fault suite's stack, a preset of the test harness (src/testing/harness.ts): our own dev server child
 * process (restartable on its SQLite file), the emulator (restartable on its state file), callback receivers
 * with auth on, and workers as child processes (killable with SIGKILL). A random AccessKey secret per stack (the
 * auth key is the stack's, random too), so that the secret search in histories means something, and a random
 * canary of the same shape that the control clone carries in its input, so that a search that cannot see into
 * payloads fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { IceCredentials } from '../../../src/config';
import type { CallbackTiming, CosyVoiceJobType, FaultConfig, RunningEmulator } from '../../../src/emulator';
import type { IceClient } from '../../../src/ice/types';
import { callbackPath } from '../../../src/local-stack/signed-callback-receiver';
import {
  devServerProcess,
  startHarness,
  startRoundRobinProxy,
  type DevServerProcess,
  type RoundRobinProxy,
  type StackReceiver,
  type WorkerChild,
} from '../../../src/testing';

export type { WorkerChild };

export const FAULT_TASK_QUEUE = 'voice-clone-faults';

export interface FaultStackOptions {
  trainingMs: number;
  faults?: FaultConfig;
  /** Persist the emulator's state so that it can be restarted. */
  emulatorStateFile?: boolean;
  callbackTiming?: Partial<CallbackTiming>;
  /** The Type the emulator reports CosyVoice jobs as (ASSUMPTION, docs/ice-api.md#editions); default CosyVoice. */
  cosyVoiceJobType?: CosyVoiceJobType;
  /**
   * Several receivers, each in its own process (killable), behind a round-robin load balancer whose URL ICE calls.
   * Default: one receiver in this process, on its own URL.
   */
  balancedReceivers?: number;
}

export interface FaultStack {
  server: DevServerProcess;
  client: Client;
  emulator: RunningEmulator;
  ice: IceClient;
  receivers: StackReceiver[];
  /** The load balancer in front of the receivers, with balancedReceivers. */
  balancer: RoundRobinProxy | undefined;
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

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ice-voice-clone-faults-'));
  const credentials: IceCredentials = {
    accessKeyId: 'LTAIFaultSuiteKey01',
    accessKeySecret: `FaultSecret${randomBytes(12).toString('hex')}`,
  };
  const balanced = options.balancedReceivers ?? 0;
  const balancer = balanced > 0 ? await startRoundRobinProxy() : undefined;
  try {
    const harness = await startHarness({
      temporal: devServerProcess({ dbFile: path.join(dir, 'temporal.sqlite') }),
      emulator: {
        keyPairs: [credentials],
        trainingMs: options.trainingMs,
        faults: options.faults ?? {},
        ...(options.emulatorStateFile ? { stateFile: path.join(dir, 'emulator-state.json') } : {}),
        ...(options.callbackTiming ? { callbackTiming: options.callbackTiming } : {}),
        ...(options.cosyVoiceJobType ? { settings: { cosyVoiceJobType: options.cosyVoiceJobType } } : {}),
      },
      receivers:
        balanced > 0
          ? { count: balanced, process: 'child', publicUrl: `${balancer?.url}${callbackPath()}` }
          : { count: 1 },
      iceTimeouts: { connectTimeoutMs: 2_000, readTimeoutMs: 5_000 },
      taskQueue: FAULT_TASK_QUEUE,
      logDir: dir,
    });
    const { stack } = harness;
    balancer?.setUpstreams(stack.receivers.map((receiver) => receiver.callbackUrl));
    if (!stack.callbackUrl || !stack.callbackAuthKey) throw new Error('the fault stack has receivers');
    const { callbackUrl, callbackAuthKey } = stack;
    return {
      server: stack.temporal,
      client: stack.client,
      get emulator() {
        return stack.emulator;
      },
      ice: stack.ice,
      receivers: stack.receivers,
      balancer,
      credentials,
      callbackAuthKey,
      canary: `FaultCanary${randomBytes(12).toString('hex')}`,
      callbackUrl,
      startWorker: () =>
        stack.forkWorker({ logFile: path.join(os.tmpdir(), `ice-voice-clone-faults-worker-${process.pid}.log`) }),
      restartEmulator: (downMs) => stack.restartEmulator(downMs),
      close: async () => {
        await harness.close();
        await balancer?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await balancer?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
