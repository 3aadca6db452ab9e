/**
 * Clones against an ICE that answers as its SDK allows but the package's enums did not expect
 * (docs/ice-api.md#job-fields), on a real dev server with the real emulator and its faults: an unknown Status keeps
 * the clone polling (shown in the status query, the CLI's status and the Web UI's current details, one warning per
 * clone), reads without a Status fail it as UnexpectedIceResponse after the bounded retries and never carry it past
 * its training deadline, and a submit answered without a JobId ends with exactly one ICE job.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { getVoiceCloneStatus } from '../../src/client';
import { formatCloneStatus } from '../../src/cli/commands/status';
import { startVoiceClone } from '../../src/client';
import type { VoiceCloneTiming } from '../../src/workflows/definitions';
import { createVoice, FAST_TIMING, jobOf, newVoiceId, recordings, waitForStatus } from './support';
import { assertWorkflowFailed, startTestHarness, type TestHarness } from '../support/harness';

// This file's process logs through this runtime, so that the workflow's warnings can be counted.
const warnings: LogEntry[] = [];
Runtime.install({ logger: new DefaultLogger('WARN', (entry) => warnings.push(entry)) });

const UNKNOWN_STATUS_WARNING = /status this package does not know/;
/** What a read at or after the deadline may take (LAST_READ_BUDGET_MS in await-training-result.ts). */
const LAST_READ_BUDGET_MS = 10_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function runMs(handle: WorkflowHandle): Promise<number> {
  const description = await handle.describe();
  return (description.closeTime?.getTime() ?? Date.now()) - description.startTime.getTime();
}

describe('ICE answers the SDK allows but the enums did not expect (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'unexpected-responses', worker: true });
  });
  beforeEach(async () => {
    await stack.emulator.admin.setFaults({});
  });
  after(async () => {
    await stack?.close();
  });

  /** GetCustomizedVoiceJob reads of this voice's job that the Status override answered. */
  async function overriddenReads(jobId: string): Promise<number> {
    const calls = await stack.emulator.admin.calls();
    return calls.filter(
      (call) =>
        call.action === 'GetCustomizedVoiceJob' && call.params.JobId === jobId && call.fault === 'jobStatusOverride',
    ).length;
  }

  async function performedSubmits(voiceId: string): Promise<number> {
    const calls = await stack.emulator.admin.calls();
    return calls.filter(
      (call) => call.action === 'SubmitCustomizedVoiceJob' && call.params.VoiceId === voiceId && call.performed,
    ).length;
  }

  async function start(voiceId: string, timing: VoiceCloneTiming = FAST_TIMING, taskQueue = stack.taskQueue) {
    return startVoiceClone(stack.client, { voiceId, recordings: recordings(voiceId, 1), timing }, { taskQueue });
  }

  test('an unknown Status keeps the clone polling, shown raw, with one warning, until ICE says Success', async () => {
    const voiceId = newVoiceId('Queued');
    const jobId = await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({
      jobStatusOverrides: [
        { voiceId, status: 'Queued', reads: 2 },
        { voiceId, status: 'Paused', reads: 10_000 },
      ],
    });
    const handle = await start(voiceId);
    const shown = await waitForStatus(handle, (status) => status.lastIceStatus === 'Paused', 30_000);
    assert.equal(shown.stage, 'Polling');
    // Training has long ended in the emulator; the clone goes on reading "Paused" and does not end.
    await until('five more reads answered Paused', async () =>
      (await overriddenReads(jobId)) >= 8 ? true : undefined,
    );
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    assert.equal((await jobOf(stack.emulator, voiceId)).status, 'Success');

    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /Last ICE status: Paused .*not a status this package knows/);
    const report = await getVoiceCloneStatus(stack.client, voiceId);
    assert.equal(report.lastIceStatus, 'Paused');
    assert.match(formatCloneStatus(report), /ICE status +Paused .*not a status this package knows/);

    await stack.emulator.admin.setFaults({}); // ICE reports the job's real Status again
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    assert.equal(result.completedVia, 'poll');
    const mine = warnings.filter(
      (entry) => UNKNOWN_STATUS_WARNING.test(entry.message) && entry.meta?.voiceId === voiceId,
    );
    assert.equal(mine.length, 1, 'one warning per clone, for two unknown values and many reads');
    assert.equal(mine[0].meta?.status, 'Queued');
    assert.equal(mine[0].level, 'WARN');
  });

  test('reads without a Status fail the clone as UnexpectedIceResponse after 5 retries, within trainingTimeout', async () => {
    const voiceId = newVoiceId('NoStatus');
    const jobId = await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId, status: null, reads: 10_000 }] });
    const handle = await start(voiceId, { ...FAST_TIMING, callbackTimeout: '1 second', trainingTimeout: '2 minutes' });
    const failure = await assertWorkflowFailed(handle.result());
    assert.equal(failure.type, 'UnexpectedIceResponse');
    assert.match(failure.message, /GetCustomizedVoiceJob/);
    assert.match(failure.message, /Data\.CustomizedVoiceJob\.Status/);
    assert.match(failure.message, /\[RequestId [\w-]+\]/);
    const elapsedMs = await runMs(handle);
    assert.ok(elapsedMs < 2 * 60_000, `ended after ${elapsedMs} ms, before its 2 min trainingTimeout`);
    // The poll's read, then the workflow's read with its 5 retries: six answers without a Status, no more.
    assert.equal(await overriddenReads(jobId), 6);
    const status = await waitForStatus(handle, (s) => s.stage === 'Failed');
    assert.equal(status.failure?.type, 'UnexpectedIceResponse');
  });

  test('the training deadline still rules: with a bound of 20 retries (minutes of backoff) the clone ends at it', async () => {
    // A worker of the package's activities with VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES=20, on its own task queue.
    const taskQueue = `${stack.taskQueue}-bound20`;
    const worker = await stack.startWorker({ taskQueue, unexpectedResponseRetries: 20 });
    const voiceId = newVoiceId('NoStatusLate');
    const jobId = await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({ jobStatusOverrides: [{ voiceId, status: null, reads: 10_000 }] });
    const trainingTimeoutMs = 6_000;
    const failure = await (async () => {
      const handle = await start(
        voiceId,
        {
          callbackTimeout: '1 second',
          pollInterval: '200 milliseconds',
          maxPollInterval: '1 second',
          trainingTimeout: trainingTimeoutMs,
        },
        taskQueue,
      );
      const failed = await assertWorkflowFailed(handle.result());
      const elapsedMs = await runMs(handle);
      assert.ok(
        elapsedMs < trainingTimeoutMs + LAST_READ_BUDGET_MS,
        `ended ${elapsedMs} ms after start: at most one last read's budget past the deadline`,
      );
      return failed;
    })().finally(() => worker.stop());
    assert.equal(failure.type, 'TrainingTimedOut', failure.message);
    assert.ok((await overriddenReads(jobId)) < 21, 'the deadline, not the bound, ended the reads');
  });

  test("a submit answered without a JobId is adopted by the retry's lookup: exactly one ICE job, one submit", async () => {
    const voiceId = newVoiceId('NoJobIdOnce');
    await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { omitJobId: { count: 1 } } } });
    const handle = await start(voiceId);
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    const job = await jobOf(stack.emulator, voiceId);
    assert.equal(result.jobId, job.jobId);
    assert.equal(job.submitCount, 1);
    assert.equal(await performedSubmits(voiceId), 1);
    assert.equal((await stack.emulator.admin.jobs()).filter((j) => j.voiceId === voiceId).length, 1);
  });

  test('a submit whose answers keep lacking a JobId: the first retry finds the accepted job and adopts it', async () => {
    const voiceId = newVoiceId('NoJobIdEver');
    await createVoice(stack.ice, voiceId);
    await stack.emulator.admin.setFaults({ operations: { SubmitCustomizedVoiceJob: { omitJobId: { rate: 1 } } } });
    const handle = await start(voiceId);
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    assert.equal(await performedSubmits(voiceId), 1, 'never a second submit');
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
  });
});
