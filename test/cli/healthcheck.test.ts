/**
 * `whyping healthcheck` against real HTTP servers on 127.0.0.1 (random ports): 200 passes, anything else, a refused
 * connection or silence fails with one line naming the URL; with no Slack app configured it passes without asking.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { silentLogger } from '../../src/log.js';
import { listScenarios } from '../../src/sandbox/index.js';
import { TEST_UNDO } from '../support/undo-key.js';

function context(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const never = () => Promise.reject(new Error('not used by healthcheck'));
  const ctx: CliContext = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    stdin: new PassThrough(),
    env,
    logger: silentLogger,
    loadSnapshot: () => {
      throw new Error('not used by healthcheck');
    },
    openDeps: never,
    exportSnapshot: never,
    hasAwsCredentials: async () => false,
    undoKey: () => TEST_UNDO,
    sandboxScenarios: listScenarios,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** A server on 127.0.0.1 at a port the kernel picks; `answer` handles every request. */
async function serve(answer: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(answer);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-health', SLACK_SIGNING_SECRET: 'secret' };

describe('whyping healthcheck', () => {
  it('passes without asking anything when no Slack app is configured', async () => {
    const f = context({ PORT: '1' });
    expect(await runCli(['healthcheck'], f.ctx)).toBe(0);
    expect(f.out()).toBe(
      'healthy: no Slack app is configured (SLACK_BOT_TOKEN is not set), and the shell needs no check.\n',
    );
  });

  it('passes when GET /healthz on PORT answers 200', async () => {
    const paths: string[] = [];
    const port = await serve((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok');
    });
    const f = context({ ...SLACK, PORT: String(port) });
    expect(await runCli(['healthcheck'], f.ctx)).toBe(0);
    expect(paths).toEqual(['GET /healthz']);
    expect(f.out()).toBe(`healthy: http://127.0.0.1:${port}/healthz answered 200.\n`);
  });

  it('fails with the status and the first line of the body when /healthz answers 503', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(503).end('shutting down\nmore');
    });
    const f = context({ ...SLACK, PORT: String(port) });
    expect(await runCli(['healthcheck'], f.ctx)).toBe(1);
    expect(f.err()).toBe(`whyping: unhealthy: http://127.0.0.1:${port}/healthz answered 503: shutting down.\n`);
  });

  it('fails in one line when nothing listens on PORT', async () => {
    const port = await serve(() => {});
    await new Promise((done) => servers.pop()?.close(done));
    const f = context({ ...SLACK, PORT: String(port) });
    expect(await runCli(['healthcheck'], f.ctx)).toBe(1);
    expect(f.err()).toBe(
      `whyping: unhealthy: http://127.0.0.1:${port}/healthz refused the connection (is the Slack app running, on PORT?).\n`,
    );
  });

  it('refuses an invalid PORT as bad input naming it (exit 2)', async () => {
    const f = context({ ...SLACK, PORT: 'eighty' });
    expect(await runCli(['healthcheck'], f.ctx)).toBe(2);
    expect(f.err()).toBe('whyping: PORT has an invalid value (use a port from 1 to 65535).\n');
  });
});
