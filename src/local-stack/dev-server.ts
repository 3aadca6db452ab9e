/**
 * The Temporal dev server (`temporal server start-dev`) as a child process of the local stack: SQLite file under
 * the data folder (a restart keeps workflows), the Web UI on its own port, the clone's search attributes
 * registered at start. It runs in its own process group so that Ctrl-C reaches us first and we stop the worker
 * before the server; `stop()` waits for it to exit, and a last-resort exit hook kills it if we die abruptly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { silentLogger, type Logger } from '../observability/logger';
import { SEARCH_ATTRIBUTE_NAMES } from '../workflows/definitions';
import { LocalStackError } from './ports';

export interface TemporalDevServerOptions {
  cliPath: string;
  host?: string;
  port: number;
  /** Web UI port; undefined runs the server headless. */
  uiPort?: number;
  dbFile: string;
  /** Server output goes here (it is noisy and not for the terminal). */
  logFile: string;
  namespace?: string;
  /** Extra `--dynamic-config-value` pairs, KEY=JSON. */
  dynamicConfig?: string[];
  readyTimeoutMs?: number;
  logger?: Logger;
}

export interface TemporalDevServer {
  /** host:port of the gRPC frontend. */
  address: string;
  namespace: string;
  /** http://localhost:<uiPort>; undefined when headless. */
  uiUrl?: string;
  pid: number;
  /** SIGTERM (SIGKILL when `hard`, or after a grace period) and wait for the exit. */
  stop(hard?: boolean): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const UPDATE_FLAGS = ['frontend.enableUpdateWorkflowExecution=true', 'frontend.enableExecuteMultiOperation=true'];
/**
 * Worker Versioning (deployment versions, versioned pollers): on by default in the pinned CLI's server (1.29), said
 * explicitly for an older `temporal` on PATH (docs/deploys.md#the-server).
 */
export const WORKER_DEPLOYMENT_FLAGS = [
  'system.enableDeploymentVersions=true',
  'frontend.workerVersioningWorkflowAPIs=true',
];

export function devServerArgs(options: TemporalDevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.host ?? '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    '--db-filename',
    options.dbFile,
    // SQLite's default rollback journal syncs the disk on every commit; a burst of signals then queues behind the
    // disk (measured: seconds per signal in the bench's scale run). WAL with synchronous=NORMAL survives a crash of
    // the server process (the fault suite kills it); only an OS crash can lose the last commits of a dev database.
    ...['journal_mode=wal', 'synchronous=normal'].flatMap((pragma) => ['--sqlite-pragma', pragma]),
    '--namespace',
    options.namespace ?? 'default',
    ...SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    '--log-level',
    'warn',
    // The recording session answers through Workflow Updates and Update-with-Start: on by default in the pinned
    // CLI's server (1.29), said explicitly for an older `temporal` found on PATH.
    ...UPDATE_FLAGS.flatMap((pair) => ['--dynamic-config-value', pair]),
    ...WORKER_DEPLOYMENT_FLAGS.flatMap((pair) => ['--dynamic-config-value', pair]),
    ...(options.dynamicConfig ?? []).flatMap((pair) => ['--dynamic-config-value', pair]),
  ];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function logTail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return lines.slice(-3).join(' | ').slice(0, 600);
  } catch {
    return '';
  }
}

async function waitForFrontend(address: string, child: ChildProcess, options: TemporalDevServerOptions): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalStackError(
        'TemporalServerFailed',
        `Temporal dev server exited during start (${child.exitCode ?? child.signalCode}); see ${options.logFile}: ${logTail(options.logFile)}`,
      );
    }
    // lazy + close in finally: Connection.connect leaves the channel of a failed attempt open, retrying.
    const connection = Connection.lazy({ address, connectTimeout: 1_000 });
    try {
      await connection.ensureConnected();
      await connection.workflowService.getSystemInfo({});
      return;
    } catch {
      // not serving yet
    } finally {
      await connection.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new LocalStackError(
    'TemporalServerFailed',
    `Temporal dev server at ${address} not ready in time; see ${options.logFile}`,
  );
}

/** Starts the CLI at most this often when it loses a port it chose itself (see startTemporalDevServer). */
const LAUNCHES_FOR_A_PORT_THE_CLI_CHOSE = 3;

function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The port in a Go "listen tcp HOST:PORT: bind: address already in use" error in the server's log, if any. */
export function portTakenAtStart(logText: string): number | undefined {
  const match = /listen tcp \S*?:(\d+): bind: address already in use/.exec(logText);
  return match ? Number(match[1]) : undefined;
}

function logSince(file: string, from: number): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Starts the dev server and waits for its frontend. The CLI picks its HTTP API port itself (a free port it
 * releases and binds again later), so another process can take that port in between: seen once in the bench, on
 * a busy machine. Such a start is tried again; a port the caller chose that is taken fails at once.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const logger = options.logger ?? silentLogger;
  for (let launch = 1; ; launch++) {
    const logStart = logSize(options.logFile);
    try {
      return await launchTemporalDevServer(options);
    } catch (error) {
      const port = portTakenAtStart(logSince(options.logFile, logStart));
      const choseItself = port !== undefined && port !== options.port && port !== options.uiPort;
      if (!choseItself || launch >= LAUNCHES_FOR_A_PORT_THE_CLI_CHOSE) throw error;
      logger.warn('Temporal dev server lost a port it chose itself to another process; starting it again', {
        port,
        launch,
      });
    }
  }
}

async function launchTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const address = `${host}:${options.port}`;
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.cliPath, devServerArgs(options), { stdio: ['ignore', logFd, logFd], detached: true });
  } finally {
    closeSync(logFd);
  }
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new LocalStackError('TemporalServerFailed', `cannot run ${options.cliPath}: ${error.message}`)),
    ),
  );
  spawnError.catch(() => undefined); // only the race below cares
  const stop = async (hard = false): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(hard ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited(child);
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    logger.info('Temporal dev server stopped', { pid: child.pid });
  };
  try {
    await Promise.race([waitForFrontend(address, child, options), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info('Temporal dev server ready', { address, uiPort: options.uiPort, pid: child.pid, dbFile: options.dbFile });
  return {
    address,
    namespace: options.namespace ?? 'default',
    uiUrl: options.uiPort === undefined ? undefined : `http://localhost:${options.uiPort}`,
    pid: child.pid ?? -1,
    stop,
  };
}
