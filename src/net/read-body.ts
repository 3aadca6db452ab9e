/**
 * The package's one reader of an HTTP request body with a byte limit. Event-based rather than `for await`, because
 * leaving a `for await` early destroys the socket and the sender would never see the answer (e.g. 413).
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'body'; body: Buffer }
  /** Over the limit (declared or sent): the rest is discarded, the answer should close the connection. */
  | { kind: 'too_large' }
  /** The sender went away (or the server's request timeout cut it) before the body ended: nobody to answer. */
  | { kind: 'aborted' };

export interface ReadBodyOptions {
  /**
   * Past the limit, read on and throw away up to this many bytes in all, so that the sender (still sending) sees
   * the answer on an intact connection; beyond it, or by default, answer at once.
   */
  drainUpTo?: number;
}

/** Reads `req`'s body if it is at most `limit` bytes. Never rejects. */
export function readBodyWithin(req: IncomingMessage, limit: number, options: ReadBodyOptions = {}): Promise<BodyRead> {
  const drainUpTo = Math.max(limit, options.drainUpTo ?? limit);
  const header = req.headers['content-length'];
  const declared = Number(Array.isArray(header) ? header[0] : header);
  if (Number.isFinite(declared) && declared > drainUpTo) return Promise.resolve({ kind: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (read: BodyRead): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(read);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (total <= drainUpTo) return; // thrown away; 'end' answers too_large
      settle({ kind: 'too_large' });
      req.resume(); // discard the rest; the answer closes the connection
    };
    const onEnd = (): void =>
      settle(total <= limit ? { kind: 'body', body: Buffer.concat(chunks) } : { kind: 'too_large' });
    // 'close' before 'end', or an 'error' (ECONNRESET "aborted"): the body will never be complete.
    const onAbort = (): void => settle({ kind: 'aborted' });
    req.on('data', onData);
    req.once('end', onEnd);
    // Kept after settling: an 'error' without a listener would be thrown.
    req.on('error', onAbort);
    req.once('close', onAbort);
  });
}
