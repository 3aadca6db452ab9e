/**
 * End to end with auth on: ICE emulator → signed HTTP callback → receiver → the real voiceCloneWorkflow on the
 * package's worker. ICE's callback is configured with configureIceCallback, exactly as the CLI does it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureIceCallback } from '../../src/callback/configure-callback';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { voiceCloneWorkflowId } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, newVoiceId } from '../workflow/support';
import {
  capturingLogger,
  freePort,
  postCallback,
  receiverConfig,
  signedHeaders,
  startCloneOn,
  voiceJobEvent,
} from './support';

const KEY = 'E2eCallbackKey7';

describe('emulator → receiver → voiceCloneWorkflow', () => {
  let stack: TestHarness;
  let receiver: RunningCallbackReceiver;
  let publicUrl: string;
  const log = capturingLogger('callback-e2e');

  before(async () => {
    stack = await startTestHarness({
      name: 'callback-e2e',
      worker: true,
      emulator: { trainingMs: 300, callbackTiming: { retryDelayMs: 200 } },
    });
    const port = await freePort();
    // What ICE is told and signs. "localhost" rather than the receiver's own 127.0.0.1 URL: the signed string is
    // the configured public URL, whatever address the receiver listens on.
    publicUrl = `http://localhost:${port}/ice/callback`;
    receiver = await stack.startCallbackReceiver({
      config: receiverConfig({ port, publicUrl, authKeys: [KEY] }),
      taskQueue: stack.taskQueue,
      logger: log.logger,
    });
  });

  after(() => stack?.close());

  test('configureIceCallback sets HTTP + auth on and reads it back without the key', async () => {
    const settings = await configureIceCallback(stack.ice, { url: publicUrl, authKey: KEY });
    assert.equal(settings.callbackType, 'HTTP');
    assert.equal(settings.callbackUrl, publicUrl);
    assert.equal(settings.authSwitch, 'on');
    assert.equal(settings.authKey, '[set]');
    assert.ok(!JSON.stringify(settings).includes(KEY), 'the key came back');
    await assert.rejects(configureIceCallback(stack.ice, { url: publicUrl, authKey: 'alllowercase1' }), {
      code: 'InvalidAuthKey',
    });
  });

  test('the clone completes via the signed callback, confirmed by a single read and no polling', async () => {
    const voiceId = newVoiceId('CbE2e');
    await createVoice(stack.ice, voiceId);
    const handle = await startCloneOn(stack, voiceId, 2);
    const result = await handle.result();
    assert.equal(result.completedVia, 'callback');
    assert.equal(result.statusChecks, 1, 'one GetCustomizedVoiceJob to confirm the callback, no polls');
    const deliveries = (await stack.emulator.admin.callbacks()).filter((d) => d.voiceId === voiceId);
    assert.deepEqual(
      deliveries.map((d) => [d.attempt, d.httpStatus, d.outcome]),
      [[1, 200, 'delivered']],
    );
    const line = log.lines.find((l) => l.includes(`"voiceId":"${voiceId}"`));
    assert.match(line ?? '', /"outcome":"signalled".*"workflowId":"voice-clone-CbE2e/);
  });

  test('a callback carrying only a JobId reaches its clone through one ICE read of its job', async () => {
    const voiceId = newVoiceId('CbJob');
    const jobId = await createVoice(stack.ice, voiceId);
    // A clone that never recorded IceJobId: only GetCustomizedVoiceJob can map this JobId to the voice.
    const workflowId = voiceCloneWorkflowId(voiceId);
    await stack.client.workflow.start('callbackRecorderWorkflow', { taskQueue: 'no-worker-needed', workflowId });
    const answer = await postCallback(
      receiver.callbackUrl,
      voiceJobEvent({ JobId: jobId, Status: 'Success' }),
      signedHeaders(KEY, undefined, publicUrl),
    );
    assert.deepEqual(answer, { status: 200, body: { status: 'signalled' } });
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    assert.equal(signals.length, 1);
    assert.match(log.lines.at(-1) ?? '', /"via":"ice-lookup"/);
    await stack.client.workflow.getHandle(workflowId).terminate('test done');
  });

  test("a JobId ICE does not know is not a clone's: one ICE read, then remembered; no Temporal call", async () => {
    const before = receiver.metrics();
    const reads = async (): Promise<number> =>
      (await stack.emulator.admin.calls()).filter(
        (call) => call.action === 'GetCustomizedVoiceJob' && call.params.JobId === 'NoSuchJob0000',
      ).length;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const answer = await postCallback(
        receiver.callbackUrl,
        voiceJobEvent({ JobId: 'NoSuchJob0000', Status: 'Success' }),
        signedHeaders(KEY, undefined, publicUrl),
      );
      assert.deepEqual(answer, { status: 200, body: { status: 'ignored' } }, `attempt ${attempt}`);
      assert.equal(await reads(), 1, `ICE reads after attempt ${attempt}`);
    }
    const after = receiver.metrics();
    assert.equal(after.ignored, before.ignored + 3);
    assert.equal(after.remembered, before.remembered + 2);
    assert.equal(after.signalled + after.unmatched, before.signalled + before.unmatched, 'no signal attempted');
    assert.ok(log.lines.some((line) => /job unknown to ICE \(ICE JobNotFound\)"/.test(line)));
  });

  // Last: it re-points ICE's callback at a key the receiver does not hold.
  test('ICE signing with a key the receiver does not hold: every attempt is refused, the clone falls back to polling', async () => {
    await configureIceCallback(stack.ice, { url: publicUrl, authKey: 'StaleKey2023x' });
    const rejectedBefore = receiver.metrics().rejected.bad_signature ?? 0;
    const voiceId = newVoiceId('CbBadKey');
    await createVoice(stack.ice, voiceId);
    const handle = await startCloneOn(stack, voiceId, 1, {
      callbackTimeout: '3 seconds',
      pollInterval: '500 milliseconds',
      maxPollInterval: '1 second',
    });
    const result = await handle.result();
    assert.equal(result.completedVia, 'poll');
    const deliveries = (await stack.emulator.admin.callbacks()).filter((d) => d.voiceId === voiceId);
    assert.deepEqual(
      deliveries.filter((d) => d.httpStatus !== undefined).map((d) => d.httpStatus),
      [401, 401, 401],
    );
    assert.equal((receiver.metrics().rejected.bad_signature ?? 0) - rejectedBefore, 3);
  });
});
