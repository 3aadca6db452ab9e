/**
 * The batch phase's figures (issue 27): what a batch under ICE's per-operation rate limit achieved, beside the loop
 * a team would otherwise write; the maths that turns the emulator's call log into them, and the targets.
 */
import type { RecordedCall } from '../../src/emulator';
import type { BatchBenchResult, BatchPathResult, TargetCheck } from './report-types';

export type { BatchBenchResult, BatchPathResult };

/** Events per second between the first and the last of `timesMs` (0 for fewer than two). */
export function ratePerSec(timesMs: readonly number[]): number {
  if (timesMs.length < 2) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const at of timesMs) {
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  return last > first ? ((timesMs.length - 1) * 1000) / (last - first) : 0;
}

/** The call log's figures for one path: accepted submits per second, every action's call rate, the throttled. */
export function callLogFigures(
  calls: readonly RecordedCall[],
): Pick<BatchPathResult, 'submitsPerSec' | 'callsPerSec' | 'throttledByAction' | 'throttled'> {
  const timesByAction = new Map<string, number[]>();
  const submits: number[] = [];
  const throttledByAction: Record<string, number> = {};
  for (const call of calls) {
    const at = Date.parse(call.at);
    const times = timesByAction.get(call.action) ?? [];
    times.push(at);
    timesByAction.set(call.action, times);
    if (call.code?.startsWith('Throttling')) throttledByAction[call.action] = (throttledByAction[call.action] ?? 0) + 1;
    if (call.action === 'SubmitCustomizedVoiceJob' && call.httpStatus === 200) submits.push(at);
  }
  const callsPerSec = Object.fromEntries(
    [...timesByAction].map(([action, times]) => [action, round2(ratePerSec(times))]),
  );
  const throttled = Object.values(throttledByAction).reduce((sum, count) => sum + count, 0);
  return { submitsPerSec: round2(ratePerSec(submits)), callsPerSec, throttledByAction, throttled };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Temporal warns at 10,240 events in one history (and ends a workflow at 51,200): a run must stay well below. */
export const HISTORY_EVENTS_WARNING = 10_240;

export function batchChecks(result: BatchBenchResult): TargetCheck[] {
  const { batch, loop, ratePerSec: limit } = result;
  const submitRatio = batch.submitsPerSec / limit;
  const mostEvents = Math.max(0, ...batch.eventsPerRun);
  const throttledBy = Object.entries(batch.throttledByAction)
    .map(([action, count]) => `${action} ${count}`)
    .join(', ');
  const checks: TargetCheck[] = [
    {
      name: 'batch: submit rate ÷ ICE limit',
      target: '≥ 0.9',
      measured:
        `${submitRatio.toFixed(2)} (${batch.submitsPerSec}/s of ${limit}/s; job reads limited to ` +
        `${result.readRatePerSec ?? limit}/s; the worker's client at the same limits)`,
      pass: submitRatio >= 0.9,
    },
    {
      name: 'batch: clones failed',
      target: '0',
      measured: `${batch.failed} of ${batch.clones}${batch.finished ? '' : ' (the batch did not finish)'}`,
      pass: batch.finished && batch.failed === 0,
    },
    {
      name: 'batch: throttling answers reaching a clone',
      target: '0',
      measured: `${batch.throttled}${throttledBy ? ` (${throttledBy})` : ''}`,
      pass: batch.throttled === 0,
    },
    {
      name: 'batch: history events per run',
      target: `bounded (< ${HISTORY_EVENTS_WARNING}, Temporal's warning)`,
      measured: `max ${mostEvents} over ${batch.eventsPerRun.length} run(s)`,
      pass: batch.finished && mostEvents < HISTORY_EVENTS_WARNING,
    },
  ];
  if (loop) {
    checks.push({
      name: 'batch ÷ loop completion time',
      target: 'reported',
      measured:
        `${(batch.completionMs / loop.completionMs).toFixed(2)} (${(batch.completionMs / 1000).toFixed(1)} s ÷ ` +
        `${(loop.completionMs / 1000).toFixed(1)} s; loop: ${loop.failed} failed, ${loop.throttled} throttling answers)`,
      pass: null,
    });
  }
  return checks;
}
