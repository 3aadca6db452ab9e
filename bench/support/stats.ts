import type { Client } from '@temporalio/client';
/** Small statistics helpers for the benchmark report. */

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (no interpolation), rounded to 0.1. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
  const timer = setTimeout(
    () => controller.abort(new DeadlineError(`${what}: deadline passed`)),
    Math.max(0, deadlineAt - Date.now()),
  );
  return client.withAbortSignal(controller.signal, run).finally(() => clearTimeout(timer));
}
