/**
 * The receiver against a real dev server and a fixture clone: what each kind of request is answered, and that
 * only accepted callbacks reach the workflow.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { CallbackReceiverError, type RunningCallbackReceiver } from '../../src/callback/server';
import type { IceClient } from '../../src/ice/types';
import { searchAttributes } from '../../src/workflows/definitions';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { callbackRecorderWorkflow, receivedCallbacksQuery } from './fixtures/workflows';
import {
  NEW_KEY,
  OLD_KEY,
  PUBLIC_URL,
  capturingLogger,
  FIXTURE_WORKER,
  nowSeconds,
  postCallback,
  rawPost,
  receiverConfig,
  signedHeaders,
  uniquelySignedHeaders,
  voiceJobEvent,
  unreachableIce,
} from './support';

describe('callback receiver', () => {
  let h: TestHarness;
  let env: TestHarness['env'];
  let receiver: RunningCallbackReceiver;
  const { logger, lines } = capturingLogger();
  let ice: IceClient;

  before(async () => {
    h = await startTestHarness({ name: 'callback-receiver', worker: FIXTURE_WORKER });
    env = h.env;
    // Any test that reached ICE would get 503, proving it did not.
    ice = await unreachableIce();
    receiver = await h.startCallbackReceiver({ config: receiverConfig(), ice, taskQueue: h.taskQueue, logger });
  });

  after(() => h?.close());

  async function startClone(voiceId: string, jobId?: string): Promise<WorkflowHandle<typeof callbackRecorderWorkflow>> {
    return env.client.workflow.start(callbackRecorderWorkflow, {
      taskQueue: h.taskQueue,
      workflowId: voiceCloneWorkflowId(voiceId),
      ...(jobId ? { typedSearchAttributes: [{ key: searchAttributes.iceJobId, value: jobId }] } : {}),
    });
  }

  async function received(handle: WorkflowHandle): Promise<number> {
    return (await handle.query(receivedCallbacksQuery)).length;
  }

  test('a signed callback for a known voice is signalled; old and new keys are both accepted', async () => {
    const handle = await startClone('VoiceSigned1');
    const event = voiceJobEvent({ VoiceId: 'VoiceSigned1', JobId: 'job-signed-1', Status: 'Training' });
    const withNew = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY));
    assert.deepEqual(withNew, { status: 200, body: { status: 'signalled' } });
    const withOld = await postCallback(receiver.callbackUrl, event, signedHeaders(OLD_KEY));
    assert.equal(withOld.status, 200);
    const payloads = await handle.query(receivedCallbacksQuery);
    assert.equal(payloads.length, 2);
    // The clone gets the bounded fact, never ICE's body.
    assert.deepEqual(payloads[0], {
      eventType: event.EventType,
      jobId: 'job-signed-1',
      voiceId: 'VoiceSigned1',
      status: 'Training',
      eventTime: event.EventTime,
    });
  });

  test('a timestamp inside the window (either side) is accepted', async () => {
    const handle = await startClone('VoiceSkewOk');
    const event = voiceJobEvent({ VoiceId: 'VoiceSkewOk', Status: 'Training' });
    for (const offset of [-290, 290]) {
      const answer = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY, nowSeconds() + offset));
      assert.equal(answer.status, 200, `offset ${offset}`);
    }
    assert.equal(await received(handle), 2);
  });

  test('bad, stale, future, missing and wrong-key signatures get 401 and never reach the workflow', async () => {
    const handle = await startClone('VoiceGuarded');
    const event = voiceJobEvent({ VoiceId: 'VoiceGuarded', Status: 'Success' });
    const ts = nowSeconds();
    const cases: [string, Record<string, string>, string][] = [
      ['forged', { 'X-ICE-TIMESTAMP': String(ts), 'X-ICE-SIGNATURE': 'f'.repeat(32) }, 'bad_signature'],
      ['wrong key', signedHeaders('WrongKey9z', ts), 'bad_signature'],
      ['signed for another URL', signedHeaders(NEW_KEY, ts, receiver.callbackUrl), 'bad_signature'],
      ['stale', signedHeaders(NEW_KEY, ts - 301), 'stale_timestamp'],
      // ts is floored to the second, so ts + 301 falls inside the window once the next second begins (seen in CI).
      ['future', signedHeaders(NEW_KEY, ts + 310), 'stale_timestamp'],
      ['missing', {}, 'missing_signature'],
      ['timestamp only', { 'X-ICE-TIMESTAMP': String(ts) }, 'missing_signature'],
      ['not hex', { 'X-ICE-TIMESTAMP': String(ts), 'X-ICE-SIGNATURE': 'not-a-signature' }, 'malformed_signature'],
      ['timestamp in ms', signedHeaders(NEW_KEY, Date.now()), 'malformed_signature'],
    ];
    for (const [name, headers, reason] of cases) {
      const answer = await postCallback(receiver.callbackUrl, event, headers);
      assert.equal(answer.status, 401, name);
      assert.equal(answer.body.error, reason, name);
    }
    assert.equal(await received(handle), 0);
    const description = await handle.describe();
    assert.equal(description.status.name, 'RUNNING');
  });

  test('a JSON callback is read whatever its Content-Type, or without one; a body that is not JSON gets 400', async () => {
    // ASSUMPTION (docs/ice-api.md#callback-delivery): ICE names no Content-Type for its POST.
    const handle = await startClone('VoiceAnyType');
    const event = voiceJobEvent({ VoiceId: 'VoiceAnyType', Status: 'Training' });
    // A signature each: the same signature with the same body is a retry, answered without another signal.
    const types = ['text/plain', 'text/plain; charset=utf-8', 'application/octet-stream'];
    for (const contentType of types) {
      const headers = uniquelySignedHeaders();
      const answer = await postCallback(receiver.callbackUrl, JSON.stringify(event), headers, contentType);
      assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } }, contentType);
    }
    const headers = signedHeaders(NEW_KEY);
    const none = await rawPost(receiver.callbackUrl, Buffer.from(JSON.stringify(event)), headers);
    assert.deepEqual(none, { status: 200, body: { status: 'signalled' } }, 'no Content-Type');
    assert.equal(await received(handle), 4);
    for (const [body, contentType] of [
      ['a=b', 'application/x-www-form-urlencoded'],
      ['<EventType>x</EventType>', 'text/xml'],
      ['', 'application/json'],
    ]) {
      const answer = await postCallback(receiver.callbackUrl, body, headers, contentType);
      assert.deepEqual([answer.status, answer.body.error], [400, 'malformed_json'], contentType);
    }
    assert.equal(await received(handle), 4);
  });

  test('oversized body, malformed JSON and bad envelopes are rejected without a signal', async () => {
    const handle = await startClone('VoiceInputs');
    const valid = voiceJobEvent({ VoiceId: 'VoiceInputs', Status: 'Success' });
    const headers = signedHeaders(NEW_KEY);
    const padded = { ...valid, Padding: 'x'.repeat(70_000) };
    const tooBig = await postCallback(receiver.callbackUrl, padded, headers);
    assert.equal(tooBig.status, 413);
    const truncated = await postCallback(receiver.callbackUrl, '{"EventType": "CustomizedVoiceJobComplete",', headers);
    assert.deepEqual([truncated.status, truncated.body.error], [400, 'malformed_json']);
    const envelopes: [string, unknown][] = [
      ['array', [valid]],
      ['no EventType', { MessageBody: { VoiceId: 'VoiceInputs' } }],
      ['MessageBody not an object', { EventType: 'CustomizedVoiceJobComplete', MessageBody: 'VoiceInputs' }],
      ['no ids', voiceJobEvent({ Status: 'Success' })],
      ['VoiceId not a string', voiceJobEvent({ VoiceId: 42 as unknown as string, Status: 'Success' })],
      ['VoiceId with quotes', voiceJobEvent({ VoiceId: 'a"b', Status: 'Success' })],
      ['JobId query injection', voiceJobEvent({ JobId: 'x" OR IceJobId != "', Status: 'Success' })],
    ];
    for (const [name, body] of envelopes) {
      const answer = await postCallback(receiver.callbackUrl, body, headers);
      assert.equal(answer.status, 400, name);
      assert.equal(answer.body.error, 'invalid_envelope', name);
      assert.equal(typeof answer.body.message, 'string', name);
    }
    assert.equal(await received(handle), 0);
    assert.equal((await handle.describe()).status.name, 'RUNNING');
  });

  test('an oversized body sent chunked (no Content-Length) is cut off with 413, not a reset', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        receiver.callbackUrl,
        { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(NEW_KEY) } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.write('{"EventType":"CustomizedVoiceJobComplete","Padding":"');
      // 5 x 16 KiB, past the 64 KiB limit; written without waiting so the server decides mid-stream.
      for (let i = 0; i < 5; i++) request.write('x'.repeat(16_384));
      request.end('"}');
    });
    assert.equal(status, 413);
  });

  test("another ICE feature's event gets 200, is counted by type and changes nothing", async () => {
    const before = receiver.metrics();
    const answer = await postCallback(
      receiver.callbackUrl,
      {
        EventType: 'ProduceMediaComplete',
        UserId: 1,
        EventTime: '2026-01-01T00:00:00Z',
        MessageBody: { MediaId: 'm1', JobId: 'produce-job-1' },
      },
      signedHeaders(NEW_KEY),
    );
    assert.deepEqual(answer, { status: 200, body: { status: 'ignored' } });
    const after = receiver.metrics();
    assert.equal(after.ignored, before.ignored + 1);
    const produced = (metrics: typeof before): number => metrics.foreignByEventType.ProduceMediaComplete ?? 0;
    assert.equal(produced(after), produced(before) + 1);
  });

  test('a signature over the lower-cased key is accepted, and the metric says which form matched', async () => {
    // docs/ice-api.md#callback-signature: ICE's worked example only adds up with the key lower-cased.
    const handle = await startClone('VoiceLowerKey');
    const event = voiceJobEvent({ VoiceId: 'VoiceLowerKey', Status: 'Training' });
    const before = receiver.metrics().signatureKeyForms;
    const lower = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY.toLowerCase()));
    assert.deepEqual(lower, { status: 200, body: { status: 'signalled' } });
    const asSet = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY));
    assert.equal(asSet.status, 200);
    const upper = await postCallback(receiver.callbackUrl, event, signedHeaders(NEW_KEY.toUpperCase()));
    assert.deepEqual([upper.status, upper.body.error], [401, 'bad_signature']);
    assert.equal(await received(handle), 2);
    const after = receiver.metrics().signatureKeyForms;
    assert.equal((after['lower-case'] ?? 0) - (before['lower-case'] ?? 0), 1);
    assert.equal((after['as-configured'] ?? 0) - (before['as-configured'] ?? 0), 1);
    const text = await (await fetch(`${receiver.url}/metrics`)).text();
    assert.match(text, /^ice_callback_signature_key_form_total\{form="lower-case"\} [1-9]\d*$/m);
    const debug = lines.filter((line) => line.includes('"msg":"callback signature verified"'));
    assert.ok(debug.some((line) => line.includes('"keyForm":"lower-case"')));
  });

  test('a callback for a voice with no clone, or a clone already finished, gets 200 and counts as unmatched', async () => {
    const before = receiver.metrics().unmatched;
    const unknown = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ VoiceId: 'NoSuchVoice', JobId: 'job-none', Status: 'Success' }),
      signedHeaders(NEW_KEY),
    );
    assert.deepEqual(unknown, { status: 200, body: { status: 'unmatched' } });
    // ICE's retry of the same event is answered from memory.
    const remembered = receiver.metrics().remembered;
    const again = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ VoiceId: 'NoSuchVoice', JobId: 'job-none', Status: 'Success' }),
      // Signed anew (the same signature with the same body would be answered from the signature memory).
      uniquelySignedHeaders(),
    );
    assert.deepEqual(again, { status: 200, body: { status: 'unmatched' } });
    assert.equal(receiver.metrics().remembered, remembered + 1);

    const handle = await startClone('VoiceFinished');
    const done = voiceJobEvent({ VoiceId: 'VoiceFinished', Status: 'Success' });
    assert.equal((await postCallback(receiver.callbackUrl, done, signedHeaders(NEW_KEY))).body.status, 'signalled');
    const result = await handle.result();
    assert.equal(result.completingStatus, 'Success');
    const replay = await postCallback(receiver.callbackUrl, done, uniquelySignedHeaders());
    assert.deepEqual(replay, { status: 200, body: { status: 'unmatched' } });
    assert.equal(receiver.metrics().unmatched, before + 3);
  });

  test('a callback with only a JobId asks ICE for its voice, not Temporal: ICE unreachable → 503, no signal', async () => {
    // Even a clone whose IceJobId Temporal could find is not looked up there: ICE's record is the one read.
    const handle = await startClone('VoiceByJob', 'job-by-attribute-7');
    const before = receiver.metrics().iceUnavailable;
    const answer = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ JobId: 'job-by-attribute-7', Status: 'Success' }),
      signedHeaders(OLD_KEY),
    );
    assert.deepEqual(answer, { status: 503, body: { error: 'ice_unavailable', message: 'try again shortly' } });
    assert.equal(receiver.metrics().iceUnavailable, before + 1);
    assert.equal(await received(handle), 0);
  });

  test('health, metrics and 404/405 answers', async () => {
    const health = await fetch(`${receiver.url}/healthz`);
    assert.equal(health.status, 200);
    const wrongMethod = await fetch(receiver.callbackUrl);
    assert.equal(wrongMethod.status, 405);
    assert.equal((await fetch(`${receiver.url}/elsewhere`)).status, 404);
    const metrics = await fetch(`${receiver.url}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await metrics.text();
    const snapshot = receiver.metrics();
    assert.match(text, new RegExp(`^ice_callback_received_total ${snapshot.received}$`, 'm'));
    assert.match(text, /^ice_callback_rejected_total\{reason="bad_signature"\} [1-9]\d*$/m);
    assert.match(text, /^ice_callback_rejected_total\{reason="stale_timestamp"\} [1-9]\d*$/m);
    assert.match(text, new RegExp(`^ice_callback_signalled_total ${snapshot.signalled}$`, 'm'));
    assert.match(text, /^ice_callback_request_duration_seconds\{quantile="0.99"\} \d/m);
    assert.ok(snapshot.latency.count >= snapshot.received);
    assert.ok(snapshot.latency.p99Ms >= snapshot.latency.p50Ms);
  });

  test('every request logged exactly one line, and no line carries a key or a signature', () => {
    const requestLines = lines.filter((line) => /"msg":"callback (handled|rejected|not delivered)"/.test(line));
    assert.equal(requestLines.length, receiver.metrics().received);
    for (const line of lines) {
      for (const secret of [OLD_KEY, NEW_KEY]) assert.ok(!line.includes(secret), 'a key was logged');
      assert.ok(!/[0-9a-f]{32}/.test(line), 'something signature-like was logged');
    }
  });

  test('without keys it refuses to start unless unsigned callbacks are allowed, and then warns every time', async () => {
    await assert.rejects(
      h.startCallbackReceiver({ config: receiverConfig({ authKeys: [] }), ice, logger }),
      (error: unknown) => error instanceof CallbackReceiverError && error.code === 'UnsignedCallbacksRefused',
    );
    const unsignedLog = capturingLogger();
    const open = await h.startCallbackReceiver({
      config: receiverConfig({ authKeys: [], publicUrl: undefined, allowUnsigned: true }),
      ice,
      logger: unsignedLog.logger,
    });
    try {
      const handle = await startClone('VoiceUnsigned');
      const event = voiceJobEvent({ VoiceId: 'VoiceUnsigned', Status: 'Training' });
      assert.equal((await postCallback(open.callbackUrl, event, {})).status, 200);
      assert.equal((await postCallback(open.callbackUrl, event, {})).status, 200);
      assert.equal(await received(handle), 2);
      const warnings = unsignedLog.lines.map((line) => JSON.parse(line) as { level: string; msg: string });
      assert.equal(
        warnings.filter((l) => l.level === 'warn' && /accepting UNSIGNED/.test(l.msg)).length,
        1,
        'start warning',
      );
      assert.equal(warnings.filter((l) => l.level === 'warn' && /WITHOUT signature/.test(l.msg)).length, 2);
    } finally {
      await open.close();
    }
  });

  test('the public URL is what is signed, not the local one', () => {
    assert.notEqual(PUBLIC_URL, receiver.callbackUrl);
  });
});
