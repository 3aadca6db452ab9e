/**
 * The clone's business paths end to end on a real dev server with the real emulator, the real ICE client and the
 * real callback receiver: callback, lost callback → poll, training failure, detection failure, voices that are
 * already trained or training, the same voice started twice, and use as a child workflow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { startVoiceClone, getVoiceCloneStatus } from '../../src/client';
import { TRAINING_FAILED_MESSAGE } from '../../src/emulator';
import { searchAttributes, voiceCloneWorkflowId, type VoiceCloneResult } from '../../src/workflows/definitions';
import { silentLogger } from '../../src/observability/logger';
import { createVoice, FAST_TIMING, iceCalls, jobOf, newVoiceId, recordings, waitForStatus } from './support';
import { assertWorkflowFailed, startTestHarness, type TestHarness } from '../support/harness';
import type { parentOfVoiceClone } from './fixtures/parent-workflow';

const PARENT_WORKFLOWS = path.resolve(__dirname, 'fixtures/parent-workflow.ts');

describe('voice clone paths (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'clone-paths', worker: true });
    await stack.startReceiver({ logger: silentLogger });
  });

  after(() => stack?.close());

  test('callback path: detection, one submit, the signed callback wakes the workflow, a read confirms it', async () => {
    const voiceId = newVoiceId('Callback');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 3), timing: { ...FAST_TIMING, callbackTimeout: '30 seconds' } },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.status, 'Success');
    assert.equal(result.voiceId, voiceId);
    assert.equal(result.jobId, (await jobOf(stack.emulator, voiceId)).jobId);
    assert.ok(result.statusChecks >= 1, 'the callback was confirmed by a read');
    assert.deepEqual(
      result.detection?.map((d) => [d.audioRecordId, d.pass]),
      [
        [1, true],
        [2, true],
        [3, true],
      ],
    );
    const job = await jobOf(stack.emulator, voiceId);
    assert.equal(job.submitCount, 1);
    assert.equal(job.status, 'Success');
    const delivered = (await stack.emulator.admin.callbacks()).filter((c) => c.voiceId === voiceId);
    assert.ok(
      delivered.some((c) => c.outcome === 'delivered'),
      'the emulator delivered its callback',
    );
    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.iceVoiceId), voiceId);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.iceJobId), result.jobId);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.voiceCloneStage), 'Succeeded');
    assert.equal(await description.staticSummary(), `Clone ICE voice ${voiceId}`);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', new RegExp(`\\(Basic\\) \`${voiceId}\`.*Succeeded`));
    assert.match(metadata.currentDetails ?? '', /Audio detection: 3\/3 passed/);
    const summaries = ((await handle.fetchHistory()).events ?? [])
      .map((event) => event.userMetadata?.summary?.data)
      .filter((data): data is Uint8Array => data instanceof Uint8Array)
      .map((data) => JSON.parse(Buffer.from(data).toString('utf8')) as string);
    assert.ok(summaries.includes(`SubmitCustomizedVoiceJob voice=${voiceId}`), summaries.join(' | '));
    assert.ok(summaries.some((text) => text.startsWith(`DetectAudioForCustomizedVoiceJob voice=${voiceId}`)));
    assert.equal(result.edition, 'basic');
    const report = await getVoiceCloneStatus(stack.client, voiceId);
    assert.equal(report.execution, 'COMPLETED');
    assert.equal(report.edition, 'basic');
    assert.equal(report.stage, 'Succeeded');
    assert.equal(report.result?.completedVia, 'callback');
  });

  test('given its JobId, a clone costs ICE four calls: one read to look up, detect, submit, one read to confirm', async () => {
    const voiceId = newVoiceId('GivenJob');
    const jobId = await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.clearCalls();
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, jobId, recordings: recordings(voiceId, 1), timing: { ...FAST_TIMING, callbackTimeout: '30 seconds' } },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.jobId, jobId);
    const calls = (await stack.emulator.admin.calls())
      .filter((call) => call.params.VoiceId === voiceId || call.params.JobId === jobId)
      .map((call) => call.action);
    assert.deepEqual(calls, [
      'GetCustomizedVoiceJob',
      'DetectAudioForCustomizedVoiceJob',
      'SubmitCustomizedVoiceJob',
      'GetCustomizedVoiceJob',
    ]);
    assert.ok(!(await iceCalls(stack.emulator)).includes('ListCustomizedVoiceJobs'), 'no paging through the job list');
    // The usual wait for the callback is not indexed: one upsert, riding on the close.
    assert.deepEqual(await upsertedStages(handle), ['Succeeded']);
  });

  test("another voice's JobId fails as InvalidInput after one read, before detection or submit", async () => {
    const voiceId = newVoiceId('WrongJob');
    const otherVoiceId = newVoiceId('OtherJob');
    await createVoice(stack.ice, voiceId);
    const otherJobId = await createVoice(stack.ice, otherVoiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, jobId: otherJobId, recordings: recordings(voiceId, 1), timing: FAST_TIMING },
      { taskQueue: stack.taskQueue },
    );
    const failure = await assertWorkflowFailed(handle.result());
    assert.equal(failure.type, 'InvalidInput');
    assert.match(failure.message, new RegExp(`jobId: .*belongs to voice ${otherVoiceId}`));
    const calls = await iceCalls(stack.emulator, voiceId);
    assert.ok(
      !calls.includes('DetectAudioForCustomizedVoiceJob') && !calls.includes('SubmitCustomizedVoiceJob'),
      calls.join(),
    );
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 0);
  });

  test('lost callback: polling after callbackTimeout finds the result', async () => {
    const voiceId = newVoiceId('Lost');
    await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({ callbacks: { drop: { count: 1 } } });
    try {
      const handle = await startVoiceClone(
        stack.client,
        { voiceId, recordings: recordings(voiceId, 2), timing: { ...FAST_TIMING, callbackTimeout: '1 second' } },
        { taskQueue: stack.taskQueue },
      );
      const result = await handle.result();
      assert.equal(result.completedVia, 'poll');
      assert.ok(result.statusChecks >= 1);
      assert.deepEqual(await upsertedStages(handle), ['Polling', 'Succeeded'], 'a clone polling ICE is indexed');
      assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
      const attempts = (await stack.emulator.admin.callbacks()).filter((c) => c.voiceId === voiceId);
      assert.ok(attempts.every((c) => c.outcome === 'dropped-by-fault'));
    } finally {
      await stack.emulator.admin.setFaults({});
    }
  });

  test('ICE ends training in Fail → TrainingFailed with ICE Message', async () => {
    const voiceId = newVoiceId('FailTrain');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: FAST_TIMING },
      { taskQueue: stack.taskQueue },
    );
    const failure = await assertWorkflowFailed(handle.result());
    assert.equal(failure.type, 'TrainingFailed');
    assert.ok(failure.message.includes(TRAINING_FAILED_MESSAGE), failure.message);
    assert.equal(failure.nonRetryable, true);
    const status = await handle.query('status');
    assert.equal((status as { stage: string }).stage, 'Failed');
  });

  test('detection failure lists every failing recording with its reason and submits nothing', async () => {
    const voiceId = newVoiceId('BadAudio');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 6, [2, 5]), timing: FAST_TIMING },
      { taskQueue: stack.taskQueue },
    );
    const failure = await assertWorkflowFailed(handle.result());
    assert.equal(failure.type, 'AudioDetectionFailed');
    assert.match(failure.message, /audioRecordId 2: \S/);
    assert.match(failure.message, /audioRecordId 5: \S/);
    assert.doesNotMatch(failure.message, /audioRecordId [1346]:/);
    const calls = await iceCalls(stack.emulator, voiceId);
    assert.equal(calls.filter((a) => a === 'DetectAudioForCustomizedVoiceJob').length, 6, 'all six were detected');
    assert.ok(!calls.includes('SubmitCustomizedVoiceJob'));
  });

  test('a final ICE error keeps ICE Code as the failure type and the RequestId in the message', async () => {
    const voiceId = newVoiceId('NoPassedAudio');
    await createVoice(stack.ice, voiceId);
    // A failed detection moves the job on from Initialization without staging audio, so ICE refuses the submit.
    const detected = await stack.ice.detectAudioForCustomizedVoiceJob({
      voiceId,
      audioRecordId: 1,
      recordUrl: `https://oss.example.com/${voiceId}/fail-detection-1.wav`,
    });
    assert.equal(detected.pass, false);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, timing: FAST_TIMING },
      { taskQueue: stack.taskQueue },
    );
    const failure = await assertWorkflowFailed(handle.result());
    const submitCall = (await stack.emulator.admin.calls()).find(
      (call) => call.action === 'SubmitCustomizedVoiceJob' && call.params.VoiceId === voiceId,
    );
    assert.ok(submitCall?.code, 'the emulator refused the submit');
    assert.equal(failure.type, submitCall.code);
    assert.ok(failure.message.includes(submitCall.requestId), failure.message);
  });

  test('no detection and no recordings → VoiceNotReady without submitting', async () => {
    const created = newVoiceId('Fresh');
    await createVoice(stack.ice, created);
    const missing = newVoiceId('Missing');
    for (const voiceId of [created, missing]) {
      const handle = await startVoiceClone(
        stack.client,
        { voiceId, timing: FAST_TIMING },
        { taskQueue: stack.taskQueue },
      );
      const failure = await assertWorkflowFailed(handle.result());
      assert.equal(failure.type, 'VoiceNotReady');
      assert.ok(failure.message.includes(voiceId));
    }
    const submits = (await stack.emulator.admin.calls()).filter(
      (call) => call.action === 'SubmitCustomizedVoiceJob' && [created, missing].includes(call.params.VoiceId ?? ''),
    );
    assert.equal(submits.length, 0);
  });

  test('already-trained voice: returns at once without a second submit', async () => {
    const voiceId = newVoiceId('Trained');
    await createVoice(stack.ice, voiceId);
    const input = { voiceId, recordings: recordings(voiceId, 1), timing: FAST_TIMING };
    const first = await (await startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue })).result();
    assert.notEqual(first.completedVia, 'already-trained');
    // Started again with its recordings: the lookup comes first, so nothing is detected (ICE would refuse) or paid.
    const second = await (await startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue })).result();
    assert.equal(second.completedVia, 'already-trained');
    const detections = (await iceCalls(stack.emulator, voiceId)).filter(
      (a) => a === 'DetectAudioForCustomizedVoiceJob',
    );
    assert.equal(detections.length, 1, 'only the first run detected');
    assert.equal(second.jobId, first.jobId);
    assert.equal(second.statusChecks, 0);
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
  });

  test('already-training voice: the workflow adopts the running job instead of submitting', async () => {
    const voiceId = newVoiceId('Training');
    await createVoice(stack.ice, voiceId);
    await stack.ice.detectAudioForCustomizedVoiceJob({
      voiceId,
      audioRecordId: 1,
      recordUrl: recordings(voiceId, 1)[0].recordUrl,
    });
    await stack.emulator.admin.updateSettings({ trainingMs: 60_000 });
    try {
      const submitted = await stack.ice.submitCustomizedVoiceJob({ voiceId });
      const handle = await startVoiceClone(
        stack.client,
        { voiceId, timing: FAST_TIMING },
        { taskQueue: stack.taskQueue },
      );
      const waiting = await waitForStatus(handle, (status) => status.stage === 'AwaitingCallback');
      assert.equal(waiting.jobId, submitted.jobId);
      await stack.emulator.admin.finishJob(submitted.jobId, { status: 'Success' });
      const result = await handle.result();
      assert.equal(result.jobId, submitted.jobId);
      assert.notEqual(result.completedVia, 'already-trained');
      const workflowSubmits = (await stack.emulator.admin.calls()).filter(
        (call) => call.action === 'SubmitCustomizedVoiceJob' && call.params.VoiceId === voiceId,
      );
      assert.equal(workflowSubmits.length, 1, 'only the submit this test made');
      assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
    } finally {
      await stack.emulator.admin.updateSettings({ trainingMs: 300 });
    }
  });

  test('the same voice started twice attaches to one run and one ICE job', async () => {
    const voiceId = newVoiceId('Twice');
    await createVoice(stack.ice, voiceId);
    const input = { voiceId, recordings: recordings(voiceId, 2), timing: FAST_TIMING };
    const [a, b] = await Promise.all([
      startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue }),
      startVoiceClone(stack.client, input, { taskQueue: stack.taskQueue }),
    ]);
    assert.equal(a.workflowId, voiceCloneWorkflowId(voiceId));
    assert.equal(a.firstExecutionRunId, b.firstExecutionRunId);
    const [ra, rb] = await Promise.all([a.result(), b.result()]);
    assert.deepEqual(ra, rb);
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${voiceCloneWorkflowId(voiceId)}'` })) {
      runs.push(run.runId);
    }
    assert.equal(runs.length, 1);
  });

  test('runs as a child workflow of a parent', async () => {
    const taskQueue = `${stack.taskQueue}-parents`;
    const worker = await stack.startWorker({ workflowsPath: PARENT_WORKFLOWS, taskQueue });
    try {
      const voiceId = newVoiceId('Child');
      await createVoice(stack.ice, voiceId);
      const result: VoiceCloneResult = await stack.client.workflow.execute<typeof parentOfVoiceClone>(
        'parentOfVoiceClone',
        {
          workflowId: `parent-of-${voiceId}`,
          taskQueue,
          args: [{ voiceId, recordings: recordings(voiceId, 2), timing: FAST_TIMING }],
        },
      );
      assert.equal(result.status, 'Success');
      assert.equal(result.voiceId, voiceId);
      const child = await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).describe();
      assert.equal(child.status.name, 'COMPLETED');
      assert.equal(child.parentExecution?.workflowId, `parent-of-${voiceId}`);
    } finally {
      await worker.stop();
    }
  });
});

/** The VoiceCloneStage values the clone upserted, in history order. */
async function upsertedStages(handle: WorkflowHandle): Promise<string[]> {
  return ((await handle.fetchHistory()).events ?? []).flatMap((event) => {
    const data =
      event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[
        searchAttributes.voiceCloneStage.name
      ]?.data;
    return data ? [JSON.parse(Buffer.from(data).toString('utf8')) as string] : [];
  });
}
