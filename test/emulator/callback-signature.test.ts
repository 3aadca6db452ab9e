import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { signIceCallback } from '../../src/ice/callback-auth';

describe('signIceCallback', () => {
  it('is md5("<CallbackURL>|<timestamp>|<AuthKey>") in lower-case hex', () => {
    const expected = createHash('md5')
      .update(Buffer.from('https://www.example.com/your/callback|1519375990|Test123', 'utf8'))
      .digest('hex');
    assert.equal(signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test123'), expected);
    assert.equal(signIceCallback('https://www.example.com/your/callback', '1519375990', 'Test123'), expected);
    assert.match(expected, /^[0-9a-f]{32}$/);
  });

  it("gives ICE's documented result (last 4 characters masked on the page) only over the lower-cased key", () => {
    // docs/ice-api.md#callback-signature: the page prints key Test123 and c72b60894140fa98920f1279219b****.
    const documented = /^c72b60894140fa98920f1279219b[0-9a-f]{4}$/;
    assert.match(signIceCallback('https://www.example.com/your/callback', 1519375990, 'test123'), documented);
    assert.doesNotMatch(signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test123'), documented);
  });

  it('changes with the URL, the timestamp and the key', () => {
    const base = signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test123');
    assert.notEqual(signIceCallback('https://www.example.com/your/callback/', 1519375990, 'Test123'), base);
    assert.notEqual(signIceCallback('https://www.example.com/your/callback', 1519375991, 'Test123'), base);
    assert.notEqual(signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test124'), base);
  });
});
