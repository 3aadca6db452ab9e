/**
 * MNS's queue operations on the queue book, each answered as MNS answers it: status, XML body, Location
 * (docs/ice-api.md#mns-queue-callbacks). Receives long-poll through the context; faults through `faultFires`.
 */
import type { MnsFaults } from '../admin-api';
import {
  batchDeleteErrorsXml,
  changeVisibilityXml,
  messagesXml,
  messageXml,
  queueAttributesXml,
  receivedMessageFields,
  sentMessageFields,
} from './mns-answers';
import { messageNotExist, MnsWireError } from './mns-error';
import type { MnsQueueBook, StoredMnsMessage } from './mns-queue-book';
import { queueAttributesOf, type MnsOperation } from './mns-request';

export interface MnsAnswer {
  status: number;
  xml?: string;
  location?: string;
}

export interface MnsOperationContext {
  book: MnsQueueBook;
  /** The Host the request named (CreateQueue's Location). */
  host: string;
  faultFires: (fault: keyof MnsFaults) => boolean;
  internalError: () => MnsWireError;
  /** After a change; with the queue's name when a message may have become receivable. */
  changed: (queue?: string) => void;
  /** Waits until the queue changes or `ms` pass. */
  waitForChange: (queue: string, ms: number) => Promise<void>;
  /** The client left or the emulator is closing: a long poll ends now. */
  stopped: () => boolean;
}

type Of<K extends MnsOperation['kind']> = Extract<MnsOperation, { kind: K }>;

/**
 * Takes messages, waiting up to `waitSeconds` (the queue's PollingWaitSeconds when not given) for one to be sent or
 * to become visible again; none by then is MessageNotExist (404), as MNS answers an empty queue.
 */
async function receive(op: Of<'ReceiveMessage'>, ctx: MnsOperationContext): Promise<StoredMnsMessage[]> {
  if (ctx.faultFires('receiveServerError')) throw ctx.internalError();
  const waitSeconds = op.waitSeconds ?? ctx.book.attributes(op.queue).attributes.PollingWaitSeconds;
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const nowMs = Date.now();
    const messages = ctx.book.receive(op.queue, op.max, nowMs);
    if (messages.length > 0) {
      ctx.changed();
      return messages;
    }
    if (nowMs >= deadline || ctx.stopped()) throw messageNotExist();
    const nextVisible = ctx.book.nextVisibleAfter(op.queue, nowMs) ?? deadline;
    await ctx.waitForChange(op.queue, Math.min(deadline, nextVisible) - nowMs);
  }
}

function batchDelete(op: Of<'BatchDeleteMessage'>, ctx: MnsOperationContext): MnsAnswer {
  if (ctx.faultFires('deleteFails')) throw ctx.internalError();
  const failures: { code: string; message: string; handle: string }[] = [];
  for (const handle of op.receiptHandles) {
    try {
      ctx.book.deleteByHandle(op.queue, handle, Date.now());
    } catch (error) {
      if (!(error instanceof MnsWireError) || error.code === 'QueueNotExist') throw error;
      failures.push({ code: error.code, message: error.message, handle });
    }
  }
  ctx.changed();
  // ASSUMPTION (docs/ice-api.md#mns-queue-callbacks): a partly failed batch delete is answered 404 with the list.
  return failures.length === 0 ? { status: 204 } : { status: 404, xml: batchDeleteErrorsXml(failures) };
}

function createQueue(op: Of<'CreateQueue'>, ctx: MnsOperationContext): MnsAnswer {
  const outcome = ctx.book.createQueue(op.queue, op.attributes, Date.now());
  ctx.changed();
  if (outcome === 'unchanged') return { status: 204 };
  return { status: 201, location: `http://${ctx.host}/queues/${encodeURIComponent(op.queue)}` };
}

function setQueueAttributes(op: Of<'SetQueueAttributes'>, ctx: MnsOperationContext): MnsAnswer {
  const current = ctx.book.attributes(op.queue).attributes;
  ctx.book.setAttributes(op.queue, queueAttributesOf(op.xml, current), Date.now());
  ctx.changed(op.queue);
  return { status: 204 };
}

export async function performMnsOperation(op: MnsOperation, ctx: MnsOperationContext): Promise<MnsAnswer> {
  switch (op.kind) {
    case 'CreateQueue':
      return createQueue(op, ctx);
    case 'SetQueueAttributes':
      return setQueueAttributes(op, ctx);
    case 'GetQueueAttributes': {
      const queue = ctx.book.attributes(op.queue);
      const counts = ctx.book.summaries(Date.now()).find((summary) => summary.name === op.queue)!;
      return { status: 200, xml: queueAttributesXml(queue, counts) };
    }
    case 'DeleteQueue':
      // ASSUMPTION (docs/ice-api.md#mns-queue-callbacks): deleting a queue that does not exist is answered 204.
      ctx.book.deleteQueue(op.queue);
      ctx.changed(op.queue);
      return { status: 204 };
    case 'SendMessage': {
      const message = ctx.book.send(op.queue, op.message, Date.now());
      ctx.changed(op.queue);
      return { status: 201, xml: messageXml(sentMessageFields(message)) };
    }
    case 'BatchSendMessage': {
      const sent = op.messages.map((message) => ctx.book.send(op.queue, message, Date.now()));
      ctx.changed(op.queue);
      return { status: 201, xml: messagesXml(sent.map(sentMessageFields)) };
    }
    case 'ReceiveMessage': {
      const messages = await receive(op, ctx);
      const fields = messages.map(receivedMessageFields);
      return { status: 200, xml: op.batch ? messagesXml(fields) : messageXml(fields[0]) };
    }
    case 'DeleteMessage':
      if (ctx.faultFires('deleteFails')) throw ctx.internalError();
      ctx.book.deleteByHandle(op.queue, op.receiptHandle, Date.now());
      ctx.changed();
      return { status: 204 };
    case 'BatchDeleteMessage':
      return batchDelete(op, ctx);
    case 'ChangeMessageVisibility': {
      const message = ctx.book.changeVisibility(op.queue, op.receiptHandle, op.visibilityTimeout, Date.now());
      ctx.changed();
      return { status: 200, xml: changeVisibilityXml(message) };
    }
  }
}
