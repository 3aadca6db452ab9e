/**
 * The workflow asks which search attributes are registered at every start; the worker answers from a cache so that
 * a thousand clones do not ask the server a thousand times. Real dev server, a counter around its real connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { ConnectionLike } from '@temporalio/client';
import { createListRegisteredSearchAttributes } from '../../src/activities/list-registered-search-attributes';
import { SEARCH_ATTRIBUTE_NAMES, type SearchAttributePlan } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';

describe('registered search attributes, cached per worker', () => {
  let harness: TestHarness;
  let env: TestWorkflowEnvironment;
  before(async () => {
    harness = await startTestHarness({ name: 'search-attribute-cache' });
    env = harness.env;
  });
  after(async () => {
    await harness?.close();
  });

  test('many clones in a minute cost one ListSearchAttributes', async () => {
    let asked = 0;
    const real = env.connection;
    const counting = {
      ...real,
      operatorService: {
        listSearchAttributes: (request: Parameters<typeof real.operatorService.listSearchAttributes>[0]) => {
          asked += 1;
          return real.operatorService.listSearchAttributes(request);
        },
      },
    } as unknown as ConnectionLike;
    const list = createListRegisteredSearchAttributes({
      temporal: { connection: counting, namespace: env.namespace ?? 'default' },
    });
    const activityEnv = new MockActivityEnvironment();
    for (let clone = 0; clone < 20; clone++) {
      const plan: SearchAttributePlan = await activityEnv.run(list);
      assert.deepEqual([...plan.names].sort(), [...SEARCH_ATTRIBUTE_NAMES].sort());
      assert.deepEqual(plan.indexedStages, ['AwaitingRecordings', 'Polling', 'Succeeded', 'Failed']);
    }
    assert.equal(asked, 1);
  });
});
