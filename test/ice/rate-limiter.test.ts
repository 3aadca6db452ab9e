/**
 * The client's per-action rate limit (src/ice/rate-limiter.ts): calls wait their turn in order, each action apart,
 * one that cannot get a slot within its budget fails at once as retryable `ClientRateLimited` without reaching ICE,
 * and at the emulator's own per-operation limit no call is answered `Throttling` (while the same calls without the
 * limit are).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { loadIceClientConfig, ConfigError, type IceClientConfig } from '../../src/config';
import type { RunningEmulator } from '../../src/emulator';
import { CLIENT_RATE_LIMITED_CODE, createIceClient, type IceAction } from '../../src/ice';
import { IceRateLimiter } from '../../src/ice/rate-limiter';
import { ICE_SPAN_ATTRIBUTES } from '../../src/ice/tracing';
import { startTestEmulator, type IceHarness } from '../support/harness';
import { iceErrorOf } from './support';

const DEMO: IceAction = 'GetDemonstrationForCustomizedVoiceJob';
const CALLBACK: IceAction = 'GetEventCallback';

describe('IceRateLimiter', () => {
  it('lets calls of one action through in the order they asked, and other actions apart', async () => {
    const limiter = new IceRateLimiter({ byAction: { [DEMO]: 50 } }, 10_000);
    const order: number[] = [];
    const waits = await Promise.all(
      [0, 1, 2, 3, 4].map(async (index) => {
        const waited = await limiter.take(DEMO);
        order.push(index);
        return waited;
      }),
    );
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(waits[0], 0, 'the first call has a free slot');
    assert.ok(
      waits.slice(1).every((waited) => waited > 0),
      'the others waited for theirs',
    );
    assert.equal(await limiter.take(CALLBACK), 0, 'an action without a limit never waits');
    assert.equal(limiter.limitOf(CALLBACK), undefined);
  });

  it('takes the per-action limit before the one for every action', () => {
    const limiter = new IceRateLimiter({ perSecond: 5, byAction: { [DEMO]: 50 } }, 1_000);
    assert.equal(limiter.limitOf(DEMO), 50);
    assert.equal(limiter.limitOf(CALLBACK), 5);
  });

  it('fails at once, retryable and naming the action and the limit, when no slot comes within the budget', async () => {
    let nowMs = 0;
    // 1 call a second, 500 ms budget: the second call's slot (1 s) is beyond it; the clock never moves on its own.
    const limiter = new IceRateLimiter({ perSecond: 1 }, 500, () => nowMs);
    assert.equal(await limiter.take(DEMO), 0);
    for (const attempt of [1, 2]) {
      const error = await iceErrorOf(limiter.take(DEMO));
      assert.equal(error.code, CLIENT_RATE_LIMITED_CODE, `attempt ${attempt}`);
      assert.equal(error.retryable, true);
      assert.match(error.message, /GetDemonstrationForCustomizedVoiceJob/);
      assert.match(error.message, /limit of 1 calls\/s/);
    }
    nowMs = 1_000;
    assert.equal(await limiter.take(DEMO), 0, 'a refused call took no slot: the next second has one');
  });
});

describe('ICE_MAX_CALLS_PER_SECOND settings', () => {
  it('reads a limit for every action and limits by action', () => {
    const config = loadIceClientConfig({
      ICE_MAX_CALLS_PER_SECOND: '20',
      ICE_MAX_CALLS_PER_SECOND_BY_ACTION: `SubmitCustomizedVoiceJob:5, ${DEMO}:0.5`,
    });
    assert.deepEqual(config.maxCallsPerSecond, {
      perSecond: 20,
      byAction: { SubmitCustomizedVoiceJob: 5, [DEMO]: 0.5 },
    });
    assert.equal(loadIceClientConfig({}).maxCallsPerSecond, undefined, 'unset: no limit');
  });

  it('refuses an unknown action, a repeated one, a bad number or a bad entry, naming the variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ICE_MAX_CALLS_PER_SECOND: '0' }, /ICE_MAX_CALLS_PER_SECOND: must be a number/],
      [{ ICE_MAX_CALLS_PER_SECOND_BY_ACTION: 'SubmitVoice:5' }, /"SubmitVoice" is not an ICE action/],
      [{ ICE_MAX_CALLS_PER_SECOND_BY_ACTION: `${DEMO}:5,${DEMO}:6` }, /given twice/],
      [{ ICE_MAX_CALLS_PER_SECOND_BY_ACTION: `${DEMO}:-1` }, /limit must be a number from 0.01/],
      [{ ICE_MAX_CALLS_PER_SECOND_BY_ACTION: DEMO }, /must be <Action>:<calls per second>/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadIceClientConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          /^ICE_MAX_CALLS_PER_SECOND/.test(error.variable) &&
          message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});

describe('the client at the emulator rate-limiting an action', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  let harness: IceHarness;
  let emulator: RunningEmulator;
  let config: IceClientConfig;
  const RATE = 5;
  const CALLS = 15;

  before(async () => {
    harness = await startTestEmulator({ trainingMs: 60_000 });
    emulator = harness.emulator;
    const { url: endpoint, credentials } = emulator;
    config = { region: 'cn-shanghai', endpoint, credentials, connectTimeoutMs: 3_000, readTimeoutMs: 10_000 };
  });
  beforeEach(async () => {
    await emulator.admin.reset();
    await emulator.admin.setFaults({ operations: { [DEMO]: { rateLimitPerSecond: RATE } } });
    exporter.reset();
  });
  after(async () => {
    await harness.close();
    await provider.shutdown();
  });

  const callsAtOnce = (client: ReturnType<typeof createIceClient>) =>
    Promise.allSettled(
      Array.from({ length: CALLS }, () => client.getDemonstrationForCustomizedVoiceJob({ scenario: 'story' })),
    );

  it('without the client limit, calls sent at once are answered Throttling', async () => {
    const outcomes = await callsAtOnce(createIceClient(config));
    assert.ok(outcomes.some((outcome) => outcome.status === 'rejected'));
    assert.ok(((await emulator.admin.rateLimitCounts())[DEMO]?.throttled ?? 0) > 0);
  });

  it('with the client limit at the emulator rate, every call is answered and none is Throttling', async () => {
    const client = createIceClient({ ...config, maxCallsPerSecond: { byAction: { [DEMO]: RATE } } });
    const outcomes = await callsAtOnce(client);
    assert.deepEqual(
      outcomes.filter((outcome) => outcome.status === 'rejected'),
      [],
    );
    assert.deepEqual((await emulator.admin.rateLimitCounts())[DEMO], { allowed: CALLS, throttled: 0 });
    // Counted in the emulator's log, not timed here: no one-second window holds more than the limit, give or take
    // the window's edges and an answer delayed on a loaded machine (the emulator's bucket above is the strict count).
    const answeredAt = (await emulator.admin.calls()).map((call) => Date.parse(call.at)).sort((a, b) => a - b);
    const inSecondFrom = (start: number) => answeredAt.filter((at) => at >= start && at < start + 1_000).length;
    const busiest = Math.max(...answeredAt.map(inSecondFrom));
    assert.ok(busiest <= RATE + 2, `at most ${RATE + 2} calls in a second, saw ${busiest}`);
    const waits = exporter
      .getFinishedSpans()
      .map((span) => span.attributes[ICE_SPAN_ATTRIBUTES.rateLimitWaitMs])
      .filter((wait): wait is number => typeof wait === 'number');
    assert.equal(waits.length, CALLS, 'every limited call has its wait on its span');
    assert.ok(waits.some((wait) => wait > 0));
  });

  it('a call whose slot is beyond its budget fails ClientRateLimited and never reaches ICE', async () => {
    const client = createIceClient({ ...config, readTimeoutMs: 100, maxCallsPerSecond: { perSecond: 1 } });
    const first = client.getDemonstrationForCustomizedVoiceJob({ scenario: 'story' });
    for (const _ of [2, 3]) {
      const error = await iceErrorOf(client.getDemonstrationForCustomizedVoiceJob({ scenario: 'story' }));
      assert.equal(error.code, CLIENT_RATE_LIMITED_CODE);
    }
    await first;
    assert.equal((await emulator.admin.calls()).length, 1, 'only the call with a slot was sent');
  });
});
