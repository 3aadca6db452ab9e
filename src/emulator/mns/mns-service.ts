/**
 * The emulator's MNS endpoint, beside ICE on the same port (paths under /queues/): signed with MNS's scheme and the
 * emulator's key pairs, XML in and out, long polling that answers as soon as a message arrives or becomes visible,
 * the MNS faults, and the door through which the emulated ICE writes its events into a queue.
 * Facts: docs/ice-api.md#mns-queue-callbacks.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { IceCredentials } from '../../config';
import { MNS_API_VERSION } from '../../mns/signature';
import type { Logger } from '../../observability/logger';
import type { FaultController } from '../fault-controller';
import { verifyMnsRequest } from './mns-auth';
import { errorXml } from './mns-answers';
import { internalError, invalidArgument, MnsWireError } from './mns-error';
import { performMnsOperation, type MnsAnswer, type MnsOperationContext } from './mns-operations';
import { MnsQueueBook, type MnsQueueBookSnapshot, type MnsQueueSummary } from './mns-queue-book';
import { readMnsOperation } from './mns-request';

/** The path prefix of MNS's queue API. */
export const MNS_QUEUES_PREFIX = '/queues';

/** True for a path the MNS endpoint answers. */
export function isMnsPath(path: string): boolean {
  return path === MNS_QUEUES_PREFIX || path.startsWith(`${MNS_QUEUES_PREFIX}/`);
}

export interface MnsServiceOptions {
  keyPairs: readonly IceCredentials[];
  faults: FaultController;
  logger: Logger;
  /** Called after every change of the queues (the state file writes them). */
  onChange: () => void;
}

/** A request ID as MNS prints them: 24 upper-case hex digits. */
function mnsRequestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

export class MnsService {
  private readonly book = new MnsQueueBook();
  /** Long polls waiting per queue; a send, a queue's deletion or close() wakes them. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly options: MnsServiceOptions) {}

  async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawQuery: string,
    body: Buffer | undefined,
  ): Promise<void> {
    const requestId = mnsRequestId();
    let answer: MnsAnswer;
    try {
      answer = await this.answer(req, res, path, rawQuery, body);
    } catch (error) {
      if (!(error instanceof MnsWireError)) throw error;
      const hostId = `http://${req.headers.host ?? 'localhost'}`;
      answer = { status: error.httpStatus, xml: errorXml(error.code, error.message, requestId, hostId) };
      this.options.logger.info('MNS call refused', { httpStatus: error.httpStatus, code: error.code, requestId });
    }
    if (res.destroyed) return; // a long poll whose client left
    const headers: Record<string, string> = { 'x-mns-request-id': requestId, 'x-mns-version': MNS_API_VERSION };
    if (answer.location) headers.location = answer.location;
    if (answer.xml !== undefined) headers['content-type'] = 'text/xml;charset=utf-8';
    res.writeHead(answer.status, headers);
    res.end(answer.xml);
  }

  private async answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawQuery: string,
    body: Buffer | undefined,
  ): Promise<MnsAnswer> {
    if (body === undefined) throw invalidArgument('The request body is too large.');
    const method = req.method ?? 'GET';
    const signed = { method, resource: req.url ?? path, headers: req.headers, body };
    verifyMnsRequest(signed, this.options.keyPairs, Date.now());
    const operation = readMnsOperation(method, path, rawQuery, body.toString('utf8'));
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const answer = await performMnsOperation(operation, this.context(req, gone.signal));
    this.options.logger.debug('MNS call', { operation: operation.kind, queue: operation.queue, status: answer.status });
    return answer;
  }

  private context(req: http.IncomingMessage, signal: AbortSignal): MnsOperationContext {
    return {
      book: this.book,
      host: req.headers.host ?? 'localhost',
      faultFires: (fault) => {
        if (!this.options.faults.mnsFires(fault)) return false;
        this.options.logger.info('MNS fault fired', { fault });
        return true;
      },
      internalError,
      changed: (queue) => {
        this.options.onChange();
        if (queue !== undefined) this.wake(queue);
      },
      waitForChange: (queue, ms) => this.waitForChange(queue, ms, signal),
      stopped: () => this.closed || signal.aborted,
    };
  }

  /** Resolves when the queue changes, after `ms`, when the client leaves or when the emulator closes. */
  private waitForChange(queue: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(queue) ?? new Set<() => void>();
      this.waiters.set(queue, set);
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(queue) === set) this.waiters.delete(queue);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done);
      set.add(done);
    });
  }

  private wake(queue: string): void {
    for (const waiter of [...(this.waiters.get(queue) ?? [])]) waiter();
  }

  /**
   * ICE writing one event into a queue: false when the queue does not exist (ICE then retries and drops it). The
   * base64Body fault writes the body base64-encoded.
   */
  writeEvent(queue: string, body: string): boolean {
    if (this.closed || !this.book.has(queue)) return false;
    const encoded = this.options.faults.mnsFires('base64Body') ? Buffer.from(body, 'utf8').toString('base64') : body;
    try {
      this.book.send(queue, { body: encoded }, Date.now());
    } catch (error) {
      if (error instanceof MnsWireError) return false; // the emulator's message limit
      throw error;
    }
    this.options.onChange();
    this.wake(queue);
    return true;
  }

  queues(): MnsQueueSummary[] {
    return this.book.summaries(Date.now());
  }

  snapshot(): MnsQueueBookSnapshot {
    return this.book.snapshot();
  }

  restore(snapshot: MnsQueueBookSnapshot): void {
    this.book.restore(snapshot);
  }

  reset(): void {
    this.book.clear();
    for (const queue of [...this.waiters.keys()]) this.wake(queue);
    this.options.onChange();
  }

  close(): void {
    this.closed = true;
    for (const queue of [...this.waiters.keys()]) this.wake(queue);
  }
}
