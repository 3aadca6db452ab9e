/**
 * What a worker killed mid-submit left behind, read from the emulator's call log and the clones' histories: which
 * submits were in flight at the kill (ICE carried them out, the dead worker never heard the answer), and whether
 * the retries on the next worker adopted those jobs instead of submitting again.
 */
import type { temporal } from '@temporalio/proto';
import type { RecordedCall } from '../../../src/emulator';
import type { SubmittedVoiceJob } from '../../../src/activities/types';
import { voiceCloneWorkflowId } from '../../../src/workflows/definitions';
import type { FaultStack } from './fault-stack';

/** The activity as the worker registers it (src/activities/index.ts). */
const SUBMIT_ACTIVITY = 'submitVoiceCloneJob';

export interface SubmitActivityOutcome {
  /** The attempt that completed (history keeps only the last attempt's start). */
  attempt: number;
  result: SubmittedVoiceJob;
}

/** The completed submit activities of one history, with their attempt and decoded result. */
export function submitActivityOutcomes(history: temporal.api.history.v1.IHistory): SubmitActivityOutcome[] {
  const events = history.events ?? [];
  const submitScheduled = new Set(
    events
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === SUBMIT_ACTIVITY)
      .map((event) => String(event.eventId)),
  );
  const attempts = new Map<string, number>();
  for (const event of events) {
    const started = event.activityTaskStartedEventAttributes;
    if (started) attempts.set(String(started.scheduledEventId), started.attempt ?? 0);
  }
  const outcomes: SubmitActivityOutcome[] = [];
  for (const event of events) {
    const completed = event.activityTaskCompletedEventAttributes;
    const scheduledId = String(completed?.scheduledEventId);
    if (!completed || !submitScheduled.has(scheduledId)) continue;
    const data = completed.result?.payloads?.[0]?.data;
    if (!data) throw new Error(`submit activity ${scheduledId} completed without a result payload`);
    outcomes.push({
      attempt: attempts.get(scheduledId) ?? 0,
      result: JSON.parse(Buffer.from(data).toString('utf8')) as SubmittedVoiceJob,
    });
  }
  return outcomes;
}

export interface KillWindow {
  /** The killed worker had exited (epoch ms). */
  killedAt: number;
  /** The next worker was being started (epoch ms): until then no worker could send anything. */
  nextWorkerAt: number;
}

export interface SubmitsAtTheKill {
  /** Voices whose submit ICE carried out while no worker lived: sent by the killed worker, answer never heard. */
  inFlight: string[];
  /**
   * Of those, the voices whose clone adopted the job on a retry (completed submit attempt > 1, `adopted: true`) and
   * that ICE saw exactly one submit for.
   */
  adopted: string[];
  /** ListCustomizedVoiceJobs calls carried out after the next worker started (each retry looks the voice up). */
  lookupsAfterRestart: number;
  /** Why an in-flight voice does not count as adopted. */
  problems: string[];
}

export async function submitsAtTheKill(
  stack: FaultStack,
  voiceIds: readonly string[],
  window: KillWindow,
): Promise<SubmitsAtTheKill> {
  const wanted = new Set(voiceIds);
  const calls: RecordedCall[] = await stack.emulator.admin.calls();
  // A call's `at` is stamped when the emulator records it, after the injected latency and the operation itself:
  // the time it was answered. A submit answered between the kill and the next worker came from the dead worker.
  const answeredAt = (call: RecordedCall): number => Date.parse(call.at);
  const inFlight = calls
    .filter(
      (call) =>
        call.action === 'SubmitCustomizedVoiceJob' &&
        call.performed &&
        wanted.has(call.params.VoiceId) &&
        answeredAt(call) > window.killedAt &&
        answeredAt(call) < window.nextWorkerAt,
    )
    .map((call) => call.params.VoiceId);
  const lookupsAfterRestart = calls.filter(
    (call) => call.action === 'ListCustomizedVoiceJobs' && call.performed && answeredAt(call) > window.nextWorkerAt,
  ).length;
  const adopted: string[] = [];
  const problems: string[] = [];
  for (const voiceId of inFlight) {
    const submits = calls.filter(
      (call) => call.action === 'SubmitCustomizedVoiceJob' && call.performed && call.params.VoiceId === voiceId,
    ).length;
    if (submits !== 1) problems.push(`${voiceId}: ${submits} submits reached ICE`);
    const history = await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).fetchHistory();
    const outcomes = submitActivityOutcomes(history);
    const adoption = outcomes.find((outcome) => outcome.attempt > 1 && outcome.result.adopted);
    if (adoption && submits === 1) adopted.push(voiceId);
    else if (!adoption)
      problems.push(
        `${voiceId}: submit in flight at the kill, not adopted (${JSON.stringify(outcomes.map((o) => ({ attempt: o.attempt, adopted: o.result.adopted })))})`,
      );
  }
  return { inFlight, adopted, lookupsAfterRestart, problems };
}
