/**
 * Ends named in another account (issue 17), live against the sandbox whose clients are per account and region: an end
 * naming its account is looked up there through that account's role and collected there; one naming none is looked
 * up at home, then in the accounts configured by name; unknown accounts, accounts with no role and names found in
 * several accounts are refused with what to do.
 */
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { resolveEnds } from '../../src/core/ends.js';
import { diagnose } from '../../src/engine/index.js';
import { WhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildSnapshot } from '../../src/snapshot/index.js';

const A = '111122223333';
const B = '444455556666';
const C = '555566667777';
const DB_B = 'i-0b2c3d4e5f6a7081c';

function collect(sb: Sandbox, query: Query) {
  return collectForQuery(sb.clients.ec2, query, {
    region: 'us-east-1',
    logger: silentLogger,
    ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
  });
}

const q = (from: string, to: string): Query => ({ from, to, protocol: 'icmp', port: null });

async function failure(p: Promise<unknown>): Promise<WhypingError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WhypingError);
  return e as WhypingError;
}

describe('an end that lives in another account, live', () => {
  it('db-b@444455556666/eu-west-1 is looked up in that account and region and answers as its address does', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const got = await collect(sb, q('app-a', `db-b@${B}/eu-west-1`));
    // The Name was asked of B in eu-west-1 (through its role), never guessed at home.
    const partner = sb.sites?.get(`${B}/eu-west-1`)?.calls ?? [];
    expect(partner.some((c) => c.operation === 'DescribeInstances')).toBe(true);
    expect(got.unread).toEqual([]);
    const s = buildSnapshot(got.files);
    const ends = resolveEnds(s, 'app-a', `db-b@${B}/eu-west-1`);
    expect(ends.to).toMatchObject({ kind: 'instance', instanceId: DB_B, input: `db-b@${B}/eu-west-1` });
    const d = diagnose(s, q('app-a', `db-b@${B}/eu-west-1`), ends);
    // The same three blockers as the question asked by address (test/collect/accounts.integ.test.ts).
    expect(d.findings.map((f) => f.code).sort()).toEqual(['NO_ROUTE', 'NO_ROUTE', 'PEERING_NOT_ACTIVE']);
    // The far end is collected in its own account and region.
    expect(got.files.some((f) => f.accountId === B && f.region === 'eu-west-1')).toBe(true);
  });

  it('the source may live in the other account: db-b@… → app-a crosses back into the home account', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const got = await collect(sb, q(`${DB_B}@${B}/eu-west-1`, 'app-a'));
    const s = buildSnapshot(got.files);
    const d = diagnose(s, q(DB_B, 'app-a'), resolveEnds(s, `${DB_B}@${B}/eu-west-1`, 'app-a'));
    expect(d.endpoints.from.instanceId).toBe(DB_B);
    expect(d.findings.map((f) => f.code).sort()).toEqual(['NO_ROUTE', 'NO_ROUTE', 'PEERING_NOT_ACTIVE']);
  });

  it('an account with no role configured: refused, naming the variables to set; nothing asked of it', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering', noRoleAccounts: [B] });
    const e = await failure(collect(sb, q('app-a', `db-b@${B}/eu-west-1`)));
    expect(e.message).toContain(`no role is configured for account ${B}`);
    expect(e.message).toContain('WHYPING_ACCOUNT_ROLE=');
    expect(sb.sites?.get(`${B}/eu-west-1`)?.calls).toEqual([]);
  });

  it('not found in the account named: says which account and how to name another region', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const e = await failure(collect(sb, q('app-a', `db-b@${B}`)));
    expect(e.code).toBe('UNKNOWN_ENDPOINT');
    expect(e.message).toContain(`No instance is named "db-b" in us-east-1 (account ${B})`);
    expect(e.message).toContain(`db-b@${B}/<region>`);
  });

  it('a Name in no account asked is looked for where the path goes: db-b beyond the peering, in eu-west-1', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const got = await collect(sb, q('app-a', 'db-b'));
    const s = buildSnapshot(got.files);
    const ends = resolveEnds(s, 'app-a', 'db-b');
    expect(ends.to.instanceId).toBe(DB_B);
    const d = diagnose(s, q('app-a', 'db-b'), ends);
    expect(d.findings.map((f) => f.code).sort()).toEqual(['NO_ROUTE', 'NO_ROUTE', 'PEERING_NOT_ACTIVE']);
    // Found nowhere, even along the path: the answer is still "not found", naming where it looked.
    const e = await failure(collect(createSandbox({ scenario: 'cross-account-peering' }), q('app-a', 'db-zz')));
    expect(e.code).toBe('UNKNOWN_ENDPOINT');
    expect(e.message).toContain('No instance is named "db-zz"');
  });

  it('ends found at home cost no lookup elsewhere: the figures of docs/benchmarks.md stay as they were', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const got = await collect(sb, q('app-a', '10.20.1.20'));
    expect({ calls: got.stats.calls, rounds: got.stats.rounds }).toEqual({ calls: 24, rounds: 5 });
  });
});

/** The scenario's partner documents loaded as accounts B and C in us-east-1 (the same Name in both). */
function twoPartners(): Sandbox {
  const files = createSandbox({ scenario: 'cross-account-peering' }).snapshotFiles();
  const home = files.filter((f) => f.accountId === A);
  const partner = files.filter((f) => f.accountId === B);
  const as = (account: string): RawSnapshotFile[] =>
    partner.map((f) => ({ ...f, accountId: account, region: 'us-east-1', path: `${account}/${f.path}` }));
  return createSandbox({ files: [...home, ...as(B), ...as(C)], homeAccount: A });
}

describe('a Name not found at home, looked up in the accounts configured by name', () => {
  it('found in two accounts: ambiguous, listing where each match lives and how to name one', async () => {
    const e = await failure(collect(twoPartners(), q('app-a', 'db-b')));
    expect(e.code).toBe('AMBIGUOUS_ENDPOINT');
    expect(e.message).toContain(`${DB_B} in account ${B} (us-east-1)`);
    expect(e.message).toContain(`${DB_B} in account ${C} (us-east-1)`);
    expect(e.message).toContain(`db-b@${B}`);
  });

  it('named with its account (--to-account writes the same), the match in that account is taken', async () => {
    const sb = twoPartners();
    const got = await collect(sb, q('app-a', `db-b@${C}`));
    expect(sb.sites?.get(`${C}/us-east-1`)?.calls.some((c) => c.operation === 'DescribeInstances')).toBe(true);
    expect(got.files.some((f) => f.accountId === C)).toBe(true);
  });
});
