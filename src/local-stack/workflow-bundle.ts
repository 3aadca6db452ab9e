/**
 * The one workflow bundle cache of a process: webpack takes seconds of CPU, so each workflow module is bundled once
 * and shared by every in-process worker (the bundle) and every worker child (a file of it). The files' folder goes
 * when the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type BundleOptions,
  type BundlerPlugin,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { defaultWorkflowsPath } from '../plugin';

let dir: string | undefined;
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
const files = new Map<string, Promise<string>>();

function bundleDir(): string {
  if (!dir) {
    const created = mkdtempSync(path.join(os.tmpdir(), 'ice-voice-clone-bundles-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

/** A failed attempt is not cached: the next caller gets a fresh one and the real error. */
function cached<T>(cache: Map<string, Promise<T>>, entry: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(entry);
  if (!value) {
    value = make();
    cache.set(entry, value);
    value.catch(() => cache.delete(entry));
  }
  return value;
}

/**
 * The bundle of `workflowsPath` (default: the package's workflows) with the workflow interceptor modules of
 * `plugins` (e.g. OpenTelemetryPlugin's), made once per process for each set of modules.
 */
export function workflowBundle(
  workflowsPath: string = defaultWorkflowsPath(),
  plugins: readonly BundlerPlugin[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  const options = plugins.reduce<BundleOptions>(
    (configured, plugin) => plugin.configureBundler?.(configured) ?? configured,
    { workflowsPath: path.resolve(workflowsPath) },
  );
  const entry = [options.workflowsPath, ...(options.workflowInterceptorModules ?? [])].join('\n');
  // webpack's info lines drown a test's or a terminal's output; warnings and errors still surface.
  return cached(bundles, entry, () => bundleWorkflowCode({ ...options, logger: new DefaultLogger('WARN') }));
}

/** The same bundle written to a file, for worker child processes. */
export function workflowBundleFile(workflowsPath: string = defaultWorkflowsPath()): Promise<string> {
  const entry = path.resolve(workflowsPath);
  return cached(files, entry, async () => {
    const { code } = await workflowBundle(entry);
    const out = path.join(bundleDir(), `${path.basename(path.dirname(entry))}-${files.size}.bundle.js`);
    await writeFile(out, code);
    return out;
  });
}
