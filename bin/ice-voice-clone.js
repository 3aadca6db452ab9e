#!/usr/bin/env node
// Launcher for the `ice-voice-clone` CLI. An installed package runs its compiled CLI (dist/, built on pack). A source
// checkout without a build runs the TypeScript sources through tsx, a dev dependency there.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist', 'cli', 'main.js');

function loadFromSources() {
  try {
    require.resolve('tsx/cjs');
  } catch {
    console.error(
      `ice-voice-clone: ${built} is missing and tsx (a dev dependency) is not installed to run the sources: ` +
        `run \`npm run build\` in ${root} (or \`npm install\` there for tsx).`,
    );
    process.exit(1);
  }
  require('tsx/cjs');
  return require(path.join(root, 'src', 'cli', 'main.ts'));
}

const cli = fs.existsSync(built) ? require(built) : loadFromSources();
cli.runMain(process.argv.slice(2));
