/**
 * Parent side of bench/emulator-process.ts: fork it (compiled, plain node, IPC), wait for its URL, and hand back
 * what the bench uses of a running emulator (URL, admin API over HTTP) plus its pid for the CPU count.
 */
import { EmulatorAdminClient, type RunningEmulator } from '../../src/emulator';
import { forkChild } from '../../test/faults/support/forked-child';
import type { EmulatorSpec } from '../emulator-process';

export interface EmulatorChild extends RunningEmulator {
  readonly pid: number;
}

/** `cpuProfileDir`: write a V8 CPU profile of the emulator there when it exits (the bench's --profile-workers). */
export async function startEmulatorChild(
  spec: EmulatorSpec,
  options: { logFile: string; cpuProfileDir?: string },
): Promise<EmulatorChild> {
  const credentials = spec.keyPairs[0];
  if (!credentials) throw new Error('startEmulatorChild: keyPairs must not be empty');
  const child = await forkChild<{ type: 'ready'; url: string; port: number }>(
    'emulator-process',
    { variable: 'BENCH_EMULATOR_SPEC', value: spec },
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
