/** The receiver's bound on deliveries in flight: a burst queues in arrival order; a queued task can be withdrawn. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliveryGate } from '../../src/callback/delivery-gate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DeliveryGate', () => {
  test('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const gate = new DeliveryGate(2);
    const release = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const tickets = release.map((hold, index) =>
      gate.enqueue(async () => {
        started.push(index);
        peak = Math.max(peak, ++running);
        await hold.promise;
        running--;
        return index;
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.deepEqual(
      tickets.map((ticket) => ticket.started),
      [true, true, false, false],
    );
    assert.equal(gate.queued, 2);
    release.forEach((hold) => hold.resolve());
    assert.deepEqual(await Promise.all(tickets.map((ticket) => ticket.result)), [0, 1, 2, 3]);
    assert.deepEqual(started, [0, 1, 2, 3]);
    assert.equal(peak, 2);
  });

  test('a withdrawn task never runs, its result is undefined, and the next one takes the slot', async () => {
    const gate = new DeliveryGate(1);
    const hold = deferred();
    const first = gate.enqueue(() => hold.promise.then(() => 'first'));
    let ran = false;
    const withdrawn = gate.enqueue(async () => {
      ran = true;
      return 'withdrawn';
    });
    const kept = gate.enqueue(async () => 'kept');
    assert.equal(first.withdraw(), false, 'a running task cannot be withdrawn');
    assert.equal(withdrawn.withdraw(), true);
    assert.equal(await withdrawn.result, undefined);
    assert.equal(gate.queued, 1);
    hold.resolve();
    assert.equal(await first.result, 'first');
    assert.equal(await kept.result, 'kept');
    assert.equal(ran, false);
    assert.equal(gate.inFlight, 0);
  });

  test('a failing task rejects its result and frees its slot', async () => {
    const gate = new DeliveryGate(1);
    const failing = gate.enqueue(() => Promise.reject(new Error('boom')));
    const next = gate.enqueue(async () => 'next');
    await assert.rejects(failing.result, /boom/);
    assert.equal(await next.result, 'next');
  });

  test('drain resolves 0 once idle, or how many are left when it times out', async () => {
    const gate = new DeliveryGate(1);
    assert.equal(await gate.drain(10), 0);
    const hold = deferred();
    gate.enqueue(() => hold.promise);
    gate.enqueue(async () => undefined);
    assert.equal(await gate.drain(20), 2, 'one running, one queued');
    const drained = gate.drain(5_000);
    hold.resolve();
    assert.equal(await drained, 0);
  });
});
