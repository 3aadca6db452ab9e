/** Shared helpers for the callback receiver tests: real HTTP, real signatures, a real fixture worker. */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { EMULATOR_DEV_CREDENTIALS, loadCallbackReceiverConfig, type CallbackReceiverConfig } from '../../src/config';
import { createIceClient } from '../../src/ice';
import type { IceClient } from '../../src/ice/types';
import { EMULATOR_VOICE_JOB_EVENT_TYPE, type IceCallbackEnvelope } from '../../src/ice/types';
import { createLogger, type Logger } from '../../src/observability/logger';
import { signIceCallback } from '../../src/callback/signature';
import { freePort } from '../../src/local-stack/ports';
export { freePort };
import { getWorkflowBundle } from '../support/bundle';

export const FIXTURE_WORKFLOWS = path.resolve(__dirname, 'fixtures/workflows.ts');
export const PUBLIC_URL = 'https://callbacks.example.com/ice/callback';
export const OLD_KEY = 'OldKey2024a';
export const NEW_KEY = 'NewKey2025b';

/** The receiver's own defaults (from the config module) with the tests' URL, keys and port. */
export function receiverConfig(overrides: Partial<CallbackReceiverConfig> = {}): CallbackReceiverConfig {
  return {
    ...loadCallbackReceiverConfig({
      ICE_CALLBACK_HOST: '127.0.0.1',
      ICE_CALLBACK_PORT: '0',
      ICE_CALLBACK_URL: PUBLIC_URL,
      ICE_CALLBACK_AUTH_KEYS: `${OLD_KEY},${NEW_KEY}`,
      // The most ICE's 3 s allow: tests share two cores with other test files.
      ICE_CALLBACK_TEMPORAL_TIMEOUT_MS: '2900',
    }),
    ...overrides,
  };
}

/** A real ICE client pointed at a closed port: a test that reaches ICE gets `ice_unavailable` (503) at once. */
export async function unreachableIce(): Promise<IceClient> {
  return createIceClient({
    region: 'cn-shanghai',
    endpoint: `http://127.0.0.1:${await freePort()}`,
    connectTimeoutMs: 200,
    readTimeoutMs: 200,
    credentials: EMULATOR_DEV_CREDENTIALS,
  });
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function signedHeaders(key: string, timestamp = nowSeconds(), url = PUBLIC_URL): Record<string, string> {
  return { 'X-ICE-TIMESTAMP': String(timestamp), 'X-ICE-SIGNATURE': signIceCallback(url, timestamp, key) };
}

/** Two minutes ahead (inside the receiver's window): timestamps no test signs with the current time. */
let nextUniqueTimestamp = nowSeconds() + 120;

/**
 * Headers with a timestamp no other call in this process signs with: a separate callback, never taken for ICE's
 * retry of an earlier one (the same signature with the same body is answered from the receiver's memory).
 */
export function uniquelySignedHeaders(key: string = NEW_KEY): Record<string, string> {
  return signedHeaders(key, nextUniqueTimestamp++);
}

export function voiceJobEvent(
  messageBody: IceCallbackEnvelope['MessageBody'],
  eventType = EMULATOR_VOICE_JOB_EVENT_TYPE,
): IceCallbackEnvelope {
  return {
    EventType: eventType,
    UserId: 1234567890123456,
    EventTime: new Date().toISOString(),
    MessageBody: messageBody,
  };
}

export interface CallbackAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function postCallback(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  contentType = 'application/json',
): Promise<CallbackAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A POST of exactly these bytes with exactly these headers (no Content-Type unless given), over node:http. */
export function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<CallbackAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP endpoint standing for the team's other callback consumer: it keeps what it gets, answers `status`. */
export interface CaptureTarget {
  url: string;
  requests: ReceivedRequest[];
  /** The answer to the next requests (default 200). */
  status: number;
  /** Resolves with the `n`-th request (1-based) once it has arrived. */
  nth(n: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export async function startCaptureTarget(path = '/old/ice-events'): Promise<CaptureTarget> {
  const waiters: { n: number; resolve: (request: ReceivedRequest) => void }[] = [];
  const target: CaptureTarget = {
    url: '',
    requests: [],
    status: 200,
    nth: (n) =>
      new Promise((resolve) => {
        const arrived = target.requests[n - 1];
        if (arrived) resolve(arrived);
        else waiters.push({ n, resolve });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      target.requests.push(request);
      for (const waiter of waiters.filter((w) => w.n === target.requests.length)) waiter.resolve(request);
      res.writeHead(target.status, { 'content-type': 'text/plain' }).end(String(target.status));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return target;
}

/**
 * Posts like ICE does: a delivery counts only for 200; otherwise two retries of the same request 1 s apart.
 * Returns every answer, the last one being the outcome.
 */
export async function postLikeIce(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<CallbackAnswer[]> {
  const answers: CallbackAnswer[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answer = await postCallback(url, body, headers);
    answers.push(answer);
    if (answer.status === 200) break;
  }
  return answers;
}

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

export interface CountingTemporalClient {
  client: Client;
  connection: Connection;
  /** The path of every RPC sent, e.g. `/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution`. */
  rpcs: string[];
}

/**
 * A real Temporal client whose connection counts every RPC it sends (a gRPC interceptor that only counts), so that a
 * test sees whether the receiver called Temporal. Connected before it is returned, so that the connection's own
 * first call is not counted as the receiver's.
 */
export async function countingTemporalClient(address: string): Promise<CountingTemporalClient> {
  const rpcs: string[] = [];
  const count: GrpcInterceptor = (options, nextCall) => {
    rpcs.push(options.method_definition.path);
    // grpc-js chains whatever an interceptor returns as the next call, so the next call itself does.
    return nextCall(options) as ReturnType<GrpcInterceptor>;
  };
  const connection = Connection.lazy({ address, interceptors: [count] });
  await connection.ensureConnected();
  rpcs.length = 0;
  return { client: new Client({ connection }), connection, rpcs };
}

/** A logger that keeps every line, to assert what was (and was not) logged. */
export function capturingLogger(component = 'callback-test'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger(component, 'debug', (line) => lines.push(line)), lines };
}

export async function createFixtureWorker(connection: NativeConnection, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection,
    taskQueue,
    workflowBundle: await getWorkflowBundle(FIXTURE_WORKFLOWS),
  });
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}
