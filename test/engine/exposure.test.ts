/**
 * Fix plans open the least and say what they expose: no reference to a VPC's `default` group, an explicit warning
 * before 0.0.0.0/0 reaches an administration port, the asker's own range when the question names one, and the ports
 * a new public address exposes through the rules already in place.
 */
import { describe, expect, it } from 'vitest';
import type { FixPlan } from '../../src/model/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { ask, finding } from './helpers.js';

function plan(f: { fix: FixPlan | null }): FixPlan {
  if (!f.fix) throw new Error('no fix');
  return f.fix;
}

describe('a security group fix that references the source', () => {
  it("never names the VPC's default group: it takes the source's own group", () => {
    const w = new SnapshotBuilder()
      .addSecurityGroup('default', { vpc: 'main', ingress: [{ protocol: '-1', peer: 'sg:default' }] })
      .addSecurityGroup('app', { vpc: 'main' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10', groups: ['default', 'app'] })
      .addInstance('db', { subnet: 'public', ip: '10.0.1.20' });
    const fix = plan(finding(ask(w, 'web', 'db', 'tcp', 5432), 'SG_INGRESS_DENIED'));
    expect(fix.params).toMatchObject({ peerGroupId: w.id('app', 'sg') });
  });

  it("names the source's /32 when its only group is the default group", () => {
    const w = new SnapshotBuilder()
      .addSecurityGroup('default', { vpc: 'main', ingress: [{ protocol: '-1', peer: 'sg:default' }] })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10', groups: ['default'] })
      .addInstance('db', { subnet: 'public', ip: '10.0.1.20' });
    const fix = plan(finding(ask(w, 'web', 'db', 'tcp', 5432), 'SG_INGRESS_DENIED'));
    expect(fix.params).toMatchObject({ cidr: '10.0.1.10/32' });
    expect(fix.params).not.toHaveProperty('peerGroupId');
  });
});

describe('a rule open to the whole internet', () => {
  const windows = () =>
    new SnapshotBuilder()
      .addInstance('win', {
        subnet: 'public',
        ip: '10.0.1.30',
        publicIp: '3.0.1.30',
        groups: ['win-sg'],
      })
      .addSecurityGroup('win-sg', { vpc: 'main' });

  it('to an administration port (RDP 3389) carries a warning that names the port and the narrower way', () => {
    const fix = plan(finding(ask(windows(), 'internet', 'win', 'tcp', 3389), 'SG_INGRESS_DENIED'));
    expect(fix.params).toMatchObject({ cidr: '0.0.0.0/0', fromPort: 3389 });
    expect(fix.warnings?.[0]).toContain('3389 (RDP) to the whole internet (0.0.0.0/0)');
  });

  it('to a web port carries no warning', () => {
    const fix = plan(finding(ask(windows(), 'internet', 'win', 'tcp', 443), 'SG_INGRESS_DENIED'));
    expect(fix.warnings).toBeUndefined();
  });

  it("takes the asker's own address when the question names one, and then needs no warning", () => {
    const fix = plan(finding(ask(windows(), '52.1.2.3', 'win', 'tcp', 22), 'SG_INGRESS_DENIED'));
    expect(fix.params).toMatchObject({ cidr: '52.1.2.3/32' });
    expect(fix.warnings).toBeUndefined();
  });
});

describe('a new public address', () => {
  it('lists every port its security groups already open to anyone (an old SSH rule included)', () => {
    const w = new SnapshotBuilder()
      .addSecurityGroup('web-sg', {
        vpc: 'main',
        ingress: [
          { protocol: 'tcp', from: 22, to: 22, peer: '0.0.0.0/0' },
          { protocol: 'tcp', from: 443, to: 443, peer: '10.0.0.0/8' },
        ],
      })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.40', groups: ['web-sg'] });
    const fix = plan(finding(ask(w, 'internet', 'web', 'tcp', 443), 'NO_PUBLIC_IP'));
    expect(fix.action).toBe('AllocateAndAssociateAddress');
    const text = fix.warnings?.join(' ') ?? '';
    expect(text).toContain('TCP 22');
    expect(text).toContain('22 (SSH)');
    expect(text).not.toContain('10.0.0.0/8');
  });

  it('says it exposes nothing more when no rule allows anyone', () => {
    const w = new SnapshotBuilder()
      .addSecurityGroup('quiet', { vpc: 'main' })
      .addInstance('box', { subnet: 'public', ip: '10.0.1.50', groups: ['quiet'] });
    const fix = plan(finding(ask(w, 'box', '8.8.8.8'), 'NO_PUBLIC_IP'));
    expect(fix.warnings?.[0]).toContain('exposes nothing more');
  });
});
