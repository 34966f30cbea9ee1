import { describe, expect, it } from 'vitest';
import { checkSsmPath, unmanagedReason } from '../../src/probe/ssm-path.js';
import { INSTANCE, privateWorld, SUBNET, VPC, withEndpoint, withIgw } from './world.js';

const igwRoute = (igw: `igw-${string}`, state: 'active' | 'blackhole' = 'active') => ({
  destination: { kind: 'cidr' as const, cidr: '0.0.0.0/0' },
  target: { kind: 'internet-gateway' as const, id: igw },
  state,
  text: `0.0.0.0/0 → ${igw}${state === 'blackhole' ? ' (blackhole)' : ''}`,
});

describe('checkSsmPath', () => {
  it('finds no path in a private subnet without a default route or endpoints, and says so in plain words', () => {
    expect(checkSsmPath(privateWorld(), INSTANCE)).toEqual({
      ok: false,
      via: 'none',
      detail: `no path to the SSM endpoints: ${SUBNET} routes 0.0.0.0/0 nowhere (rtb-0a1b2c3d4e5f60718) and ${VPC} has no ssm endpoints`,
    });
  });

  it('accepts a route to an attached internet gateway when the instance has a public IP', () => {
    const s = withIgw(privateWorld({ routes: [igwRoute('igw-0abc1234')], publicIp: '54.12.0.7' }), 'igw-0abc1234');
    expect(checkSsmPath(s, INSTANCE)).toMatchObject({ ok: true, via: 'internet-gateway' });
  });

  it('refuses an internet gateway route when the instance has no public IP (the seed lab instance 1)', () => {
    const s = withIgw(privateWorld({ routes: [igwRoute('igw-0abc1234')] }), 'igw-0abc1234');
    const c = checkSsmPath(s, INSTANCE);
    expect(c.ok).toBe(false);
    expect(c.detail).toBe(
      `no path to the SSM endpoints: ${SUBNET} routes 0.0.0.0/0 to igw-0abc1234 but ${INSTANCE} has no public IP, and ${VPC} has no ssm endpoints`,
    );
  });

  it('refuses an internet gateway that is not attached to the VPC', () => {
    const s = withIgw(
      privateWorld({ routes: [igwRoute('igw-0abc1234')], publicIp: '54.12.0.7' }),
      'igw-0abc1234',
      false,
    );
    expect(checkSsmPath(s, INSTANCE).detail).toMatch(/igw-0abc1234, which is not attached/);
  });

  it('refuses a blackhole default route', () => {
    const c = checkSsmPath(privateWorld({ routes: [igwRoute('igw-0gone', 'blackhole')] }), INSTANCE);
    expect(c).toMatchObject({ ok: false, via: 'none' });
    expect(c.detail).toMatch(/is a blackhole/);
  });

  it('accepts an available NAT gateway and refuses one that is not', () => {
    const natRoute = {
      destination: { kind: 'cidr' as const, cidr: '0.0.0.0/0' },
      target: { kind: 'nat-gateway' as const, id: 'nat-0abc1234' as const },
      state: 'active' as const,
      text: '0.0.0.0/0 → nat-0abc1234',
    };
    const s = privateWorld({ routes: [natRoute] });
    const nat = {
      id: 'nat-0abc1234' as const,
      vpcId: VPC,
      subnetId: SUBNET,
      state: 'available',
      connectivityType: 'public' as const,
      addresses: [],
      tags: {},
    };
    s.natGateways.set(nat.id, nat);
    expect(checkSsmPath(s, INSTANCE)).toMatchObject({ ok: true, via: 'nat-gateway' });
    s.natGateways.set(nat.id, { ...nat, state: 'failed' });
    expect(checkSsmPath(s, INSTANCE)).toMatchObject({ ok: false });
    expect(checkSsmPath(s, INSTANCE).detail).toMatch(/nat-0abc1234, which is failed/);
  });

  it('accepts interface endpoints for ssm and ssmmessages, noting a missing ec2messages', () => {
    const s = withEndpoint(withEndpoint(privateWorld(), 'ssm'), 'ssmmessages');
    const c = checkSsmPath(s, INSTANCE);
    expect(c).toMatchObject({ ok: true, via: 'vpc-endpoints' });
    expect(c.detail).toMatch(/no ec2messages endpoint: older SSM Agent versions need one too/);
    expect(checkSsmPath(withEndpoint(s, 'ec2messages'), INSTANCE).detail).toBe(
      `${VPC} has interface endpoints for ec2messages, ssm, ssmmessages`,
    );
  });

  it('does not count an ssm endpoint alone, or one still pending', () => {
    const c = checkSsmPath(withEndpoint(withEndpoint(privateWorld(), 'ssm'), 'ssmmessages', 'pending'), INSTANCE);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/has endpoints for ssm only \(ssm and ssmmessages are both needed\)/);
  });

  it('blames security groups that allow no outbound HTTPS even when a route exists', () => {
    const egress = [
      {
        direction: 'egress' as const,
        protocol: 'tcp' as const,
        fromPort: 22,
        toPort: 22,
        peer: { kind: 'cidr' as const, cidr: '0.0.0.0/0' },
        text: 'outbound SSH to 0.0.0.0/0',
      },
    ];
    const s = withIgw(
      privateWorld({ routes: [igwRoute('igw-0abc1234')], publicIp: '54.12.0.7', egress }),
      'igw-0abc1234',
    );
    const c = checkSsmPath(s, INSTANCE);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/allow no outbound HTTPS \(tcp\/443\)/);
  });

  it('cannot say for a route to something outside the model', () => {
    const s = privateWorld({
      routes: [
        {
          destination: { kind: 'cidr', cidr: '0.0.0.0/0' },
          target: { kind: 'transit-gateway', id: 'tgw-0abc1234' },
          state: 'active',
          text: '0.0.0.0/0 → tgw-0abc1234',
        },
      ],
    });
    expect(checkSsmPath(s, INSTANCE)).toMatchObject({ ok: null, via: 'unknown' });
  });

  it('cannot say for an instance the snapshot does not hold', () => {
    expect(checkSsmPath(privateWorld(), 'i-0aaaaaaaaaaaaaaaa').ok).toBeNull();
  });
});

describe('unmanagedReason', () => {
  it('leads with the snapshot evidence when the snapshot shows no path', () => {
    const reason = unmanagedReason(INSTANCE, null, checkSsmPath(privateWorld(), INSTANCE));
    expect(reason).toBe(
      `${INSTANCE} is not a managed node in Systems Manager, so no probe can run on it. Most likely no path to the SSM endpoints: ${SUBNET} routes 0.0.0.0/0 nowhere (rtb-0a1b2c3d4e5f60718) and ${VPC} has no ssm endpoints. Other causes: no instance profile with AmazonSSMManagedInstanceCore (and no Default Host Management Configuration); the SSM Agent is not installed or not running.`,
    );
  });

  it('points at the instance profile and the agent when the path is fine', () => {
    const s = withEndpoint(withEndpoint(withEndpoint(privateWorld(), 'ssm'), 'ssmmessages'), 'ec2messages');
    expect(unmanagedReason(INSTANCE, null, checkSsmPath(s, INSTANCE))).toMatch(
      /shows a path to the SSM endpoints .* so look first at: no instance profile/,
    );
  });

  it('lists all three causes without a snapshot', () => {
    expect(unmanagedReason(INSTANCE, { pingStatus: 'ConnectionLost' }, null)).toBe(
      `The SSM Agent on ${INSTANCE} is not online (PingStatus ConnectionLost), so no probe can run on it. Likely causes: no instance profile with AmazonSSMManagedInstanceCore (and no Default Host Management Configuration); the instance is stopped or the SSM Agent stopped; no path to the SSM endpoints.`,
    );
  });
});
