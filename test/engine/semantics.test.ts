/**
 * The AWS semantics of DESIGN §4 (and aws-anchors §6), one narrated world each. Worlds start from the builder's
 * default network: VPC "main" (10.0.0.0/16) with an internet gateway and a public subnet "public" (10.0.1.0/24).
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import { buildSnapshot } from '../../src/snapshot/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { ask, codes, finding, path } from './helpers.js';

/** a (10.0.1.10) and b (10.0.1.20) in the public subnet; b admits ping from the VPC. */
function pair(): SnapshotBuilder {
  return new SnapshotBuilder()
    .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
    .addInstance('b', { subnet: 'public', ip: '10.0.1.20' })
    .allowIcmp('b', '10.0.0.0/16');
}

/** a in "public", b in a second subnet "app" of the same VPC (traffic crosses a subnet boundary). */
function across(): SnapshotBuilder {
  return new SnapshotBuilder()
    .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
    .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
    .addInstance('b', { subnet: 'app', ip: '10.0.2.20' })
    .allowIcmp('b', '10.0.0.0/16')
    .allowTcp('b', 443, '10.0.0.0/16');
}

describe('security groups', () => {
  it('are stateful: the reply passes even when the destination group allows nothing outbound', () => {
    // b's group was stripped of its outbound rules; replies to allowed requests still go out.
    const d = ask(pair().denyAllOut('b'), 'a', 'b');
    expect(d.reachable).toBe(true);
    expect(d.return[0]).toMatchObject({
      component: 'security-group',
      allowed: true,
      rule: 'reply to an allowed request',
    });
  });

  it('only allow: no matching rule is a deny, whatever the other groups say', () => {
    expect(codes(ask(pair(), 'a', 'b', 'tcp', 8080))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('evaluate the union of every group on the interface', () => {
    // b carries two groups: its own (SSH, ICMP) and a shared "web" group that opens 443.
    const w = pair()
      .addSecurityGroup('web', { vpc: 'main', ingress: [{ protocol: 'tcp', from: 443, to: 443, peer: '0.0.0.0/0' }] })
      .addInstance('c', { subnet: 'public', ip: '10.0.1.30', groups: ['b-sg', 'web'] });
    expect(ask(w, 'a', 'c', 'tcp', 443).reachable).toBe(true);
    expect(ask(w, 'a', 'c').reachable).toBe(true);
  });

  it('match a referenced group by membership of the other interface (same VPC)', () => {
    const w = new SnapshotBuilder()
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'public', ip: '10.0.1.20' })
      .allowIn('b', { protocol: 'tcp', from: 5432, to: 5432, peer: 'sg:a-sg' });
    expect(ask(w, 'a', 'b', 'tcp', 5432).reachable).toBe(true);
    // A third instance outside a's group does not match the reference.
    const x = w.addInstance('c', { subnet: 'public', ip: '10.0.1.30' });
    expect(codes(ask(x, 'c', 'b', 'tcp', 5432))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('match a referenced group across a same-region peering, never across regions', () => {
    const build = (region: string) =>
      new SnapshotBuilder()
        .addVpc('peer', { cidr: '10.1.0.0/16', region })
        .addSubnet('p1', { vpc: 'peer', cidr: '10.1.1.0/24' })
        .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
        .addInstance('b', { subnet: 'p1', ip: '10.1.1.20' })
        .allowIn('b', { protocol: 'icmp', from: 8, to: -1, peer: 'sg:a-sg' })
        .peer('p', 'main', 'peer', { routes: true });
    expect(ask(build('us-east-1'), 'a', 'b').reachable).toBe(true);
    expect(codes(ask(build('us-west-2'), 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('read ICMP rules as type/code: 8/-1, 8/0 and -1/-1 allow ping; 0/-1 (echo reply) does not', () => {
    for (const [from, to, ok] of [
      [8, -1, true],
      [8, 0, true],
      [-1, -1, true],
      [0, -1, false],
      [8, 3, false],
    ] as const) {
      const w = new SnapshotBuilder()
        .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
        .addInstance('b', { subnet: 'public', ip: '10.0.1.20' })
        .allowIn('b', { protocol: 'icmp', from, to, peer: '10.0.1.10/32' });
      expect([from, to, ask(w, 'a', 'b').reachable]).toEqual([from, to, ok]);
    }
  });

  it('match a CIDR rule only when it covers the source: /32 edges', () => {
    const w = (peer: string) =>
      new SnapshotBuilder()
        .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
        .addInstance('b', { subnet: 'public', ip: '10.0.1.20' })
        .allowIcmp('b', peer);
    expect(ask(w('10.0.1.10/32'), 'a', 'b').reachable).toBe(true);
    expect(ask(w('10.0.1.11/32'), 'a', 'b').reachable).toBe(false);
    expect(ask(w('0.0.0.0/0'), 'a', 'b').reachable).toBe(true);
  });

  it('match a prefix-list rule when the list holds the source', () => {
    const w = new SnapshotBuilder()
      .addPrefixList('office', { plName: 'office-ranges', cidrs: ['10.0.1.0/28'] })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'public', ip: '10.0.1.20' })
      .allowIn('b', { protocol: 'icmp', from: -1, to: -1, peer: 'pl:office' });
    expect(ask(w, 'a', 'b').reachable).toBe(true);
    expect(ask(w, 'b', 'a', 'tcp', 22).reachable).toBe(true);
  });
});

describe('network ACLs', () => {
  it('do not filter traffic between two instances of one subnet', () => {
    // The subnet's ACL denies everything, yet a and b (same subnet) still talk.
    const w = pair().addNacl('closed', { vpc: 'main', subnets: ['public'] });
    const d = ask(w, 'a', 'b');
    expect(d.reachable).toBe(true);
    expect(d.forward.find((h) => h.component === 'network-acl')).toMatchObject({ rule: 'not evaluated' });
  });

  it('evaluate entries in ascending order: the first match decides', () => {
    const w = (allowFirst: boolean) =>
      across()
        .addNacl('app-acl', { vpc: 'main', subnets: ['app'] })
        .addNaclEntry('app-acl', {
          rule: allowFirst ? 90 : 110,
          egress: false,
          protocol: 'icmp',
          cidr: '10.0.1.10/32',
          action: 'allow',
          icmp: [-1, -1],
        })
        .addNaclEntry('app-acl', { rule: 100, egress: false, protocol: '-1', cidr: '10.0.1.0/24', action: 'deny' })
        .addNaclEntry('app-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    expect(ask(w(true), 'a', 'b').reachable).toBe(true);
    const d = ask(w(false), 'a', 'b');
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED forward']);
    expect(finding(d, 'NACL_INGRESS_DENIED').evidence).toBe('100 ALL ALL 10.0.1.0/24 DENY');
  });

  it('deny with * when no entry matches', () => {
    const w = across().addNacl('app-acl', { vpc: 'main', subnets: ['app'] });
    const d = ask(w, 'a', 'b');
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED forward', 'NACL_EGRESS_DENIED return']);
    expect(d.forward.find((h) => h.component === 'network-acl' && !h.allowed)?.rule).toBe('* ALL ALL 0.0.0.0/0 DENY');
  });

  it('get one fix per blocked crossing, never two fixes on the same rule number', () => {
    // One custom ACL (no entries) shared by both subnets blocks all four crossings of a ping.
    const w = across().addNacl('shared', { vpc: 'main', subnets: ['public', 'app'] });
    const d = ask(w, 'a', 'b');
    expect(codes(d)).toEqual([
      'NACL_EGRESS_DENIED forward',
      'NACL_INGRESS_DENIED forward',
      'NACL_EGRESS_DENIED return',
      'NACL_INGRESS_DENIED return',
    ]);
    const slots = d.findings.map((f) => {
      const p = f.fix?.params as { egress: boolean; ruleNumber: number };
      return `${p.egress}/${p.ruleNumber}`;
    });
    expect(new Set(slots).size).toBe(4);
  });

  it('are stateless: the echo reply (type 0) needs its own allow on the way back', () => {
    // The app subnet allows ICMP echo request in and out, but not echo reply out.
    const w = across()
      .addNacl('app-acl', { vpc: 'main', subnets: ['app'] })
      .addNaclEntry('app-acl', {
        rule: 100,
        egress: false,
        protocol: 'icmp',
        cidr: '10.0.0.0/16',
        action: 'allow',
        icmp: [8, -1],
      })
      .addNaclEntry('app-acl', {
        rule: 100,
        egress: true,
        protocol: 'icmp',
        cidr: '10.0.0.0/16',
        action: 'allow',
        icmp: [8, -1],
      });
    const d = ask(w, 'a', 'b');
    expect(codes(d)).toEqual(['NACL_EGRESS_DENIED return']);
    expect(finding(d, 'NACL_EGRESS_DENIED').fix?.params).toMatchObject({
      protocol: 'icmp',
      icmpTypeCode: { type: 0, code: -1 },
    });
  });

  it('need the whole ephemeral range of the client open for TCP replies', () => {
    // Linux clients pick 32768-60999, Windows 49152-65535. An outbound allow of 49152-65535 serves Windows only.
    const w = (platform: 'linux' | 'windows', from: number) =>
      new SnapshotBuilder()
        .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
        .addInstance('a', { subnet: 'public', ip: '10.0.1.10', platform })
        .addInstance('b', { subnet: 'app', ip: '10.0.2.20' })
        .allowTcp('b', 443, '10.0.0.0/16')
        .addNacl('app-acl', { vpc: 'main', subnets: ['app'] })
        .addNaclEntry('app-acl', {
          rule: 100,
          egress: false,
          protocol: 'tcp',
          cidr: '10.0.0.0/16',
          action: 'allow',
          ports: [443, 443],
        })
        .addNaclEntry('app-acl', {
          rule: 100,
          egress: true,
          protocol: 'tcp',
          cidr: '10.0.0.0/16',
          action: 'allow',
          ports: [from, 65535],
        });
    expect(ask(w('linux', 32768), 'a', 'b', 'tcp', 443).reachable).toBe(true);
    expect(ask(w('windows', 49152), 'a', 'b', 'tcp', 443).reachable).toBe(true);
    expect(ask(w('linux', 1024), 'a', 'b', 'tcp', 443).reachable).toBe(true);
    const d = ask(w('linux', 49152), 'a', 'b', 'tcp', 443);
    expect(codes(d)).toEqual(['NACL_EGRESS_DENIED return']);
    expect(d.return.find((h) => !h.allowed)?.detail).toContain('32768-49151');
  });
});

describe('route tables', () => {
  it('use the explicit association, else the main table', () => {
    // "app" has no association: the main table (local only) is in force, so it cannot reach the internet.
    const w = new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10', publicIp: '3.1.1.1' })
      .addInstance('b', { subnet: 'app', ip: '10.0.2.20', publicIp: '3.1.1.2' });
    expect(ask(w, 'a', '8.8.8.8').reachable).toBe(true);
    const d = ask(w, 'b', '8.8.8.8');
    expect(codes(d)).toEqual(['NO_INTERNET_GATEWAY_ROUTE forward']);
    expect(finding(d, 'NO_INTERNET_GATEWAY_ROUTE').resource).toBe(w.id('main-main', 'rtb'));
  });

  it('pick the longest prefix: a more specific blackhole beats the peering route', () => {
    const w = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('x', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('x', '10.0.0.0/16')
      .peer('p', 'main', 'b', { routes: true })
      .addNatGateway('gone', { subnet: 'public', ip: '10.0.1.5', publicIp: '3.0.0.5', state: 'deleted' })
      .addRoute('public', '10.1.1.0/24', 'nat:gone', 'blackhole');
    const d = ask(w, 'a', 'x');
    expect(codes(d)[0]).toBe('ROUTE_BLACKHOLE forward');
    expect(d.forward[2]?.rule).toContain('10.1.1.0/24');
  });

  it('count prefix-list destinations with their CIDRs', () => {
    // The peer VPC's range is published as a customer-managed prefix list and routed as such.
    const w = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('x', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('x', '10.0.0.0/16')
      .addPrefixList('peer-ranges', { plName: 'peer-ranges', cidrs: ['10.1.0.0/16'] })
      .peer('p', 'main', 'b')
      .addRoute('public', 'pl:peer-ranges', 'pcx:p')
      .addRoute('b1', '10.0.0.0/16', 'pcx:p');
    const d = ask(w, 'a', 'x');
    expect(d.reachable).toBe(true);
    expect(d.forward[2]?.rule).toContain(w.id('peer-ranges', 'pl'));
  });

  it('deliver locally to every CIDR of the VPC, secondary ones included', () => {
    const w = new SnapshotBuilder({ empty: true })
      .addVpc('main', { cidr: '10.0.0.0/16', secondaryCidrs: ['100.64.0.0/16'] })
      .addSubnet('public', { vpc: 'main', cidr: '10.0.1.0/24', public: true })
      .addSubnet('pods', { vpc: 'main', cidr: '100.64.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('pod', { subnet: 'pods', ip: '100.64.1.7' })
      .allowIcmp('pod', '10.0.0.0/16');
    const d = ask(w, 'a', 'pod');
    expect(d.reachable).toBe(true);
    expect(d.forward[2]?.rule).toBe('100.64.0.0/16 → local');
  });

  it('honour a route more specific than local to a middlebox (and call the middlebox out of the model)', () => {
    const w = pair()
      .addSubnet('inspect', { vpc: 'main', cidr: '10.0.9.0/24' })
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24', routeTable: 'public-rt' })
      .addInstance('fw', { subnet: 'inspect', ip: '10.0.9.9', sourceDestCheck: false })
      .addInstance('c', { subnet: 'app', ip: '10.0.2.30' })
      .addRoute('public-rt', '10.0.2.0/24', 'eni:fw');
    const d = ask(w, 'a', 'c');
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed?.reason).toContain('outside the model');
  });
});

describe('peering', () => {
  it('needs the route back on the peer side (a one-sided route fails the reply)', () => {
    const w = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('x', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('x', '10.0.0.0/16')
      .peer('p', 'main', 'b')
      .addRoute('public', '10.1.0.0/16', 'pcx:p');
    const d = ask(w, 'a', 'x');
    expect(codes(d)).toEqual(['NO_ROUTE return']);
    expect(d.forward.every((h) => h.allowed)).toBe(true);
  });
});

describe('the internet', () => {
  it('reaches out from a private subnet through a NAT gateway, without a public IP, and the reply is translated back', () => {
    const w = new SnapshotBuilder()
      .addSubnet('private', { vpc: 'main', cidr: '10.0.3.0/24' })
      .addNatGateway('ngw', { subnet: 'public', ip: '10.0.1.5', publicIp: '3.0.0.5' })
      .addRoute('private', '0.0.0.0/0', 'nat:ngw')
      .addInstance('worker', { subnet: 'private', ip: '10.0.3.3' });
    const d = ask(w, 'worker', '8.8.8.8', 'tcp', 443);
    expect(d.reachable).toBe(true);
    expect(d.forward.map((h) => h.rule)).toContain('source 10.0.3.3 → 10.0.1.5');
    expect(d.forward.map((h) => h.rule)).toContain('source 10.0.1.5 → 3.0.0.5');
    expect(d.return.map((h) => h.rule)).toContain('destination 10.0.1.5 → 10.0.3.3');
    expect(path(d.return).at(-1)).toBe('security-group/ingress:ok');
  });

  it('comes in only to a public address, and the destination group sees the client address', () => {
    const w = new SnapshotBuilder().addInstance('web', { subnet: 'public', ip: '10.0.1.10', publicIp: '3.1.1.1' });
    expect(codes(ask(w, 'internet', 'web', 'tcp', 443))).toEqual(['SG_INGRESS_DENIED forward']);
    expect(ask(w, 'internet', 'web', 'tcp', 22).reachable).toBe(true);
    expect(ask(w, '8.8.4.4', '3.1.1.1', 'tcp', 22).reachable).toBe(true);
  });

  it('takes the EC2 Instance Connect range from the region prefix list', () => {
    const w = new SnapshotBuilder()
      .addPrefixList('eic', { plName: 'com.amazonaws.us-east-1.ec2-instance-connect', cidrs: ['18.206.107.24/29'] })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10', publicIp: '3.1.1.1', groups: ['eic-only'] })
      .addSecurityGroup('eic-only', { vpc: 'main', ingress: [{ protocol: 'tcp', from: 22, to: 22, peer: 'pl:eic' }] });
    expect(ask(w, 'eic', 'web', 'tcp', 22).reachable).toBe(true);
    expect(codes(ask(w, '8.8.4.4', 'web', 'tcp', 22))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('goes instance to instance through public addresses when asked so (both need one)', () => {
    const w = new SnapshotBuilder()
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10', publicIp: '3.1.1.1' })
      .addInstance('b', { subnet: 'public', ip: '10.0.1.20', publicIp: '3.1.1.2' })
      .allowIcmp('b', '3.1.1.1/32');
    const d = ask(w, 'a', '3.1.1.2');
    expect(d.reachable).toBe(true);
    expect(d.forward.filter((h) => h.component === 'internet-gateway')).toHaveLength(2);
    // A rule that admits 10.0.1.10 does not match through the internet: there the source is 3.1.1.1.
    const x = new SnapshotBuilder()
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10', publicIp: '3.1.1.1' })
      .addInstance('b', { subnet: 'public', ip: '10.0.1.20', publicIp: '3.1.1.2' })
      .allowIcmp('b', '10.0.1.10/32');
    expect(ask(x, 'a', 'b').reachable).toBe(true);
    expect(codes(ask(x, 'a', '3.1.1.2'))).toEqual(['SG_INGRESS_DENIED forward']);
  });
});

describe('endpoints the model does not answer for', () => {
  it('says "not analyzed" for a load balancer interface, never a guess', () => {
    const w = pair().addInterface('nlb', { subnet: 'public', ip: '10.0.1.50', interfaceType: 'network_load_balancer' });
    const d = ask(w, 'a', '10.0.1.50', 'tcp', 80);
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed).toMatchObject({ component: 'network-interface', id: w.id('nlb', 'eni') });
  });

  it('answers inside the instance when both addresses belong to it', () => {
    const d = ask(pair(), 'a', '10.0.1.10');
    expect(d.reachable).toBe(true);
    expect(d.forward.at(-1)?.detail).toContain('never reaches the network');
  });

  it('says "not analyzed" for IPv6', () => {
    const s = pair().snapshot();
    const d = diagnose(
      s,
      { from: 'a', to: '2600:1f18::1', protocol: 'icmp', port: null },
      {
        from: { kind: 'ip', input: '10.0.1.10', ip: '10.0.1.10' },
        to: { kind: 'ip', input: '2600:1f18::1', ip: '2600:1f18::1' },
      },
    );
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed?.reason).toContain('IPv6');
  });
});

describe('transit gateway semantics', () => {
  it('evaluates the ACL of a subnet shared by the instance and the attachment on the way in', () => {
    // AWS: with the instance and the attachment in one subnet, that subnet's outbound and inbound rules both
    // apply to traffic going to the transit gateway (and neither to traffic coming back from it).
    const w = new SnapshotBuilder()
      .addVpc('data', { cidr: '10.5.0.0/16' })
      .addSubnet('d1', { vpc: 'data', cidr: '10.5.1.0/24' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('lake', { subnet: 'd1', ip: '10.5.1.9' })
      .allowIcmp('lake', '10.0.0.0/16')
      .addTransitGateway('hub')
      .attach('main-att', { tgw: 'hub', vpc: 'main', subnets: ['public'] })
      .attach('data-att', { tgw: 'hub', vpc: 'data', subnets: ['d1'] })
      .addRoute('public', '10.5.0.0/16', 'tgw:hub')
      .addRoute('d1', '10.0.0.0/16', 'tgw:hub')
      .addNacl('pub-acl', { vpc: 'main', subnets: ['public'] })
      .addNaclEntry('pub-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    const d = ask(w, 'web', 'lake');
    // The reply comes back from the transit gateway into the same subnet: no rule of that ACL is evaluated.
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED forward']);
    expect(finding(d, 'NACL_INGRESS_DENIED', 'forward').resource).toBe(w.id('pub-acl'));
  });
});

describe('warnings', () => {
  it('carry only the snapshot warnings that touch this path', () => {
    const s = pair().snapshot();
    const onPath = {
      code: 'TEST_ON_PATH',
      message: 'about b',
      resourceIds: [s.index.instancesByName.get('b')?.[0] ?? ''],
    };
    const elsewhere = {
      code: 'TEST_ELSEWHERE',
      message: 'about something else',
      resourceIds: ['vpc-0000000000000000'],
    };
    s.warnings.push(onPath, elsewhere);
    for (const w of [onPath, elsewhere]) {
      for (const id of w.resourceIds)
        s.index.warningsByResource?.set(id, [...(s.index.warningsByResource.get(id) ?? []), w]);
    }
    expect(ask(s, 'a', 'b').warnings).toEqual(['TEST_ON_PATH: about b']);
  });
});

describe('missing data', () => {
  // Hand-made snapshots without InternetGateways.json: the engine must not claim a gateway is missing or detached.
  const withoutIgws = (w: SnapshotBuilder) =>
    buildSnapshot(w.build().filter((f) => !('InternetGateways' in (f.data as object))));

  it('trusts the internet gateway the active routes point at, both ways', () => {
    const s = withoutIgws(
      new SnapshotBuilder().addInstance('web', { subnet: 'public', ip: '10.0.1.10', publicIp: '3.1.1.1' }),
    );
    expect(ask(s, 'web', '8.8.8.8', 'tcp', 443).reachable).toBe(true);
    expect(ask(s, 'internet', 'web', 'tcp', 22).reachable).toBe(true);
  });

  it('says "not analyzed" rather than "no internet gateway" when nothing points at one', () => {
    const s = withoutIgws(
      new SnapshotBuilder({ empty: true })
        .addVpc('v', { cidr: '10.7.0.0/16', igw: false })
        .addSubnet('s', { vpc: 'v', cidr: '10.7.1.0/24' })
        .addInstance('box', { subnet: 's', ip: '10.7.1.7', publicIp: '3.7.7.7' }),
    );
    const d = ask(s, 'internet', 'box', 'tcp', 22);
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed?.component).toBe('internet-gateway');
  });
});
