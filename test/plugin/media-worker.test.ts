/**
 * The worker plugin as a team uses it (examples/plugin/): the team's own worker on its own task queue, its
 * workflows module re-exporting the clone workflow, its parent media workflow running the clone as a child, and
 * `voiceClonePlugin()` adding the ICE activities. Real dev server, real emulator.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { ConfigError } from '../../src/config';
import { voiceClonePlugin } from '../../src/plugin';
import { searchAttributes, voiceCloneWorkflowId } from '../../src/workflows/public';
import { createMediaWorker } from '../../examples/plugin/worker';
import { narrateEpisodeWorkflow } from '../../examples/plugin/workflows';
import { createVoice, FAST_TIMING, jobOf, newVoiceId, recordings } from '../workflow/support';
import { startTestHarness, type TestHarness } from '../support/harness';

describe('voiceClonePlugin in a team worker (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({ name: 'media-worker' });
  });
  after(async () => {
    await stack?.close();
  });

  test('a parent media workflow clones the voice as a child on its own task queue, then runs its own activity', async () => {
    const taskQueue = `media-${randomBytes(4).toString('hex')}`;
    const worker = await createMediaWorker({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace ?? 'default',
      taskQueue,
      voiceClone: { iceClient: stack.ice },
    });
    const voiceId = newVoiceId('Episode');
    await createVoice(stack.ice, voiceId);

    const episode = await worker.runUntil(
      stack.client.workflow.execute(narrateEpisodeWorkflow, {
        taskQueue,
        workflowId: `episode-${voiceId}`,
        args: [
          {
            episodeId: `episode-${voiceId}`,
            voiceId,
            recordings: recordings(voiceId, 2),
            script: ['Welcome back.', 'Today: durable voice cloning.'],
            timing: { ...FAST_TIMING, callbackTimeout: '300ms' },
          },
        ],
      }),
    );

    assert.equal(episode.voice.status, 'Success');
    assert.equal(episode.voice.voiceId, voiceId);
    assert.equal(episode.lines, 2, "the team's own activity ran beside the plugin's");
    assert.equal((await jobOf(stack.emulator, voiceId)).submitCount, 1);
    const child = await stack.client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).describe();
    assert.equal(child.taskQueue, taskQueue, "the clone ran on the parent's task queue");
    assert.equal(child.parentExecution?.workflowId, `episode-${voiceId}`);
    // The plugin asked the worker's own connection which search attributes exist, so the clone indexed its end.
    assert.equal(child.typedSearchAttributes.get(searchAttributes.voiceCloneStage), 'Succeeded');
  });

  test('refuses an activity of the team that has the name of one of the clone activities', async () => {
    await assert.rejects(
      Worker.create({
        connection: stack.env.nativeConnection,
        taskQueue: `media-${randomBytes(4).toString('hex')}`,
        activities: { submitVoiceCloneJob: async () => 'the team’s own' },
        plugins: [voiceClonePlugin({ iceClient: stack.ice })],
      }),
      /activity names already registered: submitVoiceCloneJob/,
    );
  });

  test('builds its ICE client from the settings: a bad ICE_* value fails where the plugin is made', () => {
    assert.throws(
      () => voiceClonePlugin({ env: { ICE_REGION: 'nowhere' } }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'ICE_REGION',
    );
    // The retries of an incomplete ICE answer are a worker setting too, read where the plugin is made.
    assert.throws(
      () => voiceClonePlugin({ iceClient: stack.ice, env: { VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES: '-1' } }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES',
    );
  });
});
