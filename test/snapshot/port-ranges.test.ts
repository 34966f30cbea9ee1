/**
 * Rule ports AWS never stores (outside 0-65535, or reversed): AWS refuses such a rule or entry when it is created,
 * so a snapshot holding one is read as AWS would hold it — without that rule — and says so in a warning.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/snapshot/index.js';
import { ask } from '../engine/helpers.js';
import { SnapshotBuilder } from '../support/builder.js';

function withRule(from: number, to: number) {
  const w = new SnapshotBuilder()
    .addSecurityGroup('odd', { vpc: 'main', ingress: [{ protocol: 'tcp', from, to, peer: '0.0.0.0/0' }] })
    .addInstance('db', { subnet: 'public', ip: '10.0.1.20', groups: ['odd'] })
    .addInstance('app', { subnet: 'public', ip: '10.0.1.10' });
  return buildSnapshot(w.build());
}

describe('security group rules with ports AWS refuses', () => {
  it.each([
    [443, 80, 'a reversed port range 443-80'],
    [0, 70000, 'outside 0-65535'],
  ])('a rule %i-%i allows nothing and is named in a warning (%s)', (from, to, why) => {
    const s = withRule(from, to);
    const d = ask(s, 'app', 'db', 'tcp', 443);
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toContain('SG_INGRESS_DENIED');
    expect(d.warnings.join('\n')).toContain(why);
    expect(d.warnings.join('\n')).toContain('BAD_PORT_RANGE');
  });

  it('a valid rule 80-443 still allows 443', () => {
    expect(ask(withRule(80, 443), 'app', 'db', 'tcp', 443).reachable).toBe(true);
  });
});

describe('network ACL entries with ports AWS refuses', () => {
  it('a reversed entry is ignored (the next entry decides) and named in a warning', () => {
    const w = new SnapshotBuilder()
      .addSubnet('data', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addNacl('data-acl', { vpc: 'main', subnets: ['data'] })
      .addNaclEntry('data-acl', {
        rule: 90,
        egress: false,
        protocol: 'tcp',
        ports: [500, 400],
        cidr: '0.0.0.0/0',
        action: 'deny',
      })
      .addNaclEntry('data-acl', { rule: 100, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' })
      .addNaclEntry('data-acl', { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' });
    const s = buildSnapshot(w.build());
    const acl = [...s.networkAcls.values()].find((a) => a.entries.some((e) => e.ruleNumber === 100) && !a.isDefault);
    expect(acl?.entries.some((e) => e.ruleNumber === 90)).toBe(false);
    expect(s.warnings.map((x) => x.message).join('\n')).toMatch(/entry 90 has a reversed port range 500-400/);
  });
});
