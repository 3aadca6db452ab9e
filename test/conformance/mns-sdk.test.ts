/**
 * Conformance with a client nobody here wrote: Alibaba's official MNS SDK (`@alicloud/mns` 1.2.0) drives the
 * emulator's MNS endpoint through every operation the emulator offers, as the Python SDK test does for ICE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { createMnsSdkClient, type MnsSdkClient } from '../support/mns-sdk';

const ACCOUNT_ID = '1234567890123456';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, `MNS${code}Error`, error.message);
    assert.match(error.message, /requestid: [0-9A-F]{24}, hostid: http:\/\//);
    return true;
  });
}

describe('the official MNS SDK against the emulator', () => {
  let harness: IceHarness;
  let mns: MnsSdkClient;

  before(async () => {
    harness = await startTestEmulator();
    mns = createMnsSdkClient(ACCOUNT_ID, { ...harness.credentials, endpoint: harness.emulator.url });
  });
  after(() => harness.close());

  it('creates, reads and deletes a queue', async () => {
    const created = await mns.createQueue('ice-callback-conformance', { VisibilityTimeout: 5, PollingWaitSeconds: 1 });
    assert.equal(created.code, 201);
    assert.equal(created.headers.location, `${harness.emulator.url}/queues/ice-callback-conformance`);
    assert.equal(
      (await mns.createQueue('ice-callback-conformance', { VisibilityTimeout: 5, PollingWaitSeconds: 1 })).code,
      204,
    );
    await rejectsWith(mns.createQueue('ice-callback-conformance', { VisibilityTimeout: 6 }), 'QueueAlreadyExist');
    const attributes = await mns.getQueueAttributes('ice-callback-conformance');
    assert.equal(attributes.code, 200);
    assert.equal(attributes.body.QueueName, 'ice-callback-conformance');
    assert.equal(attributes.body.VisibilityTimeout, '5');
    assert.equal(attributes.body.PollingWaitSeconds, '1');
    assert.equal(attributes.body.MaximumMessageSize, '65536');
    assert.equal((await mns.deleteQueue('ice-callback-conformance')).code, 204);
    await rejectsWith(mns.getQueueAttributes('ice-callback-conformance'), 'QueueNotExist');
    await rejectsWith(mns.createQueue('1-not-a-queue-name'), 'InvalidQueueName');
  });

  it('sends, receives, changes visibility and deletes one message', async () => {
    await mns.createQueue('ice-callback-one', { VisibilityTimeout: 30 });
    const body = '{"EventType":"CustomizedVoiceJobComplete","MessageBody":{"JobId":"j<&>1"}}';
    const sent = await mns.sendMessage('ice-callback-one', {
      MessageBody: body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    });
    assert.equal(sent.code, 201);
    assert.match(String(sent.body.MessageId), /^[0-9A-F]{32}$/);
    assert.match(String(sent.body.MessageBodyMD5), /^[0-9A-F]{32}$/);

    const received = await mns.receiveMessage('ice-callback-one', 1);
    assert.equal(received.code, 200);
    assert.equal(received.body.MessageBody, body);
    assert.equal(received.body.MessageId, sent.body.MessageId);
    assert.equal(received.body.DequeueCount, '1');
    assert.ok(Number(received.body.NextVisibleTime) >= Number(received.body.EnqueueTime) + 29_000);
    await rejectsWith(mns.receiveMessage('ice-callback-one'), 'MessageNotExist');

    const changed = await mns.changeMessageVisibility('ice-callback-one', received.body.ReceiptHandle!, 1);
    assert.equal(changed.code, 200);
    assert.notEqual(changed.body.ReceiptHandle, received.body.ReceiptHandle);
    assert.ok(Number(changed.body.NextVisibleTime) <= Date.now() + 1_000);
    await rejectsWith(mns.deleteMessage('ice-callback-one', received.body.ReceiptHandle!), 'ReceiptHandleError');

    const again = await mns.receiveMessage('ice-callback-one', 3);
    assert.equal(again.body.DequeueCount, '2');
    await rejectsWith(mns.deleteMessage('ice-callback-one', changed.body.ReceiptHandle!), 'ReceiptHandleError');
    assert.equal((await mns.deleteMessage('ice-callback-one', again.body.ReceiptHandle!)).code, 204);
    await rejectsWith(mns.receiveMessage('ice-callback-one'), 'MessageNotExist');
    await rejectsWith(mns.receiveMessage('no-such-queue'), 'QueueNotExist');
  });

  it('sends, receives and deletes in batches of up to 16', async () => {
    await mns.createQueue('ice-callback-batch');
    const messages = Array.from({ length: 16 }, (_, index) => ({ MessageBody: `event-${index}` }));
    const sent = await mns.batchSendMessage('ice-callback-batch', messages);
    assert.equal(sent.code, 201);
    assert.equal((sent.body as unknown[]).length, 16);

    const received = await mns.batchReceiveMessage('ice-callback-batch', 16, 1);
    assert.equal(received.code, 200);
    assert.deepEqual(
      received.body.map((message) => message.MessageBody).sort(),
      messages.map((m) => m.MessageBody).sort(),
    );
    await rejectsWith(mns.batchReceiveMessage('ice-callback-batch', 16), 'MessageNotExist');

    const handles = received.body.map((message) => message.ReceiptHandle!);
    const partly = await mns.batchDeleteMessage('ice-callback-batch', [handles[0]!, 'stale-handle']);
    const errors = partly.body as { ErrorCode: string; ReceiptHandle: string }[];
    assert.deepEqual(
      errors.map((error) => [error.ErrorCode, error.ReceiptHandle]),
      [['ReceiptHandleError', 'stale-handle']],
    );
    assert.equal((await mns.batchDeleteMessage('ice-callback-batch', handles.slice(1))).code, 204);
    const attributes = await mns.getQueueAttributes('ice-callback-batch');
    assert.equal(attributes.body.ActiveMessages, '0');
    assert.equal(attributes.body.InactiveMessages, '0');
  });

  it('long-polls: a receive waiting on an empty queue is answered as soon as a message arrives', async () => {
    await mns.createQueue('ice-callback-poll');
    const startedAt = Date.now();
    const waiting = mns.batchReceiveMessage('ice-callback-poll', 16, 10);
    setTimeout(() => void mns.sendMessage('ice-callback-poll', { MessageBody: 'late' }), 300);
    const received = await waiting;
    assert.deepEqual(
      received.body.map((message) => message.MessageBody),
      ['late'],
    );
    assert.ok(Date.now() - startedAt < 5_000, 'answered well before the wait ended');
  });

  it('refuses a wrong secret and an unknown key pair with MNS errors', async () => {
    const url = harness.emulator.url;
    const wrongSecret = createMnsSdkClient(ACCOUNT_ID, {
      ...harness.credentials,
      accessKeySecret: 'wrong',
      endpoint: url,
    });
    await rejectsWith(wrongSecret.getQueueAttributes('ice-callback-batch'), 'SignatureDoesNotMatch');
    const unknown = createMnsSdkClient(ACCOUNT_ID, { accessKeyId: 'LTAIunknown', accessKeySecret: 'x', endpoint: url });
    await rejectsWith(unknown.getQueueAttributes('ice-callback-batch'), 'InvalidAccessKeyId');
  });
});
