/**
 * The emulator tests' servers, all through the harness (test/support/harness.ts): an emulator with the test-side
 * wire client on it, and the harness's HTTP capture target standing in for a callback receiver.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StartEmulatorOptions } from '../../../src/emulator';
import { startTestEmulator, type HttpCapture, type IceHarness } from '../../support/harness';
import { wireClient, type WireClient } from './ice-wire';

/** The emulator alone, with a wire client signing as its first key pair. */
export interface WiredEmulator extends IceHarness {
  readonly wire: WireClient;
}

export async function startWiredEmulator(options: StartEmulatorOptions = {}): Promise<WiredEmulator> {
  const harness = await startTestEmulator(options);
  return Object.assign(harness, { wire: wireClient(harness.emulator.url, harness.credentials) });
}

/** Starts an emulator for `use` alone and closes it afterwards, whatever `use` did (a restart on a state file). */
export async function withWiredEmulator<T>(
  options: StartEmulatorOptions,
  use: (emulator: WiredEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startWiredEmulator(options);
  try {
    return await use(emulator);
  } finally {
    await emulator.close();
  }
}

/** A callback as the emulator posts it: ICE's envelope. */
export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: { EventType: string; UserId: number; EventTime: string; MessageBody: Record<string, string> };
}

/** A callback target's answer to its n-th request (1-based): an HTTP status, or 'hang' to never answer. */
export type CallbackAnswer = (attempt: number) => number | 'hang';

/** A capture target on ICE's usual callback path; it closes with the harness unless the test closes it first. */
export function captureCallbacks(harness: IceHarness, answer?: CallbackAnswer): Promise<HttpCapture> {
  return harness.captureHttp({ path: '/ice/callback', answer });
}

/** The callbacks a capture target has received so far, oldest first. */
export function callbacksIn(capture: HttpCapture): ReceivedCallback[] {
  return capture.requests.map((request) => ({
    headers: request.headers,
    body: JSON.parse(request.body.toString('utf8')) as ReceivedCallback['body'],
  }));
}
