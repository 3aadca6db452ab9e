/**
 * The span of one ICE request (`ICE <Action>`, kind CLIENT): action, region, HTTP status, ICE's RequestId, and ICE's
 * Code when it failed. Only these: never the query, the endpoint's credentials, a signature or a token.
 */
import { SpanKind, type Span } from '@opentelemetry/api';
import { inSpan } from '../observability/tracing';
import { isIceError } from './errors';
import type { IceAction } from './types';

/** The attribute names of an ICE span. */
export const ICE_SPAN_ATTRIBUTES = {
  action: 'ice.action',
  region: 'ice.region',
  requestId: 'ice.request_id',
  errorCode: 'ice.error_code',
  statusCode: 'http.response.status_code',
  /** Set when the client limits the action's rate: how long the call waited for its slot before it was sent. */
  rateLimitWaitMs: 'ice.rate_limit_wait_ms',
} as const;

/** Records how long the request waited for its slot under the client's rate limit. */
export function recordRateLimitWait(span: Span, waitedMs: number): void {
  span.setAttribute(ICE_SPAN_ATTRIBUTES.rateLimitWaitMs, Math.round(waitedMs));
}

/** Records ICE's answer on the request's span. */
export function recordIceAnswer(span: Span, statusCode: number, requestId: string): void {
  span.setAttributes({ [ICE_SPAN_ATTRIBUTES.statusCode]: statusCode, [ICE_SPAN_ATTRIBUTES.requestId]: requestId });
}

/** A failed request's span carries ICE's Code (also the status message), its HTTP status and RequestId if any. */
function describeIceFailure(span: Span, error: unknown): string {
  if (!isIceError(error)) return 'unexpected error';
  span.setAttribute(ICE_SPAN_ATTRIBUTES.errorCode, error.code);
  if (error.statusCode !== undefined) span.setAttribute(ICE_SPAN_ATTRIBUTES.statusCode, error.statusCode);
  if (error.requestId !== undefined) span.setAttribute(ICE_SPAN_ATTRIBUTES.requestId, error.requestId);
  return error.code;
}

/** Runs one ICE request inside its span, a child of the active context (the activity's span under Temporal's). */
export function inIceSpan<T>(action: IceAction, region: string, request: (span: Span) => Promise<T>): Promise<T> {
  const attributes = { [ICE_SPAN_ATTRIBUTES.action]: action, [ICE_SPAN_ATTRIBUTES.region]: region };
  return inSpan(`ICE ${action}`, { kind: SpanKind.CLIENT, attributes, describeFailure: describeIceFailure }, request);
}
