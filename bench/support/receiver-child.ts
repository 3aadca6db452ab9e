/**
 * Parent side of bench/receiver-process.ts: fork it (compiled, plain node, IPC), wait until it listens and has
 * pointed ICE's callback at itself, and read its metrics over IPC. Its pid is for the CPU count.
 */
import type { CallbackMetrics } from '../../src/callback/metrics';
import { forkChild } from '../../test/faults/support/forked-child';
import type { ReceiverSpec } from '../receiver-process';

export interface ReceiverChild {
  readonly pid: number;
  readonly callbackUrl: string;
  /** The receiver's counters and latency, cumulative since it started. */
  metrics(): Promise<CallbackMetrics>;
  close(): Promise<void>;
}

export async function startReceiverChild(
  spec: ReceiverSpec,
  options: { logFile: string; cpuProfileDir?: string },
): Promise<ReceiverChild> {
  const child = await forkChild<{ type: 'ready'; callbackUrl: string }>(
    'receiver-process',
    { variable: 'BENCH_RECEIVER_SPEC', value: spec },
    options,
  );
  return {
    pid: child.pid,
    callbackUrl: child.ready.callbackUrl,
    metrics: async () => (await child.request<{ metrics: CallbackMetrics }>({ type: 'metrics' })).metrics,
    close: () => child.shutdown(10_000),
  };
}
