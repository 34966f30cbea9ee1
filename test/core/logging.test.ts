/**
 * Logs (src/log.ts, src/core/log-context.ts): every line of one investigation carries the same id and the next
 * investigation gets another; a fix's re-checks log under the fix's id; secrets never reach a line.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { applyFix } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import { withInvestigation } from '../../src/core/log-context.js';
import { createLogger, REDACT_PATHS, silentLogger } from '../../src/log.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { TEST_UNDO } from '../support/undo-key.js';

/** A logger at `level` writing JSON lines into memory. */
function capture(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    raw: () => lines.join('\n'),
  };
}

const PING: Query = {
  from: 'Instance - NextWork VPC 1',
  to: 'Instance - NextWork VPC 2',
  protocol: 'icmp',
  port: null,
};

function depsWith(logger: Deps['logger']): Deps {
  const sb = createSandbox();
  return {
    clients: sb.clients,
    region: sb.region,
    logger,
    now: () => new Date('2026-12-07T05:00:00Z'),
    sleep: async () => {},
    probesEnabled: false,
  };
}

describe('one id per investigation', () => {
  it('tags every line of an investigation with one id, and the next investigation with another', async () => {
    const log = capture('debug');
    const deps = depsWith(log.logger);
    await investigate(PING, { kind: 'live', deps });
    const first = log.records();
    expect(first.length).toBeGreaterThan(1);
    const ids = new Set(first.map((r) => r.investigation));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^inv-[0-9a-f]{10}$/);

    await investigate(PING, { kind: 'live', deps });
    const second = log.records().slice(first.length);
    expect(new Set(second.map((r) => r.investigation)).size).toBe(1);
    expect(second[0]?.investigation).not.toBe(first[0]?.investigation);
  });

  it('logs a fix, its fresh look, its writes and its re-check under one id', async () => {
    const log = capture('debug');
    const report = await applyFix(depsWith(log.logger), PING, 'all', {
      actor: 'U1',
      confirm: async () => true,
      undo: TEST_UNDO,
    });
    expect(report.status).toBe('applied');
    const records = log.records();
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['collected', 'whyping fix: audit']));
    expect(new Set(records.map((r) => r.investigation)).size).toBe(1);
  });

  it('keeps an id the front end chose, so its own lines and the use case’s lines match', async () => {
    const log = capture('debug');
    const deps = withInvestigation(depsWith(log.logger), 'inv-slack00001');
    deps.logger.info('slack: question received');
    await investigate(PING, { kind: 'live', deps });
    expect(new Set(log.records().map((r) => r.investigation))).toEqual(new Set(['inv-slack00001']));
  });
});

describe('secrets never reach the logs', () => {
  it('redacts tokens, signing secrets, AWS credentials, authorization headers and pre-shared keys', () => {
    const log = capture('info');
    log.logger.info(
      {
        token: 'xoxb-SECRET-1',
        botToken: 'xoxb-SECRET-2',
        appToken: 'xapp-SECRET-3',
        signingSecret: 'SECRET-4',
        slack: { token: 'xoxb-SECRET-5', signingSecret: 'SECRET-6' },
        request: { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=SECRET-7' } },
        credentials: { accessKeyId: 'AKIA-SECRET-8', secretAccessKey: 'SECRET-9' },
        identity: { secretAccessKey: 'SECRET-10', sessionToken: 'SECRET-11' },
        vpn: { PreSharedKey: 'SECRET-12' },
        region: 'us-east-1',
      },
      'configured',
    );
    expect(log.raw()).not.toMatch(/SECRET/);
    const [line] = log.records();
    expect(line).toMatchObject({
      token: '[redacted]',
      botToken: '[redacted]',
      signingSecret: '[redacted]',
      slack: { token: '[redacted]', signingSecret: '[redacted]' },
      request: { headers: { authorization: '[redacted]' } },
      credentials: '[redacted]',
      identity: { secretAccessKey: '[redacted]', sessionToken: '[redacted]' },
      region: 'us-east-1',
    });
  });
});

/** The same lines through a pino logger built the usual way, eagerly. */
function eager(level: string) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'whyping' } },
    destination,
  );
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the logger is built on its first line', () => {
  /** Writes the same lines through `logger`; what a caller would see of its state along the way. */
  function script(logger: ReturnType<typeof createLogger>) {
    const seen: unknown[] = [logger.level, logger.isLevelEnabled('info'), logger.isLevelEnabled('warn')];
    logger.info('below the level');
    const child = logger.child({ investigation: 'inv-1' });
    const debugChild = logger.child({ component: 'bolt' }, { level: 'debug' });
    seen.push(child.bindings(), debugChild.level, child.level);
    logger.level = 'info';
    seen.push(logger.level, logger.isLevelEnabled('info'));
    child.debug('still below');
    debugChild.debug({ token: 'xoxb-SECRET' }, 'child at debug');
    logger.info({ n: 1 }, 'at info now');
    child.child({ step: 2 }).warn('grandchild');
    seen.push(child.child({ step: 2 }).bindings(), logger.bindings());
    return seen;
  }

  it('writes what an eagerly built pino logger writes, with the same levels, bindings and redaction', () => {
    const lazy = capture('warn');
    const plain = eager('warn');
    const seenLazy = script(lazy.logger);
    const seenPlain = script(plain.logger);
    expect(seenLazy).toEqual(seenPlain);
    const strip = (rs: Record<string, unknown>[]) => rs.map(({ time: _t, ...r }) => r);
    expect(strip(lazy.records())).toEqual(strip(plain.records()));
    expect(lazy.records().map((r) => r.msg)).toEqual(['child at debug', 'at info now', 'grandchild']);
    expect(JSON.stringify(lazy.records())).not.toMatch(/SECRET/);
    expect(silentLogger.bindings()).toEqual(pino({ level: 'silent' }).bindings());
  });

  it('refuses an unknown level when created, as pino does', () => {
    expect(() => createLogger({ level: 'loud' })).toThrow('default level:loud must be included in custom levels');
    expect(() => pino({ level: 'loud' })).toThrow('default level:loud must be included in custom levels');
  });

  it('loads no pino module while nothing at an enabled level is written', () => {
    const root = resolve(import.meta.dirname, '../..');
    const program = `import { createRequire } from 'node:module';
      const { createLogger } = await import('./src/log.ts');
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/pino/'));
      const log = createLogger({ level: 'warn' });
      log.info('quiet'); log.child({ a: 1 }).debug('quiet');
      const before = loaded();
      log.warn('loud');
      console.log(JSON.stringify([before, loaded()]));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('[false,true]');
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ level: 40, msg: 'loud', app: 'whyping' });
  });
});

describe('WHYPING_PROBE_TIMEOUT_S', () => {
  it('bounds a live probe by deps.probeDeadlineMs: past it the command is cancelled and the answer says after how long', async () => {
    let now = Date.parse('2026-12-07T05:00:00Z');
    const sb = createSandbox({ now: () => new Date(now) });
    const deps: Deps = {
      clients: sb.clients,
      region: sb.region,
      logger: capture('silent').logger,
      now: () => new Date(now),
      // A clock that runs a minute per wait: every poll finds the deadline passed.
      sleep: async () => {
        now += 60_000;
      },
      probesEnabled: true,
      probeDeadlineMs: 7_000,
    };
    const d = await investigate(PING, { kind: 'live', deps }, { probe: true });
    expect(d.probe?.skipped).toMatch(/^no result from the SSM Agent within 7 s, so the command was cancelled/);
    expect(sb.calls.map((c) => c.operation)).toContain('CancelCommand');
  });
});
