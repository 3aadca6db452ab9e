/**
 * The package's OpenTelemetry tracer. Through `@opentelemetry/api` only, as a library should: every span is a no-op
 * until the application registers a tracer provider, and spans join whatever context is active (an activity's span
 * under Temporal's OpenTelemetryPlugin). Span names and attributes: the README's "Tracing".
 */
import { SpanStatusCode, trace, type Attributes, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';

/** The tracer's name: the package's. */
export const TRACER_NAME = 'ice-voice-clone';

/** Looked up per span: a provider the application registers after this module loaded is still used. */
function packageTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `work` inside a new active span (a child of the active context) and ends the span when `work` settles. A
 * throw sets status ERROR with `describeFailure`'s message, never the error's own text (it may quote a request).
 */
export function inSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes: Attributes; describeFailure: (span: Span, error: unknown) => string },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { kind, attributes, describeFailure } = options;
  return packageTracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: describeFailure(span, error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
