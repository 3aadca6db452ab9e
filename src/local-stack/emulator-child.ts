/**
 * Parent side of emulator-process.ts: fork it, wait for its URL, and hand back what a running emulator offers (URL,
 * admin API over HTTP) plus its pid, for CPU readings.
 */
import { EmulatorAdminClient, type RunningEmulator } from '../emulator';
import type { EmulatorSpec } from './emulator-process';
import { localStackEntry } from './child-script';
import { forkChild, type ForkOptions } from './forked-child';

export type { EmulatorSpec };

export interface EmulatorChild extends RunningEmulator {
  readonly pid: number;
}

export async function startEmulatorChild(spec: EmulatorSpec, options: ForkOptions = {}): Promise<EmulatorChild> {
  const credentials = spec.keyPairs[0];
  if (!credentials) throw new Error('startEmulatorChild: keyPairs must not be empty');
  const child = await forkChild<{ type: 'ready'; url: string; port: number }>(
    localStackEntry('emulator-process'),
    spec,
    options,
  );
  const { url, port } = child.ready;
  return {
    pid: child.pid,
    url,
    port,
    admin: new EmulatorAdminClient(url),
    credentials,
    close: () => child.shutdown(10_000),
  };
}
