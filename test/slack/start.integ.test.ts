/**
 * `npm start` with SLACK_BOT_TOKEN: the bin runs the Slack app (here over the sandbox, WHYPING_SANDBOX=1) against the
 * local fake Web API (SLACK_API_URL), answers a signed command, and on SIGTERM finishes its work and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from './fake-slack.js';
import { BOT_TOKEN, command, post, SECRET, SEED_ASK } from './harness.js';

const root = resolve(import.meta.dirname, '../..');

/** A port nothing listens on right now (PORT must be 1–65535, so the app cannot take 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
let child: ChildProcess | undefined;
let fake: FakeSlack | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fake?.stop();
});

describe('npm start with a Slack token', () => {
  it('serves the Slack app over the sandbox, and drains and exits 0 on SIGTERM', async () => {
    fake = await new FakeSlack().start();
    const home = mkdtempSync(join(tmpdir(), 'whyping-slack-'));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(AWS_|SLACK_|WHYPING_)/.test(k)) env[k] = v;
    }
    const proc = spawn(process.execPath, [join(root, 'bin/whyping.js'), 'start'], {
      cwd: root,
      env: {
        ...env,
        HOME: home,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.apiUrl,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        WHYPING_SANDBOX: '1',
        WHYPING_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    const exited = new Promise<number | null>((done) => proc.on('close', (code) => done(code)));
    const port = await new Promise<number>((done, fail) => {
      proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = /"port":(\d+),"mode":"http"/.exec(stderr);
        if (m) done(Number(m[1]));
      });
      proc.on('close', () => fail(new Error(`exited before listening: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const cmd = command(fake, SEED_ASK);
    expect((await post(base, cmd.body, 'form')).status).toBe(200);
    await fake.waitFor((c) => c.method === 'chat.postMessage');
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fake.of('chat.update').some((c) => /Not reachable/.test(String(c.body.text)))).toBe(true);
    expect(fake.of('chat.postMessage').some((c) => String(c.body.text).startsWith('Details'))).toBe(true);
    expect(stderr).toContain('drained');
    expect(stderr).not.toContain(BOT_TOKEN);
    expect(stderr).not.toContain(SECRET);
  }, 60_000);
});
