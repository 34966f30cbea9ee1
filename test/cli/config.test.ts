import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadSlackConfig } from '../../src/config.js';
import { WhypingError } from '../../src/errors.js';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    expect(loadConfig({})).toEqual({
      logLevel: 'warn',
      sandbox: false,
      probesEnabled: true,
      region: undefined,
      slack: {},
      noColor: false,
      env: {},
      undoTtlHours: 168,
      awsTimeoutSeconds: 10,
      maxSnapshotMb: 4096,
      configDir: undefined,
      port: 3000,
      probeDeadlineMs: 20_000,
      historyDays: 7,
    });
  });
  it('reads the undo key, its lifetime, the AWS timeout and the snapshot cap, and the config folder', () => {
    const c = loadConfig({
      WHYPING_SECRET: ' 0123456789abcdef0123456789abcdef ',
      WHYPING_UNDO_TTL_H: '24',
      WHYPING_AWS_TIMEOUT_S: '2.5',
      WHYPING_MAX_SNAPSHOT_MB: '100',
      XDG_CONFIG_HOME: '/tmp/cfg/',
      HOME: '/home/ana',
    });
    expect(c).toMatchObject({
      undoSecret: '0123456789abcdef0123456789abcdef',
      undoTtlHours: 24,
      awsTimeoutSeconds: 2.5,
      maxSnapshotMb: 100,
      configDir: '/tmp/cfg/whyping',
    });
    expect(loadConfig({ HOME: '/home/ana' }).configDir).toBe('/home/ana/.config/whyping');
    expect(loadConfig({ WHYPING_UNDO_TTL_H: '' }).undoTtlHours).toBe(168);
  });
  it.each([
    ['WHYPING_SECRET', 'short'],
    ['WHYPING_UNDO_TTL_H', '0'],
    ['WHYPING_UNDO_TTL_H', 'a week'],
    ['WHYPING_AWS_TIMEOUT_S', '-1'],
    ['WHYPING_AWS_TIMEOUT_S', '9999'],
    ['WHYPING_MAX_SNAPSHOT_MB', '1.5'],
  ])('refuses %s=%s in one line naming the variable', (name, value) => {
    try {
      loadConfig({ [name]: value });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(WhypingError);
      expect((e as WhypingError).code).toBe('BAD_INPUT');
      expect((e as Error).message).toMatch(new RegExp(`^${name} has an invalid value \\(.+\\)\\.$`));
    }
  });
  it('reads the variables', () => {
    const c = loadConfig({
      WHYPING_SANDBOX: '1',
      WHYPING_PROBES: 'off',
      WHYPING_LOG_LEVEL: 'debug',
      AWS_DEFAULT_REGION: 'eu-west-1',
      SLACK_BOT_TOKEN: 'xoxb-1',
    });
    expect(c).toMatchObject({ sandbox: true, probesEnabled: false, logLevel: 'debug', region: 'eu-west-1' });
    expect(c.slack.botToken).toBe('xoxb-1');
    expect(loadConfig({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' }).region).toBe('us-west-2');
  });
  it('reads WHYPING_SANDBOX as a flag or a built-in scenario name', () => {
    expect(loadConfig({ WHYPING_SANDBOX: '0' })).toMatchObject({ sandbox: false, sandboxDisabled: true });
    expect(loadConfig({ WHYPING_SANDBOX: 'off' })).toMatchObject({ sandbox: false, sandboxDisabled: true });
    expect(loadConfig({ WHYPING_SANDBOX: '' }).sandboxDisabled).toBeUndefined();
    expect(loadConfig({ WHYPING_SANDBOX: 'true' })).toMatchObject({ sandbox: true });
    expect(loadConfig({ WHYPING_SANDBOX: 'host-firewall' })).toMatchObject({
      sandbox: true,
      sandboxScenario: 'host-firewall',
    });
  });

  it('reads WHYPING_LOG_LEVEL in any case, and empty as the default', () => {
    expect(loadConfig({ WHYPING_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ WHYPING_LOG_LEVEL: ' info ' }).logLevel).toBe('info');
    expect(loadConfig({ WHYPING_LOG_LEVEL: '' }).logLevel).toBe('warn');
    expect(() => loadConfig({ WHYPING_LOG_LEVEL: 'loud' })).toThrow(
      'WHYPING_LOG_LEVEL has an invalid value (use one of fatal, error, warn, info, debug, trace, silent).',
    );
  });

  it('refuses an invalid value naming the variable', () => {
    expect(() => loadConfig({ WHYPING_SANDBOX: 'Maybe Not' })).toThrow(WhypingError);
    expect(() => loadConfig({ WHYPING_LOG_LEVEL: 'loud' })).toThrow(/WHYPING_LOG_LEVEL/);
    expect(() => loadConfig({ WHYPING_PROBES: 'sometimes' })).toThrow(/WHYPING_PROBES/);
  });

  it('reads PORT, WHYPING_PROBE_TIMEOUT_S and WHYPING_LOCK_TABLE', () => {
    expect(
      loadConfig({ PORT: '8080', WHYPING_PROBE_TIMEOUT_S: '45', WHYPING_LOCK_TABLE: 'whyping-locks' }),
    ).toMatchObject({ port: 8080, probeDeadlineMs: 45_000, lockTable: 'whyping-locks' });
    expect(loadConfig({ PORT: ' ', WHYPING_PROBE_TIMEOUT_S: '', WHYPING_LOCK_TABLE: '' })).toMatchObject({
      port: 3000,
      probeDeadlineMs: 20_000,
    });
    expect(loadConfig({ WHYPING_LOCK_TABLE: '' }).lockTable).toBeUndefined();
    expect(loadConfig({}).historyDays).toBe(7);
    expect(loadConfig({ WHYPING_HISTORY_DAYS: ' 90 ' }).historyDays).toBe(90);
    expect(loadConfig({ WHYPING_HISTORY_DAYS: '0' }).historyDays).toBe(0);
    expect(() => loadConfig({ WHYPING_ROLE_ARN: ' arn:aws:iam::123456789012:role/ops/whyping-read ' })).not.toThrow();
  });

  it.each([
    [
      'WHYPING_ROLE_ARN',
      'whyping-read',
      'WHYPING_ROLE_ARN has an invalid value (an IAM role ARN: arn:aws:iam::123456789012:role/Name).',
    ],
    ['PORT', 'http', 'PORT has an invalid value (use a port from 1 to 65535).'],
    ['PORT', '70000', 'PORT has an invalid value (use a port from 1 to 65535).'],
    ['PORT', '0', 'PORT has an invalid value (use a port from 1 to 65535).'],
    ['WHYPING_PROBE_TIMEOUT_S', 'soon', 'WHYPING_PROBE_TIMEOUT_S has an invalid value (use a number of seconds).'],
    ['WHYPING_PROBE_TIMEOUT_S', '2.5', 'WHYPING_PROBE_TIMEOUT_S has an invalid value (use a whole number of seconds).'],
    ['WHYPING_PROBE_TIMEOUT_S', '1', 'WHYPING_PROBE_TIMEOUT_S has an invalid value (use 5 to 600 seconds).'],
    ['WHYPING_HISTORY_DAYS', 'week', 'WHYPING_HISTORY_DAYS has an invalid value (use a number of days).'],
    [
      'WHYPING_HISTORY_DAYS',
      '-1',
      'WHYPING_HISTORY_DAYS has an invalid value (use 1 to 90 days, or 0 for no history in the shell and Slack).',
    ],
    [
      'WHYPING_HISTORY_DAYS',
      '91',
      "WHYPING_HISTORY_DAYS has an invalid value (use 1 to 90 days (CloudTrail's event history keeps 90)).",
    ],
    [
      'WHYPING_LOCK_TABLE',
      'my table',
      'WHYPING_LOCK_TABLE has an invalid value (a DynamoDB table name: 3 to 255 letters, digits, _ - or .).',
    ],
  ])('refuses %s=%s in one line that names it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

describe('loadSlackConfig', () => {
  const slack = (env: NodeJS.ProcessEnv) => loadSlackConfig(loadConfig(env));
  const base = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'secret' };
  it('reads the Slack settings, with the probers defaulting to the fixers', () => {
    const c = slack({ ...base, WHYPING_FIXERS: 'U111, S222', WHYPING_CHANNELS: 'C333', PORT: '8080' });
    expect(c).toMatchObject({ fixers: ['U111', 'S222'], probers: ['U111', 'S222'], channels: ['C333'], port: 8080 });
    expect(c.appToken).toBeUndefined();
    expect(slack({ ...base, WHYPING_PROBERS: 'U9AB' }).probers).toEqual(['U9AB']);
  });
  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, /^SLACK_BOT_TOKEN must be a bot token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /^SLACK_SIGNING_SECRET is required over HTTP/],
    [{ ...base, SLACK_APP_TOKEN: 'xoxb-2' }, /^SLACK_APP_TOKEN must be an app-level token/],
    [{ ...base, PORT: 'eighty' }, /^PORT has an invalid value/],
    [{ ...base, SLACK_API_URL: 'ftp://x' }, /^SLACK_API_URL must be an http\(s\) URL ending in \//],
    [{ ...base, WHYPING_FIX_ROLE_ARN: 'admin' }, /^WHYPING_FIX_ROLE_ARN must be an IAM role ARN/],
    [{ ...base, WHYPING_CHANNELS: 'general' }, /^WHYPING_CHANNELS has an invalid entry "general"/],
  ])('refuses %o in one line naming the variable', (env, message) => {
    expect(() => slack(env)).toThrow(message);
  });
  it('takes Socket Mode without a signing secret', () => {
    expect(slack({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A' }).appToken).toBe('xapp-1-A');
  });
});

describe('the README', () => {
  it('documents every variable the configuration reads', () => {
    const root = join(import.meta.dirname, '../..');
    const source = readFileSync(join(root, 'src/config.ts'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const read = [
      ...new Set([...source.matchAll(/\b((?:WHYPING|SLACK|AWS)_[A-Z_]+|PORT|NO_COLOR)\b/g)].map((m) => m[1])),
    ];
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });
});
