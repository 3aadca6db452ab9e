/**
 * Replays recorded clone histories (test/fixtures/history-*.json, recorded by
 * test/fixtures/record-voice-clone-histories.ts, and test/fixtures/before-plans/, recorded by earlier workflow code)
 * through today's workflow code: a change that would break running clones fails here. The recording session's
 * histories (history-recording-*.json) carry its updates; the batch's (history-batch-*.json) its children. A deliberately incompatible workflow proves the check can
 * fail.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { historyFromFixtureJSON } from '../fixtures/history-json';
import {
  BATCH_HISTORIES,
  HISTORIES_RECORDED_BEFORE_PLANS,
  RECORDED_HISTORIES,
  RECORDING_SESSION_HISTORIES,
} from '../fixtures/record-voice-clone-histories';
import { getWorkflowBundle } from '../support/bundle';

const INCOMPATIBLE = path.resolve(__dirname, 'fixtures/incompatible-workflow.ts');

async function load(file: string) {
  return historyFromFixtureJSON(await readFile(file, 'utf8'));
}

describe('replay of recorded clone histories', () => {
  const histories = [
    ...Object.entries(RECORDED_HISTORIES),
    ...Object.entries(HISTORIES_RECORDED_BEFORE_PLANS).map(([name, file]) => [`${name} (before plans)`, file]),
    ...Object.entries(RECORDING_SESSION_HISTORIES),
    ...Object.entries(BATCH_HISTORIES),
  ];
  for (const [name, file] of histories) {
    test(`${name} replays deterministically`, async () => {
      const history = await load(file);
      assert.ok((history.events?.length ?? 0) > 10, 'a real recorded history');
      await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, `replay-${name}`);
    });
  }

  test('an incompatible workflow change is caught', async () => {
    const history = await load(RECORDED_HISTORIES.callbackWhilePolling);
    await assert.rejects(
      Worker.runReplayHistory(
        { workflowBundle: await getWorkflowBundle(INCOMPATIBLE) },
        history,
        'replay-incompatible',
      ),
      DeterminismViolationError,
    );
  });
});
