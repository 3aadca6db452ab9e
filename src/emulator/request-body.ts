/**
 * The emulator's one body reader. A body over the limit is read to its end and thrown away (so that the caller
 * can still be answered 413 on an intact connection); a sender that goes on past `hardLimitBytes` is cut off.
 * Isolated here so that it can give way to a shared reader with the same contract.
 */
import type http from 'node:http';

export type RequestBody = { kind: 'read'; bytes: Buffer } | { kind: 'too-large'; receivedBytes: number };

export function readRequestBody(
  req: http.IncomingMessage,
  limitBytes: number,
  hardLimitBytes = 16 * limitBytes,
): Promise<RequestBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else if (size > hardLimitBytes) {
        // Enough has been thrown away: answer now, and let the socket go with the answer.
        req.pause();
        resolve({ kind: 'too-large', receivedBytes: size });
      } else chunks.length = 0;
    });
    req.on('end', () =>
      resolve(
        size <= limitBytes
          ? { kind: 'read', bytes: Buffer.concat(chunks) }
          : { kind: 'too-large', receivedBytes: size },
      ),
    );
    req.on('error', reject);
  });
}
