/** Shape of bench/results/latest.json (the README quotes it). */
import type { MachineFacts } from './machine';
import type { PhaseCpu } from './cpu';
import type { CompletionTimeline, Percentiles } from './stats';

export type PathName = 'callback' | 'poll' | 'baseline';

export interface PhaseResult {
  path: PathName;
  /** 'all at once' (saturation: throughput) or 'N starts/s' (below saturation: latency). */
  load?: string;
  clones: number;
  /** Clones that ended as expected (package: Success via the expected path; baseline: completed). */
  completedCorrectly: number;
  /** Summed over rounds. */
  wallMs: number;
  /** clones ÷ (first start → last result); over several rounds, the median round (ratios: rounds.ts). */
  throughputPerSec: number;
  /** Each round's throughput, in run order (when the phase ran in more than one round). */
  roundThroughputsPerSec?: number[];
  /** Results per second between the 10th and 90th percentile result (stats.ts); over rounds, the median round. */
  steadyThroughputPerSec?: number;
  roundSteadyThroughputsPerSec?: number[];
  /** When the results came in, ms after the first start; one entry per round. */
  completedAtMs?: CompletionTimeline[];
  startToResultMs: Percentiles;
  /** Callback delivered (emulator log; baseline: signal sent) → workflow closed (server close time). */
  callbackToResultMs?: Percentiles;
  /** Callback answered 200 by the receiver (emulator log; the receiver answers after the signal) → closed. */
  callbackDeliveredToResultMs?: Percentiles;
  /**
   * The receiver's own request latency (its metrics), for the callback path. `count` is this phase's; the
   * quantiles and max are over the receiver's window of its last 10,000 callbacks, earlier phases included.
   */
  receiverLatencyMs?: { p50: number; p90: number; p99: number; max: number; count: number };
  /** Callbacks the receiver answered "queued" (kept in its backlog, signalled later) during the phase. */
  receiverBacklogged?: number;
  historyEvents: { sampled: number; min: number; max: number; mean: number };
  /** ICE calls per clone by operation during the timed window (setup calls excluded). */
  iceCallsPerClone?: Record<string, number>;
  completedVia?: Record<string, number>;
  /** Up to 5 clones that missed the deadline: what they were doing and what happened to their callbacks. */
  stragglers?: string[];
  /** Callback path: the slowest clones whose callback→result passed 10 s, step by step (slow-callbacks.ts). */
  slowCallbacks?: string[];
  workerPeakRssMiB: number;
  /** CPU seconds used during the phase by the dev server, the worker and the bench process (mean per round). */
  cpuSeconds?: PhaseCpu;
}

export interface RssSample {
  afterS: number;
  rssMiB: number;
}

export interface ScaleResult {
  /** How the burst's events reached the clones: ICE's HTTP callbacks (absent in reports before the MNS burst) or MNS. */
  callbacks?: 'http' | 'mns';
  clones: number;
  requestedClones: number;
  /** Time to start all clones and see them all waiting for their callback. */
  rampMs: number;
  /**
   * Worker RSS at the end of the settle window (every clone waiting, nothing else happening): the memory the
   * waiting clones hold once V8 has collected what the ramp left behind.
   */
  waitingWorkerRssMiB: number;
  /** RSS every 5 s of the settle window, from 5 s after the last clone started waiting. */
  waitingWorkerRssSeries?: RssSample[];
  /** VmHWM at the settled reading: the most the worker held while the clones started and settled. */
  waitingWorkerPeakRssMiB: number;
  /** From the first training finished (callbacks begin) until every clone has closed. */
  finishAllMs: number | null;
  /** Peak over the whole scale run, incl. the finishing burst. */
  workerPeakRssMiB: number | null;
  completedCorrectly: number;
  completedVia: Record<string, number>;
  /** The receiver during the burst: signals sent (in time or from the backlog), callbacks kept in the backlog, 503s. */
  receiverDuringBurst?: { signalled: number; backlogged: number; busy: number; temporalUnavailable: number };
  /** ICE's side of the burst, from the emulator's delivery log: jobs whose callback got a 2xx on the first try, on a retry, or never. */
  iceCallbacksDuringBurst?: { jobs: number; deliveredFirstTry: number; deliveredOnRetry: number; gaveUp: number };
  /**
   * MNS burst: the consumer's messages received, deleted (settled) and received again, its failed receives, and the
   * messages the queue still held once every clone had closed (or the wait gave up).
   */
  queueDuringBurst?: {
    received: number;
    deleted: number;
    redelivered: number;
    receiveErrors: number;
    leftInQueue: number;
  };
}

/** The burst with bare Temporal (baseline-burst.ts): what this machine allows any burst of that size. */
export interface BaselineBurstResult {
  clones: number;
  rampMs: number;
  /** Burst → the last signal accepted by Temporal. */
  signalledMs: number;
  /** Burst → the last clone closed. */
  finishAllMs: number;
  /** Signals in flight at once (the queue consumer's and receiver's default). */
  signalConcurrency: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean | null;
}

/** Callback and poll path over the baseline, one number per path. */
export interface RatiosByPath<T> {
  callbackOverBaseline: T;
  pollOverBaseline: T;
}

/** What `callbackOverBaseline` and `pollOverBaseline` of a PathRatios are (rounds.ts: TARGET_RATIO_FIGURE). */
export type TargetRatioFigure = 'median of the per-round ratios';

/**
 * A path's throughput over the baseline's on one measure, taken over the same rounds in three ways. The top-level
 * numbers are the median of the per-round ratios, the figure the ≥ 0.9 target is checked on.
 */
export interface PathRatios extends RatiosByPath<number> {
  figure: TargetRatioFigure;
  /** Round by round, in run order: the path's throughput in that round over the baseline's in the same round. */
  byRound: RatiosByPath<number[]>;
  /** Σ clones ÷ Σ time of the path over the same of the baseline, every round counted together. */
  ofTotals: RatiosByPath<number>;
}

/** One way of running the clones: the batch workflow, or a client starting every clone at once and awaiting them. */
export interface BatchPathResult {
  clones: number;
  succeeded: number;
  failed: number;
  /** First start → last result. */
  completionMs: number;
  /** SubmitCustomizedVoiceJob calls ICE accepted, per second between the first and the last. */
  submitsPerSec: number;
  /** Per ICE action: calls ICE answered (any status) per second between that action's first and last call. */
  callsPerSec: Record<string, number>;
  /** The emulator's `Throttling` answers by action: each went to an activity attempt of one of the clones. */
  throttledByAction: Record<string, number>;
  throttled: number;
}

export interface BatchBenchResult {
  /** The emulator's limit on every ICE action, and the worker's ICE client's (ICE_MAX_CALLS_PER_SECOND). */
  ratePerSec: number;
  /** The same for GetCustomizedVoiceJob (absent in reports before --batch-read-rate: it was `ratePerSec`). */
  readRatePerSec?: number;
  maxConcurrent: number;
  trainingMs: number;
  batch: BatchPathResult & {
    /** History events of each run of the batch (it continues as new), in run order. */
    eventsPerRun: number[];
    /** The batch ran to its report (every entry decided). */
    finished: boolean;
  };
  /** Absent with --skip-batch-loop. */
  loop?: BatchPathResult;
}

export interface BenchReport {
  generatedAt: string;
  machine: MachineFacts;
  options: {
    clones: number;
    scale: number;
    /** Seconds every scale clone waited before the memory reading. */
    scaleSettleS?: number;
    skipScale: boolean;
    /** Which burst paths the scale run measured (absent in reports before the MNS burst: HTTP only). */
    burstCallbacks?: ('http' | 'mns')[];
    trainingMs: number;
    latencyClones?: number;
    latencyStartsPerSec?: number;
    rounds?: number;
    /** Sticky cache of every bench worker. */
    maxCachedWorkflows?: number;
    /** false when the package workers ran with lookUpSearchAttributes: false (--without-search-attributes). */
    searchAttributes?: boolean;
  };
  stack: string;
  phases: PhaseResult[];
  /** On the whole phase's throughput (clones ÷ first start → last result), and on the steady one. */
  ratio: PathRatios & {
    /** The same ratios on the steady throughputs (10th to 90th percentile result). */
    steady?: PathRatios;
  };
  /** 24-hour poll event count (time-skipping server). */
  poll24h?: { historyEvents: number; statusChecks: number; failureType: string; source: string };
  /** The scale run whose burst went through ICE's HTTP callbacks. */
  scale?: ScaleResult;
  /** The same run with the burst through ICE's MNS queue and the queue consumer (--burst-callbacks mns|both). */
  scaleMns?: ScaleResult;
  /** The same burst with bare Temporal on a fresh stack (--burst-baseline): the machine's ceiling. */
  scaleBaseline?: BaselineBurstResult;
  /** The batch phase (issue 27): the batch workflow under ICE's rate limit, and the loop beside it. */
  batch?: BatchBenchResult;
  targets: TargetCheck[];
  notes: string[];
}
