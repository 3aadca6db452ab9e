/**
 * Live progress of a clone for humans: polls the workflow's `status` query and prints a line whenever the stage,
 * ICE's status or the counters change. Used by `start --wait` and by the local stack's demonstration clone.
 */
import type { WorkflowHandle } from '@temporalio/client';
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
  const intervalMs = options.intervalMs ?? 1_000;
  const startedAt = options.startedAt ?? Date.now();
  let stopped = false;
  let latest: VoiceCloneStatus | undefined;
  let lastKey = '';
  const loop = (async () => {
    while (!stopped) {
      try {
        const status = await handle.query(statusQuery);
        latest = status;
        // Only the parts a human cares about; elapsed time alone is not a change.
        const key = JSON.stringify([
          status.stage,
          status.lastIceStatus,
          status.jobId,
          status.detection.length,
          status.statusChecks,
          status.callbacksReceived,
          status.failure,
        ]);
        if (key !== lastKey && !stopped) {
          lastKey = key;
          onLine(formatStatusLine(status, Date.now() - startedAt));
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
