/**
 * An audit of the engine's AWS semantics at the edges a real network has (aws-anchors §6, DESIGN §4): protocol
 * numbers vs names, -1 wildcards, ICMP type/code, IPv6 entries, rule order, group references across peerings and
 * accounts, prefix lists, route ties, multi-interface instances, secondary addresses. The rules already pinned
 * elsewhere are listed in docs/engine.md; each world here adds an edge they do not cover.
 *
 * Where each rule of aws-anchors §6 is pinned (sem = semantics.test.ts, fnd = findings.test.ts, here = this file):
 * S1 sem "are stateful" · S2 here "needs ping allowed outbound" · S3 here "default group" · S4 sem + here (references,
 * prefix lists) · S5 sem + here "union" · S6 sem + here (type/code, numbers, -1) · S7 sem + here (type 0 reply,
 * ephemeral ranges, NAT side) · S8 sem + here (order, IPv6 entries, *) · S9 sem "deny with *" + here (default ACL
 * fallback) · S10 sem "same subnet" · S11 sem + here (ties) · S12 sem + here (lists, missing entries; gateway endpoint
 * routes are "not analyzed") · S13 fnd ROUTE_BLACKHOLE · S14 sem (secondary CIDRs, middlebox) + here · S15 sem "main
 * table" · S16 fnd PEERING_NOT_TRANSITIVE · S17 fnd + here (peer's NAT, peer's IGW) · S18 builder refuses overlaps;
 * batfish.test (overlapping peers) · S19 sem "route back" · S20 fnd PEERING_NOT_ACTIVE + here (initiating) · S21 sem +
 * here (regions, accounts, stale, TGW) · S22 DNS: outside the model · S23/S27 IPv6 endpoints: sem "not analyzed" ·
 * S24 fnd SOURCE_DEST_CHECK · S25 fnd NO_PUBLIC_IP / PRIVATE_DESTINATION_VIA_INTERNET + here (EIP on a secondary
 * address); Block Public Access: not modeled · S26 sem + fnd + here (no IGW route, private NAT, 1024-65535) · S28 fnd
 * TGW_* + here (reply AZ) · S29 not needed for verdicts · S30 host layer: the probe.
 *
 * Worlds start from the builder's default network: VPC "main" (10.0.0.0/16), an internet gateway, a public subnet
 * "public" (10.0.1.0/24). Some edges need raw describe-* data the builder does not write: `raw()` edits it.
 */
import { describe, expect, it } from 'vitest';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/index.js';
import { ACCOUNT, idFor, SnapshotBuilder } from '../support/builder.js';
import { ask, codes, finding, path } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: raw describe-* JSON, edited in place
type Json = Record<string, any>;

/** Builds the world, lets `edit` change the raw describe-* documents (by top-level key), loads it. */
function raw(w: SnapshotBuilder, edit: (data: Record<string, Json[]>) => void) {
  const files: RawSnapshotFile[] = w.build();
  const byKey: Record<string, Json[]> = {};
  for (const f of files) for (const [k, v] of Object.entries(f.data as Json)) byKey[k] = v as Json[];
  edit(byKey);
  return buildSnapshot(files);
}

/** a (10.0.1.10, public) pings/connects to b (10.0.2.20, subnet "app"): the path crosses a subnet boundary. */
function across(): SnapshotBuilder {
  return new SnapshotBuilder()
    .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
    .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
    .addInstance('b', { subnet: 'app', ip: '10.0.2.20' });
}

describe('S4/S6 security-group protocols and ports', () => {
  it('reads IpProtocol numbers like names: "6", "17", "1" match tcp, udp, icmp; "-1" matches all', () => {
    // AWS returns IpProtocol as a name or a number ("tcp" / "6"); -1 is all protocols and ports (EC2 IpPermission).
    for (const [proto, q, port, ok] of [
      ['6', 'tcp', 443, true],
      ['6', 'udp', 443, false],
      ['17', 'udp', 53, true],
      ['1', 'icmp', null, true],
      ['1', 'tcp', 443, false],
      ['-1', 'tcp', 8443, true],
      ['-1', 'udp', 9999, true],
      ['-1', 'icmp', null, true],
    ] as const) {
      const w = across().allowIn('b', {
        protocol: proto,
        from: proto === '1' ? 8 : proto === '-1' ? undefined : 0,
        to: proto === '1' ? -1 : proto === '-1' ? undefined : 65535,
        peer: '10.0.1.10/32',
      });
      expect([proto, q, ask(w, 'a', 'b', q, port).reachable]).toEqual([proto, q, ok]);
    }
  });

  it('never lets an ICMPv6 rule ("58" or "icmpv6", with or without ports) allow an IPv4 ping', () => {
    // IPv4 ping is ICMP (protocol 1); ICMPv6 (58) is another protocol (S27).
    for (const proto of ['58', 'icmpv6']) {
      const w = across().allowIn('b', { protocol: proto, from: -1, to: -1, peer: '0.0.0.0/0' });
      expect(codes(ask(w, 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
    }
  });

  it('an IPv6 range (::/0) in a rule never matches an IPv4 packet (S27)', () => {
    const w = across()
      .allowIcmp('b', '::/0')
      .allowIcmp('b', '10.0.0.0/16')
      .denyAllOut('a')
      .allowOut('a', { protocol: '-1', peer: '::/0' });
    expect(codes(ask(w, 'a', 'b'))).toEqual(['SG_EGRESS_DENIED forward']);
    const x = across().allowIcmp('b', '::/0');
    expect(codes(ask(x, 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('reads tcp/udp FromPort/ToPort -1 as every port', () => {
    const w = across().allowIn('b', { protocol: 'tcp', from: -1, to: -1, peer: '10.0.0.0/16' });
    expect(ask(w, 'a', 'b', 'tcp', 5432).reachable).toBe(true);
    expect(ask(w, 'a', 'b', 'tcp', 1).reachable).toBe(true);
    expect(ask(w, 'a', 'b', 'udp', 5432).reachable).toBe(false);
  });

  it('allows a port only inside FromPort..ToPort (both ends included)', () => {
    const w = across().allowIn('b', { protocol: 'tcp', from: 8000, to: 8080, peer: '10.0.0.0/16' });
    expect([7999, 8000, 8080, 8081].map((p) => ask(w, 'a', 'b', 'tcp', p).reachable)).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('reads ICMP FromPort/ToPort as type/code: 8/-1, 8/0, -1/-1 allow ping; type 0 only does not', () => {
    for (const [from, to, ok] of [
      [8, -1, true],
      [8, 0, true],
      [-1, -1, true],
      [0, -1, false],
      [0, 0, false],
      [3, -1, false],
    ] as const) {
      const w = across().allowIn('b', { protocol: 'icmp', from, to, peer: '10.0.1.10/32' });
      const d = ask(w, 'a', 'b');
      expect([from, to, d.reachable]).toEqual([from, to, ok]);
      if (!ok) expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    }
  });

  it('needs ping allowed outbound at the source too: an egress rule for tcp only blocks the echo request (S2, S6)', () => {
    const w = across()
      .allowIcmp('b', '10.0.0.0/16')
      .denyAllOut('a')
      .allowOut('a', { protocol: 'tcp', from: 0, to: 65535, peer: '0.0.0.0/0' });
    const d = ask(w, 'a', 'b');
    expect(codes(d)).toEqual(['SG_EGRESS_DENIED forward']);
    expect(ask(w, 'a', 'b', 'tcp', 22).reachable).toBe(true);
  });

  it('the default group admits its own members only (S3): a member reaches another member, a non-member does not', () => {
    const w = new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10', groups: ['main-default'] })
      .addInstance('b', { subnet: 'app', ip: '10.0.2.20', groups: ['main-default'] })
      .addInstance('c', { subnet: 'app', ip: '10.0.2.30' });
    expect(ask(w, 'a', 'b', 'tcp', 5432).reachable).toBe(true);
    expect(ask(w, 'a', 'b').reachable).toBe(true);
    expect(codes(ask(w, 'c', 'b', 'tcp', 5432))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('takes the union of every group on the interface, whichever group holds the rule (S5)', () => {
    const w = new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addSecurityGroup('g1', { vpc: 'main', ingress: [{ protocol: 'tcp', from: 22, to: 22, peer: '0.0.0.0/0' }] })
      .addSecurityGroup('g2', { vpc: 'main', ingress: [{ protocol: 'udp', from: 53, to: 53, peer: '10.0.0.0/16' }] })
      .addSecurityGroup('g3', { vpc: 'main', ingress: [{ protocol: 'icmp', from: 8, to: -1, peer: '10.0.1.0/24' }] })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'app', ip: '10.0.2.20', groups: ['g1', 'g2', 'g3'] });
    const icmp = ask(w, 'a', 'b');
    expect(icmp.reachable).toBe(true);
    expect(icmp.forward.find((h) => h.direction === 'ingress' && h.component === 'security-group')?.id).toBe(
      w.id('g3'),
    );
    expect(ask(w, 'a', 'b', 'udp', 53).reachable).toBe(true);
    // Nothing in any of the three allows TCP 80; the finding names the first group.
    const d = ask(w, 'a', 'b', 'tcp', 80);
    expect(finding(d, 'SG_INGRESS_DENIED').resource).toBe(w.id('g1'));
  });
});

describe('S4/S21 security-group references', () => {
  /** a in main, b in VPC "peer" (10.1.0.0/16); b admits ping from a's group by reference. */
  function peered(o: { status?: string; region?: string; accountId?: string } = {}) {
    return new SnapshotBuilder()
      .addVpc('peer', { cidr: '10.1.0.0/16', region: o.region, accountId: o.accountId })
      .addSubnet('p1', { vpc: 'peer', cidr: '10.1.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'p1', ip: '10.1.1.20' })
      .allowIn('b', { protocol: 'icmp', from: 8, to: -1, peer: 'sg:a-sg' })
      .peer('p', 'main', 'peer', { status: o.status, routes: true });
  }

  it('match across an active same-region peering', () => {
    expect(ask(peered(), 'a', 'b').reachable).toBe(true);
  });

  it('across a pending peering: the peering is the blocker; once accepted the reference matches', () => {
    // AWS accepts a reference to a peer group only across an active peering (vpc-peering-basics); the trace goes on
    // as if the peering were accepted, so the rule is not reported as a second blocker.
    const d = ask(peered({ status: 'pending-acceptance' }), 'a', 'b');
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toContain('PEERING_NOT_ACTIVE');
    expect(d.findings.map((f) => f.code)).not.toContain('SG_INGRESS_DENIED');
  });

  it('a peering still initiating (S20) is not active, and cannot be accepted yet: no accept fix', () => {
    // Lifecycle: initiating-request → pending-acceptance → provisioning → active; only pending-acceptance is accepted
    // (aws-anchors S20, from vpc-peering-basics "VPC peering connection lifecycle"; AcceptVpcPeeringConnection: "the
    // VPC peering connection must be in the pending-acceptance state").
    const d = ask(peered({ status: 'initiating-request' }), 'a', 'b');
    const f = finding(d, 'PEERING_NOT_ACTIVE', 'forward');
    expect(f.fix ?? null).toBeNull();
    const p = finding(ask(peered({ status: 'pending-acceptance' }), 'a', 'b'), 'PEERING_NOT_ACTIVE', 'forward');
    expect(p.fix?.action).toBe('AcceptVpcPeeringConnection');
  });

  it('never match across an inter-region peering (the source /32 is proposed instead)', () => {
    // "You cannot reference the security group of a peer VPC that's in a different Region" (vpc-peering-basics).
    const d = ask(peered({ region: 'eu-west-1' }), 'a', 'b');
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(finding(d, 'SG_INGRESS_DENIED').fix?.params).toMatchObject({ cidr: '10.0.1.10/32' });
  });

  it("match another account's group (UserId) across a same-region peering: group ids are global", () => {
    const w = peered({ accountId: '444455556666' });
    const s = raw(w, (d) => {
      for (const g of d.SecurityGroups ?? [])
        for (const p of g.IpPermissions ?? []) for (const r of p.UserIdGroupPairs ?? []) r.UserId = ACCOUNT;
    });
    expect(ask(s, 'a', 'b').reachable).toBe(true);
  });

  it('a stale reference to a deleted group matches nothing (and the loader warns)', () => {
    // A rule whose referenced group was deleted is stale: it matches no interface (VPC_SecurityGroups, stale rules).
    const w = across();
    const s = raw(w, (d) => {
      const g = d.SecurityGroups?.find((x) => x.GroupId === w.id('b-sg'));
      g?.IpPermissions.push({
        IpProtocol: '-1',
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: 'sg-0deadbeef00000000', UserId: ACCOUNT }],
      });
    });
    const d = ask(s, 'a', 'b');
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(d.warnings.join(' ')).toContain('sg-0deadbeef00000000');
  });

  /** a (main) → b (VPC "data") through transit gateway "hub"; b admits ping from a's group by reference. */
  function overTgw() {
    return new SnapshotBuilder()
      .addVpc('data', { cidr: '10.2.0.0/16' })
      .addSubnet('d1', { vpc: 'data', cidr: '10.2.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'd1', ip: '10.2.1.20' })
      .allowIn('b', { protocol: 'icmp', from: 8, to: -1, peer: 'sg:a-sg' })
      .addTransitGateway('hub')
      .attach('ta', { tgw: 'hub', vpc: 'main', subnets: ['public'] })
      .attach('tb', { tgw: 'hub', vpc: 'data', subnets: ['d1'] })
      .addRoute('public', '10.2.0.0/16', 'tgw:hub')
      .addRoute('data-main', '10.0.0.0/16', 'tgw:hub');
  }
  /** Sets SecurityGroupReferencingSupport on the transit gateway and (when given) on the VPC attachments. */
  const sgRefs = (w: SnapshotBuilder, tgw: string | null, attachments: string | null) =>
    raw(w, (d) => {
      for (const t of d.TransitGateways ?? []) if (tgw) t.Options.SecurityGroupReferencingSupport = tgw;
      for (const a of d.TransitGatewayVpcAttachments ?? [])
        if (attachments) a.Options.SecurityGroupReferencingSupport = attachments;
    });

  it('across a transit gateway: only when the gateway enables security group referencing (default: disabled)', () => {
    // "inbound security rules that reference security groups defined in other VPCs attached to a transit gateway
    // within the same Region"; the option is disabled by default on the transit gateway, enabled by default on VPC
    // attachments (aws.amazon.com/blogs/networking-and-content-delivery/introducing-security-group-referencing-for-
    // aws-transit-gateway; EC2 API TransitGatewayOptions / TransitGatewayVpcAttachmentOptions).
    expect(codes(ask(overTgw(), 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
    expect(codes(ask(sgRefs(overTgw(), 'disable', null), 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
    expect(ask(sgRefs(overTgw(), 'enable', null), 'a', 'b').reachable).toBe(true);
    expect(ask(sgRefs(overTgw(), 'enable', 'enable'), 'a', 'b').reachable).toBe(true);
    // Either attachment opting out turns it off.
    expect(codes(ask(sgRefs(overTgw(), 'enable', 'disable'), 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('across a transit gateway: never in outbound rules ("outbound security rules referencing … aren\'t supported")', () => {
    const w = overTgw()
      .allowIcmp('b', '10.0.0.0/16')
      .denyAllOut('a')
      .allowOut('a', { protocol: '-1', peer: 'sg:b-sg' });
    const d = ask(sgRefs(w, 'enable', 'enable'), 'a', 'b');
    expect(codes(d)).toEqual(['SG_EGRESS_DENIED forward']);
  });
});

describe('S7/S8/S9 network ACL entries', () => {
  /** across() with a custom ACL on "app" (b's subnet): `entries` added, then nothing (the * deny). */
  function acl(entries: Parameters<SnapshotBuilder['addNaclEntry']>[1][]) {
    const w = across()
      .allowIcmp('b', '10.0.0.0/16')
      .allowTcp('b', 443, '10.0.0.0/16')
      .addNacl('app-acl', { vpc: 'main', subnets: ['app'] });
    for (const e of entries) w.addNaclEntry('app-acl', e);
    return w;
  }

  it('ICMP entry with IcmpTypeCode -1/-1 allows ping both ways; 8/-1 in + 0/-1 out is the minimum (S7)', () => {
    const all = acl([
      { rule: 100, egress: false, protocol: 'icmp', cidr: '10.0.1.0/24', action: 'allow', icmp: [-1, -1] },
      { rule: 100, egress: true, protocol: 'icmp', cidr: '10.0.1.0/24', action: 'allow', icmp: [-1, -1] },
    ]);
    expect(ask(all, 'a', 'b').reachable).toBe(true);
    const min = acl([
      { rule: 100, egress: false, protocol: 'icmp', cidr: '10.0.1.0/24', action: 'allow', icmp: [8, -1] },
      { rule: 100, egress: true, protocol: 'icmp', cidr: '10.0.1.0/24', action: 'allow', icmp: [0, -1] },
    ]);
    expect(ask(min, 'a', 'b').reachable).toBe(true);
    // Echo request out only (type 8 both ways): the reply (type 0) dies leaving b's subnet.
    const wrong = acl([
      { rule: 100, egress: false, protocol: 'icmp', cidr: '10.0.1.0/24', action: 'allow', icmp: [8, -1] },
      { rule: 100, egress: true, protocol: 'icmp', cidr: '10.0.1.0/24', action: 'allow', icmp: [8, -1] },
    ]);
    expect(codes(ask(wrong, 'a', 'b'))).toEqual(['NACL_EGRESS_DENIED return']);
  });

  it('reads entry protocol numbers ("6", "17", "1", "-1") and ignores ICMPv6 ("58") for IPv4 ping', () => {
    const w = acl([]);
    const s = raw(w, (d) => {
      const a = d.NetworkAcls?.find((x) => x.NetworkAclId === w.id('app-acl', 'acl'));
      a?.Entries.unshift(
        { RuleNumber: 90, Egress: false, Protocol: '58', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
        {
          RuleNumber: 100,
          Egress: false,
          Protocol: '6',
          RuleAction: 'allow',
          CidrBlock: '0.0.0.0/0',
          PortRange: { From: 443, To: 443 },
        },
        {
          RuleNumber: 100,
          Egress: true,
          Protocol: '6',
          RuleAction: 'allow',
          CidrBlock: '0.0.0.0/0',
          PortRange: { From: 1024, To: 65535 },
        },
      );
    });
    expect(ask(s, 'a', 'b', 'tcp', 443).reachable).toBe(true);
    expect(codes(ask(s, 'a', 'b'))).toEqual(['NACL_INGRESS_DENIED forward', 'NACL_EGRESS_DENIED return']);
  });

  it('ephemeral reply range: 1024-65535 covers every client; 32768-60999 covers Linux but not Windows (S7)', () => {
    const reply = (from: number, to: number) =>
      acl([
        { rule: 100, egress: false, protocol: 'tcp', cidr: '10.0.1.0/24', action: 'allow', ports: [443, 443] },
        { rule: 100, egress: true, protocol: 'tcp', cidr: '10.0.1.0/24', action: 'allow', ports: [from, to] },
      ]);
    expect(ask(reply(1024, 65535), 'a', 'b', 'tcp', 443).reachable).toBe(true);
    expect(ask(reply(32768, 60999), 'a', 'b', 'tcp', 443).reachable).toBe(true);
    // The same ACL with a Windows client (49152-65535): ports 61000-65535 are denied, 28 % of its range: the
    // connections that pick one of them fail, the others work (a warning, not a blocker: see ephemeral-ports.test.ts).
    const win = reply(32768, 60999).addInstance('w', { subnet: 'public', ip: '10.0.1.30', platform: 'windows' });
    const d = ask(win, 'w', 'b', 'tcp', 443);
    expect(d.reachable).toBe(true);
    expect(d.partlyDenied?.[0]?.denied).toMatchObject([{ from: 61000, to: 65535 }]);
    expect(d.warnings[0]).toContain("4536 of the 16384 ports of the client's ephemeral range 49152-65535 (28 %");
  });

  it('IPv6 entries never match IPv4 packets: ::/0 allow-all leaves IPv4 at the * deny (S8, S27)', () => {
    const w = acl([]);
    const s = raw(w, (d) => {
      const a = d.NetworkAcls?.find((x) => x.NetworkAclId === w.id('app-acl', 'acl'));
      for (const egress of [false, true])
        a?.Entries.unshift({
          RuleNumber: 100,
          Egress: egress,
          Protocol: '-1',
          RuleAction: 'allow',
          Ipv6CidrBlock: '::/0',
        });
    });
    const d = ask(s, 'a', 'b');
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED forward', 'NACL_EGRESS_DENIED return']);
    expect(d.forward.find((h) => !h.allowed)?.rule).toMatch(/^\* ALL ALL 0\.0\.0\.0\/0 DENY/);
  });

  it('evaluates by rule number, not by the order the API lists entries in; the first match decides (S8)', () => {
    const w = acl([
      { rule: 200, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' },
      { rule: 100, egress: false, protocol: 'icmp', cidr: '10.0.1.10/32', action: 'deny', icmp: [-1, -1] },
      { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' },
    ]);
    const d = ask(w, 'a', 'b');
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED forward']);
    expect(d.forward.find((h) => !h.allowed)?.rule).toMatch(/^100 /);
    // TCP is not matched by the ICMP deny: rule 200 allows it.
    expect(ask(w, 'a', 'b', 'tcp', 443).reachable).toBe(true);
  });

  it('an allow and a deny with the same number in opposite directions do not interfere', () => {
    const w = acl([
      { rule: 100, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' },
      { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'deny' },
      { rule: 110, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' },
    ]);
    expect(codes(ask(w, 'a', 'b'))).toEqual(['NACL_EGRESS_DENIED return']);
  });

  it('a subnet with no ACL association in the data falls back to the VPC default ACL (S9)', () => {
    // Every subnet is associated with exactly one ACL, implicitly the default one (VPC_ACLs).
    const w = across().allowIcmp('b', '10.0.0.0/16');
    const s = raw(w, (d) => {
      for (const a of d.NetworkAcls ?? []) {
        a.Associations = a.Associations.filter((x: Json) => x.SubnetId !== w.id('app', 'subnet'));
        if (a.IsDefault)
          a.Entries = a.Entries.map((e: Json) =>
            e.RuleNumber === 100 && !e.Egress ? { ...e, RuleAction: 'deny' } : e,
          );
      }
    });
    const d = ask(s, 'a', 'b');
    // a's subnet is associated explicitly with the default ACL too; b's falls back to it: both deny inbound.
    expect(d.findings.map((f) => `${f.code} ${f.resource}`)).toContain(
      `NACL_INGRESS_DENIED ${w.id('main-default', 'acl')}`,
    );
  });
});

describe('S11/S12/S14 route selection', () => {
  it('on an equal prefix, a static route beats a prefix-list route (route-tables-priority)', () => {
    // 10.1.0.0/16 via the peering (static) and the prefix list {10.1.0.0/16} via a blackhole NAT: the static wins.
    const w = new SnapshotBuilder()
      .addVpc('peer', { cidr: '10.1.0.0/16' })
      .addSubnet('p1', { vpc: 'peer', cidr: '10.1.1.0/24' })
      .addPrefixList('corp', { plName: 'corp', cidrs: ['10.1.0.0/16', '192.168.0.0/16'] })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'p1', ip: '10.1.1.20' })
      .allowIcmp('b', '10.0.0.0/16')
      .peer('p', 'main', 'peer', { routes: true })
      .addNatGateway('gone', { subnet: 'public', ip: '10.0.1.99', publicIp: '198.51.100.99' })
      .addRoute('public', `pl:corp`, 'nat:gone', 'blackhole');
    const d = ask(w, 'a', 'b');
    expect(d.reachable).toBe(true);
    expect(d.forward.find((h) => h.component === 'route-table')?.rule).toContain('pcx-');
  });

  it('a prefix-list route matches by the longest of its CIDRs that holds the destination', () => {
    // The list's /24 beats a static /16 (longest prefix first; the static/list tie-break only applies to equal prefixes).
    const w = new SnapshotBuilder()
      .addVpc('peer', { cidr: '10.1.0.0/16' })
      .addSubnet('p1', { vpc: 'peer', cidr: '10.1.1.0/24' })
      .addPrefixList('corp', { plName: 'corp', cidrs: ['10.1.1.0/24', '10.9.0.0/16'] })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'p1', ip: '10.1.1.20' })
      .allowIcmp('b', '10.0.0.0/16')
      .peer('p', 'main', 'peer', { routes: true })
      .addNatGateway('gone', { subnet: 'public', ip: '10.0.1.99', publicIp: '198.51.100.99' })
      .addRoute('public', 'pl:corp', 'nat:gone', 'blackhole');
    const d = ask(w, 'a', 'b');
    expect(d.findings.map((f) => f.code)).toContain('ROUTE_BLACKHOLE');
    // Outside the list's /24, the static /16 route to the peering applies.
    const w2 = w.addInstance('c', { subnet: 'p1', ip: '10.1.1.30' }).allowIcmp('c', '10.0.0.0/16');
    expect(ask(w2, 'a', '10.1.1.30').findings.map((f) => f.code)).toContain('ROUTE_BLACKHOLE');
  });

  it('the local route covers a secondary CIDR; a route to a peer for a wider range does not override it', () => {
    const w = new SnapshotBuilder()
      .addVpc('two', { cidr: '10.5.0.0/16', secondaryCidrs: ['100.64.0.0/24'] })
      .addSubnet('t1', { vpc: 'two', cidr: '10.5.1.0/24' })
      .addSubnet('t2', { vpc: 'two', cidr: '100.64.0.0/26' })
      .addInstance('a', { subnet: 't1', ip: '10.5.1.10' })
      .addInstance('b', { subnet: 't2', ip: '100.64.0.20' })
      .allowIcmp('b', '10.5.0.0/16')
      .addNatGateway('n', { subnet: 'public', ip: '10.0.1.99', publicIp: '198.51.100.99' })
      .addRoute('two-main', '100.64.0.0/10', 'nat:n', 'blackhole');
    const d = ask(w, 'a', 'b');
    expect(d.reachable).toBe(true);
    expect(d.forward.find((h) => h.component === 'route-table')?.rule).toContain('local');
  });
});

describe('S12 prefix lists whose entries the snapshot does not hold', () => {
  /** Removes every managed prefix list's entries from the raw data (as a snapshot taken without GetManagedPrefixListEntries). */
  const dropEntries = (d: Record<string, Json[]>) => {
    const e = d.PrefixListEntries as unknown as Record<string, unknown>;
    for (const k of Object.keys(e)) delete e[k];
  };

  it('an SG rule naming such a list may allow the packet: "not analyzed", never a guessed deny (and a warning)', () => {
    const w = across()
      .addPrefixList('office', { plName: 'office', cidrs: ['10.0.1.0/24'] })
      .allowIn('b', { protocol: 'icmp', from: -1, to: -1, peer: 'pl:office' });
    expect(ask(w, 'a', 'b').reachable).toBe(true);
    const s = raw(w, dropEntries);
    const d = ask(s, 'a', 'b');
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed).toMatchObject({ component: 'security-group', id: w.id('b-sg') });
    expect(d.warnings.join(' ')).toContain(w.id('office', 'pl'));
    // A rule for another protocol cannot allow it, whatever the list holds: TCP 443 is a plain deny.
    expect(codes(ask(s, 'a', 'b', 'tcp', 443))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('a route to such a list may cover the destination (more specifically than any route found): "not analyzed"', () => {
    const w = new SnapshotBuilder()
      .addVpc('peer', { cidr: '10.1.0.0/16' })
      .addSubnet('p1', { vpc: 'peer', cidr: '10.1.1.0/24' })
      .addPrefixList('corp', { plName: 'corp', cidrs: ['10.1.0.0/16'] })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'p1', ip: '10.1.1.20' })
      .allowIcmp('b', '10.0.0.0/16')
      .peer('p', 'main', 'peer')
      .addRoute('public', 'pl:corp', 'pcx:p')
      .addRoute('peer-main', '10.0.0.0/16', 'pcx:p');
    expect(ask(w, 'a', 'b').reachable).toBe(true);
    const d = ask(raw(w, dropEntries), 'a', 'b');
    // Without the entries, "NO_ROUTE" would be a guess.
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed).toMatchObject({ component: 'route-table', id: w.id('public-rt', 'rtb') });
  });

  it('an SG rule naming an AWS service list (e.g. HTTPS to S3) cannot allow a private destination, entries or not', () => {
    // Common egress hardening: 443 only to the S3 gateway endpoint's list. An instance-to-instance question is a plain
    // deny even when the snapshot lacks the list's entries (AWS service lists hold AWS public ranges only).
    const w = across()
      .allowTcp('b', 443, '10.0.0.0/16')
      .addPrefixList('s3', { plName: 'com.amazonaws.us-east-1.s3', cidrs: ['52.216.0.0/15'] })
      .denyAllOut('a')
      .allowOut('a', { protocol: 'tcp', from: 443, to: 443, peer: 'pl:s3' });
    const s = raw(w, dropEntries);
    expect(codes(ask(s, 'a', 'b', 'tcp', 443))).toEqual(['SG_EGRESS_DENIED forward']);
    // "The internet" as a whole is no single address: a list covers a range only whole, as known lists are read.
    expect(ask(s, 'a', 'internet', 'tcp', 443).notAnalyzed).toBeNull();
    // Towards a public address the list may hold, whether the rule allows is unknown (a has no public IP either: that
    // blocker is certain, so the verdict is false and the unknown rule is named in notAnalyzed).
    const d = ask(s, 'a', '52.216.10.10', 'tcp', 443);
    expect(d.notAnalyzed).toMatchObject({ component: 'security-group', id: w.id('a-sg') });
    expect(codes(d)).toEqual(['NO_PUBLIC_IP forward']);
  });

  it('an AWS service list (gateway endpoint route) never covers a private address, entries or not', () => {
    const w = across()
      .allowIcmp('b', '10.0.0.0/16')
      .addPrefixList('s3', { plName: 'com.amazonaws.us-east-1.s3', cidrs: ['52.216.0.0/15'] })
      .addNatGateway('n', { subnet: 'public', ip: '10.0.1.99', publicIp: '198.51.100.99' })
      .addRoute('public', 'pl:s3', 'nat:n');
    expect(ask(raw(w, dropEntries), 'a', 'b').reachable).toBe(true);
  });
});

describe('S5/endpoints: instances with several interfaces and addresses', () => {
  /** b has a second interface "b2" (10.0.2.50) in subnet app with its own group that admits ping. */
  function multi() {
    const w = new SnapshotBuilder()
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addSecurityGroup('b2-sg', { vpc: 'main', ingress: [{ protocol: 'icmp', from: 8, to: -1, peer: '10.0.0.0/16' }] })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'public', ip: '10.0.1.20' });
    const eni2 = idFor('eni', 'b2');
    const s = raw(w, (d) => {
      const eni = {
        NetworkInterfaceId: eni2,
        SubnetId: w.id('app', 'subnet'),
        VpcId: w.id('main', 'vpc'),
        AvailabilityZone: 'us-east-1a',
        OwnerId: ACCOUNT,
        InterfaceType: 'interface',
        Status: 'in-use',
        RequesterManaged: false,
        SourceDestCheck: true,
        PrivateIpAddress: '10.0.2.50',
        PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.2.50' }],
        Ipv6Addresses: [],
        Groups: [{ GroupId: w.id('b2-sg'), GroupName: 'b2-sg' }],
        Attachment: {
          AttachmentId: idFor('eni-attach', 'b2'),
          DeviceIndex: 1,
          InstanceId: w.id('b'),
          InstanceOwnerId: ACCOUNT,
          Status: 'attached',
        },
        TagSet: [],
      };
      d.NetworkInterfaces?.push(eni);
      const inst = d.Reservations?.flatMap((r) => r.Instances).find((i: Json) => i.InstanceId === w.id('b'));
      inst.NetworkInterfaces.push({ ...eni, Attachment: { ...eni.Attachment } });
    });
    return { w, s, eni2 };
  }

  it("answers on a secondary interface's address with that interface's groups and subnet", () => {
    const { s, eni2 } = multi();
    const d = ask(s, 'a', '10.0.2.50');
    expect(d.endpoints.to).toMatchObject({ eni: eni2, ip: '10.0.2.50' });
    expect(d.reachable).toBe(true);
    // By name the instance is its primary interface, whose group (SSH only) does not admit ping.
    expect(codes(ask(s, 'a', 'b'))).toEqual(['SG_INGRESS_DENIED forward']);
  });

  it('an Elastic IP on a secondary private address: the internet reaches that address, not the primary', () => {
    const w = new SnapshotBuilder().addInstance('b', { subnet: 'public', ip: '10.0.1.20' }).allowIcmp('b', '0.0.0.0/0');
    const s = raw(w, (d) => {
      const assoc = {
        PublicIp: '203.0.113.77',
        IpOwnerId: 'amazon',
        AllocationId: 'eipalloc-0aaa',
        AssociationId: 'eipassoc-0aaa',
      };
      const add = (e: Json) => {
        e.PrivateIpAddresses.push({ Primary: false, PrivateIpAddress: '10.0.1.21', Association: assoc });
      };
      const eni = d.NetworkInterfaces?.find((e) => e.NetworkInterfaceId === w.id('b', 'eni'));
      if (eni) add(eni);
      const inst = d.Reservations?.flatMap((r) => r.Instances).find((i: Json) => i.InstanceId === w.id('b'));
      for (const e of inst.NetworkInterfaces) if (e.NetworkInterfaceId === w.id('b', 'eni')) add(e);
      d.Addresses = [
        {
          AllocationId: 'eipalloc-0aaa',
          AssociationId: 'eipassoc-0aaa',
          Domain: 'vpc',
          InstanceId: w.id('b'),
          NetworkInterfaceId: w.id('b', 'eni'),
          NetworkInterfaceOwnerId: ACCOUNT,
          PrivateIpAddress: '10.0.1.21',
          PublicIp: '203.0.113.77',
        },
      ];
    });
    const d = ask(s, 'internet', '203.0.113.77');
    expect(d.reachable).toBe(true);
    expect(d.forward.find((h) => h.component === 'internet-gateway')?.rule).toBe(
      'destination 203.0.113.77 → 10.0.1.21',
    );
    // The reply leaves from 10.0.1.21 and is translated back to the Elastic IP.
    expect(d.return.find((h) => h.component === 'internet-gateway')?.rule).toBe('source 10.0.1.21 → 203.0.113.77');
    // Traffic the instance starts leaves from its primary address, which has no public IP: the IGW drops it.
    expect(codes(ask(s, 'b', '8.8.8.8'))).toEqual(['NO_PUBLIC_IP forward']);
  });
});

describe('S25/S26 the internet and NAT gateways', () => {
  it('says a NO_PUBLIC_IP answer is for IPv4 when the interface also has an IPv6 address (IPv6 is not analyzed)', () => {
    // An instance reachable over IPv6 (a global address, ::/0 → igw) but with no public IPv4: the IPv4 answer must not
    // read as the whole truth.
    const w = new SnapshotBuilder()
      .addInstance('v6', { subnet: 'public', ip: '10.0.1.30' })
      .allowIcmp('v6', '0.0.0.0/0');
    const s = raw(w, (d) => {
      for (const e of d.NetworkInterfaces ?? []) e.Ipv6Addresses = [{ Ipv6Address: '2600:1f18:aaaa:bb01::10' }];
      for (const r of d.Reservations ?? [])
        for (const i of r.Instances ?? [])
          for (const e of i.NetworkInterfaces ?? []) e.Ipv6Addresses = [{ Ipv6Address: '2600:1f18:aaaa:bb01::10' }];
    });
    const note = `This answer is for IPv4: ${w.id('v6', 'eni')} also has IPv6 address 2600:1f18:aaaa:bb01::10`;
    expect(finding(ask(s, 'internet', 'v6'), 'NO_PUBLIC_IP').message).toContain(note);
    expect(finding(ask(s, 'v6', 'internet'), 'NO_PUBLIC_IP').message).toContain(note);
    // Without an IPv6 address, nothing is added.
    expect(finding(ask(w, 'v6', 'internet'), 'NO_PUBLIC_IP').message).not.toContain('IPv4');
  });

  it('a NAT gateway whose own subnet has no route to the internet gateway: the path dies there', () => {
    const w = new SnapshotBuilder()
      .addSubnet('natnet', { vpc: 'main', cidr: '10.0.3.0/24' })
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addRouteTable('priv-rt', { vpc: 'main', subnets: ['priv'] })
      .addNatGateway('n', { subnet: 'natnet', ip: '10.0.3.5', publicIp: '198.51.100.5' })
      .addRoute('priv-rt', '0.0.0.0/0', 'nat:n')
      .addInstance('a', { subnet: 'priv', ip: '10.0.2.10' });
    const d = ask(w, 'a', '8.8.8.8');
    expect(d.reachable).toBe(false);
    expect(codes(d)).toEqual(['NO_INTERNET_GATEWAY_ROUTE forward']);
    expect(finding(d, 'NO_INTERNET_GATEWAY_ROUTE').resource).toBe(w.id('main-main', 'rtb'));
  });

  it('the reply to a NAT gateway comes back to ports 1024-65535: its subnet ACL must allow them, whatever the client OS', () => {
    // A NAT gateway remaps source ports to 1024-65535 (VPC_ACLs, ephemeral ports); the client's subnet sees its own range.
    const w = new SnapshotBuilder()
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addRouteTable('priv-rt', { vpc: 'main', subnets: ['priv'] })
      .addNatGateway('n', { subnet: 'public', ip: '10.0.1.5', publicIp: '198.51.100.5' })
      .addRoute('priv-rt', '0.0.0.0/0', 'nat:n')
      .addInstance('a', { subnet: 'priv', ip: '10.0.2.10' })
      .addNacl('pub-acl', { vpc: 'main', subnets: ['public'] })
      .addNaclEntry('pub-acl', { rule: 100, egress: false, protocol: '-1', cidr: '10.0.0.0/16', action: 'allow' })
      .addNaclEntry('pub-acl', {
        rule: 110,
        egress: false,
        protocol: 'tcp',
        cidr: '0.0.0.0/0',
        action: 'allow',
        ports: [32768, 60999],
      })
      .addNaclEntry('pub-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    const d = ask(w, 'a', '8.8.8.8', 'tcp', 443);
    expect(codes(d)).toEqual(['NACL_INGRESS_DENIED return']);
    expect(d.return.find((h) => !h.allowed)?.detail).toContain('1024-32767, 61000-65535');
    expect(finding(d, 'NACL_INGRESS_DENIED').fix?.params).toMatchObject({ portRange: { from: 1024, to: 65535 } });
  });

  it("no edge-to-edge: a default route into a peering does not reach the internet through the peer's gateway (S17)", () => {
    const w = new SnapshotBuilder()
      .addVpc('peer', { cidr: '10.1.0.0/16' })
      .addSubnet('p1', { vpc: 'peer', cidr: '10.1.1.0/24', public: true })
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('a', { subnet: 'priv', ip: '10.0.2.10' })
      .peer('p', 'main', 'peer')
      .addRoute('main-main', '0.0.0.0/0', 'pcx:p');
    const d = ask(w, 'a', '8.8.8.8');
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toContain('PEERING_NOT_TRANSITIVE');
  });

  it('a private NAT gateway never reaches the internet (it has no public address)', () => {
    const w = new SnapshotBuilder()
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addRouteTable('priv-rt', { vpc: 'main', subnets: ['priv'] })
      .addNatGateway('n', { subnet: 'public', ip: '10.0.1.5', publicIp: '198.51.100.5' })
      .addRoute('priv-rt', '0.0.0.0/0', 'nat:n')
      .addInstance('a', { subnet: 'priv', ip: '10.0.2.10' });
    const s = raw(w, (d) => {
      for (const n of d.NatGateways ?? []) {
        n.ConnectivityType = 'private';
        for (const a of n.NatGatewayAddresses ?? []) {
          delete a.PublicIp;
          delete a.AllocationId;
        }
      }
      for (const e of d.NetworkInterfaces ?? [])
        if (e.InterfaceType === 'nat_gateway') {
          delete e.Association;
          for (const p of e.PrivateIpAddresses) delete p.Association;
        }
    });
    const d = ask(s, 'a', '8.8.8.8');
    // "if you route traffic from the private NAT gateway to the internet gateway, the internet gateway drops the
    // traffic" (docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html). The finding names the NAT gateway
    // (not its interface) and says why: no Elastic IP can be added to a private NAT gateway.
    expect(d.reachable).toBe(false);
    expect(codes(d)).toEqual(['NO_PUBLIC_IP forward']);
    const f = finding(d, 'NO_PUBLIC_IP');
    expect(f.resource).toBe(w.id('n', 'nat'));
    expect(f.message).toContain('private NAT gateway');
    expect(f.fix ?? null).toBeNull();
  });

  it('an internet host cannot reach an instance with a public IP through a subnet routing 0.0.0.0/0 elsewhere', () => {
    const w = new SnapshotBuilder()
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('b', { subnet: 'priv', ip: '10.0.2.10', publicIp: '203.0.113.10' })
      .allowIcmp('b', '0.0.0.0/0');
    const d = ask(w, 'internet', 'b');
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toContain('NO_INTERNET_GATEWAY_ROUTE');
  });
});

describe('S28 transit gateway AZ presence on the way back', () => {
  it("the reply enters the transit gateway from the destination's AZ: no attachment subnet there fails the return path", () => {
    // "any resources in Availability Zones where there is no transit gateway attachment cannot reach the transit
    // gateway" (tgw-vpc-attachments, Limits). b sits in us-east-1b; data's attachment has a subnet in us-east-1a only.
    const w = new SnapshotBuilder()
      .addVpc('data', { cidr: '10.2.0.0/16' })
      .addSubnet('d1', { vpc: 'data', cidr: '10.2.1.0/24', az: 'us-east-1a' })
      .addSubnet('d2', { vpc: 'data', cidr: '10.2.2.0/24', az: 'us-east-1b' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'd2', ip: '10.2.2.20' })
      .allowIcmp('b', '10.0.0.0/16')
      .addTransitGateway('hub')
      .attach('ta', { tgw: 'hub', vpc: 'main', subnets: ['public'] })
      .attach('tb', { tgw: 'hub', vpc: 'data', subnets: ['d1'] })
      .addRoute('public', '10.2.0.0/16', 'tgw:hub')
      .addRoute('data-main', '10.0.0.0/16', 'tgw:hub');
    const d = ask(w, 'a', 'b');
    expect(codes(d)).toEqual(['TGW_NO_ATTACHMENT_IN_AZ return']);
    expect(finding(d, 'TGW_NO_ATTACHMENT_IN_AZ').resource).toBe(idFor('tgw-attach', 'tb'));
  });
});

describe('S28 transit gateway attachment states', () => {
  /** a (main) pings b (data) across hub; main's attachment in `state`, main's route to the hub in `routeState`. */
  function hubWith(state: string, routeState: 'active' | 'blackhole' = 'active'): SnapshotBuilder {
    return new SnapshotBuilder()
      .addVpc('data', { cidr: '10.2.0.0/16' })
      .addSubnet('d1', { vpc: 'data', cidr: '10.2.1.0/24' })
      .addInstance('a', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b', { subnet: 'd1', ip: '10.2.1.20' })
      .allowIcmp('b', '10.0.0.0/16')
      .addTransitGateway('hub')
      .attach('ta', { tgw: 'hub', vpc: 'main', subnets: ['public'], state })
      .attach('tb', { tgw: 'hub', vpc: 'data', subnets: ['d1'] })
      .addRoute('public', '10.2.0.0/16', 'tgw:hub', routeState)
      .addRoute('data-main', '10.0.0.0/16', 'tgw:hub');
  }

  // TransitGatewayAttachmentState (EC2 API reference): only available carries traffic, and modifying, a change to an
  // attachment that works (its subnets or options), keeps carrying it meanwhile.
  it.each(['available', 'modifying'])('an attachment that is %s carries traffic', (state) => {
    expect(ask(hubWith(state), 'a', 'b').reachable).toBe(true);
  });

  it.each([
    ['initiatingRequest', 'being created'],
    ['pending', 'being created'],
    ['pendingAcceptance', 'accepts it'],
    ['rollingBack', 'never will again'],
    ['failing', 'never will again'],
    ['failed', 'never will again'],
    ['rejecting', 'never will again'],
    ['rejected', 'never will again'],
    ['deleting', 'never will again'],
    ['deleted', 'never will again'],
  ])('an attachment that is %s carries nothing: TGW_ATTACHMENT_NOT_AVAILABLE (%s)', (state, says) => {
    const d = ask(hubWith(state), 'a', 'b');
    expect(d.reachable).toBe(false);
    expect(d.notAnalyzed).toBeNull();
    expect(codes(d)).toEqual(['TGW_ATTACHMENT_NOT_AVAILABLE forward']);
    const f = finding(d, 'TGW_ATTACHMENT_NOT_AVAILABLE');
    expect(f.resource).toBe(idFor('tgw-attach', 'ta'));
    expect(f.message).toContain(`is ${state}:`);
    expect(f.message).toContain(says);
  });

  it('an attachment whose state the data lacks is taken to carry traffic (only a state that says so stops it)', () => {
    const s = raw(hubWith('available'), (data) => {
      for (const a of [...(data.TransitGatewayAttachments ?? []), ...(data.TransitGatewayVpcAttachments ?? [])])
        delete a.State;
    });
    expect(ask(s, 'a', 'b').reachable).toBe(true);
  });

  it('takes the state from DescribeTransitGatewayVpcAttachments when DescribeTransitGatewayAttachments has none', () => {
    const s = raw(hubWith('rejected'), (data) => {
      for (const a of data.TransitGatewayAttachments ?? []) delete a.State;
    });
    expect(s.transitGatewayAttachments.get(idFor('tgw-attach', 'ta') as never)?.state).toBe('rejected');
    expect(codes(ask(s, 'a', 'b'))).toEqual(['TGW_ATTACHMENT_NOT_AVAILABLE forward']);
  });

  it('a VPC route to the gateway that AWS shows as blackhole names the dead attachment, and nothing is "not in the snapshot"', () => {
    // AWS turns the VPC's route to a transit gateway into a blackhole once the VPC's attachment is gone.
    const d = ask(hubWith('deleted', 'blackhole'), 'a', 'b');
    expect(d.reachable).toBe(false);
    expect(d.notAnalyzed).toBeNull();
    expect(codes(d)).toEqual(['ROUTE_BLACKHOLE forward', 'TGW_ATTACHMENT_NOT_AVAILABLE forward']);
    expect(finding(d, 'ROUTE_BLACKHOLE').message).toContain(`${idFor('tgw-attach', 'ta')}, the attachment of`);
  });
});

describe('instance state (S30 aside: the model sees state, not the OS)', () => {
  it('a terminated destination answers nothing and gets no start fix', () => {
    const w = across().allowIcmp('b', '10.0.0.0/16');
    const s = raw(w, (d) => {
      for (const r of d.Reservations ?? [])
        for (const i of r.Instances) if (i.InstanceId === w.id('b')) i.State = { Code: 48, Name: 'terminated' };
    });
    const d = ask(s, 'a', 'b');
    expect(d.reachable).toBe(false);
    const f = finding(d, 'INSTANCE_NOT_RUNNING');
    expect(f.fix ?? null).toBeNull();
  });
});

// keep helpers referenced
void path;
