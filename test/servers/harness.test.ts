/**
 * The test harness itself (src/testing/harness.ts through test/support/harness.ts): one call starts a dev server,
 * the emulator and a worker on a task queue named after the test; receivers, capture targets and what a test adds
 * close with it, last first; consumers make the harness's MNS queue and close with it; the failure assertion tells a
 * failed workflow from a completed one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { loadCallbackReceiverConfig } from '../../src/config';
import { TEST_TIMINGS } from '../../src/testing/harness';
import { startCloneOn } from '../callback/support';
import { assertWorkflowFailed, startTestEmulator, startTestHarness, taskQueueFor } from '../support/harness';
import { createVoice, newVoiceId } from '../workflow/support';

test('a harness starts its parts and closes what the test added, last first, then the servers', async () => {
  const harness = await startTestHarness({ name: 'Harness Self Test', worker: true });
  const closed: string[] = [];
  const emulatorUrl = harness.emulator.url;
  try {
    assert.match(harness.taskQueue, /^harness-self-test-[0-9a-f]{8}$/);
    assert.equal(harness.workers().length, 1);
    assert.deepEqual(await harness.emulator.admin.jobs(), []);
    const config = loadCallbackReceiverConfig({
      ICE_CALLBACK_HOST: '127.0.0.1',
      ICE_CALLBACK_PORT: '0',
      ICE_CALLBACK_ALLOW_UNSIGNED: 'true',
    });
    const receiver = await harness.startCallbackReceiver({ config });
    assert.equal((await fetch(`${receiver.url}/metrics`)).status, 200);
    const capture = await harness.captureHttp({ path: '/events', answer: (attempt) => (attempt === 1 ? 503 : 200) });
    for (const expected of [503, 200]) {
      assert.equal((await fetch(capture.url, { method: 'POST', body: `call ${expected}` })).status, expected);
    }
    assert.equal((await capture.nth(2)).body.toString(), 'call 200');
    harness.onClose(async () => void closed.push('first added'));
    harness.onClose(async () => void closed.push('last added'));
  } finally {
    await harness.close();
  }
  assert.deepEqual(closed, ['last added', 'first added']);
  assert.equal(harness.workers().length, 0, 'the worker stopped');
  assert.throws(() => harness.emulator, /the stack is closed/);
  await assert.rejects(fetch(emulatorUrl), 'the emulator is closed');
});

test('a harness consumer makes a queue, points ICE at it and closes a clone by callback', async () => {
  const harness = await startTestHarness({ name: 'harness consumer', worker: true, emulator: { trainingMs: 300 } });
  try {
    const first = await harness.startConsumer({ visibilityTimeoutSeconds: 1, config: { waitSeconds: 1 } });
    const second = await harness.startConsumer();
    assert.match(first.queueName, /^ice-callback-[0-9a-f]{8}$/);
    assert.equal(second.queueName, first.queueName, 'later consumers share the queue');
    assert.equal(harness.stack.callbackQueue, first.queueName);
    assert.equal(harness.stack.consumers().length, 2);
    const setting = await harness.ice.getEventCallback();
    assert.equal(setting.callbackType, 'MNS');
    assert.equal(setting.callbackQueueName, first.queueName);
    const voiceId = newVoiceId('HarnessMns');
    await createVoice(harness.ice, voiceId);
    const handle = await startCloneOn(harness, voiceId, 2, TEST_TIMINGS.byCallback);
    assert.equal((await handle.result()).completedVia, 'callback');
    await second.close();
    assert.equal(harness.stack.consumers().length, 1);
  } finally {
    await harness.close();
  }
  assert.equal(harness.stack.consumers().length, 0, 'the consumers stopped with the harness');
});

test('the emulator alone, and the names and the failure assertion', async () => {
  const alone = await startTestEmulator();
  try {
    const job = await alone.ice.createCustomizedVoiceJob({ voiceId: 'Harness1', gender: 'female', scenario: 'story' });
    assert.ok(job.jobId);
  } finally {
    await alone.close();
  }
  assert.notEqual(taskQueueFor('a'), taskQueueFor('a'));
  const failure = ApplicationFailure.nonRetryable('no', 'TrainingFailed');
  assert.equal((await assertWorkflowFailed(Promise.reject(failure))).type, 'TrainingFailed');
  await assert.rejects(assertWorkflowFailed(Promise.resolve('done')), /expected a failure/);
});
