/**
 * Parent side of a worker child process (worker-process.ts, or a caller's own entry built on worker-child-side.ts):
 * fork it, wait until it polls, read its memory from /proc, stop it cleanly or kill it with SIGKILL.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { localStackEntry } from './child-script';
import { forkChild, type ForkOptions } from './forked-child';
import type { WorkerSpec } from './worker-process';

export type { WorkerSpec };

/** A voice-clone worker running in a child process of its own. */
export interface WorkerChild {
  readonly pid: number;
  /** The worker's identity in histories (the SDK's default: pid@hostname). */
  readonly identity: string;
  /** Current and peak resident memory in bytes, from /proc/<pid>/status (VmRSS, VmHWM). */
  memory(): { rssBytes: number; peakRssBytes: number };
  /** Highest VmRSS we sampled ourselves (sampled every `sampleMs`), in bytes. */
  sampledPeakRssBytes(): number;
  /** Running activities finish, then the process exits (SIGKILL after 30 s). */
  shutdown(): Promise<void>;
  /** SIGKILL: the worker dies as in a crash, its activities in flight left to their timeouts. */
  kill(): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
}

export interface WorkerChildOptions extends ForkOptions {
  /** How often VmRSS is sampled for sampledPeakRssBytes (default 500 ms). */
  sampleMs?: number;
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

/** The package's worker in a child process. */
export function startWorkerChild(spec: WorkerSpec, options: WorkerChildOptions = {}): Promise<WorkerChild> {
  return forkWorkerChild(localStackEntry('worker-process'), spec, options);
}

/** A worker child of any entry that runs its worker with runWorkerChild (worker-child-side.ts). */
export async function forkWorkerChild(
  entry: string,
  spec: unknown,
  options: WorkerChildOptions = {},
): Promise<WorkerChild> {
  const sampleMs = options.sampleMs ?? 500;
  const child = await forkChild(entry, spec, { logFile: options.logFile, cpuProfileDir: options.cpuProfileDir });
  const { pid, exited } = child;
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, readStatusKb(pid, 'VmRSS') * 1024);
  }, sampleMs);
  sampler.unref();
  void exited.then(() => clearInterval(sampler));

  return {
    pid,
    identity: `${pid}@${hostname()}`,
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
