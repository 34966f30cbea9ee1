/**
 * Load balancers and interface VPC endpoints as the end of a question, one narrated world each. Worlds start from
 * the builder's default network: VPC "main" (10.0.0.0/16) with an internet gateway and a public subnet "public"
 * (10.0.1.0/24 in us-east-1a, 0.0.0.0/0 → igw); the NLB "shop" has one node there (10.0.1.50, Elastic IP
 * 54.10.0.50) and forwards TCP 80 to the instance "web" in the private subnet "app" (10.0.2.0/24).
 */
import { describe, expect, it } from 'vitest';
import { WhypingError } from '../../src/errors.js';
import type { Snapshot } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { resolveEndpoint } from '../../src/snapshot/resolve.js';
import { SnapshotBuilder } from '../support/builder.js';
import { type LbSpec, lbArn, lbDns, type TgSpec, tgArn, withLoadBalancers } from '../support/elb.js';
import { ask, codes, finding } from './helpers.js';

const CLIENT = '203.0.113.7';

function shopWorld(o: {
  targetSg?: { port: number; peer: string }[];
  tg?: Partial<TgSpec>;
  lb?: Partial<LbSpec>;
  world?: (b: SnapshotBuilder) => void;
}): Snapshot {
  const b = new SnapshotBuilder()
    .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
    .addSecurityGroup('web-sg', {
      vpc: 'main',
      ingress: (o.targetSg ?? [{ port: 80, peer: '10.0.1.0/24' }]).map((r) => ({
        protocol: 'tcp',
        from: r.port,
        to: r.port,
        peer: r.peer,
      })),
      egress: [{ protocol: '-1', peer: '0.0.0.0/0' }],
    })
    .addInstance('web', { subnet: 'app', ip: '10.0.2.10', groups: ['web-sg'] });
  o.world?.(b);
  const lb: LbSpec = {
    name: 'shop',
    nodes: [{ subnet: 'public', ip: '10.0.1.50', publicIp: '54.10.0.50' }],
    listeners: [{ port: 80, targetGroup: 'shop-tg' }],
    ...o.lb,
  };
  const tg: TgSpec = { name: 'shop-tg', vpc: 'main', port: 80, targets: [{ id: 'web' }], ...o.tg };
  return withLoadBalancers(b, [lb], [tg]);
}

describe('a Network Load Balancer in front of an instance (client IP preservation on)', () => {
  // The team opened the web tier to "the load balancer's subnet" — but an NLB with instance targets keeps the
  // client's address, so the target's group sees 203.0.113.7, not the node.
  const s = shopWorld({});

  it('blames the target security group for the client address, with the narrow fix, on one path through the node', () => {
    const d = ask(s, CLIENT, 'shop', 'tcp', 80);
    // An internet-facing load balancer's name stands for its public address (its DNS name resolves to it).
    expect(d.endpoints.to).toMatchObject({
      kind: 'load-balancer',
      id: lbArn('shop'),
      name: 'shop',
      ip: '54.10.0.50',
      viaPublicIp: true,
    });
    expect(d.reachable).toBe(false);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    const f = finding(d, 'SG_INGRESS_DENIED');
    expect(f.resource).toMatch(/^sg-/);
    expect(f.fix).toMatchObject({
      action: 'AuthorizeSecurityGroupIngress',
      params: { protocol: 'tcp', fromPort: 80, toPort: 80, cidr: `${CLIENT}/32` },
    });
    const lbHops = d.forward.filter((h) => h.component === 'load-balancer');
    expect(lbHops.map((h) => h.rule)).toEqual([
      'listener TCP 80 → forward shop-tg',
      expect.stringMatching(/^→ i-\S+ \(10\.0\.2\.10\):80 healthy$/),
    ]);
    expect(lbHops[1]?.detail).toBe(`client IP preservation on: the target sees ${CLIENT}`);
    // The node is entered through the internet gateway at its Elastic IP; the reply goes back the same way.
    expect(d.forward[1]).toMatchObject({ component: 'internet-gateway', rule: expect.stringContaining('54.10.0.50') });
    expect(d.return.some((h) => h.component === 'load-balancer' && h.rule.includes('back through the node'))).toBe(
      true,
    );
  });

  it('answers when the target allows the client', () => {
    const ok = shopWorld({ targetSg: [{ port: 80, peer: '0.0.0.0/0' }] });
    const d = ask(ok, CLIENT, 'shop', 'tcp', 80);
    expect(d.reachable).toBe(true);
    expect(d.findings).toEqual([]);
    // The same question by ARN, DNS name, Elastic IP and private address (from inside) reaches the same node.
    for (const to of [lbArn('shop'), lbDns('shop'), `dualstack.${lbDns('shop')}`, '54.10.0.50'])
      expect(ask(ok, CLIENT, to, 'tcp', 80).reachable).toBe(true);
  });

  it('an ip target does not see the client (preservation off for TCP by default) unless the attribute says so', () => {
    const ipTarget = { targetType: 'ip' as const, targets: [{ id: '10.0.2.10' }] };
    expect(ask(shopWorld({ tg: ipTarget }), CLIENT, 'shop', 'tcp', 80).reachable).toBe(true);
    const preserved = shopWorld({ tg: { ...ipTarget, attributes: { 'preserve_client_ip.enabled': 'true' } } });
    const d = ask(preserved, CLIENT, 'shop', 'tcp', 80);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    // Without preservation the target must allow the node's own address: that is the fix.
    const nodeOnly = shopWorld({ tg: ipTarget, targetSg: [{ port: 80, peer: '10.0.9.0/24' }] });
    expect(finding(ask(nodeOnly, CLIENT, 'shop', 'tcp', 80), 'SG_INGRESS_DENIED').fix?.params).toMatchObject({
      cidr: '10.0.1.50/32',
    });
  });

  it('says nothing listens on a port without a listener, and that an NLB does not answer ping', () => {
    const ssh = ask(s, CLIENT, 'shop', 'tcp', 22);
    expect(codes(ssh)).toEqual(['LB_NO_LISTENER forward']);
    expect(finding(ssh, 'LB_NO_LISTENER')).toMatchObject({
      resource: lbArn('shop'),
      awsCode: 'ELBV2_LISTENERS_MISMATCH',
      fix: null,
      evidence: 'listeners: TCP 80',
    });
    const ping = ask(s, CLIENT, 'shop');
    expect(codes(ping)).toEqual(['LB_NO_LISTENER forward']);
    expect(finding(ping, 'LB_NO_LISTENER').message).toMatch(/does not answer ping/);
  });

  it('checks the target subnet ACL on the reply to the client address (stateless), with the fix', () => {
    const d = ask(
      shopWorld({
        targetSg: [{ port: 80, peer: '0.0.0.0/0' }],
        world: (b) =>
          b
            .addNacl('app-acl', { vpc: 'main', subnets: ['app'] })
            .addNaclEntry('app-acl', { rule: 100, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' })
            .addNaclEntry('app-acl', { rule: 100, egress: true, protocol: '-1', cidr: '10.0.0.0/16', action: 'allow' }),
      }),
      CLIENT,
      'shop',
      'tcp',
      80,
    );
    expect(codes(d)).toEqual(['NACL_EGRESS_DENIED return']);
    expect(finding(d, 'NACL_EGRESS_DENIED').fix?.params).toMatchObject({
      egress: true,
      cidrBlock: `${CLIENT}/32`,
      portRange: { from: 1024, to: 65535 },
    });
  });
});

describe('LB_NO_HEALTHY_TARGET: zones and health', () => {
  const inZoneB = (b: SnapshotBuilder) => {
    b.addSubnet('app-b', { vpc: 'main', cidr: '10.0.3.0/24', az: 'us-east-1b' }).addInstance('web-b', {
      subnet: 'app-b',
      ip: '10.0.3.10',
      groups: ['web-sg'],
    });
  };
  const open = [{ port: 80, peer: '0.0.0.0/0' }];

  it('a node with cross-zone load balancing off sends only to its own zone', () => {
    const s = shopWorld({ targetSg: open, world: inZoneB, tg: { targets: [{ id: 'web-b' }] } });
    const d = ask(s, CLIENT, 'shop', 'tcp', 80);
    expect(codes(d)).toEqual(['LB_NO_HEALTHY_TARGET forward']);
    expect(finding(d, 'LB_NO_HEALTHY_TARGET')).toMatchObject({
      resource: tgArn('shop-tg'),
      awsCode: 'ELBV2_NO_TARGETS_IN_AZ',
      message: expect.stringContaining('cross-zone load balancing'),
    });
    const crossZone = shopWorld({
      targetSg: open,
      world: inZoneB,
      tg: { targets: [{ id: 'web-b' }] },
      lb: { crossZone: true },
    });
    expect(ask(crossZone, CLIENT, 'shop', 'tcp', 80).reachable).toBe(true);
  });

  it('an empty target group answers nothing', () => {
    const d = ask(shopWorld({ targetSg: open, tg: { targets: [] } }), CLIENT, 'shop', 'tcp', 80);
    expect(finding(d, 'LB_NO_HEALTHY_TARGET').awsCode).toBe('ELBV2_LISTENER_HAS_NO_TG');
  });

  it('sends only to healthy targets, and to every target when none is healthy (fail-open)', () => {
    // web (healthy) allows the client; web-2 (unhealthy) does not.
    const world = (b: SnapshotBuilder) => {
      b.addSecurityGroup('closed-sg', { vpc: 'main' }).addInstance('web-2', {
        subnet: 'app',
        ip: '10.0.2.11',
        groups: ['closed-sg'],
      });
    };
    const mixed = shopWorld({
      targetSg: open,
      world,
      tg: { targets: [{ id: 'web' }, { id: 'web-2', health: 'unhealthy' }] },
    });
    expect(ask(mixed, CLIENT, 'shop', 'tcp', 80).reachable).toBe(true);
    const allDown = shopWorld({
      targetSg: open,
      world,
      tg: {
        targets: [
          { id: 'web', health: 'unhealthy' },
          { id: 'web-2', health: 'unhealthy' },
        ],
      },
    });
    const d = ask(allDown, CLIENT, 'shop', 'tcp', 80);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(d.forward.some((h) => h.rule.includes('fails open'))).toBe(true);
  });
});

describe('an Application Load Balancer with security groups', () => {
  const alb = (ingress: { protocol: string; from?: number; to?: number; peer: string }[]) =>
    shopWorld({
      targetSg: [{ port: 8080, peer: 'sg:alb-sg' }],
      tg: { port: 8080, protocol: 'HTTP' },
      lb: {
        type: 'application',
        groups: ['alb-sg'],
        listeners: [{ port: 443, protocol: 'HTTPS', targetGroup: 'shop-tg' }],
      },
      world: (b) => {
        b.addSecurityGroup('alb-sg', { vpc: 'main', ingress, egress: [{ protocol: '-1', peer: '0.0.0.0/0' }] });
      },
    });

  it('reaches a target that allows the load balancer group (the target sees the node, never the client)', () => {
    const s = alb([{ protocol: 'tcp', from: 443, to: 443, peer: '0.0.0.0/0' }]);
    const d = ask(s, CLIENT, 'shop', 'tcp', 443);
    expect(d.findings).toEqual([]);
    expect(d.reachable).toBe(true);
    expect(d.forward.find((h) => h.rule.startsWith('→'))?.detail).toBe("the target sees the node's address 10.0.1.50");
  });

  it('its own group must allow the client; and it answers ping itself only when the group allows ICMP', () => {
    const closed = alb([]);
    const d = ask(closed, CLIENT, 'shop', 'tcp', 443);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(finding(d, 'SG_INGRESS_DENIED').fix?.params).toMatchObject({ cidr: `${CLIENT}/32`, fromPort: 443 });
    expect(codes(ask(closed, CLIENT, 'shop'))).toEqual(['SG_INGRESS_DENIED forward']);
    const pingable = alb([{ protocol: 'icmp', from: 8, to: -1, peer: '0.0.0.0/0' }]);
    const ping = ask(pingable, CLIENT, 'shop');
    expect(ping.reachable).toBe(true);
    expect(ping.forward.at(-1)?.detail).toMatch(/answers ping itself/);
  });
});

describe('LB_INTERNAL_SCHEME', () => {
  const s = shopWorld({
    targetSg: [{ port: 80, peer: '0.0.0.0/0' }],
    lb: { scheme: 'internal', nodes: [{ subnet: 'public', ip: '10.0.1.50' }] },
    world: (b) => {
      b.addInstance('client', { subnet: 'public', ip: '10.0.1.20' });
    },
  });

  it('an internet client cannot reach an internal load balancer (no fix: the scheme is fixed at creation)', () => {
    const d = ask(s, CLIENT, 'shop', 'tcp', 80);
    expect(codes(d)).toEqual(['LB_INTERNAL_SCHEME forward']);
    expect(finding(d, 'LB_INTERNAL_SCHEME')).toMatchObject({ resource: lbArn('shop'), fix: null });
  });

  it('a client in the VPC reaches it', () => {
    expect(ask(s, 'client', 'shop', 'tcp', 80).reachable).toBe(true);
  });
});

describe('a Classic Load Balancer', () => {
  // Its node is an ENI described "ELB <name>"; elbv2's describe-* never lists it, so its listeners are unknown.
  const b = new SnapshotBuilder()
    .addInstance('client', { subnet: 'public', ip: '10.0.1.20' })
    .addInterface('legacy-node', {
      subnet: 'public',
      ip: '10.0.1.60',
      interfaceType: 'interface',
      description: 'ELB legacy',
    });
  const s = buildSnapshot([...b.build()]);

  it('is named and not analyzed, never "attached to no instance"', () => {
    const d = ask(s, 'client', '10.0.1.60', 'tcp', 80);
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed).toMatchObject({ component: 'load-balancer', id: 'legacy' });
    expect(d.notAnalyzed?.reason).toMatch(/Classic Load Balancer legacy: Classic Load Balancers are not analyzed/);
  });
});

describe('resolving a load balancer end', () => {
  const s = shopWorld({});

  it('an ARN is one end, never host:port; an unknown ARN says what to name', () => {
    expect(resolveEndpoint(s, lbArn('shop'))).toMatchObject({
      kind: 'load-balancer',
      eni: expect.stringMatching(/^eni-/),
    });
    const unknownArn = lbArn('gone');
    expect(() => resolveEndpoint(s, unknownArn)).toThrow(WhypingError);
    expect(() => resolveEndpoint(s, unknownArn)).toThrow(/No load balancer in the snapshot has the ARN/);
  });
});

describe('an interface VPC endpoint as the destination', () => {
  function endpointWorld(ingress: { protocol: string; from?: number; to?: number; peer: string }[]): Snapshot {
    const b = new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('web', { subnet: 'app', ip: '10.0.2.10' })
      .addSecurityGroup('ep-sg', { vpc: 'main', ingress })
      .addInterface('ec2-ep', {
        subnet: 'app',
        ip: '10.0.2.99',
        interfaceType: 'vpc_endpoint',
        groups: ['ep-sg'],
        description: 'VPC Endpoint Interface vpce-0a1b2c3d4e5f60718',
      });
    const files = b.build();
    files.push({
      path: 'endpoints.json',
      data: {
        VpcEndpoints: [
          {
            VpcEndpointId: 'vpce-0a1b2c3d4e5f60718',
            VpcEndpointType: 'Interface',
            VpcId: b.id('main', 'vpc'),
            ServiceName: 'com.amazonaws.us-east-1.ec2',
            State: 'available',
            SubnetIds: [b.id('app', 'subnet')],
            NetworkInterfaceIds: [b.id('ec2-ep', 'eni')],
            Groups: [{ GroupId: b.id('ep-sg', 'sg'), GroupName: 'ep-sg' }],
            DnsEntries: [{ DnsName: 'vpce-0a1b2c3d4e5f60718-abcd.ec2.us-east-1.vpce.amazonaws.com' }],
          },
        ],
      },
    });
    return buildSnapshot(files);
  }

  it('answers HTTPS 443 only: ping and other ports get nothing even when its group allows all', () => {
    const s = endpointWorld([{ protocol: '-1', peer: '0.0.0.0/0' }]);
    const https = ask(s, 'web', 'vpce-0a1b2c3d4e5f60718', 'tcp', 443);
    expect(https.endpoints.to).toMatchObject({ kind: 'vpc-endpoint', id: 'vpce-0a1b2c3d4e5f60718' });
    expect(https.reachable).toBe(true);
    expect(ask(s, 'web', 'vpce-0a1b2c3d4e5f60718-abcd.ec2.us-east-1.vpce.amazonaws.com', 'tcp', 443).reachable).toBe(
      true,
    );
    for (const d of [ask(s, 'web', '10.0.2.99', 'tcp', 22), ask(s, 'web', '10.0.2.99')]) {
      expect(codes(d)).toEqual(['VPC_ENDPOINT_PORT_NOT_SERVED forward']);
      expect(finding(d, 'VPC_ENDPOINT_PORT_NOT_SERVED')).toMatchObject({
        resource: 'vpce-0a1b2c3d4e5f60718',
        awsCode: 'PROTOCOL_RESTRICTION',
        fix: null,
      });
    }
  });

  it('its security group decides who gets to 443, with the fix', () => {
    const s = endpointWorld([]);
    const d = ask(s, 'web', 'vpce-0a1b2c3d4e5f60718', 'tcp', 443);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(finding(d, 'SG_INGRESS_DENIED').fix?.params).toMatchObject({
      groupId: s.vpcEndpoints.get('vpce-0a1b2c3d4e5f60718')?.groupIds[0],
      fromPort: 443,
    });
  });
});
