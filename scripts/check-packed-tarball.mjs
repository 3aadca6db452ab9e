#!/usr/bin/env node
// Installs the package as a user would and runs a clone with it (issue 19, "Done when" #1):
//   1. `npm pack` a copy of the working tree (prepack builds dist/ there; the checkout's own dist/ is left alone,
//      because bin/ice-voice-clone.js prefers a build over the sources);
//   2. `npm install <tarball>` into an empty project in a fresh folder, beside the Temporal packages a team has;
//   3. a user's TypeScript files (a worker with voiceClonePlugin() from 'ice-voice-clone', a workflows module that
//      re-exports voiceCloneWorkflow from 'ice-voice-clone/workflows' and runs it as a child, and a caller workflow
//      that imports voiceCloneNexusService from there) typecheck with the repo's tsc: strict, moduleResolution
//      node16, and again under node10 and bundler resolution;
//      The program starts the emulator from 'ice-voice-clone/testing', which typechecks under all three too;
//   4. `require('ice-voice-clone')` loads no emulator, local-stack, testing or Temporal-binary module, and
//      `require('ice-voice-clone/workflows')` gives the Nexus service definition;
//   5. the compiled user program runs a clone against the package's emulator on a real dev server.
// Usage: TEMPORAL_CLI_PATH=<temporal binary> node scripts/check-packed-tarball.mjs [--keep]
// (test/package/tarball.test.ts runs it; scripts/run-tests.mjs sets TEMPORAL_CLI_PATH.) Prints one line a phase
// with its time; exits non-zero with the failing phase's output.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const started = Date.now();
const repoPackage = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const npmQuiet = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

const work = mkdtempSync(path.join(os.tmpdir(), 'ice-voice-clone-pack-'));
let devServer;

function fail(message) {
  throw new Error(message);
}

async function phase(name, run) {
  const at = Date.now();
  const result = await run();
  console.log(`check-packed-tarball: ${name} (${((Date.now() - at) / 1000).toFixed(1)} s)`);
  return result;
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    fail(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited ${result.status ?? result.signal ?? result.error}\n` +
        `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim(),
    );
  }
  return result.stdout;
}

/** The working tree as npm would see it (tracked and untracked files, without what .gitignore excludes). */
function copyWorkingTree(to) {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter(Boolean)) {
    const from = path.join(root, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet in the index
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(from, path.join(to, file));
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(to, 'node_modules'), 'dir');
}

function exportTargets(exportsField) {
  if (typeof exportsField === 'string') return [exportsField];
  return Object.values(exportsField).flatMap((value) => exportTargets(value));
}

/** Packages the compiled code requires (bare specifiers; node: built-ins excepted). */
function requiredPackages(dir) {
  const found = new Set();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const code = readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    // tsc writes static imports with double quotes and keeps a dynamic import()'s own quotes: match both.
    for (const [, , specifier] of code.matchAll(/require\((["'])([^"'.][^"']*)\1\)/g)) {
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return found;
}

/**
 * Runtime dependencies are exactly what the shipped code imports. An optional peer dependency counts as declared:
 * it is loaded lazily, on one path only (the SDK's dev-server download of the local stack).
 */
function checkDependencies(dist) {
  const required = requiredPackages(dist);
  const optionalPeers = Object.entries(repoPackage.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta.optional === true)
    .map(([name]) => name);
  const declared = new Set([...Object.keys(repoPackage.dependencies), ...optionalPeers]);
  const builtins = new Set(['child_process', 'crypto', 'events', 'fs', 'http', 'https', 'net', 'os', 'path', 'util']);
  const undeclared = [...required].filter((name) => !declared.has(name) && !builtins.has(name));
  const unused = [...declared].filter((name) => !required.has(name));
  if (undeclared.length > 0) fail(`dist/ requires packages that are not dependencies: ${undeclared.join(', ')}`);
  if (unused.length > 0) fail(`dependencies that no shipped code requires: ${unused.join(', ')}`);
}

function packTarball() {
  const source = path.join(work, 'source');
  copyWorkingTree(source);
  const out = run('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: source });
  // prepack's build logs to stdout before npm's JSON
  const [packed] = JSON.parse(out.slice(out.indexOf('[')));
  checkDependencies(path.join(source, 'dist'));
  const files = new Set(packed.files.map((file) => file.path));
  const wanted = [...exportTargets(repoPackage.exports), repoPackage.bin['ice-voice-clone'], 'dist/cli/main.js'];
  const missing = wanted.map((file) => file.replace(/^\.\//, '')).filter((file) => !files.has(file));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(', ')}`);
  const strays = [...files].filter((file) => /^(test|bench|scripts|examples)\//.test(file));
  if (strays.length > 0) fail(`the tarball ships development files: ${strays.slice(0, 5).join(', ')}`);
  return { tarball: path.join(work, packed.filename), files: files.size, size: packed.size };
}

const USER_FILES = {
  'src/activities.ts': `
export async function publishEpisode(episodeId: string, voiceId: string): Promise<string> {
  return \`\${episodeId} narrated by \${voiceId}\`;
}
`,
  'src/workflows.ts': `
import { createNexusServiceClient, executeChild, proxyActivities } from '@temporalio/workflow';
import {
  voiceCloneFailureOf,
  voiceCloneNexusService,
  voiceCloneWorkflow,
  voiceCloneWorkflowId,
  type VoiceCloneInput,
  type VoiceCloneResult,
  type VoiceCloneTiming,
  type VoiceRecording,
} from 'ice-voice-clone/workflows';
import type * as activities from './activities';

export { voiceCloneWorkflow } from 'ice-voice-clone/workflows';

const { publishEpisode } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function episodeWorkflow(input: {
  episodeId: string;
  voiceId: string;
  recordings: VoiceRecording[];
  timing: VoiceCloneTiming;
}): Promise<{ voice: VoiceCloneResult; published: string }> {
  const voice = await executeChild(voiceCloneWorkflow, {
    workflowId: voiceCloneWorkflowId(input.voiceId),
    args: [{ voiceId: input.voiceId, recordings: input.recordings, timing: input.timing }],
  });
  return { voice, published: await publishEpisode(input.episodeId, voice.voiceId) };
}

/** A team in another namespace clones through the package's Nexus service (bundled with the rest; not run). */
export async function cloneFromAnotherNamespace(endpoint: string, input: VoiceCloneInput): Promise<string> {
  const voices = createNexusServiceClient({ service: voiceCloneNexusService, endpoint });
  try {
    return (await voices.executeOperation('cloneVoice', input, { scheduleToCloseTimeout: '1 hour' })).voiceId;
  } catch (error) {
    return voiceCloneFailureOf(error)?.type ?? 'unknown';
  }
}
`,
  'src/main.ts': `
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createIceClient, voiceClonePlugin, voiceCloneWorkflowId, type IceClientConfig } from 'ice-voice-clone';
import { startEmulator } from 'ice-voice-clone/testing';
import * as activities from './activities';
import { episodeWorkflow } from './workflows';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const emulator = await startEmulator({ trainingMs: 300 });
  const ice: IceClientConfig = {
    region: 'cn-shanghai',
    endpoint: emulator.url,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 5_000,
    credentials: emulator.credentials,
  };
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }) });
  try {
    const taskQueue = 'media-pipeline';
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: path.join(__dirname, 'workflows.js'),
      activities,
      plugins: [voiceClonePlugin({ ice })],
    });
    const voiceId = \`Packed\${Date.now()}\`;
    await createIceClient(ice).createCustomizedVoiceJob({ voiceId, gender: 'female', scenario: 'story' });
    const episode = await worker.runUntil(
      client.workflow.execute(episodeWorkflow, {
        taskQueue,
        workflowId: \`episode-\${voiceId}\`,
        args: [
          {
            episodeId: 'episode-1',
            voiceId,
            recordings: [{ audioRecordId: 1, recordUrl: \`https://voices.oss-cn-shanghai.aliyuncs.com/\${voiceId}/1.wav\` }],
            timing: { callbackTimeout: '300ms', pollInterval: '200ms', maxPollInterval: '1s', trainingTimeout: '1 minute' },
          },
        ],
      }),
    );
    const child = await client.workflow.getHandle(voiceCloneWorkflowId(voiceId)).describe();
    if (episode.voice.status !== 'Success' || child.taskQueue !== taskQueue) {
      throw new Error(\`unexpected outcome: \${JSON.stringify({ episode, childTaskQueue: child.taskQueue })}\`);
    }
    console.log(JSON.stringify({ cloned: episode.voice.voiceId, via: episode.voice.completedVia, published: episode.published, childTaskQueue: child.taskQueue }));
  } finally {
    await client.connection.close();
    await connection.close();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`,
};

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    types: ['node'],
    // As teams set it: the SDK's own declarations do not pass a library check (@temporalio/common's time.d.ts
    // imports the untyped 'ms' under node16 resolution).
    skipLibCheck: true,
    rootDir: 'src',
    outDir: 'out',
  },
  include: ['src'],
};

function createProject(tarball) {
  const project = path.join(work, 'project');
  mkdirSync(path.join(project, 'src'), { recursive: true });
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'media-team', version: '1.0.0', private: true, type: 'commonjs' }, null, 2),
  );
  // What a team running Temporal already depends on, in the ranges this package asks for.
  const peers = ['@temporalio/client', '@temporalio/worker', '@temporalio/workflow'].map(
    (name) => `${name}@${repoPackage.dependencies[name]}`,
  );
  const types = `@types/node@${repoPackage.devDependencies['@types/node']}`;
  run('npm', ['install', tarball, ...peers, types, ...npmQuiet], { cwd: project });
  for (const [file, text] of Object.entries(USER_FILES)) writeFileSync(path.join(project, file), text.trimStart());
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  return project;
}

function typecheck(project) {
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }); // node16, emits out/
  run(
    process.execPath,
    [tsc, '-p', 'tsconfig.json', '--noEmit', '--module', 'commonjs', '--moduleResolution', 'node10'],
    {
      cwd: project,
    },
  );
  run(
    process.execPath,
    [tsc, '-p', 'tsconfig.json', '--noEmit', '--module', 'preserve', '--moduleResolution', 'bundler'],
    {
      cwd: project,
    },
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startDevServer() {
  const cli = process.env.TEMPORAL_CLI_PATH;
  if (!cli || !existsSync(cli)) {
    fail('TEMPORAL_CLI_PATH must name a `temporal` binary (node scripts/run-tests.mjs test/package sets it)');
  }
  const address = `127.0.0.1:${await freePort()}`;
  const searchAttributes = ['IceVoiceId', 'IceJobId', 'VoiceCloneStage'].flatMap((name) => [
    '--search-attribute',
    `${name}=Keyword`,
  ]);
  const [ip, port] = address.split(':');
  const args = ['server', 'start-dev', '--headless', '--ip', ip, '--port', port, '--log-level', 'error'];
  let output = '';
  devServer = spawn(cli, [...args, ...searchAttributes], { stdio: ['ignore', 'pipe', 'pipe'] });
  devServer.stdout.on('data', (chunk) => (output += chunk));
  devServer.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (devServer.exitCode !== null) fail(`the dev server exited (${devServer.exitCode}): ${output}`);
    const health = spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { encoding: 'utf8' });
    if (health.status === 0 && /SERVING/.test(health.stdout)) return address;
    await sleep(250);
  }
  fail(`the dev server at ${address} was not serving within 60 s: ${output}`);
}

/** Folders of dist/ that only `ice-voice-clone/testing` (and the CLI's commands) may load. */
const WORKSHOP =
  /[\\/]ice-voice-clone[\\/]dist[\\/](emulator|local-stack|testing)[\\/]|[\\/]@temporalio[\\/]testing[\\/]/;

/** The runtime entry as a worker loads it: every module it pulls in, none of them the workshop's. */
function checkLeanEntry(project) {
  const script = "require('ice-voice-clone'); console.log(JSON.stringify(Object.keys(require.cache)))";
  const loaded = JSON.parse(run(process.execPath, ['-e', script], { cwd: project }));
  const own = loaded.filter((file) => /[\\/]node_modules[\\/]ice-voice-clone[\\/]/.test(file));
  const workshop = loaded.filter((file) => WORKSHOP.test(file));
  if (own.length === 0) fail('require.cache shows no module of the package: the check cannot see it');
  if (workshop.length > 0)
    fail(`require('ice-voice-clone') loads ${workshop.length}: ${workshop.slice(0, 5).join(', ')}`);
  return own.length;
}

/** The Nexus service definition resolves from 'ice-voice-clone/workflows' at runtime, with its operations. */
function checkNexusService(project) {
  const script =
    "const { voiceCloneNexusService: s } = require('ice-voice-clone/workflows');" +
    "console.log(s.name + ' (' + Object.keys(s.operations).join(', ') + ')')";
  const described = run(process.execPath, ['-e', script], { cwd: project }).trim();
  if (!/^\w+ \(cloneVoice\b/.test(described)) fail(`unexpected Nexus service: ${described}`);
  return described;
}

/** The installed CLI runs from dist/, without tsx (a dev dependency of the repo only). */
function runInstalledCli(project) {
  if (existsSync(path.join(project, 'node_modules', 'tsx'))) fail('tsx was installed with the package');
  const help = run(path.join(project, 'node_modules', '.bin', 'ice-voice-clone'), ['--help'], { cwd: project });
  if (!/^Usage: ice-voice-clone/m.test(help)) fail(`unexpected --help output: ${help}`);
}

function runUserProgram(project, address) {
  const out = run(process.execPath, ['out/main.js'], {
    cwd: project,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: address },
    timeout: 120_000,
  });
  const last = out.trim().split('\n').pop() ?? '';
  const outcome = JSON.parse(last);
  if (!outcome.cloned || outcome.childTaskQueue !== 'media-pipeline') fail(`unexpected output: ${out}`);
  return outcome;
}

try {
  const packed = await phase('npm pack (prepack builds dist/)', packTarball);
  console.log(`check-packed-tarball: ${path.basename(packed.tarball)}: ${packed.files} files, ${packed.size} bytes`);
  const project = await phase('npm install <tarball> into an empty project', () => createProject(packed.tarball));
  await phase('typecheck the user files (node16 emit, node10, bundler)', () => typecheck(project));
  const leanModules = await phase('require the runtime entry: no workshop module', () => checkLeanEntry(project));
  console.log(`check-packed-tarball: lean runtime entry: ${leanModules} modules of the package`);
  const nexusService = await phase('require the Nexus service from the workflows entry', () =>
    checkNexusService(project),
  );
  console.log(`check-packed-tarball: nexus service: ${nexusService}`);
  await phase('run the installed CLI without tsx', () => runInstalledCli(project));
  const address = await phase('start the dev server', startDevServer);
  const outcome = await phase('run a clone from the installed package', () => runUserProgram(project, address));
  console.log(`check-packed-tarball: ok ${JSON.stringify(outcome)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`check-packed-tarball: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (devServer && devServer.exitCode === null) {
    devServer.kill('SIGTERM');
    await new Promise((resolve) => devServer.once('exit', resolve));
  }
  if (keep) console.log(`check-packed-tarball: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
