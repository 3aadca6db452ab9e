#!/usr/bin/env node
// Launcher for the `ice-voice-clone` CLI: the compiled CLI when the package is built (npm run build), otherwise
// the TypeScript sources through tsx, so that a fresh clone works without a build step.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist', 'cli', 'main.js');

let cli;
if (fs.existsSync(built)) {
  cli = require(built);
} else {
  require('tsx/cjs');
  cli = require(path.join(root, 'src', 'cli', 'main.ts'));
}
cli.runMain(process.argv.slice(2));
