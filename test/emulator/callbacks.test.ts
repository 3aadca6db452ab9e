import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { CallbackDelivery, RunningEmulator } from '../../src/emulator';
import { startWiredEmulator, type CallbackAnswer, type CallbackTarget, type WiredEmulator } from './support/emulator';
import { waitFor, type WireClient } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

const AUTH_KEY = 'CallbackKey123';
const USER_ID = 1098765432101234;

describe('callback delivery', () => {
  let harness: WiredEmulator;
  let emulator: RunningEmulator;
  let ice: WireClient;
  let receiver: CallbackTarget | undefined;

  before(async () => {
    harness = await startWiredEmulator({ trainingMs: 60_000, userId: USER_ID });
    ({ emulator, wire: ice } = harness);
  });
  after(() => harness.close());
  beforeEach(() => emulator.admin.reset());
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const useReceiver = async (
    behaviour?: CallbackAnswer,
    settings: Record<string, string> = { AuthSwitch: 'on', AuthKey: AUTH_KEY },
  ): Promise<CallbackTarget> => {
    receiver = await harness.captureCallbacks(behaviour);
    await ice.ok('SetEventCallback', { CallbackType: 'HTTP', CallbackURL: receiver.url, ...settings });
    return receiver;
  };
  const trainAndFinish = async (voiceId: string): Promise<string> => {
    const jobId = await submitVoice(ice, voiceId);
    await emulator.admin.finishJob(jobId);
    return jobId;
  };
  const voicesReceived = (rx: CallbackTarget): string[] =>
    rx.callbacks().map((callback) => callback.body.MessageBody.VoiceId);
  const deliveriesUntil = (done: (log: CallbackDelivery[]) => boolean, timeoutMs = 15_000) =>
    waitFor(async () => {
      const log = await emulator.admin.callbacks();
      return done(log) ? log : undefined;
    }, timeoutMs);

  it('POSTs the job end with ICE envelope and a verifiable X-ICE-SIGNATURE', async () => {
    const rx = await useReceiver(() => 200, {
      AuthSwitch: 'on',
      AuthKey: AUTH_KEY,
      EventTypeList: 'CustomizedVoiceJobComplete,ProduceMediaComplete',
    });
    const jobId = await trainAndFinish('cbVoice1');
    const log = await deliveriesUntil((entries) => entries.length === 1);
    assert.deepEqual(
      log.map(({ attempt, outcome, httpStatus, jobId: id }) => ({ attempt, outcome, httpStatus, id })),
      [{ attempt: 1, outcome: 'delivered', httpStatus: 200, id: jobId }],
    );
    const [callback] = rx.callbacks();
    assert.equal(callback.body.EventType, 'CustomizedVoiceJobComplete');
    assert.equal(callback.body.UserId, USER_ID);
    assert.match(callback.body.EventTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.deepEqual(callback.body.MessageBody, { JobId: jobId, VoiceId: 'cbVoice1', Status: 'Success', Message: '' });
    const timestamp = String(callback.headers['x-ice-timestamp']);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
    const expected = createHash('md5').update(`${rx.url}|${timestamp}|${AUTH_KEY}`).digest('hex');
    assert.equal(callback.headers['x-ice-signature'], expected);
  });

  it('sends no signature headers when AuthSwitch is off, and nothing for unsubscribed event types', async () => {
    const rx = await useReceiver(() => 200, { AuthSwitch: 'off' });
    await trainAndFinish('cbUnsigned');
    await deliveriesUntil((entries) => entries.length === 1);
    const [unsigned] = rx.callbacks();
    assert.equal(unsigned.headers['x-ice-signature'], undefined);
    assert.equal(unsigned.headers['x-ice-timestamp'], undefined);

    await ice.ok('SetEventCallback', { CallbackURL: rx.url, EventTypeList: 'ProduceMediaComplete' });
    await trainAndFinish('cbFiltered');
    // Subscribed again, a later job's callback is the marker: had cbFiltered's gone out when its job ended, it
    // would have arrived before this one.
    await ice.ok('SetEventCallback', { CallbackURL: rx.url, EventTypeList: 'CustomizedVoiceJobComplete' });
    await trainAndFinish('cbSubscribed');
    const log = await deliveriesUntil((entries) => entries.some((entry) => entry.voiceId === 'cbSubscribed'));
    assert.deepEqual(
      log.map((entry) => entry.voiceId),
      ['cbUnsigned', 'cbSubscribed'],
    );
    assert.deepEqual(voicesReceived(rx), ['cbUnsigned', 'cbSubscribed']);
  });

  it('retries after a non-200 answer, 1 s apart, and stops at the first 200', async () => {
    const rx = await useReceiver((attempt) => (attempt === 1 ? 500 : 200));
    await trainAndFinish('cbRetry');
    const log = await deliveriesUntil((entries) => entries.some((entry) => entry.outcome === 'delivered'));
    assert.deepEqual(
      log.map(({ attempt, outcome, httpStatus }) => ({ attempt, outcome, httpStatus })),
      [
        { attempt: 1, outcome: 'failed', httpStatus: 500 },
        { attempt: 2, outcome: 'delivered', httpStatus: 200 },
      ],
    );
    assert.ok(Date.parse(log[1].at) - Date.parse(log[0].at) >= 900, 'retry waits about 1 s');
    assert.equal(rx.requests.length, 2);
  });

  it('gives up after 3 attempts when the receiver never answers within 3 s', async () => {
    const rx = await useReceiver(() => 'hang');
    await trainAndFinish('cbHang');
    const log = await deliveriesUntil((entries) => entries.some((entry) => entry.outcome === 'gave-up'), 20_000);
    assert.deepEqual(
      log.map(({ attempt, outcome, httpStatus }) => ({ attempt, outcome, httpStatus })),
      [
        { attempt: 1, outcome: 'failed', httpStatus: undefined },
        { attempt: 2, outcome: 'failed', httpStatus: undefined },
        { attempt: 3, outcome: 'gave-up', httpStatus: undefined },
      ],
    );
    assert.equal(rx.requests.length, 3);
  });

  describe('callback faults', () => {
    it('drops a callback entirely', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { drop: { count: 1 } } });
      await trainAndFinish('cbDrop');
      const log = await emulator.admin.callbacks();
      assert.deepEqual(
        log.map((entry) => entry.outcome),
        ['dropped-by-fault'],
      );
      await trainAndFinish('cbAfterDrop');
      await deliveriesUntil((entries) => entries.length === 2);
      assert.deepEqual(
        rx.callbacks().map((callback) => callback.body.MessageBody.VoiceId),
        ['cbAfterDrop'],
      );
    });

    it('duplicates a callback', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { duplicate: { count: 1 } } });
      await trainAndFinish('cbDup');
      await deliveriesUntil((entries) => entries.filter((entry) => entry.outcome === 'delivered').length === 2);
      assert.equal(rx.requests.length, 2);
      const [first, second] = rx.callbacks();
      assert.deepEqual(first.body, second.body);
    });

    it('delays callbacks until their time or a flush', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { delayMs: 60_000 } });
      await trainAndFinish('cbDelay');
      // Without the fault a later job's callback goes out at once: once it has arrived, an undelayed cbDelay would
      // have arrived before it.
      await emulator.admin.setFaults({});
      await trainAndFinish('cbPrompt');
      await deliveriesUntil((entries) => entries.some((entry) => entry.voiceId === 'cbPrompt'));
      assert.deepEqual(voicesReceived(rx), ['cbPrompt']);
      await emulator.admin.flushCallbacks();
      await deliveriesUntil((entries) => entries.length === 2);
      assert.deepEqual(voicesReceived(rx), ['cbPrompt', 'cbDelay']);
    });

    it('reorders callbacks newest first, per batch or on flush', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { reorderBatch: 2 } });
      await trainAndFinish('cbFirst');
      await trainAndFinish('cbSecond');
      await deliveriesUntil((entries) => entries.length === 2);
      assert.deepEqual(
        rx.callbacks().map((callback) => callback.body.MessageBody.VoiceId),
        ['cbSecond', 'cbFirst'],
      );

      await emulator.admin.setFaults({ callbacks: { reorderBatch: 5 } });
      await trainAndFinish('cbThird');
      await trainAndFinish('cbFourth');
      // Held, not lost: a later callback without the fault goes out at once, and the two are still held after it.
      await emulator.admin.setFaults({});
      await trainAndFinish('cbPrompt');
      await deliveriesUntil((entries) => entries.some((entry) => entry.voiceId === 'cbPrompt'));
      assert.deepEqual(voicesReceived(rx), ['cbSecond', 'cbFirst', 'cbPrompt']);
      await emulator.admin.flushCallbacks();
      await deliveriesUntil((entries) => entries.length === 5);
      assert.deepEqual(voicesReceived(rx).slice(3), ['cbFourth', 'cbThird']);
    });
  });
});

describe('emulator close()', () => {
  it('stops pending retries', async () => {
    // Two emulators on the same retry schedule; the control one stays open. Once the control's retry has arrived,
    // the closed one's retry (due earlier: its first attempt came first) would have arrived too.
    const timing = { retryDelayMs: 300 };
    const closing = await startWiredEmulator({ trainingMs: 60_000, callbackTiming: timing });
    const control = await startWiredEmulator({ trainingMs: 60_000, callbackTiming: timing });
    try {
      const rx = await control.captureCallbacks(() => 500);
      const attemptsOf = (voiceId: string) =>
        rx.callbacks().filter((callback) => callback.body.MessageBody.VoiceId === voiceId).length;
      await closing.wire.ok('SetEventCallback', { CallbackURL: rx.url });
      await control.wire.ok('SetEventCallback', { CallbackURL: rx.url });
      const controlJobId = await submitVoice(control.wire, 'controlVoice');
      await closing.emulator.admin.finishJob(await submitVoice(closing.wire, 'closeVoice'));
      await waitFor(async () => ((await closing.emulator.admin.callbacks()).length === 1 ? true : undefined));
      await closing.emulator.close();
      await control.emulator.admin.finishJob(controlJobId);
      await waitFor(async () => (attemptsOf('controlVoice') === 2 ? true : undefined));
      assert.equal(attemptsOf('closeVoice'), 1, 'no retry after close');
    } finally {
      await closing.close();
      await control.close();
    }
  });
});
