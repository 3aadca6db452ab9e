/**
 * The batch's visible state: the entries decided so far (earlier runs' and this run's, in the report's bounded form),
 * the counts the `batchProgress` query answers, the current details in the Web UI, and the VoiceCloneBatchProgress
 * search attribute (upserted only when registered, and only every tenth of the batch: each upsert is a history event
 * and a visibility write).
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  BATCH_REPORT_MAX_BYTES,
  type VoiceCloneBatchEntry,
  type VoiceCloneBatchProgress,
  type VoiceCloneBatchResult,
  type VoiceCloneBatchRun,
} from './batch-definitions';
import { utf8Bytes } from './batch-validation';
import { batchSearchAttributes, type SearchAttributePlan, type VoiceCloneResult } from './definitions';

/** Any failure message is cut to this many characters; the full one is in the clone's workflow. */
const MESSAGE_CHARS = 500;
/** A report over its budget cuts messages to this many characters, then to none. */
const SHORT_MESSAGE_CHARS = 80;
/** The search attribute moves in this many steps over the batch. */
const PUBLISHED_STEPS = 10;

/** How one clone ended, before it is put in the report's bounded form. */
export type CloneOutcome =
  { status: 'Succeeded'; result: VoiceCloneResult } | { status: 'Failed'; failure: { type: string; message: string } };

export class BatchReport {
  private readonly decided: (VoiceCloneBatchEntry | undefined)[];
  private running = 0;
  private succeeded = 0;
  private failed = 0;
  private registered = false;
  private publishedStep = -1;

  constructor(private readonly run: VoiceCloneBatchRun) {
    this.decided = new Array<VoiceCloneBatchEntry | undefined>(run.total).fill(undefined);
    for (const entry of run.decided) {
      this.decided[entry.index] = entry;
      this.count(entry);
    }
  }

  get total(): number {
    return this.run.total;
  }

  useSearchAttributes(plan: SearchAttributePlan | readonly string[]): void {
    const names: readonly string[] = 'names' in plan ? plan.names : plan;
    this.registered = names.includes(batchSearchAttributes.voiceCloneBatchProgress.name);
    this.publish();
  }

  started(): void {
    this.running++;
    this.publish();
  }

  /** A clone ended (`wasRunning`: it held a place in the window). */
  settled(index: number, workflowId: string, outcome: CloneOutcome, wasRunning: boolean): void {
    if (wasRunning) this.running--;
    const entry = reportEntry(index, workflowId, outcome);
    this.decided[index] = entry;
    this.count(entry);
    this.publish();
  }

  isDecided(index: number): boolean {
    return this.decided[index] !== undefined;
  }

  progress(): VoiceCloneBatchProgress {
    const { total } = this.run;
    const { running, succeeded, failed } = this;
    return { total, pending: total - running - succeeded - failed, running, succeeded, failed };
  }

  /** The entries from index 0 up to (not including) `end`, all decided, in the report's bounded form. */
  decidedBefore(end: number): VoiceCloneBatchEntry[] {
    const entries = this.decided.slice(0, end).filter((entry): entry is VoiceCloneBatchEntry => entry !== undefined);
    return withinBudget(entries, (BATCH_REPORT_MAX_BYTES * entries.length) / this.run.total);
  }

  result(): VoiceCloneBatchResult {
    const { total, succeeded, failed } = this.progress();
    return { total, succeeded, failed, clones: this.decidedBefore(total) };
  }

  private count(entry: VoiceCloneBatchEntry): void {
    if (entry.status === 'Succeeded') this.succeeded++;
    else this.failed++;
  }

  private publish(): void {
    const progress = this.progress();
    setCurrentDetails(renderDetails(progress, workflowInfo().continuedFromExecutionRunId !== undefined));
    const done = progress.succeeded + progress.failed;
    const step = Math.floor((done * PUBLISHED_STEPS) / progress.total);
    if (!this.registered || step === this.publishedStep) return;
    this.publishedStep = step;
    const value = `${done}/${progress.total} done, ${progress.failed} failed`;
    upsertSearchAttributes([{ key: batchSearchAttributes.voiceCloneBatchProgress, value }]);
  }
}

function reportEntry(index: number, workflowId: string, outcome: CloneOutcome): VoiceCloneBatchEntry {
  if (outcome.status === 'Succeeded') {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- detection stays in the clone's own result
    const { detection, ...result } = outcome.result;
    return { index, workflowId, status: 'Succeeded', result };
  }
  const { type, message } = outcome.failure;
  return { index, workflowId, status: 'Failed', failure: { type, message: cut(message, MESSAGE_CHARS) } };
}

/**
 * The entries as they are if they fit `budget` bytes of JSON; otherwise all without `result`, then with messages cut
 * short, then without messages. Each run's share of the budget grows with its entries, so that what a run carries
 * into the next (its entries and the clones still to start) stays within the larger of the input and the report.
 */
export function withinBudget(entries: VoiceCloneBatchEntry[], budget: number): VoiceCloneBatchEntry[] {
  const fits = (candidate: VoiceCloneBatchEntry[]): boolean =>
    candidate.reduce((bytes, entry) => bytes + utf8Bytes(JSON.stringify(entry)) + 1, 2) <= budget;
  if (fits(entries)) return entries;
  const withoutResults = entries.map(({ result: _result, ...entry }) => entry);
  for (const chars of [SHORT_MESSAGE_CHARS, 0]) {
    const shorter = withoutResults.map((entry) =>
      entry.failure ? { ...entry, failure: { ...entry.failure, message: cut(entry.failure.message, chars) } } : entry,
    );
    if (fits(shorter) || chars === 0) return shorter;
  }
  return withoutResults;
}

function cut(message: string, chars: number): string {
  if (chars === 0) return '';
  return message.length > chars ? `${message.slice(0, chars)}…` : message;
}

function renderDetails(progress: VoiceCloneBatchProgress, continued: boolean): string {
  const { total, pending, running, succeeded, failed } = progress;
  return [
    `**Voice clone batch** — ${succeeded + failed}/${total} done${continued ? ' (continued as new)' : ''}`,
    '', // a blank line so that the Web UI renders what follows as a list
    `- Succeeded: ${succeeded}`,
    `- Failed: ${failed}`,
    `- Running: ${running}`,
    `- Not started yet: ${pending}`,
  ].join('\n');
}
