/**
 * A Temporal dev server run as our own child process on a persisted SQLite file, so that the fault suite can
 * kill it and start it again on the same database and port (the SDK's createLocal cannot restart), and so that
 * the benchmark measures a server whose memory and CPU are not shared with the test process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../../../src/workflows/definitions';

export interface DevServerProcess {
  /** host:port of the frontend gRPC service. */
  readonly address: string;
  readonly namespace: string;
  readonly dbFile: string;
  readonly pid: number | undefined;
  /** Stop the process (SIGTERM, or SIGKILL when `hard`) and wait for it to exit. */
  stop(hard?: boolean): Promise<void>;
  /** Start it again on the same port and database. */
  restart(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string;
  dbFile: string;
  namespace?: string;
  /** Extra `--dynamic-config-value` pairs, KEY=JSON. */
  dynamicConfig?: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForFrontend(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dev server exited with code ${child.exitCode} during start`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServerProcess(options: DevServerOptions): Promise<DevServerProcess> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--namespace',
    namespace,
    '--db-filename',
    options.dbFile,
    '--log-format',
    'json',
    '--log-level',
    'error',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    ...SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ...(options.dynamicConfig ?? []).flatMap((pair) => ['--dynamic-config-value', pair]),
  ];
  let child: ChildProcess | undefined;
  let stderrTail = '';

  const launch = async (): Promise<void> => {
    stderrTail = '';
    const spawned = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = spawned;
    // Never leave a server behind when the bench or test process ends abruptly.
    const killOnExit = (): void => {
      spawned.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    spawned.once('exit', () => process.off('exit', killOnExit));
    spawned.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-4_000);
    });
    try {
      await waitForFrontend(address, spawned, 60_000);
    } catch (error) {
      spawned.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${stderrTail}`);
    }
  };

  const stop = async (hard = false): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    address,
    namespace,
    dbFile: options.dbFile,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
