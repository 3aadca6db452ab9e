/**
 * Turns whatever the transport throws (or a 200 body saying `Success: false`) into one `IceError`.
 * openapi-core throws ClientError/ServerError/ThrottlingError carrying ICE's Code and RequestId for HTTP 4xx/5xx,
 * and the raw error of its HTTP library (httpx) for network failures and timeouts. We classify by `code`
 * (and, for httpx timeouts, which carry no code, by their name), never by error class.
 */
import {
  IceError,
  INVALID_RESPONSE_CODE,
  NETWORK_ERROR_CODE,
  TIMEOUT_ERROR_CODE,
  UNSUCCESSFUL_RESPONSE_CODE,
} from './errors';
import type { IceAction } from './types';

/** The code of a call that found no usable Alibaba credentials (final: fix the settings). */
export const INVALID_CREDENTIALS_CODE = 'InvalidCredentials';
const UNKNOWN_CODE = 'UnknownError';
const MAX_MESSAGE_LENGTH = 500;

/** Errno-style codes of Node sockets and DNS (ECONNREFUSED, ECONNRESET, EPIPE, ENOTFOUND, EAI_AGAIN, ...). */
const ERRNO_CODE = /^E[A-Z0-9_]+$/;
const TIMEOUT_ERRNO_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

type ErrorLike = Record<string, unknown>;

function asRecord(value: unknown): ErrorLike | undefined {
  return value !== null && typeof value === 'object' ? (value as ErrorLike) : undefined;
}

/** openapi-core stringifies missing fields, so "undefined" and "" mean absent. */
function presentString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value === '' || value === 'undefined' || value === 'null' ? undefined : value;
}

/**
 * Removes secrets from text that may end up in an error message, a log line or Temporal history: known secret
 * values, and the query string of any URL (httpx puts the full request URL, with every business parameter such as
 * SetEventCallback's AuthKey, into its error messages).
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  // httpx glues "POST <url> failed." straight onto the message: put a space back.
  let out = text.replace(/(\S)((?:POST|GET) https?:\/\/)/g, '$1 $2');
  out = out.replace(/(https?:\/\/[^\s?#]+)[?#]\S*/g, '$1?[query removed]');
  out = out.replace(/(Signature=|Authorization:?\s*)\S+/gi, '$1[redacted]');
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}…` : out;
}

/** An HTTP 4xx/5xx answered by ICE (or something in front of it). */
function fromServiceError(operation: IceAction, error: ErrorLike, secrets: readonly (string | undefined)[]): IceError {
  const data = asRecord(error.data) ?? {};
  const statusCode = error.statusCode as number;
  const code = presentString(error.code) ?? presentString(data.Code) ?? UNKNOWN_CODE;
  const requestId = presentString(error.requestId) ?? presentString(data.RequestId);
  const message = presentString(data.Message) ?? presentString(data.message) ?? `HTTP ${statusCode}`;
  return new IceError(operation, code, scrubSecrets(message, secrets), statusCode, requestId);
}

/** Any failure the transport threw, as an `IceError` with its code and retryability, `secrets` scrubbed. */
export function iceErrorFromThrown(
  operation: IceAction,
  thrown: unknown,
  secrets: readonly (string | undefined)[],
): IceError {
  if (thrown instanceof IceError) return thrown;
  const error = asRecord(thrown) ?? {};
  const name = typeof error.name === 'string' ? error.name : '';
  const rawMessage = typeof error.message === 'string' ? error.message : String(thrown);
  const code = presentString(error.code);

  if (typeof error.statusCode === 'number') return fromServiceError(operation, error, secrets);

  // httpx: RequestTimeoutError for both its connect (socket idle) and read timers; no `code`.
  if ((code !== undefined && TIMEOUT_ERRNO_CODES.has(code)) || /Timeout/.test(name)) {
    return new IceError(operation, TIMEOUT_ERROR_CODE, scrubSecrets(`${name}: ${rawMessage}`, secrets));
  }
  if (code !== undefined && ERRNO_CODE.test(code)) {
    return new IceError(operation, NETWORK_ERROR_CODE, scrubSecrets(`${code}: ${rawMessage}`, secrets));
  }
  if (thrown instanceof SyntaxError) {
    return new IceError(
      operation,
      INVALID_RESPONSE_CODE,
      scrubSecrets(`response body is not JSON: ${rawMessage}`, secrets),
    );
  }
  // openapi-core's "no credential" ClientError, or the default chain finding nothing.
  if (code === INVALID_CREDENTIALS_CODE || /unable to get credentials/i.test(rawMessage)) {
    return new IceError(operation, INVALID_CREDENTIALS_CODE, scrubSecrets(rawMessage, secrets));
  }
  return new IceError(operation, code ?? UNKNOWN_CODE, scrubSecrets(`${name || 'Error'}: ${rawMessage}`, secrets));
}

/** A 2xx answer whose body says `Success: false`: ICE reports some failures this way. */
export function iceErrorFromUnsuccessfulBody(
  operation: IceAction,
  statusCode: number,
  body: ErrorLike,
  secrets: readonly (string | undefined)[],
): IceError {
  const code = presentString(body.Code) ?? UNSUCCESSFUL_RESPONSE_CODE;
  const message = presentString(body.Message) ?? 'ICE answered Success=false';
  return new IceError(operation, code, scrubSecrets(message, secrets), statusCode, presentString(body.RequestId));
}
