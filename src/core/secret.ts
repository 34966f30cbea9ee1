/**
 * The key that authenticates undo tokens (HMAC-SHA256, src/fix/undo.ts). Every front end gets it from
 * `resolveUndoSecret`, so a token made by one process is accepted by any other process configured alike.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { WhypingError } from '../errors.js';

/** The part of the validated configuration (src/config.ts `Config`) the undo key depends on. */
export interface UndoKeyConfig {
  /** WHYPING_SECRET. */
  undoSecret?: string;
  slack: { signingSecret?: string; appToken?: string };
  /** $XDG_CONFIG_HOME/whyping or ~/.config/whyping. */
  configDir: string | undefined;
}

/** The file that keeps the shell's and the CLI's generated key, inside the config folder. */
export const UNDO_KEY_FILE = 'undo-key';

/** The label that separates the undo key from every other use of the Slack signing secret. */
const SLACK_DERIVATION_LABEL = 'whyping undo token key v1';

/**
 * Resolves the 32-byte key of undo tokens.
 *
 * - `WHYPING_SECRET` when set: the same key in every mode (set it when several replicas or the shell and Slack must
 *   accept each other's tokens).
 * - `mode: 'slack'` (the Slack app), WHYPING_SECRET unset: HKDF-SHA256 of `SLACK_SIGNING_SECRET` with a fixed label,
 *   so every replica of one Slack app derives the same key and rotating the signing secret voids old tokens. Without
 *   a signing secret (Socket Mode needs none) this throws BAD_INPUT naming WHYPING_SECRET.
 * - `mode: 'local'` (the shell and the CLI), WHYPING_SECRET unset: 32 random bytes generated on first use and kept in
 *   `<configDir>/undo-key` (folder 0700, file 0600). A key file that others may read is refused.
 */
export function resolveUndoSecret(config: UndoKeyConfig, mode: 'slack' | 'local'): Buffer {
  if (config.undoSecret) return Buffer.from(config.undoSecret, 'utf8');
  if (mode === 'slack') {
    const signing = config.slack.signingSecret;
    if (!signing) {
      const where = config.slack.appToken ? 'Socket Mode runs without SLACK_SIGNING_SECRET, so ' : '';
      throw new WhypingError(
        'BAD_INPUT',
        `${where}undo tokens need a key: set WHYPING_SECRET (at least 32 characters, e.g. \`openssl rand -hex 32\`).`,
        { variable: 'WHYPING_SECRET' },
      );
    }
    return Buffer.from(hkdfSync('sha256', signing, Buffer.alloc(0), SLACK_DERIVATION_LABEL, 32));
  }
  return localKey(config.configDir);
}

function localKey(dir: string | undefined): Buffer {
  if (!dir) {
    throw new WhypingError(
      'BAD_INPUT',
      'Undo tokens need a key and there is no folder to keep one in: set WHYPING_SECRET, or HOME / XDG_CONFIG_HOME.',
      { variable: 'WHYPING_SECRET' },
    );
  }
  const path = `${dir}/${UNDO_KEY_FILE}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      // 'wx' fails when the file exists: two first runs at once keep one key (the loser reads the winner's).
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
      } finally {
        closeSync(fd);
      }
      chmodSync(path, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new WhypingError('BAD_INPUT', `${path} is not a regular file; remove it.`);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        throw new WhypingError(
          'BAD_INPUT',
          `${path} can be read by other users: run \`chmod 600 ${path}\` (or remove it to make a new key).`,
        );
      }
      const text = readFileSync(fd, 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(text)) {
        throw new WhypingError('BAD_INPUT', `${path} does not hold a whyping key; remove it to make a new one.`);
      }
      return Buffer.from(text, 'hex');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof WhypingError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new WhypingError(
      'BAD_INPUT',
      `Cannot keep the undo key in ${path} (${code}): set WHYPING_SECRET, or make ${dir} writable.`,
      { variable: 'WHYPING_SECRET' },
    );
  }
}
