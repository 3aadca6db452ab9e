/**
 * The queue consumer end to end: the emulator in MNS mode writes ICE's events into its MNS queue, the consumer
 * receives them with its own MNS client (signed, checked by the emulator), the real voiceCloneWorkflow on a real dev
 * server finishes by callback. Deletion only once settled: a failed delete and a consumer that died between receive
 * and delete lose nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { startIceCallbackConsumer, type IceCallbackConsumerConfig } from '../../src/callback/consumer';
import { startVoiceClone } from '../../src/client/start-voice-clone';
import { createMnsQueueClient, type MnsQueueClient } from '../../src/mns/client';
import { voiceClonePlugin } from '../../src/plugin';
import { EMULATOR_VOICE_JOB_EVENT_TYPE } from '../../src/ice/types';
import { MetricsRegistry } from '../../src/observability/metrics';
import { getWorkflowBundle } from '../support/bundle';
import type { VoiceCloneTiming } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, newVoiceId, recordings } from '../workflow/support';
import { capturingLogger, startCloneOn, unreachableIce } from './support';
import { createMnsSdkClient } from '../support/mns-sdk';
import { wireClient } from '../emulator/support/ice-wire';

const QUEUE = 'ice-callback-consumer-test';
const TEN_MINUTES: VoiceCloneTiming = {
  callbackTimeout: '10 minutes',
  pollInterval: '5 minutes',
  maxPollInterval: '10 minutes',
  trainingTimeout: '2 hours',
};

function consumerConfig(overrides: Partial<IceCallbackConsumerConfig> = {}): IceCallbackConsumerConfig {
  return {
    queueName: QUEUE,
    batchSize: 16,
    waitSeconds: 1,
    maxDequeue: 10,
    deliveryTimeoutMs: 5_000,
    retryVisibilitySeconds: 1,
    maxInFlight: 8,
    ...overrides,
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ICE → MNS queue → consumer → voiceCloneWorkflow', () => {
  let stack: TestHarness;
  const log = capturingLogger('callback-consumer');

  before(async () => {
    stack = await startTestHarness({ name: 'callback-consumer', worker: true, emulator: { trainingMs: 300 } });
    const mns = createMnsSdkClient('1', { ...stack.credentials, endpoint: stack.emulator.url });
    // A short visibility timeout, so that a message not deleted comes back within a test.
    await mns.createQueue(QUEUE, { VisibilityTimeout: 1 });
    await wireClient(stack.emulator.url, stack.credentials).ok('SetEventCallback', {
      CallbackType: 'MNS',
      CallbackQueueName: QUEUE,
    });
  });

  after(() => stack?.close());

  function queueClient(): MnsQueueClient {
    const { credentials } = stack;
    return createMnsQueueClient({
      endpoint: stack.emulator.url,
      queueName: QUEUE,
      credentials: async () => credentials,
    });
  }

  /** Messages in the queue, visible or not. */
  async function queued(): Promise<number> {
    const queue = (await stack.emulator.admin.mnsQueues()).find((q) => q.name === QUEUE);
    return (queue?.activeMessages ?? 0) + (queue?.inactiveMessages ?? 0) + (queue?.delayMessages ?? 0);
  }

  function startConsumer(overrides: Partial<IceCallbackConsumerConfig> = {}) {
    return startIceCallbackConsumer({
      config: consumerConfig(overrides),
      client: stack.client,
      ice: stack.ice,
      queue: queueClient(),
      logger: log.logger,
    });
  }

  test('a clone whose callback comes through the queue finishes by callback (callbackTimeout 10 minutes)', async () => {
    const consumer = startConsumer();
    try {
      const voiceId = newVoiceId('MnsCb');
      await createVoice(stack.ice, voiceId);
      const result = await (await startCloneOn(stack, voiceId, 2, TEN_MINUTES)).result();
      assert.equal(result.completedVia, 'callback');
      await until(async () => (await queued()) === 0, 'the message to be deleted');
      assert.equal(consumer.metrics().queue.deleted.signalled, 1);
    } finally {
      await consumer.stop();
    }
  });

  test('a base64 body does too', async () => {
    await stack.emulator.admin.setFaults({ mns: { base64Body: { count: 1 } } });
    const consumer = startConsumer();
    try {
      const voiceId = newVoiceId('MnsB64');
      await createVoice(stack.ice, voiceId);
      const result = await (await startCloneOn(stack, voiceId, 2, TEN_MINUTES)).result();
      assert.equal(result.completedVia, 'callback');
    } finally {
      await stack.emulator.admin.setFaults({});
      await consumer.stop();
    }
  });

  test('a delete that failed once leads to a redelivery and one clone result', async () => {
    await stack.emulator.admin.setFaults({ mns: { deleteFails: { count: 1 } } });
    const consumer = startConsumer();
    try {
      const voiceId = newVoiceId('MnsDel');
      await createVoice(stack.ice, voiceId);
      const handle = await startCloneOn(stack, voiceId, 2, TEN_MINUTES);
      assert.equal((await handle.result()).completedVia, 'callback');
      await until(async () => (await queued()) === 0, 'the redelivered message to be deleted');
      const counts = consumer.metrics().queue;
      assert.equal(counts.deleteErrors, 1);
      assert.equal(counts.redelivered, 1);
      // The second delivery finds the clone closed: one result, the message settled as unmatched.
      assert.equal(counts.deleted.unmatched, 1);
      const { status } = await handle.describe();
      assert.equal(status.name, 'COMPLETED');
    } finally {
      await consumer.stop();
    }
  });

  test('a consumer killed between receive and delete loses nothing', async () => {
    const voiceId = newVoiceId('MnsKill');
    await createVoice(stack.ice, voiceId);
    const handle = await startCloneOn(stack, voiceId, 2, TEN_MINUTES);
    await until(async () => (await queued()) === 1, "ICE's event in the queue");
    // What a consumer had received when it died: never deleted.
    const received = await queueClient().receive(16, 1);
    assert.equal(received.length, 1);
    const consumer = startConsumer();
    try {
      assert.equal((await handle.result()).completedVia, 'callback');
      assert.equal(consumer.metrics().queue.redelivered, 1);
    } finally {
      await consumer.stop();
    }
  });

  test("the worker plugin's callbackConsumer runs the consumer inside a team's own worker", async () => {
    const taskQueue = `${stack.taskQueue}-plugin`;
    const plugin = voiceClonePlugin({
      iceClient: stack.ice,
      callbackConsumer: { config: consumerConfig(), queue: queueClient() },
    });
    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await getWorkflowBundle(),
      plugins: [plugin],
    });
    const voiceId = newVoiceId('MnsPlugin');
    await createVoice(stack.ice, voiceId);
    const handle = await startVoiceClone(
      stack.client,
      { voiceId, recordings: recordings(voiceId, 2), timing: TEN_MINUTES },
      { taskQueue },
    );
    const result = await worker.runUntil(handle.result());
    assert.equal(result.completedVia, 'callback');
    await until(async () => (await queued()) === 0, 'the message to be deleted');
  });

  test('a consumer process SIGKILLed between receive and delete loses nothing', async () => {
    // Temporal unreachable for the process: it receives the event, cannot settle it, and is killed meanwhile.
    const child = spawn(
      process.execPath,
      [path.resolve(__dirname, '../../bin/ice-voice-clone.js'), 'callback-consumer'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ICE_CALLBACK_MNS_QUEUE: QUEUE,
          ICE_MNS_ENDPOINT: stack.emulator.url,
          ICE_ENDPOINT: stack.emulator.url,
          ALIBABA_CLOUD_ACCESS_KEY_ID: stack.credentials.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.credentials.accessKeySecret,
          TEMPORAL_ADDRESS: '127.0.0.1:1',
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const voiceId = newVoiceId('MnsKill9');
      await createVoice(stack.ice, voiceId);
      const handle = await startCloneOn(stack, voiceId, 2, TEN_MINUTES);
      await until(async () => {
        const queue = (await stack.emulator.admin.mnsQueues()).find((q) => q.name === QUEUE);
        return queue?.inactiveMessages === 1;
      }, 'the process to receive the event');
      child.kill('SIGKILL');
      await exited;
      const consumer = startConsumer();
      try {
        assert.equal((await handle.result()).completedVia, 'callback');
        assert.equal(consumer.metrics().queue.deleted.signalled, 1);
      } finally {
        await consumer.stop();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('40 events of other features are deleted with zero ICE and zero Temporal calls', async () => {
    const unreachableTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const consumer = startIceCallbackConsumer({
      config: consumerConfig(),
      client: unreachableTemporal,
      ice: await unreachableIce(),
      queue: queueClient(),
      logger: log.logger,
    });
    try {
      for (let i = 0; i < 40; i += 1) {
        await stack.emulator.admin.sendEvent({
          eventType: 'TranscodeComplete',
          messageBody: { JobId: `transcode-${i}` },
        });
      }
      await until(() => consumer.metrics().queue.deleted.ignored === 40, '40 deletes');
      assert.equal(await queued(), 0);
      assert.deepEqual(consumer.metrics().queue.kept, {});
      assert.equal(consumer.metrics().intake.foreignByEventType.TranscodeComplete, 40);
    } finally {
      await consumer.stop();
      await unreachableTemporal.connection.close();
    }
  });
  test('every consumer metric is counted: receive error, failed delete, redelivery, kept, deleted, age', async () => {
    const registry = new MetricsRegistry();
    const unreachableTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    await stack.emulator.admin.setFaults({ mns: { receiveServerError: { count: 1 }, deleteFails: { count: 1 } } });
    const consumer = startIceCallbackConsumer({
      config: consumerConfig({ deliveryTimeoutMs: 300 }),
      client: unreachableTemporal,
      ice: stack.ice,
      queue: queueClient(),
      logger: log.logger,
      registry,
    });
    try {
      await stack.emulator.admin.sendEvent({ eventType: 'TranscodeComplete', messageBody: { JobId: 'metrics-1' } });
      // A Basic VoiceId: straight to a signal, which the unreachable Temporal cannot take: kept.
      const voiceEvent = { VoiceId: 'MnsMetrics1', JobId: 'metrics-2', Status: 'Success' };
      await stack.emulator.admin.sendEvent({ eventType: EMULATOR_VOICE_JOB_EVENT_TYPE, messageBody: voiceEvent });
      await until(() => {
        const counts = consumer.metrics().queue;
        return counts.deleted.ignored === 1 && (counts.kept.temporal_unavailable ?? 0) >= 1;
      }, 'an ignored delete after a failed one, and a kept message');
    } finally {
      await consumer.stop();
      await unreachableTemporal.connection.close();
    }
    const counts = consumer.metrics().queue;
    assert.equal(counts.receiveErrors, 1);
    assert.equal(counts.deleteErrors, 1);
    assert.ok(counts.redelivered >= 1);
    assert.ok(counts.oldestMessageAgeSeconds >= 0);
    const text = registry.render();
    const declared = [...text.matchAll(/^# TYPE (ice_callback_mns_\w+) /gm)].map((m) => m[1]);
    assert.equal(declared.length, 7, text);
    const uncounted = declared.filter((name) => !new RegExp(`^${name}(\\{[^}]*\\})? [1-9]`, 'm').test(text));
    // The age may be 0 s for a message received at once; every other series was counted.
    assert.deepEqual(
      uncounted.filter((name) => !name.endsWith('age_seconds')),
      [],
      text,
    );
    // The kept voice event is no clone's: a consumer on the real Temporal settles it (unmatched), leaving the queue empty.
    const cleaner = startConsumer();
    try {
      await until(async () => (await queued()) === 0, 'the kept message to be settled', 30_000);
    } finally {
      await cleaner.stop();
    }
  });
  test('a message received more than ICE_CALLBACK_MNS_MAX_DEQUEUE times is logged with its id and deleted', async () => {
    const unreachableTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const consumer = startIceCallbackConsumer({
      config: consumerConfig({ deliveryTimeoutMs: 200, maxDequeue: 1 }),
      client: unreachableTemporal,
      ice: stack.ice,
      queue: queueClient(),
      logger: log.logger,
    });
    try {
      const voiceEvent = { VoiceId: 'MnsPoison1', JobId: 'poison-1', Status: 'Success' };
      await stack.emulator.admin.sendEvent({ eventType: EMULATOR_VOICE_JOB_EVENT_TYPE, messageBody: voiceEvent });
      await until(() => consumer.metrics().queue.deleted.max_dequeue === 1, 'the poison message to be deleted');
      assert.equal(await queued(), 0);
      const line = log.lines.find((l) => l.includes('received too often'));
      // Its first receive may have been this consumer's (kept: Temporal unreachable) or a stopped one's long poll.
      assert.match(line ?? '', /"messageId":"[^"]+".*"dequeueCount":[2-9]/);
    } finally {
      await consumer.stop();
      await unreachableTemporal.connection.close();
    }
  });
});
