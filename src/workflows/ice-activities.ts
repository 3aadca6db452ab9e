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

/** Retryable ICE errors (throttling, 5xx, network) back off up to 30 s; final ones are non-retryable failures. */
const ICE_RETRY: RetryPolicy = {
  initialInterval: '500 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
};

/** One ICE request is bounded by the client's connect + read timeouts (5 s + 10 s by default). */
const iceCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  // ICE unreachable for this long is an outage an operator must look at; the workflow fails with the last error.
  scheduleToCloseTimeout: '2 hours',
  retry: ICE_RETRY,
};

/** Lookups page through ListCustomizedVoiceJobs, which may take several requests. */
const iceLookup: ActivityOptions = { ...iceCall, startToCloseTimeout: '2 minutes' };

export const iceCalls = proxyActivities<VoiceCloneActivities>(iceCall);
export const iceLookups = proxyActivities<VoiceCloneActivities>(iceLookup);

/**
 * One GetCustomizedVoiceJob read (a lookup by JobId, a callback's confirmation) runs as a local activity: same
 * retry policy, but no task-queue round trip and no extra workflow task, which was most of the time from a
 * callback to the result. Reads are idempotent, so the local activity's at-least-once replay on a crash is harmless.
 * sdk-core restarts a local activity's schedule-to-close timer on every local retry, so the 2 hours bound nothing
 * here: maximumAttempts does (ICE_RETRY's back-off reaches 30 s after 7 attempts; 250 attempts ≈ 2 hours).
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
