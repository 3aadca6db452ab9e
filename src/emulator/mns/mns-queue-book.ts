/**
 * The emulator's MNS queues and their messages: send, receive with a visibility timeout (each receive a new
 * ReceiptHandle and one more DequeueCount), delete by the latest handle before NextVisibleTime, change visibility.
 * Pure state, no I/O: ./mns-service.ts speaks HTTP around it. Facts: docs/ice-api.md#mns-queue-callbacks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invalidArgument, messageNotExist, MnsWireError, queueNotExist, receiptHandleError } from './mns-error';

/** A queue's settable attributes (seconds and bytes, as MNS names them). */
export interface MnsQueueAttributes {
  DelaySeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  VisibilityTimeout: number;
  PollingWaitSeconds: number;
  LoggingEnabled: boolean;
}

/** MNS's defaults and ranges for them (docs/ice-api.md#mns-queue-callbacks). */
export const MNS_QUEUE_DEFAULTS: MnsQueueAttributes = {
  DelaySeconds: 0,
  MaximumMessageSize: 65_536,
  MessageRetentionPeriod: 345_600,
  VisibilityTimeout: 30,
  PollingWaitSeconds: 0,
  LoggingEnabled: false,
};
export const MNS_ATTRIBUTE_RANGES: Readonly<
  Record<Exclude<keyof MnsQueueAttributes, 'LoggingEnabled'>, [number, number]>
> = {
  DelaySeconds: [0, 604_800],
  MaximumMessageSize: [1_024, 65_536],
  MessageRetentionPeriod: [60, 604_800],
  VisibilityTimeout: [1, 43_200],
  PollingWaitSeconds: [0, 30],
};

/** Emulator limits (MNS has its own, larger): they bound the memory a signed caller can fill. */
export const MNS_MAX_QUEUES = 1_000;
export const MNS_MAX_MESSAGES_PER_QUEUE = 200_000;

export interface StoredMnsMessage {
  messageId: string;
  body: string;
  /** Upper-case hex MD5 of the body. */
  bodyMd5: string;
  priority: number;
  /** Milliseconds since the epoch, as MNS reports them. */
  enqueueTime: number;
  nextVisibleTime: number;
  firstDequeueTime?: number;
  dequeueCount: number;
  /** The latest receipt handle; only it deletes or changes the message, and only before nextVisibleTime. */
  receiptHandle?: string;
}

export interface StoredMnsQueue {
  name: string;
  /** Seconds since the epoch. */
  createTime: number;
  lastModifyTime: number;
  attributes: MnsQueueAttributes;
  /** In enqueue order. */
  messages: StoredMnsMessage[];
}

export interface MnsQueueBookSnapshot {
  queues: StoredMnsQueue[];
}

/** One MNS queue of the emulator and its message counts (admin API `GET /mns/queues`). */
export interface MnsQueueSummary {
  name: string;
  /** Visible now. */
  activeMessages: number;
  /** Received and inside their visibility timeout. */
  inactiveMessages: number;
  /** Sent with a delay not over yet. */
  delayMessages: number;
}

/** Whether a CreateQueue made a queue or found one with the same attributes (MNS answers 201 and 204). */
export type CreateOutcome = 'created' | 'unchanged';

interface LiveQueue extends StoredMnsQueue {
  byId: Map<string, StoredMnsMessage>;
  byHandle: Map<string, StoredMnsMessage>;
}

function sameAttributes(a: MnsQueueAttributes, b: MnsQueueAttributes): boolean {
  return (Object.keys(a) as (keyof MnsQueueAttributes)[]).every((key) => a[key] === b[key]);
}

export function md5Upper(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex').toUpperCase();
}

export class MnsQueueBook {
  private readonly queues = new Map<string, LiveQueue>();
  private handleSeq = 0;

  createQueue(name: string, attributes: MnsQueueAttributes, nowMs: number): CreateOutcome {
    const existing = this.queues.get(name);
    if (existing) {
      if (sameAttributes(existing.attributes, attributes)) return 'unchanged';
      throw new MnsWireError(409, 'QueueAlreadyExist', 'The queue you want to create is already exist.');
    }
    if (this.queues.size >= MNS_MAX_QUEUES)
      throw invalidArgument(`The emulator keeps at most ${MNS_MAX_QUEUES} queues.`);
    const seconds = Math.floor(nowMs / 1000);
    this.queues.set(name, live({ name, createTime: seconds, lastModifyTime: seconds, attributes, messages: [] }));
    return 'created';
  }

  /** SetQueueAttributes: the messages stay; a changed delay or visibility timeout applies to later ones. */
  setAttributes(name: string, attributes: MnsQueueAttributes, nowMs: number): void {
    const queue = this.queue(name);
    queue.attributes = { ...attributes };
    queue.lastModifyTime = Math.floor(nowMs / 1000);
  }

  /** True when the queue existed. */
  deleteQueue(name: string): boolean {
    return this.queues.delete(name);
  }

  has(name: string): boolean {
    return this.queues.has(name);
  }

  attributes(name: string): StoredMnsQueue {
    const queue = this.queue(name);
    return { ...queue, messages: [] };
  }

  send(
    name: string,
    message: { body: string; delaySeconds?: number; priority?: number },
    nowMs: number,
  ): StoredMnsMessage {
    const queue = this.queue(name);
    if (queue.byId.size >= MNS_MAX_MESSAGES_PER_QUEUE) {
      throw invalidArgument(`The emulator keeps at most ${MNS_MAX_MESSAGES_PER_QUEUE} messages per queue.`);
    }
    const delaySeconds = message.delaySeconds ?? queue.attributes.DelaySeconds;
    const stored: StoredMnsMessage = {
      messageId: randomBytes(16).toString('hex').toUpperCase(),
      body: message.body,
      bodyMd5: md5Upper(message.body),
      priority: message.priority ?? 8,
      enqueueTime: nowMs,
      nextVisibleTime: nowMs + delaySeconds * 1000,
      dequeueCount: 0,
    };
    queue.byId.set(stored.messageId, stored);
    return stored;
  }

  /** Takes up to `max` visible messages (priority 1 first, then oldest), each hidden for the queue's VisibilityTimeout. */
  receive(name: string, max: number, nowMs: number): StoredMnsMessage[] {
    const queue = this.queue(name);
    this.expire(queue, nowMs);
    const visible: StoredMnsMessage[] = [];
    for (const message of queue.byId.values()) if (message.nextVisibleTime <= nowMs) visible.push(message);
    visible.sort((a, b) => a.priority - b.priority);
    return visible.slice(0, max).map((message) => {
      this.issueHandle(queue, message, nowMs + queue.attributes.VisibilityTimeout * 1000);
      message.firstDequeueTime ??= nowMs;
      message.dequeueCount += 1;
      return { ...message };
    });
  }

  /** Deletes by the latest receipt handle; a stale, expired or unknown one is ReceiptHandleError (as MNS answers it). */
  deleteByHandle(name: string, receiptHandle: string, nowMs: number): void {
    const queue = this.queue(name);
    const message = this.current(queue, receiptHandle, nowMs);
    if (!message) throw receiptHandleError();
    queue.byId.delete(message.messageId);
    queue.byHandle.delete(receiptHandle);
  }

  /** Hides the message for `seconds` from now under a new handle; a handle no longer current is MessageNotExist. */
  changeVisibility(name: string, receiptHandle: string, seconds: number, nowMs: number): StoredMnsMessage {
    const queue = this.queue(name);
    const message = this.current(queue, receiptHandle, nowMs);
    if (!message) throw messageNotExist();
    this.issueHandle(queue, message, nowMs + seconds * 1000);
    return { ...message };
  }

  /** When the next hidden or delayed message of the queue becomes visible (ms since the epoch), if any. */
  nextVisibleAfter(name: string, nowMs: number): number | undefined {
    let earliest: number | undefined;
    for (const message of this.queues.get(name)?.byId.values() ?? []) {
      if (message.nextVisibleTime > nowMs && (earliest === undefined || message.nextVisibleTime < earliest)) {
        earliest = message.nextVisibleTime;
      }
    }
    return earliest;
  }

  summaries(nowMs: number): MnsQueueSummary[] {
    return [...this.queues.values()].map((queue) => {
      const summary: MnsQueueSummary = { name: queue.name, activeMessages: 0, inactiveMessages: 0, delayMessages: 0 };
      for (const message of queue.byId.values()) {
        if (message.nextVisibleTime <= nowMs) summary.activeMessages += 1;
        else if (message.receiptHandle) summary.inactiveMessages += 1;
        else summary.delayMessages += 1;
      }
      return summary;
    });
  }

  clear(): void {
    this.queues.clear();
  }

  snapshot(): MnsQueueBookSnapshot {
    return {
      queues: [...this.queues.values()].map(({ byId, byHandle: _byHandle, ...queue }) => ({
        ...queue,
        messages: [...byId.values()].map((message) => ({ ...message })),
      })),
    };
  }

  restore(snapshot: MnsQueueBookSnapshot): void {
    this.queues.clear();
    for (const queue of snapshot.queues) this.queues.set(queue.name, live(queue));
  }

  private queue(name: string): LiveQueue {
    const queue = this.queues.get(name);
    if (!queue) throw queueNotExist();
    return queue;
  }

  private current(queue: LiveQueue, receiptHandle: string, nowMs: number): StoredMnsMessage | undefined {
    const message = queue.byHandle.get(receiptHandle);
    if (!message || message.receiptHandle !== receiptHandle || message.nextVisibleTime <= nowMs) return undefined;
    return message;
  }

  private issueHandle(queue: LiveQueue, message: StoredMnsMessage, nextVisibleTime: number): void {
    if (message.receiptHandle) queue.byHandle.delete(message.receiptHandle);
    // URL-safe characters only: the official SDK puts the handle into the query unencoded.
    message.receiptHandle = `${++this.handleSeq}-${randomBytes(18).toString('base64url')}`;
    message.nextVisibleTime = nextVisibleTime;
    queue.byHandle.set(message.receiptHandle, message);
  }

  /** Drops messages older than the queue's MessageRetentionPeriod, as MNS does. */
  private expire(queue: LiveQueue, nowMs: number): void {
    const oldest = nowMs - queue.attributes.MessageRetentionPeriod * 1000;
    for (const message of queue.byId.values()) {
      if (message.enqueueTime > oldest) continue;
      queue.byId.delete(message.messageId);
      if (message.receiptHandle) queue.byHandle.delete(message.receiptHandle);
    }
  }
}

function live(queue: StoredMnsQueue): LiveQueue {
  const byId = new Map(queue.messages.map((message) => [message.messageId, { ...message }] as const));
  const byHandle = new Map<string, StoredMnsMessage>();
  for (const message of byId.values()) if (message.receiptHandle) byHandle.set(message.receiptHandle, message);
  return { ...queue, attributes: { ...queue.attributes }, messages: [], byId, byHandle };
}
