/**
 * The typed ICE client: one method per voice-cloning operation (their wire forms: ./operations.ts), each sent
 * through Alibaba's own signing transport (./transport.ts) inside its span (./tracing.ts). Every failure is an
 * `IceError`; nothing here retries.
 */
import type { Span } from '@opentelemetry/api';
import type { IceClientConfig } from '../config';
import { silentLogger, type Logger } from '../observability/logger';
import { iceErrorFromThrown, iceErrorFromUnsuccessfulBody } from './error-mapping';
import { IceError, INVALID_RESPONSE_CODE, MissingResponseFieldError } from './errors';
import { ICE_OPERATIONS, type IceOperation } from './operations';
import { IceRateLimiter } from './rate-limiter';
import { inIceSpan, recordIceAnswer, recordRateLimitWait } from './tracing';
import { createIceTransport } from './transport';
import type { IceAction, IceClient } from './types';
import { requiredString, wireObject, WireShapeError } from './wire-reading';

/** Options of `createIceClient`. */
export interface IceClientOptions {
  /** Receives one debug line per call (action, RequestId, duration; never a secret). Silent by default. */
  logger?: Logger;
}

/**
 * An answer with a RequestId came from ICE, so a field it lacks is ICE's answer to this request (bounded retries);
 * JSON without one (a gateway's or proxy's) stays a plain InvalidResponse.
 */
function shapeError(action: IceAction, thrown: WireShapeError, requestId: string | undefined): IceError {
  const message = `unexpected response shape: ${thrown.message}`;
  return requestId === undefined
    ? new IceError(action, INVALID_RESPONSE_CODE, message, 200)
    : new MissingResponseFieldError(action, thrown.field, message, requestId);
}

/**
 * A client for ICE's voice-cloning operations at `config.endpoint`, signed with `config.credentials`. Each method
 * makes one request and rejects with an `IceError` (its `retryable` says whether retrying may help); none retries.
 */
export function createIceClient(config: IceClientConfig, options: IceClientOptions = {}): IceClient {
  const transport = createIceTransport(config);
  const logger = (options.logger ?? silentLogger).child({ component: 'ice-client' });
  const configSecrets = [config.credentials?.accessKeySecret, config.credentials?.securityToken];
  // A call waits for its slot at most as long as it would wait for ICE's answer.
  const rateLimiter = config.maxCallsPerSecond && new IceRateLimiter(config.maxCallsPerSecond, config.readTimeoutMs);

  // Every request goes through here, inside its span (./tracing.ts), after its slot under the client's rate limit.
  function send<Request, Response>(operation: IceOperation<Request, Response>, request: Request): Promise<Response> {
    return inIceSpan(operation.action, config.region, async (span) => {
      if (rateLimiter?.limitOf(operation.action) !== undefined) {
        recordRateLimitWait(span, await rateLimiter.take(operation.action));
      }
      return exchange(operation, request, span);
    });
  }

  async function exchange<Request, Response>(
    operation: IceOperation<Request, Response>,
    request: Request,
    span: Span,
  ): Promise<Response> {
    const { action } = operation;
    const params = operation.query(request);
    const secrets = [...configSecrets, ...(operation.secrets?.(request) ?? [])];
    const startedAt = Date.now();
    let requestId: string | undefined;
    try {
      const response = await transport.call(action, params);
      const body = wireObject(response.body, 'response body');
      if (body.Success === false || body.Success === 'false') {
        throw iceErrorFromUnsuccessfulBody(action, response.statusCode, body, secrets);
      }
      requestId = requiredString(body, 'RequestId', 'body');
      recordIceAnswer(span, response.statusCode, requestId);
      const result = operation.mapBody(body, requestId);
      logger.debug('ice call succeeded', { action, requestId, durationMs: Date.now() - startedAt });
      return result;
    } catch (thrown) {
      const error =
        thrown instanceof WireShapeError
          ? shapeError(action, thrown, requestId)
          : iceErrorFromThrown(action, thrown, secrets);
      logger.debug('ice call failed', {
        action,
        code: error.code,
        statusCode: error.statusCode,
        requestId: error.requestId,
        retryable: error.retryable,
        durationMs: Date.now() - startedAt,
      });
      throw error;
    }
  }

  // The table's type ties each method name to its request and response, so the built object is an IceClient.
  const methods = Object.entries(ICE_OPERATIONS).map(([name, operation]) => [
    name,
    (request: unknown) => send(operation as IceOperation<unknown, unknown>, request),
  ]);
  return Object.fromEntries(methods) as IceClient;
}
