#!/usr/bin/env node
// The `ocpi-hub` command: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs');
const { runCli } = require('../src/cli/ocpi-hub-cli.ts');

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
}).then((code) => process.exit(code));
