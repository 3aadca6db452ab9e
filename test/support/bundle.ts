/**
 * Bundles workflow code once per process: webpack takes seconds of CPU, and every test file's workers can share
 * one bundle. Default entry is the package's workflows (src/workflows/index.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_ENTRY = path.resolve(__dirname, '../../src/workflows/index.ts');

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

export function getWorkflowBundle(workflowsPath: string = WORKFLOWS_ENTRY): Promise<WorkflowBundleWithSourceMap> {
  const entry = path.resolve(workflowsPath);
  let bundle = bundles.get(entry);
  if (!bundle) {
    if (!existsSync(entry)) throw new Error(`workflow entry ${entry} does not exist`);
    bundle = bundleWorkflowCode({ workflowsPath: entry, logger: quietBundlerLogger });
    bundles.set(entry, bundle);
    // A failed bundle must not be cached: the next caller gets a fresh attempt and the real error.
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}

const noop = (): void => undefined;
/** webpack's info lines drown test output; warnings and errors still surface. */
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: noop,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};
