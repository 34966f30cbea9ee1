/**
 * A reply goes back to the one ephemeral port the client picked for that connection. A network ACL that denies part
 * of the client's range fails only the connections whose port falls there: less than half the range denied is a
 * warning on a reachable answer, more than half a blocker that names the denied ports, and no fix ever goes under a
 * deny rule that names ports inside the range (AWS's own advice: open 1024-65535 and deny "malicious ports within
 * that range" earlier, https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
 *
 * Worlds start from the builder's default network: VPC "main" (10.0.0.0/16) with an internet gateway and a public
 * subnet "public" (10.0.1.0/24). Linux clients pick 32768-60999 (28,232 ports), internet clients and NAT gateways
 * 1024-65535 (64,512 ports).
 */
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/model/index.js';
import { detailsMessage, verdictMessage } from '../../src/render/blocks.js';
import { toJson } from '../../src/render/json.js';
import { renderText } from '../../src/render/text.js';
import { SnapshotBuilder } from '../support/builder.js';
import { withLoadBalancers } from '../support/elb.js';
import { ask, codes, finding } from './helpers.js';

/** a (Linux, 10.0.1.10) in "public" asks b (10.0.2.20) in "app" for TCP 22; "app" lets everything in and out. */
function linuxClient(clientInbound: { rule: number; action: 'allow' | 'deny'; ports?: [number, number] }[]) {
  const b = new SnapshotBuilder()
    .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
    .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
    .addInstance('b', { subnet: 'app', ip: '10.0.2.20' })
    .allowTcp('b', 22, '10.0.0.0/16')
    .addNacl('client-acl', { vpc: 'main', subnets: ['public'] })
    .addNaclEntry('client-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
  for (const e of clientInbound)
    b.addNaclEntry('client-acl', {
      rule: e.rule,
      egress: false,
      protocol: e.ports ? 'tcp' : '-1',
      cidr: '0.0.0.0/0',
      action: e.action,
      ...(e.ports ? { ports: e.ports } : {}),
    });
  return b;
}

const warningsOf = (d: Diagnosis) => d.warnings.filter((w) => w.startsWith('EPHEMERAL_PORTS_PARTLY_DENIED: '));

describe("a deny rule inside the client's ephemeral range (AWS's recommended layout)", () => {
  // The web server's subnet opens TCP 443 in and 1024-65535 out, and denies IRC (6667) out first, as AWS advises.
  const web = new SnapshotBuilder()
    .addInstance('web', { subnet: 'public', ip: '10.0.1.20', publicIp: '54.0.0.20' })
    .allowTcp('web', 443, '0.0.0.0/0')
    .addNacl('web-acl', { vpc: 'main', subnets: ['public'] })
    .addNaclEntry('web-acl', {
      rule: 100,
      egress: false,
      protocol: 'tcp',
      cidr: '0.0.0.0/0',
      action: 'allow',
      ports: [443, 443],
    })
    .addNaclEntry('web-acl', {
      rule: 90,
      egress: true,
      protocol: 'tcp',
      cidr: '0.0.0.0/0',
      action: 'deny',
      ports: [6667, 6667],
    })
    .addNaclEntry('web-acl', {
      rule: 100,
      egress: true,
      protocol: 'tcp',
      cidr: '0.0.0.0/0',
      action: 'allow',
      ports: [1024, 65535],
    });

  it('is reachable, warns that the connections from source port 6667 fail, and proposes no change', () => {
    const d = ask(web, '203.0.113.5', 'web', 'tcp', 443);
    expect(d.reachable).toBe(true);
    expect(d.findings).toEqual([]);
    expect(d.partlyDenied).toEqual([
      {
        direction: 'return',
        networkAclId: web.id('web-acl', 'acl'),
        subnetId: web.id('public', 'subnet'),
        egress: true,
        protocol: 'tcp',
        range: { from: 1024, to: 65535 },
        denied: [{ from: 6667, to: 6667, rule: '90 TCP 6667 0.0.0.0/0 DENY' }],
        share: 1 / 64512,
        message: expect.stringContaining('denies TCP 6667 to 203.0.113.5/32 leaving the subnet'),
      },
    ]);
    const [warning] = warningsOf(d);
    expect(warning).toContain("1 of the 64512 ports of the client's ephemeral range 1024-65535 (0.0016 %");
    expect(warning).toContain('intermittent');
    expect(warning).not.toContain('1024-65535 to 203.0.113.5');
    // The hop passes, by the allow that takes most of the range, and names the denied port.
    expect(d.return.find((h) => h.component === 'network-acl')).toMatchObject({
      allowed: true,
      rule: '100 TCP 1024-65535 0.0.0.0/0 ALLOW',
      detail: expect.stringContaining('denies TCP ports 6667 to 203.0.113.5/32'),
    });
  });

  it('is shown by every presenter: the text verdict and warnings, the JSON, the Slack verdict and details', () => {
    const d = ask(web, '203.0.113.5', 'web', 'tcp', 443);
    const text = renderText(d);
    expect(text.split('\n')[0]).toMatch(
      /^✓ Reachable, with intermittent failures: .*about 0\.0016 % of connections fail/,
    );
    expect(text).toContain('Warnings\n  ! EPHEMERAL_PORTS_PARTLY_DENIED: Network ACL');
    const json = toJson(d);
    expect(json.reachable).toBe(true);
    expect(json.partlyDenied[0]?.denied).toEqual([{ from: 6667, to: 6667, rule: '90 TCP 6667 0.0.0.0/0 DENY' }]);
    expect(json.warnings[0]).toMatch(/^EPHEMERAL_PORTS_PARTLY_DENIED: /);
    const visible = JSON.stringify(verdictMessage(d).blocks);
    expect(visible).toContain('with intermittent failures');
    expect(visible).toContain('denies TCP 6667 to 203.0.113.5/32');
    expect(JSON.stringify(detailsMessage(d, new Map()).blocks)).toContain('EPHEMERAL_PORTS_PARTLY_DENIED');
  });
});

describe("a client's range denied in part: a warning under half, a blocker over half", () => {
  it('one port denied in the Linux range: reachable, with a warning naming the rule and the share', () => {
    const d = ask(
      linuxClient([
        { rule: 50, action: 'deny', ports: [40000, 40000] },
        { rule: 100, action: 'allow' },
      ]),
      'a',
      'b',
      'tcp',
      22,
    );
    expect(d.reachable).toBe(true);
    expect(warningsOf(d)[0]).toContain(
      "denies TCP 40000 from 10.0.2.20/32 entering the subnet (the reply: network ACLs are stateless): 1 of the 28232 ports of the client's ephemeral range 32768-60999",
    );
    expect(warningsOf(d)[0]).toContain('40000 by 50 TCP 40000 0.0.0.0/0 DENY');
  });

  it('a Linux client behind an ACL that opens only 49152-65535: a blocker naming 32768-49151, about 58 %', () => {
    const d = ask(linuxClient([{ rule: 100, action: 'allow', ports: [49152, 65535] }]), 'a', 'b', 'tcp', 22);
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED return']);
    const f = finding(d, 'NACL_INGRESS_DENIED');
    expect(f.message).toContain(
      "denies TCP 32768-49151 of the client's ephemeral range 32768-60999 from 10.0.2.20/32 entering the subnet",
    );
    expect(f.message).toContain('about 58 % of connections fail');
    expect(f.message).not.toContain('denies TCP 32768-60999');
    // Nothing allows those ports (the * rule): the fix opens 1024-65535 after the existing rules, overriding nothing.
    expect(f.fix?.params).toMatchObject({ ruleNumber: 110, portRange: { from: 1024, to: 65535 } });
  });

  it('draws the line at half the range: 14,116 of 28,232 ports denied is a warning, 14,117 a blocker', () => {
    // Allowing from 46884 leaves 32768-46883 (14,116 ports, exactly half) to the * rule; from 46885, one more.
    const half = ask(linuxClient([{ rule: 100, action: 'allow', ports: [46884, 65535] }]), 'a', 'b', 'tcp', 22);
    expect(half.reachable).toBe(true);
    expect(warningsOf(half)[0]).toContain('14116 of the 28232 ports');
    expect(warningsOf(half)[0]).toContain('Nothing allows 32768-46883');
    const over = ask(linuxClient([{ rule: 100, action: 'allow', ports: [46885, 65535] }]), 'a', 'b', 'tcp', 22);
    expect(codes(over)).toEqual(['NACL_INGRESS_DENIED return']);
    expect(finding(over, 'NACL_INGRESS_DENIED').message).toContain('denies TCP 32768-46884 of');
  });

  it('most of the range denied by a deny rule the user wrote: a blocker with no fix that would override it', () => {
    const d = ask(
      linuxClient([
        { rule: 90, action: 'deny', ports: [32768, 50000] },
        { rule: 100, action: 'allow' },
      ]),
      'a',
      'b',
      'tcp',
      22,
    );
    const f = finding(d, 'NACL_INGRESS_DENIED');
    expect(f.message).toContain("denies TCP 32768-50000 of the client's ephemeral range 32768-60999");
    expect(f.message).toContain('about 61 % of connections fail');
    expect(f.message).toContain('proposes no change');
    expect(f.fix).toBeNull();
  });

  it('the whole range denied, partly by a deny of one port: blocked as before, the fix numbered above that deny', () => {
    // 40000 falls to rule 50, the rest to the * rule: the allow goes after rule 50, so 40000 stays denied.
    const d = ask(linuxClient([{ rule: 50, action: 'deny', ports: [40000, 40000] }]), 'a', 'b', 'tcp', 22);
    const f = finding(d, 'NACL_INGRESS_DENIED');
    expect(f.message).toContain('denies TCP 32768-60999 from 10.0.2.20/32 entering the subnet');
    expect(f.fix?.params).toMatchObject({ ruleNumber: 60, portRange: { from: 1024, to: 65535 } });
    // A deny-all at 100 under a deny of IRC (6667, outside the Linux range): the allow goes between them (99), not
    // at 80, where it would also let 6667 through to this host.
    const wall = ask(
      linuxClient([
        { rule: 90, action: 'deny', ports: [6667, 6667] },
        { rule: 100, action: 'deny' },
      ]),
      'a',
      'b',
      'tcp',
      22,
    );
    expect(finding(wall, 'NACL_INGRESS_DENIED').fix?.params).toMatchObject({ ruleNumber: 99 });
  });

  it('two ACLs on the reply path each deny under half, together over half: a blocker', () => {
    // The server's subnet denies 45001-58000 out (46 %), the client's 32768-45000 in (43 %): 89 % fail.
    const w = linuxClient([
      { rule: 90, action: 'deny', ports: [32768, 45000] },
      { rule: 100, action: 'allow' },
    ])
      .addNacl('app-acl', { vpc: 'main', subnets: ['app'] })
      .addNaclEntry('app-acl', { rule: 100, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' })
      .addNaclEntry('app-acl', {
        rule: 90,
        egress: true,
        protocol: 'tcp',
        cidr: '0.0.0.0/0',
        action: 'deny',
        ports: [45001, 58000],
      })
      .addNaclEntry('app-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    const d = ask(w, 'a', 'b', 'tcp', 22);
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED return']);
    const f = finding(d, 'NACL_INGRESS_DENIED');
    expect(f.message).toContain('about 89 % of connections fail');
    expect(f.message).toContain(w.id('app-acl', 'acl'));
    expect(f.fix).toBeNull();
  });
});

describe('every leg that carries a reply to an ephemeral port', () => {
  it("a NAT gateway's subnet that denies one port of 1024-65535 in: reachable, with a warning", () => {
    const w = new SnapshotBuilder()
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addRouteTable('priv-rt', { vpc: 'main', subnets: ['priv'] })
      .addNatGateway('n', { subnet: 'public', ip: '10.0.1.5', publicIp: '198.51.100.5' })
      .addRoute('priv-rt', '0.0.0.0/0', 'nat:n')
      .addInstance('a', { subnet: 'priv', ip: '10.0.2.10' })
      .addNacl('pub-acl', { vpc: 'main', subnets: ['public'] })
      .addNaclEntry('pub-acl', { rule: 100, egress: false, protocol: '-1', cidr: '10.0.0.0/16', action: 'allow' })
      .addNaclEntry('pub-acl', {
        rule: 105,
        egress: false,
        protocol: 'tcp',
        cidr: '0.0.0.0/0',
        action: 'deny',
        ports: [6667, 6667],
      })
      .addNaclEntry('pub-acl', {
        rule: 110,
        egress: false,
        protocol: 'tcp',
        cidr: '0.0.0.0/0',
        action: 'allow',
        ports: [1024, 65535],
      })
      .addNaclEntry('pub-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    const d = ask(w, 'a', '8.8.8.8', 'tcp', 443);
    expect(d.reachable).toBe(true);
    expect(d.partlyDenied?.map((p) => [p.networkAclId, p.egress, p.range])).toEqual([
      [w.id('pub-acl', 'acl'), false, { from: 1024, to: 65535 }],
    ]);
    expect(warningsOf(d)[0]).toContain('denies TCP 6667 from 8.8.8.8/32 entering the subnet');
  });

  it("a load balancer target's subnet that denies part of the client's range out: reachable, with a warning", () => {
    const b = new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addSecurityGroup('web-sg', {
        vpc: 'main',
        ingress: [{ protocol: 'tcp', from: 80, to: 80, peer: '0.0.0.0/0' }],
        egress: [{ protocol: '-1', peer: '0.0.0.0/0' }],
      })
      .addInstance('web', { subnet: 'app', ip: '10.0.2.10', groups: ['web-sg'] })
      .addNacl('app-acl', { vpc: 'main', subnets: ['app'] })
      .addNaclEntry('app-acl', { rule: 100, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' })
      .addNaclEntry('app-acl', {
        rule: 90,
        egress: true,
        protocol: 'tcp',
        cidr: '0.0.0.0/0',
        action: 'deny',
        ports: [40000, 40099],
      })
      .addNaclEntry('app-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    const s = withLoadBalancers(
      b,
      [
        {
          name: 'shop',
          nodes: [{ subnet: 'public', ip: '10.0.1.50', publicIp: '54.10.0.50' }],
          listeners: [{ port: 80, targetGroup: 'shop-tg' }],
        },
      ],
      [{ name: 'shop-tg', vpc: 'main', port: 80, targets: [{ id: 'web' }] }],
    );
    // An NLB with instance targets keeps the client's address: the target answers the client's ports directly.
    const d = ask(s, '203.0.113.7', 'shop', 'tcp', 80);
    expect(d.reachable).toBe(true);
    expect(d.partlyDenied?.[0]).toMatchObject({
      networkAclId: b.id('app-acl', 'acl'),
      egress: true,
      denied: [{ from: 40000, to: 40099, rule: '90 TCP 40000-40099 0.0.0.0/0 DENY' }],
    });
    expect(warningsOf(d)[0]).toContain('denies TCP 40000-40099 to 203.0.113.7/32 leaving the subnet');
  });
});
