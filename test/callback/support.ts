/**
 * Shared helpers for the callback receiver tests: real HTTP, real signatures, the fixture workflows' worker and the
 * counting stand on the harness (test/support/harness.ts, which starts their servers).
 */
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { RunningCallbackReceiver } from '../../src/callback/server';
import { EMULATOR_DEV_CREDENTIALS, loadCallbackReceiverConfig, type CallbackReceiverConfig } from '../../src/config';
import { emulatorIceClient, type StartEmulatorOptions } from '../../src/emulator';
import { createIceClient } from '../../src/ice';
import type { IceClient } from '../../src/ice/types';
import { EMULATOR_VOICE_JOB_EVENT_TYPE, type IceCallbackEnvelope } from '../../src/ice/types';
import { createLogger, silentLogger, type Logger } from '../../src/observability/logger';
import { signIceCallback } from '../../src/callback/signature';
import { freePort } from '../../src/local-stack/ports';
import { startVoiceClone, type VoiceCloneHandle } from '../../src/client/start-voice-clone';
import type { VoiceCloneTiming } from '../../src/workflows/definitions';
import { startTestHarness, type TestHarness } from '../support/harness';
import { recordings } from '../workflow/support';
export { freePort };

export const FIXTURE_WORKFLOWS = path.resolve(__dirname, 'fixtures/workflows.ts');
/** The harness worker option for a worker of the fixture workflows on the harness's task queue. */
export const FIXTURE_WORKER = { workflowsPath: FIXTURE_WORKFLOWS } as const;
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

/** The RPC a signal is, as the counting client records it. */
export const SIGNAL_RPC = '/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution';

/**
 * What the tests that count a callback's cost stand on: the harness's dev server and emulator, an ICE client with
 * the receiver tests' 2-s timeout, and a Temporal client that counts its RPCs. Receivers close with the harness.
 */
export interface CountingStand {
  readonly h: TestHarness;
  readonly ice: IceClient;
  readonly temporal: CountingTemporalClient;
  /** A receiver on the counting client and `ice`, with the tests' config changed by `overrides`. */
  startReceiver(overrides?: Partial<CallbackReceiverConfig>, logger?: Logger): Promise<RunningCallbackReceiver>;
  /** An open clone without a worker: a signal lands in its history whether or not anything runs it. */
  openClone(workflowId: string): Promise<string>;
  signalsIn(workflowId: string): Promise<number>;
  /** ICE calls (by action) and Temporal RPCs made while `run` ran. */
  costOf(run: () => Promise<unknown>): Promise<{ ice: string[]; temporal: string[] }>;
}

export async function startCountingStand(name: string, emulator?: StartEmulatorOptions): Promise<CountingStand> {
  const h = await startTestHarness({ name, emulator });
  try {
    const ice = emulatorIceClient(h.emulator, 2_000);
    const temporal = await countingTemporalClient(h.temporal.address);
    h.onClose(() => temporal.connection.close());
    const calls = async () => (await h.emulator.admin.calls()).map((call) => call.action);
    return {
      h,
      ice,
      temporal,
      startReceiver: (overrides = {}, logger = silentLogger) =>
        h.startCallbackReceiver({ config: receiverConfig(overrides), client: temporal.client, ice, logger }),
      openClone: async (workflowId) => {
        await h.client.workflow.start('callbackRecorderWorkflow', { taskQueue: 'no-worker-needed', workflowId });
        return workflowId;
      },
      signalsIn: async (workflowId) => {
        const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
        return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
      },
      costOf: async (run) => {
        const [iceBefore, rpcsBefore] = [(await calls()).length, temporal.rpcs.length];
        await run();
        return { ice: (await calls()).slice(iceBefore), temporal: temporal.rpcs.slice(rpcsBefore) };
      },
    };
  } catch (error) {
    await h.close();
    throw error;
  }
}

/** Clone timings far beyond a test's life: only the callback can end the wait. */
export const CALLBACK_ONLY_TIMING = {
  callbackTimeout: '1 hour',
  pollInterval: '5 minutes',
  maxPollInterval: '10 minutes',
  trainingTimeout: '2 hours',
} as const satisfies VoiceCloneTiming;

/** A clone of `voiceId` with `count` recordings on the harness's worker. */
export function startCloneOn(
  h: TestHarness,
  voiceId: string,
  count: number,
  timing: VoiceCloneTiming = CALLBACK_ONLY_TIMING,
): Promise<VoiceCloneHandle> {
  return startVoiceClone(
    h.client,
    { voiceId, recordings: recordings(voiceId, count), timing },
    { taskQueue: h.taskQueue },
  );
}
