import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { resolveUndoSecret, UNDO_KEY_FILE } from '../../src/core/secret.js';
import { isWhypingError } from '../../src/errors.js';

const tempConfig = () => mkdtempSync(join(tmpdir(), 'whyping-secret-'));

function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isWhypingError(e, 'BAD_INPUT')) return e.message;
    throw e;
  }
  return 'no error';
}

describe('resolveUndoSecret', () => {
  it('uses WHYPING_SECRET in every mode when it is set', () => {
    const c = loadConfig({
      WHYPING_SECRET: 'x'.repeat(40),
      SLACK_SIGNING_SECRET: 'signing',
      XDG_CONFIG_HOME: tempConfig(),
    });
    expect(resolveUndoSecret(c, 'slack')).toEqual(Buffer.from('x'.repeat(40)));
    expect(resolveUndoSecret(c, 'local')).toEqual(Buffer.from('x'.repeat(40)));
  });

  it('derives the Slack key from the signing secret: the same for every replica, never the secret itself', () => {
    const a = resolveUndoSecret(loadConfig({ SLACK_SIGNING_SECRET: 'abc123' }), 'slack');
    const b = resolveUndoSecret(loadConfig({ SLACK_SIGNING_SECRET: 'abc123' }), 'slack');
    const other = resolveUndoSecret(loadConfig({ SLACK_SIGNING_SECRET: 'abc124' }), 'slack');
    expect(a).toHaveLength(32);
    expect(a).toEqual(b);
    expect(a).not.toEqual(other);
    expect(a.toString('utf8')).not.toContain('abc123');
  });

  it('requires WHYPING_SECRET in Socket Mode without a signing secret, naming the variable', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    const why = failure(() => resolveUndoSecret(c, 'slack'));
    expect(why).toContain('Socket Mode');
    expect(why).toContain('WHYPING_SECRET');
  });

  it('generates the shell/CLI key on first use, keeps it mode 0600 in the config folder, and reads it back', () => {
    const dir = tempConfig();
    const c = loadConfig({ XDG_CONFIG_HOME: dir });
    const first = resolveUndoSecret(c, 'local');
    const path = join(dir, 'whyping', UNDO_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first).toHaveLength(32);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.toString('hex'));
    expect(resolveUndoSecret(c, 'local')).toEqual(first);
  });

  it('falls back to ~/.config/whyping when XDG_CONFIG_HOME is unset', () => {
    const home = tempConfig();
    resolveUndoSecret(loadConfig({ HOME: home }), 'local');
    expect(statSync(join(home, '.config', 'whyping', UNDO_KEY_FILE)).isFile()).toBe(true);
  });

  it('refuses a key file other users can read, and one that holds no key', () => {
    const dir = tempConfig();
    const c = loadConfig({ XDG_CONFIG_HOME: dir });
    resolveUndoSecret(c, 'local');
    const path = join(dir, 'whyping', UNDO_KEY_FILE);
    chmodSync(path, 0o644);
    expect(failure(() => resolveUndoSecret(c, 'local'))).toContain('chmod 600');
    writeFileSync(path, 'not a key\n', { mode: 0o600 });
    chmodSync(path, 0o600);
    expect(failure(() => resolveUndoSecret(c, 'local'))).toContain('does not hold a whyping key');
  });
});
