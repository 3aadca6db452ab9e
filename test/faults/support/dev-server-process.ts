/**
 * The local stack's Temporal dev server (a child process on a persisted SQLite file) with a restart on the same
 * database and port, which the SDK's createLocal cannot do: the fault suite kills and restarts it, and the
 * benchmark measures a server whose memory and CPU are not shared with the test process.
 */
import { startTemporalDevServer, type TemporalDevServer } from '../../../src/local-stack/dev-server';
import { freePort } from '../../../src/local-stack/ports';

export { freePort };

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
  /** Server log; default `<dbFile>.log`. */
  logFile?: string;
}

export async function startDevServerProcess(options: DevServerOptions): Promise<DevServerProcess> {
  const port = await freePort();
  const namespace = options.namespace ?? 'default';
  let server: TemporalDevServer | undefined;
  const launch = async (): Promise<void> => {
    server = await startTemporalDevServer({
      cliPath: options.cliPath,
      port,
      dbFile: options.dbFile,
      logFile: options.logFile ?? `${options.dbFile}.log`,
      namespace,
      dynamicConfig: options.dynamicConfig,
    });
  };
  const stop = async (hard = false): Promise<void> => {
    await server?.stop(hard);
  };

  await launch();
  return {
    address: `127.0.0.1:${port}`,
    namespace,
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
}
