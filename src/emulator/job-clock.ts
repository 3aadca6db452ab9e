/**
 * The one clock that moves every voice job through training, for all editions. A job's training states are
 * computed from its submit time and the current training time: PreTraining for the first fifth, then Training.
 * Ending a job (Success | Fail, with its callback) happens in exactly one place: `settle(now)` commits every job
 * whose training time is over, in due order. A timer calls it at the earliest due time, and every read calls it
 * before it looks, so a read can never report an ending whose callback has not been fired, and a callback never
 * fires for an ending a read would not report.
 */
import type { VoiceJobStatus } from '../ice/types';

/** Share of the training time spent in PreTraining before the job shows Training. */
export const PRE_TRAINING_SHARE = 0.2;

/** The longest delay Node's setTimeout honours; longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** What the clock needs of a job: its committed status and when it was submitted. */
export interface ClockedJob {
  jobId: string;
  /** Committed status: training jobs stay `PreTraining` here; `statusAt` tells the phase. */
  status: VoiceJobStatus;
  /** ISO time of the accepted submit. */
  submittedAt?: string;
}

export function isInTraining(job: ClockedJob): boolean {
  return job.status === 'PreTraining' || job.status === 'Training';
}

/** The status a job shows at `nowMs`. Endings are never computed here: only `settle` commits them. */
export function statusAt(job: ClockedJob, nowMs: number, trainingMs: number): VoiceJobStatus {
  if (!isInTraining(job)) return job.status;
  const elapsed = nowMs - Date.parse(job.submittedAt ?? '');
  return elapsed >= trainingMs * PRE_TRAINING_SHARE ? 'Training' : 'PreTraining';
}

export class TrainingClock<Job extends ClockedJob> {
  /** Jobs in training with their submit time in ms, in submit order: `settle` stops at the first one not due, so a
   * read costs nothing per job still training (10,000 and more in a scale run). */
  private readonly training = new Map<string, { job: Job; submittedMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly trainingMs: () => number,
    /** Commits the ending of a job whose training time is over (status, callback). */
    private readonly onDue: (job: Job) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts (or restarts, after a failed training) a job's training; call `settle` or `arm` after. */
  add(job: Job): void {
    this.training.delete(job.jobId);
    this.training.set(job.jobId, { job, submittedMs: Date.parse(job.submittedAt ?? '') });
  }

  /** Many jobs at once (a restored state file): sorted into submit order. */
  addAll(jobs: readonly Job[]): void {
    const sorted = [...jobs].sort((a, b) => Date.parse(a.submittedAt ?? '') - Date.parse(b.submittedAt ?? ''));
    for (const job of sorted) this.add(job);
  }

  /** The job no longer trains (ended by the admin API, deleted); no ending will be committed for it. */
  remove(jobId: string): void {
    this.training.delete(jobId);
  }

  clear(): void {
    this.training.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  jobs(): Job[] {
    return [...this.training.values()].map((entry) => entry.job);
  }

  /** Commits every ending that is due at `nowMs`, oldest submit first, then arms the timer for the next one. */
  settle(nowMs: number = this.now()): void {
    const trainingMs = this.trainingMs();
    for (const [jobId, { job, submittedMs }] of this.training) {
      if (submittedMs + trainingMs > nowMs) break;
      this.training.delete(jobId);
      this.onDue(job);
    }
    this.arm();
  }

  /** Points the one timer at the earliest due ending (after a submit or a changed training time). */
  arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const first = this.training.values().next();
    if (first.done) return;
    const delay = Math.max(0, first.value.submittedMs + this.trainingMs() - this.now());
    // A due time past Node's longest timer is reached in capped steps: each step settles and re-arms.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.settle();
      },
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
