/**
 * The emulator as the shared account ICE keeps: one callback setting (HTTP or MNS, validated as ICE documents it),
 * any ICE event posted on demand through that setting exactly like a job end, and signing with the lower-cased key.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmulatorAdminClient, type RunningEmulator } from '../../src/emulator';
import { startWiredEmulator, type CallbackAnswer, type CallbackTarget, type WiredEmulator } from './support/emulator';
import { waitFor, type WireClient } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';
import { startCliProcess } from '../support/harness';

const AUTH_KEY = 'SharedKey42';
const USER_ID = 1098765432109876;
const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

describe('the emulated account callback setting', () => {
  let harness: WiredEmulator;
  let emulator: RunningEmulator;
  let ice: WireClient;

  // A fresh emulator per test: closing one cuts its callback retries short, so none spills into the next test.
  beforeEach(async () => {
    harness = await startWiredEmulator({
      trainingMs: 60_000,
      userId: USER_ID,
      callbackTiming: { timeoutMs: 500, retryDelayMs: 100 },
    });
    ({ emulator, wire: ice } = harness);
  });
  afterEach(() => harness.close());

  /** A callback target, closed with the test's emulator. */
  const receiver = (behaviour?: CallbackAnswer): Promise<CallbackTarget> => harness.captureCallbacks(behaviour);
  const setHttp = (url: string, extra: Record<string, string> = {}) =>
    ice.ok('SetEventCallback', {
      CallbackType: 'HTTP',
      CallbackURL: url,
      AuthSwitch: 'on',
      AuthKey: AUTH_KEY,
      ...extra,
    });
  const code = async (params: Record<string, string>): Promise<string> => {
    const response = await ice.raw('SetEventCallback', params);
    assert.equal(response.status, 400, JSON.stringify(response.body));
    return String(response.body.Code);
  };

  describe('SetEventCallback and GetEventCallback', () => {
    it('validate what ICE documents: URL ≤256 bytes, MNS queue prefix ice-callback-, the AuthKey rule', async () => {
      const longUrl = `https://cb.example.com/${'a'.repeat(234)}`;
      assert.equal(Buffer.byteLength(longUrl), 257);
      assert.equal(await code({ CallbackType: 'HTTP', CallbackURL: longUrl }), 'InvalidParameter');
      await ice.ok('SetEventCallback', { CallbackType: 'HTTP', CallbackURL: longUrl.slice(0, 256) });
      assert.equal(await code({ CallbackType: 'HTTP' }), 'MissingParameter');
      assert.equal(await code({ CallbackType: 'SMS', CallbackURL: 'https://cb.example.com/' }), 'InvalidParameter');
      assert.equal(await code({ CallbackType: 'MNS' }), 'MissingParameter');
      assert.equal(await code({ CallbackType: 'MNS', CallbackQueueName: 'my-queue' }), 'InvalidParameter');
      assert.equal(await code({ CallbackType: 'MNS', CallbackQueueName: 'ice-callback-' }), 'InvalidParameter');
      const url = 'https://cb.example.com/ice';
      assert.equal(await code({ CallbackURL: url, AuthSwitch: 'on' }), 'MissingParameter');
      assert.equal(await code({ CallbackURL: url, AuthSwitch: 'on', AuthKey: 'alllowercase1' }), 'InvalidParameter');
      assert.equal(
        await code({ CallbackURL: url, AuthSwitch: 'on', AuthKey: `Aa1${'b'.repeat(30)}` }),
        'InvalidParameter',
      );
      const setCalls = (await emulator.admin.calls()).filter((call) => call.action === 'SetEventCallback');
      assert.ok(
        setCalls.every((call) => !JSON.stringify(call.params).includes('alllowercase1')),
        'keys redacted',
      );
    });

    it('keep one setting: the last SetEventCallback replaces the whole of it, MNS included', async () => {
      await setHttp('https://first.example.com/cb', { EventTypeList: 'ProduceMediaComplete,TranscodeComplete' });
      assert.deepEqual(await ice.ok('GetEventCallback').then(({ RequestId: _requestId, ...setting }) => setting), {
        CallbackType: 'HTTP',
        CallbackURL: 'https://first.example.com/cb',
        EventTypeList: 'ProduceMediaComplete,TranscodeComplete',
        AuthSwitch: 'on',
        AuthKey: AUTH_KEY,
      });
      await ice.ok('SetEventCallback', {
        CallbackType: 'MNS',
        CallbackQueueName: 'ice-callback-media',
        EventTypeList: 'FileUploadComplete',
        AuthSwitch: 'on',
        AuthKey: AUTH_KEY,
      });
      // AuthSwitch and AuthKey are returned only for HTTP callbacks; an MNS setting has no URL.
      assert.deepEqual(await ice.ok('GetEventCallback').then(({ RequestId: _requestId, ...setting }) => setting), {
        CallbackType: 'MNS',
        CallbackQueueName: 'ice-callback-media',
        EventTypeList: 'FileUploadComplete',
      });
      await ice.ok('SetEventCallback', { CallbackURL: 'https://second.example.com/cb' });
      const back = await ice.ok('GetEventCallback');
      assert.deepEqual(
        [
          back.CallbackType,
          back.CallbackURL,
          back.CallbackQueueName,
          back.EventTypeList,
          back.AuthSwitch,
          back.AuthKey,
        ],
        ['HTTP', 'https://second.example.com/cb', undefined, '', 'off', undefined],
      );
    });

    it('forget the setting through the admin API: the account answers and delivers as one that set none', async () => {
      const { RequestId: _before, ...unset } = await ice.ok('GetEventCallback');
      const target = await receiver();
      await setHttp(target.url);
      await emulator.admin.clearEventCallback();
      const { RequestId: _after, ...cleared } = await ice.ok('GetEventCallback');
      assert.deepEqual(cleared, unset);
      const sent = await emulator.admin.sendEvent({ eventType: 'ProduceMediaComplete', messageBody: {} });
      assert.equal(sent.sent, false, JSON.stringify(sent));
      assert.equal(target.callbacks().length, 0);
    });
  });

  describe('POST /__emulator/events', () => {
    it('posts any ICE event to the callback URL with the ICE envelope and signature', async () => {
      const rx = await receiver();
      await setHttp(rx.url, { EventTypeList: 'ProduceMediaComplete,TranscodeComplete' });
      const messageBody = { JobId: 'produce0001', Status: 'Success', MediaURL: 'https://oss.example.com/out.mp4' };
      const answer = await emulator.admin.sendEvent({
        eventType: 'ProduceMediaComplete',
        messageBody,
        eventTime: '2026-11-28T10:00:00Z',
      });
      assert.equal(answer.sent, true);
      assert.ok(answer.sent && answer.callbackUrl === rx.url && answer.copies === 1);
      const log = await waitFor(async () => {
        const deliveries = (await emulator.admin.callbacks()).filter((entry) => entry.eventId === answer.eventId);
        return deliveries.length > 0 ? deliveries : undefined;
      });
      assert.deepEqual(
        log.map(({ jobId, voiceId, eventType, attempt, outcome }) => ({ jobId, voiceId, eventType, attempt, outcome })),
        [{ jobId: 'produce0001', voiceId: '', eventType: 'ProduceMediaComplete', attempt: 1, outcome: 'delivered' }],
      );
      const [callback] = rx.callbacks();
      assert.deepEqual(callback.body, {
        EventType: 'ProduceMediaComplete',
        UserId: USER_ID,
        EventTime: '2026-11-28T10:00:00Z',
        MessageBody: messageBody,
      });
      const timestamp = String(callback.headers['x-ice-timestamp']);
      assert.equal(callback.headers['x-ice-signature'], md5(`${rx.url}|${timestamp}|${AUTH_KEY}`));
    });

    it('filters by EventTypeList and says why, and says when there is no callback at all', async () => {
      const none = await emulator.admin.sendEvent({ eventType: 'TranscodeComplete', messageBody: {} });
      assert.deepEqual([none.sent, !none.sent && none.reason], [false, 'no-callback']);
      const rx = await receiver();
      await setHttp(rx.url, { EventTypeList: 'ProduceMediaComplete' });
      const filtered = await emulator.admin.sendEvent({ eventType: 'TranscodeComplete', messageBody: { JobId: 'x1' } });
      assert.equal(filtered.sent, false);
      assert.ok(!filtered.sent && filtered.reason === 'event-type-filtered', JSON.stringify(filtered));
      assert.match(filtered.detail, /TranscodeComplete is not in EventTypeList ProduceMediaComplete/);
      // An event sent after the filtered one arrives alone: the filtered one was never queued ahead of it.
      const sent = await emulator.admin.sendEvent({ eventType: 'ProduceMediaComplete', messageBody: { JobId: 'x2' } });
      assert.equal(sent.sent, true);
      await waitFor(async () => (rx.requests.length > 0 ? true : undefined));
      assert.deepEqual(
        rx.callbacks().map((callback) => callback.body.MessageBody.JobId),
        ['x2'],
      );
      assert.deepEqual(
        (await emulator.admin.callbacks()).map((entry) => entry.eventId),
        [sent.eventId],
      );
    });

    it('an empty EventTypeList sends every type; a job end goes through the same filter', async () => {
      const rx = await receiver();
      await setHttp(rx.url);
      assert.equal((await emulator.admin.sendEvent({ eventType: 'LiveRecordTaskStatus', messageBody: {} })).sent, true);
      await setHttp(rx.url, { EventTypeList: 'ProduceMediaComplete' });
      const jobId = await submitVoice(ice, 'filteredEnd1');
      await emulator.admin.finishJob(jobId);
      await setHttp(rx.url, { EventTypeList: 'CustomizedVoiceJobComplete' });
      const after = await submitVoice(ice, 'passedEnd1');
      await emulator.admin.finishJob(after);
      await waitFor(async () => (rx.requests.length === 2 ? true : undefined));
      assert.deepEqual(
        rx.callbacks().map((callback) => [callback.body.EventType, callback.body.MessageBody.VoiceId]),
        [
          ['LiveRecordTaskStatus', undefined],
          ['CustomizedVoiceJobComplete', 'passedEnd1'],
        ],
      );
    });

    it('retries an event twice like a job end, and the callback faults apply', async () => {
      const rx = await receiver(() => 500);
      await setHttp(rx.url);
      const answer = await emulator.admin.sendEvent({ eventType: 'SnapshotComplete', messageBody: { JobId: 's1' } });
      const log = await waitFor(async () => {
        const entries = await emulator.admin.callbacks();
        return entries.some((entry) => entry.outcome === 'gave-up') ? entries : undefined;
      });
      assert.deepEqual(
        log.map(({ eventId, attempt, httpStatus, outcome }) => ({ eventId, attempt, httpStatus, outcome })),
        [1, 2, 3].map((attempt) => ({
          eventId: answer.eventId,
          attempt,
          httpStatus: 500,
          outcome: attempt === 3 ? 'gave-up' : 'failed',
        })),
      );
      await emulator.admin.setFaults({ callbacks: { drop: { count: 1 }, duplicate: { count: 1 } } });
      const dropped = await emulator.admin.sendEvent({ eventType: 'SnapshotComplete', messageBody: {} });
      assert.ok(!dropped.sent && dropped.reason === 'dropped-by-fault', JSON.stringify(dropped));
      const doubled = await emulator.admin.sendEvent({ eventType: 'SnapshotComplete', messageBody: {} });
      assert.ok(doubled.sent && doubled.copies === 2, JSON.stringify(doubled));
    });

    it('in MNS mode retries a queue that does not exist as ICE does, then drops the event', async () => {
      await ice.ok('SetEventCallback', { CallbackType: 'MNS', CallbackQueueName: 'ice-callback-team' });
      const answer = await emulator.admin.sendEvent({ eventType: 'TranscodeComplete', messageBody: { JobId: 't1' } });
      assert.ok(answer.sent && answer.queueName === 'ice-callback-team', JSON.stringify(answer));
      const log = await waitFor(async () => {
        const entries = await emulator.admin.callbacks();
        return entries.length >= 3 ? entries : undefined;
      });
      assert.deepEqual(
        log.map(({ eventId, jobId, attempt, outcome, httpStatus, queueName }) => ({
          eventId,
          jobId,
          attempt,
          outcome,
          httpStatus,
          queueName,
        })),
        [1, 2, 3].map((attempt) => ({
          eventId: answer.eventId,
          jobId: 't1',
          attempt,
          outcome: attempt === 3 ? 'gave-up' : 'failed',
          httpStatus: undefined,
          queueName: 'ice-callback-team',
        })),
      );
    });

    it('refuses a malformed event with 400', async () => {
      const post = (body: unknown) =>
        fetch(`${emulator.url}/__emulator/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((response) => response.status);
      assert.equal(await post({ messageBody: {} }), 400);
      assert.equal(await post({ eventType: 'X', messageBody: [] }), 400);
      assert.equal(await post({ eventType: 'X', messageBody: {}, userId: 'me' }), 400);
      assert.equal(await post({ eventType: 'X', messageBody: {}, eventTime: 5 }), 400);
    });
  });

  describe('lowerCaseCallbackKey', () => {
    it('signs with the lower-cased key when switched on, and with the key as set when off', async () => {
      const rx = await receiver();
      await setHttp(rx.url);
      assert.equal((await emulator.admin.settings()).lowerCaseCallbackKey, false);
      assert.deepEqual(await emulator.admin.updateSettings({ lowerCaseCallbackKey: true }), {
        trainingMs: 60_000,
        lowerCaseCallbackKey: true,
        cosyVoiceJobType: 'CosyVoice',
      });
      await emulator.admin.sendEvent({ eventType: 'ProduceMediaComplete', messageBody: { JobId: 'lower' } });
      await waitFor(async () => (rx.requests.length === 1 ? true : undefined));
      await emulator.admin.updateSettings({ lowerCaseCallbackKey: false });
      await emulator.admin.sendEvent({ eventType: 'ProduceMediaComplete', messageBody: { JobId: 'asSet' } });
      await waitFor(async () => (rx.requests.length === 2 ? true : undefined));
      const [lower, asSet] = rx.callbacks().map((callback) => ({
        signature: callback.headers['x-ice-signature'],
        timestamp: String(callback.headers['x-ice-timestamp']),
      }));
      assert.equal(lower.signature, md5(`${rx.url}|${lower.timestamp}|${AUTH_KEY.toLowerCase()}`));
      assert.notEqual(lower.signature, md5(`${rx.url}|${lower.timestamp}|${AUTH_KEY}`));
      assert.equal(asSet.signature, md5(`${rx.url}|${asSet.timestamp}|${AUTH_KEY}`));
    });

    it('refuses a non-boolean value', async () => {
      await assert.rejects(emulator.admin.updateSettings({ lowerCaseCallbackKey: 'yes' as never }), /HTTP 400/);
    });

    it('is the emulator command flag --lower-case-callback-key', async () => {
      const child = startCliProcess(['emulator', '--port', '0', '--lower-case-callback-key']);
      try {
        const [, url] = await child.waitForOutput(/listening on (http:\/\/\S+)/);
        assert.equal((await new EmulatorAdminClient(url).settings()).lowerCaseCallbackKey, true);
      } finally {
        await child.stop('SIGINT');
      }
      assert.equal(await child.exited, 0);
    });
  });
});
