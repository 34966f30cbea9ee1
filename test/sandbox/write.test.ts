/** The EC2 writes the sandbox answers, their inverses, DryRun and AWS errors, through a real EC2Client. */
import {
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateTagsCommand,
  DeleteInternetGatewayCommand,
  DeleteNetworkAclEntryCommand,
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DetachInternetGatewayCommand,
  DisassociateAddressCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  RevokeSecurityGroupIngressCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { awsError, SEED } from './helpers.js';

async function routes(ec2: EC2Client, tableId: string) {
  const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [tableId] }));
  return out.RouteTables?.[0]?.Routes ?? [];
}

const icmpFromVpc1 = {
  GroupId: SEED.sg2,
  IpPermissions: [
    {
      IpProtocol: 'icmp',
      FromPort: 8,
      ToPort: -1,
      IpRanges: [{ CidrIp: '10.1.0.0/16', Description: 'ping from VPC 1' }],
    },
  ],
};

describe('sandbox EC2 routes', () => {
  it('accepts a route to a pending peering as blackhole and activates it when the peering is accepted', async () => {
    const { clients } = createSandbox();
    const ec2 = clients.ec2;
    const out = await ec2.send(
      new CreateRouteCommand({
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '10.2.0.0/16',
        VpcPeeringConnectionId: SEED.pcx,
      }),
    );
    expect(out.Return).toBe(true);
    expect(out.$metadata.requestId).toBeTruthy();
    expect((await routes(ec2, SEED.rtbPublic1)).at(-1)).toEqual({
      DestinationCidrBlock: '10.2.0.0/16',
      VpcPeeringConnectionId: SEED.pcx,
      Origin: 'CreateRoute',
      State: 'blackhole',
    });
    const accepted = await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: SEED.pcx }));
    expect(accepted.VpcPeeringConnection?.Status).toEqual({ Code: 'provisioning', Message: 'Provisioning' });
    const now = await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [SEED.pcx] }));
    expect(now.VpcPeeringConnections?.[0]?.Status).toEqual({ Code: 'active', Message: 'Active' });
    expect(accepted.VpcPeeringConnection?.AccepterVpcInfo?.CidrBlock).toBe('10.2.0.0/16');
    expect((await routes(ec2, SEED.rtbPublic1)).at(-1)?.State).toBe('active');
  });

  it('refuses a second route to the same destination (RouteAlreadyExists)', async () => {
    const { clients } = createSandbox();
    const create = () =>
      clients.ec2.send(
        new CreateRouteCommand({
          RouteTableId: SEED.rtbPublic1,
          DestinationCidrBlock: '10.2.0.0/16',
          VpcPeeringConnectionId: SEED.pcx,
        }),
      );
    await create();
    const e = await awsError(create);
    expect(e.name).toBe('RouteAlreadyExists');
    expect(e.message).toBe('The route identified by 10.2.0.0/16 already exists.');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  it('names the missing route table, gateway or peering as AWS does', async () => {
    const { clients } = createSandbox();
    const rtb = await awsError(() =>
      clients.ec2.send(
        new CreateRouteCommand({
          RouteTableId: 'rtb-0000000000000dead',
          DestinationCidrBlock: '10.2.0.0/16',
          GatewayId: SEED.igw1,
        }),
      ),
    );
    expect(rtb.name).toBe('InvalidRouteTableID.NotFound');
    const pcx = await awsError(() =>
      clients.ec2.send(
        new CreateRouteCommand({
          RouteTableId: SEED.rtbPublic1,
          DestinationCidrBlock: '10.2.0.0/16',
          VpcPeeringConnectionId: 'pcx-0000000000000dead',
        }),
      ),
    );
    expect(pcx.name).toBe('InvalidVpcPeeringConnectionID.NotFound');
    const cidr = await awsError(() =>
      clients.ec2.send(
        new CreateRouteCommand({
          RouteTableId: SEED.rtbPublic1,
          DestinationCidrBlock: '10.2.0.0/33',
          GatewayId: SEED.igw1,
        }),
      ),
    );
    expect(cidr.name).toBe('InvalidParameterValue');
  });

  it('refuses an internet gateway of another VPC as a route target', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() =>
      clients.ec2.send(
        new CreateRouteCommand({
          RouteTableId: SEED.rtbPublic2,
          DestinationCidrBlock: '8.8.8.8/32',
          GatewayId: SEED.igw1,
        }),
      ),
    );
    expect(e.name).toBe('InvalidParameterValue');
    expect(e.message).toContain('belong to different networks');
  });

  it('replaces and deletes a route, and refuses to touch the local route or a missing one', async () => {
    const { clients } = createSandbox();
    const ec2 = clients.ec2;
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '10.2.0.0/16',
        VpcPeeringConnectionId: SEED.pcx,
      }),
    );
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '10.2.0.0/16',
        GatewayId: SEED.igw1,
      }),
    );
    expect((await routes(ec2, SEED.rtbPublic1)).at(-1)).toEqual({
      DestinationCidrBlock: '10.2.0.0/16',
      GatewayId: SEED.igw1,
      Origin: 'CreateRoute',
      State: 'active',
    });
    await ec2.send(new DeleteRouteCommand({ RouteTableId: SEED.rtbPublic1, DestinationCidrBlock: '10.2.0.0/16' }));
    expect((await routes(ec2, SEED.rtbPublic1)).map((r) => r.DestinationCidrBlock)).toEqual([
      '10.1.0.0/16',
      '0.0.0.0/0',
    ]);
    const gone = await awsError(() =>
      ec2.send(new DeleteRouteCommand({ RouteTableId: SEED.rtbPublic1, DestinationCidrBlock: '10.2.0.0/16' })),
    );
    expect(gone.name).toBe('InvalidRoute.NotFound');
    const replaceMissing = await awsError(() =>
      ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: SEED.rtbPublic1,
          DestinationCidrBlock: '10.9.0.0/16',
          GatewayId: SEED.igw1,
        }),
      ),
    );
    expect(replaceMissing.name).toBe('InvalidParameterValue');
    const local = await awsError(() =>
      ec2.send(new DeleteRouteCommand({ RouteTableId: SEED.rtbPublic1, DestinationCidrBlock: '10.1.0.0/16' })),
    );
    expect(local.name).toBe('InvalidParameterValue');
  });
});

describe('sandbox DryRun and permissions', () => {
  it('answers a DryRun write that would succeed with DryRunOperation (412) and changes nothing', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() =>
      clients.ec2.send(
        new CreateRouteCommand({
          DryRun: true,
          RouteTableId: SEED.rtbPublic1,
          DestinationCidrBlock: '10.2.0.0/16',
          VpcPeeringConnectionId: SEED.pcx,
        }),
      ),
    );
    expect(e.name).toBe('DryRunOperation');
    expect(e.message).toBe('Request would have succeeded, but DryRun flag is set.');
    expect(e.$metadata.httpStatusCode).toBe(412);
    expect(await routes(clients.ec2, SEED.rtbPublic1)).toHaveLength(2);
  });

  it('answers a DryRun on a missing resource with the NotFound error, not DryRunOperation', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() =>
      clients.ec2.send(
        new AcceptVpcPeeringConnectionCommand({ DryRun: true, VpcPeeringConnectionId: 'pcx-0000000000000dead' }),
      ),
    );
    expect(e.name).toBe('InvalidVpcPeeringConnectionID.NotFound');
  });

  it('answers DryRunOperation on every write it supports', async () => {
    const sb = createSandbox();
    const ec2 = sb.clients.ec2;
    const dry = [
      new CreateRouteCommand({
        DryRun: true,
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '10.2.0.0/16',
        VpcPeeringConnectionId: SEED.pcx,
      }),
      new ReplaceRouteCommand({
        DryRun: true,
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: SEED.igw1,
      }),
      new DeleteRouteCommand({ DryRun: true, RouteTableId: SEED.rtbPublic1, DestinationCidrBlock: '0.0.0.0/0' }),
      new AuthorizeSecurityGroupIngressCommand({ DryRun: true, ...icmpFromVpc1 }),
      new AuthorizeSecurityGroupEgressCommand({ DryRun: true, ...icmpFromVpc1 }),
      new RevokeSecurityGroupIngressCommand({
        DryRun: true,
        GroupId: SEED.sg2,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
      new AllocateAddressCommand({ DryRun: true, Domain: 'vpc' }),
      new AcceptVpcPeeringConnectionCommand({ DryRun: true, VpcPeeringConnectionId: SEED.pcx }),
      new CreateNetworkAclEntryCommand({
        DryRun: true,
        NetworkAclId: SEED.acl1,
        RuleNumber: 90,
        Egress: false,
        Protocol: '1',
        RuleAction: 'deny',
        CidrBlock: '10.2.0.0/16',
        IcmpTypeCode: { Type: -1, Code: -1 },
      }),
      new DeleteNetworkAclEntryCommand({ DryRun: true, NetworkAclId: SEED.acl1, RuleNumber: 100, Egress: false }),
      new CreateInternetGatewayCommand({ DryRun: true }),
      new DetachInternetGatewayCommand({ DryRun: true, InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 }),
      new StopInstancesCommand({ DryRun: true, InstanceIds: [SEED.instance1] }),
      new StartInstancesCommand({ DryRun: true, InstanceIds: [SEED.instance1] }),
      new ModifyNetworkInterfaceAttributeCommand({
        DryRun: true,
        NetworkInterfaceId: SEED.eni1,
        SourceDestCheck: { Value: false },
      }),
      new CreateTagsCommand({ DryRun: true, Resources: [SEED.pcx], Tags: [{ Key: 'whyping:by', Value: 'U123' }] }),
    ];
    for (const command of dry) {
      // biome-ignore lint/suspicious/noExplicitAny: one loop over commands of different types
      const e = await awsError(() => ec2.send(command as any));
      expect(e.name, command.constructor.name).toBe('DryRunOperation');
    }
    expect(sb.state.toFiles()).toEqual(createSandbox().state.toFiles());
  });

  it('answers UnauthorizedOperation before DryRun for a denied action, with wildcards in the deny list', async () => {
    const { clients } = createSandbox({ deny: ['ec2:Create*'] });
    const e = await awsError(() =>
      clients.ec2.send(
        new CreateRouteCommand({
          DryRun: true,
          RouteTableId: SEED.rtbPublic1,
          DestinationCidrBlock: '10.2.0.0/16',
          GatewayId: SEED.igw1,
        }),
      ),
    );
    expect(e.name).toBe('UnauthorizedOperation');
    const ok = await awsError(() => clients.ec2.send(new AllocateAddressCommand({ DryRun: true })));
    expect(ok.name).toBe('DryRunOperation');
  });
});

describe('sandbox security groups', () => {
  it('authorizes ICMP with a new sgr- rule id and shows it in DescribeSecurityGroups', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(icmpFromVpc1));
    expect(out.Return).toBe(true);
    expect(out.SecurityGroupRules).toHaveLength(1);
    const rule = out.SecurityGroupRules?.[0];
    expect(rule).toMatchObject({
      GroupId: SEED.sg2,
      IsEgress: false,
      IpProtocol: 'icmp',
      FromPort: 8,
      ToPort: -1,
      CidrIpv4: '10.1.0.0/16',
      Description: 'ping from VPC 1',
    });
    expect(rule?.SecurityGroupRuleId).toMatch(/^sgr-/);
    const sg = (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [SEED.sg2] })))
      .SecurityGroups?.[0];
    expect(sg?.IpPermissions).toContainEqual({
      IpProtocol: 'icmp',
      FromPort: 8,
      ToPort: -1,
      IpRanges: [{ CidrIp: '10.1.0.0/16', Description: 'ping from VPC 1' }],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    });
  });

  it('refuses a rule that already exists (InvalidPermission.Duplicate), description or not', async () => {
    const { clients } = createSandbox();
    await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(icmpFromVpc1));
    const e = await awsError(() =>
      clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: SEED.sg2,
          IpPermissions: [{ IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '10.1.0.0/16' }] }],
        }),
      ),
    );
    expect(e.name).toBe('InvalidPermission.Duplicate');
    expect(e.message).toBe('the specified rule "peer: 10.1.0.0/16, ICMP, type: 8, code: -1, ALLOW" already exists');
  });

  it('stores protocol numbers under their names, as AWS does', async () => {
    const { clients } = createSandbox();
    const out = await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: SEED.sg2,
        IpPermissions: [{ IpProtocol: '6', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.1.0.0/16' }] }],
      }),
    );
    expect(out.SecurityGroupRules?.[0]?.IpProtocol).toBe('tcp');
  });

  it('revokes by rule properties or by rule id, and refuses an unknown rule in a non-default VPC', async () => {
    const { clients } = createSandbox();
    const added = await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(icmpFromVpc1));
    const revoked = await clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: SEED.sg2,
        SecurityGroupRuleIds: [added.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? ''],
      }),
    );
    expect(revoked.Return).toBe(true);
    expect(revoked.RevokedSecurityGroupRules?.[0]).toMatchObject({ IpProtocol: 'icmp', CidrIpv4: '10.1.0.0/16' });
    const e = await awsError(() => clients.ec2.send(new RevokeSecurityGroupIngressCommand(icmpFromVpc1)));
    expect(e.name).toBe('InvalidPermission.NotFound');
    await clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: SEED.sg2,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const left = await clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [SEED.sg2] }] }),
    );
    expect(left.SecurityGroupRules?.map((r) => r.IsEgress)).toEqual([true]);
  });

  it('names a missing group as InvalidGroup.NotFound', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() =>
      clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ ...icmpFromVpc1, GroupId: 'sg-0000000000000dead' })),
    );
    expect(e.name).toBe('InvalidGroup.NotFound');
  });
});

describe('sandbox Elastic IPs', () => {
  it('allocates, associates, disassociates and releases, updating the ENI and the instance', async () => {
    const { clients } = createSandbox();
    const ec2 = clients.ec2;
    const alloc = await ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'whyping:by', Value: 'U1' }] }],
      }),
    );
    expect(alloc.AllocationId).toMatch(/^eipalloc-/);
    expect(alloc.PublicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const assoc = await ec2.send(
      new AssociateAddressCommand({ AllocationId: alloc.AllocationId, InstanceId: SEED.instance1 }),
    );
    expect(assoc.AssociationId).toMatch(/^eipassoc-/);
    const addr = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [alloc.AllocationId ?? ''] })))
      .Addresses?.[0];
    expect(addr).toMatchObject({
      InstanceId: SEED.instance1,
      NetworkInterfaceId: SEED.eni1,
      PrivateIpAddress: '10.1.0.12',
      AssociationId: assoc.AssociationId,
      Domain: 'vpc',
    });
    expect(addr?.Tags).toEqual([{ Key: 'whyping:by', Value: 'U1' }]);
    const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [SEED.eni1] })))
      .NetworkInterfaces?.[0];
    expect(eni?.Association).toMatchObject({
      PublicIp: alloc.PublicIp,
      AllocationId: alloc.AllocationId,
      AssociationId: assoc.AssociationId,
      IpOwnerId: '111122223333',
    });
    expect(eni?.PrivateIpAddresses?.[0]?.Association?.PublicIp).toBe(alloc.PublicIp);
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [SEED.instance1] }))).Reservations?.[0]
      ?.Instances?.[0];
    expect(inst?.PublicIpAddress).toBe(alloc.PublicIp);
    expect(inst?.PublicDnsName).toBe(`ec2-${alloc.PublicIp?.replaceAll('.', '-')}.compute-1.amazonaws.com`);
    expect(inst?.NetworkInterfaces?.[0]?.Association?.PublicIp).toBe(alloc.PublicIp);
    const byIp = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'association.public-ip', Values: [alloc.PublicIp ?? ''] }],
      }),
    );
    expect(byIp.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([SEED.eni1]);

    const inUse = await awsError(() => ec2.send(new ReleaseAddressCommand({ AllocationId: alloc.AllocationId })));
    expect(inUse.name).toBe('InvalidIPAddress.InUse');
    await ec2.send(new DisassociateAddressCommand({ AssociationId: assoc.AssociationId }));
    const after = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [SEED.instance1] }))).Reservations?.[0]
      ?.Instances?.[0];
    expect(after?.PublicIpAddress).toBeUndefined();
    expect(
      (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [SEED.eni1] })))
        .NetworkInterfaces?.[0]?.Association,
    ).toBeUndefined();
    await ec2.send(new ReleaseAddressCommand({ AllocationId: alloc.AllocationId }));
    expect((await ec2.send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
    const gone = await awsError(() => ec2.send(new DisassociateAddressCommand({ AssociationId: assoc.AssociationId })));
    expect(gone.name).toBe('InvalidAssociationID.NotFound');
  });

  it('refuses to associate an address that is already associated unless reassociation is allowed', async () => {
    const { clients } = createSandbox();
    const alloc = await clients.ec2.send(new AllocateAddressCommand({}));
    await clients.ec2.send(
      new AssociateAddressCommand({ AllocationId: alloc.AllocationId, NetworkInterfaceId: SEED.eni1 }),
    );
    const e = await awsError(() =>
      clients.ec2.send(
        new AssociateAddressCommand({ AllocationId: alloc.AllocationId, NetworkInterfaceId: SEED.eni2 }),
      ),
    );
    expect(e.name).toBe('Resource.AlreadyAssociated');
    await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: alloc.AllocationId,
        NetworkInterfaceId: SEED.eni2,
        AllowReassociation: true,
      }),
    );
    const enis = (await clients.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
    expect(enis.map((n) => n.Association?.PublicIp ?? null)).toEqual([null, alloc.PublicIp]);
  });

  it('refuses an Elastic IP in a VPC with no internet gateway (Gateway.NotAttached)', async () => {
    const { clients } = createSandbox();
    const igw2 = 'igw-05e7f9a1b3c5d7e92';
    await clients.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw2, VpcId: SEED.vpc2 }));
    const alloc = await clients.ec2.send(new AllocateAddressCommand({}));
    const e = await awsError(() =>
      clients.ec2.send(new AssociateAddressCommand({ AllocationId: alloc.AllocationId, InstanceId: SEED.instance2 })),
    );
    expect(e.name).toBe('Gateway.NotAttached');
  });
});

describe('sandbox network ACLs, internet gateways, instances, ENIs and tags', () => {
  it('creates and deletes NACL entries, refusing a duplicate number in the same direction', async () => {
    const { clients } = createSandbox();
    const entry = {
      NetworkAclId: SEED.acl1,
      RuleNumber: 90,
      Egress: false,
      Protocol: 'icmp',
      RuleAction: 'deny' as const,
      CidrBlock: '10.2.0.0/16',
      IcmpTypeCode: { Type: 8, Code: -1 },
    };
    await clients.ec2.send(new CreateNetworkAclEntryCommand(entry));
    const acl = (await clients.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [SEED.acl1] })))
      .NetworkAcls?.[0];
    expect(acl?.Entries?.map((e) => [e.Egress, e.RuleNumber])).toEqual([
      [true, 100],
      [true, 32767],
      [false, 90],
      [false, 100],
      [false, 32767],
    ]);
    expect(acl?.Entries?.[2]).toEqual({
      CidrBlock: '10.2.0.0/16',
      Egress: false,
      IcmpTypeCode: { Type: 8, Code: -1 },
      Protocol: '1',
      RuleAction: 'deny',
      RuleNumber: 90,
    });
    const dup = await awsError(() => clients.ec2.send(new CreateNetworkAclEntryCommand(entry)));
    expect(dup.name).toBe('NetworkAclEntryAlreadyExists');
    await clients.ec2.send(new CreateNetworkAclEntryCommand({ ...entry, Egress: true }));
    await clients.ec2.send(
      new DeleteNetworkAclEntryCommand({ NetworkAclId: SEED.acl1, RuleNumber: 90, Egress: false }),
    );
    const missing = await awsError(() =>
      clients.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: SEED.acl1, RuleNumber: 90, Egress: false })),
    );
    expect(missing.name).toBe('InvalidNetworkAclEntry.NotFound');
    const tcpWithoutPorts = await awsError(() =>
      clients.ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: SEED.acl1,
          RuleNumber: 95,
          Egress: false,
          Protocol: '6',
          RuleAction: 'allow',
          CidrBlock: '0.0.0.0/0',
        }),
      ),
    );
    expect(tcpWithoutPorts.name).toBe('MissingParameter');
  });

  it('detaching an internet gateway blackholes its routes; attaching it again restores them', async () => {
    const { clients } = createSandbox();
    const ec2 = clients.ec2;
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 }));
    expect((await routes(ec2, SEED.rtbPublic1)).at(-1)?.State).toBe('blackhole');
    const notAttached = await awsError(() =>
      ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 })),
    );
    expect(notAttached.name).toBe('Gateway.NotAttached');
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 }));
    expect((await routes(ec2, SEED.rtbPublic1)).at(-1)?.State).toBe('active');
  });

  it('creates, attaches, detaches and deletes a new internet gateway', async () => {
    const { clients } = createSandbox();
    const ec2 = clients.ec2;
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 }));
    const created = await ec2.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'Name', Value: 'new' }] }],
      }),
    );
    const id = created.InternetGateway?.InternetGatewayId ?? '';
    expect(created.InternetGateway).toEqual({
      Attachments: [],
      InternetGatewayId: id,
      OwnerId: '111122223333',
      Tags: [{ Key: 'Name', Value: 'new' }],
    });
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: SEED.vpc1 }));
    const busy = await awsError(() => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id })));
    expect(busy.name).toBe('DependencyViolation');
    const twice = await awsError(() =>
      ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 })),
    );
    expect(twice.name).toBe('Resource.AlreadyAssociated');
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: SEED.vpc1 }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id }));
    const left = await ec2.send(new DescribeInternetGatewaysCommand({}));
    expect(left.InternetGateways?.map((g) => g.InternetGatewayId)).not.toContain(id);
  });

  it('refuses to detach a gateway while the VPC has public addresses mapped', async () => {
    const { clients } = createSandbox();
    const alloc = await clients.ec2.send(new AllocateAddressCommand({}));
    await clients.ec2.send(
      new AssociateAddressCommand({ AllocationId: alloc.AllocationId, InstanceId: SEED.instance1 }),
    );
    const e = await awsError(() =>
      clients.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: SEED.igw1, VpcId: SEED.vpc1 })),
    );
    expect(e.name).toBe('DependencyViolation');
  });

  it('stops and starts instances with AWS state codes', async () => {
    const { clients } = createSandbox();
    const stop = await clients.ec2.send(new StopInstancesCommand({ InstanceIds: [SEED.instance2] }));
    expect(stop.StoppingInstances).toEqual([
      {
        InstanceId: SEED.instance2,
        PreviousState: { Code: 16, Name: 'running' },
        CurrentState: { Code: 64, Name: 'stopping' },
      },
    ]);
    const stopped = await clients.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] }),
    );
    expect(stopped.Reservations?.[0]?.Instances?.[0]?.State).toEqual({ Code: 80, Name: 'stopped' });
    const start = await clients.ec2.send(new StartInstancesCommand({ InstanceIds: [SEED.instance2] }));
    expect(start.StartingInstances?.[0]?.CurrentState).toEqual({ Code: 0, Name: 'pending' });
    const missing = await awsError(() =>
      clients.ec2.send(new StartInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })),
    );
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
  });

  it('turns source/destination check off on the ENI and the instance', async () => {
    const { clients } = createSandbox();
    await clients.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: SEED.eni1, SourceDestCheck: { Value: false } }),
    );
    const eni = (await clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [SEED.eni1] })))
      .NetworkInterfaces?.[0];
    expect(eni?.SourceDestCheck).toBe(false);
    const inst = (await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [SEED.instance1] })))
      .Reservations?.[0]?.Instances?.[0];
    expect(inst?.SourceDestCheck).toBe(false);
    expect(inst?.NetworkInterfaces?.[0]?.SourceDestCheck).toBe(false);
  });

  it('tags resources (ENI tags in TagSet) and names a missing one', async () => {
    const { clients } = createSandbox();
    await clients.ec2.send(
      new CreateTagsCommand({ Resources: [SEED.pcx, SEED.eni1], Tags: [{ Key: 'whyping:by', Value: 'U1' }] }),
    );
    const pcx = (
      await clients.ec2.send(
        new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: 'tag:whyping:by', Values: ['U1'] }] }),
      )
    ).VpcPeeringConnections;
    expect(pcx?.map((p) => p.VpcPeeringConnectionId)).toEqual([SEED.pcx]);
    const eni = (
      await clients.ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'tag-key', Values: ['whyping:by'] }] }),
      )
    ).NetworkInterfaces;
    expect(eni?.[0]?.TagSet).toEqual([{ Key: 'whyping:by', Value: 'U1' }]);
    const e = await awsError(() =>
      clients.ec2.send(
        new CreateTagsCommand({ Resources: ['pcx-0000000000000dead'], Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    );
    expect(e.name).toBe('InvalidVpcPeeringConnectionID.NotFound');
  });

  it('refuses to accept a peering that is already active (InvalidStateTransition)', async () => {
    const { clients } = createSandbox();
    await clients.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: SEED.pcx }));
    const e = await awsError(() =>
      clients.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: SEED.pcx })),
    );
    expect(e.name).toBe('InvalidStateTransition');
  });
});

describe('sandbox security group references across VPCs', () => {
  const fromGroup1 = {
    GroupId: SEED.sg2,
    IpPermissions: [{ IpProtocol: 'icmp', FromPort: 8, ToPort: -1, UserIdGroupPairs: [{ GroupId: SEED.sg1 }] }],
  };

  it('refuses a group of another VPC until the peering between them is active', async () => {
    const { clients } = createSandbox();
    const e = await awsError(() => clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(fromGroup1)));
    expect(e.name).toBe('InvalidGroup.NotFound');
    expect(e.message).toBe(`The security group '${SEED.sg1}' does not exist in VPC '${SEED.vpc2}'`);
    await clients.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: SEED.pcx }));
    const out = await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(fromGroup1));
    expect(out.SecurityGroupRules?.[0]?.ReferencedGroupInfo).toEqual({ GroupId: SEED.sg1, UserId: '111122223333' });
  });
});
