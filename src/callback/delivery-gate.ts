/**
 * A bound on callback deliveries in flight at once. Under a burst (thousands of trainings ending together) letting
 * every callback call Temporal at once makes every call slow, so most miss ICE's 3 s and nothing gets through; with a
 * bound, Temporal works at its pace and the callbacks behind wait their turn in arrival order. What happens to a
 * callback still queued at its deadline is the receiver's choice (server.ts): keep it (the backlog) or withdraw it.
 */
export interface DeliveryTicket<T> {
  /** The task's result once it has run; `undefined` when it was withdrawn before it started. */
  readonly result: Promise<T | undefined>;
  /** True once the task has been given a slot. */
  readonly started: boolean;
  /** Takes a task that has not started out of the queue (its result becomes `undefined`); false if it has. */
  withdraw(): boolean;
}

export class DeliveryGate {
  private running = 0;
  private readonly queue: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get queued(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.running;
  }

  enqueue<T>(task: () => Promise<T>): DeliveryTicket<T> {
    let started = false;
    let settle: (value: T | undefined) => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const result = new Promise<T | undefined>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const start = (): void => {
      started = true;
      this.running += 1;
      // The slot is free before the result is seen, so that whoever awaits it sees the gate as it now is.
      task().then(
        (value) => {
          this.release();
          settle(value);
        },
        (error: unknown) => {
          this.release();
          fail(error);
        },
      );
    };
    if (this.running < this.limit) start();
    else this.queue.push(start);
    return {
      result,
      get started() {
        return started;
      },
      withdraw: () => {
        const index = this.queue.indexOf(start);
        if (index < 0) return false;
        this.queue.splice(index, 1);
        settle(undefined);
        this.notifyIfIdle();
        return true;
      },
    };
  }

  /** Resolves with 0 once nothing runs or waits, or after `timeoutMs` with how many still do. */
  drain(timeoutMs: number): Promise<number> {
    if (this.isIdle()) return Promise.resolve(0);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.running + this.queue.length);
      };
      const timer = setTimeout(() => {
        const index = this.idleWaiters.indexOf(done);
        if (index >= 0) this.idleWaiters.splice(index, 1);
        done();
      }, timeoutMs);
      this.idleWaiters.push(done);
    });
  }

  private release(): void {
    this.running -= 1;
    const next = this.queue.shift();
    if (next) next();
    else this.notifyIfIdle();
  }

  private isIdle(): boolean {
    return this.running === 0 && this.queue.length === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }
}
