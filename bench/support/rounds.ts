/**
 * Repeated rounds of the throughput phases. One round of each path in a fixed order measured the order as much as
 * the package: on 2 shared cores the same 300-clone phase varied by ±15% from run to run, and whatever ran later
 * met a bigger server database. So every round runs each path once, the order rotates between rounds, the headline
 * throughput of a path is the median of its rounds, and every round's figure is kept in the report.
 */
import type { PathName, PhaseResult } from './report-types';
import { percentiles } from './stats';

/** Per-clone latencies of one round, kept so that the merged percentiles are over all clones, not averaged. */
export interface PhaseSamples {
  startToResultMs: number[];
  callbackToResultMs?: number[];
  callbackDeliveredToResultMs?: number[];
}

export interface PhaseRun {
  result: PhaseResult;
  samples: PhaseSamples;
}

const PATHS: readonly PathName[] = ['baseline', 'callback', 'poll'];

/** Round r runs the paths rotated by r: baseline first, then callback first, then poll first, and again. */
export function roundOrder(round: number): PathName[] {
  return PATHS.map((_, index) => PATHS[(index + round) % PATHS.length]);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;
const round1 = (value: number): number => Math.round(value * 10) / 10;

function sumBy(results: readonly PhaseResult[], pick: (result: PhaseResult) => number): number {
  return results.reduce((sum, result) => sum + pick(result), 0);
}

function mergeCounts(counts: readonly (Record<string, number> | undefined)[]): Record<string, number> | undefined {
  if (counts.every((count) => count === undefined)) return undefined;
  const merged: Record<string, number> = {};
  for (const count of counts)
    for (const [key, value] of Object.entries(count ?? {})) merged[key] = (merged[key] ?? 0) + value;
  return merged;
}

function pooled(runs: readonly PhaseRun[], pick: (samples: PhaseSamples) => number[] | undefined) {
  const all = runs.map((run) => pick(run.samples));
  return all.every((values) => values === undefined) ? undefined : percentiles(all.flatMap((values) => values ?? []));
}

/**
 * One path's rounds as one phase: clones and outcomes summed, throughput the median round, latencies pooled over
 * every clone, ICE calls per clone weighted by clones, peak memory the highest, CPU seconds the mean per round.
 */
export function mergeRounds(runs: readonly PhaseRun[]): PhaseResult {
  const results = runs.map((run) => run.result);
  const first = results[0];
  const clones = sumBy(results, (result) => result.clones);
  const events = results.map((result) => result.historyEvents);
  const sampled = events.reduce((sum, event) => sum + event.sampled, 0);
  const iceCalls = mergeCounts(
    results.map((result) =>
      result.iceCallsPerClone
        ? Object.fromEntries(
            Object.entries(result.iceCallsPerClone).map(([op, perClone]) => [op, perClone * result.clones]),
          )
        : undefined,
    ),
  );
  const startToResultMs = pooled(runs, (samples) => samples.startToResultMs);
  const callbackToResultMs = pooled(runs, (samples) => samples.callbackToResultMs);
  const callbackDeliveredToResultMs = pooled(runs, (samples) => samples.callbackDeliveredToResultMs);
  const completedVia = mergeCounts(results.map((result) => result.completedVia));
  const cpu = results.map((result) => result.cpuSeconds).filter((value) => value !== undefined);
  const steady = results.map((result) => result.steadyThroughputPerSec).filter((value) => value !== undefined);
  return {
    path: first.path,
    ...(first.load !== undefined && { load: first.load }),
    clones,
    completedCorrectly: sumBy(results, (result) => result.completedCorrectly),
    wallMs: sumBy(results, (result) => result.wallMs),
    throughputPerSec: round2(median(results.map((result) => result.throughputPerSec))),
    ...(results.length > 1 && { roundThroughputsPerSec: results.map((result) => result.throughputPerSec) }),
    ...(steady.length === results.length && {
      steadyThroughputPerSec: round2(median(steady)),
      ...(results.length > 1 && { roundSteadyThroughputsPerSec: steady }),
      completedAtMs: results.flatMap((result) => result.completedAtMs ?? []),
    }),
    startToResultMs: startToResultMs ?? percentiles([]),
    ...(callbackToResultMs && { callbackToResultMs }),
    ...(callbackDeliveredToResultMs && { callbackDeliveredToResultMs }),
    historyEvents: {
      sampled,
      min: Math.min(...events.map((event) => event.min)),
      max: Math.max(...events.map((event) => event.max)),
      mean: round1(events.reduce((sum, event) => sum + event.mean * event.sampled, 0) / Math.max(1, sampled)),
    },
    ...(iceCalls && {
      iceCallsPerClone: Object.fromEntries(Object.entries(iceCalls).map(([op, total]) => [op, round2(total / clones)])),
    }),
    ...(completedVia && { completedVia }),
    ...(results.some((result) => result.stragglers) && {
      stragglers: results.flatMap((result) => result.stragglers ?? []),
    }),
    ...(results.some((result) => result.slowCallbacks) && {
      slowCallbacks: results.flatMap((result) => result.slowCallbacks ?? []),
    }),
    workerPeakRssMiB: Math.max(...results.map((result) => result.workerPeakRssMiB)),
    ...(cpu.length > 0 && {
      cpuSeconds: {
        server: round1(cpu.reduce((sum, value) => sum + value.server, 0) / cpu.length),
        worker: round1(cpu.reduce((sum, value) => sum + value.worker, 0) / cpu.length),
        emulator: round1(cpu.reduce((sum, value) => sum + value.emulator, 0) / cpu.length),
        receiver: round1(cpu.reduce((sum, value) => sum + value.receiver, 0) / cpu.length),
        benchProcess: round1(cpu.reduce((sum, value) => sum + value.benchProcess, 0) / cpu.length),
      },
    }),
  };
}
