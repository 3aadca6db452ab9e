/**
 * The queue consumer end to end: ICE (the emulator) writes its events into an MNS queue (a bridge stands in for ICE's
 * MNS mode until the emulator speaks MNS), the consumer receives them, the real voiceCloneWorkflow on a real dev
 * server finishes by callback. Deletion only once settled: a failed delete and a consumer that died between receive
 * and delete lose nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { configureIceCallback } from '../../src/callback/configure-callback';
import { startIceCallbackConsumer, type IceCallbackConsumerConfig } from '../../src/callback/consumer';
import { createMnsQueueClient, type MnsQueueClient } from '../../src/mns/client';
import type { VoiceCloneTiming } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { createVoice, newVoiceId } from '../workflow/support';
import { capturingLogger, startCloneOn, unreachableIce, voiceJobEvent } from './support';
import { startTestMnsQueue, type TestMnsQueue } from './consumer-queue';

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

function queueClient(queue: TestMnsQueue): MnsQueueClient {
  const credentials = async () => ({ accessKeyId: 'LTAIConsumerTest', accessKeySecret: 'ConsumerTestSecret' });
  return createMnsQueueClient({ endpoint: queue.endpoint, queueName: QUEUE, credentials });
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ICE → MNS queue → consumer → voiceCloneWorkflow', () => {
  let stack: TestHarness;
  let queue: TestMnsQueue;
  let bridge: Server;
  /** How the stand-in for ICE's MNS mode writes the body: as it came, or base64. */
  let encoding: 'json' | 'base64' = 'json';
  const log = capturingLogger('callback-consumer');

  before(async () => {
    stack = await startTestHarness({ name: 'callback-consumer', worker: true, emulator: { trainingMs: 300 } });
    queue = await startTestMnsQueue(QUEUE);
    bridge = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        queue.send(encoding === 'base64' ? body.toString('base64') : body.toString('utf8'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', resolve));
    const { port } = bridge.address() as AddressInfo;
    await configureIceCallback(stack.ice, { url: `http://127.0.0.1:${port}/mns-bridge` });
  });

  after(async () => {
    bridge?.close();
    await queue?.close();
    await stack?.close();
  });

  function startConsumer(overrides: Partial<IceCallbackConsumerConfig> = {}) {
    return startIceCallbackConsumer({
      config: consumerConfig(overrides),
      client: stack.client,
      ice: stack.ice,
      queue: queueClient(queue),
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
      await until(() => queue.size() === 0, 'the message to be deleted');
      assert.equal(consumer.metrics().queue.deleted.signalled, 1);
    } finally {
      await consumer.stop();
    }
  });

  test('a base64 body does too', async () => {
    encoding = 'base64';
    const consumer = startConsumer();
    try {
      const voiceId = newVoiceId('MnsB64');
      await createVoice(stack.ice, voiceId);
      const result = await (await startCloneOn(stack, voiceId, 2, TEN_MINUTES)).result();
      assert.equal(result.completedVia, 'callback');
    } finally {
      encoding = 'json';
      await consumer.stop();
    }
  });

  test('a delete that failed once leads to a redelivery and one clone result', async () => {
    queue.failDeletes(1);
    const consumer = startConsumer();
    try {
      const voiceId = newVoiceId('MnsDel');
      await createVoice(stack.ice, voiceId);
      const handle = await startCloneOn(stack, voiceId, 2, TEN_MINUTES);
      assert.equal((await handle.result()).completedVia, 'callback');
      await until(() => queue.size() === 0, 'the redelivered message to be deleted');
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
    await until(() => queue.size() === 1, "ICE's event in the queue");
    // What a consumer had received when it died: never deleted.
    const received = await queueClient(queue).receive(16, 1);
    assert.equal(received.length, 1);
    const consumer = startConsumer();
    try {
      assert.equal((await handle.result()).completedVia, 'callback');
      assert.equal(consumer.metrics().queue.redelivered, 1);
    } finally {
      await consumer.stop();
    }
  });

  test('40 events of other features are deleted with zero ICE and zero Temporal calls', async () => {
    const unreachableTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const consumer = startIceCallbackConsumer({
      config: consumerConfig(),
      client: unreachableTemporal,
      ice: await unreachableIce(),
      queue: queueClient(queue),
      logger: log.logger,
    });
    try {
      for (let i = 0; i < 40; i += 1) {
        queue.send(JSON.stringify(voiceJobEvent({ JobId: `transcode-${i}` }, 'TranscodeComplete')));
      }
      await until(() => consumer.metrics().queue.deleted.ignored === 40, '40 deletes');
      assert.equal(queue.size(), 0);
      assert.deepEqual(consumer.metrics().queue.kept, {});
      assert.equal(consumer.metrics().intake.foreignByEventType.TranscodeComplete, 40);
    } finally {
      await consumer.stop();
      await unreachableTemporal.connection.close();
    }
  });
});
