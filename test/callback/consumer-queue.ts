/**
 * A small in-memory MNS queue over HTTP for the consumer's tests, until the emulator's MNS (src/emulator, /queues/)
 * is on this branch: batch receive with long poll, a visibility timeout, delete by the latest receipt handle (a stale
 * one refused as MNS refuses it), change visibility (a new handle), and failing deletes as a fault. No signature
 * check: the emulator's MNS does that.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredMessage {
  id: string;
  body: string;
  enqueueTime: number;
  visibleAt: number;
  dequeueCount: number;
  handle?: string;
}

export interface TestMnsQueue {
  endpoint: string;
  send(body: string): void;
  /** Messages still in the queue (visible or not). */
  size(): number;
  /** The next `count` deletes answer 500 without deleting. */
  failDeletes(count: number): void;
  deletes: number;
  receives: number;
  close(): Promise<void>;
}

const NS = 'xmlns="http://mns.aliyuncs.com/doc/v1/"';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function messageXml(m: StoredMessage): string {
  return (
    `<Message><MessageId>${m.id}</MessageId><ReceiptHandle>${m.handle ?? ''}</ReceiptHandle>` +
    `<MessageBody>${escapeXml(m.body)}</MessageBody><EnqueueTime>${m.enqueueTime}</EnqueueTime>` +
    `<NextVisibleTime>${m.visibleAt}</NextVisibleTime><DequeueCount>${m.dequeueCount}</DequeueCount></Message>`
  );
}

function errorXml(code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error ${NS}><Code>${code}</Code><Message>${code}</Message></Error>`;
}

export async function startTestMnsQueue(queueName: string, visibilitySeconds = 1): Promise<TestMnsQueue> {
  const messages: StoredMessage[] = [];
  let failingDeletes = 0;
  const waiting = new Set<() => void>();
  const take = (max: number): StoredMessage[] => {
    const now = Date.now();
    const taken = messages.filter((m) => m.visibleAt <= now).slice(0, max);
    for (const m of taken) {
      m.dequeueCount += 1;
      m.handle = randomUUID();
      m.visibleAt = now + visibilitySeconds * 1000;
    }
    return taken;
  };
  const state = { deletes: 0, receives: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body = ''): void => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    };
    if (url.pathname !== `/queues/${queueName}/messages`) return send(404, errorXml('QueueNotExist'));
    if (req.method === 'GET') {
      state.receives += 1;
      const max = Number(url.searchParams.get('numOfMessages') ?? 1);
      const until = Date.now() + Number(url.searchParams.get('waitseconds') ?? 0) * 1000;
      const answer = (): void => {
        const taken = take(max);
        if (taken.length > 0 || Date.now() >= until) {
          if (taken.length === 0) return send(404, errorXml('MessageNotExist'));
          return send(200, `<?xml version="1.0"?><Messages ${NS}>${taken.map(messageXml).join('')}</Messages>`);
        }
        const retry = (): void => {
          waiting.delete(retry);
          clearTimeout(timer);
          answer();
        };
        const timer = setTimeout(retry, Math.min(200, Math.max(until - Date.now(), 0)));
        waiting.add(retry);
        // A receive its consumer gave up on (stop) takes nothing.
        res.once('close', () => {
          waiting.delete(retry);
          clearTimeout(timer);
        });
      };
      return answer();
    }
    const handle = url.searchParams.get('ReceiptHandle') ?? url.searchParams.get('receiptHandle');
    const index = messages.findIndex((m) => m.handle === handle && m.visibleAt > Date.now());
    if (req.method === 'DELETE') {
      if (failingDeletes > 0) {
        failingDeletes -= 1;
        return send(500, errorXml('InternalError'));
      }
      if (index < 0) return send(404, errorXml('ReceiptHandleError'));
      messages.splice(index, 1);
      state.deletes += 1;
      return send(204);
    }
    if (req.method === 'PUT' && index >= 0) {
      const m = messages[index];
      m.handle = randomUUID();
      m.visibleAt = Date.now() + Number(url.searchParams.get('visibilityTimeout') ?? 30) * 1000;
      return send(200, `<ChangeVisibility ${NS}><ReceiptHandle>${m.handle}</ReceiptHandle></ChangeVisibility>`);
    }
    send(404, errorXml('MessageNotExist'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    send(body) {
      messages.push({ id: randomUUID(), body, enqueueTime: Date.now(), visibleAt: 0, dequeueCount: 0 });
      for (const wake of [...waiting]) wake();
    },
    size: () => messages.length,
    failDeletes(count) {
      failingDeletes = count;
    },
    get deletes() {
      return state.deletes;
    },
    get receives() {
      return state.receives;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
