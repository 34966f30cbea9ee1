/**
 * Logs (src/log.ts, src/core/log-context.ts): every line of one investigation carries the same id and the next
 * investigation gets another; a fix's re-checks log under the fix's id; secrets never reach a line.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyFix } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import { withInvestigation } from '../../src/core/log-context.js';
import { createLogger } from '../../src/log.js';
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
