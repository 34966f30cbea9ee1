/**
 * A small raw world for snapshot unit tests: two VPCs (10.1/16 with a secondary 10.11/16, and 10.2/16) joined by a
 * pending peering, a public and a private subnet in VPC 1, web-1 (two ENIs, an EIP on the secondary one) and db-1.
 * Tests copy it and change what they need.
 */
import type { RawSnapshotFile } from '../../src/model/index.js';

export function rawWorld(): Record<string, unknown> {
  return {
    Vpcs: [
      {
        VpcId: 'vpc-1',
        OwnerId: '111111111111',
        CidrBlock: '10.1.0.0/16',
        CidrBlockAssociationSet: [
          { CidrBlock: '10.1.0.0/16', CidrBlockState: { State: 'associated' } },
          { CidrBlock: '10.11.0.0/16', CidrBlockState: { State: 'associated' } },
          { CidrBlock: '10.99.0.0/16', CidrBlockState: { State: 'disassociated' } },
        ],
        IsDefault: false,
        Tags: [{ Key: 'Name', Value: 'vpc one' }],
      },
      { VpcId: 'vpc-2', OwnerId: '111111111111', CidrBlock: '10.2.0.0/16', Tags: [] },
    ],
    Subnets: [
      { SubnetId: 'subnet-pub', VpcId: 'vpc-1', CidrBlock: '10.1.0.0/24', AvailabilityZone: 'eu-west-1a' },
      { SubnetId: 'subnet-priv', VpcId: 'vpc-1', CidrBlock: '10.1.1.0/24', AvailabilityZone: 'eu-west-1b' },
      { SubnetId: 'subnet-db', VpcId: 'vpc-2', CidrBlock: '10.2.4.0/24', AvailabilityZone: 'eu-west-1a' },
    ],
    RouteTables: [
      {
        RouteTableId: 'rtb-main1',
        VpcId: 'vpc-1',
        Associations: [{ Main: true, RouteTableId: 'rtb-main1', AssociationState: { State: 'associated' } }],
        Routes: [
          { DestinationCidrBlock: '10.1.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
        ],
      },
      {
        RouteTableId: 'rtb-pub',
        VpcId: 'vpc-1',
        Associations: [{ Main: false, SubnetId: 'subnet-pub', AssociationState: { State: 'associated' } }],
        Routes: [
          { DestinationCidrBlock: '10.1.0.0/16', GatewayId: 'local', State: 'active' },
          { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' },
          { DestinationCidrBlock: '10.2.0.0/16', VpcPeeringConnectionId: 'pcx-1', State: 'blackhole' },
        ],
      },
      {
        RouteTableId: 'rtb-main2',
        VpcId: 'vpc-2',
        Associations: [{ Main: true, AssociationState: { State: 'associated' } }],
        Routes: [{ DestinationCidrBlock: '10.2.0.0/16', GatewayId: 'local', State: 'active' }],
      },
    ],
    NetworkAcls: [
      {
        NetworkAclId: 'acl-default1',
        VpcId: 'vpc-1',
        IsDefault: true,
        Associations: [{ SubnetId: 'subnet-pub', NetworkAclId: 'acl-default1' }],
        Entries: [
          { RuleNumber: 32767, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
          {
            RuleNumber: 100,
            Egress: false,
            Protocol: '1',
            RuleAction: 'deny',
            CidrBlock: '10.2.0.0/16',
            IcmpTypeCode: { Type: -1, Code: -1 },
          },
          { RuleNumber: 200, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
          {
            RuleNumber: 100,
            Egress: true,
            Protocol: '6',
            RuleAction: 'allow',
            CidrBlock: '0.0.0.0/0',
            PortRange: { From: 1024, To: 65535 },
          },
        ],
      },
      {
        NetworkAclId: 'acl-custom',
        VpcId: 'vpc-1',
        IsDefault: false,
        Associations: [{ SubnetId: 'subnet-priv', NetworkAclId: 'acl-custom' }],
        Entries: [],
      },
      { NetworkAclId: 'acl-default2', VpcId: 'vpc-2', IsDefault: true, Associations: [], Entries: [] },
    ],
    SecurityGroups: [
      {
        GroupId: 'sg-web',
        GroupName: 'web-sg',
        VpcId: 'vpc-1',
        OwnerId: '111111111111',
        IpPermissions: [
          {
            IpProtocol: 'icmp',
            FromPort: 8,
            ToPort: -1,
            IpRanges: [{ CidrIp: '10.1.0.0/16' }, { CidrIp: '10.2.0.0/16', Description: 'from db' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
            PrefixListIds: [],
            UserIdGroupPairs: [],
          },
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [],
            PrefixListIds: [{ PrefixListId: 'pl-eic' }],
            UserIdGroupPairs: [{ GroupId: 'sg-db', UserId: '111111111111' }],
          },
        ],
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
      {
        GroupId: 'sg-db',
        GroupName: 'db-sg',
        VpcId: 'vpc-2',
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [
              {
                GroupId: 'sg-web',
                UserId: '111111111111',
                VpcId: 'vpc-1',
                PeeringStatus: 'active',
                VpcPeeringConnectionId: 'pcx-1',
              },
            ],
          },
        ],
        IpPermissionsEgress: [],
      },
    ],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: 'eni-web0',
        SubnetId: 'subnet-pub',
        VpcId: 'vpc-1',
        AvailabilityZone: 'eu-west-1a',
        PrivateIpAddress: '10.1.0.10',
        PrivateIpAddresses: [
          { PrivateIpAddress: '10.1.0.11', Primary: false },
          { PrivateIpAddress: '10.1.0.10', Primary: true, Association: { PublicIp: '54.0.0.10', IpOwnerId: 'amazon' } },
        ],
        Groups: [{ GroupId: 'sg-web', GroupName: 'web-sg' }],
        Attachment: { InstanceId: 'i-web', DeviceIndex: 0, Status: 'attached' },
        SourceDestCheck: true,
        InterfaceType: 'interface',
        TagSet: [],
      },
      {
        NetworkInterfaceId: 'eni-web1',
        SubnetId: 'subnet-priv',
        VpcId: 'vpc-1',
        PrivateIpAddress: '10.1.1.20',
        PrivateIpAddresses: [
          { PrivateIpAddress: '10.1.1.20', Primary: true },
          { PrivateIpAddress: '10.1.1.21', Primary: false },
        ],
        Groups: [{ GroupId: 'sg-web' }],
        Attachment: { InstanceId: 'i-web', DeviceIndex: 1, Status: 'attached' },
        TagSet: [],
      },
      {
        NetworkInterfaceId: 'eni-db0',
        SubnetId: 'subnet-db',
        VpcId: 'vpc-2',
        PrivateIpAddress: '10.2.4.95',
        PrivateIpAddresses: [{ PrivateIpAddress: '10.2.4.95', Primary: true }],
        Groups: [{ GroupId: 'sg-db' }],
        Attachment: { InstanceId: 'i-db', DeviceIndex: 0 },
        TagSet: [],
      },
    ],
    Reservations: [
      {
        OwnerId: '111111111111',
        Instances: [
          {
            InstanceId: 'i-web',
            State: { Name: 'running' },
            VpcId: 'vpc-1',
            SubnetId: 'subnet-pub',
            PrivateIpAddress: '10.1.0.10',
            PublicIpAddress: '54.0.0.10',
            Placement: { AvailabilityZone: 'eu-west-1a' },
            NetworkInterfaces: [
              { NetworkInterfaceId: 'eni-web1', Attachment: { DeviceIndex: 1 } },
              { NetworkInterfaceId: 'eni-web0', Attachment: { DeviceIndex: 0 } },
            ],
            Tags: [{ Key: 'Name', Value: 'web-1' }],
          },
          {
            InstanceId: 'i-db',
            State: { Name: 'running' },
            VpcId: 'vpc-2',
            SubnetId: 'subnet-db',
            PrivateIpAddress: '10.2.4.95',
            Placement: { AvailabilityZone: 'eu-west-1a' },
            Platform: 'windows',
            NetworkInterfaces: [{ NetworkInterfaceId: 'eni-db0', Attachment: { DeviceIndex: 0 } }],
            Tags: [{ Key: 'Name', Value: 'db-1' }],
          },
          {
            InstanceId: 'i-old',
            State: { Name: 'terminated' },
            PrivateIpAddress: null,
            NetworkInterfaces: [],
            Tags: [{ Key: 'Name', Value: 'db-1' }],
          },
        ],
      },
    ],
    Addresses: [
      {
        PublicIp: '52.0.0.21',
        AllocationId: 'eipalloc-21',
        AssociationId: 'eipassoc-21',
        NetworkInterfaceId: 'eni-web1',
        PrivateIpAddress: '10.1.1.21',
        InstanceId: 'i-web',
      },
    ],
    InternetGateways: [{ InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'available' }] }],
    VpcPeeringConnections: [
      {
        VpcPeeringConnectionId: 'pcx-1',
        Status: { Code: 'pending-acceptance' },
        RequesterVpcInfo: { VpcId: 'vpc-1', OwnerId: '111111111111', Region: 'eu-west-1', CidrBlock: '10.1.0.0/16' },
        AccepterVpcInfo: { VpcId: 'vpc-2', OwnerId: '111111111111', Region: 'eu-west-1' },
      },
    ],
    ManagedPrefixLists: [
      { PrefixListId: 'pl-eic', PrefixListName: 'com.amazonaws.eu-west-1.ec2-instance-connect', OwnerId: 'AWS' },
    ],
    PrefixListEntries: { 'pl-eic': [{ Cidr: '18.202.216.48/29' }] },
  };
}

/** The world as one in-memory file. */
export function worldFiles(mutate?: (w: Record<string, unknown>) => void, path = 'world.json'): RawSnapshotFile[] {
  const w = rawWorld();
  mutate?.(w);
  return [{ path, data: w }];
}

/** The i-th element of a list in a raw world, failing loudly when it is missing. */
export function nth<T>(list: T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no element ${i}`);
  return item;
}
