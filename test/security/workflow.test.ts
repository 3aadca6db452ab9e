/**
 * Attacks on a running clone through its `iceCallback` signal (dev server + emulator): a storm of callbacks, genuine
 * or forged, costs a bounded number of confirming reads and a bounded history. The signals are sent with the client
 * directly, as the receiver would after its own checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startVoiceClone } from '../../src/client';
import { EMULATOR_VOICE_JOB_EVENT_TYPE } from '../../src/ice/types';
import { iceCallbackSignal, statusQuery, type IceCallbackFact } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, FAST_TIMING, newVoiceId, recordings, waitForStatus } from '../workflow/support';

const STORM = 30;
const MAX_EXTRA_READS = 5;
const MAX_HISTORY_BYTES = 200 * 1024;
const POLL_INTERVAL_MS = 3_000;
/** The storm is spread over about two seconds, so that each callback arrives on its own (not batched with others). */
const STORM_SPACING_MS = 60;
/** Callbacks only: no poll before the storm is over, so every read counted is one a callback caused. */
const STORM_TIMING = {
  ...FAST_TIMING,
  callbackTimeout: '10 minutes',
  trainingTimeout: '1 hour',
  pollInterval: `${POLL_INTERVAL_MS} milliseconds`,
  maxPollInterval: '10 seconds',
};

function fact(jobId: string, voiceId: string, status: string, index: number): IceCallbackFact {
  return {
    eventType: EMULATOR_VOICE_JOB_EVENT_TYPE,
    jobId,
    voiceId,
    status,
    eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
  };
}

async function historyBytes(handle: WorkflowHandle): Promise<number> {
  return temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish().byteLength;
}

describe('callback storms against a running clone (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'security-workflow', worker: true, emulator: { trainingMs: 600_000 } });
  });
  after(() => stack?.close());

  const readsOf = async (jobId: string): Promise<number> =>
    (await stack.emulator.admin.calls()).filter(
      (call) => call.action === 'GetCustomizedVoiceJob' && call.performed && call.params.JobId === jobId,
    ).length;

  /** Starts a clone that trains for 10 minutes and sends it `STORM` callbacks of `status`; returns what they cost. */
  async function storm(status: string, { timing = STORM_TIMING, stage = 'AwaitingCallback' } = {}) {
    const voiceId = newVoiceId('Storm');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1), timing },
      { taskQueue: stack.taskQueue },
    );
    const { jobId } = await waitForStatus(handle, (current) => current.stage === stage);
    assert.ok(jobId);
    const readsBefore = await readsOf(jobId);
    for (let index = 0; index < STORM; index++) {
      await handle.signal(iceCallbackSignal, fact(jobId, voiceId, status, index));
      await new Promise((resolve) => setTimeout(resolve, STORM_SPACING_MS));
    }
    await waitForStatus(handle, (current) => current.callbacksReceived === STORM);
    // Long enough for any read the storm deferred to the next poll interval.
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS + 2_000));
    const settled = await handle.query(statusQuery);
    const extraReads = (await readsOf(jobId)) - readsBefore;
    const bytes = await historyBytes(handle);
    console.log(`${STORM} callbacks saying ${status}: ${extraReads} extra reads, history ${bytes} bytes`);
    return { handle, jobId, voiceId, settled, extraReads, bytes };
  }

  test(`${STORM} callbacks saying Training cost at most ${MAX_EXTRA_READS} reads and under 200 KB`, async () => {
    const { handle, jobId, voiceId, settled, extraReads, bytes } = await storm('Training');
    assert.ok(extraReads <= MAX_EXTRA_READS, `${extraReads} extra reads`);
    assert.equal(settled.statusChecks, extraReads, 'the status counts every read');
    assert.ok(settled.callbacksCoalesced >= STORM - MAX_EXTRA_READS, `${settled.callbacksCoalesced} coalesced`);
    assert.equal(settled.stage, 'AwaitingCallback');
    assert.ok(bytes < MAX_HISTORY_BYTES, `history ${bytes} bytes`);

    // The storm did not deafen the clone: training really ends, its callback is confirmed at once.
    await stack.emulator.admin.finishJob(jobId, { status: 'Success' });
    await handle.signal(iceCallbackSignal, fact(jobId, voiceId, 'Success', STORM));
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
  });

  test(`${STORM} forged callbacks claiming Success cost at most ${MAX_EXTRA_READS} reads and under 200 KB`, async () => {
    const { handle, settled, extraReads, bytes } = await storm('Success');
    assert.ok(extraReads <= MAX_EXTRA_READS, `${extraReads} extra reads`);
    assert.ok(settled.callbacksCoalesced >= STORM - MAX_EXTRA_READS, `${settled.callbacksCoalesced} coalesced`);
    assert.equal(settled.stage, 'AwaitingCallback', 'no forged callback ends the clone');
    assert.ok(bytes < MAX_HISTORY_BYTES, `history ${bytes} bytes`);
    await handle.terminate('test over');
  });

  test(`${STORM} callbacks saying Training while the clone polls stop no poll and cost no read of their own`, async () => {
    const polling = { ...STORM_TIMING, callbackTimeout: '1 second', maxPollInterval: STORM_TIMING.pollInterval };
    const { handle, settled, extraReads, bytes } = await storm('Training', { timing: polling, stage: 'Polling' });
    const events = (await handle.fetchHistory()).events ?? [];
    const cancelled = events.filter((event) => event.activityTaskCancelRequestedEventAttributes);
    assert.equal(cancelled.length, 0, 'the running poll went on');
    // The poll reads once per poll interval (about three times over the storm and the wait): no read beyond it.
    assert.ok(extraReads <= MAX_EXTRA_READS, `${extraReads} reads`);
    assert.equal(settled.callbacksCoalesced, STORM);
    assert.ok(bytes < MAX_HISTORY_BYTES, `history ${bytes} bytes`);
    await handle.terminate('test over');
  });

  test('50 callbacks before the JobId is known cost one read together', async () => {
    const voiceId = newVoiceId('Early');
    await createVoice(stack.ice, voiceId);
    // No worker on this queue yet: every callback is in the clone's first task, long before its submit.
    const taskQueue = `${stack.taskQueue}-early`;
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 1), timing: STORM_TIMING },
      { taskQueue },
    );
    const early = 50;
    for (let index = 0; index < early; index++) {
      const { jobId: _unknown, ...withoutJobId } = fact('', voiceId, 'Success', index);
      await handle.signal(iceCallbackSignal, withoutJobId);
    }
    const worker = await stack.startWorker({ taskQueue });
    try {
      const settled = await waitForStatus(handle, (current) => current.statusChecks === 1);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS + 1_000));
      const after = await handle.query(statusQuery);
      assert.equal(after.statusChecks, 1, 'one read confirmed every early callback');
      assert.equal(after.callbacksReceived, early);
      assert.equal(after.callbacksCoalesced, early - 1);
      assert.equal(settled.stage, 'AwaitingCallback');
      await handle.terminate('test over');
    } finally {
      await worker.stop();
    }
  });
});
