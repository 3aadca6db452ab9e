/** CPU seconds per process over a phase, so that the report can say where the time went (Linux /proc). */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports utime/stime in these ticks (100 on every mainstream kernel build). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far; NaN when it cannot be read (no /proc, process gone). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export interface PhaseCpu {
  /** Temporal dev server. */
  server: number;
  /** The phase's worker process, from the first start on (its own start-up, the same for every phase, left out). */
  worker: number;
  /** The ICE emulator's process: ICE's work, remote in production (idle in the baseline phase). */
  emulator: number;
  /** The callback receiver's process: the package's own service (idle in the baseline phase). */
  receiver: number;
  /** The bench process: clients, counting queries, and the baseline's trainer. */
  benchProcess: number;
}

/** Starts counting now; `stop()` returns the CPU each process used since. */
export function startCpuCount(pids: { server?: number; worker: number; emulator: number; receiver: number }): {
  stop(): PhaseCpu;
} {
  const serverBefore = cpuSecondsOf(pids.server);
  const workerBefore = cpuSecondsOf(pids.worker);
  const emulatorBefore = cpuSecondsOf(pids.emulator);
  const receiverBefore = cpuSecondsOf(pids.receiver);
  const benchBefore = process.cpuUsage();
  const round = (seconds: number): number => Math.round(seconds * 10) / 10;
  return {
    stop() {
      const bench = process.cpuUsage(benchBefore);
      return {
        server: round(cpuSecondsOf(pids.server) - serverBefore),
        worker: round(cpuSecondsOf(pids.worker) - workerBefore),
        emulator: round(cpuSecondsOf(pids.emulator) - emulatorBefore),
        receiver: round(cpuSecondsOf(pids.receiver) - receiverBefore),
        benchProcess: round((bench.user + bench.system) / 1e6),
      };
    },
  };
}
