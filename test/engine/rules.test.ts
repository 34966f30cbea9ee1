/** Rule and entry evaluation at the boundaries: ports, ICMP wildcards, /0 and /32, first match, partial ranges. */
import { describe, expect, it } from 'vitest';
import { fixId } from '../../src/engine/fixes.js';
import {
  evaluateNacl,
  freeRuleNumberBelow,
  freeRuleNumberBetween,
  replyTraffic,
  requestTraffic,
  sgRuleMatches,
  trafficText,
} from '../../src/engine/rules.js';
import type { NaclEntry, NetworkAcl, SgRule, Snapshot } from '../../src/model/index.js';
import { SnapshotBuilder } from '../support/builder.js';

const s: Snapshot = new SnapshotBuilder().snapshot();

function entry(e: Partial<NaclEntry> & Pick<NaclEntry, 'ruleNumber' | 'action'>): NaclEntry {
  return { egress: false, protocol: 'all', cidr: '0.0.0.0/0', text: `${e.ruleNumber}`, ...e };
}
function acl(...entries: NaclEntry[]): NetworkAcl {
  return { id: 'acl-test', vpcId: 'vpc-test', isDefault: false, subnetIds: [], entries, tags: {} };
}
function sgRule(r: Partial<SgRule>): SgRule {
  return {
    direction: 'ingress',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    peer: { kind: 'cidr', cidr: '0.0.0.0/0' },
    text: 'r',
    ...r,
  };
}
const peer = (cidr: string) => ({ cidr, eni: null });

describe('security group rules', () => {
  it('match TCP ports inclusively at both edges and not one past them', () => {
    const r = sgRule({ fromPort: 1000, toPort: 2000 });
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 1000), peer('1.2.3.4/32'))).toBe(true);
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 2000), peer('1.2.3.4/32'))).toBe(true);
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 999), peer('1.2.3.4/32'))).toBe(false);
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 2001), peer('1.2.3.4/32'))).toBe(false);
    expect(sgRuleMatches(s, r, requestTraffic('udp', 1500), peer('1.2.3.4/32'))).toBe(false);
  });

  it('treat protocol -1 as everything, ports included', () => {
    const r = sgRule({ protocol: 'all', fromPort: null, toPort: null });
    expect(sgRuleMatches(s, r, requestTraffic('udp', 53), peer('1.2.3.4/32'))).toBe(true);
    expect(sgRuleMatches(s, r, requestTraffic('icmp', null), peer('1.2.3.4/32'))).toBe(true);
  });

  it('read ICMP FromPort as the type and ToPort as the code, -1 meaning any', () => {
    const ping = requestTraffic('icmp', null);
    expect(sgRuleMatches(s, sgRule({ protocol: 'icmp', fromPort: 8, toPort: -1 }), ping, peer('1.1.1.1/32'))).toBe(
      true,
    );
    expect(sgRuleMatches(s, sgRule({ protocol: 'icmp', fromPort: -1, toPort: -1 }), ping, peer('1.1.1.1/32'))).toBe(
      true,
    );
    expect(sgRuleMatches(s, sgRule({ protocol: 'icmp', fromPort: 8, toPort: 0 }), ping, peer('1.1.1.1/32'))).toBe(true);
    expect(sgRuleMatches(s, sgRule({ protocol: 'icmp', fromPort: 0, toPort: -1 }), ping, peer('1.1.1.1/32'))).toBe(
      false,
    );
    expect(sgRuleMatches(s, sgRule({ protocol: 'icmp', fromPort: 8, toPort: 1 }), ping, peer('1.1.1.1/32'))).toBe(
      false,
    );
  });

  it('match a CIDR peer only when it covers the whole source range (a /29 needs a rule covering all of it)', () => {
    const r = sgRule({ peer: { kind: 'cidr', cidr: '18.206.107.24/29' } });
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 22), peer('18.206.107.24/29'))).toBe(true);
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 22), peer('18.206.107.31/32'))).toBe(true);
    expect(sgRuleMatches(s, r, requestTraffic('tcp', 22), peer('18.206.107.32/32'))).toBe(false);
    expect(
      sgRuleMatches(
        s,
        sgRule({ peer: { kind: 'cidr', cidr: '18.206.107.24/32' } }),
        requestTraffic('tcp', 22),
        peer('18.206.107.24/29'),
      ),
    ).toBe(false);
  });
});

describe('network ACL entries', () => {
  it('decide by the first matching entry in rule order', () => {
    const a = acl(
      entry({ ruleNumber: 100, action: 'deny', cidr: '10.0.0.0/8' }),
      entry({ ruleNumber: 200, action: 'allow' }),
    );
    expect(evaluateNacl(a, false, requestTraffic('icmp', null), '10.1.1.1/32')).toMatchObject({
      allowed: false,
      entry: { ruleNumber: 100 },
    });
    expect(evaluateNacl(a, false, requestTraffic('icmp', null), '11.1.1.1/32')).toMatchObject({
      allowed: true,
      entry: { ruleNumber: 200 },
    });
  });

  it('look only at the direction asked', () => {
    const a = acl(entry({ ruleNumber: 100, action: 'allow', egress: true }));
    expect(evaluateNacl(a, true, requestTraffic('tcp', 80), '1.1.1.1/32').allowed).toBe(true);
    expect(evaluateNacl(a, false, requestTraffic('tcp', 80), '1.1.1.1/32')).toMatchObject({
      allowed: false,
      entry: { ruleNumber: 32767 },
    });
  });

  it('match ICMP type and code with -1 wildcards (echo request 8, echo reply 0)', () => {
    const a = acl(entry({ ruleNumber: 100, action: 'allow', protocol: 'icmp', icmp: { type: 0, code: -1 } }));
    expect(evaluateNacl(a, false, replyTraffic('icmp', { from: 0, to: 0 }), '1.1.1.1/32').allowed).toBe(true);
    expect(evaluateNacl(a, false, requestTraffic('icmp', null), '1.1.1.1/32').allowed).toBe(false);
  });

  it('pass a port range only if every port passes, naming the denied part', () => {
    const a = acl(
      entry({ ruleNumber: 100, action: 'deny', protocol: 'tcp', portRange: { from: 40000, to: 40010 } }),
      entry({ ruleNumber: 200, action: 'allow', protocol: 'tcp', portRange: { from: 1024, to: 65535 } }),
    );
    const d = evaluateNacl(a, false, replyTraffic('tcp', { from: 32768, to: 60999 }), '1.1.1.1/32');
    expect(d).toMatchObject({ allowed: false, entry: { ruleNumber: 100 }, deniedPorts: [{ from: 40000, to: 40010 }] });
    const b = acl(entry({ ruleNumber: 100, action: 'allow', protocol: 'tcp', portRange: { from: 32768, to: 60999 } }));
    expect(evaluateNacl(b, false, replyTraffic('tcp', { from: 32768, to: 60999 }), '1.1.1.1/32').allowed).toBe(true);
    expect(evaluateNacl(b, false, replyTraffic('tcp', { from: 32767, to: 60999 }), '1.1.1.1/32').deniedPorts).toEqual([
      { from: 32767, to: 32767 },
    ]);
  });

  it('never match an IPv6 entry for an IPv4 packet', () => {
    const a = acl(entry({ ruleNumber: 100, action: 'allow', cidr: '::/0' }));
    expect(evaluateNacl(a, false, requestTraffic('icmp', null), '1.1.1.1/32').allowed).toBe(false);
  });
});

describe('free rule numbers for a fix', () => {
  it('between two rules: the number below the upper one when it lies above the lower one, else the highest between', () => {
    const a = acl(entry({ ruleNumber: 90, action: 'deny' }), entry({ ruleNumber: 100, action: 'deny' }));
    expect(freeRuleNumberBetween(a, false, 0, 100)).toBe(80);
    expect(freeRuleNumberBetween(a, false, 90, 100)).toBe(99);
    expect(freeRuleNumberBetween(acl(entry({ ruleNumber: 91, action: 'deny' })), false, 90, 92)).toBeNull();
  });

  it('take the highest free tidy number below the deny, else any free number', () => {
    const a = acl(entry({ ruleNumber: 90, action: 'allow' }), entry({ ruleNumber: 100, action: 'deny' }));
    expect(freeRuleNumberBelow(a, false, 100)).toBe(80);
    expect(freeRuleNumberBelow(acl(entry({ ruleNumber: 10, action: 'deny' })), false, 10)).toBe(9);
    expect(freeRuleNumberBelow(acl(entry({ ruleNumber: 1, action: 'deny' })), false, 1)).toBeNull();
  });

  it('go after the last rule when only * denies', () => {
    expect(freeRuleNumberBelow(acl(entry({ ruleNumber: 120, action: 'allow' })), false, 32767)).toBe(130);
    expect(freeRuleNumberBelow(acl(), false, 32767)).toBe(10);
  });
});

describe('words and ids', () => {
  it('names traffic the way the console does', () => {
    expect(trafficText(requestTraffic('icmp', null))).toBe('ICMP Echo Request');
    expect(trafficText(replyTraffic('icmp', { from: 0, to: 0 }))).toBe('ICMP Echo Reply');
    expect(trafficText(replyTraffic('tcp', { from: 1024, to: 65535 }))).toBe('TCP 1024-65535');
  });

  it('derive fix ids from content only (order of keys does not matter)', () => {
    const a = fixId('NO_ROUTE', 'rtb-1', {
      action: 'CreateRoute',
      params: {
        routeTableId: 'rtb-1',
        destinationCidrBlock: '10.0.0.0/16',
        target: { vpcPeeringConnectionId: 'pcx-1' },
      },
    });
    const b = fixId('NO_ROUTE', 'rtb-1', {
      action: 'CreateRoute',
      params: {
        target: { vpcPeeringConnectionId: 'pcx-1' },
        destinationCidrBlock: '10.0.0.0/16',
        routeTableId: 'rtb-1',
      },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^fix-[0-9a-f]{12}$/);
    expect(fixId('NO_ROUTE', 'rtb-2', { action: 'StartInstances', params: { instanceId: 'i-1' } })).not.toBe(a);
  });
});
