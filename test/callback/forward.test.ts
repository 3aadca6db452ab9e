/**
 * Forwarding to the endpoint that had the account's one callback URL before (ICE_CALLBACK_FORWARD_URL): a real HTTP
 * target gets every callback that is not a voice clone's, byte for byte, signed for its own URL with ICE's scheme
 * (or unsigned without a key), and ICE gets 200 only when the target answered 200.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { verifyIceCallbackSignature } from '../../src/callback/signature';
import type { HttpCapture } from '../support/harness';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import {
  NEW_KEY,
  capturingLogger,
  freePort,
  nowSeconds,
  postCallback,
  rawPost,
  signedHeaders,
  startCountingStand,
  uniquelySignedHeaders,
  voiceJobEvent,
  type CountingStand,
} from './support';

const FORWARD_KEY = 'FwdKey2026x';

describe('forwarding callbacks that are not a voice clone’s', () => {
  let stand: CountingStand;
  let target: HttpCapture;
  let receiver: RunningCallbackReceiver;
  const log = capturingLogger('callback-forward');

  before(async () => {
    stand = await startCountingStand('callback-forward');
    target = await stand.h.captureHttp({ path: '/old/ice-events' });
    receiver = await stand.startReceiver({ forwardUrl: target.url, forwardAuthKey: FORWARD_KEY }, log.logger);
  });

  after(() => stand?.h.close());

  function verifiesForTarget(
    headers: HttpCapture['requests'][number]['headers'],
  ): ReturnType<typeof verifyIceCallbackSignature> {
    return verifyIceCallbackSignature({
      publicUrl: target.url,
      timestamp: headers['x-ice-timestamp'] as string | undefined,
      signature: headers['x-ice-signature'] as string | undefined,
      keys: [FORWARD_KEY],
      maxSkewSeconds: 5,
      nowMs: Date.now(),
    });
  }

  test('an event of another feature arrives byte-identical, with its Content-Type, signed for the forward URL', async () => {
    // Odd spacing, key order, escapes and non-ASCII text: a re-serialised body would differ.
    const raw = Buffer.from(
      '{ "MessageBody":{"JobId":"8f2c\\u0041b","Title":"新闻 – ü"} ,"EventType":"TranscodeComplete","UserId":1,' +
        '"EventTime":"2026-12-02T10:00:00Z"}\n',
      'utf8',
    );
    const count = target.requests.length;
    const rpcs = stand.temporal.rpcs.length;
    const contentType = 'text/plain; charset=utf-8';
    const answer = await rawPost(receiver.callbackUrl, raw, { ...signedHeaders(NEW_KEY), 'content-type': contentType });
    assert.deepEqual(answer, { status: 200, body: { status: 'forwarded' } });
    const got = await target.nth(count + 1);
    assert.ok(got.body.equals(raw), 'the same bytes');
    assert.equal(got.headers['content-type'], contentType);
    assert.equal(got.path, new URL(target.url).pathname);
    assert.deepEqual(verifiesForTarget(got.headers), { ok: true, keyForm: 'as-configured' });
    // ICE's own signature (for the receiver's URL) is not passed on.
    assert.notEqual(got.headers['x-ice-signature'], signedHeaders(NEW_KEY)['X-ICE-SIGNATURE']);
    assert.equal(stand.temporal.rpcs.length, rpcs, 'no Temporal call');
    assert.equal(receiver.metrics().forwarded, 1);
  });

  test('without a Content-Type from ICE, none is forwarded', async () => {
    const count = target.requests.length;
    const raw = Buffer.from(JSON.stringify(voiceJobEvent({ MediaId: 'm-1' }, 'ProduceMediaComplete')));
    const answer = await rawPost(receiver.callbackUrl, raw, signedHeaders(NEW_KEY));
    assert.deepEqual(answer, { status: 200, body: { status: 'forwarded' } });
    const got = await target.nth(count + 1);
    assert.ok(got.body.equals(raw));
    assert.equal(got.headers['content-type'], undefined);
  });

  test('the target answering 500 gets ICE a 502 (ICE retries); its 200 on the retry gets ICE a 200', async () => {
    const event = voiceJobEvent({ JobId: randomBytes(16).toString('hex') }, 'SnapshotComplete');
    const headers = signedHeaders(NEW_KEY);
    const before = receiver.metrics();
    target.status = 500;
    try {
      const refused = await postCallback(receiver.callbackUrl, event, headers);
      assert.deepEqual(refused, { status: 502, body: { error: 'forward_failed', message: 'try again shortly' } });
    } finally {
      target.status = 200;
    }
    const retried = await postCallback(receiver.callbackUrl, event, headers);
    assert.deepEqual(retried, { status: 200, body: { status: 'forwarded' } });
    const after = receiver.metrics();
    assert.equal(after.forwardFailed - before.forwardFailed, 1);
    assert.equal(after.forwarded - before.forwarded, 1);
    assert.ok(log.lines.some((line) => line.includes('forward target answered 500')));
  });

  test('a voice clone’s callback is signalled, not forwarded', async () => {
    const workflowId = voiceCloneWorkflowId('VoiceNotForwarded');
    await stand.openClone(workflowId);
    const count = target.requests.length;
    const answer = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ VoiceId: 'VoiceNotForwarded', Status: 'Training' }),
      signedHeaders(NEW_KEY),
    );
    assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    // The next forwarded event is the next request the target sees: the voice callback never reached it.
    const marker = voiceJobEvent({ MediaId: 'marker' }, 'FileUploadComplete');
    assert.equal((await postCallback(receiver.callbackUrl, marker, signedHeaders(NEW_KEY))).status, 200);
    const next = await target.nth(count + 1);
    assert.deepEqual(JSON.parse(next.body.toString('utf8')), marker);
  });

  test('a JobId ICE does not know is forwarded after one ICE read, and without one the next time', async () => {
    const event = voiceJobEvent({ JobId: randomBytes(16).toString('hex'), Status: 'Success' }, 'MysteryJobComplete');
    const reads = async (): Promise<number> =>
      (await stand.h.emulator.admin.calls()).filter((call) => call.params.JobId === event.MessageBody.JobId).length;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const count = target.requests.length;
      // Each attempt signed anew: the same signature with the same body would be answered from memory, unforwarded.
      const answer = await postCallback(receiver.callbackUrl, event, uniquelySignedHeaders());
      assert.deepEqual(answer, { status: 200, body: { status: 'forwarded' } }, `attempt ${attempt}`);
      assert.deepEqual(JSON.parse((await target.nth(count + 1)).body.toString('utf8')), event);
      assert.equal(await reads(), 1, `ICE reads after attempt ${attempt}`);
    }
  });

  test('a target that is down or too slow gets ICE a 502 inside its 3 s', async () => {
    const silent = await stand.h.captureHttp({ path: '/events', answer: () => 'hang' }); // never answers
    const slowUrl = silent.url;
    const downUrl = `http://127.0.0.1:${await freePort()}/events`;
    try {
      for (const [name, forwardUrl] of [
        ['slow', slowUrl],
        ['down', downUrl],
      ]) {
        const other = await stand.startReceiver({ forwardUrl, temporalTimeoutMs: 1_000 }, log.logger);
        try {
          const started = Date.now();
          const answer = await postCallback(
            other.callbackUrl,
            voiceJobEvent({ MediaId: 'm' }, 'DeleteMediaComplete'),
            signedHeaders(NEW_KEY),
          );
          assert.equal(answer.status, 502, name);
          assert.ok(Date.now() - started < 2_900, `${name}: answered after ${Date.now() - started} ms`);
          assert.equal(other.metrics().forwardFailed, 1, name);
        } finally {
          await other.close();
        }
      }
    } finally {
      await silent.close();
    }
  });

  test('without ICE_CALLBACK_FORWARD_AUTH_KEY the forward is unsigned', async () => {
    const unsignedTarget = await stand.h.captureHttp({ path: '/unsigned' });
    const other = await stand.startReceiver({ forwardUrl: unsignedTarget.url }, log.logger);
    try {
      const answer = await postCallback(
        other.callbackUrl,
        voiceJobEvent({ MediaId: 'm' }, 'RegisterMediaComplete'),
        signedHeaders(NEW_KEY, nowSeconds()),
      );
      assert.deepEqual(answer, { status: 200, body: { status: 'forwarded' } });
      const got = await unsignedTarget.nth(1);
      assert.equal(got.headers['x-ice-signature'], undefined);
      assert.equal(got.headers['x-ice-timestamp'], undefined);
    } finally {
      await other.close();
      await unsignedTarget.close();
    }
  });

  test('no log line carries the forward key or a signature', () => {
    for (const line of log.lines) {
      assert.ok(!line.includes(FORWARD_KEY), 'the forward key was logged');
      // The tests' JobIds are 32 hex digits too: leave them out of the search.
      const { jobId: _jobId, ...rest } = JSON.parse(line) as Record<string, unknown>;
      assert.ok(!/[0-9a-f]{32}/.test(JSON.stringify(rest)), `something signature-like: ${line}`);
    }
  });
});
