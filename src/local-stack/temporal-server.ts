/**
 * The Temporal server of a stack (stack.ts), chosen by the caller: the CLI's dev server as our own child process
 * (SQLite file, restartable on it: npm start, the fault suite, the bench), or one of the SDK's test servers
 * (test-servers.ts: the tests). Each is a starter, so that the stack never needs to know which one it runs on.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { loadLocalToolsConfig, type LocalToolsConfig } from '../config';
import type { Logger } from '../observability/logger';
import { startTemporalDevServer, type TemporalDevServer } from './dev-server';
import { concretePort, LocalStackError } from './ports';
import { startSdkDownloadedDevServer } from './sdk-dev-server';
import { resolveTemporalCli, TemporalBinaryUnavailableError } from './temporal-binaries';

/** What a stack needs of its Temporal server. */
export interface RunningTemporal {
  /** host:port of the gRPC frontend. */
  readonly address: string;
  readonly namespace: string;
  /** The Web UI, when the server serves one. */
  readonly uiUrl?: string;
  /** The server's process when it is ours (for CPU and memory readings). */
  readonly pid?: number;
  /** A client and a worker connection the server comes with (the SDK's test servers); else the stack makes its own. */
  readonly client?: Client;
  /** The worker connection that goes with `client`. */
  readonly nativeConnection?: NativeConnection;
  /** Stops the server (the stack calls it last). */
  stop(): Promise<void>;
}

/**
 * Starts a Temporal server when the stack calls it, so that the stack can own its stop; `devServerProcess`,
 * `sdkDevServer` and `timeSkippingServer` make one.
 */
export type TemporalStarter<T extends RunningTemporal> = (logger: Logger) => Promise<T>;

/** The CLI's dev server running as our child process. */
export interface DevServerProcess extends RunningTemporal {
  /** The SQLite file holding its state. */
  readonly dbFile: string;
  /** Stop the process (SIGTERM, or SIGKILL when `hard`) and wait for it to exit. */
  stop(hard?: boolean): Promise<void>;
  /** Start it again on the same port and database (workflows survive). */
  restart(): Promise<void>;
}

/** How to run the CLI's dev server as a child process. */
export interface DevServerProcessOptions {
  /** SQLite file; it survives restart() and, for npm start, the next run. */
  dbFile: string;
  /** The server's output (noisy, not for a terminal). Default `<dbFile>.log`. */
  logFile?: string;
  /** 0 or unset: a free port. */
  port?: number;
  /** Web UI port (0: a free one); unset: headless. */
  uiPort?: number;
  /** Default `default`. */
  namespace?: string;
  /** Extra `--dynamic-config-value` pairs, KEY=JSON. */
  dynamicConfig?: string[];
  /** Where TEMPORAL_CLI_PATH and the binary cache are read from; default the process's settings. */
  tools?: LocalToolsConfig;
  /**
   * npm start only: when no local CLI works (no Go, no `temporal` on PATH), the dev server the Temporal SDK
   * downloads itself, with lines for the person waiting. Such a server cannot be restarted.
   */
  sdkDownloadFallback?: { onProgress?: (line: string) => void };
  /** Lines while a first run builds the pinned CLI (every 15 s). */
  onProgress?: (line: string) => void;
}

/** The CLI's dev server as a child process of ours, restartable on its SQLite file and port. */
export function devServerProcess(options: DevServerProcessOptions): TemporalStarter<DevServerProcess> {
  return async (logger) => {
    const cli = await resolveCli(options, logger);
    const port = await concretePort(options.port ?? 0);
    const uiPort = options.uiPort === undefined ? undefined : await concretePort(options.uiPort);
    const namespace = options.namespace ?? 'default';
    if ('tried' in cli) {
      const sdkServer = await startSdkDownloadedDevServer(
        { port, uiPort, dbFile: options.dbFile, namespace },
        cli.tried,
        options.sdkDownloadFallback?.onProgress,
      );
      return {
        ...sdkServer,
        dbFile: options.dbFile,
        pid: undefined,
        stop: () => sdkServer.stop(),
        restart: () => {
          throw new LocalStackError('TemporalServerFailed', "the SDK's downloaded dev server cannot be restarted");
        },
      };
    }
    let server: TemporalDevServer | undefined;
    const launch = async (): Promise<void> => {
      server = await startTemporalDevServer({
        cliPath: cli.path,
        port,
        uiPort,
        dbFile: options.dbFile,
        logFile: options.logFile ?? `${options.dbFile}.log`,
        namespace,
        dynamicConfig: options.dynamicConfig,
        logger,
      });
    };
    const stop = async (hard = false): Promise<void> => {
      await server?.stop(hard);
    };
    await launch();
    return {
      address: `127.0.0.1:${port}`,
      namespace,
      uiUrl: server?.uiUrl,
      dbFile: options.dbFile,
      get pid() {
        return server?.pid;
      },
      stop,
      restart: async () => {
        await stop();
        await launch();
      },
    };
  };
}

/**
 * The pinned CLI (built once when Go is there) or a `temporal` on PATH. Without one: what was tried, for the SDK's
 * download when the caller allows it, else an error saying what to provide. A wrong TEMPORAL_CLI_PATH fails at once.
 */
async function resolveCli(
  options: DevServerProcessOptions,
  logger: Logger,
): Promise<{ path: string } | { tried: string[] }> {
  const tools = options.tools ?? loadLocalToolsConfig();
  const onProgress = options.onProgress ?? options.sdkDownloadFallback?.onProgress;
  try {
    const cliPath = await resolveTemporalCli(tools, logger, {
      allowSdkDownload: false,
      ...(onProgress && { onProgress }),
    });
    if (cliPath !== undefined) return { path: cliPath };
    if (options.sdkDownloadFallback) return { tried: [] };
    throw new LocalStackError('TemporalCliMissing', 'no Temporal CLI: set TEMPORAL_CLI_PATH or run `npm test` once');
  } catch (error) {
    if (error instanceof LocalStackError) throw error;
    if (error instanceof TemporalBinaryUnavailableError && error.localAttempts && options.sdkDownloadFallback)
      return { tried: error.localAttempts };
    throw new LocalStackError('TemporalCliMissing', error instanceof Error ? error.message : String(error));
  }
}
