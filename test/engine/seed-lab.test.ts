/**
 * The seed lab (DESIGN §9). Two VPCs in one account: "NextWork VPC 1" (10.1.0.0/16) and "NextWork VPC 2"
 * (10.2.0.0/16), one public subnet each with 0.0.0.0/0 → its own internet gateway. The student created a peering
 * connection but never accepted it, added no routes to the other VPC, left instance 2's security group allowing
 * only SSH, and launched instance 1 without a public IP — so neither the ping nor EC2 Instance Connect works.
 * The fixed state (test/fixtures/scenarios/seed-lab-fixed) has every one of those repaired.
 */
import { describe, expect, it } from 'vitest';
import { ask, codes, finding, loadJson, path } from './helpers.js';

const broken = loadJson('src/sandbox/scenarios/seed-lab.json');
const fixed = loadJson('test/fixtures/scenarios/seed-lab-fixed/snapshot.json');
const I1 = 'Instance - NextWork VPC 1';
const I2 = 'Instance - NextWork VPC 2';

describe('the seed lab, broken', () => {
  const d = ask(broken, I1, I2);

  it('says instance 1 cannot ping instance 2', () => {
    expect(d.reachable).toBe(false);
    expect(d.notAnalyzed).toBeNull();
    expect(d.endpoints.to.ip).toBe('10.2.4.95');
  });

  it('lists every blocker on both paths, in path order', () => {
    expect(codes(d)).toEqual([
      'NO_ROUTE forward',
      'PEERING_NOT_ACTIVE forward',
      'SG_INGRESS_DENIED forward',
      'NO_ROUTE return',
    ]);
  });

  it('traces the request through the peering as if the route existed, and the reply back the same way', () => {
    expect(path(d.forward)).toEqual([
      'instance:ok',
      'security-group/egress:ok',
      'route-table:BLOCKED',
      'peering-connection:BLOCKED',
      'network-acl/egress:ok',
      'network-acl/ingress:ok',
      'security-group/ingress:BLOCKED',
      'instance:ok',
    ]);
    expect(path(d.return)).toEqual([
      'security-group/egress:ok',
      'route-table:BLOCKED',
      'peering-connection:BLOCKED',
      'network-acl/egress:ok',
      'network-acl/ingress:ok',
      'security-group/ingress:ok',
    ]);
    expect(d.forward[2]?.rule).toBe('0.0.0.0/0 → igw-0c2d4e6f8a0b1c3d1');
    expect(d.forward[6]?.rule).toMatch(/no inbound rule .* allows ICMP Echo Request from 10\.1\.0\.12\/32/);
  });

  it('proposes the narrowest fixes, accept first (it cannot be undone)', () => {
    const accept = finding(d, 'PEERING_NOT_ACTIVE').fix;
    expect(accept).toMatchObject({
      action: 'AcceptVpcPeeringConnection',
      params: { vpcPeeringConnectionId: 'pcx-0d6e7f8a9b0c1d2e3' },
      order: 1,
      reversible: false,
    });
    expect(finding(d, 'NO_ROUTE', 'forward').fix).toMatchObject({
      action: 'CreateRoute',
      order: 2,
      params: {
        routeTableId: 'rtb-03e4f5a6b7c8d9e11',
        destinationCidrBlock: '10.2.0.0/16',
        target: { vpcPeeringConnectionId: 'pcx-0d6e7f8a9b0c1d2e3' },
      },
    });
    expect(finding(d, 'NO_ROUTE', 'return').fix?.params).toMatchObject({
      routeTableId: 'rtb-06f7a8b9c0d1e2f22',
      destinationCidrBlock: '10.1.0.0/16',
    });
    // Same region peering: the rule can reference instance 1's security group.
    expect(finding(d, 'SG_INGRESS_DENIED').fix).toMatchObject({
      action: 'AuthorizeSecurityGroupIngress',
      order: 3,
      params: {
        groupId: 'sg-0d5a2f3e4b6c7d822',
        protocol: 'icmp',
        fromPort: 8,
        toPort: -1,
        peerGroupId: 'sg-0c4f1e2d3a5b6c711',
      },
    });
  });

  it("says the SG rule names the peer VPC's group, valid only once the peering is accepted, and orders it after", () => {
    // AWS rejects a reference to a peer VPC's security group while the peering is pending (InvalidGroup.NotFound):
    // the rule is right, but only after the acceptance, and the plan says so.
    const sg = finding(d, 'SG_INGRESS_DENIED').fix;
    const accept = finding(d, 'PEERING_NOT_ACTIVE').fix;
    expect(sg?.summary).toBe(
      "Allow inbound ICMP Echo Request from sg-0c4f1e2d3a5b6c711 in sg-0d5a2f3e4b6c7d822 (a peer VPC's group, across pcx-0d6e7f8a9b0c1d2e3, applied once the peering is active; help peer-sg)",
    );
    expect(sg?.order).toBeGreaterThan(accept?.order ?? Number.POSITIVE_INFINITY);
  });

  it('maps each finding to the Reachability Analyzer vocabulary', () => {
    expect(d.findings.map((f) => f.awsCode)).toEqual([
      'NO_ROUTE_TO_DESTINATION',
      'BAD_STATE_ATTACHMENT',
      'ENI_SG_RULES_MISMATCH',
      'NO_ROUTE_TO_DESTINATION',
    ]);
  });

  it('gives the same fix ids every time (they come from the content)', () => {
    const again = ask(broken, I1, I2);
    expect(again.findings.map((f) => f.fix?.id)).toEqual(d.findings.map((f) => f.fix?.id));
    expect(new Set(d.findings.map((f) => f.fix?.id)).size).toBe(4);
  });

  it('says EC2 Instance Connect cannot reach instance 1: it has no public IP', () => {
    const eic = ask(broken, 'eic', I1, 'tcp', 22);
    expect(eic.reachable).toBe(false);
    expect(codes(eic)).toEqual(['NO_PUBLIC_IP forward']);
    const f = finding(eic, 'NO_PUBLIC_IP');
    expect(f.awsCode).toBe('IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
    expect(f.resource).toBe('i-0a7b3c9d1e5f20311');
    expect(f.fix).toMatchObject({
      action: 'AllocateAndAssociateAddress',
      params: {
        instanceId: 'i-0a7b3c9d1e5f20311',
        networkInterfaceId: 'eni-0f0e1d2c3b4a59611',
        privateIp: '10.1.0.12',
      },
    });
    expect(eic.forward[0]?.rule).toContain('18.206.107.24/29');
  });

  it('says the same for any internet host', () => {
    expect(codes(ask(broken, 'internet', I1, 'tcp', 22))).toEqual(['NO_PUBLIC_IP forward']);
  });
});

describe('the seed lab, fixed', () => {
  it('pings from instance 1 to instance 2 with no finding, on both paths', () => {
    const d = ask(fixed, I1, I2);
    expect(d.findings).toEqual([]);
    expect(d.reachable).toBe(true);
    expect(d.forward.every((h) => h.allowed)).toBe(true);
    expect(d.return.every((h) => h.allowed)).toBe(true);
  });

  it('still blocks the ping the other way: only instance 2 was opened to ICMP', () => {
    const d = ask(fixed, I2, I1);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(finding(d, 'SG_INGRESS_DENIED').resource).toBe('sg-0c4f1e2d3a5b6c711');
  });

  it('cites the rule, route and peering that let the ping through', () => {
    const d = ask(fixed, I1, I2);
    expect(d.forward.map((h) => h.rule)).toEqual([
      'state running',
      'outbound ALL traffic to 0.0.0.0/0',
      '10.2.0.0/16 → pcx-0d6e7f8a9b0c1d2e3',
      'vpc-0e5b1c9d2f4a71a01 ↔ vpc-07c3d8e21b6f92b02 (active)',
      '100 ALL ALL 0.0.0.0/0 ALLOW',
      '100 ALL ALL 0.0.0.0/0 ALLOW',
      'inbound ICMP Echo Request (8/-1) from 10.1.0.0/16',
      'state running',
    ]);
  });

  it('lets EC2 Instance Connect reach instance 1 through its Elastic IP', () => {
    const d = ask(fixed, 'eic', I1, 'tcp', 22);
    expect(d.reachable).toBe(true);
    expect(d.forward[1]).toMatchObject({
      component: 'internet-gateway',
      rule: 'destination 54.163.20.117 → 10.1.0.12',
    });
    expect(d.return.at(-2)).toMatchObject({ component: 'internet-gateway', rule: 'source 10.1.0.12 → 54.163.20.117' });
  });

  it('lets instance 2 SSH to instance 1 over the peering (instance 1 allows SSH from anywhere)', () => {
    expect(ask(fixed, I2, I1, 'tcp', 22).reachable).toBe(true);
  });
});
