/**
 * Delivers events the way ICE does: POST JSON, a delivery counts only for HTTP 200 within 3 s, otherwise two retries
 * 1 s apart, then the message is dropped (docs/ice-api.md#callback-delivery). The account's one callback setting
 * decides what is sent: its EventTypeList filters; an MNS setting writes the same JSON into the named queue of the
 * emulator's MNS, with the same retries when the queue does not exist (docs/ice-api.md#mns-queue-callbacks).
 * Injected faults (drop, duplicate, delay, reorder) shape what the receiver sees. Every attempt is logged for
 * GET /__emulator/callbacks.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../observability/logger';
import type { CallbackDelivery, EventDispatchResult } from './admin-api';
import { signIceCallback } from '../ice/callback-auth';
import type { FaultController } from './fault-controller';
import type { EventCallbackSettings } from './ice-operations';

/** One ICE event as it is posted: `{EventType, UserId, EventTime, MessageBody}`. */
export interface CallbackEvent {
  eventType: string;
  userId: number;
  eventTime: string;
  messageBody: Record<string, unknown>;
}

/** How the emulator delivers a callback: per-attempt timeout, pause between attempts, attempts (milliseconds). */
export interface CallbackTiming {
  /** ICE waits this long for an answer. */
  timeoutMs: number;
  /** Pause between attempts. */
  retryDelayMs: number;
  /** First try plus retries. */
  attempts: number;
}

/** ICE's own callback timing (docs/ice-api.md#callback-delivery): 3 s timeout, 1 s apart, 3 attempts. */
export const ICE_CALLBACK_TIMING: CallbackTiming = { timeoutMs: 3_000, retryDelayMs: 1_000, attempts: 3 };

/** The event's JSON, the same for a POST and a queue message (docs/ice-api.md#mns-queue-callbacks). */
function callbackBody(event: CallbackEvent): string {
  return JSON.stringify({
    EventType: event.eventType,
    UserId: event.userId,
    EventTime: event.eventTime,
    MessageBody: event.messageBody,
  });
}

interface PendingCallback {
  eventId: string;
  event: CallbackEvent;
  settings: EventCallbackSettings;
}

/** Delivers the emulator's callbacks to the configured URL with ICE's timing and the injected callback faults. */
export class CallbackDispatcher {
  private readonly log: CallbackDelivery[] = [];
  private readonly delayed = new Map<NodeJS.Timeout, PendingCallback>();
  private reorderHeld: PendingCallback[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly faults: FaultController,
    private readonly logger: Logger,
    private readonly timing: CallbackTiming = ICE_CALLBACK_TIMING,
    /** Sign with the lower-cased AuthKey (docs/ice-api.md#callback-signature: the documented example matches it). */
    private readonly lowerCaseKey: () => boolean = () => false,
    /** Writes an event into an MNS queue: false when the queue does not exist. */
    private readonly writeToQueue: (queue: string, body: string) => boolean = () => false,
  ) {}

  deliveries(): CallbackDelivery[] {
    return structuredClone(this.log);
  }

  clear(): void {
    this.log.length = 0;
    for (const timer of this.delayed.keys()) clearTimeout(timer);
    this.delayed.clear();
    this.reorderHeld = [];
  }

  /** Sends an event to the account's callback, or says why not. Job ends and POST /__emulator/events come here. */
  dispatch(event: CallbackEvent, settings: EventCallbackSettings | undefined): EventDispatchResult {
    const eventId = randomUUID();
    if (this.closed) return { sent: false, eventId, reason: 'closed', detail: 'the emulator is closing' };
    if (!settings || (settings.callbackType === 'HTTP' && !settings.callbackUrl)) {
      return { sent: false, eventId, reason: 'no-callback', detail: 'no event callback is set (SetEventCallback)' };
    }
    // ASSUMPTION (docs/ice-api.md#callback-setting): an empty EventTypeList means every event type.
    if (settings.eventTypeList.length > 0 && !settings.eventTypeList.includes(event.eventType)) {
      const detail = `${event.eventType} is not in EventTypeList ${settings.eventTypeList.join(',')}`;
      return { sent: false, eventId, reason: 'event-type-filtered', detail };
    }
    const pending: PendingCallback = { eventId, event, settings: { ...settings } };
    if (this.faults.callbackFires('drop')) {
      this.record(pending, 1, undefined, 'dropped-by-fault');
      return { sent: false, eventId, reason: 'dropped-by-fault', detail: 'the callbacks.drop fault fired' };
    }
    const copies = this.faults.callbackFires('duplicate') ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) this.hold(pending);
    if (settings.callbackType === 'MNS') {
      return { sent: true, eventId, copies, callbackUrl: '', queueName: settings.callbackQueueName ?? '' };
    }
    return { sent: true, eventId, copies, callbackUrl: settings.callbackUrl ?? '' };
  }

  /** Releases everything held by delay or reorder faults at once. */
  flush(): void {
    for (const [timer, pending] of [...this.delayed]) {
      clearTimeout(timer);
      this.delayed.delete(timer);
      this.queueForOrder(pending);
    }
    this.releaseReordered();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of [...this.delayed.keys(), ...this.timers]) clearTimeout(timer);
    this.delayed.clear();
    this.timers.clear();
    this.reorderHeld = [];
    for (const controller of this.inFlight) controller.abort();
  }

  private hold(pending: PendingCallback): void {
    const delayMs = this.faults.callbackFaults().delayMs ?? 0;
    if (delayMs <= 0) {
      this.queueForOrder(pending);
      return;
    }
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.queueForOrder(pending);
    }, delayMs);
    this.delayed.set(timer, pending);
  }

  private queueForOrder(pending: PendingCallback): void {
    const batch = this.faults.callbackFaults().reorderBatch ?? 0;
    if (batch <= 1) {
      void this.deliver(pending);
      return;
    }
    this.reorderHeld.push(pending);
    if (this.reorderHeld.length >= batch) this.releaseReordered();
  }

  /** Newest first, one after the other so that the receiver really sees the reversed order. */
  private releaseReordered(): void {
    const batch = this.reorderHeld.reverse();
    this.reorderHeld = [];
    void (async () => {
      for (const pending of batch) await this.deliver(pending);
    })();
  }

  private async deliver(pending: PendingCallback): Promise<void> {
    const toQueue = pending.settings.callbackType === 'MNS';
    for (let attempt = 1; attempt <= this.timing.attempts && !this.closed; attempt++) {
      if (toQueue && this.writeToQueue(pending.settings.callbackQueueName ?? '', callbackBody(pending.event))) {
        this.record(pending, attempt, undefined, 'queued');
        return;
      }
      const status = toQueue ? undefined : await this.post(pending);
      if (this.closed) return;
      if (status === 200) {
        this.record(pending, attempt, status, 'delivered');
        return;
      }
      const last = attempt === this.timing.attempts;
      this.record(pending, attempt, status, last ? 'gave-up' : 'failed');
      if (!last) await this.sleep(this.timing.retryDelayMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** One POST; resolves with the status, or undefined on timeout / connection failure. */
  private post({ eventId, event, settings }: PendingCallback): Promise<number | undefined> {
    const url = settings.callbackUrl ?? '';
    const body = callbackBody(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    };
    if (settings.authSwitch === 'on' && settings.authKey) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers['X-ICE-TIMESTAMP'] = String(timestamp);
      const key = this.lowerCaseKey() ? settings.authKey.toLowerCase() : settings.authKey;
      headers['X-ICE-SIGNATURE'] = signIceCallback(url, timestamp, key);
    }
    const controller = new AbortController();
    this.inFlight.add(controller);
    return new Promise<number | undefined>((resolve) => {
      let done = false;
      const finish = (status: number | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(controller);
        resolve(status);
      };
      const timer = setTimeout(() => controller.abort(), this.timing.timeoutMs);
      let request: http.ClientRequest;
      try {
        const transport = url.startsWith('https:') ? https : http;
        request = transport.request(url, { method: 'POST', headers, agent: false, signal: controller.signal });
      } catch (error) {
        this.logger.warn('callback URL unusable', { eventId, eventType: event.eventType, error: error as Error });
        finish(undefined);
        return;
      }
      request.on('response', (response) => {
        response.resume();
        finish(response.statusCode);
      });
      request.on('error', () => finish(undefined));
      request.end(body);
    });
  }

  private record(
    pending: PendingCallback,
    attempt: number,
    httpStatus: number | undefined,
    outcome: CallbackDelivery['outcome'],
  ): void {
    const { JobId, VoiceId } = pending.event.messageBody;
    const delivery: CallbackDelivery = {
      eventId: pending.eventId,
      jobId: typeof JobId === 'string' ? JobId : '',
      voiceId: typeof VoiceId === 'string' ? VoiceId : '',
      eventType: pending.event.eventType,
      attempt,
      at: new Date().toISOString(),
      httpStatus,
      outcome,
      ...(pending.settings.callbackType === 'MNS' ? { queueName: pending.settings.callbackQueueName ?? '' } : {}),
    };
    this.log.push(delivery);
    this.logger.info('callback attempt', { ...delivery });
  }
}
