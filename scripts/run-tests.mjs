#!/usr/bin/env node
// The `npm test` entry point. Usage:
//   node scripts/run-tests.mjs                 all test/**/*.test.ts
//   node scripts/run-tests.mjs --faults        all test/faults/**/*.fault.ts
//   node scripts/run-tests.mjs <files|dirs>    only those (other --flags are passed to node's test runner)
// Before the tests: resolve (build/fetch) the Temporal binaries once and install Debian's chromium when a
// selected test drives a browser. Env: TEST_CONCURRENCY (default 2 files at a time, for 2 cores).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const args = process.argv.slice(2);
const faults = args.includes('--faults');
const passThrough = args.filter((arg) => arg.startsWith('-') && arg !== '--faults');
const selected = args.filter((arg) => !arg.startsWith('-'));
const suffix = faults ? '.fault.ts' : '.test.ts';

function findFiles(dir, ending) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findFiles(full, ending);
      return entry.name.endsWith(ending) ? [full] : [];
    })
    .sort();
}

function fail(message) {
  console.error(`run-tests: ${message}`);
  process.exit(1);
}

const files =
  selected.length > 0
    ? selected.flatMap((target) => {
        if (!existsSync(target)) fail(`${target} does not exist`);
        return findFiles(target, suffix);
      })
    : findFiles(faults ? 'test/faults' : 'test', suffix);
if (files.length === 0) fail(`no ${suffix} files found${selected.length ? ` in ${selected.join(' ')}` : ''}`);

const testEnv = { ...process.env };

// (a) Temporal binaries: build or fetch once, before any test, and hand the paths to every test process.
console.log('run-tests: resolving Temporal binaries (the first build of the CLI takes a few minutes)');
const prepare = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/prepare-temporal.ts'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
if (prepare.status !== 0) fail('could not obtain the Temporal servers (see the message above)');
const binaries = JSON.parse(prepare.stdout.trim().split('\n').pop());
if (binaries.cliPath) testEnv.TEMPORAL_CLI_PATH = binaries.cliPath;
if (binaries.testServerPath) testEnv.TEMPORAL_TEST_SERVER_PATH = binaries.testServerPath;
console.log(
  `run-tests: dev server ${binaries.cliPath ?? '(SDK download)'}, test server ${binaries.testServerPath ?? '(SDK download)'}`,
);

// (b) A browser test needs Debian's chromium; CI starts on a bare machine. Never skip: if this fails, the
// browser test fails loudly with its own error.
const needsBrowser = files.some((file) => /playwright/.test(readFileSync(file, 'utf8')));
if (needsBrowser && !existsSync('/usr/bin/chromium')) {
  if (process.getuid?.() !== 0) {
    console.error('run-tests: /usr/bin/chromium is missing and we are not root: install Debian\'s "chromium" package');
  } else {
    console.log('run-tests: installing Debian chromium for the browser test (apt-get)');
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
    const install =
      update.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-liberation'], {
            stdio: 'inherit',
            env: aptEnv,
          })
        : update;
    if (install.status !== 0 || !existsSync('/usr/bin/chromium')) {
      console.error(
        `run-tests: installing chromium failed (${update.status !== 0 ? 'apt-get update' : 'apt-get install'} exited ${install.status ?? install.signal ?? install.error}); the browser test will fail`,
      );
    }
  }
}

// (c) node's own runner, spec reporter (its closing lines carry the pass/fail counts).
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const nodeArgs = [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${concurrency}`,
  // A hung test must not eat CI's 90 minutes: a test gets at most 5 minutes, a fault scenario 8 (the storm scenario's
  // back-off to 30 s has taken up to 194 s; its own limit is 6 minutes, which must be the one that speaks).
  `--test-timeout=${faults ? 480_000 : 300_000}`,
  ...passThrough,
  ...files,
];
console.log(`run-tests: ${files.length} file(s), ${concurrency} at a time`);
const child = spawn(process.execPath, nodeArgs, { stdio: 'inherit', env: testEnv });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
