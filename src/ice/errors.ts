import type { IceAction } from './types';

/** The code of a call that failed before any answer (connection refused, reset, DNS): retryable. */
export const NETWORK_ERROR_CODE = 'NetworkError';
/** The code of a call that got no answer within the transport's timeout: retryable. */
export const TIMEOUT_ERROR_CODE = 'Timeout';
/**
 * A call the client's own per-action rate limit refused before sending it (./rate-limiter.ts): retryable, the
 * activity's back-off finds a free slot later.
 */
export const CLIENT_RATE_LIMITED_CODE = 'ClientRateLimited';
/** A 200 response whose body says `Success: false` without a Code. */
export const UNSUCCESSFUL_RESPONSE_CODE = 'UnsuccessfulResponse';
/**
 * A response that is not ICE's documented shape (not JSON, or a required field missing). Retryable: it usually
 * comes from a gateway or proxy in front of ICE, and Temporal's retry policy bounds the attempts.
 */
export const INVALID_RESPONSE_CODE = 'InvalidResponse';

/** Whether retrying a failed ICE call may help (`retryable`) or not (`final`). */
export type IceErrorKind = 'retryable' | 'final';

/**
 * The one error type for every failed ICE call. Keeps ICE's `Code` and `RequestId` so that an operator can quote
 * them to Alibaba support. The message never contains credentials or request signatures.
 */
export class IceError extends Error {
  override readonly name = 'IceError';
  readonly kind: IceErrorKind;

  constructor(
    readonly operation: IceAction,
    readonly code: string,
    message: string,
    readonly statusCode?: number,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${operation} failed: ${code}${statusCode !== undefined ? ` (HTTP ${statusCode})` : ''}: ${message}` +
        (requestId ? ` [RequestId ${requestId}]` : ''),
      options,
    );
    this.kind = classifyIceError(code, statusCode);
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

const RETRYABLE_CODES = new Set([
  'ServiceUnavailable',
  'InternalError',
  NETWORK_ERROR_CODE,
  TIMEOUT_ERROR_CODE,
  INVALID_RESPONSE_CODE,
  CLIENT_RATE_LIMITED_CODE,
]);

/**
 * Retryable: throttling (ICE's or the client's own), service unavailable, internal errors, any 5xx, network failures
 * and timeouts.
 * Final: everything else (bad parameters, permissions, unknown keys, signature mismatches, other 4xx), since
 * repeating the same request cannot succeed.
 */
export function classifyIceError(code: string, statusCode?: number): IceErrorKind {
  if (code.startsWith('Throttling') || RETRYABLE_CODES.has(code)) return 'retryable';
  if (statusCode !== undefined && statusCode >= 500) return 'retryable';
  return 'final';
}

/** True for an `IceError` (any failure of an `IceClient` call). */
export function isIceError(error: unknown): error is IceError {
  return error instanceof IceError;
}

/**
 * A 2xx answer from ICE itself (it carries a RequestId) that lacks a field the caller needs, or has it in a shape
 * ICE's SDK would not give (no Status in a read, no JobId after a submit). Code `InvalidResponse` like any odd
 * answer, so it is retryable, but recognisable: the clone's activities bound its retries
 * (VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES) where a gateway's non-JSON page is retried until the activity's deadline.
 */
export class MissingResponseFieldError extends IceError {
  constructor(
    operation: IceAction,
    /** Dotted path of the field, e.g. `Data.CustomizedVoiceJob.Status`. */
    readonly field: string,
    message: string,
    requestId: string,
    statusCode = 200,
  ) {
    super(operation, INVALID_RESPONSE_CODE, message, statusCode, requestId);
  }
}

/** True for a `MissingResponseFieldError`. */
export function isMissingResponseField(error: unknown): error is MissingResponseFieldError {
  return error instanceof MissingResponseFieldError;
}
