/**
 * The ICE emulator in its own process, as ICE is another machine in production: in the bench process it shared one
 * event loop with the callback receiver and the clients, so that under the scale burst a callback's time in the
 * receiver included the emulator's work (and the reverse). Runs compiled on plain node, like the bench's workers.
 * The spec arrives in BENCH_EMULATOR_SPEC (it carries the key pair, which must not appear on a command line).
 *
 * Message to the parent: { type: 'ready', url, port }. Message from the parent: { type: 'shutdown' } closes and exits.
 */
import type { IceCredentials } from '../src/config';
import { startEmulator, type FaultConfig } from '../src/emulator';
import { closeOnParentRequest, readChildSpec, runChild } from './support/child-entry';

export interface EmulatorSpec {
  keyPairs: IceCredentials[];
  trainingMs: number;
  faults?: FaultConfig;
}

async function main(): Promise<void> {
  const spec = readChildSpec<EmulatorSpec>('BENCH_EMULATOR_SPEC');
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    keyPairs: spec.keyPairs,
    trainingMs: spec.trainingMs,
    faults: spec.faults ?? {},
  });
  closeOnParentRequest(() => emulator.close());
  process.send?.({ type: 'ready', url: emulator.url, port: emulator.port });
}

runChild('emulator-process', main);
