/**
 * Attacks on the emulator's MNS endpoint over real HTTP: nobody without the key pair reads or writes a queue, a
 * captured signed request cannot carry another body, hostile XML is refused with MNS's error (never a crash or a
 * quadratic parse), and a stale receipt handle deletes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signMnsRequest } from '../../src/mns/signature';
import { startWiredEmulator, type WiredEmulator } from '../emulator/support/emulator';
import { createMnsSdkClient, type MnsSdkClient } from '../support/mns-sdk';

const QUEUE = 'ice-callback-attacked';

describe('emulator MNS endpoint under attack', () => {
  let harness: WiredEmulator;
  let mns: MnsSdkClient;

  const send = async (method: string, resource: string, body?: string, headers?: Record<string, string>) => {
    const signed = headers ?? signMnsRequest({ ...harness.credentials, method, resource, body });
    const response = await fetch(`${harness.emulator.url}${resource}`, { method, headers: signed, body });
    return { status: response.status, text: await response.text() };
  };
  const code = (text: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

  before(async () => {
    harness = await startWiredEmulator();
    mns = createMnsSdkClient('1', { ...harness.credentials, endpoint: harness.emulator.url });
    await mns.createQueue(QUEUE);
  });
  after(() => harness.close());

  it('refuses unsigned, forged and foreign-key requests without touching the queue', async () => {
    await mns.sendMessage(QUEUE, { MessageBody: 'secret event' });
    const resource = `/queues/${QUEUE}/messages`;
    assert.equal(code((await send('GET', resource, undefined, {})).text), 'MissingAuthorizationHeader');
    const forged = signMnsRequest({
      accessKeyId: harness.credentials.accessKeyId,
      accessKeySecret: 'guess',
      method: 'GET',
      resource,
    });
    assert.equal(code((await send('GET', resource, undefined, forged)).text), 'SignatureDoesNotMatch');
    const foreign = signMnsRequest({ accessKeyId: 'LTAIother', accessKeySecret: 'x', method: 'GET', resource });
    assert.equal(code((await send('GET', resource, undefined, foreign)).text), 'InvalidAccessKeyId');
    const [queue] = await harness.emulator.admin.mnsQueues();
    assert.equal(queue?.activeMessages, 1, 'the message is still there, unseen');
  });

  it('refuses a captured signed SendMessage replayed with another body (InvalidDegist)', async () => {
    const resource = `/queues/${QUEUE}/messages`;
    const original = '<Message><MessageBody>real</MessageBody></Message>';
    const headers = signMnsRequest({ ...harness.credentials, method: 'POST', resource, body: original });
    const replayed = await send('POST', resource, '<Message><MessageBody>forged</MessageBody></Message>', headers);
    assert.equal(replayed.status, 400);
    assert.equal(code(replayed.text), 'InvalidDegist');
  });

  it('refuses hostile XML with MalformedXML, fast', async () => {
    const resource = `/queues/${QUEUE}/messages`;
    const entity =
      '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><Message><MessageBody>&b;</MessageBody></Message>';
    assert.equal(code((await send('POST', resource, entity)).text), 'MalformedXML');
    assert.equal(
      code((await send('POST', resource, '<Message><MessageBody>&#x110000;</MessageBody></Message>')).text),
      'MalformedXML',
    );
    const startedAt = Date.now();
    const unclosed = await send('POST', resource, `<Messages>${'<Message>'.repeat(100_000)}`);
    assert.equal(unclosed.status, 400);
    assert.ok(Date.now() - startedAt < 2_000, 'no quadratic parse');
    const health = await fetch(`${harness.emulator.url}/__emulator/health`);
    assert.equal(health.status, 200);
  });

  it('lets a stale receipt handle delete nothing once the message was received again', async () => {
    await mns.createQueue('ice-callback-stale', { VisibilityTimeout: 1 });
    await mns.sendMessage('ice-callback-stale', { MessageBody: 'x' });
    const first = await mns.receiveMessage('ice-callback-stale');
    const second = await mns.receiveMessage('ice-callback-stale', 5);
    const stale = await send(
      'DELETE',
      `/queues/ice-callback-stale/messages?ReceiptHandle=${first.body.ReceiptHandle!}`,
    );
    assert.equal(stale.status, 400);
    assert.equal(code(stale.text), 'ReceiptHandleError');
    assert.equal((await mns.deleteMessage('ice-callback-stale', second.body.ReceiptHandle!)).code, 204);
  });
});
