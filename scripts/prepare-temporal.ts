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
} from '../src/local-stack/temporal-binaries';
import { createLogger } from '../src/observability/logger';

const logger = createLogger('prepare-temporal', 'info');

async function proveSdkDownload(kind: 'cli' | 'test-server'): Promise<void> {
  logger.info('trying the SDK download', { kind });
  try {
    const env =
      kind === 'cli' ? await TestWorkflowEnvironment.createLocal() : await TestWorkflowEnvironment.createTimeSkipping();
    await env.teardown();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(describeMissingTemporalBinary(kind, [`the SDK download failed: ${reason}`]));
  }
}

async function main(): Promise<void> {
  const tools = loadLocalToolsConfig();
  // One after the other: both builds are CPU-heavy and the machine has 2 cores.
  const cliPath = await resolveTemporalCli(tools, logger);
  if (!cliPath) await proveSdkDownload('cli');
  const testServerPath = await resolveTemporalTestServer(tools, logger);
  if (!testServerPath) await proveSdkDownload('test-server');
  process.stdout.write(JSON.stringify({ cliPath: cliPath ?? null, testServerPath: testServerPath ?? null }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`prepare-temporal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
