/**
 * A load balancer for tests that run several callback receivers behind one URL (the fault suite's scale-out
 * scenario): a tiny HTTP proxy that hands each request to the next of its
 * upstreams in turn, as a round-robin balancer in front of several callback receivers does. Like nginx or HAProxy,
 * it tries the next upstream when one refuses the connection (the request never reached it), and answers 502 when
 * an upstream dies after the request went out (it may have acted on it: a POST is not sent twice). Bodies are
 * small (ICE callbacks), so each is read whole before it is forwarded.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one upstream was given by the proxy. */
export interface UpstreamCount {
  /** Requests the upstream answered, by HTTP status. */
  answered: Record<number, number>;
  /** Connections it refused (the request went to the next upstream). */
  refused: number;
  /** Requests it took and never answered (it died with them). */
  lost: number;
}

/** A running round-robin proxy; it has no upstreams until `setUpstreams`. */
export interface RoundRobinProxy {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The receivers behind it, by URL (only the origin counts). */
  setUpstreams(urls: readonly string[]): void;
  /** What each upstream (by origin) was given so far. */
  counts(): Map<string, UpstreamCount>;
  close(): Promise<void>;
}

/** Hop-by-hop headers are the proxy's own business on each side. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function forwardedHeaders(headers: IncomingHttpHeaders, length: number): IncomingHttpHeaders {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
  return { ...kept, 'content-length': String(length) };
}

type Attempt =
  | { kind: 'answered'; status: number; headers: IncomingHttpHeaders; body: Buffer }
  | { kind: 'refused' }
  | { kind: 'lost'; reason: string };

function forward(origin: string, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) {
  return new Promise<Attempt>((resolve) => {
    let connected = false;
    const target = new URL(origin);
    const outgoing = request(
      { host: target.hostname, port: target.port, method, path, headers: forwardedHeaders(headers, body.length) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            kind: 'answered',
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', (error) => resolve({ kind: 'lost', reason: error.message }));
      },
    );
    outgoing.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      resolve(
        !connected && error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'lost', reason: error.message },
      ),
    );
    outgoing.end(body);
  });
}

/**
 * Starts the proxy on a free port of 127.0.0.1. Its URL exists before the receivers do (ICE is told it when they
 * start), so the upstreams are set afterwards.
 */
export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let upstreams: string[] = [];
  let next = 0;
  const counts = new Map<string, UpstreamCount>();
  const countOf = (origin: string): UpstreamCount => {
    let count = counts.get(origin);
    if (!count) {
      count = { answered: {}, refused: 0, lost: 0 };
      counts.set(origin, count);
    }
    return count;
  };

  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        // Each upstream at most once per request, starting with the next in turn.
        for (let tried = 0; tried < upstreams.length; tried++) {
          const origin = upstreams[next++ % upstreams.length];
          const attempt = await forward(origin, incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body);
          const count = countOf(origin);
          if (attempt.kind === 'refused') {
            count.refused++;
            continue;
          }
          if (attempt.kind === 'lost') {
            count.lost++;
            outgoing
              .writeHead(502, { 'content-type': 'text/plain' })
              .end(`upstream lost the request: ${attempt.reason}`);
            return;
          }
          count.answered[attempt.status] = (count.answered[attempt.status] ?? 0) + 1;
          const headers = Object.fromEntries(
            Object.entries(attempt.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
          );
          outgoing.writeHead(attempt.status, headers).end(attempt.body);
          return;
        }
        outgoing.writeHead(503, { 'content-type': 'text/plain' }).end('no upstream took the connection');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstreams: (urls) => {
      upstreams = urls.map((url) => new URL(url).origin);
    },
    counts: () =>
      new Map([...counts].map(([origin, count]) => [origin, { ...count, answered: { ...count.answered } }])),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
