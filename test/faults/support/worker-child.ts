/**
 * Parent side of bench/worker-process.ts: fork it (compiled, plain node, IPC), wait until it polls, read its memory
 * from /proc, stop it cleanly or kill it with SIGKILL. Shared by the benchmark and the fault suite.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import type { WorkerSpec } from '../../../bench/worker-process';
import { compiledScript } from './compiled-script';

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
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child: ChildProcess = fork(await compiledScript('worker-process'), [], {
    execArgv: profiling,
    env: { ...process.env, BENCH_WORKER_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
  }
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type === 'ready') {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
    void exited.then((code) => reject(new Error(`worker process exited (${code}) before ready:\n${stderrTail}`)));
  });
  const pid = child.pid ?? 0;
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, readStatusKb(pid, 'VmRSS') * 1024);
  }, sampleMs);
  sampler.unref();
  void exited.then(() => clearInterval(sampler));

  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    pid,
    exited,
    memory: () => ({
      rssBytes: readStatusKb(pid, 'VmRSS') * 1024,
      peakRssBytes: readStatusKb(pid, 'VmHWM') * 1024,
    }),
    sampledPeakRssBytes: () => Math.max(sampledPeak, readStatusKb(pid, 'VmRSS') * 1024),
    shutdown: async () => {
      if (!isRunning()) return;
      child.send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (!isRunning()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
