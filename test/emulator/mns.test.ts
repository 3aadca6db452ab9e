/**
 * The emulator's MNS endpoint on the wire: ICE's events in MNS mode, the MNS faults, visibility and long polls,
 * signature errors as XML, and queues across a restart. The official SDK's own test: test/conformance/mns-sdk.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { parseFaultFlags } from '../../src/cli/faults';
import { signMnsRequest } from '../../src/mns/signature';
import { createMnsSdkClient, type MnsSdkClient } from '../support/mns-sdk';
import { startWiredEmulator, type WiredEmulator } from './support/emulator';
import { waitFor } from './support/ice-wire';

const QUEUE = 'ice-callback-emulator';

function sdkOn(harness: WiredEmulator): MnsSdkClient {
  return createMnsSdkClient('1', { ...harness.credentials, endpoint: harness.emulator.url });
}

/** One signed request as a client would send it, answered raw. */
async function mnsFetch(
  harness: WiredEmulator,
  method: string,
  resource: string,
  options: { body?: string; date?: Date; tamper?: (headers: Record<string, string>) => void } = {},
): Promise<{ status: number; text: string }> {
  const headers = signMnsRequest({ ...harness.credentials, method, resource, body: options.body, date: options.date });
  options.tamper?.(headers);
  const response = await fetch(`${harness.emulator.url}${resource}`, { method, headers, body: options.body });
  return { status: response.status, text: await response.text() };
}

describe('the emulator speaks MNS', () => {
  let harness: WiredEmulator;
  let mns: MnsSdkClient;

  beforeEach(async () => {
    harness = await startWiredEmulator({ callbackTiming: { timeoutMs: 500, retryDelayMs: 100 } });
    mns = sdkOn(harness);
  });
  afterEach(() => harness.close());

  it('writes ICE events into the callback queue in MNS mode, the same JSON as the HTTP POST', async () => {
    await mns.createQueue(QUEUE);
    await harness.wire.ok('SetEventCallback', { CallbackType: 'MNS', CallbackQueueName: QUEUE });
    const answer = await harness.emulator.admin.sendEvent({
      eventType: 'TranscodeComplete',
      messageBody: { JobId: 'j1' },
    });
    assert.ok(answer.sent && answer.queueName === QUEUE, JSON.stringify(answer));
    const received = await mns.receiveMessage(QUEUE, 5);
    const event = JSON.parse(received.body.MessageBody!) as Record<string, unknown>;
    assert.equal(event.EventType, 'TranscodeComplete');
    assert.deepEqual(event.MessageBody, { JobId: 'j1' });
    const [delivery] = await harness.emulator.admin.callbacks();
    assert.equal(delivery?.outcome, 'queued');
    assert.deepEqual(await harness.emulator.admin.mnsQueues(), [
      { name: QUEUE, activeMessages: 0, inactiveMessages: 1, delayMessages: 0 },
    ]);
  });

  it('base64-encodes the event under the base64Body fault', async () => {
    await mns.createQueue(QUEUE);
    await harness.wire.ok('SetEventCallback', { CallbackType: 'MNS', CallbackQueueName: QUEUE });
    await harness.emulator.admin.setFaults({ mns: { base64Body: { count: 1 } } });
    await harness.emulator.admin.sendEvent({ eventType: 'TranscodeComplete', messageBody: { JobId: 'j2' } });
    const received = await mns.receiveMessage(QUEUE, 5);
    const decoded = JSON.parse(Buffer.from(received.body.MessageBody!, 'base64').toString('utf8')) as {
      EventType: string;
    };
    assert.equal(decoded.EventType, 'TranscodeComplete');
  });

  it('fails deletes and receives under the MNS faults; the message comes back after its visibility timeout', async () => {
    await mns.createQueue(QUEUE, { VisibilityTimeout: 1 });
    await mns.sendMessage(QUEUE, { MessageBody: 'keep me' });
    await harness.emulator.admin.setFaults({ mns: { receiveServerError: { count: 1 }, deleteFails: { count: 2 } } });
    await assert.rejects(mns.receiveMessage(QUEUE), { name: 'MNSInternalErrorError' });
    const first = await mns.receiveMessage(QUEUE);
    await assert.rejects(mns.deleteMessage(QUEUE, first.body.ReceiptHandle!), { name: 'MNSInternalErrorError' });
    await assert.rejects(mns.batchDeleteMessage(QUEUE, [first.body.ReceiptHandle!]), { name: 'MNSInternalErrorError' });
    // A long poll started while the message is hidden answers when it becomes visible again.
    const startedAt = Date.now();
    const again = await mns.receiveMessage(QUEUE, 10);
    assert.ok(Date.now() - startedAt < 5_000);
    assert.equal(again.body.DequeueCount, '2');
    assert.equal(again.body.MessageBody, 'keep me');
    await assert.rejects(mns.deleteMessage(QUEUE, first.body.ReceiptHandle!), { name: 'MNSReceiptHandleErrorError' });
    assert.equal((await mns.deleteMessage(QUEUE, again.body.ReceiptHandle!)).code, 204);
  });

  it('validates the MNS faults as it validates every admin body', async () => {
    const put = (body: unknown) =>
      fetch(`${harness.emulator.url}/__emulator/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { field: string } }));
    assert.deepEqual((await put({ mns: { deleteFails: { count: -1 } } })).body.field, 'mns.deleteFails.count');
    assert.deepEqual((await put({ mns: { dropEverything: { rate: 1 } } })).body.field, 'mns.dropEverything');
    assert.equal((await put({ mns: { receiveServerError: { rate: 2 } } })).status, 400);
    assert.deepEqual(await harness.emulator.admin.faults(), {});
  });

  it('answers signature problems with MNS XML errors carrying RequestId and HostId', async () => {
    await mns.createQueue(QUEUE);
    const resource = `/queues/${QUEUE}/messages?waitseconds=1`;
    const unsigned = await fetch(`${harness.emulator.url}${resource}`);
    assert.equal(unsigned.status, 400);
    assert.match(await unsigned.text(), /<Code>MissingAuthorizationHeader<\/Code>/);
    const stale = await mnsFetch(harness, 'GET', resource, { date: new Date(Date.now() - 20 * 60_000) });
    assert.equal(stale.status, 408);
    assert.match(stale.text, /<Code>TimeExpired<\/Code>/);
    const tampered = await mnsFetch(harness, 'GET', resource, {
      tamper: (headers) => (headers['x-mns-version'] = '2000-01-01'),
    });
    assert.equal(tampered.status, 403);
    assert.match(
      tampered.text,
      /^<\?xml version="1.0" encoding="UTF-8"\?><Error xmlns="http:\/\/mns.aliyuncs.com\/doc\/v1\/">/,
    );
    assert.match(
      tampered.text,
      /<Code>SignatureDoesNotMatch<\/Code>.*<RequestId>[0-9A-F]{24}<\/RequestId><HostId>http:\/\//,
    );
    const empty = await mnsFetch(harness, 'GET', `/queues/${QUEUE}/messages`);
    assert.equal(empty.status, 404);
    assert.match(empty.text, /<Code>MessageNotExist<\/Code>/);
    const malformed = await mnsFetch(harness, 'POST', `/queues/${QUEUE}/messages`, { body: '<Message></Message>' });
    assert.equal(malformed.status, 400);
  });
});

describe('--fault mns:…', () => {
  it('reads the MNS faults and refuses an unknown one', () => {
    assert.deepEqual(parseFaultFlags(['mns:deleteFails:2', 'mns:receiveServerError:0.5', 'mns:base64Body']), {
      mns: { deleteFails: { count: 2 }, receiveServerError: { rate: 0.5 }, base64Body: { rate: 1 } },
    });
    assert.throws(() => parseFaultFlags(['mns:dropAll']), /MNS faults are deleteFails, receiveServerError, base64Body/);
  });
});

describe('MNS queues across a restart', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ice-emulator-mns-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps queues, messages and in-flight receipt handles in ICE_EMULATOR_STATE_FILE', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await startWiredEmulator({ stateFile });
    const mns1 = sdkOn(first);
    await mns1.createQueue(QUEUE, { VisibilityTimeout: 60 });
    await mns1.batchSendMessage(QUEUE, [{ MessageBody: 'a' }, { MessageBody: 'b' }]);
    const inFlight = await mns1.receiveMessage(QUEUE);
    await first.close();

    const second = await startWiredEmulator({ stateFile });
    try {
      const mns2 = sdkOn(second);
      const attributes = await mns2.getQueueAttributes(QUEUE);
      assert.equal(attributes.body.VisibilityTimeout, '60');
      assert.equal(attributes.body.ActiveMessages, '1');
      assert.equal(attributes.body.InactiveMessages, '1');
      const other = await mns2.receiveMessage(QUEUE);
      assert.notEqual(other.body.MessageBody, inFlight.body.MessageBody);
      assert.equal((await mns2.deleteMessage(QUEUE, inFlight.body.ReceiptHandle!)).code, 204);
      await waitFor(async () =>
        (await second.emulator.admin.mnsQueues())[0]?.inactiveMessages === 1 ? true : undefined,
      );
    } finally {
      await second.close();
    }
  });
});
