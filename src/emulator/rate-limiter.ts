/**
 * The emulator's per-operation rate limit: one token bucket per ICE action, refilled at the limit's rate and holding
 * at most one second's worth (at least one token), so a burst of one second's calls passes and the rest answer
 * `Throttling` until tokens come back. Counts what it let through and what it refused, per action.
 */
import type { RateLimitCounts } from './admin-api';

interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

export class OperationRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private counts: RateLimitCounts = {};

  constructor(private readonly nowMs: () => number) {}

  /** True when a call of `action` fits `perSecond` now (takes a token); false when it must be throttled. */
  admit(action: string, perSecond: number): boolean {
    const now = this.nowMs();
    const capacity = Math.max(1, perSecond);
    const bucket = this.buckets.get(action) ?? { tokens: capacity, refilledAtMs: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.refilledAtMs) / 1000) * perSecond);
    bucket.refilledAtMs = now;
    this.buckets.set(action, bucket);
    const count = (this.counts[action] ??= { allowed: 0, throttled: 0 });
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      count.allowed += 1;
      return true;
    }
    count.throttled += 1;
    return false;
  }

  current(): RateLimitCounts {
    return structuredClone(this.counts);
  }

  /** Full buckets and zero counts (a new fault config starts afresh). */
  clear(): void {
    this.buckets.clear();
    this.counts = {};
  }
}
