/**
 * Workflow code bundled once per process and written to a file that every worker child of that process loads
 * (each would otherwise bundle again: webpack takes seconds of CPU). The folder goes when the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { defaultWorkflowsPath } from '../plugin';

let dir: string | undefined;
const bundles = new Map<string, Promise<string>>();

function bundleDir(): string {
  if (!dir) {
    const created = mkdtempSync(path.join(os.tmpdir(), 'ice-voice-clone-bundles-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

/** The file of the bundle of `workflowsPath` (default: the package's workflows). */
export function workflowBundleFile(workflowsPath: string = defaultWorkflowsPath()): Promise<string> {
  const entry = path.resolve(workflowsPath);
  let file = bundles.get(entry);
  if (!file) {
    file = (async () => {
      const { code } = await bundleWorkflowCode({ workflowsPath: entry, logger: new DefaultLogger('WARN') });
      const out = path.join(bundleDir(), `${path.basename(path.dirname(entry))}-${bundles.size}.bundle.js`);
      await writeFile(out, code);
      return out;
    })();
    bundles.set(entry, file);
    file.catch(() => bundles.delete(entry));
  }
  return file;
}
