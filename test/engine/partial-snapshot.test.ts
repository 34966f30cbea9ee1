/**
 * Snapshots that hold only part of what decides a packet: one side of a transit gateway peering (the peer's account or
 * region was not exported), or some of an interface's security groups. What is missing may allow the packet, so the
 * answer is "not analyzed" there, never a blocker the missing part may not have. Data: batfish/lab-validation
 * aws_tgw_peering (Apache-2.0; see test/fixtures/corpora/README.md) and the test builder's worlds.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import { buildSnapshot, loadSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { ask as askWorld } from './helpers.js';

const LAB = join(import.meta.dirname, '../fixtures/corpora/lab-validation/snapshots/aws_tgw_peering/aws_configs');
const ACCOUNT = 'accounts/028403472736';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The lab with only `region` of its account. */
function oneRegion(region: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'whyping-partial-'));
  dirs.push(dir);
  cpSync(join(LAB, ACCOUNT, region), join(dir, 'aws_configs', ACCOUNT, region), { recursive: true });
  return join(dir, 'aws_configs');
}

function ask(path: string, from: string, to: string) {
  const s = loadSnapshot(path);
  const q = { from, to, protocol: 'icmp' as const, port: null };
  return diagnose(s, q, resolveEndpoints(s, from, to));
}

describe('a transit gateway peering whose far side the snapshot does not hold', () => {
  it('is reachable with both regions (the measured answer)', () => {
    expect(ask(LAB, '10.1.1.100', '10.3.1.100').reachable).toBe(true);
  });

  it('stops at the far gateway as not analyzed, with no blocker, when only the near region is there', () => {
    const d = ask(oneRegion('us-east-1'), '10.1.1.100', '10.3.1.100');
    expect(d.reachable).toBeNull();
    expect(d.findings.map((f) => f.code)).toEqual([]);
    expect(d.notAnalyzed).toMatchObject({ component: 'transit-gateway' });
    expect(d.notAnalyzed?.reason).toMatch(/^tgw-\w+, the far side of peering tgw-attach-\w+, is not in the snapshot$/);
  });
});

describe('an interface with a security group the snapshot does not hold', () => {
  // db is in two groups: db-sg allows only SSH, and audit-sg (which the export missed) may allow ping.
  const world = () =>
    new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addSecurityGroup('db-sg', { vpc: 'main', ingress: [{ protocol: 'tcp', from: 22, to: 22, peer: '10.0.0.0/16' }] })
      .addSecurityGroup('audit-sg', { vpc: 'main' })
      .addInstance('db', { subnet: 'app', ip: '10.0.2.20', groups: ['db-sg', 'audit-sg'] });
  /** The world with `groups` left out of its SecurityGroups. */
  const without = (w: SnapshotBuilder, ...groups: string[]) => {
    const gone = new Set(groups.map((g) => w.id(g, 'sg')));
    return buildSnapshot(
      w.build().map((f) => {
        const data = f.data as { SecurityGroups?: { GroupId: string }[] };
        if (!data.SecurityGroups) return f;
        return { ...f, data: { ...data, SecurityGroups: data.SecurityGroups.filter((g) => !gone.has(g.GroupId)) } };
      }),
    );
  };

  it('is denied when every group is there and none allows the packet', () => {
    const d = askWorld(world(), 'web', 'db');
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toEqual(['SG_INGRESS_DENIED']);
  });

  it('is not analyzed, with no blocker, when a group that may allow it is missing', () => {
    const w = world();
    const d = askWorld(without(w, 'audit-sg'), 'web', 'db');
    expect(d.reachable).toBeNull();
    expect(d.findings).toEqual([]);
    expect(d.notAnalyzed).toMatchObject({ component: 'security-group', id: w.id('audit-sg', 'sg') });
    expect(d.notAnalyzed?.reason).toBe(
      `${w.id('audit-sg', 'sg')} of ${w.id('db', 'eni')} is not in the snapshot, and no inbound rule of the others allows ICMP Echo Request from 10.0.1.10/32: whether it allows the packet is unknown`,
    );
  });

  it('is reachable when a group that is there allows it, whatever the missing one holds', () => {
    const w = world().allowTcp('db-sg', 5432, '10.0.1.0/24');
    const d = askWorld(without(w, 'audit-sg'), 'web', 'db', 'tcp', 5432);
    expect(d.reachable).toBe(true);
  });
});
