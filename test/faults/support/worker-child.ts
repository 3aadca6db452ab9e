/**
 * Parent side of bench/worker-process.ts: fork it (compiled, plain node, IPC), wait until it polls, read its memory
 * from /proc, stop it cleanly or kill it with SIGKILL. Shared by the benchmark and the fault suite.
 */
import { readFileSync } from 'node:fs';
import type { WorkerSpec } from '../../../bench/worker-process';
import { forkChild } from './forked-child';

export interface WorkerChild {
  readonly pid: number;
  /** Current and peak resident memory in bytes, from /proc/<pid>/status (VmRSS, VmHWM). */
  memory(): { rssBytes: number; peakRssBytes: number };
  /** Highest VmRSS we sampled ourselves (sampled every `sampleMs`), in bytes. */
  sampledPeakRssBytes(): number;
  shutdown(): Promise<void>;
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * `logFile`: where the worker's stdout/stderr (Temporal core warnings included) go; else only a tail is kept.
 * `cpuProfileDir`: write a V8 CPU profile of every thread there when the worker exits (the bench's --profile-workers).
 */
export async function startWorkerChild(
  spec: WorkerSpec,
  options: { logFile?: string; sampleMs?: number; cpuProfileDir?: string } = {},
): Promise<WorkerChild> {
  const sampleMs = options.sampleMs ?? 500;
  const child = await forkChild(
    'worker-process',
    { variable: 'BENCH_WORKER_SPEC', value: spec },
    { logFile: options.logFile, cpuProfileDir: options.cpuProfileDir },
  );
  const { pid, exited } = child;
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, readStatusKb(pid, 'VmRSS') * 1024);
  }, sampleMs);
  sampler.unref();
  void exited.then(() => clearInterval(sampler));

  return {
    pid,
    exited,
    memory: () => ({
      rssBytes: readStatusKb(pid, 'VmRSS') * 1024,
      peakRssBytes: readStatusKb(pid, 'VmHWM') * 1024,
    }),
    sampledPeakRssBytes: () => Math.max(sampledPeak, readStatusKb(pid, 'VmRSS') * 1024),
    shutdown: () => child.shutdown(30_000),
    kill: () => child.kill(),
  };
}
