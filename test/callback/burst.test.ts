/**
 * A burst like the end of a large training batch: 1,000 signed callbacks (duplicates included, some with only a
 * JobId, which the receiver reads at the ICE emulator) against 200 open clones, delivered with ICE's retries. Every clone is signalled and completes exactly
 * once, and every 200 "signalled" answer is a signal in some clone's history. Then a burst beyond what the
 * delivery slots take by the deadline: the late callbacks are answered 200 "queued" and delivered from the backlog.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { createReceiverConnection } from '../../src/callback/temporal-connection';
import { emulatorIceClient, type RunningEmulator } from '../../src/emulator';
import type { IceClient } from '../../src/ice/types';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { createVoice } from '../workflow/support';
import { callbackRecorderWorkflow } from './fixtures/workflows';
import {
  NEW_KEY,
  capturingLogger,
  OLD_KEY,
  FIXTURE_WORKER,
  mapConcurrently,
  postLikeIce,
  receiverConfig,
  signedHeaders,
  voiceJobEvent,
  unreachableIce,
} from './support';

const CLONES = 200;
const CALLBACKS_PER_CLONE = 5;

let h: TestHarness;
let env: TestHarness['env'];
let taskQueue: string;
/** The receiver's own kind of connection (its timeouts), as a deployed receiver has. */
let receiverClient: Client;
let receiver: RunningCallbackReceiver;
let emulator: RunningEmulator;
let ice: IceClient;
const log = capturingLogger('callback-burst');

before(async () => {
  h = await startTestHarness({ name: 'callback-burst', worker: FIXTURE_WORKER });
  ({ env, taskQueue, emulator } = h);
  ice = emulatorIceClient(emulator, 2_000);
  const connection = createReceiverConnection({ address: h.temporal.address });
  h.onClose(() => connection.close());
  receiverClient = new Client({ connection });
  receiver = await h.startCallbackReceiver({
    config: receiverConfig(),
    client: receiverClient,
    ice,
    logger: log.logger,
  });
});

after(() => h?.close());

/** Deterministic shuffle (no Math.random): the order is the same on every run, and failures reproduce. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test(`${CLONES * CALLBACKS_PER_CLONE} callbacks with duplicates against ${CLONES} clones`, async (t) => {
  const voiceIds = Array.from({ length: CLONES }, (_, i) => `BurstVoice${i}`);
  await mapConcurrently(voiceIds, 20, (voiceId) =>
    env.client.workflow.start(callbackRecorderWorkflow, {
      taskQueue,
      workflowId: voiceCloneWorkflowId(voiceId),
    }),
  );
  // Every fifth clone's callbacks carry only the JobId: ICE's record of that job names the voice.
  const jobIds = new Map<string, string>();
  await mapConcurrently(
    voiceIds.filter((_, clone) => clone % 5 === 0),
    10,
    async (voiceId) => jobIds.set(voiceId, await createVoice(ice, voiceId)),
  );

  // Per clone: a progress event, then the terminal event and its duplicates. Keys alternate as during a rotation.
  const callbacks = shuffled(
    voiceIds.flatMap((voiceId) =>
      Array.from({ length: CALLBACKS_PER_CLONE }, (_, n) => {
        const jobId = jobIds.get(voiceId);
        const ids = jobId !== undefined ? { JobId: jobId } : { VoiceId: voiceId, JobId: `job-${voiceId}` };
        return {
          event: voiceJobEvent({ ...ids, Status: n === 0 ? 'Training' : 'Success' }),
          key: n % 2 ? OLD_KEY : NEW_KEY,
        };
      }),
    ),
  );
  // Each delivery as ICE makes it, retries included: on a loaded machine an answer can miss the deadline (503).
  const deliveries = await mapConcurrently(callbacks, 25, ({ event, key }) =>
    postLikeIce(receiver.callbackUrl, event, signedHeaders(key)),
  );
  const retried = deliveries.filter((attempts) => attempts.length > 1).length;
  const answers = deliveries.map((attempts) => attempts.at(-1) as (typeof attempts)[number]);
  t.diagnostic(`deliveries that needed ICE's retry: ${retried}`);

  const byStatus = new Map<string, number>();
  for (const answer of answers) {
    const label = `${answer.status} ${String(answer.body.status ?? answer.body.error)}`;
    byStatus.set(label, (byStatus.get(label) ?? 0) + 1);
  }
  t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(byStatus))}`);
  for (const line of log.lines.filter((l) => /"status":5/.test(l)).slice(0, 5)) t.diagnostic(line);
  assert.deepEqual(
    [...byStatus.keys()].filter((label) => !['200 signalled', '200 unmatched'].includes(label)),
    [],
    'only 200 answers',
  );

  const results = await mapConcurrently(voiceIds, 20, (voiceId) =>
    env.client.workflow.getHandle<typeof callbackRecorderWorkflow>(voiceCloneWorkflowId(voiceId)).result(),
  );
  for (const result of results) assert.equal(result.completingStatus, 'Success');
  for (const voiceId of voiceIds) {
    const description = await env.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).describe();
    assert.equal(description.status.name, 'COMPLETED', voiceId);
  }
  // Visibility lags the results a little: wait (bounded) for it to catch up before counting runs.
  const completedQuery = `WorkflowType = "callbackRecorderWorkflow" AND ExecutionStatus = "Completed"`;
  for (let waited = 0; waited < 15_000; waited += 200) {
    if ((await env.client.workflow.count(completedQuery)).count >= CLONES) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const executions = await env.client.workflow.count(`WorkflowType = "callbackRecorderWorkflow"`);
  const completed = await env.client.workflow.count(completedQuery);
  assert.deepEqual([executions.count, completed.count], [CLONES, CLONES], 'each clone ran and completed exactly once');

  const signalEvents = await mapConcurrently(voiceIds, 20, async (voiceId) => {
    const history = await env.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'iceCallback',
    ).length;
  });
  assert.ok(
    signalEvents.every((count) => count >= 1),
    'every clone was signalled',
  );
  const metrics = receiver.metrics();
  const signalled = signalEvents.reduce((a, b) => a + b, 0);
  // Every "signalled" answer is a signal in history. A 503 may hide a signal the server accepted just after the
  // deadline (its retry then signals again, which the workflow tolerates): at most one extra per 503.
  assert.ok(signalled >= metrics.signalled, `${signalled} signals in history < ${metrics.signalled} answered`);
  assert.ok(signalled <= metrics.signalled + metrics.temporalUnavailable, 'a signal without an attempt');
  // Duplicates with the same signature and body are ICE's retries: answered as before, not delivered again.
  assert.equal(metrics.signalled + metrics.unmatched + metrics.retries, callbacks.length);
  assert.deepEqual(metrics.rejected, {});
  // A JobId-only callback costs one ICE read, none once its clone is known to be closed.
  const reads = (await emulator.admin.calls()).filter((call) => call.action === 'GetCustomizedVoiceJob').length;
  t.diagnostic(`ICE reads for ${jobIds.size * CALLBACKS_PER_CLONE} JobId-only callbacks: ${reads}`);
  const retriedAttempts = metrics.iceUnavailable + metrics.temporalUnavailable;
  assert.ok(reads <= jobIds.size * CALLBACKS_PER_CLONE + retriedAttempts, `${reads} ICE reads`);
  t.diagnostic(
    `receiver latency ms: p50 ${metrics.latency.p50Ms} p90 ${metrics.latency.p90Ms} p99 ${metrics.latency.p99Ms} max ${metrics.latency.maxMs}`,
  );
});

test('callbacks behind a full round of waiting deliveries are answered "queued" at once and delivered later', async (t) => {
  // One delivery slot: of 400 callbacks arriving together, most arrive behind one running and one waiting.
  const logged = capturingLogger('callback-backlog');
  const backlogReceiver = await h.startCallbackReceiver({
    config: receiverConfig({ maxInFlight: 1 }),
    client: receiverClient,
    ice: await unreachableIce(),
    logger: logged.logger,
  });
  const voiceIds = Array.from({ length: 100 }, (_, i) => `BacklogVoice${i}`);
  await mapConcurrently(voiceIds, 20, (voiceId) =>
    env.client.workflow.start(callbackRecorderWorkflow, {
      taskQueue,
      workflowId: voiceCloneWorkflowId(voiceId),
    }),
  );
  // Progress events only, so that every clone stays open and every delivered callback is a signal in its history.
  const callbacks = voiceIds.flatMap((voiceId) =>
    Array.from({ length: 4 }, (_, n) =>
      voiceJobEvent({ VoiceId: voiceId, JobId: `job-${voiceId}-${n}`, Status: 'Training' }),
    ),
  );
  const url = backlogReceiver.callbackUrl;
  const deliveries = await mapConcurrently(callbacks, callbacks.length, (event) =>
    postLikeIce(url, event, signedHeaders(NEW_KEY)),
  );
  const answers = deliveries.map((attempts) => attempts.at(-1) as (typeof attempts)[number]);
  const queued = answers.filter((answer) => answer.body.status === 'queued').length;
  t.diagnostic(`queued ${queued} of ${callbacks.length}; retried ${deliveries.filter((a) => a.length > 1).length}`);
  const odd = answers.filter(
    (answer) => answer.status !== 200 || !['signalled', 'queued'].includes(String(answer.body.status)),
  );
  assert.deepEqual(odd, [], 'every callback answered 200, signalled or queued');
  assert.ok(queued > 0, 'callbacks that could not be delivered in time were kept');

  for (let waited = 0; backlogReceiver.metrics().backlogDepth > 0; waited += 100) {
    assert.ok(waited < 60_000, `backlog not drained: ${backlogReceiver.metrics().backlogDepth} left`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const metrics = backlogReceiver.metrics();
  assert.equal(metrics.backlogged, queued);
  assert.equal(metrics.signalled, callbacks.length, 'every callback signalled, the backlogged ones included');
  const signals = await mapConcurrently(voiceIds, 20, async (voiceId) => {
    const history = await env.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'iceCallback',
    ).length;
  });
  // A 503 (Temporal slower than the deadline) may hide a signal accepted just after it: at most one extra per 503.
  const total = signals.reduce((a, b) => a + b, 0);
  assert.ok(
    signals.every((count) => count >= 4),
    'every callback of every clone reached its history',
  );
  assert.ok(
    total <= callbacks.length + metrics.temporalUnavailable,
    `${total} signals for ${callbacks.length} callbacks`,
  );
  assert.ok(logged.lines.some((line) => line.includes('kept in the backlog at once')));
  assert.ok(logged.lines.some((line) => line.includes('backlogged callback delivered')));
  await mapConcurrently(voiceIds, 20, (voiceId) =>
    env.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).terminate('test done'),
  );
});
