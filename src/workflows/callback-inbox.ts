/**
 * Where `iceCallback` signals land. A callback is only a wake-up call (ICE does not sign the body): the inbox
 * decides whether it concerns the job being awaited and whether it tells anything new, and the workflow then reads
 * the job from ICE. What it keeps is bounded, and so are the reads a storm of callbacks can cause: a callback that
 * claims an end the last read did not show is confirmed at once (a few times per clone); any other is confirmed at
 * most once per poll interval; the rest are coalesced and counted. Callbacks that arrive before the JobId is known
 * are kept (a bounded number) and matched once it is.
 */
import { isTerminalVoiceJobStatus } from '../ice/types';

/** Distinct callbacks remembered, so that ICE's retries of one callback cost nothing. */
const MAX_REMEMBERED = 1_000;
/** Callbacks kept unread while the JobId is not known yet. */
const MAX_EARLY = 32;
/** Callbacks claiming an end that are confirmed at once; later ones wait for the poll interval like any other. */
const MAX_PROMPT_CONFIRMATIONS = 3;

interface CallbackFacts {
  key: string;
  jobId?: string;
  voiceId?: string;
  status?: string;
}

/** A read the callbacks ask for: `prompt` at once, `routine` once the poll interval since the last read has passed. */
export type WakeUp = 'prompt' | 'routine';

export class CallbackInbox {
  received = 0;
  /** Callbacks that caused no read of their own: repeats, not ours, nothing new, or folded into a pending read. */
  coalesced = 0;
  private readonly seen = new Set<string>();
  private early: CallbackFacts[] = [];
  private jobId: string | undefined;
  private wakeUp: WakeUp | undefined;
  private promptConfirmations = 0;
  private lastStatus: () => string | undefined = () => undefined;
  /** Workflow time of the last read of the job; a routine wake-up waits `pollIntervalMs` from it. */
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private pollIntervalMs = 0;
  private polling = false;

  /**
   * `voiceId`: '' while ICE has not assigned it (Standard, CosyVoice); see `voiceKnown`. `counted` hears the
   * counts whenever they change (the status shows them).
   */
  constructor(
    private voiceId: string,
    private readonly counted: (received: number, coalesced: number) => void,
  ) {}

  /** ICE assigned the clone's VoiceId: from now on a callback without a JobId must name it. */
  voiceKnown(voiceId: string): void {
    if (this.voiceId === '') this.voiceId = voiceId;
  }

  receive(payload: unknown): void {
    this.received++;
    this.sort(payload);
    this.counted(this.received, this.coalesced);
  }

  private sort(payload: unknown): void {
    const facts = readFacts(payload);
    // Not shaped like a callback, or a repeat (ICE's retries carry the same facts): nothing to confirm.
    if (facts === undefined || this.seen.has(facts.key)) return this.coalesce();
    if (this.seen.size < MAX_REMEMBERED) this.seen.add(facts.key);
    if (this.jobId !== undefined) return this.consider([facts]);
    if (this.early.length < MAX_EARLY) this.early.push(facts);
    else this.coalesce();
  }

  /**
   * From now on, callbacks about this job wake the workflow; early ones about it count too. `lastStatus` tells what
   * the latest read said (a callback repeating it tells nothing new); `pollIntervalMs` spaces the reads of callbacks
   * that claim no end. The job was just read (the lookup or the submit told its JobId).
   */
  watch(
    jobId: string,
    { lastStatus, pollIntervalMs }: { lastStatus: () => string | undefined; pollIntervalMs: number },
  ): void {
    this.jobId = jobId;
    this.pollIntervalMs = pollIntervalMs;
    this.lastStatus = lastStatus;
    this.lastReadAt = Date.now();
    const early = this.early;
    this.early = [];
    this.consider(early);
    this.counted(this.received, this.coalesced);
  }

  /** Whether a read is due now (workflow time: deterministic, re-evaluated on every activation). */
  get readDue(): boolean {
    return this.wakeUp === 'prompt' || (this.wakeUp === 'routine' && Date.now() >= this.routineReadAt);
  }

  /** How long until a pending routine read is due; undefined when none is pending. */
  get routineReadInMs(): number | undefined {
    return this.wakeUp === 'routine' ? Math.max(0, this.routineReadAt - Date.now()) : undefined;
  }

  /** The pending wake-up, if any: waiting restarts its timer when this changes. */
  get pendingWakeUp(): WakeUp | undefined {
    return this.wakeUp;
  }

  /** The workflow reads the job now: the pending wake-up is consumed; later callbacks raise a new one. */
  reading(): void {
    if (this.wakeUp === 'prompt') this.promptConfirmations++;
    this.wakeUp = undefined;
    this.lastReadAt = Date.now();
  }

  /**
   * Whether a callback should stop a running poll: only one claiming an end. The poll's own reads answer the
   * others, so a storm while polling costs no read and no restarted poll.
   */
  get stopsPoll(): boolean {
    return this.wakeUp === 'prompt';
  }

  /** A poll starts: its reads answer routine wake-ups (pending or to come), and the poll interval counts from it. */
  pollStarted(): void {
    if (this.wakeUp === 'routine') this.wakeUp = undefined;
    this.polling = true;
    this.lastReadAt = Date.now();
  }

  pollEnded(): void {
    this.polling = false;
  }

  private get routineReadAt(): number {
    return this.lastReadAt + this.pollIntervalMs;
  }

  private consider(callbacks: CallbackFacts[]): void {
    for (const facts of callbacks) {
      let wanted = this.concerns(facts) ? this.wakeUpFor(facts) : undefined;
      if (wanted === 'routine' && this.polling) wanted = undefined; // the poll reads anyway
      if (wanted === undefined || this.wakeUp === 'prompt' || this.wakeUp === wanted) this.coalesce();
      else this.wakeUp = wanted;
    }
  }

  private wakeUpFor({ status }: CallbackFacts): WakeUp | undefined {
    if (status !== undefined && status === this.lastStatus()) return undefined; // nothing new
    const claimsEnd = status !== undefined && isTerminalVoiceJobStatus(status);
    return claimsEnd && this.promptConfirmations < MAX_PROMPT_CONFIRMATIONS ? 'prompt' : 'routine';
  }

  private coalesce(): void {
    this.coalesced++;
  }

  private concerns(facts: CallbackFacts): boolean {
    if (facts.jobId !== undefined) return facts.jobId === this.jobId;
    // ASSUMPTION (docs/ice-api.md#callback-events): without a JobId, a callback naming our voice (or nothing) may be
    // ours; so may one naming any voice while ICE has not told us ours (the receiver routed it here by VoiceName).
    return facts.voiceId === undefined || this.voiceId === '' || facts.voiceId === this.voiceId;
  }
}

/** The facts of a callback (an `IceCallbackSignalPayload`): an `IceCallbackFact`, or ICE's whole envelope as histories before the fact carry it. */
function readFacts(payload: unknown): CallbackFacts | undefined {
  if (!isRecord(payload)) return undefined;
  if (typeof payload.eventType === 'string') {
    return facts(payload.eventType, payload.eventTime, payload.jobId, payload.voiceId, payload.status);
  }
  if (!isRecord(payload.MessageBody)) return undefined;
  const body = payload.MessageBody;
  return facts(payload.EventType, payload.EventTime, body.JobId, body.VoiceId, body.Status);
}

function facts(
  eventType: unknown,
  eventTime: unknown,
  jobIdValue: unknown,
  voiceIdValue: unknown,
  statusValue: unknown,
): CallbackFacts {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const jobId = text(jobIdValue);
  const voiceId = text(voiceIdValue);
  const status = text(statusValue);
  const key = JSON.stringify([eventType, eventTime, jobId, voiceId, statusValue]);
  return { key, jobId, voiceId, status };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
