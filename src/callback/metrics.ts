/**
 * The callback receiver's metrics, declared on the package's one metrics system (observability/metrics.ts): the
 * registry renders them on the receiver's `/metrics`, and `snapshot()` reads the same series for `metrics()`
 * (tests, the bench, the receiver's last log line). Each handler has a registry of its own, so that two receivers
 * in one process count apart. Latency quantiles come from a sliding window of the most recent requests, so they
 * follow the current load rather than the whole process lifetime.
 */
import { MetricsRegistry, quantile, type Counter } from '../observability/metrics';
import type { SignatureKeyForm } from './signature';

export { quantile };

export type CallbackRejectionReason =
  | 'body_too_large'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'bad_signature'
  /** A signature already used with another body (one signature, one body: signature-memory.ts); 401. */
  | 'signature_reused'
  /** The memory of used signatures is full of fresh ones; 503, ICE retries. */
  | 'signature_memory_full'
  /** Temporal refused the signal as such (invalid argument, too large): 400, a retry cannot succeed. */
  | 'undeliverable';

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

/** The receiver's counts since it started, as `metrics()` answers them; each callback ends in one outcome. */
export interface CallbackMetrics {
  /** Callback POSTs received. */
  received: number;
  /** Callbacks refused (4xx), by reason. */
  rejected: Partial<Record<CallbackRejectionReason, number>>;
  /** Callbacks delivered to a clone as the `iceCallback` signal. */
  signalled: number;
  /** Callbacks for no open clone (answered 200). */
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
  /** Retries of a callback answered 200 before (same signature, same body), answered as then without a delivery. */
  retries: number;
  /** Verified signatures by the form of the key they were computed with. */
  signatureKeyForms: Partial<Record<SignatureKeyForm, number>>;
  /** Answered 503: Temporal could not be reached or did not answer in time (ICE retries). */
  temporalUnavailable: number;
  /** Answered 503: the ICE job lookup failed (ICE retries). */
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
  /** Answered 500 after an unexpected error. */
  errors: number;
  /** Answer time of recent callbacks, in milliseconds. */
  latency: LatencySummary;
}

/** Event types are ICE's names: letters, digits and a few separators; anything else is not used as a label. */
const FOREIGN_LABEL = /^[A-Za-z][\w.-]{0,63}$/;
/** A label per type ICE documents and then some; a flood of new names cannot grow the exposition without bound. */
const MAX_FOREIGN_LABELS = 100;
const LATENCY_WINDOW = 10_000;

/** Every receiver metric; the order is the order of the exposition. */
function declareCallbackMetrics(registry: MetricsRegistry) {
  const counter = (name: string, help: string, labelNames: string[] = []): Counter =>
    registry.counter(`ice_callback_${name}`, help, labelNames);
  return {
    received: counter('received_total', 'Callback POSTs received.'),
    rejected: counter('rejected_total', 'Callbacks rejected, by reason.', ['reason']),
    outcomes: {
      signalled: counter('signalled_total', 'Callbacks delivered to a workflow as the iceCallback signal.'),
      unmatched: counter('unmatched_total', 'Callbacks for no open clone (answered 200).'),
      ignored: counter(
        'ignored_total',
        'Callbacks not for a voice clone, answered 200 without forwarding (no forward URL).',
      ),
      forwarded: counter('forwarded_total', 'Callbacks not for a voice clone that the forward target took (200).'),
      forward_failed: counter(
        'forward_failed_total',
        'Callbacks not for a voice clone that the forward target did not take in time (answered 502; ICE retries).',
      ),
      temporal_unavailable: counter(
        'temporal_unavailable_total',
        'Callbacks answered 503 because Temporal could not be reached or did not answer in time.',
      ),
      ice_unavailable: counter('ice_unavailable_total', 'Callbacks answered 503 because the ICE job lookup failed.'),
      busy: counter(
        'busy_total',
        'Callbacks answered 503 because they waited for a delivery slot until their deadline and the backlog was full.',
      ),
      error: counter('errors_total', 'Callbacks answered 500 after an unexpected error.'),
    } satisfies Record<CallbackOutcome, Counter>,
    foreign: counter(
      'foreign_total',
      'Callbacks not for a voice clone (another ICE feature shares the callback URL), by event type.',
      ['event_type'],
    ),
    remembered: counter(
      'remembered_total',
      'Callbacks answered from the memory of ids that belong to no clone (no ICE or Temporal call).',
    ),
    retries: counter(
      'retries_total',
      'Retries of a callback answered 200 before (same signature, same body), answered as then without a delivery.',
    ),
    keyForms: counter(
      'signature_key_form_total',
      'Verified signatures by the form of the key they were computed with (as-configured or lower-case).',
      ['form'],
    ),
    backlogged: counter(
      'backlogged_total',
      'Callbacks answered 200 "queued" because they could not get a delivery slot by their deadline (a burst); ' +
        'their delivery outcome is counted when it ends.',
    ),
    backlog: registry.gauge('ice_callback_backlog', 'Backlogged callbacks not delivered yet.'),
    duration: registry.summary(
      'ice_callback_request_duration_seconds',
      `Time from request start to response; quantiles over the last ${LATENCY_WINDOW} callbacks.`,
      { quantiles: [0.5, 0.9, 0.99], window: LATENCY_WINDOW },
    ),
  };
}

/** Counts by one label, e.g. `{ bad_signature: 2 }`. */
function byLabel(counter: Counter, label: string): Record<string, number> {
  return Object.fromEntries(counter.series().map(({ labels, value }) => [labels[label] ?? '', value]));
}

export class CallbackMetricsRecorder {
  private readonly metrics: ReturnType<typeof declareCallbackMetrics>;

  constructor(readonly registry: MetricsRegistry = new MetricsRegistry()) {
    this.metrics = declareCallbackMetrics(registry);
  }

  recordReceived(): void {
    this.metrics.received.inc();
  }

  recordRejected(reason: CallbackRejectionReason): void {
    this.metrics.rejected.inc({ reason });
  }

  recordOutcome(outcome: CallbackOutcome): void {
    this.metrics.outcomes[outcome].inc();
  }

  /** Labelled by event type; beyond a bound of distinct types, or for an odd name, under one shared label. */
  recordForeign(eventType: string): void {
    const foreign = this.metrics.foreign;
    const label = !FOREIGN_LABEL.test(eventType)
      ? 'invalid'
      : foreign.value({ event_type: eventType }) > 0 || foreign.series().length < MAX_FOREIGN_LABELS
        ? eventType
        : 'other';
    foreign.inc({ event_type: label });
  }

  recordKeyForm(form: SignatureKeyForm): void {
    this.metrics.keyForms.inc({ form });
  }

  recordRetry(): void {
    this.metrics.retries.inc();
  }

  recordRemembered(): void {
    this.metrics.remembered.inc();
  }

  /** A callback answered before its delivery; its outcome is recorded when the delivery ends. */
  recordBacklogged(): void {
    this.metrics.backlogged.inc();
    this.metrics.backlog.inc();
  }

  backlogSettled(): void {
    this.metrics.backlog.dec();
  }

  get backlogDepth(): number {
    return this.metrics.backlog.value();
  }

  recordLatency(ms: number): void {
    this.metrics.duration.observe(ms / 1000);
  }

  /** Prometheus text exposition format, from the registry. */
  render(): string {
    return this.registry.render();
  }

  snapshot(): CallbackMetrics {
    const m = this.metrics;
    const outcome = (name: CallbackOutcome): number => m.outcomes[name].value();
    // Observed in seconds; requests are timed in whole ms, so rounding gives back the exact ms.
    const duration = m.duration.read();
    const ms = (seconds: number): number => Math.round(seconds * 1000);
    return {
      received: m.received.value(),
      rejected: byLabel(m.rejected, 'reason'),
      signalled: outcome('signalled'),
      unmatched: outcome('unmatched'),
      ignored: outcome('ignored'),
      forwarded: outcome('forwarded'),
      forwardFailed: outcome('forward_failed'),
      foreignByEventType: byLabel(m.foreign, 'event_type'),
      remembered: m.remembered.value(),
      retries: m.retries.value(),
      signatureKeyForms: byLabel(m.keyForms, 'form'),
      temporalUnavailable: outcome('temporal_unavailable'),
      iceUnavailable: outcome('ice_unavailable'),
      busy: outcome('busy'),
      errors: outcome('error'),
      backlogged: m.backlogged.value(),
      backlogDepth: m.backlog.value(),
      latency: {
        count: duration.count,
        sumMs: ms(duration.sum),
        p50Ms: ms(quantile(duration.window, 0.5)),
        p90Ms: ms(quantile(duration.window, 0.9)),
        p99Ms: ms(quantile(duration.window, 0.99)),
        maxMs: ms(duration.window.at(-1) ?? 0),
        windowSize: duration.window.length,
      },
    };
  }
}
