/**
 * Waiting for training to end: the callback races a timer of `callbackTimeout`; after that, polling (activity
 * retries with backoff) races further callbacks until a terminal status or `trainingTimeout`. Every callback is
 * confirmed with one GetCustomizedVoiceJob read before the workflow believes it.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
} from '@temporalio/workflow';
import type { PolledVoiceJob, TrainingInProgressDetails, VoiceJobSnapshot } from '../activities/types';
import type { CallbackInbox } from './callback-inbox';
import { TRAINING_IN_PROGRESS_FAILURE_TYPE, type CompletedVia, type VoiceCloneResult } from './definitions';
import { voiceCloneFailure } from './failures';
import { iceCalls, iceReads, pollOptions, summary } from './ice-activities';
import type { VoiceCloneProgress } from './progress';
import type { ResolvedTiming } from './validation';

export interface AwaitTrainingArgs {
  voiceId: string;
  jobId: string;
  timing: ResolvedTiming;
  inbox: CallbackInbox;
  progress: VoiceCloneProgress;
}

type PollRound = { kind: 'polled'; polled: PolledVoiceJob } | { kind: 'callback' } | { kind: 'timed-out' };

export async function awaitTrainingResult(args: AwaitTrainingArgs): Promise<VoiceCloneResult> {
  const { jobId, timing, inbox, progress } = args;
  const startedAt = Date.now(); // workflow time: deterministic
  const trainingDeadline = startedAt + timing.trainingTimeoutMs;
  progress.jobKnown(jobId);
  inbox.watch(jobId);

  progress.enter('AwaitingCallback');
  const callbackDeadline = startedAt + timing.callbackTimeoutMs;
  for (;;) {
    const remainingMs = callbackDeadline - Date.now();
    if (remainingMs <= 0 || !(await condition(() => inbox.hasWakeUp, remainingMs))) break;
    const confirmed = await confirmCallback(args);
    if (confirmed) return finish(args, confirmed, 'callback');
  }

  progress.enter('Polling');
  for (;;) {
    const remainingMs = trainingDeadline - Date.now();
    if (remainingMs <= 0) throw trainingTimedOut(args);
    const round = await pollUntilCallback(args, remainingMs);
    if (round.kind === 'polled') return finish(args, round.polled.job, 'poll');
    if (round.kind === 'timed-out') {
      // Retries stop as soon as the next one would pass the deadline: wait for it (or a callback), read once more.
      const untilDeadline = trainingDeadline - Date.now();
      const woke = untilDeadline > 0 && (await condition(() => inbox.hasWakeUp, untilDeadline));
      const last = await readTerminalJob(args, woke ? 'confirm callback' : 'last read at the deadline');
      if (last) return finish(args, last, woke ? 'callback' : 'poll');
      if (Date.now() >= trainingDeadline) throw trainingTimedOut(args);
      continue;
    }
    const confirmed = await confirmCallback(args);
    if (confirmed) return finish(args, confirmed, 'callback');
  }
}

/** Reads the job after a callback; returns it only when ICE says training has ended. */
function confirmCallback(args: AwaitTrainingArgs): Promise<VoiceJobSnapshot | undefined> {
  return readTerminalJob(args, 'confirm callback');
}

async function readTerminalJob(
  { voiceId, jobId, inbox, progress }: AwaitTrainingArgs,
  why: string,
): Promise<VoiceJobSnapshot | undefined> {
  inbox.takeWakeUp();
  const job = await iceReads.readVoiceCloneJob.executeWithOptions(
    summary('GetCustomizedVoiceJob', voiceId, `job=${jobId} (${why})`),
    [{ jobId }],
  );
  progress.addStatusChecks(1);
  progress.iceStatusRead(job);
  return job.status === 'Success' || job.status === 'Fail' ? job : undefined;
}

/** One poll activity (many reads through its retries), cancelled as soon as a callback wakes the workflow. */
async function pollUntilCallback(args: AwaitTrainingArgs, remainingMs: number): Promise<PollRound> {
  const { voiceId, jobId, timing, inbox, progress } = args;
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
      [{ jobId }],
    ),
  );
  const callback = scope.run(() => condition(() => inbox.hasWakeUp));
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
    if (isCancellation(error) || !(error instanceof ActivityFailure) || error.retryState !== 'TIMEOUT') throw error;
    const last = lastInProgress(error);
    progress.addStatusChecks(last?.attempt ?? readsScheduledWithin(Date.now() - pollStartedAt, timing));
    if (last) progress.iceStatusRead(last);
    return { kind: 'timed-out' };
  } finally {
    scope.cancel();
  }
}

function lastInProgress(error: ActivityFailure): TrainingInProgressDetails | undefined {
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== TRAINING_IN_PROGRESS_FAILURE_TYPE) return undefined;
  return cause.details?.[0] as TrainingInProgressDetails | undefined;
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
  { voiceId, jobId, progress }: AwaitTrainingArgs,
  job: VoiceJobSnapshot,
  completedVia: CompletedVia,
): VoiceCloneResult {
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
