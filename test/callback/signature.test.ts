/** Signature verification in isolation: the documented example, the window edges, rotation, malformed input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signIceCallback as emulatorSigner } from '../../src/emulator';
import { signIceCallback, verifyIceCallbackSignature, type SignatureCheckInput } from '../../src/callback/signature';

const URL = 'https://www.example.com/your/callback';
const TS = 1519375990;
// `echo -n 'https://www.example.com/your/callback|1519375990|Test123' | md5sum` (coreutils), not our code.
const DOCUMENTED_SIGNATURE = 'c587b80d2d0ede300e8967937da7219b';

function check(overrides: Partial<SignatureCheckInput>): ReturnType<typeof verifyIceCallbackSignature> {
  return verifyIceCallbackSignature({
    publicUrl: URL,
    timestamp: String(TS),
    signature: DOCUMENTED_SIGNATURE,
    keys: ['Test123'],
    maxSkewSeconds: 300,
    nowMs: TS * 1000,
    ...overrides,
  });
}

test("Alibaba's documented example verifies, and both signers (ours, the emulator's) produce it", () => {
  assert.equal(signIceCallback(URL, TS, 'Test123'), DOCUMENTED_SIGNATURE);
  assert.equal(emulatorSigner(URL, TS, 'Test123'), DOCUMENTED_SIGNATURE);
  assert.deepEqual(check({}), { ok: true });
  assert.deepEqual(check({ signature: DOCUMENTED_SIGNATURE.toUpperCase() }), { ok: true });
});

test('the window is inclusive at maxSkewSeconds on both sides and closed beyond', () => {
  assert.equal(check({ nowMs: (TS + 300) * 1000 }).ok, true);
  assert.equal(check({ nowMs: (TS - 300) * 1000 }).ok, true);
  const stale = check({ nowMs: (TS + 301) * 1000 });
  assert.equal(!stale.ok && stale.reason, 'stale_timestamp');
  const future = check({ nowMs: (TS - 301) * 1000 });
  assert.equal(!future.ok && future.reason, 'stale_timestamp');
});

test('rotation: any configured key verifies; none of them → bad_signature', () => {
  assert.equal(check({ keys: ['NewKey2025b', 'Test123'] }).ok, true);
  assert.equal(check({ keys: ['Test123', 'NewKey2025b'] }).ok, true);
  const none = check({ keys: ['NewKey2025b', 'OldKey2024a'] });
  assert.equal(!none.ok && none.reason, 'bad_signature');
  const empty = check({ keys: [] });
  assert.equal(!empty.ok && empty.reason, 'bad_signature');
});

test('the URL is signed byte for byte', () => {
  for (const publicUrl of [`${URL}/`, URL.replace('https', 'http'), `${URL}?x=1`]) {
    const result = check({ publicUrl });
    assert.equal(!result.ok && result.reason, 'bad_signature', publicUrl);
  }
});

test('missing and malformed headers', () => {
  const cases: [Partial<SignatureCheckInput>, string][] = [
    [{ timestamp: undefined }, 'missing_signature'],
    [{ signature: undefined }, 'missing_signature'],
    [{ signature: '' }, 'missing_signature'],
    [{ timestamp: '-1519375990' }, 'malformed_signature'],
    [{ timestamp: '1519375990.5' }, 'malformed_signature'],
    [{ timestamp: ' 1519375990' }, 'malformed_signature'],
    [{ signature: DOCUMENTED_SIGNATURE.slice(1) }, 'malformed_signature'],
    [{ signature: `${DOCUMENTED_SIGNATURE}00` }, 'malformed_signature'],
    [{ signature: 'z'.repeat(32) }, 'malformed_signature'],
  ];
  for (const [overrides, reason] of cases) {
    const result = check(overrides);
    assert.equal(!result.ok && result.reason, reason, JSON.stringify(overrides));
  }
});
