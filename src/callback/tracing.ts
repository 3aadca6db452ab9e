/**
 * The span of one callback through the shared intake (stages.ts settleCallback): `ICE callback`, kind SERVER for
 * the HTTP receiver and CONSUMER for the queue consumer, with the event type, the ids it names and its outcome.
 * Never the body or a header: `X-ICE-SIGNATURE` is good for a replay (docs/ice-api.md#callback-replay).
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { LogFields } from '../observability/logger';
import { inSpan } from '../observability/tracing';
import type { Reply } from './intake';

/** Which front door a callback came through. */
export type CallbackSource = 'http' | 'mns';

/** The attribute names of a callback span. */
export const CALLBACK_SPAN_ATTRIBUTES = {
  source: 'ice.callback.source',
  eventType: 'ice.callback.event_type',
  jobId: 'ice.job_id',
  voiceId: 'ice.voice_id',
  /** The metrics' outcome (`signalled`, `unmatched`, `forwarded`, …), the rejection reason, or `backlogged`. */
  outcome: 'ice.callback.outcome',
  statusCode: 'http.response.status_code',
} as const;

/** The outcome a span records: what the metrics count it under (a backlogged callback: `backlogged`). */
export function spanOutcomeOf(reply: Reply): string {
  return reply.outcome ?? reply.rejection ?? (reply.body.status === 'queued' ? 'backlogged' : 'unknown');
}

/** What classification learnt (stages.ts puts it in the log fields): bounded strings from the checked envelope. */
function recordIds(span: Span, fields: LogFields): void {
  const named = [
    [CALLBACK_SPAN_ATTRIBUTES.eventType, fields.eventType],
    [CALLBACK_SPAN_ATTRIBUTES.jobId, fields.jobId],
    [CALLBACK_SPAN_ATTRIBUTES.voiceId, fields.voiceId],
  ] as const;
  for (const [name, value] of named) if (typeof value === 'string') span.setAttribute(name, value);
}

/** Records how the callback ended; a 5xx answer (ours or Temporal's or ICE's trouble) is an ERROR status. */
function recordReply(span: Span, source: CallbackSource, reply: Reply): void {
  const outcome = spanOutcomeOf(reply);
  span.setAttribute(CALLBACK_SPAN_ATTRIBUTES.outcome, outcome);
  if (source === 'http') span.setAttribute(CALLBACK_SPAN_ATTRIBUTES.statusCode, reply.status);
  if (reply.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
}

/** Runs one callback's settlement inside its span. */
export async function inCallbackSpan(
  source: CallbackSource,
  fields: LogFields,
  settle: () => Promise<Reply>,
): Promise<Reply> {
  const kind = source === 'http' ? SpanKind.SERVER : SpanKind.CONSUMER;
  const attributes = { [CALLBACK_SPAN_ATTRIBUTES.source]: source };
  const describeFailure = (span: Span): string => {
    recordIds(span, fields);
    span.setAttribute(CALLBACK_SPAN_ATTRIBUTES.outcome, 'error');
    return 'error';
  };
  return inSpan('ICE callback', { kind, attributes, describeFailure }, async (span) => {
    const reply = await settle();
    recordIds(span, fields);
    recordReply(span, source, reply);
    return reply;
  });
}
