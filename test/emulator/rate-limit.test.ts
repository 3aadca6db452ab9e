import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseFaultFlags } from '../../src/cli/faults';
import type { RunningEmulator } from '../../src/emulator';
import { FaultController, type FaultMarks } from '../../src/emulator/fault-controller';
import { IceWireError } from '../../src/emulator/wire-error';
import { startWiredEmulator, type WiredEmulator } from './support/emulator';
import type { WireClient } from './support/ice-wire';

const DEMO = 'GetDemonstrationForCustomizedVoiceJob';
const LIST = 'ListCustomizedVoiceJobs';

/** One call through the controller's before-hook: the ICE code it was refused with, or 'ok'. */
async function callThrough(controller: FaultController, action: string): Promise<string> {
  const marks: FaultMarks = { closeSocket: false };
  try {
    await controller.beforeOperation(action, marks, () => Promise.resolve(true));
    return 'ok';
  } catch (error) {
    if (!(error instanceof IceWireError)) throw error;
    assert.equal(marks.fault, 'rateLimit');
    return `${error.httpStatus} ${error.code}`;
  }
}

describe('per-operation rate limit', () => {
  describe('the bucket, on a controlled clock', () => {
    let nowMs = 0;
    const controller = new FaultController({}, () => nowMs);
    beforeEach(() => {
      nowMs = 0;
      controller.replace({ operations: { '*': { rateLimitPerSecond: 4 }, [LIST]: { rateLimitPerSecond: 1 } } });
    });

    it("lets one second's calls through at once, then answers 400 Throttling until tokens come back", async () => {
      const burst = [];
      for (let i = 0; i < 6; i++) burst.push(await callThrough(controller, DEMO));
      assert.deepEqual(burst, ['ok', 'ok', 'ok', 'ok', '400 Throttling', '400 Throttling']);
      nowMs = 250; // one token at 4 per second
      assert.deepEqual(
        [await callThrough(controller, DEMO), await callThrough(controller, DEMO)],
        ['ok', '400 Throttling'],
      );
      assert.deepEqual(controller.rateLimitCounts()[DEMO], { allowed: 5, throttled: 3 });
    });

    it("counts each action apart under '*', and an action's own limit wins", async () => {
      assert.equal(await callThrough(controller, LIST), 'ok');
      assert.equal(await callThrough(controller, LIST), '400 Throttling');
      for (let i = 0; i < 4; i++) assert.equal(await callThrough(controller, 'GetCustomizedVoiceJob'), 'ok');
      nowMs = 999;
      assert.equal(await callThrough(controller, LIST), '400 Throttling');
      nowMs = 1000;
      assert.equal(await callThrough(controller, LIST), 'ok');
      assert.deepEqual(controller.rateLimitCounts(), {
        [LIST]: { allowed: 2, throttled: 2 },
        GetCustomizedVoiceJob: { allowed: 4, throttled: 0 },
      });
    });

    it('starts afresh when the faults are replaced', async () => {
      await callThrough(controller, DEMO);
      controller.replace({ operations: { [DEMO]: { rateLimitPerSecond: 0.5 } } });
      assert.deepEqual(controller.rateLimitCounts(), {});
      assert.equal(await callThrough(controller, DEMO), 'ok');
      assert.equal(await callThrough(controller, DEMO), '400 Throttling');
      nowMs = 2000;
      assert.equal(await callThrough(controller, DEMO), 'ok');
    });
  });

  describe('on the wire', () => {
    let harness: WiredEmulator;
    let emulator: RunningEmulator;
    let ice: WireClient;
    before(async () => {
      harness = await startWiredEmulator({ trainingMs: 60_000 });
      ({ emulator, wire: ice } = harness);
    });
    after(() => harness.close());

    it("answers ICE's Throttling error body beyond the limit, and counts it in the call log and GET /rate-limits", async () => {
      // 1 call a second: of three sent at once the first passes; the others come well inside the second.
      await emulator.admin.setFaults({ operations: { [DEMO]: { rateLimitPerSecond: 1 } } });
      const answers = await Promise.all([1, 2, 3].map(() => ice.raw(DEMO, { Scenario: 'story' })));
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 400, 400]);
      const refused = answers.find((answer) => answer.status === 400);
      assert.equal(refused?.body.Code, 'Throttling');
      assert.ok(refused.body.RequestId && refused.body.HostId && refused.body.Message && refused.body.Recommend);
      assert.equal((await ice.raw('GetEventCallback')).status, 200, 'other actions are not limited');
      assert.deepEqual(await emulator.admin.rateLimitCounts(), { [DEMO]: { allowed: 1, throttled: 2 } });
      const calls = await emulator.admin.calls();
      assert.equal(calls.filter((call) => call.fault === 'rateLimit' && call.code === 'Throttling').length, 2);
      assert.equal(calls.filter((call) => call.fault === 'rateLimit' && call.performed).length, 0);
    });

    it('refuses a rate limit that is not above 0, naming the field', async () => {
      await assert.rejects(
        emulator.admin.setFaults({ operations: { '*': { rateLimitPerSecond: 0 } } }),
        /operations\.\*\.rateLimitPerSecond: must be a number above 0/,
      );
    });
  });

  it('is set with --fault <Action|*>:rateLimit:<calls per second>', () => {
    assert.deepEqual(parseFaultFlags(['*:rateLimit:20', `${LIST}:rateLimit:0.5`]), {
      operations: { '*': { rateLimitPerSecond: 20 }, [LIST]: { rateLimitPerSecond: 0.5 } },
    });
    for (const flag of ['*:rateLimit', '*:rateLimit:0', '*:rateLimit:fast']) {
      assert.throws(() => parseFaultFlags([flag]), /calls per second above 0/, flag);
    }
  });
});
