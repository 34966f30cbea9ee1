/**
 * Vitest global setup: the tests that start `bin/whyping.js` in a child process run the compiled code, as production
 * does. When dist/ is missing or older than the sources (bin/build-stamp.js), build it once before any test starts;
 * `npm test` has built already, so this costs nothing there. Tests can `inject('buildStamp')`: the sources' stamp
 * when the run started, which dist/ was built from.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { chooseRuntime, sourceStamp } from '../../bin/build-stamp.js';

declare module 'vitest' {
  export interface ProvidedContext {
    buildStamp: string;
  }
}

export default function buildOnce(project: TestProject): void {
  const root = resolve(import.meta.dirname, '../..');
  const stamp = sourceStamp(root);
  if (chooseRuntime(root).kind !== 'dist') {
    execFileSync(process.execPath, [resolve(root, 'scripts/build.js')], { cwd: root, stdio: 'inherit' });
  }
  project.provide('buildStamp', stamp);
}
