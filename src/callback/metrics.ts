/**
 * The receiver's counters and latency summary, kept in memory and rendered in Prometheus text format on
 * `/metrics`. Latency quantiles come from a sliding window of the most recent requests, so they follow the
 * current load rather than the whole process lifetime.
 */

export type CallbackRejectionReason =
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'bad_signature';

export type CallbackOutcome =
  'signalled' | 'unmatched' | 'ignored' | 'temporal_unavailable' | 'ice_unavailable' | 'busy' | 'error';

export interface LatencySummary {
  /** All callback requests answered since start. */
  count: number;
  sumMs: number;
  /** Quantiles over the most recent `windowSize` requests; 0 when there were none. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  windowSize: number;
}

export interface CallbackMetrics {
  received: number;
  rejected: Partial<Record<CallbackRejectionReason, number>>;
  signalled: number;
  unmatched: number;
  /** Events we do not handle (answered 200). */
  ignored: number;
  temporalUnavailable: number;
  iceUnavailable: number;
  /** Answered 503 after waiting for a delivery slot until the deadline, with the backlog full. */
  busy: number;
  /**
   * Answered 200 "queued" (waited for a delivery slot until the deadline, or arrived behind a full round of waiting
   * ones) and delivered later; ICE_CALLBACK_MAX_BACKLOG.
   */
  backlogged: number;
  /** Backlogged callbacks not delivered yet. */
  backlogDepth: number;
  errors: number;
  latency: LatencySummary;
}

/** Nearest-rank quantile of already sorted samples. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export class CallbackMetricsRecorder {
  private received = 0;
  private readonly rejected = new Map<CallbackRejectionReason, number>();
  private readonly outcomes = new Map<CallbackOutcome, number>();
  private backlogged = 0;
  private depth = 0;
  private latencyCount = 0;
  private latencySumMs = 0;
  private readonly window: number[] = [];
  private next = 0;

  constructor(private readonly windowSize = 10_000) {}

  recordReceived(): void {
    this.received += 1;
  }

  recordRejected(reason: CallbackRejectionReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  recordOutcome(outcome: CallbackOutcome): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  /** A callback answered before its delivery; its outcome is recorded when the delivery ends. */
  recordBacklogged(): void {
    this.backlogged += 1;
    this.depth += 1;
  }

  backlogSettled(): void {
    this.depth -= 1;
  }

  get backlogDepth(): number {
    return this.depth;
  }

  recordLatency(ms: number): void {
    this.latencyCount += 1;
    this.latencySumMs += ms;
    if (this.window.length < this.windowSize) this.window.push(ms);
    else this.window[this.next] = ms;
    this.next = (this.next + 1) % this.windowSize;
  }

  snapshot(): CallbackMetrics {
    const sorted = [...this.window].sort((a, b) => a - b);
    return {
      received: this.received,
      rejected: Object.fromEntries(this.rejected),
      signalled: this.outcomes.get('signalled') ?? 0,
      unmatched: this.outcomes.get('unmatched') ?? 0,
      ignored: this.outcomes.get('ignored') ?? 0,
      temporalUnavailable: this.outcomes.get('temporal_unavailable') ?? 0,
      iceUnavailable: this.outcomes.get('ice_unavailable') ?? 0,
      busy: this.outcomes.get('busy') ?? 0,
      errors: this.outcomes.get('error') ?? 0,
      backlogged: this.backlogged,
      backlogDepth: this.depth,
      latency: {
        count: this.latencyCount,
        sumMs: this.latencySumMs,
        p50Ms: quantile(sorted, 0.5),
        p90Ms: quantile(sorted, 0.9),
        p99Ms: quantile(sorted, 0.99),
        maxMs: sorted.at(-1) ?? 0,
        windowSize: sorted.length,
      },
    };
  }
}

const PREFIX = 'ice_callback';

/** Prometheus text exposition format (version 0.0.4). */
export function renderPrometheusMetrics(metrics: CallbackMetrics): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, value: number): void => {
    lines.push(`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} counter`, `${PREFIX}_${name} ${value}`);
  };
  counter('received_total', 'Callback POSTs received.', metrics.received);
  lines.push(
    `# HELP ${PREFIX}_rejected_total Callbacks rejected, by reason.`,
    `# TYPE ${PREFIX}_rejected_total counter`,
  );
  for (const [reason, value] of Object.entries(metrics.rejected)) {
    lines.push(`${PREFIX}_rejected_total{reason="${reason}"} ${value}`);
  }
  counter('signalled_total', 'Callbacks delivered to a workflow as the iceCallback signal.', metrics.signalled);
  counter('unmatched_total', 'Callbacks for no open clone (answered 200).', metrics.unmatched);
  counter('ignored_total', 'Callbacks of event types the receiver does not handle (answered 200).', metrics.ignored);
  counter(
    'temporal_unavailable_total',
    'Callbacks answered 503 because Temporal was unreachable.',
    metrics.temporalUnavailable,
  );
  counter('ice_unavailable_total', 'Callbacks answered 503 because the ICE job lookup failed.', metrics.iceUnavailable);
  counter(
    'busy_total',
    'Callbacks answered 503 because they waited for a delivery slot until their deadline and the backlog was full.',
    metrics.busy,
  );
  counter(
    'backlogged_total',
    'Callbacks answered 200 "queued" because they could not get a delivery slot by their deadline (a burst); ' +
      'their delivery outcome is counted when it ends.',
    metrics.backlogged,
  );
  lines.push(
    `# HELP ${PREFIX}_backlog Backlogged callbacks not delivered yet.`,
    `# TYPE ${PREFIX}_backlog gauge`,
    `${PREFIX}_backlog ${metrics.backlogDepth}`,
  );
  counter('errors_total', 'Callbacks answered 500 after an unexpected error.', metrics.errors);
  const latency = metrics.latency;
  const name = `${PREFIX}_request_duration_seconds`;
  lines.push(
    `# HELP ${name} Time from request start to response, over the last ${latency.windowSize} callbacks.`,
    `# TYPE ${name} summary`,
    `${name}{quantile="0.5"} ${latency.p50Ms / 1000}`,
    `${name}{quantile="0.9"} ${latency.p90Ms / 1000}`,
    `${name}{quantile="0.99"} ${latency.p99Ms / 1000}`,
    `${name}_sum ${latency.sumMs / 1000}`,
    `${name}_count ${latency.count}`,
  );
  return lines.join('\n') + '\n';
}
