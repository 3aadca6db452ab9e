/**
 * Waiting for training to end: the callback races a timer of `callbackTimeout`; after that, polling (activity
 * retries with backoff) races further callbacks until a terminal status or `trainingTimeout`. Every callback is
 * confirmed with one GetCustomizedVoiceJob read before the workflow believes it. Only Success and Fail end the
 * wait: a status this package does not know means "not finished" (docs/ice-api.md#job-fields).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
} from '@temporalio/workflow';
import type {
  IncompleteIceAnswerDetails,
  PolledVoiceJob,
  TrainingInProgressDetails,
  VoiceJobSnapshot,
} from '../activities/types';
import { isTerminalVoiceJobStatus } from '../ice/types';
import type { CallbackInbox } from './callback-inbox';
import {
  INCOMPLETE_ICE_ANSWER_FAILURE_TYPE,
  TRAINING_IN_PROGRESS_FAILURE_TYPE,
  type CompletedVia,
  type VoiceCloneResult,
} from './definitions';
import { voiceCloneFailure } from './failures';
import { ICE_CALL_LIMIT_MS, iceCalls, iceReads, pollOptions, readAttemptsWithin, summary } from './ice-activities';
import type { VoiceCloneProgress } from './progress';
import type { ResolvedTiming } from './validation';

/** The clone's result as far as waiting knows it (the edition is the caller's). */
export type TrainingResult = Omit<VoiceCloneResult, 'edition' | 'voiceName'>;

export interface AwaitTrainingArgs {
  voiceId: string;
  jobId: string;
  timing: ResolvedTiming;
  inbox: CallbackInbox;
  progress: VoiceCloneProgress;
}

/** The args with the training deadline (workflow time), which bounds every read from here on. */
interface Awaiting extends AwaitTrainingArgs {
  trainingDeadline: number;
}

type PollRound =
  { kind: 'polled'; polled: PolledVoiceJob } | { kind: 'callback' } | { kind: 'timed-out' } | { kind: 'incomplete' };

/** A read at or after the deadline (the last one) gets this long, retries included. */
const LAST_READ_BUDGET_MS = 10_000;
export async function awaitTrainingResult(awaitArgs: AwaitTrainingArgs): Promise<TrainingResult> {
  const { jobId, timing, inbox, progress } = awaitArgs;
  const startedAt = Date.now(); // workflow time: deterministic
  const trainingDeadline = startedAt + timing.trainingTimeoutMs;
  const args: Awaiting = { ...awaitArgs, trainingDeadline };
  progress.jobKnown(jobId);
  // Standard and CosyVoice: the lookup's or the submit's read may have told the VoiceId ICE assigned.
  inbox.voiceKnown(progress.status.voiceId);
  inbox.watch(jobId, { lastStatus: () => progress.status.lastIceStatus, pollIntervalMs: timing.pollIntervalMs });

  progress.enter('AwaitingCallback');
  const callbackDeadline = startedAt + timing.callbackTimeoutMs;
  for (;;) {
    const remainingMs = callbackDeadline - Date.now();
    if (remainingMs <= 0 || !(await readDueWithin(inbox, remainingMs))) break;
    const confirmed = await confirmCallback(args);
    if (confirmed) return finish(args, confirmed, 'callback');
  }

  progress.enter('Polling');
  for (;;) {
    const remainingMs = trainingDeadline - Date.now();
    if (remainingMs <= 0) throw trainingTimedOut(args);
    const round = await pollUntilCallback(args, remainingMs);
    if (round.kind === 'polled') {
      // The poll also returns a status unknown to this package, once, so that the status shows it: poll on.
      if (isTerminalVoiceJobStatus(round.polled.job.status)) return finish(args, round.polled.job, 'poll');
      continue;
    }
    if (round.kind === 'incomplete') {
      // The poll's read came back without a Status: read again, within the bound on such answers.
      const read = await readTerminalJob(args, 'read again: the poll got no Status', 1);
      if (read) return finish(args, read, 'poll');
      continue;
    }
    if (round.kind === 'timed-out') {
      // Retries stop as soon as the next one would pass the deadline: wait for it (or a callback), read once more.
      const untilDeadline = trainingDeadline - Date.now();
      const woke = untilDeadline > 0 && (await readDueWithin(inbox, untilDeadline));
      const last = await readTerminalJob(args, woke ? 'confirm callback' : 'last read at the deadline');
      if (last) return finish(args, last, woke ? 'callback' : 'poll');
      if (Date.now() >= trainingDeadline) throw trainingTimedOut(args);
      continue;
    }
    const confirmed = await confirmCallback(args);
    if (confirmed) return finish(args, confirmed, 'callback');
  }
}

/**
 * Waits up to `timeoutMs` for a read the callbacks ask for. A routine wake-up (a callback that claims no end) is
 * due a poll interval after the last read: the timer is shortened to that moment, and restarted only when the
 * pending wake-up changes, so a storm of callbacks costs a bounded number of timers and reads.
 */
async function readDueWithin(inbox: CallbackInbox, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (inbox.readDue) return true;
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return false;
    const pending = inbox.pendingWakeUp;
    await condition(
      () => inbox.readDue || inbox.pendingWakeUp !== pending,
      Math.min(leftMs, inbox.routineReadInMs ?? leftMs),
    );
  }
}

/** Reads the job after a callback; returns it only when ICE says training has ended. */
function confirmCallback(args: Awaiting): Promise<VoiceJobSnapshot | undefined> {
  return readTerminalJob(args, 'confirm callback');
}

/**
 * One read (with its retries), bounded by the training deadline: retries of a transient error or of an answer
 * without a Status never carry the clone past it. `earlierIncompleteAnswers` count toward the bound on the latter.
 */
async function readTerminalJob(
  args: Awaiting,
  why: string,
  earlierIncompleteAnswers = 0,
): Promise<VoiceJobSnapshot | undefined> {
  const { voiceId, jobId, inbox, progress, trainingDeadline } = args;
  inbox.reading();
  const budgetMs = Math.max(trainingDeadline - Date.now(), LAST_READ_BUDGET_MS);
  const bounded = budgetMs < ICE_CALL_LIMIT_MS;
  let job: VoiceJobSnapshot;
  try {
    job = await iceReads.readVoiceCloneJob.executeWithOptions(
      {
        ...summary('GetCustomizedVoiceJob', voiceId, `job=${jobId} (${why})`),
        ...(bounded
          ? { scheduleToCloseTimeout: budgetMs, retry: { maximumAttempts: readAttemptsWithin(budgetMs) } }
          : {}),
      },
      [earlierIncompleteAnswers > 0 ? { jobId, earlierIncompleteAnswers } : { jobId }],
    );
  } catch (error) {
    // A retryable failure out of a bounded read means it ran out of attempts; a final one (UnexpectedIceResponse,
    // a 4xx) stays what it is. The deadline rules. (A local activity fails with its own failure, unwrapped.)
    if (bounded && !isCancellation(error) && !isFinal(error)) throw trainingTimedOut(args);
    throw error;
  }
  progress.addStatusChecks(1);
  progress.iceStatusRead(job);
  return isTerminalVoiceJobStatus(job.status) ? job : undefined;
}

/** One poll activity (many reads through its retries), cancelled as soon as a callback wakes the workflow. */
async function pollUntilCallback(args: Awaiting, remainingMs: number): Promise<PollRound> {
  const { voiceId, jobId, timing, inbox, progress } = args;
  // Statuses unknown to this package that the clone already shows: the poll stops only for a new one.
  const reported = progress.unknownStatuses;
  const scope = new CancellationScope();
  const pollStartedAt = Date.now();
  const poll = scope.run(() =>
    iceCalls.pollVoiceCloneJob.executeWithOptions(
      pollOptions({
        pollIntervalMs: timing.pollIntervalMs,
        maxPollIntervalMs: timing.maxPollIntervalMs,
        remainingMs,
        summary: `GetCustomizedVoiceJob voice=${voiceId} job=${jobId} (poll)`,
      }),
      [reported.length > 0 ? { jobId, reportedStatuses: [...reported] } : { jobId }],
    ),
  );
  inbox.pollStarted();
  const callback = scope.run(() => condition(() => inbox.stopsPoll));
  // The loser is cancelled below; its rejection is expected.
  poll.catch(() => undefined);
  callback.catch(() => undefined);
  try {
    const round = await Promise.race<PollRound>([
      poll.then((polled) => ({ kind: 'polled', polled })),
      callback.then(() => ({ kind: 'callback' })),
    ]);
    if (round.kind === 'polled') {
      progress.addStatusChecks(round.polled.attempt);
      progress.iceStatusRead(round.polled.job);
    } else {
      // A cancelled poll does not report its reads: count them from the retry schedule it followed.
      progress.addStatusChecks(readsScheduledWithin(Date.now() - pollStartedAt, timing));
    }
    return round;
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    const incomplete = causeDetails<IncompleteIceAnswerDetails>(error, INCOMPLETE_ICE_ANSWER_FAILURE_TYPE);
    if (incomplete) {
      progress.addStatusChecks(incomplete.attempt);
      return { kind: 'incomplete' };
    }
    if (error.retryState !== 'TIMEOUT') throw error;
    const last = causeDetails<TrainingInProgressDetails>(error, TRAINING_IN_PROGRESS_FAILURE_TYPE);
    progress.addStatusChecks(last?.attempt ?? readsScheduledWithin(Date.now() - pollStartedAt, timing));
    if (last) progress.iceStatusRead(last);
    return { kind: 'timed-out' };
  } finally {
    inbox.pollEnded();
    scope.cancel();
  }
}

function isFinal(error: unknown): boolean {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return failure instanceof ApplicationFailure && failure.nonRetryable === true;
}

/** The details of the activity's last failure when it is of this type. */
function causeDetails<T>(error: ActivityFailure, type: string): T | undefined {
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== type) return undefined;
  return cause.details?.[0] as T | undefined;
}

/** Reads a poll started within `elapsedMs`: at 0, then after pollInterval, doubling up to maxPollInterval. */
export function readsScheduledWithin(elapsedMs: number, timing: ResolvedTiming): number {
  let reads = 0;
  let at = 0;
  let interval = timing.pollIntervalMs;
  while (at <= elapsedMs) {
    reads++;
    at += interval;
    interval = Math.min(interval * 2, timing.maxPollIntervalMs);
  }
  return reads;
}

function finish(
  { voiceId, jobId, progress }: Awaiting,
  job: VoiceJobSnapshot,
  completedVia: CompletedVia,
): TrainingResult {
  if (job.status === 'Fail') {
    throw voiceCloneFailure(
      'TrainingFailed',
      `training of voice ${voiceId} (job ${jobId}) failed: ${job.message || '(ICE gave no message)'} [RequestId ${job.requestId}]`,
      { jobId, message: job.message, requestId: job.requestId },
    );
  }
  progress.enter('Succeeded');
  return {
    voiceId,
    jobId,
    status: 'Success',
    message: job.message,
    completedVia,
    statusChecks: progress.status.statusChecks,
  };
}

function trainingTimedOut({ voiceId, jobId, timing, progress }: AwaitTrainingArgs): ApplicationFailure {
  const last = progress.status.lastIceStatus ? `; last status ${progress.status.lastIceStatus}` : '';
  return voiceCloneFailure(
    'TrainingTimedOut',
    `training of voice ${voiceId} (job ${jobId}) did not end within ${timing.trainingTimeoutMs} ms${last}`,
    { jobId, lastIceStatus: progress.status.lastIceStatus },
  );
}
