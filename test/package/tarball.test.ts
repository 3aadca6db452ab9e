/**
 * The package as a user installs it: scripts/check-packed-tarball.mjs packs it, installs the tarball into an empty
 * project, typechecks a user's worker (voiceClonePlugin from 'ice-voice-clone') and workflows module (re-exporting
 * voiceCloneWorkflow from 'ice-voice-clone/workflows'), and runs a clone with the installed package's emulator on
 * a real dev server (the emulator started from 'ice-voice-clone/testing'), and checks that requiring the runtime
 * entry loads no emulator, local-stack, testing or Temporal-binary module; a caller workflow imports
 * voiceCloneNexusService from 'ice-voice-clone/workflows' (typechecked and bundled) and it resolves at runtime. About 40 s here, most of it npm and tsc.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');

test('the packed tarball installs into an empty project, typechecks and runs a clone', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'check-packed-tarball.mjs')], {
    cwd: ROOT,
    env: process.env, // TEMPORAL_CLI_PATH from scripts/run-tests.mjs
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, output);
  assert.match(output, /lean runtime entry: \d+ modules of the package/, output);
  assert.match(output, /nexus service: iceVoiceClone \(cloneVoice, cloneVoices\)/, output);
  assert.match(output, /check-packed-tarball: ok \{"cloned":"Packed\d+","via":"\w+"/, output);
});
