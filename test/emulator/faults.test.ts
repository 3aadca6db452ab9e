import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EMULATOR_DEV_CREDENTIALS } from '../../src/config';
import { startEmulator, type FaultConfig, type RunningEmulator } from '../../src/emulator';
import { wireClient, type WireClient } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

const DEMO = 'GetDemonstrationForCustomizedVoiceJob';

describe('operation faults', () => {
  let emulator: RunningEmulator;
  let ice: WireClient;
  const demo = () => ice.raw(DEMO, { Scenario: 'story' });

  before(async () => {
    emulator = await startEmulator({
      trainingMs: 60_000,
      faults: { operations: { GetCustomizedVoice: { throttle: { count: 1 } } } },
    });
    ice = wireClient(emulator.url, EMULATOR_DEV_CREDENTIALS);
  });
  after(() => emulator.close());

  it('applies faults given at start', async () => {
    await ice.ok('CreateCustomizedVoiceJob', { VoiceId: 'startFault', Gender: 'male', Scenario: 'story' });
    const first = await ice.raw('GetCustomizedVoice', { VoiceId: 'startFault' });
    assert.equal(first.status, 400);
    assert.equal(first.body.Code, 'Throttling.User');
    assert.equal((await ice.raw('GetCustomizedVoice', { VoiceId: 'startFault' })).status, 200);
  });

  describe('at run time', () => {
    beforeEach(() => emulator.admin.reset());

    it('throttles the next N calls with 400 Throttling.User, and GET /faults shows what is left', async () => {
      await emulator.admin.setFaults({ operations: { [DEMO]: { throttle: { count: 2 } } } });
      const first = await demo();
      assert.equal(first.status, 400);
      assert.equal(first.body.Code, 'Throttling.User');
      assert.equal((await emulator.admin.faults()).operations?.[DEMO]?.throttle?.count, 1);
      assert.equal((await demo()).status, 400);
      assert.equal((await demo()).status, 200);
      const calls = await emulator.admin.calls();
      assert.deepEqual(
        calls.map((call) => call.fault),
        ['throttle', 'throttle', undefined],
      );
      assert.deepEqual(
        calls.map((call) => call.code),
        ['Throttling.User', 'Throttling.User', undefined],
      );
    });

    it('answers 503 ServiceUnavailable for serverError, with the ICE error body', async () => {
      await emulator.admin.setFaults({ operations: { [DEMO]: { serverError: { count: 1 } } } });
      const response = await demo();
      assert.equal(response.status, 503);
      assert.equal(response.body.Code, 'ServiceUnavailable');
      assert.ok(response.body.RequestId && response.body.HostId && response.body.Recommend && response.body.Message);
      assert.equal((await demo()).status, 200);
    });

    it("applies '*' to every action, with a per-action entry winning", async () => {
      await emulator.admin.setFaults({
        operations: { '*': { serverError: { rate: 1 } }, [DEMO]: { serverError: { rate: 0 } } },
      });
      assert.equal((await demo()).status, 200);
      assert.equal((await ice.raw('GetEventCallback')).status, 503);
      assert.equal((await ice.raw('ListCustomizedVoiceJobs')).status, 503);
    });

    it('adds latency before answering', async () => {
      await emulator.admin.setFaults({ operations: { [DEMO]: { latencyMs: 300 } } });
      const started = Date.now();
      assert.equal((await demo()).status, 200);
      assert.ok(Date.now() - started >= 290, 'the answer must not come before the injected latency');
      assert.equal((await emulator.admin.calls())[0].fault, 'latency');
    });

    it('carries out a submit, then closes the connection without answering (closeAfterAccept)', async () => {
      const created = await ice.ok('CreateCustomizedVoiceJob', {
        VoiceId: 'ambiguous1',
        Gender: 'male',
        Scenario: 'story',
      });
      await ice.ok('DetectAudioForCustomizedVoiceJob', {
        VoiceId: 'ambiguous1',
        RecordUrl: 'https://b.oss/1.wav',
        AudioRecordId: '1',
      });
      await emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { closeAfterAccept: { count: 1 } } } });
      await assert.rejects(ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'ambiguous1' }), /socket hang up|ECONNRESET/);
      const [job] = await emulator.admin.jobs();
      assert.equal(job.jobId, (created.Data as { JobId: string }).JobId);
      assert.equal(job.status, 'PreTraining');
      assert.equal(job.submitCount, 1);
      const submitCall = (await emulator.admin.calls()).find((call) => call.action === 'SubmitCustomizedVoiceJob');
      assert.equal(submitCall?.fault, 'closeAfterAccept');
      assert.equal(submitCall?.httpStatus, 200);
      // The retry a naive client would make is refused: the job is already training.
      const retry = await ice.raw('SubmitCustomizedVoiceJob', { VoiceId: 'ambiguous1' });
      assert.equal(retry.body.Code, 'InvalidOperation.JobStatus');
    });

    it('fires rate triggers from a seeded PRNG, so a run repeats', async () => {
      const faults: FaultConfig = { seed: 42, operations: { [DEMO]: { throttle: { rate: 0.5 } } } };
      const pattern = async (): Promise<number[]> => {
        await emulator.admin.setFaults(faults);
        const statuses: number[] = [];
        for (let i = 0; i < 16; i++) statuses.push((await demo()).status);
        return statuses;
      };
      const first = await pattern();
      assert.ok(first.includes(400) && first.includes(200), `both outcomes expected in ${first.join(',')}`);
      assert.deepEqual(await pattern(), first);
    });

    it('fails training for voices listed at run time', async () => {
      await emulator.admin.setFaults({ failTrainingVoiceIds: ['doomedVoice'] });
      const jobId = await submitVoice(ice, 'doomedVoice');
      await emulator.admin.finishJob(jobId);
      assert.equal((await emulator.admin.jobs())[0].status, 'Fail');
    });

    it('clears all faults with {}', async () => {
      await emulator.admin.setFaults({ operations: { '*': { serverError: { rate: 1 } } } });
      assert.equal((await demo()).status, 503);
      await emulator.admin.setFaults({});
      assert.equal((await demo()).status, 200);
      assert.deepEqual(await emulator.admin.faults(), {});
    });
  });
});
