/**
 * The Temporal SDK's test servers as stack starters (temporal-server.ts): the CLI's dev server run by the SDK
 * (in memory unless given a file) and the Java time-skipping test server, with the clone's search attributes
 * registered. Binaries from TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH or the local stack's own resolution.
 * `@temporalio/testing` (an optional peer dependency) is loaded only here, when a starter runs.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { loadLocalToolsConfig, type LocalToolsConfig } from '../config';
import type { Logger } from '../observability/logger';
import { batchSearchAttributes, SEARCH_ATTRIBUTE_NAMES, searchAttributes } from '../workflows/definitions';
import { WORKER_DEPLOYMENT_FLAGS } from './dev-server';
import { freePort } from './ports';
import { resolveTemporalCli, resolveTemporalTestServer } from './temporal-binaries';
import type { RunningTemporal, TemporalStarter } from './temporal-server';

/** A server started through `@temporalio/testing`'s `TestWorkflowEnvironment`, with the environment's client. */
export interface SdkTestServer extends RunningTemporal {
  /** The SDK's environment: its client skips time while awaiting results on the time-skipping server. */
  readonly env: TestWorkflowEnvironment;
}

/** How to start the CLI's dev server through the SDK's test environment. */
export interface SdkDevServerOptions {
  /** Register IceVoiceId/IceJobId/VoiceCloneStage (default true); false lets a test check the unregistered case. */
  searchAttributes?: boolean;
  /** Serve the Web UI on a free port (default false). */
  ui?: boolean;
  /** SQLite file to keep state in (default: in memory). */
  dbFilename?: string;
  /** gRPC port (default: a free one); with dbFilename, a restart of the same server. */
  port?: number;
  /** A resolved CLI path (tests resolve once per process); default: resolved here. */
  cliPath?: string;
  /** Where TEMPORAL_CLI_PATH and the binary cache are read from; default the process's settings. */
  tools?: LocalToolsConfig;
  /** Extra `--dynamic-config-value` pairs, KEY=JSON (e.g. `matching.enableFairness=true`). */
  dynamicConfig?: string[];
}

function executable(resolved: string | undefined): { type: 'existing-path'; path: string } | undefined {
  return resolved ? { type: 'existing-path', path: resolved } : undefined;
}

function asRunning(env: TestWorkflowEnvironment, uiUrl?: string): SdkTestServer {
  return {
    address: env.address,
    namespace: env.namespace ?? 'default',
    uiUrl,
    client: env.client,
    nativeConnection: env.nativeConnection,
    env,
    stop: () => env.teardown(),
  };
}

/**
 * The SDK gives a server ~5 s to answer; on 2 busy cores a JVM or a fresh SQLite can miss that once. One retry,
 * logged, keeps a slow start from failing a test that is about something else; a real failure still surfaces.
 */
export async function startOnceMore<T>(what: string, start: () => Promise<T>, logger?: Logger): Promise<T> {
  try {
    return await start();
  } catch (err) {
    logger?.warn(`${what} did not start; retrying once`, { error: err instanceof Error ? err.message : String(err) });
    return start();
  }
}

/**
 * A starter for the CLI's dev server via the SDK (in memory unless `dbFilename`), with the package's search
 * attributes registered. Throws `TemporalBinaryUnavailableError` when no CLI can be found or built.
 */
export function sdkDevServer(options: SdkDevServerOptions = {}): TemporalStarter<SdkTestServer> {
  return async (logger) => {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const cli = options.cliPath ?? (await resolveTemporalCli(options.tools ?? loadLocalToolsConfig(), logger));
    const uiPort = options.ui ? await freePort() : undefined;
    const env = await startOnceMore(
      'dev server',
      () =>
        TestWorkflowEnvironment.createLocal({
          server: {
            executable: executable(cli),
            ip: '127.0.0.1',
            ...(options.port ? { port: options.port } : {}),
            ...(uiPort ? { ui: true, uiPort } : {}),
            ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
            extraArgs: [...WORKER_DEPLOYMENT_FLAGS, ...(options.dynamicConfig ?? [])].flatMap((pair) => [
              '--dynamic-config-value',
              pair,
            ]),
            searchAttributes:
              options.searchAttributes === false
                ? []
                : [...Object.values(searchAttributes), ...Object.values(batchSearchAttributes)],
          },
        }),
      logger,
    );
    return asRunning(env, uiPort ? `http://127.0.0.1:${uiPort}` : undefined);
  };
}

/** How to start the SDK's time-skipping test server. */
export interface TimeSkippingServerOptions {
  /** A resolved test-server path (tests resolve once per process); default: resolved here. */
  testServerPath?: string;
  /** Where the binary cache is read from; default the process's settings. */
  tools?: LocalToolsConfig;
}

/**
 * A starter for the SDK's time-skipping test server (Java), with the package's search attributes registered: its
 * client skips time while awaiting a result, so hours of timers pass at once.
 */
export function timeSkippingServer(options: TimeSkippingServerOptions = {}): TemporalStarter<SdkTestServer> {
  return async (logger) => {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const serverPath =
      options.testServerPath ?? (await resolveTemporalTestServer(options.tools ?? loadLocalToolsConfig(), logger));
    const env = await startOnceMore(
      'time-skipping server',
      () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executable(serverPath) } }),
      logger,
    );
    try {
      // createTimeSkipping has no searchAttributes option: register them like an operator would.
      const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      await env.connection.operatorService.addSearchAttributes({
        namespace: env.namespace ?? 'default',
        searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((name) => [name, keyword])),
      });
    } catch (err) {
      await env.teardown();
      throw err;
    }
    return asRunning(env);
  };
}
