/**
 * Issue 24's measure, end to end: one captured `(X-ICE-TIMESTAMP, X-ICE-SIGNATURE)` pair replayed 30 times with
 * 50 KB bodies naming a running clone, through the real signed receiver, into the real clone workflow on the dev
 * server with the emulator. What the attacker gains is bounded: the clone's history grows under 200 KB and ICE is
 * read at most 5 more times, whatever the receiver let through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startVoiceClone } from '../../src/client';
import { signIceCallback } from '../../src/ice/callback-auth';
import { EMULATOR_VOICE_JOB_EVENT_TYPE } from '../../src/ice/types';
import type { SignedCallbackReceiver } from '../../src/local-stack/signed-callback-receiver';
import { TEST_TIMINGS } from '../../src/testing';
import { startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, newVoiceId, recordings, waitForStatus } from '../workflow/support';

const REPLAYS = 30;
const BODY_BYTES = 50_000;
const MAX_HISTORY_GROWTH = 200_000;
const MAX_EXTRA_READS = 5;
const POLL_INTERVAL_MS = 3_000;
/** The clone waits for callbacks only: every read counted during the storm is one a callback caused. */
const CALLBACKS_ONLY = {
  ...TEST_TIMINGS.fast,
  callbackTimeout: '10 minutes',
  trainingTimeout: '1 hour',
  pollInterval: `${POLL_INTERVAL_MS} milliseconds`,
  maxPollInterval: '10 seconds',
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function historyBytes(handle: WorkflowHandle): Promise<number> {
  return temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish().byteLength;
}

/** ICE's envelope for the clone's job, padded to `bytes` with a field nobody reads; `index` makes each body new. */
function paddedCallback(jobId: string, voiceId: string, index: number, bytes: number): string {
  const envelope = {
    EventType: EMULATOR_VOICE_JOB_EVENT_TYPE,
    UserId: 1234567890123456,
    EventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    MessageBody: { JobId: jobId, VoiceId: voiceId, Status: 'Training', Padding: '' },
  };
  const base = Buffer.byteLength(JSON.stringify(envelope));
  envelope.MessageBody.Padding = 'x'.repeat(Math.max(0, bytes - base));
  return JSON.stringify(envelope);
}

describe('one captured signature replayed with 50 KB bodies against a running clone', () => {
  let harness: TestHarness;
  let receiver: SignedCallbackReceiver;

  before(async () => {
    harness = await startTestHarness({ name: 'replay-storm', worker: true, emulator: { trainingMs: 600_000 } });
    receiver = await harness.startReceiver();
  });
  after(async () => {
    await harness?.close();
  });

  const readsOf = async (jobId: string): Promise<number> =>
    (await harness.emulator.admin.calls()).filter(
      (call) => call.action === 'GetCustomizedVoiceJob' && call.performed && call.params.JobId === jobId,
    ).length;

  test(`${REPLAYS} replays keep the history growth under 200 KB and cost at most ${MAX_EXTRA_READS} reads`, async () => {
    const voiceId = newVoiceId('Replay');
    await createVoice(harness.ice, voiceId);
    const handle = await startVoiceClone(
      harness.client,
      { voiceId, recordings: recordings(voiceId, 1), timing: CALLBACKS_ONLY },
      { taskQueue: harness.taskQueue },
    );
    const { jobId } = await waitForStatus(handle, (status) => status.stage === 'AwaitingCallback');
    assert.ok(jobId);
    const readsBefore = await readsOf(jobId);
    const bytesBefore = await historyBytes(handle);

    // The captured pair: valid for the receiver's URL and key, reused for every body.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'x-ice-timestamp': timestamp,
      'x-ice-signature': signIceCallback(receiver.callbackUrl, timestamp, receiver.authKey),
    };
    const answers: number[] = [];
    for (let index = 0; index < REPLAYS; index++) {
      const body = paddedCallback(jobId, voiceId, index, BODY_BYTES);
      const response = await fetch(receiver.callbackUrl, { method: 'POST', headers, body });
      answers.push(response.status);
      await response.arrayBuffer();
      await sleep(200); // spread over 6 s: some inside the receiver's same-second grace, most after it
    }
    assert.ok(
      answers.every((status) => status === 200 || status === 401),
      `answers: ${answers.join()}`,
    );
    assert.ok(answers.includes(401), `a replay with another body is refused: ${answers.join()}`);

    await sleep(POLL_INTERVAL_MS + 2_000); // any read the storm deferred to the next poll interval
    const extraReads = (await readsOf(jobId)) - readsBefore;
    const growth = (await historyBytes(handle)) - bytesBefore;
    console.log(`${REPLAYS} replays: answers ${answers.join()}; ${extraReads} extra reads; history +${growth} bytes`);
    assert.ok(growth < MAX_HISTORY_GROWTH, `history grew by ${growth} bytes`);
    assert.ok(extraReads <= MAX_EXTRA_READS, `${extraReads} extra reads`);

    // The clone is unharmed: the real end still completes it by callback.
    await harness.emulator.admin.finishJob(jobId, { status: 'Success' });
    const result = await handle.result();
    assert.equal(result.status, 'Success');
  });
});
