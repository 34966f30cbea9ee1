/** The EC2 reads the sandbox answers, through a real EC2Client: ids, filters, paging and AWS-shaped errors. */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
  GetManagedPrefixListEntriesCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  paginateDescribeSecurityGroupRules,
  SearchTransitGatewayRoutesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { awsError, SEED } from './helpers.js';

const tgwFiles = [
  {
    path: 'tgw.json',
    data: {
      Vpcs: [
        { VpcId: 'vpc-0aaa000000000000a', CidrBlock: '10.8.0.0/16', OwnerId: '111122223333' },
        { VpcId: 'vpc-0bbb000000000000b', CidrBlock: '10.9.0.0/16', OwnerId: '111122223333' },
      ],
      TransitGateways: [
        {
          TransitGatewayId: 'tgw-0123456789abcdef0',
          State: 'available',
          OwnerId: '111122223333',
          Options: { AssociationDefaultRouteTableId: 'tgw-rtb-0aaaa00000000000a' },
        },
      ],
      TransitGatewayAttachments: [
        {
          TransitGatewayAttachmentId: 'tgw-attach-0aaaa0000000000a',
          TransitGatewayId: 'tgw-0123456789abcdef0',
          ResourceType: 'vpc',
          ResourceId: 'vpc-0aaa000000000000a',
          State: 'available',
          Association: { TransitGatewayRouteTableId: 'tgw-rtb-0aaaa00000000000a', State: 'associated' },
        },
        {
          TransitGatewayAttachmentId: 'tgw-attach-0bbbb0000000000b',
          TransitGatewayId: 'tgw-0123456789abcdef0',
          ResourceType: 'vpc',
          ResourceId: 'vpc-0bbb000000000000b',
          State: 'available',
        },
      ],
      TransitGatewayVpcAttachments: [
        {
          TransitGatewayAttachmentId: 'tgw-attach-0aaaa0000000000a',
          TransitGatewayId: 'tgw-0123456789abcdef0',
          VpcId: 'vpc-0aaa000000000000a',
          State: 'available',
          SubnetIds: ['subnet-0aaa000000000000a'],
        },
      ],
      TransitGatewayRouteTables: [
        {
          TransitGatewayRouteTableId: 'tgw-rtb-0aaaa00000000000a',
          TransitGatewayId: 'tgw-0123456789abcdef0',
          State: 'available',
          DefaultAssociationRouteTable: true,
        },
      ],
      TransitGatewayStaticRoutes: [
        {
          TransitGatewayRouteTableId: 'tgw-rtb-0aaaa00000000000a',
          Routes: [
            { DestinationCidrBlock: '0.0.0.0/0', State: 'blackhole', Type: 'static' },
            {
              DestinationCidrBlock: '10.9.4.0/24',
              State: 'active',
              Type: 'static',
              TransitGatewayAttachments: [
                {
                  TransitGatewayAttachmentId: 'tgw-attach-0bbbb0000000000b',
                  ResourceId: 'vpc-0bbb000000000000b',
                  ResourceType: 'vpc',
                },
              ],
            },
          ],
        },
      ],
      TransitGatewayPropagations: [
        {
          TransitGatewayRouteTableId: 'tgw-rtb-0aaaa00000000000a',
          TransitGatewayRouteTablePropagations: [
            {
              TransitGatewayAttachmentId: 'tgw-attach-0bbbb0000000000b',
              ResourceId: 'vpc-0bbb000000000000b',
              ResourceType: 'vpc',
              State: 'enabled',
            },
          ],
        },
      ],
      VpcEndpoints: [
        {
          VpcEndpointId: 'vpce-0123456789abcdef0',
          VpcEndpointType: 'Gateway',
          VpcId: 'vpc-0aaa000000000000a',
          ServiceName: 'com.amazonaws.us-east-1.s3',
          State: 'available',
          CreationTimestamp: '2026-11-01T00:00:00Z',
        },
      ],
      NatGateways: [
        {
          NatGatewayId: 'nat-0123456789abcdef0',
          State: 'available',
          SubnetId: 'subnet-0aaa000000000000a',
          VpcId: 'vpc-0aaa000000000000a',
          CreateTime: '2026-11-01T00:00:00Z',
        },
        {
          NatGatewayId: 'nat-0fedcba987654321f',
          State: 'deleted',
          SubnetId: 'subnet-0aaa000000000000a',
          VpcId: 'vpc-0aaa000000000000a',
        },
      ],
    },
  },
];

describe('sandbox EC2 reads', () => {
  it('answers DescribeVpcs through a real EC2Client with a request id in $metadata', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(out.Vpcs?.map((v) => v.VpcId)).toEqual([SEED.vpc1, SEED.vpc2]);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives every response its own request id', async () => {
    const { clients } = createSandbox();
    const a = await clients.ec2.send(new DescribeVpcsCommand({}));
    const b = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(a.$metadata.requestId).not.toBe(b.$metadata.requestId);
  });

  it('filters by tag:Name with a * wildcard, by tag-key and by is-default', async () => {
    const { clients } = createSandbox();
    const byTag = await clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['*VPC 2'] }] }),
    );
    expect(byTag.Vpcs?.map((v) => v.VpcId)).toEqual([SEED.vpc2]);
    const byKey = await clients.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['Name'] }] }));
    expect(byKey.Vpcs).toHaveLength(2);
    const defaults = await clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    expect(defaults.Vpcs).toEqual([]);
  });

  it('ORs the values of one filter and ANDs separate filters', async () => {
    const { clients } = createSandbox();
    const either = await clients.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [SEED.vpc1, SEED.vpc2] }] }),
    );
    expect(either.Subnets).toHaveLength(2);
    const both = await clients.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [SEED.vpc1, SEED.vpc2] },
          { Name: 'cidr-block', Values: ['10.2.*'] },
        ],
      }),
    );
    expect(both.Subnets?.map((s) => s.SubnetId)).toEqual([SEED.subnet2]);
  });

  it('rejects an unknown filter name as AWS does (InvalidParameterValue)', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() =>
      clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet', Values: ['x'] }] })),
    );
    expect(e).toBeInstanceOf(EC2ServiceException);
    expect(e.name).toBe('InvalidParameterValue');
    expect(e.message).toBe("The filter 'association.subnet' is invalid");
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.$metadata.requestId).toBeTruthy();
  });

  it('finds the subnet table by association.subnet-id and the main table by association.main', async () => {
    const { clients } = createSandbox();
    const explicit = await clients.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [SEED.subnet1] }] }),
    );
    expect(explicit.RouteTables?.map((t) => t.RouteTableId)).toEqual([SEED.rtbPublic1]);
    const main = await clients.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'association.main', Values: ['true'] },
          { Name: 'vpc-id', Values: [SEED.vpc1] },
        ],
      }),
    );
    expect(main.RouteTables?.map((t) => t.RouteTableId)).toEqual([SEED.rtbMain1]);
    expect(main.RouteTables?.[0]?.Associations?.[0]?.Main).toBe(true);
  });

  it('lets the SDK paginator walk every page', async () => {
    const { clients } = createSandbox();
    const pages: number[] = [];
    for await (const page of paginateDescribeSecurityGroupRules({ client: clients.ec2, pageSize: 5 }, {})) {
      pages.push(page.SecurityGroupRules?.length ?? 0);
    }
    expect(pages).toEqual([5, 3]);
  });

  it('splits a longer list into pages that add up to the whole list', async () => {
    const { clients } = createSandbox();
    // The seed lab has 8 rules: 4 groups, each with one inbound and one outbound rule.
    const all = await clients.ec2.send(new DescribeSecurityGroupRulesCommand({}));
    const total = all.SecurityGroupRules?.length ?? 0;
    expect(total).toBe(8);
    const page1 = await clients.ec2.send(new DescribeSecurityGroupRulesCommand({ MaxResults: 5 }));
    expect(page1.SecurityGroupRules).toHaveLength(5);
    expect(page1.NextToken).toBeTruthy();
    const page2 = await clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({ MaxResults: 5, NextToken: page1.NextToken }),
    );
    expect(page2.SecurityGroupRules).toHaveLength(3);
    expect(page2.NextToken).toBeUndefined();
    const seen = [...(page1.SecurityGroupRules ?? []), ...(page2.SecurityGroupRules ?? [])].map(
      (r) => r.SecurityGroupRuleId,
    );
    expect(new Set(seen).size).toBe(8);
  });

  it('refuses MaxResults outside the operation limits and a foreign NextToken', async () => {
    const { clients } = createSandbox();
    const small = await awsError(() => clients.ec2.send(new DescribeVpcsCommand({ MaxResults: 2 })));
    expect(small.name).toBe('InvalidParameterValue');
    const bad = await awsError(() => clients.ec2.send(new DescribeVpcsCommand({ NextToken: 'not-a-token' })));
    expect(bad.name).toBe('InvalidPaginationToken');
  });

  it('throws InvalidVpcID.NotFound / .Malformed for ids that do not exist or are not VPC ids', async () => {
    const { clients } = createSandbox();
    const missing = await awsError(() =>
      clients.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000dead'] })),
    );
    expect(missing.name).toBe('InvalidVpcID.NotFound');
    expect(missing.message).toBe("The vpc ID 'vpc-0000000000000dead' does not exist");
    expect(missing.Code).toBe('InvalidVpcID.NotFound');
    const malformed = await awsError(() => clients.ec2.send(new DescribeVpcsCommand({ VpcIds: ['web-1'] })));
    expect(malformed.name).toBe('InvalidVpcID.Malformed');
  });

  it('returns instances in their reservations, filtered per instance, with LaunchTime as a Date', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Name', Values: ['Instance - NextWork VPC 2'] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      }),
    );
    expect(out.Reservations).toHaveLength(1);
    const inst = out.Reservations?.[0]?.Instances?.[0];
    expect(inst?.InstanceId).toBe(SEED.instance2);
    expect(inst?.PrivateIpAddress).toBe('10.2.4.95');
    expect(inst?.LaunchTime).toBeInstanceOf(Date);
    const byIp = await clients.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['10.1.0.12'] }] }),
    );
    expect(byIp.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(SEED.instance1);
  });

  it('throws InvalidInstanceID.NotFound naming every missing id, and refuses InstanceIds with MaxResults', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() =>
      clients.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [SEED.instance1, 'i-0123456789abcdef0', 'i-0fedcba9876543210'] }),
      ),
    );
    expect(e.name).toBe('InvalidInstanceID.NotFound');
    expect(e.message).toBe("The instance IDs 'i-0123456789abcdef0, i-0fedcba9876543210' do not exist");
    const combo = await awsError(() =>
      clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [SEED.instance1], MaxResults: 5 })),
    );
    expect(combo.name).toBe('InvalidParameterCombination');
  });

  it('finds network interfaces by private IP, attachment and group', async () => {
    const { clients } = createSandbox();
    const send = (Name: string, v: string) =>
      clients.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values: [v] }] }));
    expect((await send('addresses.private-ip-address', '10.2.4.95')).NetworkInterfaces?.[0]?.NetworkInterfaceId).toBe(
      SEED.eni2,
    );
    expect((await send('private-ip-address', '10.1.0.12')).NetworkInterfaces?.[0]?.NetworkInterfaceId).toBe(SEED.eni1);
    expect((await send('attachment.instance-id', SEED.instance1)).NetworkInterfaces).toHaveLength(1);
    expect((await send('group-id', SEED.sg2)).NetworkInterfaces?.[0]?.NetworkInterfaceId).toBe(SEED.eni2);
    expect((await send('association.public-ip', '*')).NetworkInterfaces).toEqual([]);
    const missing = await awsError(() =>
      clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] })),
    );
    expect(missing.name).toBe('InvalidNetworkInterfaceID.NotFound');
  });

  it('folds security group rules into IpPermissions and filters on ip-permission fields', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [SEED.sg2] }));
    const sg = out.SecurityGroups?.[0];
    expect(sg?.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
    const ssh = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.from-port', Values: ['22'] }] }),
    );
    expect(ssh.SecurityGroups?.map((g) => g.GroupId).sort()).toEqual([SEED.sg1, SEED.sg2].sort());
    const missing = await awsError(() =>
      clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000dead'] })),
    );
    expect(missing.name).toBe('InvalidGroup.NotFound');
  });

  it('lists security group rules with sgr- ids, filtered by group-id', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [SEED.sg2] }] }),
    );
    expect(out.SecurityGroupRules?.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4])).toEqual([
      [false, 'tcp', 22, 22, '0.0.0.0/0'],
      [true, '-1', -1, -1, '0.0.0.0/0'],
    ]);
    for (const r of out.SecurityGroupRules ?? []) expect(r.SecurityGroupRuleId).toMatch(/^sgr-0[0-9a-f]{16}$/);
  });

  it('answers network ACLs by association.subnet-id and default', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [SEED.subnet1] }] }),
    );
    expect(out.NetworkAcls?.map((a) => a.NetworkAclId)).toEqual([SEED.acl1]);
    const defaults = await clients.ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }),
    );
    expect(defaults.NetworkAcls).toHaveLength(2);
  });

  it('answers internet gateways by attachment.vpc-id', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [SEED.vpc1] }] }),
    );
    expect(out.InternetGateways?.map((g) => g.InternetGatewayId)).toEqual([SEED.igw1]);
  });

  it('answers peering connections by requester and accepter VPC and by status', async () => {
    const { clients } = createSandbox();
    const send = (Name: string, v: string) =>
      clients.ec2.send(new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name, Values: [v] }] }));
    expect((await send('requester-vpc-info.vpc-id', SEED.vpc1)).VpcPeeringConnections).toHaveLength(1);
    expect((await send('accepter-vpc-info.vpc-id', SEED.vpc2)).VpcPeeringConnections).toHaveLength(1);
    expect((await send('accepter-vpc-info.vpc-id', SEED.vpc1)).VpcPeeringConnections).toHaveLength(0);
    const pending = await send('status-code', 'pending-acceptance');
    expect(pending.VpcPeeringConnections?.[0]?.ExpirationTime).toBeInstanceOf(Date);
  });

  it('answers DescribeAddresses (not paginated) and AWS errors for unknown addresses', async () => {
    const { clients } = createSandbox();
    expect((await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
    const e = await awsError(() => clients.ec2.send(new DescribeAddressesCommand({ PublicIps: ['203.0.113.9'] })));
    expect(e.name).toBe('InvalidAddress.NotFound');
    const a = await awsError(() =>
      clients.ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0123456789abcdef0'] })),
    );
    expect(a.name).toBe('InvalidAllocationID.NotFound');
  });

  it('answers the EC2 Instance Connect prefix list by name and its entries', async () => {
    const { clients } = createSandbox();
    const lists = await clients.ec2.send(
      new DescribeManagedPrefixListsCommand({
        Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.us-east-1.ec2-instance-connect'] }],
      }),
    );
    expect(lists.PrefixLists?.map((p) => p.PrefixListId)).toEqual([SEED.eicPrefixList]);
    const entries = await clients.ec2.send(
      new GetManagedPrefixListEntriesCommand({ PrefixListId: SEED.eicPrefixList }),
    );
    expect(entries.Entries).toEqual([{ Cidr: '18.206.107.24/29' }]);
    const e = await awsError(() =>
      clients.ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: 'pl-0000000000000dead' })),
    );
    expect(e.name).toBe('InvalidPrefixListID.NotFound');
  });

  it('answers NAT gateways with the Filter parameter (not Filters), deleted ones included', async () => {
    const { clients } = createSandbox({ files: tgwFiles });
    const all = await clients.ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: ['vpc-0aaa000000000000a'] }] }),
    );
    expect(all.NatGateways?.map((n) => n.State)).toEqual(['available', 'deleted']);
    expect(all.NatGateways?.[0]?.CreateTime).toBeInstanceOf(Date);
    const live = await clients.ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['available'] }] }),
    );
    expect(live.NatGateways).toHaveLength(1);
  });

  it('answers transit gateways, attachments, VPC attachments and route tables by their filters', async () => {
    const { clients } = createSandbox({ files: tgwFiles });
    const tgws = await clients.ec2.send(
      new DescribeTransitGatewaysCommand({ TransitGatewayIds: ['tgw-0123456789abcdef0'] }),
    );
    expect(tgws.TransitGateways).toHaveLength(1);
    const atts = await clients.ec2.send(
      new DescribeTransitGatewayAttachmentsCommand({
        Filters: [{ Name: 'resource-id', Values: ['vpc-0bbb000000000000b'] }],
      }),
    );
    expect(atts.TransitGatewayAttachments?.map((a) => a.TransitGatewayAttachmentId)).toEqual([
      'tgw-attach-0bbbb0000000000b',
    ]);
    const vpcAtts = await clients.ec2.send(
      new DescribeTransitGatewayVpcAttachmentsCommand({
        Filters: [{ Name: 'vpc-id', Values: ['vpc-0aaa000000000000a'] }],
      }),
    );
    expect(vpcAtts.TransitGatewayVpcAttachments?.[0]?.SubnetIds).toEqual(['subnet-0aaa000000000000a']);
    const rtbs = await clients.ec2.send(
      new DescribeTransitGatewayRouteTablesCommand({
        Filters: [{ Name: 'transit-gateway-id', Values: ['tgw-0123456789abcdef0'] }],
      }),
    );
    expect(rtbs.TransitGatewayRouteTables?.[0]?.DefaultAssociationRouteTable).toBe(true);
  });

  it('searches TGW routes: static ones by type, propagated ones from the enabled propagations', async () => {
    const { clients } = createSandbox({ files: tgwFiles });
    const table = 'tgw-rtb-0aaaa00000000000a';
    const stat = await clients.ec2.send(
      new SearchTransitGatewayRoutesCommand({
        TransitGatewayRouteTableId: table,
        Filters: [{ Name: 'type', Values: ['static'] }],
      }),
    );
    expect(stat.Routes?.map((r) => [r.DestinationCidrBlock, r.State])).toEqual([
      ['0.0.0.0/0', 'blackhole'],
      ['10.9.4.0/24', 'active'],
    ]);
    expect(stat.AdditionalRoutesAvailable).toBe(false);
    const prop = await clients.ec2.send(
      new SearchTransitGatewayRoutesCommand({
        TransitGatewayRouteTableId: table,
        Filters: [{ Name: 'type', Values: ['propagated'] }],
      }),
    );
    expect(prop.Routes?.map((r) => r.DestinationCidrBlock)).toEqual(['10.9.0.0/16']);
    const lpm = await clients.ec2.send(
      new SearchTransitGatewayRoutesCommand({
        TransitGatewayRouteTableId: table,
        Filters: [{ Name: 'route-search.longest-prefix-match', Values: ['10.9.4.7/32'] }],
      }),
    );
    expect(lpm.Routes?.map((r) => r.DestinationCidrBlock)).toEqual(['10.9.4.0/24']);
    const props = await clients.ec2.send(
      new GetTransitGatewayRouteTablePropagationsCommand({ TransitGatewayRouteTableId: table }),
    );
    expect(props.TransitGatewayRouteTablePropagations?.map((p) => p.State)).toEqual(['enabled']);
    const e = await awsError(() =>
      clients.ec2.send(
        new GetTransitGatewayRouteTablePropagationsCommand({ TransitGatewayRouteTableId: 'tgw-rtb-0000000000000dead' }),
      ),
    );
    expect(e.name).toBe('InvalidRouteTableID.NotFound');
  });

  it('answers VPC endpoints by vpc-id and service-name', async () => {
    const { clients } = createSandbox({ files: tgwFiles });
    const out = await clients.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'service-name', Values: ['com.amazonaws.*.s3'] }] }),
    );
    expect(out.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual(['vpce-0123456789abcdef0']);
    expect(out.VpcEndpoints?.[0]?.CreationTimestamp).toBeInstanceOf(Date);
  });

  it('returns copies: changing a response does not change the account', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [SEED.vpc1] }));
    if (out.Vpcs?.[0]) out.Vpcs[0].CidrBlock = '192.0.2.0/24';
    const again = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [SEED.vpc1] }));
    expect(again.Vpcs?.[0]?.CidrBlock).toBe('10.1.0.0/16');
  });

  it('refuses denied actions with UnauthorizedOperation (403) and records every call', async () => {
    const sb = createSandbox({ deny: ['ec2:DescribeRouteTables'] });
    const e = await awsError(() => sb.clients.ec2.send(new DescribeRouteTablesCommand({})));
    expect(e.name).toBe('UnauthorizedOperation');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toContain('ec2:DescribeRouteTables');
    await sb.clients.ec2.send(new DescribeVpcsCommand({}));
    expect(sb.calls).toEqual([
      { service: 'ec2', operation: 'DescribeRouteTables', error: 'UnauthorizedOperation' },
      { service: 'ec2', operation: 'DescribeVpcs' },
    ]);
  });

  it('keeps two sandboxes apart', async () => {
    const a = createSandbox({ deny: ['ec2:*'] });
    const b = createSandbox();
    await expect(a.clients.ec2.send(new DescribeVpcsCommand({}))).rejects.toThrow();
    await expect(b.clients.ec2.send(new DescribeVpcsCommand({}))).resolves.toBeTruthy();
    expect(b.calls).toHaveLength(1);
  });
});

describe('sandbox EC2 operations it does not model', () => {
  it('answers InvalidAction, naming the sandbox, instead of reaching the network', async () => {
    const { DescribeRegionsCommand } = await import('@aws-sdk/client-ec2');
    const sb = createSandbox();
    const e = await awsError(() => sb.clients.ec2.send(new DescribeRegionsCommand({})));
    expect(e.name).toBe('InvalidAction');
    expect(e.message).toContain('whyping sandbox');
  });
});
