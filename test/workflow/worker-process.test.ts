/**
 * The worker as the CLI runs it: a separate process configured only through the environment (Temporal envconfig,
 * ICE_ENDPOINT, Alibaba's credential variables, VOICE_CLONE_TASK_QUEUE), which clones a voice and stops cleanly
 * on SIGTERM.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startVoiceClone } from '../../src/client';
import { createVoice, FAST_TIMING, jobOf, newVoiceId, recordings } from './support';
import { startNodeProcess, startTestHarness, type NodeProcess, type TestHarness } from '../support/harness';

describe('worker process (runVoiceCloneWorker)', () => {
  let stack: TestHarness;
  let child: NodeProcess | undefined;

  before(async () => {
    stack = await startTestHarness({ name: 'worker-process' });
  });
  after(async () => {
    await child?.stop('SIGKILL');
    await stack?.close();
  });

  test('clones a voice with settings from the environment, then shuts down cleanly on SIGTERM', async () => {
    child = startNodeProcess(['--import', 'tsx', '-e', "require('./src/worker').runVoiceCloneWorker(process.env)"], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
        VOICE_CLONE_TASK_QUEUE: stack.taskQueue,
        ICE_ENDPOINT: stack.emulator.url,
        ALIBABA_CLOUD_ACCESS_KEY_ID: stack.emulator.credentials.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.emulator.credentials.accessKeySecret,
        LOG_LEVEL: 'info',
      },
    });

    const voiceId = newVoiceId('Process');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: { ...FAST_TIMING, callbackTimeout: '300ms' } },
      { taskQueue: stack.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.status, 'Success');
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);

    const code = await child.stop('SIGTERM');
    const stderr = child.err();
    assert.equal(code, 0, stderr);
    assert.match(stderr, /worker stopped/);
    assert.doesNotMatch(stderr, new RegExp(stack.emulator.credentials.accessKeySecret), 'the secret is never logged');
  });
});
