/**
 * Live progress for humans: polls a workflow's query and prints a line whenever what it shows changes. A clone's
 * `status` (stage, ICE's status, counters: `start --wait`, the local stack's demonstration clone) and a batch's
 * `batchProgress` (counts, rate, estimated time left: `batch --wait`).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { batchProgressQuery, type VoiceCloneBatchProgress } from '../workflows/batch-definitions';
import { statusQuery, type VoiceCloneStatus } from '../workflows/definitions';

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function formatStatusLine(status: VoiceCloneStatus, elapsedMs: number): string {
  const parts = [`[${formatElapsed(elapsedMs).padStart(6)}]`, status.stage.padEnd(16)];
  parts.push(`ICE ${status.lastIceStatus ?? '-'}`.padEnd(18));
  if (status.jobId) parts.push(`job ${status.jobId}`);
  if (status.detection.length > 0) {
    const passed = status.detection.filter((result) => result.pass).length;
    parts.push(`detection ${passed}/${status.detection.length} passed`);
  }
  if (status.statusChecks > 0) parts.push(`status checks ${status.statusChecks}`);
  if (status.callbacksReceived > 0) parts.push(`callbacks ${status.callbacksReceived}`);
  if (status.failure) parts.push(`— ${status.failure.type}: ${status.failure.message}`);
  return parts.join('  ').trimEnd();
}

export interface ProgressWatch {
  /** Stops polling and resolves when the last poll has ended. */
  stop(): Promise<void>;
  /** The latest status read, if any. */
  latest(): VoiceCloneStatus | undefined;
}

export function watchCloneProgress(
  handle: WorkflowHandle,
  onLine: (line: string) => void,
  options: { intervalMs?: number; startedAt?: number } = {},
): ProgressWatch {
  const startedAt = options.startedAt ?? Date.now();
  return watchQuery(
    () => handle.query(statusQuery),
    // Only the parts a human cares about; elapsed time alone is not a change.
    (status) =>
      JSON.stringify([
        status.stage,
        status.lastIceStatus,
        status.jobId,
        status.detection.length,
        status.statusChecks,
        status.callbacksReceived,
        status.failure,
      ]),
    (status) => onLine(formatStatusLine(status, Date.now() - startedAt)),
    options.intervalMs ?? 1_000,
  );
}

/** Polls `read` every `intervalMs` and calls `onChange` when `keyOf` of the answer differs from the last one's. */
function watchQuery<T>(
  read: () => Promise<T>,
  keyOf: (answer: T) => string,
  onChange: (answer: T) => void,
  intervalMs: number,
): { stop(): Promise<void>; latest(): T | undefined } {
  let stopped = false;
  let latest: T | undefined;
  let lastKey = '';
  const loop = (async () => {
    while (!stopped) {
      try {
        const answer = await read();
        latest = answer;
        const key = keyOf(answer);
        if (key !== lastKey && !stopped) {
          lastKey = key;
          onChange(answer);
        }
      } catch {
        // A query can fail while the first workflow task has not run yet or after the workflow closed;
        // progress is best effort, the result is what counts.
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
    latest: () => latest,
  };
}

/** Clones ended per second since the first reading, and the time left at that rate (undefined until one ended). */
export interface BatchPace {
  perSecond: number;
  remainingMs: number | undefined;
}

/** The pace between two readings of a batch's counts (the first one taken when watching began). */
export function batchPace(
  first: { ended: number; atMs: number },
  now: { progress: VoiceCloneBatchProgress; atMs: number },
): BatchPace {
  const ended = now.progress.succeeded + now.progress.failed;
  const seconds = (now.atMs - first.atMs) / 1000;
  const perSecond = seconds > 0 ? Math.max(0, ended - first.ended) / seconds : 0;
  const left = now.progress.total - ended;
  return { perSecond, remainingMs: perSecond > 0 ? (left / perSecond) * 1000 : left === 0 ? 0 : undefined };
}

export function formatBatchProgressLine(progress: VoiceCloneBatchProgress, pace: BatchPace, elapsedMs: number): string {
  const ended = progress.succeeded + progress.failed;
  const eta = pace.remainingMs === undefined ? 'estimating' : `~${formatElapsed(pace.remainingMs)} left`;
  return [
    `[${formatElapsed(elapsedMs).padStart(6)}]`,
    `${ended}/${progress.total} ended`,
    `succeeded ${progress.succeeded}`,
    `failed ${progress.failed}`,
    `running ${progress.running}`,
    `pending ${progress.pending}`,
    `${pace.perSecond.toFixed(2)} clones/s`,
    eta,
  ].join('  ');
}

/** Prints the batch's counts whenever they change, with the rate since watching began and the time left at it. */
export function watchBatchProgress(
  handle: WorkflowHandle,
  onLine: (line: string) => void,
  options: { intervalMs?: number; startedAt?: number } = {},
): { stop(): Promise<void>; latest(): VoiceCloneBatchProgress | undefined } {
  const startedAt = options.startedAt ?? Date.now();
  let first: { ended: number; atMs: number } | undefined;
  return watchQuery(
    () => handle.query(batchProgressQuery),
    (progress) => JSON.stringify(progress),
    (progress) => {
      const atMs = Date.now();
      first ??= { ended: progress.succeeded + progress.failed, atMs };
      onLine(formatBatchProgressLine(progress, batchPace(first, { progress, atMs }), atMs - startedAt));
    },
    options.intervalMs ?? 1_000,
  );
}
