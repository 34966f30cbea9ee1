/**
 * The wire helper is only as good as its XML: every describe-* document of the seed lab is served as EC2 Query XML,
 * parsed back by the real EC2Client, and must come out exactly as it went in (timestamps as instants).
 */
import { readFileSync } from 'node:fs';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeEc2, parseEc2Request, unknownKeysSeen } from '../support/ec2-wire.js';

const seed = JSON.parse(readFileSync(new URL('../../src/sandbox/scenarios/seed-lab.json', import.meta.url), 'utf8'));
const fixed = JSON.parse(
  readFileSync(new URL('../fixtures/scenarios/seed-lab-fixed/snapshot.json', import.meta.url), 'utf8'),
);

const client = () =>
  new EC2Client({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });

/** JSON as it would be written to disk: Dates become ISO strings, timestamps compare as instants. */
function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, val) =>
    typeof val === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(val)
      ? new Date(val).toISOString()
      : val,
  );
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe.each([
  ['the broken seed lab', seed],
  ['the fixed seed lab', fixed],
])('%s round-trips through EC2 Query XML and the real client', (_label, account) => {
  it('returns every describe-* document exactly as written', async () => {
    unknownKeysSeen.length = 0;
    fakeEc2([account]);
    const ec2 = client();
    const got: Record<string, unknown> = {
      Vpcs: (await ec2.send(new DescribeVpcsCommand({}))).Vpcs,
      Subnets: (await ec2.send(new DescribeSubnetsCommand({}))).Subnets,
      RouteTables: (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables,
      SecurityGroups: (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups,
      NetworkAcls: (await ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls,
      NetworkInterfaces: (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces,
      Reservations: (await ec2.send(new DescribeInstancesCommand({}))).Reservations,
      InternetGateways: (await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways,
      VpcPeeringConnections: (await ec2.send(new DescribeVpcPeeringConnectionsCommand({}))).VpcPeeringConnections,
      Addresses: (await ec2.send(new DescribeAddressesCommand({}))).Addresses,
      ManagedPrefixLists: (await ec2.send(new DescribeManagedPrefixListsCommand({}))).PrefixLists,
    };
    for (const key of Object.keys(got)) {
      expect({ key, value: normalize(got[key]) }).toEqual({ key, value: normalize(account[key] ?? []) });
    }
    const [plId, entries] = Object.entries(account.PrefixListEntries as Record<string, unknown[]>)[0] ?? [];
    const gotEntries = await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: plId }));
    expect(normalize(gotEntries.Entries)).toEqual(normalize(entries));
    expect(unknownKeysSeen).toEqual([]);
  });
});

describe('the fake account', () => {
  it('applies filters server-side, with wildcards, OR within a filter and AND across filters', async () => {
    const fake = fakeEc2([seed]);
    const ec2 = client();
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Name', Values: ['Instance - NextWork VPC *', 'nothing'] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      }),
    );
    expect(out.Reservations?.flatMap((r) => r.Instances ?? []).length).toBe(2);
    const one = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0e5b1c9d2f4a71a01'] }] }),
    );
    expect(one.RouteTables?.every((t) => t.VpcId === 'vpc-0e5b1c9d2f4a71a01')).toBe(true);
    expect(fake.calls.map((c) => c.action)).toEqual(['DescribeInstances', 'DescribeRouteTables']);
    expect(fake.calls[0]?.filters).toEqual([
      { name: 'tag:Name', values: ['Instance - NextWork VPC *', 'nothing'] },
      { name: 'instance-state-name', values: ['running'] },
    ]);
  });

  it('pages with NextToken when a page size is set', async () => {
    fakeEc2([seed], { pageSize: { DescribeSecurityGroups: 1 } });
    const ec2 = client();
    const first = await ec2.send(new DescribeSecurityGroupsCommand({}));
    expect(first.SecurityGroups?.length).toBe(1);
    expect(first.NextToken).toBe('1');
    const second = await ec2.send(new DescribeSecurityGroupsCommand({ NextToken: first.NextToken }));
    expect(second.SecurityGroups?.[0]?.GroupId).toBe(seed.SecurityGroups[1].GroupId);
  });

  it('answers an unknown instance id with InvalidInstanceID.NotFound, as EC2 does', async () => {
    fakeEc2([seed]);
    await expect(
      client().send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('parses filters and id lists out of a form body', () => {
    const req = parseEc2Request(
      'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-a&Filter.1.Value.2=vpc-b&VpcId.1=vpc-c',
    );
    expect(req).toMatchObject({
      action: 'DescribeVpcs',
      filters: [{ name: 'vpc-id', values: ['vpc-a', 'vpc-b'] }],
      lists: { VpcId: ['vpc-c'] },
    });
  });
});
