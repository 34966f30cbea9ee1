import { describe, expect, it } from 'vitest';
import { type ErrorCode, isWhypingError, type WhypingError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { resolveEndpoint, resolveEndpoints } from '../../src/snapshot/resolve.js';
import { nth, worldFiles } from './world.js';

function fails(code: ErrorCode, fn: () => unknown): WhypingError {
  try {
    fn();
  } catch (e) {
    if (isWhypingError(e, code)) return e;
    throw e;
  }
  throw new Error(`expected ${code}`);
}

const s = buildSnapshot(worldFiles());

describe('resolveEndpoint', () => {
  it('resolves an instance id to its primary ENI and primary private IP', () => {
    expect(resolveEndpoint(s, 'i-web')).toEqual({
      kind: 'instance',
      input: 'i-web',
      id: 'i-web',
      ip: '10.1.0.10',
      eni: 'eni-web0',
      instanceId: 'i-web',
      name: 'web-1',
    });
  });

  it('resolves a terminated instance with a null IP', () => {
    expect(resolveEndpoint(s, 'i-old')).toMatchObject({ kind: 'instance', ip: null });
    expect(resolveEndpoint(s, 'i-old').eni).toBeUndefined();
  });

  it('resolves an ENI id, naming its instance', () => {
    expect(resolveEndpoint(s, 'eni-web1')).toMatchObject({
      kind: 'network-interface',
      id: 'eni-web1',
      ip: '10.1.1.20',
      eni: 'eni-web1',
      instanceId: 'i-web',
      name: 'web-1',
    });
  });

  it('resolves a Name tag case-insensitively, preferring a living instance over a terminated namesake', () => {
    expect(resolveEndpoint(s, 'WEB-1')).toMatchObject({ kind: 'instance', id: 'i-web', input: 'WEB-1' });
    expect(resolveEndpoint(s, 'db-1')).toMatchObject({ kind: 'instance', id: 'i-db', ip: '10.2.4.95' });
  });

  it('reports several living instances with one Name as ambiguous, listing them with ids', () => {
    const twin = buildSnapshot(
      worldFiles((w) => {
        const r = nth(w.Reservations as { Instances: { Tags: { Key: string; Value: string }[] }[] }[], 0);
        nth(r.Instances, 1).Tags = [{ Key: 'Name', Value: 'Web-1' }];
      }),
    );
    const e = fails('AMBIGUOUS_ENDPOINT', () => resolveEndpoint(twin, 'web-1'));
    expect(e.message).toContain('i-web');
    expect(e.message).toContain('i-db');
    expect(e.details.candidates).toHaveLength(2);
    expect(e.exitCode).toBe(2);
  });

  it('keeps a shared Name ambiguous in a query even when the other end sits beside one of them', () => {
    // i-web and i-db are both "Web-1"; the other end is i-db's own address. Narrowing by the other end's VPC would
    // pick i-db and answer a question about an instance talking to itself.
    const twin = buildSnapshot(
      worldFiles((w) => {
        const r = nth(w.Reservations as { Instances: { Tags: { Key: string; Value: string }[] }[] }[], 0);
        nth(r.Instances, 1).Tags = [{ Key: 'Name', Value: 'Web-1' }];
      }),
    );
    const e = fails('AMBIGUOUS_ENDPOINT', () => resolveEndpoints(twin, 'web-1', '10.2.4.95'));
    expect(e.details.candidates).toHaveLength(2);
  });

  it('resolves a private IP (secondary addresses too) to its ENI as an ip endpoint', () => {
    expect(resolveEndpoint(s, '10.2.4.95')).toEqual({
      kind: 'ip',
      input: '10.2.4.95',
      ip: '10.2.4.95',
      eni: 'eni-db0',
      instanceId: 'i-db',
      name: 'db-1',
    });
    expect(resolveEndpoint(s, '10.1.0.11')).toMatchObject({ eni: 'eni-web0', instanceId: 'i-web' });
  });

  it('resolves an IPv6 address however it is written', () => {
    const v6 = buildSnapshot(
      worldFiles((w) => {
        const eni = nth(w.NetworkInterfaces as Record<string, unknown>[], 2);
        eni.Ipv6Addresses = [{ Ipv6Address: '2600:1f18:0:0::a1' }];
      }),
    );
    expect(resolveEndpoint(v6, '2600:1F18::A1')).toMatchObject({ kind: 'ip', ip: '2600:1f18::a1', eni: 'eni-db0' });
  });

  it('resolves a public IP and an Elastic IP on a secondary ENI with viaPublicIp', () => {
    expect(resolveEndpoint(s, '54.0.0.10')).toMatchObject({
      kind: 'ip',
      ip: '54.0.0.10',
      eni: 'eni-web0',
      viaPublicIp: true,
    });
    expect(resolveEndpoint(s, '52.0.0.21')).toMatchObject({
      kind: 'ip',
      ip: '52.0.0.21',
      eni: 'eni-web1',
      viaPublicIp: true,
    });
  });

  it('resolves any other address as a bare ip (a public one is an internet host)', () => {
    expect(resolveEndpoint(s, '8.8.8.8')).toEqual({ kind: 'ip', input: '8.8.8.8', ip: '8.8.8.8' });
    expect(resolveEndpoint(s, '10.1.0.99')).toEqual({ kind: 'ip', input: '10.1.0.99', ip: '10.1.0.99' });
  });

  it('rejects a malformed address as bad input', () => {
    for (const text of ['10.2.4.999', '10.2.4', '1.2.3.4.5', '2001:db8::12345'])
      expect(fails('BAD_INPUT', () => resolveEndpoint(s, text)).message, text).toContain(text);
  });

  it('rejects a CIDR block as an endpoint', () => {
    expect(fails('BAD_INPUT', () => resolveEndpoint(s, '10.2.0.0/16')).message).toContain('CIDR block');
  });

  it('resolves internet', () => {
    expect(resolveEndpoint(s, 'internet')).toEqual({ kind: 'internet', input: 'internet', ip: null });
    expect(resolveEndpoint(s, ' Internet ')).toMatchObject({ kind: 'internet' });
  });

  it('resolves eic to the region’s EC2 Instance Connect range', () => {
    const eic = resolveEndpoint(s, 'eic', { region: 'eu-west-1' });
    expect(eic).toEqual({
      kind: 'internet',
      input: 'eic',
      ip: null,
      sourceRange: {
        label: 'EC2 Instance Connect (eu-west-1)',
        cidrs: ['18.202.216.48/29'],
        prefixListId: 'pl-eic',
      },
    });
    expect(resolveEndpoint(s, 'ec2-instance-connect', { region: 'eu-west-1' }).sourceRange?.prefixListId).toBe(
      'pl-eic',
    );
  });

  it('says what to add when the region’s EIC prefix list is not in the snapshot', () => {
    const e = fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(s, 'eic', { region: 'us-east-1' }));
    expect(e.message).toContain('com.amazonaws.us-east-1.ec2-instance-connect');
  });

  it('lists close Name tags for an unknown endpoint', () => {
    const e = fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(s, 'web1'));
    expect(e.details.candidates).toEqual(['web-1 (i-web)']);
    expect(e.message).toContain('Did you mean: web-1 (i-web)?');
    const byPrefix = fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(s, 'db'));
    expect(byPrefix.details.candidates).toEqual(['db-1 (i-db)', 'db-1 (i-old)']);
    expect(fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(s, 'completely-else')).details.candidates).toEqual([]);
  });

  it('reports an unknown instance or ENI id', () => {
    expect(fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(s, 'i-0123456789abcdef0')).message).toContain(
      'i-0123456789abcdef0',
    );
    expect(fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(s, 'eni-0123abcd')).message).toContain('network interface');
  });

  it('caps candidates at five', () => {
    const many = buildSnapshot(
      worldFiles((w) => {
        const r = nth(w.Reservations as { Instances: unknown[] }[], 0);
        for (let i = 0; i < 9; i++)
          r.Instances.push({
            InstanceId: `i-app${i}`,
            State: { Name: 'running' },
            Tags: [{ Key: 'Name', Value: `app-${i}` }],
          });
      }),
    );
    expect(fails('UNKNOWN_ENDPOINT', () => resolveEndpoint(many, 'app')).details.candidates).toHaveLength(5);
  });

  it('rejects an empty endpoint', () => {
    fails('BAD_INPUT', () => resolveEndpoint(s, '  '));
  });
});

describe('resolveEndpoints', () => {
  it('resolves both ends', () => {
    const { from, to } = resolveEndpoints(s, 'web-1', '10.2.4.95');
    expect(from).toMatchObject({ kind: 'instance', id: 'i-web' });
    expect(to).toMatchObject({ kind: 'ip', eni: 'eni-db0' });
  });

  it('gives eic the other end’s region', () => {
    const { from } = resolveEndpoints(s, 'eic', 'web-1');
    expect(from.sourceRange?.label).toBe('EC2 Instance Connect (eu-west-1)');
  });

  describe('a private IP held in two overlapping VPCs', () => {
    const overlap = buildSnapshot(
      worldFiles((w) => {
        (w.Vpcs as unknown[]).push({ VpcId: 'vpc-3', CidrBlock: '10.2.0.0/16' });
        (w.Subnets as unknown[]).push({
          SubnetId: 'subnet-3',
          VpcId: 'vpc-3',
          CidrBlock: '10.2.4.0/24',
          AvailabilityZone: 'eu-west-1c',
        });
        (w.NetworkInterfaces as unknown[]).push({
          NetworkInterfaceId: 'eni-twin',
          SubnetId: 'subnet-3',
          VpcId: 'vpc-3',
          PrivateIpAddress: '10.2.4.95',
          Groups: [],
        });
        nth(w.Reservations as { Instances: unknown[] }[], 0).Instances.push({
          InstanceId: 'i-far',
          State: { Name: 'running' },
          VpcId: 'vpc-3',
          SubnetId: 'subnet-3',
          NetworkInterfaces: [
            {
              NetworkInterfaceId: 'eni-far',
              SubnetId: 'subnet-3',
              VpcId: 'vpc-3',
              PrivateIpAddress: '10.2.4.10',
              Attachment: { DeviceIndex: 0 },
            },
          ],
          Tags: [{ Key: 'Name', Value: 'far' }],
        });
      }),
    );

    it('is ambiguous on its own, listing both ENIs', () => {
      const e = fails('AMBIGUOUS_ENDPOINT', () => resolveEndpoint(overlap, '10.2.4.95'));
      expect(e.details.candidates?.join(' ')).toMatch(/eni-db0.*eni-twin/);
    });

    it('picks the ENI peered with the other end’s VPC', () => {
      expect(resolveEndpoints(overlap, 'web-1', '10.2.4.95').to.eni).toBe('eni-db0');
      expect(resolveEndpoints(overlap, '10.2.4.95', 'web-1').from.eni).toBe('eni-db0');
    });

    it('picks the ENI in the other end’s own VPC', () => {
      expect(resolveEndpoints(overlap, 'far', '10.2.4.95').to.eni).toBe('eni-twin');
    });

    it('stays ambiguous when the other end does not tell', () => {
      fails('AMBIGUOUS_ENDPOINT', () => resolveEndpoints(overlap, '8.8.8.8', '10.2.4.95'));
    });
  });

  it('still reports an unknown end', () => {
    fails('UNKNOWN_ENDPOINT', () => resolveEndpoints(s, 'web-1', 'nothing-like-it'));
  });
});
