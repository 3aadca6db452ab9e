/**
 * An HTTP target that records every request and answers as the test says: the callback URL a forwarder posts to,
 * the receiver the emulator's event callback calls, a target that never answers.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the capture target received it, body and all. */
export interface CapturedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  /** Node's lower-cased header names. */
  headers: IncomingHttpHeaders;
  /** The whole body, as received. */
  body: Buffer;
}

/** Decides each answer: `attempt` is the request's 1-based number; an HTTP status, or 'hang' to never answer. */
export type CaptureAnswer = (attempt: number, request: CapturedRequest) => number | 'hang';

/** How a capture target answers. */
export interface HttpCaptureOptions {
  /** The path of `url` (every path is captured). Default `/`. */
  path?: string;
  /** Default: answer `status` (200 unless a test sets it). */
  answer?: CaptureAnswer;
  /**
   * Answer each request here once its body has been read (a handler mounted behind a body parser, a misbehaving
   * peer that answers by what it was asked); `answer` is not asked then.
   */
  respond?: (req: IncomingMessage, res: ServerResponse, request: CapturedRequest) => void;
}

/** A running capture target. */
export interface HttpCapture {
  /** `http://127.0.0.1:<port><path>`. */
  readonly url: string;
  /** Every request so far, in order of arrival. */
  readonly requests: CapturedRequest[];
  /** What the default answer returns; a test may change it between requests. */
  status: number;
  /** The n-th request (1-based), once it has arrived. */
  nth(n: number): Promise<CapturedRequest>;
  /** Stops listening and drops open connections, hung ones too. */
  close(): Promise<void>;
}

/** Starts a capture target on a free port of 127.0.0.1. */
export async function startHttpCapture(options: HttpCaptureOptions = {}): Promise<HttpCapture> {
  const requests: CapturedRequest[] = [];
  const waiters: { n: number; resolve: (request: CapturedRequest) => void }[] = [];
  const capture = {
    url: '',
    requests,
    status: 200,
    nth: (n: number) =>
      new Promise<CapturedRequest>((resolve) => {
        const arrived = requests[n - 1];
        if (arrived) resolve(arrived);
        else waiters.push({ n, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const answer: CaptureAnswer = options.answer ?? (() => capture.status);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      for (const waiter of waiters.filter((w) => w.n === requests.length)) waiter.resolve(request);
      if (options.respond) return options.respond(req, res, request);
      const status = answer(requests.length, request);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  capture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? '/'}`;
  return capture;
}
