/**
 * A child process's entry (bench/worker-process.ts, emulator-process.ts, receiver-process.ts) compiled to one
 * JavaScript file, so that bench and fault-suite children run on plain `node` as a built package does. Under
 * `--import tsx` a worker carries tsx's loader thread and Node's source-map support on every stack trace
 * (measured: 228 instead of 175 MiB RSS for an idle package worker), which is the cost of the bench harness, not of
 * the package. Dependencies stay external and resolve from the project's node_modules.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');
// Inside node_modules so that `require('@temporalio/worker')` from the output finds the project's packages.
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'ice-voice-clone');

/** The child entries under bench/. */
export type ChildEntry = 'worker-process' | 'emulator-process' | 'receiver-process';

const compiled = new Map<ChildEntry, Promise<string>>();

/** The path of the compiled script of `entry`, built once per process. */
export function compiledScript(entry: ChildEntry): Promise<string> {
  let script = compiled.get(entry);
  if (!script) {
    script = compile(entry);
    compiled.set(entry, script);
  }
  return script;
}

async function compile(entry: ChildEntry): Promise<string> {
  const source = path.join(ROOT, 'bench', `${entry}.ts`);
  const result = await build({
    entryPoints: [source],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${source}`);
  await mkdir(OUT_DIR, { recursive: true });
  // Named by content: a bench running from another checkout (sharing node_modules) never runs this one's code.
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const outfile = path.join(OUT_DIR, `${entry}-${hash}.js`);
  // Temp file + rename: two runs compiling at the same time never see half a file.
  const temp = `${outfile}.${process.pid}.tmp`;
  await writeFile(temp, code);
  await rename(temp, outfile);
  return outfile;
}
