/**
 * A test's own HTTP server around a request listener (an app that mounts the callback handler, say), on 127.0.0.1,
 * closed with every connection it still holds.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A test's own HTTP server on 127.0.0.1, closed with every connection it still holds. */
export interface TestHttpServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on `port` (default: a free one). */
export async function startHttpServer(listener: RequestListener, port = 0): Promise<TestHttpServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
