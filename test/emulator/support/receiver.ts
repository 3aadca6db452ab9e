/** A tiny local HTTP receiver for callbacks: records every request and answers as the test decides. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  headers: http.IncomingHttpHeaders;
  body: { EventType: string; UserId: number; EventTime: string; MessageBody: Record<string, string> };
}

/** Return an HTTP status, or 'hang' to never answer. */
export type ReceiverBehaviour = (attempt: number, callback: ReceivedCallback) => number | 'hang';

export interface TestReceiver {
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}

export async function startReceiver(behaviour: ReceiverBehaviour = () => 200): Promise<TestReceiver> {
  const received: ReceivedCallback[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const callback: ReceivedCallback = {
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedCallback['body'],
      };
      received.push(callback);
      const answer = behaviour(received.length, callback);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ice/callback`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
