/** Bundle workflow code once and hand the file to every worker process (each would otherwise bundle again). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

export async function bundleToFile(workflowsPath: string, outDir: string, name: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const file = path.join(outDir, `${name}.bundle.js`);
  await writeFile(file, code);
  return file;
}
