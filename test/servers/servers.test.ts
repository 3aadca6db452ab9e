/** The servers every other test relies on: they start offline, run workflows, and know our search attributes. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { searchAttributes, SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/definitions';
import { getWorkflowBundle } from '../support/bundle';
import {
  devServerUiUrl,
  registeredSearchAttributes,
  startDevServer,
  startTimeSkippingServer,
} from '../support/temporal';
import type { sleepOneHour, tagVoice } from '../support/smoke-workflows';

const SMOKE_WORKFLOWS = require.resolve('../support/smoke-workflows');

async function withWorker<T>(env: TestWorkflowEnvironment, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `smoke-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await getWorkflowBundle(SMOKE_WORKFLOWS),
  });
  return worker.runUntil(fn(taskQueue));
}

function assertAllKeyword(registered: Record<string, string>): void {
  for (const name of SEARCH_ATTRIBUTE_NAMES) {
    assert.equal(registered[name], 'INDEXED_VALUE_TYPE_KEYWORD', `${name} registered as Keyword`);
  }
}

describe('dev server (temporal server start-dev)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startDevServer();
  });
  after(async () => {
    await env?.teardown();
  });

  it('registers IceVoiceId, IceJobId and VoiceCloneStage as Keyword', async () => {
    assertAllKeyword(await registeredSearchAttributes(env));
  });

  it('runs a workflow that upserts the search attributes', async () => {
    const workflowId = `smoke-tag-${randomUUID()}`;
    const result = await withWorker(env, (taskQueue) =>
      env.client.workflow.execute<typeof tagVoice>('tagVoice', { taskQueue, workflowId, args: ['SmokeVoice1'] }),
    );
    assert.deepEqual(result, { voiceId: 'SmokeVoice1', stage: 'Smoke' });
    const described = await env.client.workflow.getHandle(workflowId).describe();
    assert.equal(described.typedSearchAttributes.get(searchAttributes.iceVoiceId), 'SmokeVoice1');
  });
});

describe('dev server started without search attributes', () => {
  it('knows none of the clone search attributes', async () => {
    const env = await startDevServer({ searchAttributes: false });
    try {
      const registered = await registeredSearchAttributes(env);
      for (const name of SEARCH_ATTRIBUTE_NAMES) assert.equal(registered[name], undefined, name);
    } finally {
      await env.teardown();
    }
  });
});

describe('dev server with the Web UI', () => {
  it('serves the UI on the port it reports', async () => {
    const env = await startDevServer({ ui: true });
    try {
      const response = await fetch(devServerUiUrl(env));
      assert.equal(response.status, 200);
      assert.match(await response.text(), /<html/i);
    } finally {
      await env.teardown();
    }
  });
});

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkippingServer();
  });
  after(async () => {
    await env?.teardown();
  });

  // The Java test server implements AddSearchAttributes but not ListSearchAttributes: the upsert test below
  // is the proof that registration worked.
  it('supports time skipping', () => {
    assert.equal(env.supportsTimeSkipping, true);
  });

  it('completes a 1-hour timer by skipping workflow time', async () => {
    const elapsed = await withWorker(env, (taskQueue) =>
      env.client.workflow.execute<typeof sleepOneHour>('sleepOneHour', {
        taskQueue,
        workflowId: `smoke-sleep-${randomUUID()}`,
      }),
    );
    assert.ok(elapsed >= 3_600_000, `workflow time advanced ${elapsed} ms`);
  });

  it('runs a workflow that upserts the search attributes', async () => {
    const result = await withWorker(env, (taskQueue) =>
      env.client.workflow.execute<typeof tagVoice>('tagVoice', {
        taskQueue,
        workflowId: `smoke-tag-${randomUUID()}`,
        args: ['SmokeVoice2'],
      }),
    );
    assert.deepEqual(result, { voiceId: 'SmokeVoice2', stage: 'Smoke' });
  });
});
