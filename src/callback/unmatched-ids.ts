/**
 * Ids found to belong to no clone, so that a repeat costs no ICE read and no Temporal call: ICE sends an event up to
 * three times (docs/ice-api.md#callback-delivery) and several events per job. Bounded in size (the oldest go first)
 * and in time.
 */

/** `job-unknown-to-ice`: ICE does not know the JobId as a voice job (another feature's job). */
export type UnmatchedKind = 'job-unknown-to-ice' | 'no-open-clone';

export const UNMATCHED_IDS_MAX = 10_000;
/** A JobId that ICE does not know as a voice job never becomes one. */
export const JOB_UNKNOWN_TTL_MS = 60 * 60_000;
/**
 * Short: long enough for ICE's retries and a job's burst of events, short enough that a clone started again for the
 * same voice soon gets its callbacks (until then it finishes by polling, as without callbacks).
 */
export const NO_OPEN_CLONE_TTL_MS = 60_000;

const TTL_MS: Record<UnmatchedKind, number> = {
  'job-unknown-to-ice': JOB_UNKNOWN_TTL_MS,
  'no-open-clone': NO_OPEN_CLONE_TTL_MS,
};

/** The id a callback is routed by: its VoiceId when it has one, else its JobId. */
export interface RoutingIds {
  voiceId?: string;
  jobId?: string;
}

function keyOf(ids: RoutingIds): string | undefined {
  if (ids.voiceId !== undefined) return `voice:${ids.voiceId}`;
  return ids.jobId !== undefined ? `job:${ids.jobId}` : undefined;
}

export class UnmatchedIds {
  // A Map keeps insertion order: the first key is the oldest entry.
  private readonly entries = new Map<string, { kind: UnmatchedKind; expiresAtMs: number }>();

  constructor(
    private readonly maxSize = UNMATCHED_IDS_MAX,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  recall(ids: RoutingIds): UnmatchedKind | undefined {
    const key = keyOf(ids);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (key === undefined || entry === undefined) return undefined;
    if (entry.expiresAtMs > this.now()) return entry.kind;
    this.entries.delete(key);
    return undefined;
  }

  remember(ids: RoutingIds, kind: UnmatchedKind): void {
    const key = keyOf(ids);
    if (key === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, { kind, expiresAtMs: this.now() + TTL_MS[kind] });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxSize) break;
      this.entries.delete(oldest);
    }
  }
}
