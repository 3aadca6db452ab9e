/**
 * Resolves (builds or fetches if needed) both Temporal servers before any test runs, so that a missing binary
 * fails once with a clear message instead of in every test file. Prints {"cliPath","testServerPath"} on stdout;
 * a null path means "the SDK downloads it", which was proven to work here by starting that server once.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadLocalToolsConfig } from '../src/config';
import {
  describeMissingTemporalBinary,
  resolveTemporalCli,
  resolveTemporalTestServer,
  TemporalBinaryUnavailableError,
} from '../src/local-stack/temporal-binaries';
import type { LocalToolsConfig } from '../src/config';
import { createLogger } from '../src/observability/logger';

const logger = createLogger('prepare-temporal', 'info');

type Kind = 'cli' | 'test-server';

/** A local binary, or null after proving that the SDK's own download works on this machine. */
async function obtain(kind: Kind, tools: LocalToolsConfig): Promise<string | null> {
  const resolve = kind === 'cli' ? resolveTemporalCli : resolveTemporalTestServer;
  try {
    return (await resolve(tools, logger, { allowSdkDownload: false })) ?? null;
  } catch (err) {
    if (!(err instanceof TemporalBinaryUnavailableError) || !err.localAttempts) throw err;
    await proveSdkDownload(kind, err.localAttempts);
    return null;
  }
}

async function proveSdkDownload(kind: Kind, localAttempts: string[]): Promise<void> {
  logger.info('trying the SDK download', { kind });
  try {
    const env =
      kind === 'cli' ? await TestWorkflowEnvironment.createLocal() : await TestWorkflowEnvironment.createTimeSkipping();
    await env.teardown();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(describeMissingTemporalBinary(kind, [...localAttempts, `the SDK download failed: ${reason}`]));
  }
}

async function main(): Promise<void> {
  const tools = loadLocalToolsConfig();
  // One after the other: both builds are CPU-heavy and the machine has 2 cores.
  const cliPath = await obtain('cli', tools);
  const testServerPath = await obtain('test-server', tools);
  process.stdout.write(JSON.stringify({ cliPath, testServerPath }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`prepare-temporal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
