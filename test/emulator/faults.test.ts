import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseFaultFlags } from '../../src/cli/faults';
import type { FaultConfig, RunningEmulator } from '../../src/emulator';
import { startWiredEmulator, type WiredEmulator } from './support/emulator';
import type { WireClient } from './support/ice-wire';
import { submitVoice } from './support/voice-flow';

const DEMO = 'GetDemonstrationForCustomizedVoiceJob';

describe('operation faults', () => {
  let harness: WiredEmulator;
  let emulator: RunningEmulator;
  let ice: WireClient;
  const demo = () => ice.raw(DEMO, { Scenario: 'story' });

  before(async () => {
    harness = await startWiredEmulator({
      trainingMs: 60_000,
      faults: { operations: { GetCustomizedVoice: { throttle: { count: 1 } } } },
    });
    ({ emulator, wire: ice } = harness);
  });
  after(() => harness.close());

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

    it('answers a submit without Data.JobId (omitJobId) while carrying it out', async () => {
      await emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { omitJobId: { count: 1 } } } });
      const jobId = await submitVoice(ice, 'noJobId1');
      const [job] = await emulator.admin.jobs();
      assert.equal(job.jobId, jobId);
      assert.equal(job.submitCount, 1);
      assert.equal(job.status, 'PreTraining');
      const submit = (await emulator.admin.calls()).find((call) => call.action === 'SubmitCustomizedVoiceJob');
      assert.deepEqual([submit?.httpStatus, submit?.fault, submit?.performed], [200, 'omitJobId', true]);
      assert.equal((await emulator.admin.faults()).operations?.SubmitCustomizedVoiceJob?.omitJobId?.count, 0);
    });

    it('omitJobId leaves the rest of the answer as ICE sends it, and fires only for answers with a JobId', async () => {
      await emulator.admin.setFaults({ operations: { '*': { omitJobId: { count: 1 } } } });
      assert.equal((await demo()).status, 200);
      const created = await ice.ok('CreateCustomizedVoiceJob', {
        VoiceId: 'noJobId2',
        Gender: 'male',
        Scenario: 'story',
      });
      assert.deepEqual(created.Data, { VoiceId: 'noJobId2' });
      assert.equal(created.Success, true);
      assert.match(String(created.RequestId), /\S/);
      const second = await ice.ok('CreateCustomizedVoiceJob', {
        VoiceId: 'noJobId3',
        Gender: 'male',
        Scenario: 'story',
      });
      assert.match(String((second.Data as { JobId?: string }).JobId), /^[0-9a-f]{32}$/);
      assert.deepEqual(
        (await emulator.admin.calls()).map((call) => call.fault),
        [undefined, 'omitJobId', undefined],
      );
    });

    it('reports a chosen raw Status for the next N reads of a voice job, then the real one', async () => {
      const jobId = await submitVoice(ice, 'rawStatus1');
      const other = await submitVoice(ice, 'rawStatus2');
      await emulator.admin.setFaults({
        jobStatusOverrides: [
          { voiceId: 'rawStatus1', status: 'Queued', reads: 2 },
          { voiceId: 'rawStatus1', status: null, reads: 1 },
        ],
      });
      const read = async (id: string) =>
        ((await ice.ok('GetCustomizedVoiceJob', { JobId: id })).Data as { CustomizedVoiceJob: Record<string, unknown> })
          .CustomizedVoiceJob;
      assert.equal((await read(jobId)).Status, 'Queued');
      assert.equal((await read(other)).Status, 'PreTraining', 'another voice is not affected');
      assert.deepEqual(
        (await emulator.admin.faults()).jobStatusOverrides?.map((entry) => entry.reads),
        [1, 1],
        'GET /faults shows the reads left',
      );
      assert.equal((await read(jobId)).Status, 'Queued');
      const missing = await read(jobId);
      assert.ok(!('Status' in missing), `no Status field expected: ${JSON.stringify(missing)}`);
      assert.equal(missing.JobId, jobId, 'the rest of the job is still there');
      assert.equal((await read(jobId)).Status, 'PreTraining', 'the real Status once the reads are used up');
      // ListCustomizedVoiceJobs is not a read of the override: it reports the real Status meanwhile.
      await emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId: 'rawStatus1', status: 'Queued', reads: 1 }] });
      const listed = await ice.ok('ListCustomizedVoiceJobs', {});
      const list = (listed.Data as { CustomizedVoiceJobList: Record<string, unknown>[] }).CustomizedVoiceJobList;
      assert.equal(list.find((job) => job.VoiceId === 'rawStatus1')?.Status, 'PreTraining');
      const calls = (await emulator.admin.calls()).filter((call) => call.action === 'GetCustomizedVoiceJob');
      assert.deepEqual(
        calls.map((call) => call.fault),
        ['jobStatusOverride', undefined, 'jobStatusOverride', 'jobStatusOverride', undefined],
      );
      assert.equal((await emulator.admin.faults()).jobStatusOverrides?.[0].reads, 1, 'the list did not consume it');
    });

    it('refuses malformed jobStatusOverrides', async () => {
      await assert.rejects(
        emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId: 'v1', status: 3, reads: 1 }] } as never),
        /HTTP 400.*jobStatusOverrides/,
      );
      await assert.rejects(
        emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId: 'v1', status: 'Queued', reads: -1 }] }),
        /HTTP 400/,
      );
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

describe('--fault flags', () => {
  it('parse omitJobId like the other operation faults', () => {
    assert.deepEqual(parseFaultFlags(['SubmitCustomizedVoiceJob:omitJobId:2', '*:omitJobId:0.5']), {
      operations: { SubmitCustomizedVoiceJob: { omitJobId: { count: 2 } }, '*': { omitJobId: { rate: 0.5 } } },
    });
  });

  it('parse status:<VoiceId>:<raw|none>[:N] into jobStatusOverrides, in order', () => {
    assert.deepEqual(parseFaultFlags(['status:Voice01:Queued:3', 'status:Voice01:none:1', 'status:Voice02:Odd']), {
      jobStatusOverrides: [
        { voiceId: 'Voice01', status: 'Queued', reads: 3 },
        { voiceId: 'Voice01', status: null, reads: 1 },
        { voiceId: 'Voice02', status: 'Odd', reads: Number.MAX_SAFE_INTEGER },
      ],
    });
  });

  it('refuse a malformed status fault', () => {
    for (const flag of ['status:Voice01', 'status:Voice01:Queued:0', 'status:Voice01:Queued:x', 'status:V:Q:1:2']) {
      assert.throws(() => parseFaultFlags([flag]), /expected status:<VoiceId>/, flag);
    }
  });

  it('refuse a fault the admin API would refuse, naming its field (a usage error, not a crash at start)', () => {
    assert.throws(
      () => parseFaultFlags(['*:latency:99999999999']),
      (error: Error) => error.name === 'UsageError' && /operations\.\*\.latencyMs/.test(error.message),
    );
  });
});
