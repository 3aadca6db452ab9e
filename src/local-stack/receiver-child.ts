/**
 * Parent side of receiver-process.ts: fork it, wait until it listens, read its metrics over IPC, stop it cleanly
 * or kill it with SIGKILL (the callbacks in its in-memory backlog die with it). Its pid is for CPU readings.
 */
import type { CallbackMetrics } from '../callback/metrics';
import { localStackEntry } from './child-script';
import { forkChild, type ForkOptions } from './forked-child';
import type { ReceiverSpec } from './receiver-process';

export type { ReceiverSpec };

export interface ReceiverChild {
  readonly pid: number;
  /** The receiver's own callback URL (behind a balancer, not the one ICE calls). */
  readonly callbackUrl: string;
  /** The receiver's counters and latency, cumulative since it started. */
  metrics(): Promise<CallbackMetrics>;
  close(): Promise<void>;
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export async function startReceiverChild(spec: ReceiverSpec, options: ForkOptions = {}): Promise<ReceiverChild> {
  const child = await forkChild<{ type: 'ready'; callbackUrl: string }>(
    localStackEntry('receiver-process'),
    spec,
    options,
  );
  return {
    pid: child.pid,
    callbackUrl: child.ready.callbackUrl,
    metrics: async () => (await child.request<{ metrics: CallbackMetrics }>({ type: 'metrics' })).metrics,
    close: () => child.shutdown(10_000),
    kill: () => child.kill(),
    exited: child.exited,
  };
}
