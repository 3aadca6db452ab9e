/**
 * The client's own limit on ICE calls per second, one per ICE action, because ICE limits each operation apart and
 * answers `Throttling` beyond it (ASSUMPTION (docs/ice-api.md#rate-limits)). A call waits for its action's next
 * slot, in the order calls asked, instead of being sent into a Throttling answer; one whose slot lies beyond the
 * wait budget fails at once with the retryable `ClientRateLimited`, so its activity backs off and tries again.
 */
import { CLIENT_RATE_LIMITED_CODE, IceError } from './errors';
import type { IceAction } from './types';

/** Calls per second: `perSecond` for every action, `byAction` instead of it for the actions it names. */
export interface IceCallRateLimits {
  perSecond?: number;
  byAction?: Partial<Record<IceAction, number>>;
}

interface Waiter {
  slotMs: number;
  release: () => void;
}

/**
 * One action's calls, evenly spaced `1000 / perSecond` ms apart: a bucket of one token, so the client never sends a
 * burst that a bucket of unknown size at ICE could refuse. One timer for the queue's head, none when nobody waits.
 */
class ActionSchedule {
  private nextSlotMs = Number.NEGATIVE_INFINITY;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly perSecond: number,
    private readonly nowMs: () => number,
  ) {}

  get waiting(): number {
    return this.waiters.length;
  }

  /** The ms until this call's slot, the slot taken; undefined (nothing taken) when that is beyond `maxWaitMs`. */
  reserve(maxWaitMs: number): { waitMs: number; slot: Promise<void> } | undefined {
    const now = this.nowMs();
    const slotMs = Math.max(now, this.nextSlotMs);
    if (slotMs - now > maxWaitMs) return undefined;
    this.nextSlotMs = slotMs + 1000 / this.perSecond;
    if (slotMs <= now && this.waiters.length === 0) return { waitMs: 0, slot: Promise.resolve() };
    const slot = new Promise<void>((release) => this.waiters.push({ slotMs, release }));
    this.arm();
    return { waitMs: slotMs - now, slot };
  }

  /**
   * Releases every waiter whose slot has come, in order, and re-arms for the next. The timer stays referenced: a
   * waiting call is work the process still has to do (a CLI command must not exit before sending it).
   */
  private arm(): void {
    if (this.timer !== undefined) return;
    const head = this.waiters[0];
    if (head === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = this.nowMs();
        while (this.waiters[0] !== undefined && this.waiters[0].slotMs <= now) this.waiters.shift()?.release();
        this.arm();
      },
      Math.max(0, Math.ceil(head.slotMs - this.nowMs())),
    );
  }
}

/** The per-action limits of one client: `take` before each request. */
export class IceRateLimiter {
  private readonly schedules = new Map<IceAction, ActionSchedule>();

  constructor(
    private readonly limits: IceCallRateLimits,
    /** The longest a call may wait for its slot (the client's read timeout: a call's own budget for an answer). */
    private readonly maxWaitMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The limit on `action` in calls per second, or undefined when it is not limited. */
  limitOf(action: IceAction): number | undefined {
    return this.limits.byAction?.[action] ?? this.limits.perSecond;
  }

  /**
   * Waits for `action`'s next slot and resolves with the ms waited (0 when the action is not limited). Rejects at
   * once with a retryable `ClientRateLimited` IceError when the slot would come later than the wait budget.
   */
  async take(action: IceAction): Promise<number> {
    const schedule = this.scheduleOf(action);
    if (schedule === undefined) return 0;
    const reserved = schedule.reserve(this.maxWaitMs);
    if (reserved === undefined) {
      throw new IceError(
        action,
        CLIENT_RATE_LIMITED_CODE,
        `the client's limit of ${schedule.perSecond} calls/s for ${action} has no free slot within ` +
          `${this.maxWaitMs} ms (${schedule.waiting} calls already waiting); not sent`,
      );
    }
    await reserved.slot;
    return reserved.waitMs;
  }

  private scheduleOf(action: IceAction): ActionSchedule | undefined {
    const existing = this.schedules.get(action);
    if (existing) return existing;
    const perSecond = this.limitOf(action);
    if (perSecond === undefined) return undefined;
    const schedule = new ActionSchedule(perSecond, this.nowMs);
    this.schedules.set(action, schedule);
    return schedule;
  }
}
