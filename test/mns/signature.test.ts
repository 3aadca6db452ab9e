import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mnsSignature,
  mnsSignatureMatches,
  mnsStringToSign,
  parseMnsAuthorization,
  signMnsRequest,
} from '../../src/mns/signature';
import { createMnsSdkClient } from '../support/mns-sdk';

const KEY = { accessKeyId: 'LTAIexampleKeyId', accessKeySecret: 'example/secret+value=' };
const sdk = createMnsSdkClient('1234567890', { ...KEY, endpoint: 'http://127.0.0.1:9' });

const CASES = [
  { method: 'GET', resource: '/queues/ice-callback-a/messages?numOfMessages=16&waitseconds=30', body: '' },
  {
    method: 'POST',
    resource: '/queues/ice-callback-a/messages',
    body: '<Message><MessageBody>é</MessageBody></Message>',
  },
  { method: 'DELETE', resource: '/queues/q/messages?ReceiptHandle=1-ODU4OTkzNDU5My0xNDMyNzI3ODI3LTItOA==', body: '' },
  { method: 'PUT', resource: '/queues/q/messages?receiptHandle=h&visibilityTimeout=10', body: '' },
];

describe('MNS request signature', () => {
  for (const c of CASES) {
    it(`verifies what the official SDK signs: ${c.method} ${c.resource}`, () => {
      const headers = sdk.buildHeaders(c.method, Buffer.from(c.body), c.resource, { 'x-mns-marker': 'b' });
      const parsed = parseMnsAuthorization(headers.authorization);
      assert.ok(parsed);
      assert.equal(parsed.accessKeyId, KEY.accessKeyId);
      assert.equal(
        mnsSignature(KEY.accessKeySecret, { method: c.method, resource: c.resource, headers }),
        parsed.signature,
      );
      assert.ok(mnsSignatureMatches(KEY.accessKeySecret, { ...c, headers }, parsed.signature));
    });

    it(`signs as the official SDK signs: ${c.method} ${c.resource}`, () => {
      const headers = signMnsRequest({ ...KEY, method: c.method, resource: c.resource, body: c.body });
      const sdkHeaders = { ...headers };
      delete sdkHeaders.authorization;
      assert.equal(headers.authorization, `MNS ${KEY.accessKeyId}:${sdk.sign(c.method, sdkHeaders, c.resource)}`);
    });
  }

  it('sends the STS token as security-token, outside the signature (as the SDK does)', () => {
    const withToken = createMnsSdkClient('1', { ...KEY, endpoint: 'http://127.0.0.1:9', securityToken: 'sts' });
    const sdkHeaders = withToken.buildHeaders('GET', '', '/queues/q', {});
    assert.equal(sdkHeaders['security-token'], 'sts');
    const date = new Date(sdkHeaders.date!);
    const ours = signMnsRequest({ ...KEY, method: 'GET', resource: '/queues/q', securityToken: 'sts', date });
    assert.equal(ours['security-token'], 'sts');
    assert.equal(ours.authorization, sdkHeaders.authorization);
  });

  it('lays the string to sign out as VERB, Content-MD5, Content-Type, Date, x-mns-* headers, resource', () => {
    const headers = { Date: 'D', 'Content-Type': 'text/xml', 'content-md5': 'M', 'X-MNS-Version': 'v', 'x-mns-a': '1' };
    const text = mnsStringToSign({ method: 'put', resource: '/queues/q?x=1', headers });
    assert.equal(text, 'PUT\nM\ntext/xml\nD\nx-mns-a:1\nx-mns-version:v\n/queues/q?x=1');
  });

  it('refuses a changed resource, a changed header, another secret and a malformed Authorization', () => {
    const headers = signMnsRequest({ ...KEY, method: 'GET', resource: '/queues/q/messages' });
    const signature = parseMnsAuthorization(headers.authorization)!.signature;
    const input = { method: 'GET', resource: '/queues/q/messages', headers };
    assert.ok(mnsSignatureMatches(KEY.accessKeySecret, input, signature));
    assert.ok(!mnsSignatureMatches(KEY.accessKeySecret, { ...input, resource: '/queues/p/messages' }, signature));
    assert.ok(!mnsSignatureMatches(KEY.accessKeySecret, { ...input, headers: { ...headers, date: 'x' } }, signature));
    assert.ok(!mnsSignatureMatches('other', input, signature));
    assert.equal(parseMnsAuthorization('ACS3-HMAC-SHA256 Credential=x'), undefined);
    assert.equal(parseMnsAuthorization(undefined), undefined);
  });
});
