/**
 * One queue message through the shared intake (stages.ts settleCallback), then deleted when its outcome is settled
 * or left in the queue with a longer visibility timeout (a back-off) when it is not: nothing a clone needs is ever
 * held only in this process's memory (docs/mns.md#deletion).
 */
import type { LogFields } from '../observability/logger';
import type { MnsMessage, MnsQueueClient } from '../mns/client';
import type { ConsumerMetricsRecorder, DeletedOutcome } from './consumer-metrics';
import { errorReply, type Reply } from './intake';
import { settleCallback, type CallbackArrival, type IntakeContext } from './stages';

/** What handling a message needs besides the intake. */
export interface MessageContext {
  intake: IntakeContext;
  queue: MnsQueueClient;
  consumerMetrics: ConsumerMetricsRecorder;
  maxDequeue: number;
  deliveryTimeoutMs: number;
  retryVisibilitySeconds: number;
}

/** Visibility back-off of a message left in the queue: `first` seconds doubling per receive, at most 10 minutes. */
export function visibilityBackoffSeconds(dequeueCount: number, first: number): number {
  return Math.min(first * 2 ** Math.min(Math.max(dequeueCount - 1, 0), 10), 600);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The event's bytes. ASSUMPTION (docs/ice-api.md#mns-queue-callbacks): ICE does not say whether it base64-encodes the
 * message body; a body that is not JSON but is base64 of JSON is decoded, anything else is classified as it came.
 */
export function eventBodyOf(messageBody: string): Buffer {
  const trimmed = messageBody.trim();
  if (!trimmed.startsWith('{') && trimmed.length % 4 === 0 && BASE64.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64');
    if (decoded.toString('utf8').trimStart().startsWith('{')) return decoded;
  }
  return Buffer.from(messageBody, 'utf8');
}

/** The outcome under which a message leaves the queue, or undefined: it stays and comes back. */
export function deletedOutcomeOf(reply: Reply): DeletedOutcome | undefined {
  if (reply.rejection === 'undeliverable') return 'undeliverable';
  if (reply.rejection === 'malformed_json' || reply.rejection === 'invalid_envelope') return 'not_ice_event';
  switch (reply.outcome) {
    case 'signalled':
    case 'unmatched':
    case 'ignored':
    case 'forwarded':
      return reply.outcome;
    default:
      return undefined;
  }
}

async function settle(context: MessageContext, message: MnsMessage, fields: LogFields): Promise<Reply> {
  const arrival: CallbackArrival = {
    body: eventBodyOf(message.body),
    deadlineMs: Date.now() + context.deliveryTimeoutMs,
    mayBacklog: false,
    source: 'mns',
  };
  try {
    return await settleCallback(context.intake, arrival, fields);
  } catch (error) {
    return errorReply(error);
  }
}

async function remove(context: MessageContext, message: MnsMessage, outcome: DeletedOutcome, line: LogFields) {
  const { queue, consumerMetrics, intake } = context;
  try {
    await queue.delete(message.receiptHandle);
    consumerMetrics.recordDeleted(outcome);
    intake.logger.info('queue message handled and deleted', line);
  } catch (error) {
    // Comes back after its visibility timeout and is settled again (a clone takes a repeated callback as one).
    consumerMetrics.recordDeleteError();
    intake.logger.warn('queue message handled, delete failed: it comes back', { ...line, error: String(error) });
  }
}

async function keep(context: MessageContext, message: MnsMessage, outcome: string, line: LogFields) {
  const { queue, consumerMetrics, intake } = context;
  consumerMetrics.recordKept(outcome);
  const seconds = visibilityBackoffSeconds(message.dequeueCount, context.retryVisibilitySeconds);
  try {
    await queue.changeVisibility(message.receiptHandle, seconds);
  } catch (error) {
    // Still in the queue: it comes back after the queue's own visibility timeout.
    consumerMetrics.recordDeleteError();
    line.error = String(error);
  }
  intake.logger.warn('queue message not settled: left in the queue', { ...line, visibleAgainInSeconds: seconds });
}

/** Receives one message's outcome, counts it, and deletes or keeps the message. Never throws. */
export async function handleQueueMessage(context: MessageContext, message: MnsMessage): Promise<void> {
  const { intake, consumerMetrics, maxDequeue } = context;
  const { messageId, dequeueCount } = message;
  consumerMetrics.recordReceived(dequeueCount, message.enqueueTime);
  const fields: LogFields = { messageId, dequeueCount };
  if (dequeueCount > maxDequeue) {
    intake.logger.error('queue message received too often: deleted without delivery', { ...fields, maxDequeue });
    return remove(context, message, 'max_dequeue', fields);
  }
  const startedAt = Date.now();
  const reply = await settle(context, message, fields);
  const durationMs = Date.now() - startedAt;
  intake.recorder.recordLatency(durationMs);
  if (reply.rejection !== undefined) intake.recorder.recordRejected(reply.rejection);
  if (reply.outcome !== undefined) intake.recorder.recordOutcome(reply.outcome);
  const line: LogFields = { outcome: reply.outcome ?? reply.rejection, durationMs, ...reply.fields };
  const deleted = deletedOutcomeOf(reply);
  if (deleted !== undefined) return remove(context, message, deleted, line);
  return keep(context, message, reply.outcome ?? 'error', line);
}
