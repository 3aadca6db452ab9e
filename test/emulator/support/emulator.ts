/**
 * The emulator tests' servers, all through the harness (test/support/harness.ts): an emulator with the test-side
 * wire client on it, and the harness's HTTP capture target standing in for a callback receiver.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StartEmulatorOptions } from '../../../src/emulator';
import { startTestEmulator, type HttpCapture, type IceHarness } from '../../support/harness';
import { wireClient, type WireClient } from './ice-wire';

/** A callback as the emulator posts it: ICE's envelope. */
export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: { EventType: string; UserId: number; EventTime: string; MessageBody: Record<string, string> };
}

/** A callback target's answer to its n-th request (1-based): an HTTP status, or 'hang' to never answer. */
export type CallbackAnswer = (attempt: number) => number | 'hang';

/** A capture target whose requests read as callbacks. */
export interface CallbackTarget extends HttpCapture {
  /** The callbacks received so far, oldest first. */
  callbacks(): ReceivedCallback[];
}

/** The emulator alone, with a wire client signing as its first key pair. */
export interface WiredEmulator extends IceHarness {
  readonly wire: WireClient;
  /** A capture target on ICE's usual callback path; it closes with the harness unless the test closes it first. */
  captureCallbacks(answer?: CallbackAnswer): Promise<CallbackTarget>;
}

export async function startWiredEmulator(options: StartEmulatorOptions = {}): Promise<WiredEmulator> {
  const harness = await startTestEmulator(options);
  return Object.assign(harness, {
    wire: wireClient(harness.emulator.url, harness.credentials),
    captureCallbacks: async (answer?: CallbackAnswer): Promise<CallbackTarget> => {
      const capture = await harness.captureHttp({ path: '/ice/callback', answer });
      return Object.assign(capture, {
        callbacks: () =>
          capture.requests.map((request) => ({
            headers: request.headers,
            body: JSON.parse(request.body.toString('utf8')) as ReceivedCallback['body'],
          })),
      });
    },
  });
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
