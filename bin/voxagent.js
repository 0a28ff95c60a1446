#!/usr/bin/env node
// voxagent command line: a thin launcher for the compiled CLI in dist/.
import { existsSync } from 'node:fs';

// React's development build records a performance entry for every render and Node keeps
// them all (about 0.5 GB an hour in a live console); the CLI is not a development build.
process.env.NODE_ENV ??= 'production';
// With CI set, Ink draws nothing until the app exits. A console on a terminal has a person
// watching it (a dev container may set CI for everything): draw it live.
const consoleCommand = process.argv[2] === 'dev' || process.argv[2] === 'connect';
if (consoleCommand && process.stdout.isTTY) delete process.env.CI;

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('voxagent: not built yet. Run `npm install` (it builds) or `npm run build`.');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
