import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { signIceCallback } from '../../src/emulator/callback-signature';

describe('signIceCallback', () => {
  it('matches ICE\'s documented example md5("<CallbackURL>|<timestamp>|<AuthKey>")', () => {
    const expected = createHash('md5')
      .update(Buffer.from('https://www.example.com/your/callback|1519375990|Test123', 'utf8'))
      .digest('hex');
    assert.equal(signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test123'), expected);
    assert.equal(signIceCallback('https://www.example.com/your/callback', '1519375990', 'Test123'), expected);
    assert.match(expected, /^[0-9a-f]{32}$/);
  });

  it('changes with the URL, the timestamp and the key', () => {
    const base = signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test123');
    assert.notEqual(signIceCallback('https://www.example.com/your/callback/', 1519375990, 'Test123'), base);
    assert.notEqual(signIceCallback('https://www.example.com/your/callback', 1519375991, 'Test123'), base);
    assert.notEqual(signIceCallback('https://www.example.com/your/callback', 1519375990, 'Test124'), base);
  });
});
