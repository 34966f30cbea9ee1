/** The EC2 describe-* (and get-*) operations the sandbox answers, with their id parameters, filters and paging. */
import type {
  Address,
  Instance,
  InternetGateway,
  ManagedPrefixList,
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  Reservation,
  RouteTable,
  SecurityGroupRule,
  Subnet,
  Tag,
  TransitGateway,
  TransitGatewayAttachment,
  TransitGatewayPropagation,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  TransitGatewayVpcAttachment,
  Vpc,
  VpcEndpoint,
  VpcPeeringConnection,
} from '@aws-sdk/client-ec2';
import { cidrContains, cidrCovers, parseCidr } from '../net/ip.js';
import type { Handler, Input, OpContext } from './context.js';
import { reviveDates } from './dates.js';
import { type FieldValues, matchesFilters, UnknownFilterError } from './filters.js';
import { type PageLimits, paginate } from './pagination.js';
import type { SandboxState, SecurityGroupShell } from './state.js';

interface DescribeSpec<T> {
  op: string;
  outputKey: string;
  items: (s: SandboxState) => T[];
  /** Input parameter listing ids (`VpcIds`) and how to read an item's id. */
  ids?: {
    param: string;
    of: (t: T) => string | undefined;
    prefix?: string;
    malformed?: string;
    notFound: (missing: string[]) => [string, string];
  };
  /** `Filters` (most operations) or `Filter` (DescribeNatGateways). */
  filterParam?: 'Filters' | 'Filter';
  fields: (t: T, s: SandboxState) => FieldValues;
  tags?: (t: T) => Tag[] | undefined;
  /** null: the operation does not paginate. */
  limits: PageLimits | null;
  /** AWS refuses MaxResults together with the id list for some operations. */
  idsExcludeMaxResults?: boolean;
  render?: (t: T, s: SandboxState) => unknown;
}

/** "The vpc ID 'vpc-1' does not exist" / "The vpc IDs 'vpc-1, vpc-2' do not exist". */
function notFoundMessage(noun: string, missing: string[]): string {
  return missing.length === 1
    ? `The ${noun} ID '${missing[0]}' does not exist`
    : `The ${noun} IDs '${missing.join(', ')}' do not exist`;
}

function filterOrFail(
  ctx: OpContext,
  fields: FieldValues,
  tags: Tag[] | undefined,
  filters: Input['Filters'],
): boolean {
  try {
    return matchesFilters(fields, tags, filters);
  } catch (e) {
    if (e instanceof UnknownFilterError) ctx.fail('InvalidParameterValue', e.message);
    throw e;
  }
}

function describe<T>(spec: DescribeSpec<T>): Handler {
  return (input: Input, ctx: OpContext) => {
    const all = spec.items(ctx.state);
    let items = all;
    const ids = spec.ids ? (input[spec.ids.param] as string[] | undefined) : undefined;
    if (spec.ids && ids && ids.length > 0) {
      const idSpec = spec.ids;
      if (spec.idsExcludeMaxResults && input.MaxResults !== undefined) {
        ctx.fail(
          'InvalidParameterCombination',
          `The parameter ${idSpec.param} cannot be used with the parameter maxResults`,
        );
      }
      if (idSpec.prefix && idSpec.malformed) {
        const bad = ids.find((id) => !id.startsWith(`${idSpec.prefix}-`));
        if (bad !== undefined) ctx.fail(idSpec.malformed, `Invalid id: "${bad}"`);
      }
      const known = new Set(all.map((t) => idSpec.of(t)));
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length > 0) ctx.fail(...idSpec.notFound(missing));
      const wanted = new Set(ids);
      items = all.filter((t) => wanted.has(idSpec.of(t) ?? ''));
    }
    const filters = input[spec.filterParam ?? 'Filters'];
    if (!filters || filters.length === 0) return page(items);
    items = items.filter((t) =>
      filterOrFail(ctx, spec.fields(t, ctx.state), spec.tags ? spec.tags(t) : (t as { Tags?: Tag[] }).Tags, filters),
    );
    return page(items);

    function page(selected: T[]) {
      const render = (t: T) => reviveDates(spec.render ? spec.render(t, ctx.state) : t);
      if (!spec.limits) return { [spec.outputKey]: selected.map(render) };
      const { page: one, nextToken } = paginate(selected, input, spec.limits, spec.op, ctx);
      return { [spec.outputKey]: one.map(render), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
  };
}

const byId = (noun: string, code: string) => (missing: string[]) =>
  [code, notFoundMessage(noun, missing)] as [string, string];

/** Fields shared by the SG/rule permission filters (`ip-permission.*`, `egress.ip-permission.*`). */
function permissionFields(rules: SecurityGroupRule[], prefix: string): FieldValues {
  // Thunks: computed only when a filter asks for them.
  return {
    [`${prefix}.cidr`]: () => rules.map((r) => r.CidrIpv4),
    [`${prefix}.ipv6-cidr`]: () => rules.map((r) => r.CidrIpv6),
    [`${prefix}.from-port`]: () => rules.map((r) => r.FromPort),
    [`${prefix}.to-port`]: () => rules.map((r) => r.ToPort),
    [`${prefix}.protocol`]: () => rules.map((r) => r.IpProtocol),
    [`${prefix}.group-id`]: () => rules.map((r) => r.ReferencedGroupInfo?.GroupId),
    [`${prefix}.user-id`]: () => rules.map((r) => r.ReferencedGroupInfo?.UserId),
    [`${prefix}.prefix-list-id`]: () => rules.map((r) => r.PrefixListId),
  };
}

const vpcs = describe<Vpc>({
  op: 'DescribeVpcs',
  outputKey: 'Vpcs',
  items: (s) => s.docs.Vpcs,
  ids: {
    param: 'VpcIds',
    of: (v) => v.VpcId,
    prefix: 'vpc',
    malformed: 'InvalidVpcID.Malformed',
    notFound: byId('vpc', 'InvalidVpcID.NotFound'),
  },
  fields: (v) => ({
    'vpc-id': v.VpcId,
    cidr: v.CidrBlock,
    'cidr-block-association.cidr-block': v.CidrBlockAssociationSet?.map((a) => a.CidrBlock) ?? v.CidrBlock,
    'cidr-block-association.association-id': v.CidrBlockAssociationSet?.map((a) => a.AssociationId),
    'cidr-block-association.state': v.CidrBlockAssociationSet?.map((a) => a.CidrBlockState?.State),
    'ipv6-cidr-block-association.ipv6-cidr-block': v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
    'dhcp-options-id': v.DhcpOptionsId,
    'is-default': v.IsDefault ?? false,
    'owner-id': v.OwnerId,
    state: v.State,
  }),
  limits: { min: 5, max: 1000 },
});

const subnets = describe<Subnet>({
  op: 'DescribeSubnets',
  outputKey: 'Subnets',
  items: (s) => s.docs.Subnets,
  ids: {
    param: 'SubnetIds',
    of: (v) => v.SubnetId,
    prefix: 'subnet',
    malformed: 'InvalidSubnetID.Malformed',
    notFound: byId('subnet', 'InvalidSubnetID.NotFound'),
  },
  fields: (v) => ({
    'subnet-id': v.SubnetId,
    'vpc-id': v.VpcId,
    'cidr-block': v.CidrBlock,
    cidr: v.CidrBlock,
    cidrBlock: v.CidrBlock,
    'availability-zone': v.AvailabilityZone,
    'availability-zone-id': v.AvailabilityZoneId,
    'default-for-az': v.DefaultForAz ?? false,
    'map-public-ip-on-launch': v.MapPublicIpOnLaunch ?? false,
    'owner-id': v.OwnerId,
    state: v.State,
    'subnet-arn': v.SubnetArn,
    'ipv6-cidr-block-association.ipv6-cidr-block': v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
  }),
  limits: { min: 5, max: 1000 },
});

const routeTables = describe<RouteTable>({
  op: 'DescribeRouteTables',
  outputKey: 'RouteTables',
  items: (s) => s.docs.RouteTables,
  ids: {
    param: 'RouteTableIds',
    of: (v) => v.RouteTableId,
    prefix: 'rtb',
    malformed: 'InvalidRouteTableID.Malformed',
    notFound: byId('routeTable', 'InvalidRouteTableID.NotFound'),
  },
  fields: (t) => {
    const a = t.Associations ?? [];
    const r = t.Routes ?? [];
    return {
      'route-table-id': t.RouteTableId,
      'vpc-id': t.VpcId,
      'owner-id': t.OwnerId,
      'association.route-table-association-id': a.map((x) => x.RouteTableAssociationId),
      'association.route-table-id': a.map((x) => x.RouteTableId),
      'association.subnet-id': a.map((x) => x.SubnetId),
      'association.gateway-id': a.map((x) => x.GatewayId),
      'association.main': a.map((x) => x.Main ?? false),
      'route.destination-cidr-block': r.map((x) => x.DestinationCidrBlock),
      'route.destination-ipv6-cidr-block': r.map((x) => x.DestinationIpv6CidrBlock),
      'route.destination-prefix-list-id': r.map((x) => x.DestinationPrefixListId),
      'route.egress-only-internet-gateway-id': r.map((x) => x.EgressOnlyInternetGatewayId),
      'route.gateway-id': r.map((x) => x.GatewayId),
      'route.instance-id': r.map((x) => x.InstanceId),
      'route.nat-gateway-id': r.map((x) => x.NatGatewayId),
      'route.transit-gateway-id': r.map((x) => x.TransitGatewayId),
      'route.vpc-peering-connection-id': r.map((x) => x.VpcPeeringConnectionId),
      'route.origin': r.map((x) => x.Origin),
      'route.state': r.map((x) => x.State),
    };
  },
  limits: { min: 5, max: 100 },
});

const securityGroups = describe<SecurityGroupShell>({
  op: 'DescribeSecurityGroups',
  outputKey: 'SecurityGroups',
  items: (s) => s.docs.SecurityGroups,
  ids: {
    param: 'GroupIds',
    of: (v) => v.GroupId,
    prefix: 'sg',
    malformed: 'InvalidGroupId.Malformed',
    notFound: (m) => ['InvalidGroup.NotFound', `The security group '${m.join("', '")}' does not exist`],
  },
  fields: (g, s) => {
    const rules = s.rulesOf(g.GroupId);
    return {
      'group-id': g.GroupId,
      'group-name': g.GroupName,
      description: g.Description,
      'vpc-id': g.VpcId,
      'owner-id': g.OwnerId,
      ...permissionFields(
        rules.filter((r) => !r.IsEgress),
        'ip-permission',
      ),
      ...permissionFields(
        rules.filter((r) => r.IsEgress),
        'egress.ip-permission',
      ),
    };
  },
  limits: { min: 5, max: 1000 },
  render: (g, s) => s.securityGroup(g),
});

const securityGroupRules = describe<SecurityGroupRule>({
  op: 'DescribeSecurityGroupRules',
  outputKey: 'SecurityGroupRules',
  items: (s) => s.securityGroupRules,
  ids: {
    param: 'SecurityGroupRuleIds',
    of: (r) => r.SecurityGroupRuleId,
    prefix: 'sgr',
    malformed: 'InvalidSecurityGroupRuleId.Malformed',
    notFound: (m) => [
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${m.join(', ')}' does not exist`,
    ],
  },
  fields: (r) => ({ 'group-id': r.GroupId, 'security-group-rule-id': r.SecurityGroupRuleId }),
  limits: { min: 5, max: 1000 },
});

const networkAcls = describe<NetworkAcl>({
  op: 'DescribeNetworkAcls',
  outputKey: 'NetworkAcls',
  items: (s) => s.docs.NetworkAcls,
  ids: {
    param: 'NetworkAclIds',
    of: (v) => v.NetworkAclId,
    prefix: 'acl',
    malformed: 'InvalidNetworkAclID.Malformed',
    notFound: byId('network ACL', 'InvalidNetworkAclID.NotFound'),
  },
  fields: (n) => {
    const a = n.Associations ?? [];
    const e = n.Entries ?? [];
    return {
      'network-acl-id': n.NetworkAclId,
      'vpc-id': n.VpcId,
      default: n.IsDefault ?? false,
      'owner-id': n.OwnerId,
      'association.association-id': a.map((x) => x.NetworkAclAssociationId),
      'association.network-acl-id': a.map((x) => x.NetworkAclId),
      'association.subnet-id': a.map((x) => x.SubnetId),
      'entry.cidr': e.map((x) => x.CidrBlock),
      'entry.ipv6-cidr': e.map((x) => x.Ipv6CidrBlock),
      'entry.egress': e.map((x) => x.Egress ?? false),
      'entry.protocol': e.map((x) => x.Protocol),
      'entry.rule-action': e.map((x) => x.RuleAction),
      'entry.rule-number': e.map((x) => x.RuleNumber),
      'entry.icmp.code': e.map((x) => x.IcmpTypeCode?.Code),
      'entry.icmp.type': e.map((x) => x.IcmpTypeCode?.Type),
      'entry.port-range.from': e.map((x) => x.PortRange?.From),
      'entry.port-range.to': e.map((x) => x.PortRange?.To),
    };
  },
  limits: { min: 5, max: 100 },
});

const networkInterfaces = describe<NetworkInterface>({
  op: 'DescribeNetworkInterfaces',
  outputKey: 'NetworkInterfaces',
  items: (s) => s.docs.NetworkInterfaces,
  ids: {
    param: 'NetworkInterfaceIds',
    of: (v) => v.NetworkInterfaceId,
    prefix: 'eni',
    malformed: 'InvalidNetworkInterfaceID.Malformed',
    notFound: byId('networkInterface', 'InvalidNetworkInterfaceID.NotFound'),
  },
  tags: (n) => n.TagSet,
  fields: (n) => {
    const addrs = n.PrivateIpAddresses ?? [];
    return {
      'network-interface-id': n.NetworkInterfaceId,
      'subnet-id': n.SubnetId,
      'vpc-id': n.VpcId,
      'availability-zone': n.AvailabilityZone,
      description: n.Description,
      'interface-type': n.InterfaceType,
      'owner-id': n.OwnerId,
      'requester-id': n.RequesterId,
      'requester-managed': n.RequesterManaged ?? false,
      'source-dest-check': n.SourceDestCheck ?? true,
      status: n.Status,
      'mac-address': n.MacAddress,
      'private-dns-name': n.PrivateDnsName,
      'private-ip-address': addrs.map((a) => a.PrivateIpAddress).concat(n.PrivateIpAddress ? [n.PrivateIpAddress] : []),
      'addresses.private-ip-address': addrs.map((a) => a.PrivateIpAddress),
      'addresses.primary': addrs.map((a) => a.Primary ?? false),
      'addresses.association.public-ip': addrs.map((a) => a.Association?.PublicIp),
      'addresses.association.owner-id': addrs.map((a) => a.Association?.IpOwnerId),
      'association.public-ip': n.Association?.PublicIp,
      'association.allocation-id': n.Association?.AllocationId,
      'association.association-id': n.Association?.AssociationId,
      'association.ip-owner-id': n.Association?.IpOwnerId,
      'association.public-dns-name': n.Association?.PublicDnsName,
      'attachment.attachment-id': n.Attachment?.AttachmentId,
      'attachment.instance-id': n.Attachment?.InstanceId,
      'attachment.instance-owner-id': n.Attachment?.InstanceOwnerId,
      'attachment.device-index': n.Attachment?.DeviceIndex,
      'attachment.status': n.Attachment?.Status,
      'attachment.delete-on-termination': n.Attachment?.DeleteOnTermination,
      'group-id': (n.Groups ?? []).map((g) => g.GroupId),
      'group-name': (n.Groups ?? []).map((g) => g.GroupName),
      'ipv6-addresses.ipv6-address': (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
    };
  },
  limits: { min: 5, max: 1000 },
});

function instanceFields(i: Instance, r: Reservation): FieldValues {
  const enis = i.NetworkInterfaces ?? [];
  const addrs = enis.flatMap((e) => e.PrivateIpAddresses ?? []);
  return {
    'instance-id': i.InstanceId,
    'instance-state-name': i.State?.Name,
    'instance-state-code': i.State?.Code,
    'instance-type': i.InstanceType,
    'image-id': i.ImageId,
    'key-name': i.KeyName,
    'vpc-id': i.VpcId,
    'subnet-id': i.SubnetId,
    'availability-zone': i.Placement?.AvailabilityZone,
    platform: i.Platform,
    'platform-details': i.PlatformDetails,
    'private-ip-address': i.PrivateIpAddress,
    'ip-address': i.PublicIpAddress,
    'private-dns-name': i.PrivateDnsName,
    'dns-name': i.PublicDnsName,
    'owner-id': r.OwnerId,
    'reservation-id': r.ReservationId,
    'instance.group-id': (i.SecurityGroups ?? []).map((g) => g.GroupId),
    'instance.group-name': (i.SecurityGroups ?? []).map((g) => g.GroupName),
    'network-interface.network-interface-id': enis.map((e) => e.NetworkInterfaceId),
    'network-interface.subnet-id': enis.map((e) => e.SubnetId),
    'network-interface.vpc-id': enis.map((e) => e.VpcId),
    'network-interface.group-id': enis.flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId)),
    'network-interface.private-ip-address': enis.map((e) => e.PrivateIpAddress),
    'network-interface.source-dest-check': enis.map((e) => e.SourceDestCheck ?? true),
    'network-interface.status': enis.map((e) => e.Status),
    'network-interface.attachment.device-index': enis.map((e) => e.Attachment?.DeviceIndex),
    'network-interface.addresses.private-ip-address': addrs.map((a) => a.PrivateIpAddress),
    'network-interface.addresses.primary': addrs.map((a) => a.Primary ?? false),
    'network-interface.addresses.association.public-ip': addrs.map((a) => a.Association?.PublicIp),
    'network-interface.association.public-ip': enis.map((e) => e.Association?.PublicIp),
    'network-interface.association.allocation-id': enis.map(
      (e) => (e.Association as { AllocationId?: string } | undefined)?.AllocationId,
    ),
    'association.public-ip': enis.map((e) => e.Association?.PublicIp),
  };
}

/** DescribeInstances filters instances and returns them grouped in their reservations. */
const instances: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const pairs = s.docs.Reservations.flatMap((r) => (r.Instances ?? []).map((i) => ({ r, i })));
  const ids = input.InstanceIds as string[] | undefined;
  let selected = pairs;
  if (ids && ids.length > 0) {
    if (input.MaxResults !== undefined) {
      ctx.fail(
        'InvalidParameterCombination',
        'The parameter instancesSet cannot be used with the parameter maxResults',
      );
    }
    const bad = ids.find((id) => !id.startsWith('i-'));
    if (bad !== undefined) ctx.fail('InvalidInstanceID.Malformed', `Invalid id: "${bad}"`);
    const known = new Set(pairs.map((p) => p.i.InstanceId));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) ctx.fail('InvalidInstanceID.NotFound', notFoundMessage('instance', missing));
    selected = pairs.filter((p) => ids.includes(p.i.InstanceId ?? ''));
  }
  selected = selected.filter((p) => filterOrFail(ctx, instanceFields(p.i, p.r), p.i.Tags, input.Filters));
  const { page, nextToken } = paginate(selected, input, { min: 5, max: 1000 }, 'DescribeInstances', ctx);
  const reservations: Reservation[] = [];
  for (const { r, i } of page) {
    let out = reservations.find((x) => x.ReservationId === r.ReservationId);
    if (!out) {
      const { Instances: _all, ...rest } = r;
      out = { ...rest, Instances: [] };
      reservations.push(out);
    }
    out.Instances?.push(i);
  }
  return { Reservations: reviveDates(reservations), ...(nextToken ? { NextToken: nextToken } : {}) };
};

const internetGateways = describe<InternetGateway>({
  op: 'DescribeInternetGateways',
  outputKey: 'InternetGateways',
  items: (s) => s.docs.InternetGateways,
  ids: {
    param: 'InternetGatewayIds',
    of: (v) => v.InternetGatewayId,
    prefix: 'igw',
    malformed: 'InvalidInternetGatewayID.Malformed',
    notFound: byId('internetGateway', 'InvalidInternetGatewayID.NotFound'),
  },
  fields: (g) => ({
    'internet-gateway-id': g.InternetGatewayId,
    'owner-id': g.OwnerId,
    'attachment.vpc-id': (g.Attachments ?? []).map((a) => a.VpcId),
    'attachment.state': (g.Attachments ?? []).map((a) => a.State),
  }),
  limits: { min: 5, max: 1000 },
});

const egressOnlyInternetGateways = describe<Record<string, unknown>>({
  op: 'DescribeEgressOnlyInternetGateways',
  outputKey: 'EgressOnlyInternetGateways',
  items: (s) => s.docs.EgressOnlyInternetGateways,
  ids: {
    param: 'EgressOnlyInternetGatewayIds',
    of: (v) => v.EgressOnlyInternetGatewayId as string,
    notFound: byId('egressOnlyInternetGateway', 'InvalidGatewayID.NotFound'),
  },
  fields: (g) => ({ 'egress-only-internet-gateway-id': g.EgressOnlyInternetGatewayId }),
  tags: (g) => g.Tags as Tag[] | undefined,
  limits: { min: 5, max: 255 },
});

const natGateways = describe<NatGateway>({
  op: 'DescribeNatGateways',
  outputKey: 'NatGateways',
  items: (s) => s.docs.NatGateways,
  ids: {
    param: 'NatGatewayIds',
    of: (v) => v.NatGatewayId,
    notFound: (m) => ['NatGatewayNotFound', `The Nat Gateway ${m.join(', ')} was not found`],
  },
  filterParam: 'Filter',
  fields: (n) => ({ 'nat-gateway-id': n.NatGatewayId, state: n.State, 'subnet-id': n.SubnetId, 'vpc-id': n.VpcId }),
  limits: { min: 5, max: 1000 },
});

const peeringConnections = describe<VpcPeeringConnection>({
  op: 'DescribeVpcPeeringConnections',
  outputKey: 'VpcPeeringConnections',
  items: (s) => s.docs.VpcPeeringConnections,
  ids: {
    param: 'VpcPeeringConnectionIds',
    of: (v) => v.VpcPeeringConnectionId,
    prefix: 'pcx',
    malformed: 'InvalidVpcPeeringConnectionId.Malformed',
    notFound: byId('vpcPeeringConnection', 'InvalidVpcPeeringConnectionID.NotFound'),
  },
  fields: (p) => ({
    'vpc-peering-connection-id': p.VpcPeeringConnectionId,
    'status-code': p.Status?.Code,
    'status-message': p.Status?.Message,
    'expiration-time': p.ExpirationTime,
    'requester-vpc-info.vpc-id': p.RequesterVpcInfo?.VpcId,
    'requester-vpc-info.owner-id': p.RequesterVpcInfo?.OwnerId,
    'requester-vpc-info.cidr-block': p.RequesterVpcInfo?.CidrBlock,
    'accepter-vpc-info.vpc-id': p.AccepterVpcInfo?.VpcId,
    'accepter-vpc-info.owner-id': p.AccepterVpcInfo?.OwnerId,
    'accepter-vpc-info.cidr-block': p.AccepterVpcInfo?.CidrBlock,
  }),
  limits: { min: 5, max: 1000 },
});

/** DescribeAddresses takes PublicIps or AllocationIds, and does not paginate. */
const addresses: Handler = (input: Input, ctx: OpContext) => {
  const all = ctx.state.docs.Addresses;
  const ips = (input.PublicIps as string[] | undefined) ?? [];
  const allocs = (input.AllocationIds as string[] | undefined) ?? [];
  const missingIp = ips.find((ip) => !all.some((a) => a.PublicIp === ip));
  if (missingIp) ctx.fail('InvalidAddress.NotFound', `Address ${missingIp} not found.`);
  const missingAlloc = allocs.filter((id) => !all.some((a) => a.AllocationId === id));
  if (missingAlloc.length > 0) ctx.fail('InvalidAllocationID.NotFound', notFoundMessage('allocation', missingAlloc));
  const items = all.filter(
    (a) =>
      (ips.length === 0 || ips.includes(a.PublicIp ?? '')) &&
      (allocs.length === 0 || allocs.includes(a.AllocationId ?? '')) &&
      filterOrFail(ctx, addressFields(a), a.Tags, input.Filters),
  );
  return { Addresses: reviveDates(items) };
};

function addressFields(a: Address): FieldValues {
  return {
    'allocation-id': a.AllocationId,
    'association-id': a.AssociationId,
    domain: a.Domain,
    'instance-id': a.InstanceId,
    'network-interface-id': a.NetworkInterfaceId,
    'network-interface-owner-id': a.NetworkInterfaceOwnerId,
    'private-ip-address': a.PrivateIpAddress,
    'public-ip': a.PublicIp,
    'network-border-group': a.NetworkBorderGroup,
    'public-ipv4-pool': a.PublicIpv4Pool,
  };
}

const transitGateways = describe<TransitGateway>({
  op: 'DescribeTransitGateways',
  outputKey: 'TransitGateways',
  items: (s) => s.docs.TransitGateways,
  ids: {
    param: 'TransitGatewayIds',
    of: (v) => v.TransitGatewayId,
    notFound: byId('transitGateway', 'InvalidTransitGatewayID.NotFound'),
  },
  fields: (t) => ({
    'transit-gateway-id': t.TransitGatewayId,
    'owner-id': t.OwnerId,
    state: t.State,
    'options.association-default-route-table-id': t.Options?.AssociationDefaultRouteTableId,
    'options.propagation-default-route-table-id': t.Options?.PropagationDefaultRouteTableId,
    'options.default-route-table-association': t.Options?.DefaultRouteTableAssociation,
    'options.default-route-table-propagation': t.Options?.DefaultRouteTablePropagation,
    'options.amazon-side-asn': t.Options?.AmazonSideAsn,
  }),
  limits: { min: 5, max: 1000 },
});

const transitGatewayAttachments = describe<TransitGatewayAttachment>({
  op: 'DescribeTransitGatewayAttachments',
  outputKey: 'TransitGatewayAttachments',
  items: (s) => s.docs.TransitGatewayAttachments,
  ids: {
    param: 'TransitGatewayAttachmentIds',
    of: (v) => v.TransitGatewayAttachmentId,
    notFound: byId('transitGatewayAttachment', 'InvalidTransitGatewayAttachmentID.NotFound'),
  },
  fields: (a) => ({
    'transit-gateway-attachment-id': a.TransitGatewayAttachmentId,
    'transit-gateway-id': a.TransitGatewayId,
    'transit-gateway-owner-id': a.TransitGatewayOwnerId,
    'resource-id': a.ResourceId,
    'resource-owner-id': a.ResourceOwnerId,
    'resource-type': a.ResourceType,
    state: a.State,
    'association.transit-gateway-route-table-id': a.Association?.TransitGatewayRouteTableId,
    'association.state': a.Association?.State,
  }),
  limits: { min: 5, max: 1000 },
});

const transitGatewayVpcAttachments = describe<TransitGatewayVpcAttachment>({
  op: 'DescribeTransitGatewayVpcAttachments',
  outputKey: 'TransitGatewayVpcAttachments',
  items: (s) => s.docs.TransitGatewayVpcAttachments,
  ids: {
    param: 'TransitGatewayAttachmentIds',
    of: (v) => v.TransitGatewayAttachmentId,
    notFound: byId('transitGatewayAttachment', 'InvalidTransitGatewayAttachmentID.NotFound'),
  },
  fields: (a) => ({
    'transit-gateway-attachment-id': a.TransitGatewayAttachmentId,
    'transit-gateway-id': a.TransitGatewayId,
    'vpc-id': a.VpcId,
    'vpc-owner-id': a.VpcOwnerId,
    state: a.State,
  }),
  limits: { min: 5, max: 1000 },
});

const transitGatewayRouteTables = describe<TransitGatewayRouteTable>({
  op: 'DescribeTransitGatewayRouteTables',
  outputKey: 'TransitGatewayRouteTables',
  items: (s) => s.docs.TransitGatewayRouteTables,
  ids: {
    param: 'TransitGatewayRouteTableIds',
    of: (v) => v.TransitGatewayRouteTableId,
    notFound: byId('transitGatewayRouteTable', 'InvalidRouteTableID.NotFound'),
  },
  fields: (t) => ({
    'transit-gateway-route-table-id': t.TransitGatewayRouteTableId,
    'transit-gateway-id': t.TransitGatewayId,
    state: t.State,
    'default-association-route-table': t.DefaultAssociationRouteTable ?? false,
    'default-propagation-route-table': t.DefaultPropagationRouteTable ?? false,
  }),
  limits: { min: 5, max: 1000 },
});

/** Routes of a TGW route table: its static routes plus one propagated route per CIDR of each propagating VPC. */
export function transitGatewayRoutes(s: SandboxState, tableId: string): TransitGatewayRoute[] {
  const stat = s.docs.TransitGatewayStaticRoutes.find((x) => x.TransitGatewayRouteTableId === tableId)?.Routes ?? [];
  const routes: TransitGatewayRoute[] = structuredClone(stat).map((r) => ({ Type: 'static', ...r }));
  const props = s.docs.TransitGatewayPropagations.find((x) => x.TransitGatewayRouteTableId === tableId);
  for (const p of props?.TransitGatewayRouteTablePropagations ?? []) {
    if (p.State !== 'enabled' || p.ResourceType !== 'vpc') continue;
    const vpc = s.docs.Vpcs.find((v) => v.VpcId === p.ResourceId);
    const cidrs = vpc?.CidrBlockAssociationSet?.map((a) => a.CidrBlock) ?? (vpc?.CidrBlock ? [vpc.CidrBlock] : []);
    for (const cidr of cidrs) {
      if (!cidr || routes.some((r) => r.DestinationCidrBlock === cidr)) continue;
      routes.push({
        DestinationCidrBlock: cidr,
        TransitGatewayAttachments: [
          {
            ResourceId: p.ResourceId,
            TransitGatewayAttachmentId: p.TransitGatewayAttachmentId,
            ResourceType: p.ResourceType,
          },
        ],
        Type: 'propagated',
        State: 'active',
      });
    }
  }
  return routes;
}

/** SearchTransitGatewayRoutes: Filters are required; the route-search.* filters compare CIDRs. */
const searchTransitGatewayRoutes: Handler = (input: Input, ctx: OpContext) => {
  const tableId = input.TransitGatewayRouteTableId as string;
  if (!ctx.state.docs.TransitGatewayRouteTables.some((t) => t.TransitGatewayRouteTableId === tableId)) {
    ctx.fail('InvalidRouteTableID.NotFound', notFoundMessage('transitGatewayRouteTable', [tableId]));
  }
  const cidrFilters = new Map<string, string[]>();
  const plain: { Name?: string; Values?: string[] }[] = [];
  for (const f of (input.Filters ?? []) as { Name?: string; Values?: string[] }[]) {
    if (f.Name?.startsWith('route-search.')) cidrFilters.set(f.Name, f.Values ?? []);
    else plain.push(f);
  }
  let routes = transitGatewayRoutes(ctx.state, tableId).filter((r) => {
    const atts = r.TransitGatewayAttachments ?? [];
    return filterOrFail(
      ctx,
      {
        type: r.Type,
        state: r.State,
        'prefix-list-id': r.PrefixListId,
        'attachment.transit-gateway-attachment-id': atts.map((a) => a.TransitGatewayAttachmentId),
        'attachment.resource-id': atts.map((a) => a.ResourceId),
        'attachment.resource-type': atts.map((a) => a.ResourceType),
      },
      undefined,
      plain,
    );
  });
  for (const [name, values] of cidrFilters) {
    routes = routes.filter((r) => {
      const dest = r.DestinationCidrBlock;
      if (!dest || !parseCidr(dest)) return false;
      return values.some((v) => {
        if (name === 'route-search.exact-match') return v === dest;
        if (name === 'route-search.subnet-of-match') return cidrCovers(v, dest);
        if (name === 'route-search.supernet-of-match') return cidrCovers(dest, v);
        if (name === 'route-search.longest-prefix-match') return cidrContains(dest, v.split('/')[0] ?? v);
        return ctx.fail('InvalidParameterValue', `The filter '${name}' is invalid`);
      });
    });
    if (name === 'route-search.longest-prefix-match' && routes.length > 1) {
      const best = Math.max(...routes.map((r) => Number((r.DestinationCidrBlock ?? '/0').split('/')[1])));
      routes = routes.filter((r) => Number((r.DestinationCidrBlock ?? '/0').split('/')[1]) === best);
    }
  }
  const max = (input.MaxResults as number | undefined) ?? 1000;
  return { Routes: routes.slice(0, max), AdditionalRoutesAvailable: routes.length > max };
};

/** GetTransitGatewayRouteTablePropagations for one table. */
const transitGatewayPropagations: Handler = (input: Input, ctx: OpContext) => {
  const tableId = input.TransitGatewayRouteTableId as string;
  if (!ctx.state.docs.TransitGatewayRouteTables.some((t) => t.TransitGatewayRouteTableId === tableId)) {
    ctx.fail('InvalidRouteTableID.NotFound', notFoundMessage('transitGatewayRouteTable', [tableId]));
  }
  const all =
    ctx.state.docs.TransitGatewayPropagations.find((x) => x.TransitGatewayRouteTableId === tableId)
      ?.TransitGatewayRouteTablePropagations ?? [];
  const items = all.filter((p: TransitGatewayPropagation) =>
    filterOrFail(
      ctx,
      {
        'resource-id': p.ResourceId,
        'resource-type': p.ResourceType,
        'transit-gateway-attachment-id': p.TransitGatewayAttachmentId,
        state: p.State,
      },
      undefined,
      input.Filters,
    ),
  );
  const { page, nextToken } = paginate(
    items,
    input,
    { min: 5, max: 1000 },
    'GetTransitGatewayRouteTablePropagations',
    ctx,
  );
  return {
    TransitGatewayRouteTablePropagations: structuredClone(page),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
};

const vpcEndpoints = describe<VpcEndpoint>({
  op: 'DescribeVpcEndpoints',
  outputKey: 'VpcEndpoints',
  items: (s) => s.docs.VpcEndpoints,
  ids: {
    param: 'VpcEndpointIds',
    of: (v) => v.VpcEndpointId,
    notFound: (m) => ['InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${m.join(', ')}' does not exist`],
  },
  fields: (e) => ({
    'vpc-endpoint-id': e.VpcEndpointId,
    'vpc-id': e.VpcId,
    'service-name': e.ServiceName,
    'vpc-endpoint-state': e.State,
    'vpc-endpoint-type': e.VpcEndpointType,
    'ip-address-type': e.IpAddressType,
  }),
  limits: { min: 1, max: 1000 },
});

const managedPrefixLists = describe<ManagedPrefixList>({
  op: 'DescribeManagedPrefixLists',
  outputKey: 'PrefixLists',
  items: (s) => s.docs.ManagedPrefixLists,
  ids: {
    param: 'PrefixListIds',
    of: (v) => v.PrefixListId,
    prefix: 'pl',
    malformed: 'InvalidPrefixListId.Malformed',
    notFound: byId('prefix list', 'InvalidPrefixListID.NotFound'),
  },
  fields: (p) => ({ 'prefix-list-id': p.PrefixListId, 'prefix-list-name': p.PrefixListName, 'owner-id': p.OwnerId }),
  limits: { min: 1, max: 100 },
});

/** GetManagedPrefixListEntries: one list's CIDRs, paginated. */
const managedPrefixListEntries: Handler = (input: Input, ctx: OpContext) => {
  const id = input.PrefixListId as string;
  const known =
    ctx.state.docs.ManagedPrefixLists.some((p) => p.PrefixListId === id) || id in ctx.state.docs.PrefixListEntries;
  if (!known) ctx.fail('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`);
  const entries = ctx.state.docs.PrefixListEntries[id] ?? [];
  const { page, nextToken } = paginate(entries, input, { min: 1, max: 100 }, 'GetManagedPrefixListEntries', ctx);
  return { Entries: structuredClone(page), ...(nextToken ? { NextToken: nextToken } : {}) };
};

/** Every read operation, by command name (the SDK's `context.commandName` minus `Command`). */
export const describeHandlers: Record<string, Handler> = {
  DescribeVpcs: vpcs,
  DescribeSubnets: subnets,
  DescribeRouteTables: routeTables,
  DescribeSecurityGroups: securityGroups,
  DescribeSecurityGroupRules: securityGroupRules,
  DescribeNetworkAcls: networkAcls,
  DescribeNetworkInterfaces: networkInterfaces,
  DescribeInstances: instances,
  DescribeInternetGateways: internetGateways,
  DescribeEgressOnlyInternetGateways: egressOnlyInternetGateways,
  DescribeNatGateways: natGateways,
  DescribeVpcPeeringConnections: peeringConnections,
  DescribeAddresses: addresses,
  DescribeTransitGateways: transitGateways,
  DescribeTransitGatewayAttachments: transitGatewayAttachments,
  DescribeTransitGatewayVpcAttachments: transitGatewayVpcAttachments,
  DescribeTransitGatewayRouteTables: transitGatewayRouteTables,
  SearchTransitGatewayRoutes: searchTransitGatewayRoutes,
  GetTransitGatewayRouteTablePropagations: transitGatewayPropagations,
  DescribeVpcEndpoints: vpcEndpoints,
  DescribeManagedPrefixLists: managedPrefixLists,
  GetManagedPrefixListEntries: managedPrefixListEntries,
};
