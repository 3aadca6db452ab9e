/** Shared by the ICE client tests. */
import assert from 'node:assert/strict';
import { IceError } from '../../src/ice';

/** The IceError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function iceErrorOf(promise: Promise<unknown>): Promise<IceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IceError, `expected IceError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
