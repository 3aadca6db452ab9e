/**
 * bench/worker-process.ts compiled to one JavaScript file, so that bench and fault-suite workers run on plain
 * `node` as a built package does. Under `--import tsx` a worker carries tsx's loader thread and Node's source-map
 * support on every stack trace (measured: 228 instead of 175 MiB RSS for an idle package worker), which is the
 * cost of the bench harness, not of the package. Dependencies stay external and resolve from the project's node_modules.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCE = path.join(ROOT, 'bench', 'worker-process.ts');
// Inside node_modules so that `require('@temporalio/worker')` from the output finds the project's packages.
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'ice-voice-clone');

let compiled: Promise<string> | undefined;

/** The path of the compiled worker script, built once per process. */
export function compiledWorkerScript(): Promise<string> {
  compiled ??= compile();
  return compiled;
}

async function compile(): Promise<string> {
  const result = await build({
    entryPoints: [SOURCE],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${SOURCE}`);
  await mkdir(OUT_DIR, { recursive: true });
  // Named by content: a bench running from another checkout (sharing node_modules) never runs this one's code.
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const outfile = path.join(OUT_DIR, `worker-process-${hash}.js`);
  // Temp file + rename: two runs compiling at the same time never see half a file.
  const temp = `${outfile}.${process.pid}.tmp`;
  await writeFile(temp, code);
  await rename(temp, outfile);
  return outfile;
}
