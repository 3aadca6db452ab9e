/**
 * Signature verification in isolation: ICE's documented example (docs/ice-api.md#callback-signature), the two key
 * forms, the window edges, rotation, malformed input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signIceCallback, verifyIceCallbackSignature, type SignatureCheckInput } from '../../src/callback/signature';

// ICE's callback-auth page: md5sum(https://www.example.com/your/callback|1519375990|Test123) =
// c72b60894140fa98920f1279219b**** (the page masks the last 4 characters). docs/ice-api.md#callback-signature
const URL = 'https://www.example.com/your/callback';
const TS = 1519375990;
const KEY = 'Test123';
const DOCUMENTED_PREFIX = 'c72b60894140fa98920f1279219b';
// Computed, not documented: `echo -n 'https://www.example.com/your/callback|1519375990|Test123' | md5sum`.
const AS_CONFIGURED = 'c587b80d2d0ede300e8967937da7219b';
// Computed, not documented: the same with the key lower-cased (`…|test123`), the one that has the page's prefix.
const LOWER_CASED = 'c72b60894140fa98920f1279219b7ed4';

function check(overrides: Partial<SignatureCheckInput>): ReturnType<typeof verifyIceCallbackSignature> {
  return verifyIceCallbackSignature({
    publicUrl: URL,
    timestamp: String(TS),
    signature: AS_CONFIGURED,
    keys: [KEY],
    maxSkewSeconds: 300,
    nowMs: TS * 1000,
    ...overrides,
  });
}

test("ICE's documented result is md5 over the lower-cased key, not over the key as printed", () => {
  assert.ok(signIceCallback(URL, TS, KEY.toLowerCase()).startsWith(DOCUMENTED_PREFIX));
  assert.ok(!signIceCallback(URL, TS, KEY).startsWith(DOCUMENTED_PREFIX));
});

test('a signature over the lower-cased key verifies, and says so: the documented example is accepted', () => {
  const lowerCased = signIceCallback(URL, TS, KEY.toLowerCase());
  assert.equal(lowerCased, LOWER_CASED);
  assert.ok(lowerCased.startsWith(DOCUMENTED_PREFIX));
  assert.deepEqual(check({ signature: lowerCased }), { ok: true, keyForm: 'lower-case' });
  assert.deepEqual(check({ signature: lowerCased.toUpperCase() }), { ok: true, keyForm: 'lower-case' });
});

test('a signature over the key as configured verifies too, and says so', () => {
  assert.equal(signIceCallback(URL, TS, KEY), AS_CONFIGURED);
  assert.deepEqual(check({}), { ok: true, keyForm: 'as-configured' });
  assert.deepEqual(check({ signature: AS_CONFIGURED.toUpperCase() }), { ok: true, keyForm: 'as-configured' });
});

test('only the lower-case form is added: an upper-cased key, or the documented prefix alone, does not verify', () => {
  const upper = check({ signature: signIceCallback(URL, TS, KEY.toUpperCase()) });
  assert.equal(!upper.ok && upper.reason, 'bad_signature');
  const masked = check({ signature: `${DOCUMENTED_PREFIX}0000` });
  assert.equal(!masked.ok && masked.reason, 'bad_signature');
});

test('the window is inclusive at maxSkewSeconds on both sides and closed beyond, for either key form', () => {
  for (const signature of [AS_CONFIGURED, LOWER_CASED]) {
    assert.equal(check({ signature, nowMs: (TS + 300) * 1000 }).ok, true);
    assert.equal(check({ signature, nowMs: (TS - 300) * 1000 }).ok, true);
    const stale = check({ signature, nowMs: (TS + 301) * 1000 });
    assert.equal(!stale.ok && stale.reason, 'stale_timestamp');
    const future = check({ signature, nowMs: (TS - 301) * 1000 });
    assert.equal(!future.ok && future.reason, 'stale_timestamp');
  }
});

test('rotation: any configured key verifies, in either form; none of them → bad_signature', () => {
  assert.equal(check({ keys: ['NewKey2025b', KEY] }).ok, true);
  assert.equal(check({ keys: [KEY, 'NewKey2025b'] }).ok, true);
  assert.deepEqual(check({ keys: ['NewKey2025b', KEY], signature: LOWER_CASED }), { ok: true, keyForm: 'lower-case' });
  const none = check({ keys: ['NewKey2025b', 'OldKey2024a'] });
  assert.equal(!none.ok && none.reason, 'bad_signature');
  const noneLower = check({ keys: ['NewKey2025b', 'OldKey2024a'], signature: LOWER_CASED });
  assert.equal(!noneLower.ok && noneLower.reason, 'bad_signature');
  const empty = check({ keys: [] });
  assert.equal(!empty.ok && empty.reason, 'bad_signature');
});

test('the URL is signed byte for byte', () => {
  for (const publicUrl of [`${URL}/`, URL.replace('https', 'http'), `${URL}?x=1`, URL.toUpperCase()]) {
    for (const signature of [AS_CONFIGURED, LOWER_CASED]) {
      const result = check({ publicUrl, signature });
      assert.equal(!result.ok && result.reason, 'bad_signature', publicUrl);
    }
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
    [{ signature: AS_CONFIGURED.slice(1) }, 'malformed_signature'],
    [{ signature: `${AS_CONFIGURED}00` }, 'malformed_signature'],
    [{ signature: DOCUMENTED_PREFIX }, 'malformed_signature'],
    [{ signature: 'z'.repeat(32) }, 'malformed_signature'],
  ];
  for (const [overrides, reason] of cases) {
    const result = check(overrides);
    assert.equal(!result.ok && result.reason, reason, JSON.stringify(overrides));
  }
});
