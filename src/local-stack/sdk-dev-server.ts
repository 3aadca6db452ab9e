/**
 * The last resort of the local stack: the dev server that the Temporal SDK downloads itself, for a machine with
 * internet but neither Go (to build the pinned CLI) nor a `temporal` binary. `@temporalio/testing` is loaded only
 * here, so that the package needs it only on that path.
 */
import { SEARCH_ATTRIBUTE_NAMES } from '../workflows/definitions';
import type { TemporalDevServer } from './dev-server';
import { LocalStackError } from './ports';

export interface SdkDevServerOptions {
  host?: string;
  port: number;
  uiPort?: number;
  dbFile: string;
  namespace?: string;
}

/** What to provide when the download is not possible either; the caller adds what it tried. */
const WHAT_TO_INSTALL =
  'install Go >= 1.25 (the CLI is then built once from tools/temporal-cli), put a `temporal` binary on PATH, ' +
  'or set TEMPORAL_CLI_PATH';

export async function startSdkDownloadedDevServer(
  options: SdkDevServerOptions,
  tried: string[],
  onProgress?: (line: string) => void,
): Promise<TemporalDevServer> {
  const namespace = options.namespace ?? 'default';
  onProgress?.(`No local Temporal CLI (${tried.join('; ')}): downloading the dev server through the Temporal SDK…`);
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new LocalStackError(
      'TemporalCliMissing',
      `no Temporal CLI, and @temporalio/testing (the SDK's download) is not installed. Tried: ${tried.join('; ')}. ` +
        `Fix: ${WHAT_TO_INSTALL}, or npm install @temporalio/testing.`,
    );
  }
  try {
    const env = await testing.TestWorkflowEnvironment.createLocal({
      server: {
        ip: options.host ?? '127.0.0.1',
        port: options.port,
        ...(options.uiPort === undefined ? {} : { ui: true, uiPort: options.uiPort }),
        dbFilename: options.dbFile,
        namespace,
        searchAttributes: SEARCH_ATTRIBUTE_NAMES.map((name) => ({ name, type: 'KEYWORD' as const })),
      },
    });
    return {
      address: `${options.host ?? '127.0.0.1'}:${options.port}`,
      namespace,
      uiUrl: options.uiPort === undefined ? undefined : `http://localhost:${options.uiPort}`,
      pid: -1, // the SDK owns the process
      stop: () => env.teardown(),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LocalStackError(
      'TemporalCliMissing',
      `no Temporal CLI, and the SDK's download of the dev server failed (${reason}). Tried: ${tried.join('; ')}. ` +
        `Fix: ${WHAT_TO_INSTALL}.`,
    );
  }
}
