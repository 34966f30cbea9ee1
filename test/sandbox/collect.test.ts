/**
 * The live-AWS developer's collector against the sandbox: every command and filter it sends is answered, and the
 * snapshot it collects gives the same verdict as the sandbox's whole state.
 */
import { describe, expect, it } from 'vitest';
import { collectForQuery, collectSnapshot } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox, listScenarios, type Sandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

function verdict(files: RawSnapshotFile[], q: Query) {
  const s = buildSnapshot(files);
  const d = diagnose(s, q, resolveEndpoints(s, q.from, q.to));
  return { reachable: d.reachable, findings: d.findings.map((f) => `${f.code} ${f.direction} ${f.resource}`).sort() };
}

/** One query per scenario that shows its story (from → to). */
const QUERIES: Record<string, Query[]> = {
  'seed-lab': [
    { from: 'Instance - NextWork VPC 1', to: 'Instance - NextWork VPC 2', protocol: 'icmp', port: null },
    { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 },
    { from: '10.2.4.95', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 },
  ],
  'transitive-peering': [
    { from: 'app-a', to: 'db-c', protocol: 'icmp', port: null },
    { from: 'app-a', to: '10.20.1.10', protocol: 'tcp', port: 22 },
  ],
  'nacl-reply': [{ from: 'web-1', to: 'db-1', protocol: 'tcp', port: 5432 }],
  'blackhole-route': [{ from: 'worker-1', to: '8.8.8.8', protocol: 'icmp', port: null }],
  'host-firewall': [{ from: 'bastion', to: 'app-1', protocol: 'icmp', port: null }],
  'broken-nlb': [
    { from: '203.0.113.7', to: 'shop', protocol: 'tcp', port: 80 },
    { from: 'bastion', to: '10.0.1.50', protocol: 'tcp', port: 80 },
  ],
  // Two accounts and regions: the collector follows the peering into the partner account through its clients.
  'cross-account-peering': [
    { from: 'app-a', to: '10.20.1.20', protocol: 'icmp', port: null },
    { from: 'app-a', to: '10.20.1.20', protocol: 'tcp', port: 5432 },
  ],
};

function noErrors(sb: Sandbox) {
  return sb.calls.filter((c) => c.error);
}

describe('the collector against the sandbox', () => {
  it('covers every built-in scenario', () => {
    expect(Object.keys(QUERIES).sort()).toEqual(listScenarios());
  });

  for (const [scenario, queries] of Object.entries(QUERIES)) {
    for (const q of queries) {
      it(`collects ${scenario}: ${q.from} → ${q.to} ${q.protocol} with every call answered and the same verdict`, async () => {
        const sb = createSandbox({ scenario });
        const { files, stats } = await collectForQuery(sb.clients.ec2, q, {
          region: sb.region,
          logger: silentLogger,
          elb: sb.clients.elbv2,
          ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
        });
        expect(noErrors(sb)).toEqual([]);
        // The EC2 reader counts its own calls; load balancer reads (only when a question involves one) come besides.
        expect(stats.calls).toBe(sb.calls.filter((c) => c.service === 'ec2').length);
        expect(verdict(files, q)).toEqual(verdict(sb.snapshotFiles(), q));
      });
    }
  }

  it('collects a whole-region snapshot that gives the seed lab verdict', async () => {
    const sb = createSandbox();
    const { files } = await collectSnapshot(
      sb.clients.ec2,
      { vpcIds: [], instanceIds: [] },
      { region: sb.region, logger: silentLogger },
    );
    expect(noErrors(sb)).toEqual([]);
    const q = QUERIES['seed-lab']?.[0] as Query;
    expect(verdict(files, q)).toEqual(verdict(sb.snapshotFiles(), q));
    expect(new Set(sb.calls.map((c) => c.operation)).size).toBeGreaterThan(5);
  });
});
