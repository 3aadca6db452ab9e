/**
 * A bound on callback deliveries in flight at once. Under a burst (thousands of trainings ending together) letting
 * every callback call Temporal at once makes every call slow, so most miss ICE's 3 s and nothing gets through; with a
 * bound, Temporal works at its pace, the callbacks behind wait their turn, and one whose deadline passes in the queue
 * is answered 503 at once (ICE retries it) without having cost Temporal anything.
 */
export class DeliveryGate {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get queued(): number {
    return this.queue.length;
  }

  /** Runs `task` once a slot is free; `undefined` when `deadlineMs` passes first (the task never ran). */
  async run<T>(deadlineMs: number, task: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.acquire(deadlineMs))) return undefined;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(deadlineMs: number): Promise<boolean> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        this.inFlight += 1;
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          const index = this.queue.indexOf(grant);
          if (index >= 0) this.queue.splice(index, 1);
          resolve(false);
        },
        Math.max(0, deadlineMs - Date.now()),
      );
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.inFlight -= 1;
    this.queue.shift()?.();
  }
}
