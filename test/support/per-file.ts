/**
 * Vitest setup file: runs before every test file. Test files share worker processes (`isolate: false` in
 * vitest.config.ts: the AWS SDK, nock and our modules are imported once per worker, not once per file), so what one
 * file leaves in the process must not reach the next:
 * - nock: a file ends with `nock.restore()`, which turns interception off for the whole process; the next file that
 *   imports nock gets the cached module, so interception is turned on again here, with no interceptors left over and
 *   connections allowed (a file that wants them refused says so in its own `beforeAll`).
 * - process.env and process.exitCode: put back as they were when the file started.
 */
import nock from 'nock';
import { afterAll } from 'vitest';

if (!nock.isActive()) nock.activate();
nock.cleanAll();
nock.enableNetConnect();

const env = { ...process.env };
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  process.exitCode = undefined;
});
