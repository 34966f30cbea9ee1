/**
 * Transit gateway peering into another region and account, live against the sandbox (one sandbox per account and
 * region, loaded with the lab-validation snapshot aws_tgw_peering, test/fixtures/corpora): the peering's record
 * (DescribeTransitGatewayPeeringAttachments) names the peer's owner and region, and the far gateway's tables and
 * attached VPCs are read there through that account's clients; a far side that cannot be read is named, never guessed.
 * A public address owned by another account or region is that instance, not a host on the internet.
 */
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { withUnread } from '../../src/core/unread.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, readSnapshotFiles, resolveEndpoints } from '../../src/snapshot/index.js';

const LAB = new URL('../fixtures/corpora/lab-validation/snapshots/aws_tgw_peering/aws_configs', import.meta.url);
const files = readSnapshotFiles(LAB.pathname);
const HOME = '028403472736';
const OTHER = '951601349076';
// The home transit gateway's peering attachment to the other account's gateway (us-east-2).
const PEERING = 'tgw-attach-084b68f4a40b12383';

function answer(fs: RawSnapshotFile[], q: Query) {
  const s = buildSnapshot(fs);
  return diagnose(s, q, resolveEndpoints(s, q.from, q.to));
}
const codes = (d: ReturnType<typeof answer>) => d.findings.map((f) => `${f.code} ${f.direction} ${f.resource}`).sort();

function collect(sb: Sandbox, q: Query) {
  return collectForQuery(sb.clients.ec2, q, {
    region: sb.region,
    logger: silentLogger,
    ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
  });
}

const calls = (sb: Sandbox, key: string) => (sb.sites?.get(key)?.calls ?? []).map((c) => c.operation);

describe('a path over a transit gateway peering into another account and region', () => {
  it("reads the peer gateway's tables and the far VPC in us-east-2 through that account, and answers as the whole lab", async () => {
    const sb = createSandbox({ files, homeAccount: HOME });
    expect(sb.region).toBe('us-east-1');
    const q: Query = { from: 'account-web01', to: '10.2.1.100', protocol: 'icmp', port: null };
    const got = await collect(sb, q);
    expect(got.unread).toEqual([]);
    expect(sb.calls.filter((c) => c.error)).toEqual([]);
    // The near side asked for the peering's record; the far side answered for its gateway, tables and VPC.
    expect(calls(sb, `${HOME}/us-east-1`)).toContain('DescribeTransitGatewayPeeringAttachments');
    const far = calls(sb, `${OTHER}/us-east-2`);
    for (const op of [
      'DescribeTransitGateways',
      'SearchTransitGatewayRoutes',
      'DescribeRouteTables',
      'DescribeNetworkAcls',
    ])
      expect(far, op).toContain(op);
    const d = answer(got.files, q);
    const whole = answer(files, q);
    expect({ reachable: d.reachable, findings: codes(d) }).toEqual({
      reachable: whole.reachable,
      findings: codes(whole),
    });
    // observed.json: 10.1.1.100 → 10.2.1.100 ping replies.
    expect(d.reachable).toBe(true);
    // Scoped like the near side: the far reads are a few dozen calls, not the other account's whole region.
    expect(got.stats.calls).toBeLessThanOrEqual(60);
    expect(got.stats.rounds).toBeLessThanOrEqual(8);
  });

  it('with no role for the peer account: the far side is named (the peering that leads there), never guessed', async () => {
    const sb = createSandbox({ files, homeAccount: HOME, noRoleAccounts: [OTHER] });
    const q: Query = { from: 'account-web01', to: '10.2.1.100', protocol: 'icmp', port: null };
    const got = await collect(sb, q);
    expect(calls(sb, `${OTHER}/us-east-2`)).toEqual([]);
    const part = got.unread.find((u) => u.account === OTHER);
    expect(part).toMatchObject({ region: 'us-east-2', via: [PEERING] });
    expect(part?.reason).toContain('WHYPING_ACCOUNT_ROLE');
    const d = withUnread(answer(got.files, q), got.unread);
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed).toMatchObject({ component: 'account', id: `${OTHER}/us-east-2` });
  });
});

describe('a public address owned by another account or region', () => {
  for (const [to, owner] of [
    ['3.22.74.215', `${OTHER}/us-east-2`],
    ['13.57.48.186', `${HOME}/us-west-1`],
  ] as const) {
    it(`${to} is the instance holding it in ${owner}, not a host on the internet`, async () => {
      const sb = createSandbox({ files, homeAccount: HOME });
      const q: Query = { from: 'account-web01', to, protocol: 'tcp', port: 22 };
      const got = await collect(sb, q);
      const d = answer(got.files, q);
      expect(d.endpoints.to.kind).not.toBe('internet');
      expect(d.endpoints.to.instanceId).toMatch(/^i-/);
      const whole = answer(files, q);
      // observed.json: nmap says filtered, and the whole lab agrees (the instance's group drops it).
      expect({ reachable: d.reachable, findings: codes(d) }).toEqual({
        reachable: whole.reachable,
        findings: codes(whole),
      });
      expect(d.reachable).toBe(false);
      expect(calls(sb, owner)).toContain('DescribeNetworkInterfaces');
    });
  }
});
