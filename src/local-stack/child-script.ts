/**
 * The script a child process of the stack runs (worker-process.ts, emulator-process.ts, receiver-process.ts, or an
 * entry of the caller's own), always on plain `node`, as a built package runs. Built (dist/), an entry is its
 * own .js file. From the TypeScript sources (a checkout, under tsx), it is compiled to one JavaScript file first:
 * under `--import tsx` a worker carries tsx's loader thread and Node's source-map support on every stack trace
 * (measured: 228 instead of 175 MiB RSS for an idle package worker), which is the cost of the harness, not of the
 * package. Dependencies stay external and resolve from the project's node_modules.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
// Inside node_modules so that `require('@temporalio/worker')` from the output finds the project's packages.
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'ice-voice-clone');

/** The entry `name` of this folder, as a file of the form this module runs in (.ts from sources, .js built). */
export function localStackEntry(name: 'worker-process' | 'emulator-process' | 'receiver-process'): string {
  return path.join(__dirname, `${name}${path.extname(__filename)}`);
}

const compiled = new Map<string, Promise<string>>();

/** The script to fork for `entry` (an absolute .js or .ts path); a .ts entry is compiled once per process. */
export function childScript(entry: string): Promise<string> {
  if (entry.endsWith('.js')) return Promise.resolve(entry);
  let script = compiled.get(entry);
  if (!script) {
    script = compile(entry);
    compiled.set(entry, script);
    script.catch(() => compiled.delete(entry));
  }
  return script;
}

type Esbuild = typeof import('esbuild');

async function compile(entry: string): Promise<string> {
  // Only from the sources, which exist only in a checkout with its dev dependencies: a built package never gets
  // here (its entries are .js), so esbuild is the checkout's, not a dependency of the package.
  const { build } = createRequire(path.join(ROOT, 'package.json'))('esbuild') as Esbuild;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${entry}`);
  await mkdir(OUT_DIR, { recursive: true });
  // Named by content: a run from another checkout (sharing node_modules) never runs this one's code.
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const outfile = path.join(OUT_DIR, `${path.basename(entry, '.ts')}-${hash}.js`);
  // Temp file + rename: two runs compiling at the same time never see half a file.
  const temp = `${outfile}.${process.pid}.tmp`;
  await writeFile(temp, code);
  await rename(temp, outfile);
  return outfile;
}
