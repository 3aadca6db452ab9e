import { ApplicationFailure } from '@temporalio/common';
import { isIceError, isMissingResponseField } from '../ice/errors';

/**
 * Maps an ICE error to the ApplicationFailure Temporal retries on (or not): the type is ICE's Code, the message
 * carries the operation, code and RequestId (IceError messages never hold secrets). The original error is not
 * attached as `cause`: raw HTTP-library errors can carry request headers.
 */
export function toActivityFailure(error: unknown): Error {
  if (isIceError(error)) {
    return ApplicationFailure.create({
      message: error.message,
      type: error.code,
      nonRetryable: !error.retryable,
      details: [
        {
          operation: error.operation,
          code: error.code,
          statusCode: error.statusCode,
          requestId: error.requestId,
          ...(isMissingResponseField(error) ? { field: error.field } : {}),
        },
      ],
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs one ICE call and converts its failure for Temporal. */
export async function callIce<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toActivityFailure(error);
  }
}
