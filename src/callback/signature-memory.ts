/**
 * One signature, one body. ICE signs the URL and the timestamp, not the body (docs/ice-api.md#callback-signature),
 * so a captured `(X-ICE-TIMESTAMP, X-ICE-SIGNATURE)` pair would otherwise carry any body while it is fresh. The
 * receiver remembers each accepted pair with the sha256 of every body it carried, until the pair is stale:
 * - the same pair with a body it carried already is a retry (answered like the first, see handler.ts);
 * - the same pair with a new body is taken only during a short grace after the pair was first seen, because ICE
 *   signs per second, so callbacks it sends in the same second share the pair; after the grace it is refused;
 * - memory is bounded: at the cap (after dropping stale pairs) a new pair or body is refused with 503 rather than
 *   evicting a fresh pair, whose eviction would let that pair carry any body again. ICE retries a 503.
 * ASSUMPTION (docs/ice-api.md#callback-replay): whether ICE re-signs its retries or reuses the timestamp is
 * undocumented; either way a retry is accepted (a new pair, or the same pair with the same body).
 */
import { createHash } from 'node:crypto';

/** The answer a retry of this body gets without another delivery; kept only for answers ICE takes (200). */
export interface RememberedAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type SignatureUse =
  { kind: 'first' | 'new-body' } | { kind: 'retry'; answer?: RememberedAnswer } | { kind: 'reused' } | { kind: 'full' };

/**
 * How long after a pair was first seen it may carry other bodies. ICE's callbacks signed in the same second all
 * arrive within that second plus ICE's 3 s answer timeout (docs/ice-api.md#callback-delivery): later they are of
 * no use to ICE anyway.
 */
export const NEW_BODY_GRACE_MS = 4_000;
/** Bodies remembered across all pairs (about 150 bytes each). */
export const SIGNATURE_MEMORY_MAX_BODIES = 100_000;
/** Stale pairs are swept at most this often, so that a full memory does not cost a sweep per request. */
const SWEEP_EVERY_MS = 1_000;

interface PairEntry {
  firstSeenMs: number;
  expiresAtMs: number;
  bodies: Map<string, RememberedAnswer | undefined>;
}

export interface SignedUse {
  timestamp: string;
  signature: string;
  body: Buffer;
}

export class SignatureMemory {
  private readonly pairs = new Map<string, PairEntry>();
  private bodyCount = 0;
  private lastSweepMs = 0;

  constructor(
    /** The freshness window (ICE_CALLBACK_MAX_SKEW_SECONDS): a pair is remembered until it is stale anyway. */
    private readonly maxSkewSeconds: number,
    private readonly maxBodies = SIGNATURE_MEMORY_MAX_BODIES,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.bodyCount;
  }

  /** Records the use when it is accepted (first, new-body); refusals and retries change nothing. */
  use({ timestamp, signature, body }: SignedUse): SignatureUse {
    const nowMs = this.now();
    const key = pairKey(timestamp, signature);
    const hash = createHash('sha256').update(body).digest('base64');
    const entry = this.pairs.get(key);
    if (entry !== undefined && entry.expiresAtMs > nowMs) {
      if (entry.bodies.has(hash)) return { kind: 'retry', answer: entry.bodies.get(hash) };
      if (nowMs - entry.firstSeenMs > NEW_BODY_GRACE_MS) return { kind: 'reused' };
    }
    if (!this.hasRoom(nowMs)) return { kind: 'full' };
    if (entry !== undefined && entry.expiresAtMs > nowMs) {
      entry.bodies.set(hash, undefined);
      this.bodyCount += 1;
      return { kind: 'new-body' };
    }
    if (entry !== undefined) this.forget(key, entry);
    const expiresAtMs = (Number(timestamp) + this.maxSkewSeconds + 1) * 1000;
    this.pairs.set(key, { firstSeenMs: nowMs, expiresAtMs, bodies: new Map([[hash, undefined]]) });
    this.bodyCount += 1;
    return { kind: 'first' };
  }

  /** The answer ICE got for this body under this pair, for its retries. */
  answered({ timestamp, signature, body }: SignedUse, answer: RememberedAnswer): void {
    const entry = this.pairs.get(pairKey(timestamp, signature));
    const hash = createHash('sha256').update(body).digest('base64');
    if (entry?.bodies.has(hash)) entry.bodies.set(hash, answer);
  }

  private hasRoom(nowMs: number): boolean {
    if (this.bodyCount < this.maxBodies) return true;
    if (nowMs - this.lastSweepMs < SWEEP_EVERY_MS) return false;
    this.lastSweepMs = nowMs;
    for (const [key, entry] of this.pairs) if (entry.expiresAtMs <= nowMs) this.forget(key, entry);
    return this.bodyCount < this.maxBodies;
  }

  private forget(key: string, entry: PairEntry): void {
    this.pairs.delete(key);
    this.bodyCount -= entry.bodies.size;
  }
}

function pairKey(timestamp: string, signature: string): string {
  return `${timestamp}:${signature.toLowerCase()}`;
}
