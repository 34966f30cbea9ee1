#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ when it was built from the current sources (`npm run build` writes a stamp);
// in a development checkout with no build, or one older than the sources, it runs the TypeScript through tsx instead,
// so `npx whyping` works on a fresh clone and a stale dist/ never runs silently.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseRuntime } from './build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runtime = chooseRuntime(root);
if (runtime.kind === 'dist') {
  await import('../dist/main/cli.js');
} else if (runtime.kind === 'tsx' && existsSync(join(root, 'node_modules', 'tsx'))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main/cli.ts');
} else {
  process.stderr.write(
    runtime.kind === 'none'
      ? 'whyping: no compiled code in dist/: run `npm run build` (or `npm ci` for a development checkout).\n'
      : `whyping: ${runtime.reason} and tsx is not installed: run \`npm run build\` (or \`npm ci\` to install tsx).\n`,
  );
  process.exitCode = 70;
}
