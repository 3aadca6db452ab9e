/**
 * The batch's visible state: the entries decided so far (earlier runs' and this run's, in the report's bounded form),
 * the counts the `batchProgress` query answers, the current details in the Web UI, and the VoiceCloneBatchProgress
 * search attribute (upserted only when registered, and only every tenth of the batch: each upsert is a history event
 * and a visibility write).
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  BATCH_FULL_REPORT_MAX,
  type VoiceCloneBatchEntry,
  type VoiceCloneBatchProgress,
  type VoiceCloneBatchResult,
  type VoiceCloneBatchRun,
} from './batch-definitions';
import { batchSearchAttributes, type SearchAttributePlan, type VoiceCloneResult } from './definitions';

/** A large batch's failure messages are cut to this many characters (the full one is in the clone's workflow). */
const SHORT_MESSAGE_CHARS = 80;
/** Any failure message is cut to this many characters. */
const MESSAGE_CHARS = 1000;
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
    const entry = boundedEntry(index, workflowId, outcome, this.run.total);
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

  /** The entries from index 0 up to (not including) `end`, all decided, for the next run. */
  decidedBefore(end: number): VoiceCloneBatchEntry[] {
    return this.decided.slice(0, end).filter((entry): entry is VoiceCloneBatchEntry => entry !== undefined);
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

/** The entry as the report carries it: bounded whatever the batch's size (BATCH_FULL_REPORT_MAX). */
function boundedEntry(index: number, workflowId: string, outcome: CloneOutcome, total: number): VoiceCloneBatchEntry {
  const full = total <= BATCH_FULL_REPORT_MAX;
  if (outcome.status === 'Succeeded') {
    if (!full) return { index, workflowId, status: 'Succeeded' };
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- detection stays in the clone's own result
    const { detection, ...result } = outcome.result;
    return { index, workflowId, status: 'Succeeded', result };
  }
  const chars = full ? MESSAGE_CHARS : SHORT_MESSAGE_CHARS;
  const { type, message } = outcome.failure;
  const cut = message.length > chars ? `${message.slice(0, chars)}…` : message;
  return { index, workflowId, status: 'Failed', failure: { type, message: cut } };
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
