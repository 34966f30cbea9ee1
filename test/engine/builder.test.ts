/** The SnapshotBuilder (test/support/builder.ts) builds valid worlds the real loader accepts, and refuses invalid ones. */
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../support/builder.js';

describe('SnapshotBuilder', () => {
  it('starts from a valid default network the loader accepts without warnings', () => {
    const w = new SnapshotBuilder();
    const s = w.snapshot();
    expect([...s.vpcs.keys()]).toEqual([w.id('main')]);
    expect(s.index.subnetRouteTable.get(w.id('public') as `subnet-${string}`)).toBe(w.id('public-rt', 'rtb'));
    expect(s.index.vpcInternetGateways.get(w.id('main') as `vpc-${string}`)).toEqual([w.id('main', 'igw')]);
    expect(s.warnings).toEqual([]);
  });

  it('derives the same ids from the same names, every time', () => {
    expect(new SnapshotBuilder().addInstance('web', { subnet: 'public', ip: '10.0.1.10' }).id('web')).toBe(
      new SnapshotBuilder().addInstance('web', { subnet: 'public', ip: '10.0.1.10' }).id('web'),
    );
  });

  it('emits one describe-* document per key, as `whyping snapshot` writes them', () => {
    const files = new SnapshotBuilder().addInstance('web', { subnet: 'public', ip: '10.0.1.10' }).build();
    expect(files.every((f) => Object.keys(f.data as object).length === 1)).toBe(true);
    expect(files.map((f) => Object.keys(f.data as object)[0])).toContain('Reservations');
  });

  it.each([
    ['a subnet outside its VPC', (w: SnapshotBuilder) => w.addSubnet('x', { vpc: 'main', cidr: '10.9.0.0/24' })],
    ['overlapping subnets', (w: SnapshotBuilder) => w.addSubnet('x', { vpc: 'main', cidr: '10.0.1.128/25' })],
    [
      'an instance outside its subnet',
      (w: SnapshotBuilder) => w.addInstance('x', { subnet: 'public', ip: '10.0.2.5' }),
    ],
    [
      'two interfaces holding one address',
      (w: SnapshotBuilder) =>
        w.addInstance('x', { subnet: 'public', ip: '10.0.1.5' }).addInstance('y', { subnet: 'public', ip: '10.0.1.5' }),
    ],
    [
      'an unknown security group',
      (w: SnapshotBuilder) => w.addInstance('x', { subnet: 'public', ip: '10.0.1.5', groups: ['nope'] }),
    ],
    ['a route to an unknown peering', (w: SnapshotBuilder) => w.addRoute('public', '10.9.0.0/16', 'pcx:nope')],
    [
      'a peering between overlapping VPCs',
      (w: SnapshotBuilder) => w.addVpc('twin', { cidr: '10.0.0.0/16' }).peer('p', 'main', 'twin'),
    ],
    [
      'a rule with a malformed peer',
      (w: SnapshotBuilder) =>
        w.addSecurityGroup('g', { vpc: 'main', ingress: [{ protocol: 'tcp', from: 1, to: 2, peer: '10.0.0/8' }] }),
    ],
  ])('refuses %s', (_what, change) => {
    expect(() => change(new SnapshotBuilder()).build()).toThrow(/invalid world/);
  });
});
