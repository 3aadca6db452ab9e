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

export interface EmulatorSpec {
  keyPairs: IceCredentials[];
  trainingMs: number;
  faults?: FaultConfig;
}

async function main(): Promise<void> {
  const raw = process.env.BENCH_EMULATOR_SPEC;
  if (!raw) throw new Error('BENCH_EMULATOR_SPEC is not set');
  const spec = JSON.parse(raw) as EmulatorSpec;
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    keyPairs: spec.keyPairs,
    trainingMs: spec.trainingMs,
    faults: spec.faults ?? {},
  });
  const stop = (): void => {
    void emulator.close().finally(() => process.exit(0));
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'shutdown') stop();
  });
  process.on('SIGTERM', stop);
  // The parent is gone (killed, crashed): an emulator left behind would hold its port and keep firing callbacks.
  process.on('disconnect', stop);
  process.send?.({ type: 'ready', url: emulator.url, port: emulator.port });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `emulator-process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
