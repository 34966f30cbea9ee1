/** Batfish's single-object AWS fixtures (one NACL, one SG, one route table …): each loads and reads as the console. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { readSnapshotFiles } from '../../src/snapshot/read.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'corpora', 'batfish', 'representation', 'aws');
const load = (name: string): Snapshot => buildSnapshot(readSnapshotFiles(join(DIR, name)));

describe('Batfish single-object fixtures', () => {
  const names = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it.each(names)('%s loads', (name) => {
    const s = load(name);
    expect(s.presentKeys.size).toBe(1);
  });

  it('reads ICMP NACL entries with type and code', () => {
    const acl = [...load('NetworkAclIcmpTest.json').networkAcls.values()][0];
    expect(acl?.entries.map((e) => e.text)).toEqual([
      '100 ICMP ALL 0.0.0.0/0 ALLOW',
      '200 ICMP Echo Reply (0/1) 0.0.0.0/0 ALLOW',
    ]);
    expect(acl?.entries[1]?.icmp).toEqual({ type: 0, code: 1 });
  });

  it('reads IPv6 NACL entries and IPv6 local routes', () => {
    expect([...load('NetworkAclV6Test.json').networkAcls.values()][0]?.entries[0]).toMatchObject({
      cidr: '::/0',
      text: '100 ALL ALL ::/0 ALLOW',
    });
    expect([...load('RouteV6TableTest.json').routeTables.values()][0]?.routes[0]).toMatchObject({
      destination: { kind: 'cidr', cidr: '2600:1f16:751:7800::/56' },
      target: { kind: 'local' },
      text: '2600:1f16:751:7800::/56 → local',
    });
  });

  it('words security group port ranges, open-ended -1 bounds included', () => {
    const texts = [...load('SecurityGroupTest.json').securityGroups.values()].flatMap((g) =>
      g.ingress.map((r) => r.text),
    );
    expect(texts).toContain('inbound TCP 22 from 1.2.3.4/32');
    expect(texts).toContain('inbound TCP 0-22 from 1.2.3.4/32');
    expect(texts).toContain('inbound TCP ALL from 1.2.3.4/32');
    expect(texts).toContain('inbound TCP 30-65535 from 1.2.3.4/32');
    expect(texts).toContain('inbound ALL traffic from 0.0.0.0/0');
  });

  it('reads a prefix list with inline Cidrs', () => {
    expect(load('PrefixListTest.json').prefixLists.get('pl-00a54069')).toMatchObject({
      name: 'com.amazonaws.us-west-2.dynamodb',
      cidrs: ['52.94.28.0/23', '52.94.10.0/24'],
    });
  });

  it('keeps a TGW static blackhole route without attachments', () => {
    const s = buildSnapshot([
      ...readSnapshotFiles(join(DIR, 'TransitGatewayRouteTableTest.json')),
      ...readSnapshotFiles(join(DIR, 'TransitGatewayStaticRoutesTest.json')),
    ]);
    const routes = [...s.transitGatewayRouteTables.values()].flatMap((t) => t.routes);
    expect(routes).toContainEqual(
      expect.objectContaining({ cidr: '192.168.0.0/16', state: 'blackhole', attachmentIds: [], type: 'static' }),
    );
  });

  it('reads a non-active peering connection with its status', () => {
    const pcx = [...load('VpcPeeringConnectionsTestIgnoreNonActive.json').peeringConnections.values()];
    expect(pcx.some((p) => p.status !== 'active')).toBe(true);
  });
});
