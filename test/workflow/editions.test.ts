/**
 * Standard and CosyVoice clones end to end on a real dev server with the real emulator, the real ICE client and the
 * real callback receiver: each edition by callback and by poll, under both assumptions about the Type ICE reports
 * for CosyVoice jobs; an ambiguous submit of each edition leaves one ICE job; invalid input makes no ICE call; a
 * training failure keeps ICE's message; CosyVoice's quota refusal keeps ICE's Code; a VoiceName already training,
 * trained or failed is adopted, returned or submitted again as the lookup rule says.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { getVoiceCloneStatus, startVoiceClone } from '../../src/client';
import {
  COSYVOICE_QUOTA_CODE,
  TRAINING_FAILED_MESSAGE,
  VOICEPRINT_MISMATCH_MARKER,
  VOICEPRINT_MISMATCH_MESSAGE,
  type CosyVoiceJobType,
} from '../../src/emulator';
import { silentLogger } from '../../src/observability/logger';
import {
  searchAttributes,
  statusQuery,
  VOICE_CLONE_WORKFLOW_TYPE,
  voiceCloneWorkflowId,
  type NamedVoiceEdition,
  type VoiceCloneInput,
  type VoiceCloneTiming,
} from '../../src/workflows/definitions';
import {
  cosyVoiceInput,
  jobsNamed,
  NAMED_SUBMIT_ACTIONS,
  newVoiceName,
  onlyJobNamed,
  performedSubmitsNamed,
  standardInput,
} from './editions-support';
import { FAST_TIMING, fillCosyVoiceQuota, waitForStatus } from './support';
import { assertWorkflowFailed, startTestHarness, TEST_TIMINGS, type TestHarness } from '../support/harness';

const EDITIONS: NamedVoiceEdition[] = ['standard', 'cosyvoice'];
const SUBMIT_ACTION = {
  standard: 'SubmitStandardCustomizedVoiceJob',
  cosyvoice: 'SubmitCosyVoiceCustomizedVoiceJob',
} as const;
/** Only a callback finishes these in time: polling would start after 30 s. */
const BY_CALLBACK: VoiceCloneTiming = TEST_TIMINGS.byCallback;
const POLL_SOON: VoiceCloneTiming = TEST_TIMINGS.pollSoon;

function inputOf(edition: NamedVoiceEdition, voiceName: string, timing: VoiceCloneTiming): VoiceCloneInput {
  return edition === 'standard' ? standardInput(voiceName, timing) : cosyVoiceInput(voiceName, timing);
}

describe('Standard and CosyVoice clones (dev server + emulator)', () => {
  let stack: TestHarness;
  let receiver: RunningCallbackReceiver;

  before(async () => {
    stack = await startTestHarness({ name: 'editions', worker: true });
    ({ receiver } = await stack.startReceiver({ logger: silentLogger }));
  });
  beforeEach(async () => {
    await stack.emulator.admin.setFaults({});
    await stack.emulator.admin.updateSettings({ trainingMs: 300, cosyVoiceJobType: 'CosyVoice' });
  });
  after(() => stack?.close());

  const start = (input: VoiceCloneInput) => startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue });

  test('invalid input of each edition fails InvalidInput naming the field, with zero ICE calls', async () => {
    await stack.emulator.admin.clearCalls();
    const name = 'Invalid edition input';
    const bad: [string, unknown, string][] = [
      ['unknown edition', { edition: 'premium', voiceName: name }, 'edition'],
      ['standard without voiceName', { ...standardInput(name, FAST_TIMING), voiceName: undefined }, 'voiceName'],
      ['standard voiceName of 33 characters', standardInput('x'.repeat(33), FAST_TIMING), 'voiceName'],
      ['standard voiceName with a space at the end', standardInput('Anna ', FAST_TIMING), 'voiceName'],
      [
        'standard with a gender ICE does not know',
        standardInput(name, FAST_TIMING, { gender: 'other' as never }),
        'gender',
      ],
      ['standard without audio', standardInput(name, FAST_TIMING, { audioMediaIds: [] }), 'audioMediaIds'],
      [
        'standard with 30 audio media IDs',
        standardInput(name, FAST_TIMING, { audioMediaIds: Array.from({ length: 30 }, (_, i) => `a${i}`) }),
        'audioMediaIds',
      ],
      [
        'standard naming one audio twice',
        standardInput(name, FAST_TIMING, { audioMediaIds: ['a', 'a'] }),
        'audioMediaIds[1]',
      ],
      [
        'standard media ID with a comma',
        standardInput(name, FAST_TIMING, { audioMediaIds: ['a,b'] }),
        'audioMediaIds[0]',
      ],
      [
        'standard without authentication',
        { ...standardInput(name, FAST_TIMING), authenticationMediaId: undefined },
        'authenticationMediaId',
      ],
      ['standard with a Basic field', { ...standardInput(name, FAST_TIMING), voiceId: 'Anna1' }, 'voiceId'],
      [
        'cosyvoice with a model ICE does not have',
        cosyVoiceInput(name, FAST_TIMING, { model: 'cosyvoice-v2' as never }),
        'model',
      ],
      ['cosyvoice without audio', { ...cosyVoiceInput(name, FAST_TIMING), audioMediaId: undefined }, 'audioMediaId'],
      [
        'cosyvoice with a list of audios',
        { ...cosyVoiceInput(name, FAST_TIMING), audioMediaIds: ['a'] },
        'audioMediaIds',
      ],
      [
        'cosyvoice with an http demo URL',
        cosyVoiceInput(name, FAST_TIMING, { demoAudioMediaUrl: 'http://bucket.example.com/demo.wav' }),
        'demoAudioMediaUrl',
      ],
      ['cosyvoice with a bad duration', cosyVoiceInput(name, { pollInterval: 'soon' }), 'timing.pollInterval'],
    ];
    await Promise.all(
      bad.map(async ([what, input, field], index) => {
        const failure = await assertWorkflowFailed(
          stack.client.workflow.execute(VOICE_CLONE_WORKFLOW_TYPE, {
            workflowId: `invalid-edition-input-${index}-${Date.now()}`,
            taskQueue: stack.taskQueue,
            args: [input],
          }),
        ).catch((error: Error) => assert.fail(`${what}: ${error.message}`));
        assert.equal(failure.type, 'InvalidInput', what);
        assert.ok(failure.message.startsWith(`${field}: `), `${what}: ${failure.message}`);
        // The client helper refuses the same input before it starts anything.
        await assert.rejects(start(input as VoiceCloneInput), { name: 'InvalidVoiceCloneInputError', field }, what);
      }),
    );
    assert.deepEqual(await stack.emulator.admin.calls(), [], 'no ICE call was made');
  });

  for (const edition of EDITIONS) {
    test(`${edition}: the signed callback wakes the clone, a read confirms it; result, status and Web UI name the voice`, async () => {
      const voiceName = newVoiceName(edition === 'standard' ? 'Std callback' : 'Cosy callback');
      const handle = await start(inputOf(edition, voiceName, BY_CALLBACK));
      assert.equal(handle.workflowId, `voice-clone-${edition}-${voiceName}`);
      assert.equal(handle.workflowId, voiceCloneWorkflowId({ edition, voiceName }));
      const result = await handle.result();
      const job = await onlyJobNamed(stack.emulator, voiceName);
      assert.equal(result.completedVia, 'callback');
      assert.equal(result.edition, edition);
      assert.equal(result.voiceName, voiceName);
      assert.equal(result.voiceId, job.voiceId, 'the VoiceId ICE assigned');
      assert.match(result.voiceId, /^Voice-/);
      assert.equal(result.jobId, job.jobId);
      assert.equal(job.status, 'Success');
      assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1);

      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(searchAttributes.iceVoiceId), job.voiceId);
      assert.equal(description.typedSearchAttributes.get(searchAttributes.iceJobId), job.jobId);
      const editionName = edition === 'standard' ? 'Standard' : 'CosyVoice';
      assert.equal(await description.staticSummary(), `Clone ICE voice "${voiceName}" (${editionName} edition)`);
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(
        metadata.currentDetails ?? '',
        new RegExp(`\\(${editionName}\\) "${voiceName}" \`${job.voiceId}\`.*Succeeded`),
      );

      const report = await getVoiceCloneStatus(stack.client, { edition, voiceName });
      assert.equal(report.execution, 'COMPLETED');
      assert.equal(report.edition, edition);
      assert.equal(report.voiceId, job.voiceId);
      assert.equal(report.result?.completedVia, 'callback');
    });

    test(`${edition}: with the callback lost, polling finds the result`, async () => {
      const voiceName = newVoiceName(edition === 'standard' ? 'Std poll' : 'Cosy poll');
      await stack.emulator.admin.setFaults({ callbacks: { drop: { count: 1 } } });
      const result = await (await start(inputOf(edition, voiceName, POLL_SOON))).result();
      assert.equal(result.completedVia, 'poll');
      assert.equal(result.voiceId, (await onlyJobNamed(stack.emulator, voiceName)).voiceId);
      assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1);
    });

    test(`${edition}: an ambiguous submit (accepted, then the connection closed) is looked up, never resubmitted`, async () => {
      const voiceName = newVoiceName(edition === 'standard' ? 'Std ambiguous' : 'Cosy ambiguous');
      await stack.emulator.admin.setFaults({
        operations: { [SUBMIT_ACTION[edition]]: { closeAfterAccept: { count: 1 } } },
      });
      const result = await (await start(inputOf(edition, voiceName, POLL_SOON))).result();
      assert.equal(result.status, 'Success');
      const submits = (await stack.emulator.admin.calls()).filter(
        (call) => call.action === SUBMIT_ACTION[edition] && call.params.VoiceName === voiceName,
      );
      assert.deepEqual(
        submits.map((call) => [call.performed, call.fault]),
        [[true, 'closeAfterAccept']],
        'one submit reached ICE and its answer was lost',
      );
      assert.equal(result.jobId, (await onlyJobNamed(stack.emulator, voiceName)).jobId);
    });

    test(`${edition}: a submit answered without a JobId is adopted by the retry's lookup`, async () => {
      const voiceName = newVoiceName(edition === 'standard' ? 'Std no JobId' : 'Cosy no JobId');
      await stack.emulator.admin.setFaults({ operations: { [SUBMIT_ACTION[edition]]: { omitJobId: { count: 1 } } } });
      const result = await (await start(inputOf(edition, voiceName, POLL_SOON))).result();
      assert.equal(result.status, 'Success');
      assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1);
      assert.equal(result.jobId, (await onlyJobNamed(stack.emulator, voiceName)).jobId);
    });
  }

  test('standard: a voiceprint unlike the training audio fails TrainingFailed with ICE message', async () => {
    const voiceName = newVoiceName('Std voiceprint');
    const input = standardInput(voiceName, FAST_TIMING, {
      authenticationMediaId: `auth-${VOICEPRINT_MISMATCH_MARKER}`,
    });
    const handle = await start(input);
    const failure = await assertWorkflowFailed(handle.result());
    assert.equal(failure.type, 'TrainingFailed');
    assert.ok(failure.message.includes(VOICEPRINT_MISMATCH_MESSAGE), failure.message);
    assert.ok(failure.message.includes(voiceName), failure.message);
    assert.equal((await handle.query(statusQuery)).stage, 'Failed');
  });

  test('cosyvoice: training that ends in Fail fails TrainingFailed with ICE message', async () => {
    const voiceName = newVoiceName('FailTrain cosy');
    const failure = await assertWorkflowFailed((await start(cosyVoiceInput(voiceName, FAST_TIMING))).result());
    assert.equal(failure.type, 'TrainingFailed');
    assert.ok(failure.message.includes(TRAINING_FAILED_MESSAGE), failure.message);
  });

  for (const edition of EDITIONS) {
    test(`${edition}: a VoiceName already training is adopted, a trained one returned, a failed one submitted again`, async () => {
      const voiceName = newVoiceName(edition === 'standard' ? 'Std known' : 'Cosy known');
      const timing = { ...POLL_SOON, trainingTimeout: '2 minutes' };
      await stack.emulator.admin.updateSettings({ trainingMs: 60_000 });
      // Submitted by someone else (or by a clone that crashed): the clone waits for that job, bills none.
      const submitted =
        edition === 'standard'
          ? await stack.ice.submitStandardCustomizedVoiceJob({
              voiceName,
              gender: 'female',
              authentication: 'auth-1',
              audios: ['audio-1'],
            })
          : await stack.ice.submitCosyVoiceCustomizedVoiceJob({
              voiceName,
              gender: 'female',
              audios: 'audio-1',
              model: 'cosyvoice-v3-flash',
            });
      const handle = await start(inputOf(edition, voiceName, timing));
      const waiting = await waitForStatus(handle, (status) => status.stage === 'AwaitingCallback');
      assert.equal(waiting.jobId, submitted.jobId);
      await stack.emulator.admin.finishJob(submitted.jobId, { status: 'Success' });
      const adopted = await handle.result();
      assert.equal(adopted.jobId, submitted.jobId);
      assert.notEqual(adopted.completedVia, 'already-trained');
      assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1, 'only the submit this test made');

      const again = await (await start(inputOf(edition, voiceName, timing))).result();
      assert.equal(again.completedVia, 'already-trained');
      assert.equal(again.jobId, submitted.jobId);
      assert.equal(again.voiceId, adopted.voiceId);
      assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1);

      // A name whose only job failed: the clone submits a new job.
      const failedName = newVoiceName(edition === 'standard' ? 'Std failed' : 'Cosy failed');
      await stack.emulator.admin.updateSettings({ trainingMs: 300 });
      await stack.emulator.admin.setFaults({ failTrainingVoiceIds: [failedName] });
      await assertWorkflowFailed((await start(inputOf(edition, failedName, timing))).result());
      await stack.emulator.admin.setFaults({});
      const retried = await (await start(inputOf(edition, failedName, timing))).result();
      assert.equal(retried.status, 'Success');
      const jobs = await jobsNamed(stack.emulator, failedName);
      assert.deepEqual(jobs.map((job) => job.status).sort(), ['Fail', 'Success']);
      assert.equal(await performedSubmitsNamed(stack.emulator, failedName), 2);
    });
  }

  test('the same VoiceName started twice attaches to one run and one ICE job', async () => {
    const voiceName = newVoiceName('Cosy twice');
    const input = cosyVoiceInput(voiceName, POLL_SOON);
    const [a, b] = await Promise.all([start(input), start(input)]);
    assert.equal(a.firstExecutionRunId, b.firstExecutionRunId);
    assert.deepEqual(await a.result(), await b.result());
    assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1);
  });

  for (const cosyVoiceJobType of ['CosyVoice', 'Standard'] satisfies CosyVoiceJobType[]) {
    test(`ICE reporting CosyVoice jobs as ${cosyVoiceJobType}: callbacks reach both editions, lookups find the job`, async () => {
      await stack.emulator.admin.updateSettings({ cosyVoiceJobType });
      const names = { standard: newVoiceName('Std type'), cosyvoice: newVoiceName('Cosy type') };
      const results = await Promise.all(
        EDITIONS.map(async (edition) => (await start(inputOf(edition, names[edition], BY_CALLBACK))).result()),
      );
      assert.deepEqual(
        results.map((result) => [result.edition, result.completedVia]),
        [
          ['standard', 'callback'],
          ['cosyvoice', 'callback'],
        ],
      );
      // The CosyVoice lookup after an ambiguous submit finds the job wherever ICE lists it.
      const ambiguous = newVoiceName('Cosy type ambiguous');
      await stack.emulator.admin.setFaults({
        operations: { SubmitCosyVoiceCustomizedVoiceJob: { closeAfterAccept: { count: 1 } } },
      });
      const adopted = await (await start(cosyVoiceInput(ambiguous, POLL_SOON))).result();
      assert.equal(adopted.jobId, (await onlyJobNamed(stack.emulator, ambiguous)).jobId);
      assert.equal(await performedSubmitsNamed(stack.emulator, ambiguous), 1);
      // And a clone started again adopts its trained job instead of billing another.
      const again = await (await start(cosyVoiceInput(names.cosyvoice, BY_CALLBACK))).result();
      assert.equal(again.completedVia, 'already-trained');
      assert.equal(await performedSubmitsNamed(stack.emulator, names.cosyvoice), 1);
    });
  }

  // Last: it fills the account's CosyVoice quota, and resets the emulator afterwards.
  test("cosyvoice: ICE's quota refusal (30 voices) keeps ICE's Code and RequestId as the failure", async () => {
    try {
      await fillCosyVoiceQuota(stack.emulator, stack.ice);
      const voiceName = newVoiceName('Cosy over quota');
      const failure = await assertWorkflowFailed((await start(cosyVoiceInput(voiceName, FAST_TIMING))).result());
      const refused = (await stack.emulator.admin.calls()).find(
        (call) => NAMED_SUBMIT_ACTIONS.includes(call.action) && call.params.VoiceName === voiceName,
      );
      assert.equal(refused?.code, COSYVOICE_QUOTA_CODE);
      assert.equal(failure.type, COSYVOICE_QUOTA_CODE);
      assert.equal(failure.nonRetryable, true);
      assert.ok(failure.message.includes(refused.requestId), failure.message);
      assert.equal(await performedSubmitsNamed(stack.emulator, voiceName), 1, 'a final refusal is not retried');
    } finally {
      await stack.emulator.admin.reset();
      await receiver.close();
      ({ receiver } = await stack.startReceiver({ logger: silentLogger }));
    }
  });
});
