/** Small statistics helpers for the benchmark report. */
import { setMaxListeners } from 'node:events';
import type { Client } from '@temporalio/client';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The p-th percentile of ascending `sorted` by nearest rank. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Nearest-rank percentiles (no interpolation), rounded to 0.1. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => nearestRank(sorted, p);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(rank(50)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}

export function toMiB(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/** Run `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** Resolve with `promise`, or reject once `deadlineAt` (epoch ms) has passed. */
export function beforeDeadline<T>(client: Client, run: () => Promise<T>, deadlineAt: number, what: string): Promise<T> {
  // Abort the RPC itself (not just stop waiting), so that nothing is left retrying on a closed connection.
  const controller = new AbortController();
  // A long wait for one result is many long polls, each listening on this signal for its own call.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(
    () => controller.abort(new DeadlineError(`${what}: deadline passed`)),
    Math.max(0, deadlineAt - Date.now()),
  );
  return client.withAbortSignal(controller.signal, run).finally(() => clearTimeout(timer));
}

/** When a phase's results came in, in ms after its first start: the 10th, 50th and 90th percentile result and the last. */
export interface CompletionTimeline {
  p10: number;
  p50: number;
  p90: number;
  last: number;
}

export function completionTimeline(resultOffsetsMs: readonly number[]): CompletionTimeline {
  const sorted = [...resultOffsetsMs].sort((a, b) => a - b);
  return {
    p10: nearestRank(sorted, 10),
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    last: sorted[sorted.length - 1],
  };
}

/**
 * Results per second between the 10th and the 90th percentile result: the rate while the phase keeps the machine
 * busy. It leaves out the start (clones still being submitted) and the drain (the last clones' own latency, when
 * the machine is no longer full), which weigh on clones ÷ (first start → last result) by a phase's length.
 */
export function steadyThroughputPerSec(clones: number, timeline: CompletionTimeline): number {
  const rate = steadyRateOver(clones, [timeline]);
  return Number.isNaN(rate) ? NaN : Math.round(rate * 100) / 100;
}

/**
 * The steady results of several rounds over the time between their 10th and 90th percentile results, summed:
 * `clones` is the rounds' total. Unrounded, for ratios.
 */
export function steadyRateOver(clones: number, timelines: readonly CompletionTimeline[]): number {
  const spanS = timelines.reduce((sum, timeline) => sum + (timeline.p90 - timeline.p10), 0) / 1000;
  return spanS > 0 ? (0.8 * clones) / spanS : NaN;
}

export interface PhaseThroughput {
  /** First start → last result. */
  wallMs: number;
  /** clones ÷ wallMs. */
  throughputPerSec: number;
  steadyThroughputPerSec: number;
  completedAtMs: CompletionTimeline[];
}

/** A phase's throughputs from when its results came in, in ms after its first start. */
export function phaseThroughput(clones: number, resultOffsetsMs: readonly number[]): PhaseThroughput {
  const timeline = completionTimeline(resultOffsetsMs);
  return {
    wallMs: timeline.last,
    throughputPerSec: Math.round((clones / (timeline.last / 1000)) * 100) / 100,
    steadyThroughputPerSec: steadyThroughputPerSec(clones, timeline),
    completedAtMs: [timeline],
  };
}
