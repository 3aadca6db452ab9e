/**
 * The fault suite in MNS mode: ICE writes its events into a queue (VisibilityTimeout 5 s) and queue consumers in
 * child processes deliver them. The consumer SIGKILLed with every event received and none deleted; Temporal down
 * while the events arrive; every event written twice; two consumers on one queue. Each, for Basic, Standard and
 * CosyVoice clones alike, with a callbackTimeout no clone reaches: every clone finishes by callback, ICE gets one
 * job per voice, no secret in any history.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ScenarioOutcome } from './support/clones';
import { waitForSubmitted } from './support/clones';
import type { FaultStack } from './support/fault-stack';
import {
  deletedTotal,
  FAULT_VISIBILITY_SECONDS,
  queueCounts,
  startMnsConsumer,
  startSilentTemporal,
  switchToMnsCallbacks,
  type MnsConsumerChild,
} from './support/mns-consumer';
import { assertScenario, FAULT_TIMING, runScenario } from './support/scenario';
import { formatFaultTable } from './support/table';

/** Five of each edition: the suite stays a few minutes. */
const CLONES = 15;
const rows: ScenarioOutcome[] = [];
const notes: string[] = [];
after(() => console.log(`\n${formatFaultTable(rows)}\n${notes.join('\n')}\n`));

/** Long enough that only a callback can finish the clone. */
const CALLBACK_ONLY_TIMING = { ...FAULT_TIMING, callbackTimeout: '2 minutes' };

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** ICE's events written into the queue so far (each copy of a duplicated one counts). */
async function queuedEvents(stack: FaultStack): Promise<number> {
  return (await stack.emulator.admin.callbacks()).filter((delivery) => delivery.outcome === 'queued').length;
}

async function queueEmpty(stack: FaultStack): Promise<boolean> {
  const { active, inactive } = await queueCounts(stack);
  return active + inactive === 0;
}

/** Consumers a scenario started; closed at its end whatever happened. */
class Consumers {
  readonly all: MnsConsumerChild[] = [];
  async start(...args: Parameters<typeof startMnsConsumer>): Promise<MnsConsumerChild> {
    const consumer = await startMnsConsumer(...args);
    this.all.push(consumer);
    return consumer;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.all.map((consumer) => consumer.close()));
  }
}

test('consumer SIGKILLed with every event received and none deleted: each comes back and finishes its clone', async () => {
  const consumers = new Consumers();
  const silent = await startSilentTemporal();
  let atTheKill = 0;
  try {
    const outcome = await runScenario({
      name: 'MNS: consumer SIGKILL, messages received not deleted',
      clones: CLONES,
      prefix: 'MnsKilled',
      stack: { trainingMs: 2_000 },
      timing: CALLBACK_ONLY_TIMING,
      expectVia: ['callback'],
      beforeStart: async (stack) => {
        await switchToMnsCallbacks(stack);
        // Its deliveries hang on a Temporal that never answers: what it received stays received, not deleted.
        await consumers.start(stack, { temporalAddress: silent.address, config: { deliveryTimeoutMs: 120_000 } });
      },
      disrupt: async ({ stack }) => {
        const dying = consumers.all[0];
        await until(async () => (await queueCounts(stack)).inactive === CLONES, 'every event received');
        atTheKill = (await queueCounts(stack)).inactive;
        assert.equal((await dying.metrics()).deleted.signalled ?? 0, 0, 'nothing was delivered before the kill');
        await dying.kill();
        await consumers.start(stack);
      },
      afterwards: async ({ stack }) => {
        await until(() => queueEmpty(stack), 'the queue to empty');
        const rescuer = await consumers.all[1].metrics();
        assert.equal(rescuer.redelivered, CLONES, 'every message came back after its visibility timeout');
        assert.equal(rescuer.deleted.signalled, CLONES, 'every event signalled its clone once settled');
        notes.push(
          `consumer SIGKILL: ${atTheKill} messages received and not deleted at the kill; the second consumer got ` +
            `${rescuer.redelivered} redelivered (after the ${FAULT_VISIBILITY_SECONDS} s visibility timeout), ` +
            `deleted ${JSON.stringify(rescuer.deleted)}`,
        );
      },
    });
    rows.push(outcome);
    assertScenario(outcome);
  } finally {
    await consumers.closeAll();
    await silent.close();
  }
});

test('Temporal unreachable while the events arrive: they wait in the queue, then deliver', async () => {
  const consumers = new Consumers();
  let waiting = 0;
  let downSeconds = 0;
  try {
    const outcome = await runScenario({
      name: 'MNS: Temporal unreachable, then back',
      clones: CLONES,
      prefix: 'MnsTemporalDown',
      stack: { trainingMs: 6_000 },
      timing: CALLBACK_ONLY_TIMING,
      expectVia: ['callback'],
      beforeStart: async (stack) => {
        await switchToMnsCallbacks(stack);
        await consumers.start(stack);
      },
      disrupt: async ({ stack, clones }) => {
        await waitForSubmitted(stack, clones, CLONES);
        const downAt = Date.now();
        await stack.server.stop();
        await until(async () => (await queuedEvents(stack)) === CLONES, 'every event in the queue');
        const consumer = consumers.all[0];
        await until(
          async () => ((await consumer.metrics()).kept.temporal_unavailable ?? 0) > 0,
          'the consumer to keep a message it could not deliver',
        );
        const { active, inactive } = await queueCounts(stack);
        waiting = active + inactive;
        await stack.server.restart();
        downSeconds = (Date.now() - downAt) / 1000;
      },
      afterwards: async ({ stack }) => {
        await until(() => queueEmpty(stack), 'the queue to empty');
        const metrics = await consumers.all[0].metrics();
        assert.equal(waiting, CLONES, 'every event waited in the queue while Temporal was down');
        assert.equal(metrics.deleted.signalled, CLONES);
        notes.push(
          `Temporal unreachable: down ${downSeconds.toFixed(1)} s, ${waiting} messages waiting at the restart, ` +
            `kept ${JSON.stringify(metrics.kept)}, redelivered ${metrics.redelivered}, ` +
            `deleted ${JSON.stringify(metrics.deleted)}`,
        );
      },
    });
    rows.push(outcome);
    assertScenario(outcome);
  } finally {
    await consumers.closeAll();
  }
});

test('every event written into the queue twice: each clone completes once, both copies are deleted', async () => {
  const consumers = new Consumers();
  try {
    const outcome = await runScenario({
      name: 'MNS: every message duplicated',
      clones: CLONES,
      prefix: 'MnsDuplicated',
      stack: { trainingMs: 2_000, faults: { callbacks: { duplicate: { rate: 1 } } } },
      timing: CALLBACK_ONLY_TIMING,
      expectVia: ['callback'],
      beforeStart: async (stack) => {
        await switchToMnsCallbacks(stack);
        await consumers.start(stack);
      },
      afterwards: async ({ stack }) => {
        await until(async () => (await queuedEvents(stack)) === 2 * CLONES, 'both copies of every event queued');
        await until(() => queueEmpty(stack), 'the queue to empty');
        const metrics = await consumers.all[0].metrics();
        assert.equal(deletedTotal([metrics]), 2 * CLONES, 'both copies of every event deleted');
        notes.push(`duplicated: ${2 * CLONES} messages, deleted ${JSON.stringify(metrics.deleted)}`);
      },
    });
    rows.push(outcome);
    assertScenario(outcome);
  } finally {
    await consumers.closeAll();
  }
});

test('two consumers on one queue: every event delivered once between them', async () => {
  const consumers = new Consumers();
  try {
    const outcome = await runScenario({
      name: 'MNS: two consumers on one queue',
      clones: CLONES,
      prefix: 'MnsTwoConsumers',
      stack: { trainingMs: 2_000 },
      timing: CALLBACK_ONLY_TIMING,
      expectVia: ['callback'],
      beforeStart: async (stack) => {
        await switchToMnsCallbacks(stack);
        // One message per receive, so that a single long poll cannot take the whole burst.
        await consumers.start(stack, { config: { batchSize: 1 } });
        await consumers.start(stack, { config: { batchSize: 1 } });
      },
      afterwards: async ({ stack }) => {
        await until(() => queueEmpty(stack), 'the queue to empty');
        const metrics = await Promise.all(consumers.all.map((consumer) => consumer.metrics()));
        assert.equal(deletedTotal(metrics), CLONES, 'every event deleted once');
        assert.equal(
          metrics.reduce((sum, m) => sum + (m.deleted.signalled ?? 0), 0),
          CLONES,
          'every event signalled once',
        );
        assert.ok(
          metrics.every((m) => m.received > 0),
          `both consumers received: ${metrics.map((m) => m.received).join(' + ')}`,
        );
        notes.push(`two consumers: received ${metrics.map((m) => m.received).join(' + ')}`);
      },
    });
    rows.push(outcome);
    assertScenario(outcome);
  } finally {
    await consumers.closeAll();
  }
});
