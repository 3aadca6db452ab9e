/**
 * Delivers job-end callbacks the way ICE does: POST JSON, a delivery counts only for HTTP 200 within 3 s,
 * otherwise two retries 1 s apart, then the message is dropped. Injected faults (drop, duplicate, delay, reorder)
 * shape what the receiver sees. Every attempt is logged for GET /__emulator/callbacks.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../observability/logger';
import type { CallbackDelivery } from './admin-api';
import { signIceCallback } from './callback-signature';
import type { FaultController } from './fault-controller';
import type { EventCallbackSettings } from './ice-operations';

export interface CallbackEvent {
  eventType: string;
  userId: number;
  eventTime: string;
  jobId: string;
  voiceId: string;
  status: string;
  message: string;
}

export interface CallbackTiming {
  /** ICE waits this long for an answer. */
  timeoutMs: number;
  /** Pause between attempts. */
  retryDelayMs: number;
  /** First try plus retries. */
  attempts: number;
}

export const ICE_CALLBACK_TIMING: CallbackTiming = { timeoutMs: 3_000, retryDelayMs: 1_000, attempts: 3 };

interface PendingCallback {
  event: CallbackEvent;
  settings: EventCallbackSettings;
}

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

  /** Called when a job ends. */
  dispatch(event: CallbackEvent, settings: EventCallbackSettings | undefined): void {
    if (this.closed || !settings || settings.callbackType !== 'HTTP' || !settings.callbackUrl) return;
    if (settings.eventTypeList.length > 0 && !settings.eventTypeList.includes(event.eventType)) return;
    const pending: PendingCallback = { event, settings: { ...settings } };
    if (this.faults.callbackFires('drop')) {
      this.record(pending, 1, undefined, 'dropped-by-fault');
      return;
    }
    const copies = this.faults.callbackFires('duplicate') ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) this.hold(pending);
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
    for (let attempt = 1; attempt <= this.timing.attempts && !this.closed; attempt++) {
      const status = await this.post(pending);
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
  private post({ event, settings }: PendingCallback): Promise<number | undefined> {
    const url = settings.callbackUrl ?? '';
    const body = JSON.stringify({
      EventType: event.eventType,
      UserId: event.userId,
      EventTime: event.eventTime,
      MessageBody: { JobId: event.jobId, VoiceId: event.voiceId, Status: event.status, Message: event.message },
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    };
    if (settings.authSwitch === 'on' && settings.authKey) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers['X-ICE-TIMESTAMP'] = String(timestamp);
      headers['X-ICE-SIGNATURE'] = signIceCallback(url, timestamp, settings.authKey);
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
        this.logger.warn('callback URL unusable', { jobId: event.jobId, error: error as Error });
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
    const delivery: CallbackDelivery = {
      jobId: pending.event.jobId,
      voiceId: pending.event.voiceId,
      eventType: pending.event.eventType,
      attempt,
      at: new Date().toISOString(),
      httpStatus,
      outcome,
    };
    this.log.push(delivery);
    this.logger.info('callback attempt', { ...delivery });
  }
}
