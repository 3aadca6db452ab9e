/** The receiver's bound on deliveries in flight: a burst queues in order, and a callback whose deadline passes in the queue never runs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliveryGate } from '../../src/callback/delivery-gate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('DeliveryGate', () => {
  test('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const gate = new DeliveryGate(2);
    const release = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = release.map((hold, index) =>
      gate.run(Date.now() + 10_000, async () => {
        started.push(index);
        peak = Math.max(peak, ++running);
        await hold.promise;
        running--;
        return index;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1]);
    assert.equal(gate.queued, 2);
    release.forEach((hold) => hold.resolve());
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
    assert.deepEqual(started, [0, 1, 2, 3]);
    assert.equal(peak, 2);
  });

  test('a task still queued at its deadline is answered undefined and never runs', async () => {
    const gate = new DeliveryGate(1);
    const hold = deferred();
    const first = gate.run(Date.now() + 10_000, () => hold.promise.then(() => 'first'));
    let ran = false;
    const late = await gate.run(Date.now() + 30, async () => {
      ran = true;
      return 'late';
    });
    assert.equal(late, undefined);
    assert.equal(ran, false);
    assert.equal(gate.queued, 0);
    hold.resolve();
    assert.equal(await first, 'first');
    // The slot is free again.
    assert.equal(await gate.run(Date.now() + 1_000, async () => 'next'), 'next');
  });
});
