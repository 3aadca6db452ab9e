import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { EMULATOR_DEV_CREDENTIALS } from '../../src/config';
import { startEmulator, type CallbackDelivery, type RunningEmulator } from '../../src/emulator';
import { waitFor, wireClient, type WireClient } from './support/ice-wire';
import { startReceiver, type ReceiverBehaviour, type TestReceiver } from './support/receiver';
import { submitVoice } from './support/voice-flow';

const AUTH_KEY = 'CallbackKey123';
const USER_ID = 1098765432101234;

describe('callback delivery', () => {
  let emulator: RunningEmulator;
  let ice: WireClient;
  let receiver: TestReceiver | undefined;

  before(async () => {
    emulator = await startEmulator({ trainingMs: 60_000, userId: USER_ID });
    ice = wireClient(emulator.url, EMULATOR_DEV_CREDENTIALS);
  });
  after(() => emulator.close());
  beforeEach(() => emulator.admin.reset());
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const useReceiver = async (
    behaviour?: ReceiverBehaviour,
    settings: Record<string, string> = { AuthSwitch: 'on', AuthKey: AUTH_KEY },
  ): Promise<TestReceiver> => {
    receiver = await startReceiver(behaviour);
    await ice.ok('SetEventCallback', { CallbackType: 'HTTP', CallbackURL: receiver.url, ...settings });
    return receiver;
  };
  const trainAndFinish = async (voiceId: string): Promise<string> => {
    const jobId = await submitVoice(ice, voiceId);
    await emulator.admin.finishJob(jobId);
    return jobId;
  };
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
    const [callback] = rx.received;
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
    assert.equal(rx.received[0].headers['x-ice-signature'], undefined);
    assert.equal(rx.received[0].headers['x-ice-timestamp'], undefined);

    await ice.ok('SetEventCallback', { CallbackURL: rx.url, EventTypeList: 'ProduceMediaComplete' });
    await trainAndFinish('cbFiltered');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(rx.received.length, 1);
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
    assert.equal(rx.received.length, 2);
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
    assert.equal(rx.received.length, 3);
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
        rx.received.map((callback) => callback.body.MessageBody.VoiceId),
        ['cbAfterDrop'],
      );
    });

    it('duplicates a callback', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { duplicate: { count: 1 } } });
      await trainAndFinish('cbDup');
      await deliveriesUntil((entries) => entries.filter((entry) => entry.outcome === 'delivered').length === 2);
      assert.equal(rx.received.length, 2);
      assert.deepEqual(rx.received[0].body, rx.received[1].body);
    });

    it('delays callbacks until their time or a flush', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { delayMs: 60_000 } });
      await trainAndFinish('cbDelay');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(rx.received.length, 0);
      await emulator.admin.flushCallbacks();
      await deliveriesUntil((entries) => entries.length === 1);
      assert.equal(rx.received[0].body.MessageBody.VoiceId, 'cbDelay');
    });

    it('reorders callbacks newest first, per batch or on flush', async () => {
      const rx = await useReceiver();
      await emulator.admin.setFaults({ callbacks: { reorderBatch: 2 } });
      await trainAndFinish('cbFirst');
      await trainAndFinish('cbSecond');
      await deliveriesUntil((entries) => entries.length === 2);
      assert.deepEqual(
        rx.received.map((callback) => callback.body.MessageBody.VoiceId),
        ['cbSecond', 'cbFirst'],
      );

      await emulator.admin.setFaults({ callbacks: { reorderBatch: 5 } });
      await trainAndFinish('cbThird');
      await trainAndFinish('cbFourth');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(rx.received.length, 2);
      await emulator.admin.flushCallbacks();
      await deliveriesUntil((entries) => entries.length === 4);
      assert.deepEqual(
        rx.received.slice(2).map((callback) => callback.body.MessageBody.VoiceId),
        ['cbFourth', 'cbThird'],
      );
    });
  });
});

describe('emulator close()', () => {
  it('stops pending retries', async () => {
    const emulator = await startEmulator({ trainingMs: 60_000 });
    const ice = wireClient(emulator.url, EMULATOR_DEV_CREDENTIALS);
    const rx = await startReceiver(() => 500);
    try {
      await ice.ok('SetEventCallback', { CallbackURL: rx.url });
      await emulator.admin.finishJob(await submitVoice(ice, 'closeVoice'));
      await waitFor(async () => ((await emulator.admin.callbacks()).length === 1 ? true : undefined));
      await emulator.close();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(rx.received.length, 1, 'no retry after close');
    } finally {
      await emulator.close();
      await rx.close();
    }
  });
});
