import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
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
      undoTtlHours: 168,
      awsTimeoutSeconds: 10,
      maxSnapshotMb: 4096,
      configDir: undefined,
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
});
