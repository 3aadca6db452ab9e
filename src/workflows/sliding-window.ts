/**
 * A workflow-safe concurrency limiter: at most `size` tasks run at once and waiters start in the order they asked,
 * a sliding window on `condition()` as in Temporal's batch-sliding-window sample. A waiter takes its slot inside its
 * own condition (conditions are evaluated synchronously, in the order they were made), so two waiters released by
 * one finished task never overshoot the window, and a late caller never jumps the queue.
 */
import { condition } from '@temporalio/workflow';

export class SlidingWindow {
  private running = 0;
  private nextTicket = 0;
  private issuedTickets = 0;
  private closed = false;

  constructor(private readonly size: number) {}

  /** Runs `task` once a slot is free (at once after `close()`, where the task is expected to fail fast). */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const ticket = this.issuedTickets++;
    await condition(() => this.tryEnter(ticket));
    try {
      return await task();
    } finally {
      this.running--;
    }
  }

  /** Every waiter is let through: the work they wait for has ended, and each task decides how to end. */
  close(): void {
    this.closed = true;
  }

  private tryEnter(ticket: number): boolean {
    if (ticket !== this.nextTicket || (this.running >= this.size && !this.closed)) return false;
    this.nextTicket++;
    this.running++;
    return true;
  }
}

/** Maps `items` through `task` with at most `size` in flight; results keep the items' order. */
export function mapWithin<T, R>(size: number, items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const window = new SlidingWindow(size);
  return Promise.all(items.map((item) => window.run(() => task(item))));
}
