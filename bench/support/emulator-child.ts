/**
 * Parent side of bench/emulator-process.ts: fork it (compiled, plain node, IPC), wait for its URL, and hand back
 * what the bench uses of a running emulator (URL, admin API over HTTP) plus its pid for the CPU count.
 */
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { EmulatorAdminClient, type RunningEmulator } from '../../src/emulator';
import { compiledScript } from '../../test/faults/support/compiled-script';
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
  const child = fork(await compiledScript('emulator-process'), [], {
    execArgv: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    env: { ...process.env, BENCH_EMULATOR_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => process.off('exit', killOnExit));
  const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    child.once('message', (message: { type?: string; url?: string; port?: number }) => {
      if (message.type === 'ready' && message.url && message.port) resolve({ url: message.url, port: message.port });
      else reject(new Error(`emulator process sent ${JSON.stringify(message)} before ready`));
    });
    void exited.then((code) =>
      reject(new Error(`emulator process exited (${code}) before ready; see ${options.logFile}`)),
    );
  });
  return {
    pid: child.pid ?? 0,
    url,
    port,
    admin: new EmulatorAdminClient(url),
    credentials,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
