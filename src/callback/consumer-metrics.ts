/**
 * The queue consumer's own metrics, on the same registry as the intake's (CallbackMetricsRecorder): messages
 * received, deleted by outcome, left for redelivery by outcome, redelivered, receive and delete errors, and the age
 * of the oldest message handled.
 */
import type { Counter, Gauge, MetricsRegistry } from '../observability/metrics';

/** Why a message left the queue: its outcome was settled (or it could never be). */
export type DeletedOutcome =
  | 'signalled'
  | 'unmatched'
  | 'ignored'
  | 'forwarded'
  /** A body that is not an ICE event (not JSON, not an envelope): counted and logged. */
  | 'not_ice_event'
  /** Temporal refused the signal as such: no redelivery can succeed. */
  | 'undeliverable'
  /** Received more than ICE_CALLBACK_MNS_MAX_DEQUEUE times (docs/mns.md#poison-messages). */
  | 'max_dequeue';

/** The consumer's counts since it started. */
export interface CallbackConsumerMetrics {
  received: number;
  deleted: Partial<Record<DeletedOutcome, number>>;
  /** Left in the queue (it comes back after its visibility timeout), by the outcome that was not settled. */
  kept: Record<string, number>;
  /** Messages received before (DequeueCount above 1). */
  redelivered: number;
  receiveErrors: number;
  deleteErrors: number;
  /** Age of the oldest message handled since start, seconds. */
  oldestMessageAgeSeconds: number;
}

function byLabel(counter: Counter, label: string): Record<string, number> {
  return Object.fromEntries(counter.series().map(({ labels, value }) => [labels[label] ?? '', value]));
}

export class ConsumerMetricsRecorder {
  private readonly received: Counter;
  private readonly deleted: Counter;
  private readonly kept: Counter;
  private readonly redelivered: Counter;
  private readonly receiveErrors: Counter;
  private readonly deleteErrors: Counter;
  private readonly oldestAge: Gauge;

  constructor(registry: MetricsRegistry) {
    const counter = (name: string, help: string, labels: string[] = []): Counter =>
      registry.counter(`ice_callback_mns_${name}`, help, labels);
    this.received = counter('received_total', 'Queue messages received.');
    this.deleted = counter('deleted_total', 'Queue messages deleted, by outcome.', ['outcome']);
    this.kept = counter('kept_total', 'Queue messages left for redelivery (outcome not settled), by outcome.', [
      'outcome',
    ]);
    this.redelivered = counter('redelivered_total', 'Queue messages received more than once (DequeueCount > 1).');
    this.receiveErrors = counter('receive_errors_total', 'Receives that failed (MNS unreachable or an MNS error).');
    this.deleteErrors = counter(
      'delete_errors_total',
      'Deletes or visibility changes that failed (the message returns).',
    );
    this.oldestAge = registry.gauge(
      'ice_callback_mns_oldest_message_age_seconds',
      'Age of the oldest queue message handled since start (from its EnqueueTime), seconds.',
    );
  }

  recordReceived(dequeueCount: number, enqueueTime: number): void {
    this.received.inc();
    if (dequeueCount > 1) this.redelivered.inc();
    const age = Math.max(0, (Date.now() - enqueueTime) / 1000);
    const current = this.oldestAge.value();
    if (age > current) this.oldestAge.inc({}, age - current);
  }

  recordDeleted(outcome: DeletedOutcome): void {
    this.deleted.inc({ outcome });
  }

  recordKept(outcome: string): void {
    this.kept.inc({ outcome });
  }

  recordReceiveError(): void {
    this.receiveErrors.inc();
  }

  recordDeleteError(): void {
    this.deleteErrors.inc();
  }

  snapshot(): CallbackConsumerMetrics {
    return {
      received: this.received.value(),
      deleted: byLabel(this.deleted, 'outcome'),
      kept: byLabel(this.kept, 'outcome'),
      redelivered: this.redelivered.value(),
      receiveErrors: this.receiveErrors.value(),
      deleteErrors: this.deleteErrors.value(),
      oldestMessageAgeSeconds: this.oldestAge.value(),
    };
  }
}
