/**
 * Vitest global setup: the tests that start `bin/whyping.js` in a child process run the compiled code, as production
 * does. When dist/ is missing or older than the sources (bin/build-stamp.js), build it once before any test starts;
 * `npm test` has built already, so this costs nothing there.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chooseRuntime } from '../../bin/build-stamp.js';

export default function buildOnce(): void {
  const root = resolve(import.meta.dirname, '../..');
  if (chooseRuntime(root).kind === 'dist') return;
  execFileSync(process.execPath, [resolve(root, 'scripts/build.js')], { cwd: root, stdio: 'inherit' });
}
