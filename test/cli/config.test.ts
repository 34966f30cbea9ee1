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
    });
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
});

describe('loadSlackConfig', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'secret' };
  it('reads the Slack settings, with the probers defaulting to the fixers', () => {
    const c = loadSlackConfig({ ...base, WHYPING_FIXERS: 'U111, S222', WHYPING_CHANNELS: 'C333', PORT: '0' });
    expect(c).toMatchObject({ fixers: ['U111', 'S222'], probers: ['U111', 'S222'], channels: ['C333'], port: 0 });
    expect(c.appToken).toBeUndefined();
    expect(loadSlackConfig({ ...base, WHYPING_PROBERS: 'U9AB' }).probers).toEqual(['U9AB']);
  });
  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, /^SLACK_BOT_TOKEN must be a bot token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /^SLACK_SIGNING_SECRET is required over HTTP/],
    [{ ...base, SLACK_APP_TOKEN: 'xoxb-2' }, /^SLACK_APP_TOKEN must be an app-level token/],
    [{ ...base, PORT: 'eighty' }, /^PORT must be a port number/],
    [{ ...base, SLACK_API_URL: 'ftp://x' }, /^SLACK_API_URL must be an http\(s\) URL ending in \//],
    [{ ...base, WHYPING_FIX_ROLE_ARN: 'admin' }, /^WHYPING_FIX_ROLE_ARN must be an IAM role ARN/],
    [{ ...base, WHYPING_CHANNELS: 'general' }, /^WHYPING_CHANNELS has an invalid entry "general"/],
  ])('refuses %o in one line naming the variable', (env, message) => {
    expect(() => loadSlackConfig(env)).toThrow(message);
  });
  it('takes Socket Mode without a signing secret', () => {
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A' }).appToken).toBe('xapp-1-A');
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
