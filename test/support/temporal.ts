/**
 * Real Temporal servers for tests, started through the local stack's starters (src/local-stack/test-servers.ts):
 * the CLI's dev server and the Java time-skipping test server, with the workflow's search attributes registered.
 * Binaries come from TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH (set by scripts/run-tests.mjs) or the same
 * resolution the local stack uses, resolved once per test process.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { loadLocalToolsConfig } from '../../src/config';
import { resolveTemporalCli, resolveTemporalTestServer } from '../../src/local-stack/temporal-binaries';
import {
  sdkDevServer,
  startOnceMore as startOnceMoreLogged,
  timeSkippingServer,
  type SdkDevServerOptions,
  type SdkTestServer,
} from '../../src/local-stack/test-servers';
import type { TemporalStarter } from '../../src/local-stack/temporal-server';
import { createLogger } from '../../src/observability/logger';

export type DevServerOptions = Pick<
  SdkDevServerOptions,
  'searchAttributes' | 'ui' | 'dbFilename' | 'port' | 'dynamicConfig'
>;

const testServerLogger = createLogger('test-temporal', 'info');
let cliPath: Promise<string | undefined> | undefined;
let testServerPath: Promise<string | undefined> | undefined;
const uiUrls = new WeakMap<TestWorkflowEnvironment, string>();

/** The dev server starter for a stack (test/workflow/support.ts), with the CLI resolved once per process. */
export function devServerStarter(options: DevServerOptions = {}): TemporalStarter<SdkTestServer> {
  // The test logger, not the stack's (silent): a retried start is worth a line in the test output.
  return async () => {
    cliPath ??= resolveTemporalCli(loadLocalToolsConfig(), testServerLogger);
    const server = await sdkDevServer({ ...options, cliPath: await cliPath })(testServerLogger);
    if (server.uiUrl) uiUrls.set(server.env, server.uiUrl);
    // Stopped once: a test that stops the server itself (an outage) leaves the harness's close nothing to redo.
    let stopped: Promise<void> | undefined;
    return { ...server, stop: () => (stopped ??= server.stop()) };
  };
}

/** The time-skipping server starter for a stack, with the test server resolved once per process. */
export function timeSkippingStarter(): TemporalStarter<SdkTestServer> {
  return async () => {
    testServerPath ??= resolveTemporalTestServer(loadLocalToolsConfig(), testServerLogger);
    return timeSkippingServer({ testServerPath: await testServerPath })(testServerLogger);
  };
}

export async function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  return (await devServerStarter(options)(testServerLogger)).env;
}

/** Base URL of the Web UI of a dev server started with `{ ui: true }`. */
export function devServerUiUrl(env: TestWorkflowEnvironment): string {
  const url = uiUrls.get(env);
  if (!url) throw new Error('this dev server was started without { ui: true }');
  return url;
}

export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return (await timeSkippingStarter()(testServerLogger)).env;
}

/** Names of the custom search attributes the server knows, to assert registration. */
export async function registeredSearchAttributes(env: TestWorkflowEnvironment): Promise<Record<string, string>> {
  const response = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
  const names = temporal.api.enums.v1.IndexedValueType;
  return Object.fromEntries(
    Object.entries(response.customAttributes ?? {}).map(([name, type]) => [name, names[type] ?? String(type)]),
  );
}

/** One retry of a slow server start, logged (see src/local-stack/test-servers.ts). */
export function startOnceMore<T>(what: string, start: () => Promise<T>): Promise<T> {
  return startOnceMoreLogged(what, start, testServerLogger);
}
