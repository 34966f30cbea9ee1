/**
 * Ends on a snapshot spanning accounts (aws_configs/accounts/<id>/<region>/): `X@account` pins an end to its account,
 * a Name in several accounts is taken in the other end's account when exactly one match lives there, else it is
 * ambiguous and the message lists where each match lives; an account the snapshot does not hold is named.
 */
import { describe, expect, it } from 'vitest';
import { resolveEnds } from '../../src/core/ends.js';
import { WhypingError } from '../../src/errors.js';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot } from '../../src/snapshot/index.js';

const A = '111122223333';
const B = '444455556666';
const C = '555566667777';
const APP_A = 'i-0a1b2c3d4e5f6071b';
const DB_B = 'i-0b2c3d4e5f6a7081c';
const files = createSandbox({ scenario: 'cross-account-peering' }).snapshotFiles();
const snap = buildSnapshot(files);

function thrown(f: () => unknown): WhypingError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WhypingError);
    return e as WhypingError;
  }
  throw new Error('expected an error');
}

/** The partner's documents again as account C, its ids renamed so each account's instance is its own. */
function withTwin(): ReturnType<typeof buildSnapshot> {
  const twin: RawSnapshotFile[] = files
    .filter((f) => f.accountId === B)
    .map((f) => ({
      ...f,
      accountId: C,
      path: `${C}/${f.path}`,
      data: JSON.parse(JSON.stringify(f.data).replaceAll('0b2c3d4e5f6a708', '0c3d4e5f6a7b809').replaceAll(B, C)),
    }));
  return buildSnapshot([...files, ...twin]);
}

describe('ends named with their account, offline', () => {
  it('an id, a Name or an address @account resolves there and keeps what was typed', () => {
    for (const to of [`${DB_B}@${B}`, `db-b@${B}`, `db-b@${B}/eu-west-1`, `10.20.1.20@${B}`]) {
      const ends = resolveEnds(snap, `app-a@${A}`, to);
      expect(ends.from.instanceId).toBe(APP_A);
      expect(ends.to.instanceId, to).toBe(DB_B);
      expect(ends.to.input).toBe(to);
    }
  });

  it('an end in another account than the one named: says where it is', () => {
    const e = thrown(() => resolveEnds(snap, 'app-a', `${DB_B}@${A}`));
    expect(e.code).toBe('UNKNOWN_ENDPOINT');
    expect(e.message).toBe(`${DB_B} is in account ${B} (eu-west-1), not in account ${A}.`);
    expect(thrown(() => resolveEnds(snap, 'app-a', `db-b@${A}`)).message).toContain(`it is in ${DB_B}@${B}`);
    expect(thrown(() => resolveEnds(snap, 'app-a', `10.20.1.20@${A}`)).message).toContain(
      `No interface of account ${A} holds 10.20.1.20`,
    );
  });

  it('an account the snapshot does not hold is named with those it holds', () => {
    const e = thrown(() => resolveEnds(snap, 'app-a', 'db-b@999988887777'));
    expect(e.message).toBe(`"db-b@999988887777": the snapshot holds no account 999988887777 (it holds ${A}, ${B}).`);
  });

  it('a Name in two accounts: ambiguous, listing each match with its account and region', () => {
    const s = withTwin();
    const e = thrown(() => resolveEnds(s, '10.99.9.9', 'db-b'));
    expect(e.code).toBe('AMBIGUOUS_ENDPOINT');
    expect(e.message).toContain(`db-b (${DB_B}) in account ${B} (eu-west-1)`);
    expect(e.message).toContain(`db-b (i-0c3d4e5f6a7b8091c) in account ${C} (eu-west-1)`);
    expect(e.message).toContain('db-b@');
    // Named with its account, the match there is taken.
    expect(resolveEnds(s, 'app-a', `db-b@${C}`).to.instanceId).toBe('i-0c3d4e5f6a7b8091c');
  });

  it("a Name in two accounts is taken in the other end's account when one match lives there", () => {
    const s = withTwin();
    // The other end (db-b's twin's own address) lives in C: db-b there is meant.
    const ends = resolveEnds(s, 'db-b', `i-0c3d4e5f6a7b8091c@${C}`);
    expect(ends.from.instanceId).toBe('i-0c3d4e5f6a7b8091c');
  });
});
