/**
 * The receiver's counters and latency summary, kept in memory and rendered in Prometheus text format on
 * `/metrics`. Latency quantiles come from a sliding window of the most recent requests, so they follow the
 * current load rather than the whole process lifetime.
 */

import type { SignatureKeyForm } from './signature';

export type CallbackRejectionReason =
  | 'body_too_large'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'bad_signature';

export type CallbackOutcome =
  | 'signalled'
  | 'unmatched'
  | 'ignored'
  | 'forwarded'
  | 'forward_failed'
  | 'temporal_unavailable'
  | 'ice_unavailable'
  | 'busy'
  | 'error';

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
  /** Callbacks not for a voice clone, answered 200 without forwarding (no ICE_CALLBACK_FORWARD_URL). */
  ignored: number;
  /** Callbacks not for a voice clone that the forward target answered 200 (so ICE got 200). */
  forwarded: number;
  /** Callbacks not for a voice clone that the forward target did not take in time (ICE got 502). */
  forwardFailed: number;
  /** Callbacks not for a voice clone (forwarded or not), by event type. */
  foreignByEventType: Record<string, number>;
  /** Callbacks answered from the memory of ids that belong to no clone, without any ICE or Temporal call. */
  remembered: number;
  /** Verified signatures by the form of the key they were computed with. */
  signatureKeyForms: Partial<Record<SignatureKeyForm, number>>;
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
  private readonly foreign = new Map<string, number>();
  private readonly keyForms = new Map<SignatureKeyForm, number>();
  private remembered = 0;
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

  /** Labelled by event type; beyond a bound of distinct types, or for an odd name, under one shared label. */
  recordForeign(eventType: string): void {
    const label = !FOREIGN_LABEL.test(eventType)
      ? 'invalid'
      : this.foreign.has(eventType) || this.foreign.size < MAX_FOREIGN_LABELS
        ? eventType
        : 'other';
    this.foreign.set(label, (this.foreign.get(label) ?? 0) + 1);
  }

  recordKeyForm(form: SignatureKeyForm): void {
    this.keyForms.set(form, (this.keyForms.get(form) ?? 0) + 1);
  }

  recordRemembered(): void {
    this.remembered += 1;
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
      forwarded: this.outcomes.get('forwarded') ?? 0,
      forwardFailed: this.outcomes.get('forward_failed') ?? 0,
      foreignByEventType: Object.fromEntries(this.foreign),
      remembered: this.remembered,
      signatureKeyForms: Object.fromEntries(this.keyForms),
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

/** Event types are ICE's names: letters, digits and a few separators; anything else is not used as a label. */
const FOREIGN_LABEL = /^[A-Za-z][\w.-]{0,63}$/;
/** A label per type ICE documents and then some; a flood of new names cannot grow the exposition without bound. */
const MAX_FOREIGN_LABELS = 100;

const PREFIX = 'ice_callback';

/** Prometheus text exposition format (version 0.0.4). */
export function renderPrometheusMetrics(metrics: CallbackMetrics): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, value: number): void => {
    lines.push(`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} counter`, `${PREFIX}_${name} ${value}`);
  };
  const labelled = (name: string, help: string, label: string, values: Record<string, number | undefined>): void => {
    lines.push(`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} counter`);
    // Label values are our own names or pass FOREIGN_LABEL: nothing to escape.
    for (const [value, count] of Object.entries(values)) lines.push(`${PREFIX}_${name}{${label}="${value}"} ${count}`);
  };
  counter('received_total', 'Callback POSTs received.', metrics.received);
  labelled('rejected_total', 'Callbacks rejected, by reason.', 'reason', metrics.rejected);
  counter('signalled_total', 'Callbacks delivered to a workflow as the iceCallback signal.', metrics.signalled);
  counter('unmatched_total', 'Callbacks for no open clone (answered 200).', metrics.unmatched);
  counter(
    'ignored_total',
    'Callbacks not for a voice clone, answered 200 without forwarding (no forward URL).',
    metrics.ignored,
  );
  counter('forwarded_total', 'Callbacks not for a voice clone that the forward target took (200).', metrics.forwarded);
  counter(
    'forward_failed_total',
    'Callbacks not for a voice clone that the forward target did not take in time (answered 502; ICE retries).',
    metrics.forwardFailed,
  );
  labelled(
    'foreign_total',
    'Callbacks not for a voice clone (another ICE feature shares the callback URL), by event type.',
    'event_type',
    metrics.foreignByEventType,
  );
  counter(
    'remembered_total',
    'Callbacks answered from the memory of ids that belong to no clone (no ICE or Temporal call).',
    metrics.remembered,
  );
  labelled(
    'signature_key_form_total',
    'Verified signatures by the form of the key they were computed with (as-configured or lower-case).',
    'form',
    metrics.signatureKeyForms,
  );
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
