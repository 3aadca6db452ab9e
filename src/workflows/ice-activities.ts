/** Activity proxies with the options each ICE operation needs; summaries name the operation and the voice. */
import {
  ActivityCancellationType,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { VoiceCloneActivities } from '../activities';

/** Retryable ICE errors (throttling, 5xx, network) back off from 500 ms, doubling up to 30 s. */
const ICE_RETRY_INITIAL_MS = 500;
const ICE_RETRY_MAX_MS = 30_000;
/** ICE unreachable for this long is an outage an operator must look at; the workflow fails with the last error. */
export const ICE_CALL_LIMIT_MS = 2 * 60 * 60 * 1000;

/** Final ICE errors are non-retryable failures; the others retry on this schedule. */
const ICE_RETRY: RetryPolicy = {
  initialInterval: ICE_RETRY_INITIAL_MS,
  backoffCoefficient: 2,
  maximumInterval: ICE_RETRY_MAX_MS,
};

/** One ICE request is bounded by the client's connect + read timeouts (5 s + 10 s by default). */
const iceCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: ICE_CALL_LIMIT_MS,
  retry: ICE_RETRY,
};

/**
 * Attempts of an ICE read whose starts fall within `budgetMs` on ICE_RETRY's schedule. A local activity's
 * scheduleToCloseTimeout bounds each attempt only (sdk-core starts its timer afresh for every local retry), so the
 * attempts bound the retries.
 */
export function readAttemptsWithin(budgetMs: number): number {
  let attempts = 1;
  let at = 0;
  let interval = ICE_RETRY_INITIAL_MS;
  while (at + interval < budgetMs) {
    at += interval;
    attempts++;
    interval = Math.min(interval * 2, ICE_RETRY_MAX_MS);
  }
  return attempts;
}

/** Lookups page through ListCustomizedVoiceJobs, which may take several requests. */
const iceLookup: ActivityOptions = { ...iceCall, startToCloseTimeout: '2 minutes' };

export const iceCalls = proxyActivities<VoiceCloneActivities>(iceCall);
export const iceLookups = proxyActivities<VoiceCloneActivities>(iceLookup);

/**
 * One GetCustomizedVoiceJob read (a lookup by JobId, a callback's confirmation) runs as a local activity: same
 * retry policy, but no task-queue round trip and no extra workflow task, the largest share of a callback's way to
 * the result. Reads are idempotent, so the local activity's at-least-once replay on a crash is harmless.
 * sdk-core restarts a local activity's schedule-to-close timer on every local retry, so the 2 hours bound nothing
 * here: maximumAttempts does (ICE_RETRY's back-off reaches 30 s after 7 attempts; 250 attempts ≈ ICE_CALL_LIMIT_MS).
 * Reads after submit get a tighter bound from the training deadline (await-training-result.ts).
 */
const iceRead: LocalActivityOptions = { ...iceCall, retry: { ...ICE_RETRY, maximumAttempts: 250 } };
export const iceReads = proxyLocalActivities<VoiceCloneActivities>(iceRead);

/** Asks the worker's own cache (see list-registered-search-attributes.ts): local, it costs no workflow task. */
export const temporalLookups = proxyLocalActivities<VoiceCloneActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * Polling rides on activity retries: each attempt is one GetCustomizedVoiceJob read, the retry policy is the
 * backoff, and scheduleToCloseTimeout is what is left of the training deadline. TRY_CANCEL lets a callback that
 * arrives between attempts stop the poll at once.
 */
export function pollOptions(args: {
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  remainingMs: number;
  summary: string;
}): ActivityOptions {
  return {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: args.remainingMs,
    retry: {
      initialInterval: args.pollIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: args.maxPollIntervalMs,
      // maximumAttempts left out: unlimited, the schedule-to-close deadline ends polling.
    },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    summary: args.summary,
  };
}

export function summary(operation: string, voiceId: string, detail?: string): ActivityOptions {
  return { summary: `${operation} voice=${voiceId}${detail ? ` ${detail}` : ''}` };
}
