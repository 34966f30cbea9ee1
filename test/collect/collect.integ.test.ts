/**
 * Live collection through a real EC2Client, with EC2 answered at the wire (nock) from describe-* fixtures: the seed
 * lab (two VPCs, a pending peering, no routes between them) and a real transit-gateway network from Batfish.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectForQuery, collectSnapshot, writeSnapshot } from '../../src/collect/index.js';
import { isWhypingError, type WhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { fakeEc2 } from '../support/ec2-wire.js';
import { loadDocs, normalize, testEc2 } from '../support/fixtures.js';

const seed = loadDocs('src/sandbox/scenarios/seed-lab.json');
const fixed = loadDocs('test/fixtures/scenarios/seed-lab-fixed/snapshot.json');
const tgw = loadDocs('test/fixtures/collect/transit-gateway');
const opts = { region: 'us-east-1', logger: silentLogger };
const ping = (from: string, to: string): Query => ({ from, to, protocol: 'icmp', port: null });
const ID_FIELD: Record<string, string> = {
  Vpcs: 'VpcId',
  Subnets: 'SubnetId',
  RouteTables: 'RouteTableId',
  SecurityGroups: 'GroupId',
  NetworkAcls: 'NetworkAclId',
  NetworkInterfaces: 'NetworkInterfaceId',
  Reservations: 'ReservationId',
  InternetGateways: 'InternetGatewayId',
  VpcPeeringConnections: 'VpcPeeringConnectionId',
};
const VPC1 = 'Instance - NextWork VPC 1';
const VPC2 = 'Instance - NextWork VPC 2';

/** The collected documents merged by key. */
function byKey(files: RawSnapshotFile[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of files) Object.assign(out, f.data as object);
  return out;
}

const ids = (list: unknown, field: string) =>
  ((list as Record<string, unknown>[] | undefined) ?? []).map((x) => x[field]).sort();

async function failure(p: Promise<unknown>): Promise<WhypingError> {
  try {
    await p;
  } catch (e) {
    if (isWhypingError(e)) return e;
    throw e;
  }
  throw new Error('expected a WhypingError');
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('collecting the seed lab for "why can\'t instance 1 ping instance 2"', () => {
  it('reads the whole lab in at most 12 calls and 3 rounds, every call filtered server-side', async () => {
    const fake = fakeEc2(seed);
    const { files, stats } = await collectForQuery(testEc2(), ping(VPC1, VPC2), opts);
    expect(stats.calls).toBeLessThanOrEqual(12);
    expect(stats.rounds).toBeLessThanOrEqual(3);
    expect(stats.calls).toBe(fake.calls.length);
    for (const call of fake.calls) {
      const idParams = Object.keys(call.params).filter((k) => /Id\.\d+$|^PrefixListId$/.test(k));
      expect({ action: call.action, scoped: call.filters.length + idParams.length > 0 }).toEqual({
        action: call.action,
        scoped: true,
      });
    }
    const got = byKey(files);
    const lab = seed[0] as Record<string, unknown>;
    for (const [key, idField] of Object.entries(ID_FIELD)) {
      const want = new Map(((lab[key] as Record<string, unknown>[]) ?? []).map((x) => [x[idField], normalize(x)]));
      for (const item of (got[key] as Record<string, unknown>[]) ?? []) {
        expect({ key, item: normalize(item) }).toEqual({ key, item: want.get(item[idField]) });
      }
      // everything in the lab is on this path except the default security groups no ENI uses
      const expected = key === 'SecurityGroups' ? ['sg-0c4f1e2d3a5b6c711', 'sg-0d5a2f3e4b6c7d822'] : [...want.keys()];
      expect({ key, ids: ids(got[key], idField) }).toEqual({ key, ids: expected.sort() });
    }
    expect(files.every((f) => f.path.startsWith('live:') && f.region === 'us-east-1')).toBe(true);
  });

  it('finds the peering even though no route points to it (it is pending acceptance)', async () => {
    fakeEc2(seed);
    const got = byKey((await collectForQuery(testEc2(), ping(VPC1, VPC2), opts)).files);
    expect(ids(got.VpcPeeringConnections, 'VpcPeeringConnectionId')).toEqual(['pcx-0d6e7f8a9b0c1d2e3']);
  });

  it('matches a Name whatever its case, like offline resolution', async () => {
    const fake = fakeEc2(seed);
    const got = byKey((await collectForQuery(testEc2(), ping('instance - nextwork vpc 1', '10.2.4.95'), opts)).files);
    // the exact spellings miss a mixed-case Name; one more call on that path finds it
    expect(fake.calls.filter((c) => c.action === 'DescribeInstances').length).toBeGreaterThanOrEqual(2);
    const instances = (got.Reservations as { Instances: { InstanceId: string }[] }[]).flatMap((r) => r.Instances);
    expect(instances.map((i) => i.InstanceId).sort()).toEqual(['i-0a7b3c9d1e5f20311', 'i-0b8c4d0e2f6a31422']);
  });

  it('reads the Elastic IP of the fixed lab, and the Instance Connect prefix list with its entries for `eic`', async () => {
    const fake = fakeEc2(fixed);
    const got = byKey((await collectForQuery(testEc2(), ping('eic', VPC1), opts)).files);
    expect((got.Addresses as unknown[]).length).toBe(1);
    expect(ids(got.ManagedPrefixLists, 'PrefixListName')).toEqual(['com.amazonaws.us-east-1.ec2-instance-connect']);
    expect(Object.keys(got.PrefixListEntries as object)).toHaveLength(1);
    expect(fake.calls.find((c) => c.action === 'DescribeManagedPrefixLists')?.filters).toEqual([
      { name: 'prefix-list-name', values: ['com.amazonaws.us-east-1.ec2-instance-connect'] },
    ]);
  });

  it('follows NextToken on every paginated call and collects the same data', async () => {
    fakeEc2(seed);
    const once = byKey((await collectForQuery(testEc2(), ping(VPC1, VPC2), opts)).files);
    nock.cleanAll();
    const pageSize = Object.fromEntries(
      [
        'DescribeInstances',
        'DescribeNetworkInterfaces',
        'DescribeSubnets',
        'DescribeRouteTables',
        'DescribeNetworkAcls',
        'DescribeSecurityGroups',
        'DescribeVpcs',
        'DescribeInternetGateways',
      ].map((a) => [a, 1]),
    );
    const fake = fakeEc2(seed, { pageSize });
    const { files, stats } = await collectForQuery(testEc2(), ping(VPC1, VPC2), opts);
    expect(normalize(byKey(files))).toEqual(normalize(once));
    expect(fake.calls.some((c) => c.params.NextToken)).toBe(true);
    expect(stats.calls).toBe(fake.calls.length);
  });
});

describe('what routes point to', () => {
  it('reads the egress-only gateways routes name, and a route to a deleted one does not fail the collection', async () => {
    const lab = structuredClone(seed[0]) as { RouteTables: { Routes: unknown[] }[]; [k: string]: unknown };
    lab.RouteTables[1]?.Routes.push(
      { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-0aaaaaaaaaaaaaaa1', State: 'active' },
      { DestinationIpv6CidrBlock: '2600::/16', EgressOnlyInternetGatewayId: 'eigw-0dead', State: 'blackhole' },
    );
    lab.EgressOnlyInternetGateways = [
      {
        EgressOnlyInternetGatewayId: 'eigw-0aaaaaaaaaaaaaaa1',
        Attachments: [{ State: 'attached', VpcId: 'vpc-0e5b1c9d2f4a71a01' }],
      },
    ];
    const fake = fakeEc2([lab]);
    const { files } = await collectForQuery(testEc2(), ping(VPC1, VPC2), opts);
    expect(fake.calls.some((c) => c.action === 'DescribeEgressOnlyInternetGateways')).toBe(true);
    // EC2 refuses the whole id list when one id is unknown: each id is then asked alone
    expect(ids(byKey(files).EgressOnlyInternetGateways, 'EgressOnlyInternetGatewayId')).toEqual([
      'eigw-0aaaaaaaaaaaaaaa1',
    ]);
  });
});

describe('endpoints that do not resolve', () => {
  it('an unknown Name is bad input (exit 2) with the close matches', async () => {
    fakeEc2(seed);
    const e = await failure(collectForQuery(testEc2(), ping('Instance - NextWork VPC 3', VPC2), opts));
    expect(e.code).toBe('UNKNOWN_ENDPOINT');
    expect(e.exitCode).toBe(2);
    expect(e.details.candidates).toEqual([VPC1, VPC2]);
  });

  it('an unknown instance id is bad input (exit 2)', async () => {
    fakeEc2(seed);
    const e = await failure(collectForQuery(testEc2(), ping('i-0000000000000dead', VPC2), opts));
    expect(e.code).toBe('UNKNOWN_ENDPOINT');
    expect(e.message).toContain('i-0000000000000dead');
  });

  it('an unknown ENI id is bad input', async () => {
    fakeEc2(seed);
    expect((await failure(collectForQuery(testEc2(), ping('eni-0000000000000dead', VPC2), opts))).code).toBe(
      'UNKNOWN_ENDPOINT',
    );
  });

  it('a Name two live instances share is collected whole, and resolving the collection says it is ambiguous', async () => {
    const lab = structuredClone(seed[0]) as {
      Reservations: { Instances: { Tags: { Key: string; Value: string }[] }[] }[];
    };
    for (const r of lab.Reservations) for (const i of r.Instances) i.Tags = [{ Key: 'Name', Value: 'web' }];
    fakeEc2([lab]);
    const { files } = await collectForQuery(testEc2(), ping('web', 'internet'), opts);
    const e = await failure(Promise.resolve().then(() => resolveEndpoints(buildSnapshot(files), 'web', 'internet')));
    expect(e.code).toBe('AMBIGUOUS_ENDPOINT');
    expect(e.exitCode).toBe(2);
    expect(e.details.candidates).toHaveLength(2);
  });

  it('a Name only an ENI carries resolves to that ENI', async () => {
    const lab = structuredClone(seed[0]) as { NetworkInterfaces: { TagSet?: { Key: string; Value: string }[] }[] };
    (lab.NetworkInterfaces[1] as { TagSet?: unknown[] }).TagSet = [{ Key: 'Name', Value: 'db-eni' }];
    fakeEc2([lab]);
    const { files } = await collectForQuery(testEc2(), ping(VPC1, 'DB-ENI'), opts);
    const { to } = resolveEndpoints(buildSnapshot(files), VPC1, 'DB-ENI');
    expect(to.eni).toBe('eni-0e1f2a3b4c5d6e722');
  });

  it("an IPv6 address is looked up among the ENIs' IPv6 addresses, in any spelling", async () => {
    const lab = structuredClone(seed[0]) as { NetworkInterfaces: { Ipv6Addresses?: unknown[] }[] };
    (lab.NetworkInterfaces[1] as { Ipv6Addresses?: unknown[] }).Ipv6Addresses = [{ Ipv6Address: '2600:1f18:0:2::5' }];
    const fake = fakeEc2([lab]);
    const { files } = await collectForQuery(testEc2(), ping(VPC1, '2600:1f18:0:2:0:0:0:5'), opts);
    expect(ids(byKey(files).NetworkInterfaces, 'NetworkInterfaceId')).toContain('eni-0e1f2a3b4c5d6e722');
    const sent = fake.calls.flatMap((c) => c.filters).find((f) => f.name === 'ipv6-addresses.ipv6-address');
    expect(sent?.values).toEqual(['2600:1f18:0:2::5']);
  });

  it('an address no ENI holds is still an endpoint (a host the packet is routed to)', async () => {
    fakeEc2(seed);
    const { files } = await collectForQuery(testEc2(), ping(VPC1, '10.2.9.9'), opts);
    expect(ids(byKey(files).Vpcs, 'VpcId')).toContain('vpc-07c3d8e21b6f92b02');
  });
});

describe('AWS errors', () => {
  it('AccessDenied names the missing IAM action and the policy file, keeps the request id, exits 3', async () => {
    fakeEc2(seed, { failures: [{ action: 'DescribeNetworkAcls', code: 'UnauthorizedOperation', status: 403 }] });
    const e = await failure(collectForQuery(testEc2(), ping(VPC1, VPC2), opts));
    expect(e.code).toBe('AWS_ACCESS_DENIED');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('ec2:DescribeNetworkAcls');
    expect(e.message).toContain('iam/readonly.json');
    expect(e.details.aws).toMatchObject({ awsCode: 'UnauthorizedOperation', action: 'ec2:DescribeNetworkAcls' });
    expect(e.details.aws?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((e.cause as { name?: string }).name).toBe('UnauthorizedOperation');
  });

  it('throttling is retried by the SDK and then succeeds', async () => {
    const fake = fakeEc2(seed, {
      failures: [{ action: 'DescribeRouteTables', code: 'RequestLimitExceeded', status: 503, times: 1 }],
    });
    const { stats } = await collectForQuery(testEc2(2), ping(VPC1, VPC2), opts);
    expect(fake.calls.filter((c) => c.action === 'DescribeRouteTables')).toHaveLength(2);
    expect(stats.operations.filter((o) => o === 'DescribeRouteTables')).toHaveLength(1);
  });

  it('throttling past the retries is a clear exit-3 error', async () => {
    fakeEc2(seed, { failures: [{ action: 'DescribeVpcs', code: 'RequestLimitExceeded', status: 503, times: 10 }] });
    const e = await failure(collectForQuery(testEc2(2), ping(VPC1, VPC2), opts));
    expect(e.code).toBe('AWS_THROTTLED');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('after 2 attempts');
  });

  it('expired credentials say how to sign in again and mention --sandbox', async () => {
    fakeEc2(seed, { failures: [{ action: 'DescribeInstances', code: 'RequestExpired', status: 400 }] });
    const e = await failure(collectForQuery(testEc2(), ping(VPC1, VPC2), opts));
    expect(e.code).toBe('AWS_CREDENTIALS');
    expect(e.message).toContain('--sandbox');
  });
});

describe('a transit gateway network (Batfish test-transit-gateway)', () => {
  it('follows the routes to the transit gateway: attachments, its route table, static routes and propagations', async () => {
    const fake = fakeEc2(tgw);
    const { files, stats } = await collectForQuery(testEc2(), ping('i-06ba034d88c84ef07', '192.168.1.106'), opts);
    const got = byKey(files);
    expect(ids(got.TransitGateways, 'TransitGatewayId')).toEqual(['tgw-044be4464fcc69aff']);
    expect(ids(got.TransitGatewayRouteTables, 'TransitGatewayRouteTableId')).toEqual(['tgw-rtb-0fa40c8df355dce6e']);
    expect((got.TransitGatewayAttachments as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(ids(got.TransitGatewayPropagations, 'TransitGatewayRouteTableId')).toEqual(['tgw-rtb-0fa40c8df355dce6e']);
    expect(ids(got.TransitGatewayStaticRoutes, 'TransitGatewayRouteTableId')).toEqual(['tgw-rtb-0fa40c8df355dce6e']);
    expect(ids(got.Vpcs, 'VpcId')).toEqual(['vpc-0404e08ceddf7f650', 'vpc-00a31ce9d0c06675c'].sort());
    expect(fake.calls.filter((c) => c.action === 'SearchTransitGatewayRoutes')).toHaveLength(1);
    expect(stats.rounds).toBeLessThanOrEqual(4);
  });
});

describe('whyping snapshot', () => {
  it('exports a VPC with what it references, one <Key>.json per key, Dates as ISO strings', async () => {
    fakeEc2(seed);
    const { files } = await collectSnapshot(testEc2(), { vpcIds: ['vpc-0e5b1c9d2f4a71a01'], instanceIds: [] }, opts);
    const dir = mkdtempSync(join(tmpdir(), 'whyping-snap-'));
    try {
      const paths = await writeSnapshot(files, dir);
      expect(paths.map((p) => p.slice(dir.length + 1))).toContain('RouteTables.json');
      const reservations = JSON.parse(readFileSync(join(dir, 'Reservations.json'), 'utf8')).Reservations;
      expect(reservations[0].Instances[0].LaunchTime).toBe('2026-11-20T09:12:43.000Z');
      const vpcs = JSON.parse(readFileSync(join(dir, 'Vpcs.json'), 'utf8')).Vpcs;
      // the VPC asked for, and the peer its pending peering connects to
      expect(ids(vpcs, 'VpcId')).toEqual(['vpc-07c3d8e21b6f92b02', 'vpc-0e5b1c9d2f4a71a01']);
      // the region's Instance Connect range travels with every export, so `eic` works offline too
      const pl = JSON.parse(readFileSync(join(dir, 'PrefixListEntries.json'), 'utf8')).PrefixListEntries;
      expect(pl).toEqual({ 'pl-0e7a1b2c3d4e5f601': [{ Cidr: '18.206.107.24/29' }] });
      const sgs = JSON.parse(readFileSync(join(dir, 'SecurityGroups.json'), 'utf8')).SecurityGroups;
      expect(ids(sgs, 'GroupId')).toEqual(['sg-0a1a2a3a4a5a6a701', 'sg-0c4f1e2d3a5b6c711']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown --vpc is bad input; an unknown --instance is an unknown endpoint', async () => {
    fakeEc2(seed);
    expect((await failure(collectSnapshot(testEc2(), { vpcIds: ['vpc-0dead'], instanceIds: [] }, opts))).code).toBe(
      'BAD_INPUT',
    );
    expect((await failure(collectSnapshot(testEc2(), { vpcIds: [], instanceIds: ['i-0dead'] }, opts))).code).toBe(
      'UNKNOWN_ENDPOINT',
    );
  });
});
