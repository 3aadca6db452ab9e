/**
 * What a worker killed mid-submit left behind, read from the emulator's call log and the clones' histories: which
 * submits were in flight at the kill (ICE carried them out, the dead worker never heard the answer), and whether
 * the retries on the next worker adopted those jobs instead of submitting again.
 */
import type { temporal } from '@temporalio/proto';
import type { RecordedCall } from '../../../src/emulator';
import type { SubmittedVoiceJob } from '../../../src/activities/types';
import type { VoiceCloneEdition } from '../../../src/workflows/definitions';
import { VOICE_CLONE_EDITIONS } from '../../../src/workflows/definitions';
import { isPerformedSubmitOf, SUBMIT_ACTIVITY, type FaultClone } from './clones';
import type { FaultStack } from './fault-stack';

export interface SubmitActivityOutcome {
  /** The attempt that completed (history keeps only the last attempt's start). */
  attempt: number;
  result: SubmittedVoiceJob;
}

/** The submit activities' names (Basic's, and Standard's and CosyVoice's one). */
const SUBMIT_ACTIVITIES = new Set(Object.values(SUBMIT_ACTIVITY));

/** The completed submit activities of one history, with their attempt and decoded result. */
export function submitActivityOutcomes(history: temporal.api.history.v1.IHistory): SubmitActivityOutcome[] {
  const events = history.events ?? [];
  const submitScheduled = new Set(
    events
      .filter((event) => SUBMIT_ACTIVITIES.has(event.activityTaskScheduledEventAttributes?.activityType?.name ?? ''))
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

/**
 * The list each edition's lookup reads: Basic's by VoiceId, Standard's and CosyVoice's by VoiceName, each a
 * ListCustomizedVoiceJobs of its Type. ASSUMPTION (docs/ice-api.md#editions): CosyVoice's Type is `CosyVoice` here
 * (the fault stacks of process-faults and scale-out keep the emulator's default).
 */
const LOOKUP_TYPE: Record<VoiceCloneEdition, string> = { basic: 'Basic', standard: 'Standard', cosyvoice: 'CosyVoice' };

export interface SubmitsAtTheKill {
  /** Clones whose submit ICE carried out while no worker lived: sent by the killed worker, answer never heard. */
  inFlight: FaultClone[];
  /**
   * Of those, the clones that adopted the job on a retry (completed submit attempt > 1, `adopted: true`) and that
   * ICE saw exactly one submit for.
   */
  adopted: FaultClone[];
  /** ListCustomizedVoiceJobs calls of each edition's Type carried out after the next worker started. */
  lookupsAfterRestart: Record<VoiceCloneEdition, number>;
  /** Why an in-flight clone does not count as adopted. */
  problems: string[];
}

/** The clones a kill caught with their submit in flight: ICE carried it out after `since` (and before `until`). */
export function submitsCarriedOutBetween(
  calls: readonly RecordedCall[],
  clones: readonly FaultClone[],
  since: number,
  until = Infinity,
): FaultClone[] {
  // A call's `at` is stamped when the emulator records it, after the injected latency and the operation itself:
  // the time it was answered. A submit answered between the kill and the next worker came from the dead worker.
  return clones.filter((clone) =>
    calls.some((call) => {
      const answeredAt = Date.parse(call.at);
      return isPerformedSubmitOf(call, clone) && answeredAt > since && answeredAt < until;
    }),
  );
}

/** Each edition's count of these clones, e.g. `basic 4, standard 3, cosyvoice 3`. */
export function perEdition(clones: readonly FaultClone[]): string {
  return VOICE_CLONE_EDITIONS.map(
    (edition) => `${edition} ${clones.filter((clone) => clone.edition === edition).length}`,
  ).join(', ');
}

export async function submitsAtTheKill(
  stack: FaultStack,
  clones: readonly FaultClone[],
  window: KillWindow,
): Promise<SubmitsAtTheKill> {
  const calls: RecordedCall[] = await stack.emulator.admin.calls();
  const inFlight = submitsCarriedOutBetween(calls, clones, window.killedAt, window.nextWorkerAt);
  const lookups = calls.filter(
    (call) => call.action === 'ListCustomizedVoiceJobs' && call.performed && Date.parse(call.at) > window.nextWorkerAt,
  );
  const lookupsAfterRestart = Object.fromEntries(
    VOICE_CLONE_EDITIONS.map((edition) => [
      edition,
      lookups.filter((call) => call.params.Type === LOOKUP_TYPE[edition]).length,
    ]),
  ) as Record<VoiceCloneEdition, number>;
  const adopted: FaultClone[] = [];
  const problems: string[] = [];
  for (const clone of inFlight) {
    const submits = calls.filter((call) => isPerformedSubmitOf(call, clone)).length;
    if (submits !== 1) problems.push(`${clone.name}: ${submits} submits reached ICE`);
    const history = await stack.client.workflow.getHandle(clone.workflowId).fetchHistory();
    const outcomes = submitActivityOutcomes(history);
    const adoption = outcomes.find((outcome) => outcome.attempt > 1 && outcome.result.adopted);
    if (adoption && submits === 1) adopted.push(clone);
    else if (!adoption)
      problems.push(
        `${clone.name}: submit in flight at the kill, not adopted (${JSON.stringify(outcomes.map((o) => ({ attempt: o.attempt, adopted: o.result.adopted })))})`,
      );
  }
  return { inFlight, adopted, lookupsAfterRestart, problems };
}
