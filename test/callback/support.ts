/** Shared helpers for the callback receiver tests: real HTTP, real signatures, a real fixture worker. */
import path from 'node:path';
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
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}
