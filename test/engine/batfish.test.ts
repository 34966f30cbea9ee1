/**
 * Networks from Batfish's own AWS end-to-end tests (test/fixtures/corpora/batfish, Apache-2.0; SOURCE.md there).
 * Real describe-* pulls of small deployments; the expectations mirror the dispositions and hop lists that
 * batfish/batfish `AwsConfiguration*Test.java` assert on them (ids below are theirs).
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot, readSnapshotFiles } from '../../src/snapshot/index.js';
import { ask, codes, finding } from './helpers.js';

const load = (name: string) =>
  buildSnapshot(readSnapshotFiles(`test/fixtures/corpora/batfish/representation/aws/${name}/aws_configs`));

describe('test-nat-gateway: a private subnet whose default route points to a NAT gateway', () => {
  // Two subnets in one VPC: a public one with the NAT gateway (nat-07ab4846da51f4612) and a jump host, and a
  // private one (subnet-06f469bcee42e408e) whose instance i-0a128d26e59be60f3 goes out through the NAT.
  const s = load('test-nat-gateway');

  it('takes the private instance to the internet through the NAT and back (AwsConfigurationNatGatewayTest)', () => {
    const d = ask(s, 'i-0a128d26e59be60f3', '8.8.8.8', 'tcp', 80);
    expect(d.reachable).toBe(true);
    const ids = d.forward.map((h) => h.id);
    expect(ids.indexOf('nat-07ab4846da51f4612')).toBeGreaterThan(-1);
    expect(ids.indexOf('igw-071753b9c23d8a9b2')).toBeGreaterThan(ids.indexOf('nat-07ab4846da51f4612'));
    const back = d.return.map((h) => h.id);
    expect(back.indexOf('nat-07ab4846da51f4612')).toBeGreaterThan(back.indexOf('igw-071753b9c23d8a9b2'));
  });

  it('drops a packet from the internet addressed to the NAT gateway (no session)', () => {
    const d = ask(s, '8.8.8.8', '3.135.127.225', 'tcp', 80);
    expect(codes(d)).toEqual(['NAT_GATEWAY_NOT_A_DESTINATION forward']);
  });

  it('drops a packet from the NAT subnet addressed to the NAT gateway', () => {
    const d = ask(s, 'i-0b31b509174d7f5de', '10.1.250.210', 'tcp', 80);
    expect(codes(d)).toEqual(['NAT_GATEWAY_NOT_A_DESTINATION forward']);
  });
});

describe('test-public-private-subnet: the VPC wizard scenario with a public and a VPN-only subnet', () => {
  // VPC_Scenario3: the public instance (10.0.0.47, 13.58.55.60) routes to the IGW; the private subnet's main table
  // sends 0.0.0.0/0 to a virtual private gateway. Default security groups admit nothing from outside the group.
  const s = load('test-public-private-subnet');

  it('denies private → public instance at the destination security group', () => {
    expect(codes(ask(s, 'i-099cf38911942421c', '10.0.0.47'))).toEqual(['SG_INGRESS_DENIED forward']);
    expect(codes(ask(s, 'i-094a9e5b545a4fde4', '10.0.1.204'))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('denies the internet at the public instance security group, after the internet gateway', () => {
    const d = ask(s, 'internet', '13.58.55.60');
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(d.forward.map((h) => h.id)).toContain('igw-0eac198308206c358');
  });

  it('never delivers internet traffic to a private address', () => {
    expect(codes(ask(s, 'internet', '10.0.0.47'))).toEqual(['PRIVATE_DESTINATION_VIA_INTERNET forward']);
  });

  it('lets the public instance out to the internet', () => {
    expect(ask(s, 'i-094a9e5b545a4fde4', '8.8.8.8', 'tcp', 443).reachable).toBe(true);
  });

  it('leaves the VPN path of the private subnet not analyzed (the VGW and beyond are outside the model)', () => {
    const d = ask(s, 'i-099cf38911942421c', '8.8.8.8', 'tcp', 443);
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed).toMatchObject({ component: 'virtual-private-gateway', id: 'vgw-070087240d6fa2989' });
  });
});

describe('test-transit-gateway-multi-table: two VPCs, one transit gateway, two route tables', () => {
  // VPC A is associated with table A and propagates to table B; VPC B the other way round.
  const s = load('test-transit-gateway-multi-table');

  it('carries A → B through the transit gateway, to B security group (AwsConfigurationTransitGatewayMultiTableTest)', () => {
    const d = ask(s, 'i-06ba034d88c84ef07', '192.168.1.106');
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(d.forward.map((h) => h.id)).toContain('tgw-044be4464fcc69aff');
  });

  it('carries B → A the same way; A admits ping from anywhere, so this ping passes, out and back', () => {
    const d = ask(s, 'i-0b14080af811fda3d', '10.10.10.157');
    expect(d.reachable).toBe(true);
    expect(d.forward.map((h) => h.id)).toContain('tgw-044be4464fcc69aff');
    // Each direction uses the route table its entry attachment is associated with.
    expect(d.forward.find((h) => h.component === 'transit-gateway-route-table')?.id).toBe('tgw-rtb-096a7119299ab1c42');
    expect(d.return.find((h) => h.component === 'transit-gateway-route-table')?.id).toBe('tgw-rtb-0fa40c8df355dce6e');
    expect(codes(ask(s, 'i-0b14080af811fda3d', '10.10.10.157', 'tcp', 8080))).toEqual(['SG_INGRESS_DENIED forward']);
  });
});

describe('test-transit-gateway-asymmetric-paths: bat → fish over one transit gateway, back over another', () => {
  // vpc-bat is associated with a table of tgw-bat and propagates only to tgw-fish; vpc-fish the other way round.
  const s = load('test-transit-gateway-asymmetric-paths');
  const tgwBat = 'tgw-01e19888e3ba041ac';
  const tgwFish = 'tgw-0a33c739a4f8978a8';

  it('pings bat → fish out through tgw-bat and back through tgw-fish', () => {
    const d = ask(s, 'bat-web01', 'fish-web01');
    expect(d.reachable).toBe(true);
    expect(d.forward.filter((h) => h.component === 'transit-gateway').map((h) => h.id)).toEqual([tgwBat]);
    expect(d.return.filter((h) => h.component === 'transit-gateway').map((h) => h.id)).toEqual([tgwFish]);
  });

  it('goes fish → bat through tgw-fish', () => {
    const d = ask(s, 'fish-web01', 'bat-web01');
    expect(d.forward.filter((h) => h.component === 'transit-gateway').map((h) => h.id)).toEqual([tgwFish]);
    expect(d.return.filter((h) => h.component === 'transit-gateway').map((h) => h.id)).toEqual([tgwBat]);
  });

  it('denies what the destination group does not admit (AwsConfigurationTransitGatewayAsymmetricPathsTest: DENIED_IN)', () => {
    const d = ask(s, 'bat-web01', 'fish-web01', 'tcp', 8080);
    expect(finding(d, 'SG_INGRESS_DENIED').direction).toBe('forward');
    expect(d.forward.filter((h) => h.component === 'transit-gateway').map((h) => h.id)).toEqual([tgwBat]);
  });
});

describe('test-vpc-peering: A peers with B and C, and B and C share 192.168.0.0/16', () => {
  // A (10.10.0.0/16) routes B's and C's /24s to the right peering; B and C route A's block back. Overlapping B and
  // C create room for misrouting (AwsConfigurationVpcPeeringTest).
  const s = load('test-vpc-peering');
  const A = 'i-06ba034d88c84ef07';
  const B = 'i-0b14080af811fda3d';

  it('carries A → B over the peering to B security group', () => {
    const d = ask(s, A, '192.168.1.106');
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(d.forward.some((h) => h.component === 'peering-connection' && h.allowed)).toBe(true);
  });

  it('has no route from A to an unused /24 of the shared block, and no single fix for it', () => {
    const d = ask(s, A, '192.168.100.1');
    expect(codes(d)).toEqual(['NO_ROUTE forward']);
    expect(d.findings[0]?.fix).toBeNull();
    expect(d.findings[0]?.message).toContain('overlapping');
  });

  it('finds nothing at an unused subnet or an unused address of A (Batfish: null-routed / delivered to subnet)', () => {
    expect(codes(ask(s, B, '10.10.100.1'))).toEqual(['NO_INTERFACE_AT_DESTINATION forward']);
    expect(codes(ask(s, B, '10.10.10.11'))).toEqual(['NO_INTERFACE_AT_DESTINATION forward']);
  });
});

describe('test-transit-gateway-peering: two accounts, two regions, two peered transit gateways', () => {
  // Account bat (us-east-1) has VPCs bat and bat2 on tgw-bat; account fish (us-west-1) has VPC fish on tgw-fish; the
  // TGWs peer. bat's table has no route to fish; bat2's table has one; bat2 does not propagate into the table the
  // peering attachment uses, so nothing comes back to bat2 (AwsConfigurationTransitGatewayPeeringTest).
  const s = load('test-transit-gateway-peering');
  const tgwBat = 'tgw-0e20010ebf43d07a2';
  const tgwFish = 'tgw-03201f1960ddb0c25';
  const tgws = (hops: { component: string; id: string }[]) =>
    hops.filter((h) => h.component === 'transit-gateway').map((h) => h.id);

  it('stops bat → fish at tgw-bat: no route in its table', () => {
    const d = ask(s, 'i-08f3abb6471637c66', '192.168.1.100', 'tcp', 8080);
    expect(codes(d)).toEqual(['TGW_NO_ROUTE forward']);
    expect(tgws(d.forward)).toEqual([tgwBat]);
  });

  it('carries bat2 → fish across both TGWs to fish security group, and finds the reply has no way back', () => {
    const d = ask(s, 'i-05e25e43074216229', '192.168.1.100', 'tcp', 8080);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward', 'TGW_NO_ROUTE return']);
    expect(tgws(d.forward)).toEqual([tgwBat, tgwFish]);
    expect(tgws(d.return)).toEqual([tgwFish, tgwBat]);
  });

  it('stops fish → bat at tgw-fish', () => {
    const d = ask(s, 'i-0afb0a59f6bf36397', '10.10.1.100', 'tcp', 8080);
    expect(codes(d)).toEqual(['TGW_NO_ROUTE forward']);
    expect(tgws(d.forward)).toEqual([tgwFish]);
  });

  it('blocks fish → bat2 at tgw-bat, after the peering (bat2 does not propagate there), and lists what is behind', () => {
    const d = ask(s, 'i-0afb0a59f6bf36397', '10.20.1.100', 'tcp', 8080);
    // Batfish stops at the first drop; whyping goes on as if the route existed: bat2's group does not admit 8080.
    expect(codes(d)).toEqual(['TGW_NO_ROUTE forward', 'SG_INGRESS_DENIED forward']);
    expect(tgws(d.forward)).toEqual([tgwFish, tgwBat]);
  });
});
