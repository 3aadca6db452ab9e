/**
 * Where `iceCallback` signals land. A callback is only a wake-up call (ICE does not sign the body): the inbox
 * decides whether it concerns the job being awaited and coalesces duplicates, and the workflow then reads the
 * job from ICE. Callbacks that arrive before the JobId is known are kept and matched once it is.
 */
import type { IceCallbackEnvelope } from '../ice/types';

const MAX_REMEMBERED = 1_000;

interface CallbackFacts {
  key: string;
  jobId?: string;
  voiceId?: string;
}

export class CallbackInbox {
  received = 0;
  private readonly seen = new Set<string>();
  private early: CallbackFacts[] = [];
  private jobId: string | undefined;
  private wakeUp = false;

  /** `voiceId`: '' while ICE has not assigned it (Standard, CosyVoice); see `voiceKnown`. */
  constructor(private voiceId: string) {}

  /** ICE assigned the clone's VoiceId: from now on a callback without a JobId must name it. */
  voiceKnown(voiceId: string): void {
    if (this.voiceId === '') this.voiceId = voiceId;
  }

  receive(payload: unknown): void {
    this.received++;
    const facts = readFacts(payload);
    if (facts === undefined) return; // not shaped like ICE's envelope: nothing to confirm
    if (this.seen.has(facts.key)) return; // ICE's retries and duplicates carry the same body
    if (this.seen.size < MAX_REMEMBERED) this.seen.add(facts.key);
    if (this.jobId === undefined) {
      if (this.early.length < MAX_REMEMBERED) this.early.push(facts);
    } else if (this.concerns(facts)) {
      this.wakeUp = true;
    }
  }

  /** From now on, callbacks about this job wake the workflow; early ones about it count too. */
  watch(jobId: string): void {
    this.jobId = jobId;
    if (this.early.some((facts) => this.concerns(facts))) this.wakeUp = true;
    this.early = [];
  }

  get hasWakeUp(): boolean {
    return this.wakeUp;
  }

  /** Consumes the pending wake-up; callbacks arriving after this call raise a new one. */
  takeWakeUp(): boolean {
    const woke = this.wakeUp;
    this.wakeUp = false;
    return woke;
  }

  private concerns(facts: CallbackFacts): boolean {
    if (facts.jobId !== undefined) return facts.jobId === this.jobId;
    // ASSUMPTION (docs/ice-api.md#callback-events): without a JobId, a callback naming our voice (or nothing) may be
    // ours; so may one naming any voice while ICE has not told us ours (the receiver routed it here by VoiceName).
    return facts.voiceId === undefined || this.voiceId === '' || facts.voiceId === this.voiceId;
  }
}

function readFacts(payload: unknown): CallbackFacts | undefined {
  if (!isRecord(payload) || !isRecord(payload.MessageBody)) return undefined;
  const envelope = payload as Partial<IceCallbackEnvelope>;
  const body: Record<string, unknown> = payload.MessageBody;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const jobId = text(body.JobId);
  const voiceId = text(body.VoiceId);
  const key = JSON.stringify([envelope.EventType, envelope.EventTime, jobId, voiceId, body.Status]);
  return { key, jobId, voiceId };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
