#!/usr/bin/env node
// voxagent command line: a thin launcher for the compiled CLI in dist/.
import { existsSync } from 'node:fs';

// React's development build records a performance entry for every render and Node keeps
// them all (about 0.5 GB an hour in a live console); the CLI is not a development build.
process.env.NODE_ENV ??= 'production';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('voxagent: not built yet. Run `npm install` (it builds) or `npm run build`.');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
