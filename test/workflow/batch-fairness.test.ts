/**
 * A batch on a dev server with task-queue fairness enabled (`matching.enableFairness`, off by default in Temporal
 * Server 1.29): its clones carry the batch's fairness key and run as they do without it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startVoiceCloneBatch } from '../../src/client';
import { createVoice, newVoiceId, recordings } from './support';
import { startTestHarness, TEST_TIMINGS, type TestHarness } from '../support/harness';

describe('voice clone batch with task-queue fairness on (dev server + emulator)', () => {
  let stack: TestHarness;

  before(async () => {
    stack = await startTestHarness({
      name: 'batch-fairness',
      worker: true,
      devServer: { dynamicConfig: ['matching.enableFairness=true'] },
    });
  });
  after(() => stack?.close());

  test("the clones carry the input's fairnessKey and succeed", async () => {
    const clones = [];
    for (let index = 0; index < 2; index++) {
      const voiceId = newVoiceId('Fair');
      await createVoice(stack.ice, voiceId);
      clones.push({ voiceId, recordings: recordings(voiceId, 1), timing: TEST_TIMINGS.pollSoon });
    }
    const handle = await startVoiceCloneBatch(
      stack.client,
      { clones, fairnessKey: 'team-dubbing' },
      { taskQueue: stack.taskQueue },
    );
    const report = await handle.result();
    assert.equal(report.succeeded, 2);
    for (const entry of report.clones) {
      const child = await stack.client.workflow.getHandle(entry.workflowId).describe();
      assert.equal(child.priority?.fairnessKey, 'team-dubbing');
    }
  });
});
