/**
 * Following a path across accounts and regions (issue 17) against the sandbox, whose clients are per account and
 * region as real ones are: the far side of a cross-account, cross-region peering is read through that account's
 * clients and scoped like the near side; a side that cannot be read is named, with what to grant, and never guessed.
 */
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { withUnread } from '../../src/core/unread.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

const A = '111122223333';
const B = '444455556666';
const q: Query = { from: 'app-a', to: '10.20.1.20', protocol: 'icmp', port: null };

function answer(files: RawSnapshotFile[], query: Query) {
  const s = buildSnapshot(files);
  return diagnose(s, query, resolveEndpoints(s, query.from, query.to));
}

describe('a path across accounts and regions', () => {
  it('reads the partner account in its own region through its clients, and answers as the whole scenario does', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    expect([...(sb.sites?.keys() ?? [])]).toEqual([`${A}/us-east-1`, `${B}/eu-west-1`]);
    const got = await collectForQuery(sb.clients.ec2, q, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
    });
    expect(got.unread).toEqual([]);
    // Each document says which account and region it came from (the per-account layout of a snapshot).
    expect(new Set(got.files.map((f) => `${f.accountId}/${f.region}`))).toEqual(
      new Set([`${A}/us-east-1`, `${B}/eu-west-1`]),
    );
    const d = answer(got.files, q);
    const whole = answer(sb.snapshotFiles(), q);
    expect(d.findings.map((f) => `${f.code} ${f.direction} ${f.resource}`)).toEqual(
      whole.findings.map((f) => `${f.code} ${f.direction} ${f.resource}`),
    );
    expect(d.findings.map((f) => f.code).sort()).toEqual(['NO_ROUTE', 'NO_ROUTE', 'PEERING_NOT_ACTIVE']);
    // Every call was answered by the account and region it was sent to: the partner's route table came from B.
    expect(sb.calls.filter((c) => c.error)).toEqual([]);
    expect(got.stats.calls).toBe(sb.calls.filter((c) => c.service === 'ec2').length);
    const partnerTables = sb.sites?.get(`${B}/eu-west-1`)?.calls ?? [];
    expect(partnerTables.some((c) => c.operation === 'DescribeRouteTables')).toBe(true);
    // The far side is scoped like the near one: at most 5 rounds and about two dozen calls for two accounts.
    expect(got.stats.rounds).toBeLessThanOrEqual(5);
    expect(got.stats.calls).toBeLessThanOrEqual(26);
  });

  it('with no role for the partner account: names the unread part and what to set, keeps the near blocker', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering', noRoleAccounts: [B] });
    const got = await collectForQuery(sb.clients.ec2, q, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
    });
    expect(got.unread).toHaveLength(1);
    expect(got.unread[0]).toMatchObject({
      account: B,
      region: 'eu-west-1',
      vpcs: ['vpc-0b2c3d4e5f6a70819'],
      via: ['pcx-0c1d2e3f4a5b60718'],
    });
    expect(got.unread[0]?.reason).toContain('WHYPING_ACCOUNT_ROLE');
    // Nothing was asked of the partner account.
    expect(sb.sites?.get(`${B}/eu-west-1`)?.calls).toEqual([]);
    const d = withUnread(answer(got.files, q), got.unread);
    // What was read already shows a blocker (no route on the near side): false, and the unread part is named.
    expect(d.reachable).toBe(false);
    expect(d.notAnalyzed).toMatchObject({ component: 'account', id: `${B}/eu-west-1` });
    expect(d.notAnalyzed?.reason).toContain('Not read: vpc-0b2c3d4e5f6a70819 in account 444455556666 (eu-west-1)');
    expect(d.warnings.join('\n')).toContain('WHYPING_ACCOUNT_ROLES=444455556666=');
    // Everything that was read is still shown.
    expect(d.forward.some((h) => h.id === 'rtb-0a1b2c3d4e5f6071a')).toBe(true);
  });

  it('a far side that refuses the reads (AccessDenied): what to grant, and the verdict beyond is not guessed', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    sb.sites?.get(`${B}/eu-west-1`)?.state.deniedActions.add('ec2:Describe*');
    const got = await collectForQuery(sb.clients.ec2, q, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
    });
    expect(got.unread).toHaveLength(1);
    expect(got.unread[0]?.reason).toMatch(
      /arn:aws:iam::444455556666:role\/whyping-read in account 444455556666 may not call ec2:Describe\w+ in eu-west-1 \(AWS UnauthorizedOperation\): attach iam\/readonly.json to it/,
    );
    const d = withUnread(answer(got.files, q), got.unread);
    expect(d.notAnalyzed?.id).toBe(`${B}/eu-west-1`);
  });

  it('a question that stays in one account reads nothing elsewhere', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const got = await collectForQuery(
      sb.clients.ec2,
      { from: 'app-a', to: '10.10.1.10', protocol: 'icmp', port: null },
      { region: 'us-east-1', logger: silentLogger, ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}) },
    );
    // The partner VPC's record is read (its CIDRs say the endpoint is not there), nothing more.
    const partner = sb.sites?.get(`${B}/eu-west-1`)?.calls.map((c) => c.operation) ?? [];
    expect(partner.filter((op) => op !== 'DescribeVpcs')).toEqual([]);
    expect(got.unread).toEqual([]);
  });
});

describe('exporting a collection that spans accounts and regions', () => {
  it('writes aws_configs/accounts/<id>/<region>/ and the export gives the live answer', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeSnapshot, collectSnapshot } = await import('../../src/collect/index.js');
    const { readSnapshotFiles } = await import('../../src/snapshot/index.js');
    const sb = createSandbox({ scenario: 'cross-account-peering' });
    const accounts = sb.clients.accounts ? { accounts: sb.clients.accounts } : {};
    const live = await collectForQuery(sb.clients.ec2, q, { region: 'us-east-1', logger: silentLogger, ...accounts });
    const dir = mkdtempSync(join(tmpdir(), 'whyping-accounts-'));
    try {
      const paths = await writeSnapshot(live.files, dir);
      expect(paths.some((p) => p.includes(`aws_configs/accounts/${A}/us-east-1/RouteTables.json`))).toBe(true);
      expect(paths.some((p) => p.includes(`aws_configs/accounts/${B}/eu-west-1/RouteTables.json`))).toBe(true);
      const exported = answer(readSnapshotFiles(dir), q);
      const asked = answer(live.files, q);
      expect(exported.reachable).toBe(asked.reachable);
      expect(exported.findings.map((f) => `${f.code} ${f.resource}`)).toEqual(
        asked.findings.map((f) => `${f.code} ${f.resource}`),
      );
      // `whyping snapshot` of the home VPC follows the peering too and exports both accounts.
      const snap = await collectSnapshot(
        sb.clients.ec2,
        { vpcIds: ['vpc-0a1b2c3d4e5f60718'], instanceIds: [] },
        { region: 'us-east-1', logger: silentLogger, ...accounts },
      );
      expect(new Set(snap.files.map((f) => f.accountId))).toEqual(new Set([A, B]));
      expect(answer(snap.files, q).findings.map((f) => `${f.code} ${f.resource}`)).toEqual(
        asked.findings.map((f) => `${f.code} ${f.resource}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
