/**
 * Real Temporal servers for tests: the CLI's dev server and the Java time-skipping test server, with the
 * workflow's search attributes registered. Binaries come from TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH
 * (set by scripts/run-tests.mjs) or the same resolution the local stack uses.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { loadLocalToolsConfig } from '../../src/config';
import { resolveTemporalCli, resolveTemporalTestServer } from '../../src/local-stack/temporal-binaries';
import { createLogger } from '../../src/observability/logger';
import { freePort } from '../../src/local-stack/ports';
import { SEARCH_ATTRIBUTE_NAMES, searchAttributes } from '../../src/workflows/definitions';

export interface DevServerOptions {
  /** Register IceVoiceId/IceJobId/VoiceCloneStage (default true); false lets a test check the unregistered case. */
  searchAttributes?: boolean;
  /** Serve the Web UI on a free port (default false); read it back from `devServerUiUrl(env)`. */
  ui?: boolean;
  /** SQLite file to keep state in (default: in memory). */
  dbFilename?: string;
}

const logger = createLogger('test-temporal', 'info');
let cliPath: Promise<string | undefined> | undefined;
let testServerPath: Promise<string | undefined> | undefined;
const uiUrls = new WeakMap<TestWorkflowEnvironment, string>();

function executable(resolved: string | undefined): { type: 'existing-path'; path: string } | undefined {
  return resolved ? { type: 'existing-path', path: resolved } : undefined;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  cliPath ??= resolveTemporalCli(loadLocalToolsConfig(), logger);
  const cli = await cliPath;
  const uiPort = options.ui ? await freePort() : undefined;
  const env = await startOnceMore('dev server', () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: executable(cli),
        ip: '127.0.0.1',
        ...(uiPort ? { ui: true, uiPort } : {}),
        ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
        searchAttributes: options.searchAttributes === false ? [] : Object.values(searchAttributes),
      },
    }),
  );
  if (uiPort) uiUrls.set(env, `http://127.0.0.1:${uiPort}`);
  return env;
}

/** Base URL of the Web UI of a dev server started with `{ ui: true }`. */
export function devServerUiUrl(env: TestWorkflowEnvironment): string {
  const url = uiUrls.get(env);
  if (!url) throw new Error('this dev server was started without { ui: true }');
  return url;
}

export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  testServerPath ??= resolveTemporalTestServer(loadLocalToolsConfig(), logger);
  const path = await testServerPath;
  const env = await startOnceMore('time-skipping server', () =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executable(path) } }),
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
  return env;
}

/** Names of the custom search attributes the server knows, to assert registration. */
export async function registeredSearchAttributes(env: TestWorkflowEnvironment): Promise<Record<string, string>> {
  const response = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
  const names = temporal.api.enums.v1.IndexedValueType;
  return Object.fromEntries(
    Object.entries(response.customAttributes ?? {}).map(([name, type]) => [name, names[type] ?? String(type)]),
  );
}

/**
 * The SDK gives a server ~5 s to answer; on 2 busy cores a JVM or a fresh SQLite can miss that once. One retry,
 * logged, keeps a slow start from failing a test that is about something else; a real failure still surfaces.
 */
export async function startOnceMore<T>(what: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    logger.warn(`${what} did not start; retrying once`, { error: err instanceof Error ? err.message : String(err) });
    return start();
  }
}
