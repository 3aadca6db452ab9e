/** One signature, one body: the memory's rules on a clock of the test's own (no servers needed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NEW_BODY_GRACE_MS, SignatureMemory } from '../../src/callback/signature-memory';

const SKEW_SECONDS = 300;
const T0 = 1_700_000_000;

function memory(maxBodies = 100) {
  const clock = { nowMs: T0 * 1000 };
  return { clock, signatures: new SignatureMemory(SKEW_SECONDS, maxBodies, () => clock.nowMs) };
}

const use = (timestamp: number, body: string, signature = 'a'.repeat(32)) => ({
  timestamp: String(timestamp),
  signature,
  body: Buffer.from(body),
});

test('a retry of the same body is recognised, with the answer it got; other bodies only within the grace', () => {
  const { clock, signatures } = memory();
  assert.equal(signatures.use(use(T0, 'one')).kind, 'first');
  assert.deepEqual(signatures.use(use(T0, 'one')), { kind: 'retry', answer: undefined });
  signatures.answered(use(T0, 'one'), { status: 200, body: { status: 'signalled' } });
  assert.deepEqual(signatures.use(use(T0, 'one')), {
    kind: 'retry',
    answer: { status: 200, body: { status: 'signalled' } },
  });
  assert.equal(signatures.use(use(T0, 'two')).kind, 'new-body', "ICE's same-second callback");
  clock.nowMs += NEW_BODY_GRACE_MS + 1;
  assert.equal(signatures.use(use(T0, 'three')).kind, 'reused');
  assert.equal(signatures.use(use(T0, 'two')).kind, 'retry', 'a body it carried stays a retry');
  // The signature matches case-insensitively, so the memory does too.
  assert.equal(signatures.use(use(T0, 'four', 'A'.repeat(32))).kind, 'reused');
  assert.equal(signatures.size, 2);
});

test('full of fresh pairs it refuses rather than forgets; stale pairs make room', () => {
  const { clock, signatures } = memory(3);
  for (let n = 0; n < 3; n++) assert.equal(signatures.use(use(T0 + n, 'body')).kind, 'first');
  assert.equal(signatures.use(use(T0 + 3, 'body')).kind, 'full');
  assert.equal(signatures.use(use(T0, 'body')).kind, 'retry', 'what it holds still counts');
  clock.nowMs = (T0 + SKEW_SECONDS + 1) * 1000 + 1; // the first pair alone is stale now
  assert.equal(signatures.use(use(T0 + 3, 'body')).kind, 'first');
  assert.equal(signatures.size, 3);
});
