/**
 * The EC2 writes whyping's fix executors send, and their inverses, changing the state as AWS would.
 * Every write honours DryRun: after the permission and existence checks, a DryRun request that would succeed throws
 * `DryRunOperation` (AWS checks permissions and the resources named, not conflicts such as a duplicate route).
 */
import type {
  Address,
  Instance,
  InstanceStateName,
  IpPermission,
  NetworkAclEntry,
  NetworkInterface,
  Route,
  RouteTable,
  SecurityGroupRule,
  Tag,
  TagSpecification,
  TransitGatewayAttachment,
  TransitGatewayPropagation,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  VpcPeeringConnection,
} from '@aws-sdk/client-ec2';
import { parseCidr } from '../net/ip.js';
import type { Handler, Input, OpContext } from './context.js';
import { reviveDates } from './dates.js';
import { normalizeProtocol, type SandboxState, type SecurityGroupShell } from './state.js';

function isAttached(state: string | undefined): boolean {
  return state === 'available' || state === 'attached';
}

/** Throws DryRunOperation when the request is a dry run (call after the checks AWS makes before it). */
function dryRunGate(input: Input, ctx: OpContext): void {
  if (input.DryRun === true) ctx.fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
}

function tagsFor(specs: TagSpecification[] | undefined, type: string): Tag[] {
  return (specs ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);
}

function routeTable(ctx: OpContext, id: string | undefined): RouteTable {
  const t = ctx.state.docs.RouteTables.find((r) => r.RouteTableId === id);
  if (!t) return ctx.fail('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
  return t;
}

function securityGroup(ctx: OpContext, id: string | undefined): SecurityGroupShell {
  const g = ctx.state.docs.SecurityGroups.find((x) => x.GroupId === id);
  if (!g) return ctx.fail('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return g;
}

function instance(ctx: OpContext, id: string | undefined): Instance {
  const i = ctx.state.instances().find((x) => x.InstanceId === id);
  if (!i) return ctx.fail('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  return i;
}

function eni(ctx: OpContext, id: string | undefined): NetworkInterface {
  const n = ctx.state.docs.NetworkInterfaces.find((x) => x.NetworkInterfaceId === id);
  if (!n) return ctx.fail('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
  return n;
}

/** The state a route has given its target's state (AWS shows routes to missing or inactive targets as blackhole). */
export function routeState(s: SandboxState, table: RouteTable, r: Route): 'active' | 'blackhole' {
  if (r.GatewayId === 'local') return 'active';
  if (r.GatewayId?.startsWith('igw-')) {
    const igw = s.docs.InternetGateways.find((g) => g.InternetGatewayId === r.GatewayId);
    const attached = igw?.Attachments?.some((a) => a.VpcId === table.VpcId && isAttached(a.State));
    return attached ? 'active' : 'blackhole';
  }
  if (r.NatGatewayId) {
    const nat = s.docs.NatGateways.find((n) => n.NatGatewayId === r.NatGatewayId);
    return nat?.State === 'available' ? 'active' : 'blackhole';
  }
  if (r.VpcPeeringConnectionId) {
    const pcx = s.docs.VpcPeeringConnections.find((p) => p.VpcPeeringConnectionId === r.VpcPeeringConnectionId);
    return pcx?.Status?.Code === 'active' ? 'active' : 'blackhole';
  }
  if (r.InstanceId) {
    const i = s.instances().find((x) => x.InstanceId === r.InstanceId);
    return i?.State?.Name === 'running' ? 'active' : 'blackhole';
  }
  if (r.NetworkInterfaceId) {
    const n = s.docs.NetworkInterfaces.find((x) => x.NetworkInterfaceId === r.NetworkInterfaceId);
    if (!n) return 'blackhole';
    const inst = n.Attachment?.InstanceId
      ? s.instances().find((x) => x.InstanceId === n.Attachment?.InstanceId)
      : undefined;
    return !inst || inst.State?.Name === 'running' ? 'active' : 'blackhole';
  }
  if (r.TransitGatewayId) {
    const tgw = s.docs.TransitGateways.find((t) => t.TransitGatewayId === r.TransitGatewayId);
    return !tgw || tgw.State === 'available' ? 'active' : 'blackhole';
  }
  return r.State === 'blackhole' ? 'blackhole' : 'active';
}

/** Recomputes the state of every route whose target is `targetId` (after that target changed). */
export function refreshRoutesTo(s: SandboxState, targetId: string): void {
  for (const t of s.docs.RouteTables) {
    for (const r of t.Routes ?? []) {
      const target =
        r.GatewayId ??
        r.NatGatewayId ??
        r.VpcPeeringConnectionId ??
        r.InstanceId ??
        r.NetworkInterfaceId ??
        r.TransitGatewayId;
      if (target === targetId) r.State = routeState(s, t, r);
    }
  }
}

const TARGET_KEYS = [
  'GatewayId',
  'NatGatewayId',
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'NetworkInterfaceId',
  'InstanceId',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
  'CarrierGatewayId',
  'LocalGatewayId',
  'CoreNetworkArn',
] as const;

function destinationOf(input: Input, ctx: OpContext): { key: string; value: string } {
  const dests = (['DestinationCidrBlock', 'DestinationIpv6CidrBlock', 'DestinationPrefixListId'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (dests.length !== 1) {
    ctx.fail(
      'InvalidParameterCombination',
      'The request must contain exactly one of: destinationCidrBlock, destinationIpv6CidrBlock, destinationPrefixListId',
    );
  }
  const key = dests[0] as string;
  const value = String(input[key]);
  if (key !== 'DestinationPrefixListId' && !parseCidr(value)) {
    ctx.fail(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${key[0]?.toLowerCase()}${key.slice(1)} is invalid. This is not a valid CIDR block.`,
    );
  }
  return { key, value };
}

/** Checks the route target exists and belongs with the table; returns the target fields of the route. */
function routeTarget(input: Input, table: RouteTable, ctx: OpContext): Partial<Route> {
  const given = TARGET_KEYS.filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    ctx.fail(
      'InvalidParameterCombination',
      'The request must contain exactly one of gatewayId, natGatewayId, vpcPeeringConnectionId, transitGatewayId, networkInterfaceId, instanceId, egressOnlyInternetGatewayId, vpcEndpointId',
    );
  }
  const key = given[0] as (typeof TARGET_KEYS)[number];
  const id = String(input[key]);
  const s = ctx.state;
  if (key === 'GatewayId' && id.startsWith('igw-')) {
    const igw = s.docs.InternetGateways.find((g) => g.InternetGatewayId === id);
    if (!igw) ctx.fail('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
    if (!igw.Attachments?.some((a) => a.VpcId === table.VpcId)) {
      ctx.fail(
        'InvalidParameterValue',
        `route table ${table.RouteTableId} and network gateway ${id} belong to different networks`,
      );
    }
  } else if (key === 'NatGatewayId') {
    const nat = s.docs.NatGateways.find((n) => n.NatGatewayId === id);
    if (!nat || nat.State === 'deleted') ctx.fail('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
  } else if (key === 'VpcPeeringConnectionId') {
    const pcx = s.docs.VpcPeeringConnections.find((p) => p.VpcPeeringConnectionId === id);
    if (!pcx || pcx.Status?.Code === 'deleted') {
      ctx.fail('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
    }
    if (pcx.RequesterVpcInfo?.VpcId !== table.VpcId && pcx.AccepterVpcInfo?.VpcId !== table.VpcId) {
      ctx.fail(
        'InvalidParameterValue',
        `route table ${table.RouteTableId} and peering connection ${id} belong to different networks`,
      );
    }
  } else if (key === 'InstanceId') {
    instance(ctx, id);
  } else if (key === 'NetworkInterfaceId') {
    eni(ctx, id);
  } else if (key === 'TransitGatewayId') {
    if (!s.docs.TransitGateways.some((t) => t.TransitGatewayId === id)) {
      ctx.fail('InvalidTransitGatewayID.NotFound', `Transit Gateway ${id} was deleted or does not exist.`);
    }
  }
  const target: Partial<Route> = { [key]: id };
  // AWS reports the instance's primary ENI (and owner) on routes created with InstanceId.
  if (key === 'InstanceId') {
    const i = s.instances().find((x) => x.InstanceId === id);
    const primary = i?.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0)?.NetworkInterfaceId;
    Object.assign(target, { InstanceOwnerId: s.accountId, ...(primary ? { NetworkInterfaceId: primary } : {}) });
  }
  return target;
}

function findRoute(table: RouteTable, dest: { key: string; value: string }): Route | undefined {
  return (table.Routes ?? []).find((r) => (r as Record<string, unknown>)[dest.key] === dest.value);
}

const createRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = routeTable(ctx, input.RouteTableId);
  const dest = destinationOf(input, ctx);
  const target = routeTarget(input, table, ctx);
  dryRunGate(input, ctx);
  if (findRoute(table, dest)) ctx.fail('RouteAlreadyExists', `The route identified by ${dest.value} already exists.`);
  const route: Route = { [dest.key]: dest.value, ...target, Origin: 'CreateRoute', State: 'active' };
  route.State = routeState(ctx.state, table, route);
  table.Routes = [...(table.Routes ?? []), route];
  return { Return: true };
};

const replaceRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = routeTable(ctx, input.RouteTableId);
  const dest = destinationOf(input, ctx);
  const target = routeTarget(input, table, ctx);
  dryRunGate(input, ctx);
  const existing = findRoute(table, dest);
  if (!existing) {
    return ctx.fail(
      'InvalidParameterValue',
      `There is no route defined for '${dest.value}' in the route table. Use CreateRoute instead.`,
    );
  }
  if (existing.GatewayId === 'local') {
    ctx.fail('InvalidParameterValue', `cannot replace local route ${dest.value} in route table ${table.RouteTableId}`);
  }
  for (const k of [...TARGET_KEYS, 'InstanceOwnerId'] as const) delete (existing as Record<string, unknown>)[k];
  Object.assign(existing, target, { Origin: 'CreateRoute' });
  existing.State = routeState(ctx.state, table, existing);
  return {};
};

const deleteRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = routeTable(ctx, input.RouteTableId);
  const dest = destinationOf(input, ctx);
  dryRunGate(input, ctx);
  const existing = findRoute(table, dest);
  if (!existing) {
    const field =
      dest.key === 'DestinationCidrBlock'
        ? 'destination-cidr-block'
        : dest.key === 'DestinationIpv6CidrBlock'
          ? 'destination-ipv6-cidr-block'
          : 'destination-prefix-list-id';
    return ctx.fail(
      'InvalidRoute.NotFound',
      `no route with ${field} ${dest.value} in route table ${table.RouteTableId}`,
    );
  }
  if (existing.GatewayId === 'local') {
    ctx.fail('InvalidParameterValue', `cannot remove local route ${dest.value} in route table ${table.RouteTableId}`);
  }
  table.Routes = (table.Routes ?? []).filter((r) => r !== existing);
  return {};
};

// ---- security groups ----

/** The permissions of an Authorize/Revoke request: IpPermissions, or the flat CidrIp/IpProtocol/FromPort/ToPort form. */
function permissionsOf(input: Input): IpPermission[] {
  if (Array.isArray(input.IpPermissions) && input.IpPermissions.length > 0)
    return input.IpPermissions as IpPermission[];
  if (input.IpProtocol !== undefined || input.CidrIp !== undefined) {
    return [
      {
        IpProtocol: input.IpProtocol ?? '-1',
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        ...(input.CidrIp ? { IpRanges: [{ CidrIp: input.CidrIp }] } : {}),
      },
    ];
  }
  return [];
}

function validatePermission(p: IpPermission, ownVpc: string | undefined, ctx: OpContext): void {
  const proto = normalizeProtocol(p.IpProtocol ?? '');
  if (proto === '') ctx.fail('MissingParameter', 'The request must contain the parameter ipProtocol');
  if ((proto === 'tcp' || proto === 'udp') && (p.FromPort === undefined || p.ToPort === undefined)) {
    ctx.fail(
      'InvalidParameterValue',
      `Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.`,
    );
  }
  if (
    (proto === 'tcp' || proto === 'udp') &&
    ((p.FromPort ?? 0) > (p.ToPort ?? 0) || (p.FromPort ?? 0) < 0 || (p.ToPort ?? 0) > 65535)
  ) {
    ctx.fail('InvalidParameterValue', `Invalid TCP/UDP port range: ${p.FromPort}-${p.ToPort}`);
  }
  if (proto === 'icmp' && p.FromPort === -1 && p.ToPort !== -1) {
    ctx.fail('InvalidParameterValue', `Invalid value '${p.ToPort}' for icmp code. Code must be -1 when type is -1.`);
  }
  for (const r of p.IpRanges ?? []) {
    if (!r.CidrIp || !parseCidr(r.CidrIp) || r.CidrIp.includes(':')) {
      ctx.fail('InvalidParameterValue', `CIDR block ${r.CidrIp} is malformed`);
    }
  }
  for (const r of p.Ipv6Ranges ?? []) {
    if (!r.CidrIpv6 || !parseCidr(r.CidrIpv6))
      ctx.fail('InvalidParameterValue', `CIDR block ${r.CidrIpv6} is malformed`);
  }
  for (const g of p.UserIdGroupPairs ?? []) {
    const peer = ctx.state.docs.SecurityGroups.find((x) => x.GroupId === g.GroupId);
    const foreignAccount = g.UserId !== undefined && g.UserId !== ctx.state.accountId;
    if (g.GroupId && !peer && !foreignAccount) {
      ctx.fail('InvalidGroup.NotFound', `The security group '${g.GroupId}' does not exist`);
    }
    // A group of another VPC can be referenced only across an active peering between the two VPCs.
    if (peer?.VpcId && ownVpc && peer.VpcId !== ownVpc && !activePeering(ctx.state, peer.VpcId, ownVpc)) {
      ctx.fail('InvalidGroup.NotFound', `The security group '${g.GroupId}' does not exist in VPC '${ownVpc}'`);
    }
  }
  for (const pl of p.PrefixListIds ?? []) {
    if (!ctx.state.docs.ManagedPrefixLists.some((x) => x.PrefixListId === pl.PrefixListId)) {
      ctx.fail('InvalidPrefixListId.NotFound', `The prefix list ID '${pl.PrefixListId}' does not exist`);
    }
  }
}

function activePeering(s: SandboxState, a: string, b: string): boolean {
  return s.docs.VpcPeeringConnections.some(
    (p) =>
      p.Status?.Code === 'active' &&
      ((p.RequesterVpcInfo?.VpcId === a && p.AccepterVpcInfo?.VpcId === b) ||
        (p.RequesterVpcInfo?.VpcId === b && p.AccepterVpcInfo?.VpcId === a)),
  );
}

/** Two rules are the same rule when direction, protocol, ports and peer agree (descriptions do not count). */
function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  return (
    a.GroupId === b.GroupId &&
    a.IsEgress === b.IsEgress &&
    a.IpProtocol === b.IpProtocol &&
    a.FromPort === b.FromPort &&
    a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.CidrIpv6 === b.CidrIpv6 &&
    a.PrefixListId === b.PrefixListId &&
    a.ReferencedGroupInfo?.GroupId === b.ReferencedGroupInfo?.GroupId
  );
}

/** AWS's wording of a rule in InvalidPermission.Duplicate: `peer: 10.1.0.0/16, ICMP, type: 8, code: -1, ALLOW`. */
function ruleWords(r: SecurityGroupRule): string {
  const peer = r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId ?? '?';
  const p = r.IpProtocol ?? '-1';
  if (p === '-1') return `peer: ${peer}, ALL, ALLOW`;
  if (p === 'icmp' || p === 'icmpv6')
    return `peer: ${peer}, ${p.toUpperCase()}, type: ${r.FromPort}, code: ${r.ToPort}, ALLOW`;
  if (p === 'tcp' || p === 'udp')
    return `peer: ${peer}, ${p.toUpperCase()}, from port: ${r.FromPort}, to port: ${r.ToPort}, ALLOW`;
  return `peer: ${peer}, ${p}, ALLOW`;
}

function authorize(egress: boolean): Handler {
  return (input: Input, ctx: OpContext) => {
    const sg = securityGroup(ctx, input.GroupId);
    const perms = permissionsOf(input);
    if (perms.length === 0) ctx.fail('MissingParameter', 'The request must contain the parameter ipPermissions');
    for (const p of perms) validatePermission(p, sg.VpcId, ctx);
    dryRunGate(input, ctx);
    const added: SecurityGroupRule[] = [];
    const tags = tagsFor(input.TagSpecifications, 'security-group-rule');
    for (const p of perms) {
      for (const rule of ctx.state.rulesFromPermission(sg, p, egress)) {
        const dup = [...ctx.state.securityGroupRules, ...added].find((r) => sameRule(r, rule));
        if (dup) ctx.fail('InvalidPermission.Duplicate', `the specified rule "${ruleWords(rule)}" already exists`);
        added.push({ ...rule, Tags: structuredClone(tags) });
      }
    }
    ctx.state.securityGroupRules = [...ctx.state.securityGroupRules, ...added];
    return { Return: true, SecurityGroupRules: structuredClone(added) };
  };
}

function revoke(egress: boolean): Handler {
  return (input: Input, ctx: OpContext) => {
    const sg = securityGroup(ctx, input.GroupId);
    const s = ctx.state;
    const ruleIds = (input.SecurityGroupRuleIds as string[] | undefined) ?? [];
    const perms = permissionsOf(input);
    for (const id of ruleIds) {
      if (
        !s.securityGroupRules.some(
          (r) => r.SecurityGroupRuleId === id && r.GroupId === sg.GroupId && r.IsEgress === egress,
        )
      ) {
        ctx.fail('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      }
    }
    dryRunGate(input, ctx);
    const doomed = s.securityGroupRules.filter((r) => ruleIds.includes(r.SecurityGroupRuleId ?? ''));
    const unknown: IpPermission[] = [];
    for (const p of perms) {
      for (const wanted of s.rulesFromPermission(sg, p, egress)) {
        const hit = s.securityGroupRules.find((r) => sameRule(r, wanted));
        if (hit) doomed.push(hit);
        else unknown.push(p);
      }
    }
    const vpc = s.docs.Vpcs.find((v) => v.VpcId === sg.VpcId);
    // A non-default VPC refuses the whole request when one rule is unknown; a default VPC reports it instead.
    if (unknown.length > 0 && !vpc?.IsDefault) {
      ctx.fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
    s.securityGroupRules = s.securityGroupRules.filter((r) => !doomed.includes(r));
    return {
      Return: true,
      ...(unknown.length > 0 ? { UnknownIpPermissions: unknown } : {}),
      RevokedSecurityGroupRules: doomed.map((r) => ({
        SecurityGroupRuleId: r.SecurityGroupRuleId,
        GroupId: r.GroupId,
        IsEgress: r.IsEgress,
        IpProtocol: r.IpProtocol,
        FromPort: r.FromPort,
        ToPort: r.ToPort,
        ...(r.CidrIpv4 ? { CidrIpv4: r.CidrIpv4 } : {}),
        ...(r.CidrIpv6 ? { CidrIpv6: r.CidrIpv6 } : {}),
        ...(r.PrefixListId ? { PrefixListId: r.PrefixListId } : {}),
        ...(r.ReferencedGroupInfo?.GroupId ? { ReferencedSecurityGroupId: r.ReferencedGroupInfo.GroupId } : {}),
        ...(r.Description ? { Description: r.Description } : {}),
      })),
    };
  };
}

// ---- Elastic IPs ----

const allocateAddress: Handler = (input: Input, ctx: OpContext) => {
  dryRunGate(input, ctx);
  const s = ctx.state;
  const taken = new Set<string>(s.docs.Addresses.map((a) => a.PublicIp ?? ''));
  for (const n of s.docs.NetworkInterfaces) if (n.Association?.PublicIp) taken.add(n.Association.PublicIp);
  const address: Address = {
    AllocationId: s.ids.id('eipalloc'),
    PublicIp: s.ids.publicIp(taken),
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: s.region,
    Tags: tagsFor(input.TagSpecifications, 'elastic-ip'),
  };
  s.docs.Addresses.push(address);
  return {
    AllocationId: address.AllocationId,
    PublicIp: address.PublicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: s.region,
  };
};

function publicDnsName(ip: string, region: string): string {
  const host = `ec2-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.compute-1.amazonaws.com` : `${host}.${region}.compute.amazonaws.com`;
}

/** The instance's copy of an ENI (DescribeInstances embeds each ENI). */
function instanceEni(s: SandboxState, eniId: string) {
  for (const i of s.instances()) {
    const n = i.NetworkInterfaces?.find((x) => x.NetworkInterfaceId === eniId);
    if (n) return { instance: i, eni: n };
  }
  return undefined;
}

/** Sets (or clears, with `assoc` undefined) the public IP of an ENI's private address everywhere AWS shows it. */
function setEniPublicIp(
  s: SandboxState,
  eniId: string,
  privateIp: string,
  assoc: { PublicIp: string; AllocationId?: string; AssociationId?: string; IpOwnerId: string } | undefined,
): void {
  const n = s.docs.NetworkInterfaces.find((x) => x.NetworkInterfaceId === eniId);
  const view = assoc ? { ...assoc, PublicDnsName: publicDnsName(assoc.PublicIp, s.region) } : undefined;
  const apply = (target: {
    Association?: unknown;
    PrivateIpAddress?: string;
    PrivateIpAddresses?: { PrivateIpAddress?: string; Association?: unknown }[];
  }) => {
    const addr = target.PrivateIpAddresses?.find((a) => a.PrivateIpAddress === privateIp);
    if (addr) {
      if (view) addr.Association = { ...view };
      else delete addr.Association;
    }
    if (target.PrivateIpAddress === privateIp) {
      if (view) target.Association = { ...view };
      else delete target.Association;
    }
  };
  if (n) apply(n as never);
  const copy = instanceEni(s, eniId);
  if (copy) {
    const instView = view
      ? { PublicIp: view.PublicIp, PublicDnsName: view.PublicDnsName, IpOwnerId: view.IpOwnerId }
      : undefined;
    const addr = copy.eni.PrivateIpAddresses?.find((a) => a.PrivateIpAddress === privateIp);
    if (addr) {
      if (instView) addr.Association = { ...instView };
      else delete addr.Association;
    }
    if (copy.eni.PrivateIpAddress === privateIp) {
      if (instView) copy.eni.Association = { ...instView };
      else delete copy.eni.Association;
    }
    if (copy.eni.Attachment?.DeviceIndex === 0 && copy.instance.PrivateIpAddress === privateIp) {
      if (view) {
        copy.instance.PublicIpAddress = view.PublicIp;
        copy.instance.PublicDnsName = view.PublicDnsName;
      } else {
        delete copy.instance.PublicIpAddress;
        copy.instance.PublicDnsName = '';
      }
    }
  }
}

function vpcHasAttachedIgw(s: SandboxState, vpcId: string | undefined): boolean {
  return s.docs.InternetGateways.some((g) => g.Attachments?.some((a) => a.VpcId === vpcId && isAttached(a.State)));
}

const associateAddress: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const address = input.AllocationId
    ? s.docs.Addresses.find((a) => a.AllocationId === input.AllocationId)
    : s.docs.Addresses.find((a) => a.PublicIp === input.PublicIp);
  if (!address) {
    if (input.AllocationId)
      ctx.fail('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`);
    return ctx.fail('InvalidAddress.NotFound', `Address ${input.PublicIp} not found.`);
  }
  let target: NetworkInterface;
  let instanceId: string | undefined;
  if (input.NetworkInterfaceId) {
    target = eni(ctx, input.NetworkInterfaceId);
    instanceId = target.Attachment?.InstanceId;
  } else if (input.InstanceId) {
    const inst = instance(ctx, input.InstanceId);
    const primary = inst.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
    const found = s.docs.NetworkInterfaces.find((n) => n.NetworkInterfaceId === primary?.NetworkInterfaceId);
    if (!found) return ctx.fail('InvalidInstanceID', `The instance '${inst.InstanceId}' has no network interface`);
    target = found;
    instanceId = inst.InstanceId;
  } else {
    return ctx.fail('MissingParameter', 'Either instance ID or network interface ID must be specified');
  }
  const privateIp = (input.PrivateIpAddress as string | undefined) ?? target.PrivateIpAddress ?? '';
  if (!target.PrivateIpAddresses?.some((a) => a.PrivateIpAddress === privateIp)) {
    ctx.fail(
      'InvalidParameterValue',
      `The private IP address ${privateIp} is not assigned to network interface ${target.NetworkInterfaceId}`,
    );
  }
  if (!vpcHasAttachedIgw(s, target.VpcId)) {
    ctx.fail('Gateway.NotAttached', `Network ${target.VpcId} is not attached to any internet gateway`);
  }
  dryRunGate(input, ctx);
  if (address.AssociationId && input.AllowReassociation !== true) {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `resource ${address.AllocationId} is already associated with associate-id ${address.AssociationId}`,
    );
  }
  if (address.AssociationId && address.NetworkInterfaceId && address.PrivateIpAddress) {
    setEniPublicIp(s, address.NetworkInterfaceId, address.PrivateIpAddress, undefined);
  }
  // An Elastic IP replaces whatever public IP the address had (an auto-assigned one is released; another EIP is unmapped).
  for (const other of s.docs.Addresses) {
    if (
      other !== address &&
      other.NetworkInterfaceId === target.NetworkInterfaceId &&
      other.PrivateIpAddress === privateIp
    ) {
      for (const k of [
        'AssociationId',
        'InstanceId',
        'NetworkInterfaceId',
        'NetworkInterfaceOwnerId',
        'PrivateIpAddress',
      ] as const)
        delete other[k];
    }
  }
  const associationId = s.ids.id('eipassoc');
  Object.assign(address, {
    AssociationId: associationId,
    NetworkInterfaceId: target.NetworkInterfaceId,
    NetworkInterfaceOwnerId: s.accountId,
    PrivateIpAddress: privateIp,
    ...(instanceId ? { InstanceId: instanceId } : {}),
  });
  if (!instanceId) delete address.InstanceId;
  setEniPublicIp(s, target.NetworkInterfaceId ?? '', privateIp, {
    PublicIp: address.PublicIp ?? '',
    AllocationId: address.AllocationId,
    AssociationId: associationId,
    IpOwnerId: s.accountId,
  });
  return { AssociationId: associationId };
};

const disassociateAddress: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const address = input.AssociationId
    ? s.docs.Addresses.find((a) => a.AssociationId === input.AssociationId)
    : s.docs.Addresses.find((a) => a.PublicIp === input.PublicIp && a.AssociationId);
  if (!address) {
    if (input.AssociationId)
      ctx.fail('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
    return ctx.fail('InvalidAddress.NotFound', `Address ${input.PublicIp} not found.`);
  }
  dryRunGate(input, ctx);
  if (address.NetworkInterfaceId && address.PrivateIpAddress) {
    setEniPublicIp(s, address.NetworkInterfaceId, address.PrivateIpAddress, undefined);
  }
  for (const k of [
    'AssociationId',
    'InstanceId',
    'NetworkInterfaceId',
    'NetworkInterfaceOwnerId',
    'PrivateIpAddress',
  ] as const)
    delete address[k];
  return {};
};

const releaseAddress: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const address = input.AllocationId
    ? s.docs.Addresses.find((a) => a.AllocationId === input.AllocationId)
    : s.docs.Addresses.find((a) => a.PublicIp === input.PublicIp);
  if (!address) {
    if (input.AllocationId)
      ctx.fail('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`);
    return ctx.fail('InvalidAddress.NotFound', `Address ${input.PublicIp} not found.`);
  }
  dryRunGate(input, ctx);
  if (address.AssociationId) ctx.fail('InvalidIPAddress.InUse', 'Address is in use.');
  s.docs.Addresses = s.docs.Addresses.filter((a) => a !== address);
  return {};
};

// ---- peering ----

const acceptPeering: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const id = input.VpcPeeringConnectionId as string;
  const pcx = s.docs.VpcPeeringConnections.find((p) => p.VpcPeeringConnectionId === id);
  if (!pcx)
    return ctx.fail('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
  const accepterOwner = pcx.AccepterVpcInfo?.OwnerId;
  if (accepterOwner && accepterOwner !== s.accountId) {
    ctx.fail('OperationNotPermitted', `User ${s.accountId} cannot accept peering ${id}`);
  }
  dryRunGate(input, ctx);
  const from = pcx.Status?.Code ?? 'unknown';
  if (from !== 'pending-acceptance') {
    ctx.fail(
      'InvalidStateTransition',
      `Invalid state transition for ${id}, attempted to transition from ${from} to provisioning`,
    );
  }
  // AWS goes pending-acceptance → provisioning → active within seconds; the sandbox lands on active at once.
  pcx.Status = { Code: 'active', Message: 'Active' };
  delete pcx.ExpirationTime;
  // CIDR information is only returned while a peering is active.
  for (const side of [pcx.RequesterVpcInfo, pcx.AccepterVpcInfo]) {
    if (!side) continue;
    const vpc = s.docs.Vpcs.find((v) => v.VpcId === side.VpcId);
    if (!vpc) continue;
    side.CidrBlock = vpc.CidrBlock;
    side.CidrBlockSet = (vpc.CidrBlockAssociationSet ?? [{ CidrBlock: vpc.CidrBlock }]).map((a) => ({
      CidrBlock: a.CidrBlock,
    }));
    side.PeeringOptions = {
      AllowDnsResolutionFromRemoteVpc: false,
      AllowEgressFromLocalClassicLinkToRemoteVpc: false,
      AllowEgressFromLocalVpcToRemoteClassicLink: false,
    };
    side.Region ??= s.region;
  }
  refreshRoutesTo(s, id);
  // The answer shows the state AWS reports at that moment (provisioning); the next read already sees active.
  return { VpcPeeringConnection: reviveDates({ ...pcx, Status: { Code: 'provisioning', Message: 'Provisioning' } }) };
};

const createPeering: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const vpcOf = (id: unknown) => {
    const v = s.docs.Vpcs.find((x) => x.VpcId === id);
    if (!v) return ctx.fail('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    return v;
  };
  const requester = vpcOf(input.VpcId);
  const peerOwner = (input.PeerOwnerId as string | undefined) ?? s.accountId;
  const peerRegion = (input.PeerRegion as string | undefined) ?? s.region;
  // Another account's or region's VPC is not in this account's state: only the id is known.
  const accepter = peerOwner === s.accountId && peerRegion === s.region ? vpcOf(input.PeerVpcId) : undefined;
  dryRunGate(input, ctx);
  const cidrs = (v: typeof requester) => ({
    CidrBlock: v.CidrBlock,
    CidrBlockSet: (v.CidrBlockAssociationSet ?? [{ CidrBlock: v.CidrBlock }]).map((a) => ({ CidrBlock: a.CidrBlock })),
  });
  const pcx: VpcPeeringConnection = {
    VpcPeeringConnectionId: s.ids.id('pcx'),
    RequesterVpcInfo: { OwnerId: s.accountId, VpcId: requester.VpcId, Region: s.region, ...cidrs(requester) },
    AccepterVpcInfo: { OwnerId: peerOwner, VpcId: accepter?.VpcId ?? (input.PeerVpcId as string), Region: peerRegion },
    Status: { Code: 'pending-acceptance', Message: `Pending Acceptance by ${peerOwner}` },
    Tags: tagsFor(input.TagSpecifications, 'vpc-peering-connection'),
  };
  s.docs.VpcPeeringConnections.push(pcx);
  // AWS answers `initiating-request`; the request is pending acceptance a moment later (at once, here).
  return {
    VpcPeeringConnection: structuredClone({
      ...pcx,
      Status: { Code: 'initiating-request', Message: 'Initiating Request' },
    }),
  };
};

const deletePeering: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const id = input.VpcPeeringConnectionId as string;
  const pcx = s.docs.VpcPeeringConnections.find((p) => p.VpcPeeringConnectionId === id);
  if (!pcx || pcx.Status?.Code === 'deleted')
    return ctx.fail('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
  dryRunGate(input, ctx);
  pcx.Status = { Code: 'deleted', Message: `Deleted by ${s.accountId}` };
  refreshRoutesTo(s, id);
  return { Return: true };
};

// ---- transit gateways ----

function tgwRouteTable(ctx: OpContext, id: unknown): TransitGatewayRouteTable {
  const t = ctx.state.docs.TransitGatewayRouteTables.find((x) => x.TransitGatewayRouteTableId === id);
  if (!t)
    return ctx.fail('InvalidRouteTableID.NotFound', `Transit Gateway Route Table ${id} was deleted or does not exist.`);
  return t;
}

/** The attachment, which must belong to the table's transit gateway. */
function tgwAttachment(ctx: OpContext, id: unknown, table: TransitGatewayRouteTable): TransitGatewayAttachment {
  const a = ctx.state.docs.TransitGatewayAttachments.find((x) => x.TransitGatewayAttachmentId === id);
  if (!a || a.State === 'deleted') {
    return ctx.fail(
      'InvalidTransitGatewayAttachmentID.NotFound',
      `Transit Gateway Attachment ${id} was deleted or does not exist.`,
    );
  }
  if (a.TransitGatewayId !== table.TransitGatewayId) {
    ctx.fail(
      'InvalidParameterValue',
      `Transit Gateway Attachment ${id} and Transit Gateway Route Table ${table.TransitGatewayRouteTableId} belong to different transit gateways.`,
    );
  }
  return a;
}

function associationOut(table: TransitGatewayRouteTable, a: TransitGatewayAttachment, state: string) {
  return {
    Association: {
      TransitGatewayRouteTableId: table.TransitGatewayRouteTableId,
      TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
      ResourceId: a.ResourceId,
      ResourceType: a.ResourceType,
      State: state,
    },
  };
}

const associateTgwRouteTable: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  if (a.Association && a.Association.State !== 'disassociated') {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} is already associated to a route table.`,
    );
  }
  dryRunGate(input, ctx);
  // AWS answers `associating` and is associated within seconds; the sandbox lands on associated at once.
  a.Association = { TransitGatewayRouteTableId: table.TransitGatewayRouteTableId, State: 'associated' };
  return associationOut(table, a, 'associating');
};

const disassociateTgwRouteTable: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  if (a.Association?.TransitGatewayRouteTableId !== table.TransitGatewayRouteTableId) {
    ctx.fail(
      'InvalidAssociation.NotFound',
      `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} is not associated with ${table.TransitGatewayRouteTableId}.`,
    );
  }
  dryRunGate(input, ctx);
  delete a.Association;
  return associationOut(table, a, 'disassociating');
};

function propagationsOf(ctx: OpContext, table: TransitGatewayRouteTable): TransitGatewayPropagation[] {
  const id = table.TransitGatewayRouteTableId as string;
  let entry = ctx.state.docs.TransitGatewayPropagations.find((x) => x.TransitGatewayRouteTableId === id);
  if (!entry) {
    entry = { TransitGatewayRouteTableId: id, TransitGatewayRouteTablePropagations: [] };
    ctx.state.docs.TransitGatewayPropagations.push(entry);
  }
  return entry.TransitGatewayRouteTablePropagations;
}

function propagationOut(a: TransitGatewayAttachment, table: TransitGatewayRouteTable, state: string) {
  return {
    Propagation: {
      TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
      ResourceId: a.ResourceId,
      ResourceType: a.ResourceType,
      TransitGatewayRouteTableId: table.TransitGatewayRouteTableId,
      State: state,
    },
  };
}

const enableTgwPropagation: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  const list = propagationsOf(ctx, table);
  if (list.some((p) => p.TransitGatewayAttachmentId === a.TransitGatewayAttachmentId && p.State === 'enabled')) {
    ctx.fail(
      'TransitGatewayRouteTablePropagation.Duplicate',
      `Propagation of ${a.TransitGatewayAttachmentId} into ${table.TransitGatewayRouteTableId} is already enabled.`,
    );
  }
  dryRunGate(input, ctx);
  list.push({
    TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
    ResourceId: a.ResourceId,
    ResourceType: a.ResourceType,
    State: 'enabled',
  });
  return propagationOut(a, table, 'enabling');
};

const disableTgwPropagation: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  const list = propagationsOf(ctx, table);
  const i = list.findIndex((p) => p.TransitGatewayAttachmentId === a.TransitGatewayAttachmentId);
  if (i < 0) {
    ctx.fail(
      'TransitGatewayRouteTablePropagation.NotFound',
      `${a.TransitGatewayAttachmentId} does not propagate into ${table.TransitGatewayRouteTableId}.`,
    );
  }
  dryRunGate(input, ctx);
  list.splice(i, 1);
  return propagationOut(a, table, 'disabling');
};

function staticRoutesOf(ctx: OpContext, table: TransitGatewayRouteTable): TransitGatewayRoute[] {
  const id = table.TransitGatewayRouteTableId as string;
  let entry = ctx.state.docs.TransitGatewayStaticRoutes.find((x) => x.TransitGatewayRouteTableId === id);
  if (!entry) {
    entry = { TransitGatewayRouteTableId: id, Routes: [] };
    ctx.state.docs.TransitGatewayStaticRoutes.push(entry);
  }
  return entry.Routes;
}

const createTgwRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const cidr = String(input.DestinationCidrBlock);
  if (!parseCidr(cidr)) ctx.fail('InvalidParameterValue', `${cidr} is not a valid CIDR block.`);
  const blackhole = input.Blackhole === true;
  const a = blackhole ? null : tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  const routes = staticRoutesOf(ctx, table);
  if (routes.some((r) => r.DestinationCidrBlock === cidr && (r.Type ?? 'static') === 'static')) {
    ctx.fail(
      'RouteAlreadyExists',
      `Route ${cidr} already exists in Transit Gateway Route Table ${table.TransitGatewayRouteTableId}.`,
    );
  }
  dryRunGate(input, ctx);
  const route: TransitGatewayRoute = {
    DestinationCidrBlock: cidr,
    TransitGatewayAttachments: a
      ? [
          {
            TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
            ResourceId: a.ResourceId,
            ResourceType: a.ResourceType,
          },
        ]
      : [],
    Type: 'static',
    State: blackhole ? 'blackhole' : 'active',
  };
  routes.push(route);
  return { Route: structuredClone(route) };
};

const deleteTgwRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const cidr = String(input.DestinationCidrBlock);
  const routes = staticRoutesOf(ctx, table);
  const i = routes.findIndex((r) => r.DestinationCidrBlock === cidr && (r.Type ?? 'static') === 'static');
  if (i < 0) {
    ctx.fail(
      'InvalidRoute.NotFound',
      `No route with destination-cidr-block ${cidr} in Transit Gateway Route Table ${table.TransitGatewayRouteTableId}`,
    );
  }
  dryRunGate(input, ctx);
  const [gone] = routes.splice(i, 1);
  return { Route: { ...gone, State: 'deleted' } };
};

// ---- network ACLs ----

const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', icmp: '1', tcp: '6', udp: '17', icmpv6: '58' };

function aclEntryInput(input: Input, ctx: OpContext): NetworkAclEntry {
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  if (!acl) ctx.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.NetworkAclId}' does not exist`);
  const n = input.RuleNumber as number;
  if (!Number.isInteger(n) || n < 1 || n > 32766) {
    ctx.fail('InvalidParameterValue', `Value (${n}) for parameter ruleNumber is invalid. Must be between 1 and 32766.`);
  }
  const proto = String(input.Protocol ?? '');
  const protocol = PROTOCOL_NUMBERS[proto.toLowerCase()] ?? proto;
  if (!/^-?\d+$/.test(protocol)) ctx.fail('InvalidParameterValue', `Invalid value '${proto}' for protocol.`);
  if ((protocol === '6' || protocol === '17') && !input.PortRange) {
    ctx.fail('MissingParameter', 'The request must contain the parameter portRange');
  }
  if (protocol === '1' && !input.IcmpTypeCode)
    ctx.fail('MissingParameter', 'The request must contain the parameter icmpTypeCode');
  const action = String(input.RuleAction ?? '').toLowerCase();
  if (action !== 'allow' && action !== 'deny')
    ctx.fail('InvalidParameterValue', `Invalid value '${input.RuleAction}' for ruleAction.`);
  if (!input.CidrBlock && !input.Ipv6CidrBlock)
    ctx.fail('MissingParameter', 'Either cidrBlock or ipv6CidrBlock must be specified');
  const cidr = (input.CidrBlock ?? input.Ipv6CidrBlock) as string;
  if (!parseCidr(cidr))
    ctx.fail(
      'InvalidParameterValue',
      `Value (${cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
    );
  return {
    ...(input.CidrBlock ? { CidrBlock: input.CidrBlock } : { Ipv6CidrBlock: input.Ipv6CidrBlock }),
    Egress: input.Egress === true,
    ...(protocol === '1' || protocol === '58'
      ? { IcmpTypeCode: { Code: input.IcmpTypeCode?.Code, Type: input.IcmpTypeCode?.Type } }
      : {}),
    ...(protocol === '6' || protocol === '17'
      ? { PortRange: { From: input.PortRange?.From, To: input.PortRange?.To } }
      : {}),
    Protocol: protocol,
    RuleAction: action,
    RuleNumber: n,
  };
}

/** AWS lists egress entries first, each direction by rule number. */
function sortEntries(entries: NetworkAclEntry[]): NetworkAclEntry[] {
  return entries.sort((a, b) => Number(b.Egress) - Number(a.Egress) || (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
}

const createAclEntry: Handler = (input: Input, ctx: OpContext) => {
  const entry = aclEntryInput(input, ctx);
  dryRunGate(input, ctx);
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  if (!acl)
    return ctx.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.NetworkAclId}' does not exist`);
  if ((acl.Entries ?? []).some((e) => e.RuleNumber === entry.RuleNumber && e.Egress === entry.Egress)) {
    ctx.fail('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.RuleNumber} already exists.`);
  }
  acl.Entries = sortEntries([...(acl.Entries ?? []), entry]);
  return {};
};

const replaceAclEntry: Handler = (input: Input, ctx: OpContext) => {
  const entry = aclEntryInput(input, ctx);
  dryRunGate(input, ctx);
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  const at = acl?.Entries?.findIndex((e) => e.RuleNumber === entry.RuleNumber && e.Egress === entry.Egress) ?? -1;
  if (!acl || at < 0)
    return ctx.fail(
      'InvalidNetworkAclEntry.NotFound',
      `The network acl entry identified by ${entry.RuleNumber} does not exist.`,
    );
  (acl.Entries as NetworkAclEntry[])[at] = entry;
  return {};
};

const deleteAclEntry: Handler = (input: Input, ctx: OpContext) => {
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  if (!acl)
    return ctx.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.NetworkAclId}' does not exist`);
  dryRunGate(input, ctx);
  const egress = input.Egress === true;
  const n = input.RuleNumber as number;
  if (n === 32767) ctx.fail('InvalidParameterValue', 'The default network acl entry cannot be deleted.');
  if (!(acl.Entries ?? []).some((e) => e.RuleNumber === n && e.Egress === egress)) {
    ctx.fail('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${n} does not exist.`);
  }
  acl.Entries = (acl.Entries ?? []).filter((e) => !(e.RuleNumber === n && e.Egress === egress));
  return {};
};

// ---- internet gateways ----

const createIgw: Handler = (input: Input, ctx: OpContext) => {
  dryRunGate(input, ctx);
  const s = ctx.state;
  const igw = {
    Attachments: [],
    InternetGatewayId: s.ids.id('igw'),
    OwnerId: s.accountId,
    Tags: tagsFor(input.TagSpecifications, 'internet-gateway'),
  };
  s.docs.InternetGateways.push(igw);
  return { InternetGateway: structuredClone(igw) };
};

function igwAndVpc(input: Input, ctx: OpContext) {
  const igw = ctx.state.docs.InternetGateways.find((g) => g.InternetGatewayId === input.InternetGatewayId);
  if (!igw)
    return ctx.fail(
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${input.InternetGatewayId}' does not exist`,
    );
  const vpc = ctx.state.docs.Vpcs.find((v) => v.VpcId === input.VpcId);
  if (!vpc) return ctx.fail('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
  return { igw, vpc };
}

const attachIgw: Handler = (input: Input, ctx: OpContext) => {
  const { igw, vpc } = igwAndVpc(input, ctx);
  dryRunGate(input, ctx);
  const s = ctx.state;
  if ((igw.Attachments ?? []).length > 0) {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `resource ${igw.InternetGatewayId} is already attached to network ${igw.Attachments?.[0]?.VpcId}`,
    );
  }
  const other = s.docs.InternetGateways.find((g) => g.Attachments?.some((a) => a.VpcId === vpc.VpcId));
  if (other) {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `resource ${vpc.VpcId} is already attached to network ${other.InternetGatewayId}`,
    );
  }
  // describe-internet-gateways shows attached gateways as `available` (not the `attached` of the SDK enum).
  igw.Attachments = [{ State: 'available' as never, VpcId: vpc.VpcId }];
  refreshRoutesTo(s, igw.InternetGatewayId ?? '');
  return {};
};

const detachIgw: Handler = (input: Input, ctx: OpContext) => {
  const { igw, vpc } = igwAndVpc(input, ctx);
  dryRunGate(input, ctx);
  const s = ctx.state;
  if (!igw.Attachments?.some((a) => a.VpcId === vpc.VpcId)) {
    ctx.fail('Gateway.NotAttached', `resource ${igw.InternetGatewayId} is not attached to network ${vpc.VpcId}`);
  }
  const mapped = s.docs.NetworkInterfaces.some((n) => n.VpcId === vpc.VpcId && n.Association?.PublicIp);
  if (mapped) {
    ctx.fail(
      'DependencyViolation',
      `Network ${vpc.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
  }
  igw.Attachments = [];
  refreshRoutesTo(s, igw.InternetGatewayId ?? '');
  return {};
};

const deleteIgw: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const igw = s.docs.InternetGateways.find((g) => g.InternetGatewayId === input.InternetGatewayId);
  if (!igw)
    return ctx.fail(
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${input.InternetGatewayId}' does not exist`,
    );
  dryRunGate(input, ctx);
  if ((igw.Attachments ?? []).length > 0) {
    ctx.fail(
      'DependencyViolation',
      `The internetGateway '${igw.InternetGatewayId}' has dependencies and cannot be deleted.`,
    );
  }
  s.docs.InternetGateways = s.docs.InternetGateways.filter((g) => g !== igw);
  return {};
};

// ---- instances ----

const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
const stateOf = (name: string) => ({ Code: STATE_CODES[name] ?? 0, Name: name as InstanceStateName });

function startStop(start: boolean): Handler {
  return (input: Input, ctx: OpContext) => {
    const s = ctx.state;
    const ids = (input.InstanceIds as string[] | undefined) ?? [];
    const list = ids.map((id) => instance(ctx, id));
    dryRunGate(input, ctx);
    const changes = [];
    for (const i of list) {
      const before = i.State?.Name ?? 'pending';
      if (before === 'terminated' || before === 'shutting-down') {
        ctx.fail(
          'IncorrectInstanceState',
          `The instance '${i.InstanceId}' is not in a state from which it can be ${start ? 'started' : 'stopped'}.`,
        );
      }
      if (start && before !== 'running') {
        // AWS reports `pending` and reaches `running` shortly after; the sandbox is there by the next call.
        changes.push({ InstanceId: i.InstanceId, PreviousState: stateOf(before), CurrentState: stateOf('pending') });
        i.State = stateOf('running');
        if (s.releasedPublicIp.has(i.InstanceId ?? '')) {
          s.releasedPublicIp.delete(i.InstanceId ?? '');
          const primary = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
          if (primary?.NetworkInterfaceId && i.PrivateIpAddress && !primary.Association?.PublicIp) {
            const taken = new Set(s.docs.Addresses.map((a) => a.PublicIp ?? ''));
            setEniPublicIp(s, primary.NetworkInterfaceId, i.PrivateIpAddress, {
              PublicIp: s.ids.publicIp(taken),
              IpOwnerId: 'amazon',
            });
          }
        }
      } else if (!start && before !== 'stopped') {
        changes.push({ InstanceId: i.InstanceId, PreviousState: stateOf(before), CurrentState: stateOf('stopping') });
        i.State = stateOf('stopped');
        // A stopped instance keeps its Elastic IPs but loses an auto-assigned public IPv4.
        for (const n of i.NetworkInterfaces ?? []) {
          for (const a of n.PrivateIpAddresses ?? []) {
            const isEip = s.docs.Addresses.some((x) => x.PublicIp === a.Association?.PublicIp);
            if (a.Association?.PublicIp && !isEip && n.NetworkInterfaceId && a.PrivateIpAddress) {
              s.releasedPublicIp.add(i.InstanceId ?? '');
              setEniPublicIp(s, n.NetworkInterfaceId, a.PrivateIpAddress, undefined);
            }
          }
        }
      } else {
        changes.push({ InstanceId: i.InstanceId, PreviousState: stateOf(before), CurrentState: stateOf(before) });
      }
      refreshRoutesTo(s, i.InstanceId ?? '');
      for (const n of i.NetworkInterfaces ?? []) refreshRoutesTo(s, n.NetworkInterfaceId ?? '');
    }
    return { [start ? 'StartingInstances' : 'StoppingInstances']: changes };
  };
}

// ---- ENI attributes, tags ----

const modifyEniAttribute: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const n = eni(ctx, input.NetworkInterfaceId);
  const groups = input.Groups as string[] | undefined;
  for (const g of groups ?? []) securityGroup(ctx, g);
  dryRunGate(input, ctx);
  const copy = instanceEni(s, n.NetworkInterfaceId ?? '');
  const targets: { SourceDestCheck?: boolean; Groups?: unknown; Description?: string }[] = [
    n,
    ...(copy ? [copy.eni] : []),
  ];
  if (input.SourceDestCheck?.Value !== undefined) {
    for (const t of targets) t.SourceDestCheck = input.SourceDestCheck.Value;
    if (copy && copy.eni.Attachment?.DeviceIndex === 0) copy.instance.SourceDestCheck = input.SourceDestCheck.Value;
  }
  if (groups) {
    const resolved = groups.map((id) => {
      const g = s.docs.SecurityGroups.find((x) => x.GroupId === id);
      return { GroupId: id, GroupName: g?.GroupName };
    });
    for (const t of targets) t.Groups = structuredClone(resolved);
    if (copy && copy.eni.Attachment?.DeviceIndex === 0) copy.instance.SecurityGroups = structuredClone(resolved);
  }
  if (input.Description?.Value !== undefined) for (const t of targets) t.Description = input.Description.Value;
  return {};
};

/** Finds the object a tag write names, with the NotFound error AWS gives for its kind. */
function taggable(s: SandboxState, id: string): { Tags?: Tag[]; TagSet?: Tag[] } | { notFound: [string, string] } {
  const d = s.docs;
  const lookups: [string, () => { Tags?: Tag[]; TagSet?: Tag[] } | undefined, string, string][] = [
    ['vpc-', () => d.Vpcs.find((x) => x.VpcId === id), 'InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`],
    [
      'subnet-',
      () => d.Subnets.find((x) => x.SubnetId === id),
      'InvalidSubnetID.NotFound',
      `The subnet ID '${id}' does not exist`,
    ],
    [
      'rtb-',
      () => d.RouteTables.find((x) => x.RouteTableId === id),
      'InvalidRouteTableID.NotFound',
      `The routeTable ID '${id}' does not exist`,
    ],
    [
      'sgr-',
      () => s.securityGroupRules.find((x) => x.SecurityGroupRuleId === id),
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${id}' does not exist`,
    ],
    [
      'sg-',
      () => d.SecurityGroups.find((x) => x.GroupId === id),
      'InvalidGroup.NotFound',
      `The security group '${id}' does not exist`,
    ],
    [
      'acl-',
      () => d.NetworkAcls.find((x) => x.NetworkAclId === id),
      'InvalidNetworkAclID.NotFound',
      `The network ACL ID '${id}' does not exist`,
    ],
    [
      'eni-',
      () => d.NetworkInterfaces.find((x) => x.NetworkInterfaceId === id),
      'InvalidNetworkInterfaceID.NotFound',
      `The networkInterface ID '${id}' does not exist`,
    ],
    [
      'i-',
      () => s.instances().find((x) => x.InstanceId === id),
      'InvalidInstanceID.NotFound',
      `The instance ID '${id}' does not exist`,
    ],
    [
      'igw-',
      () => d.InternetGateways.find((x) => x.InternetGatewayId === id),
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${id}' does not exist`,
    ],
    [
      'nat-',
      () => d.NatGateways.find((x) => x.NatGatewayId === id),
      'NatGatewayNotFound',
      `The Nat Gateway ${id} was not found`,
    ],
    [
      'pcx-',
      () => d.VpcPeeringConnections.find((x) => x.VpcPeeringConnectionId === id),
      'InvalidVpcPeeringConnectionID.NotFound',
      `The vpcPeeringConnection ID '${id}' does not exist`,
    ],
    [
      'eipalloc-',
      () => d.Addresses.find((x) => x.AllocationId === id),
      'InvalidAllocationID.NotFound',
      `The allocation ID '${id}' does not exist`,
    ],
    [
      'tgw-attach-',
      () => d.TransitGatewayAttachments.find((x) => x.TransitGatewayAttachmentId === id),
      'InvalidTransitGatewayAttachmentID.NotFound',
      `The transitGatewayAttachment ID '${id}' does not exist`,
    ],
    [
      'tgw-rtb-',
      () => d.TransitGatewayRouteTables.find((x) => x.TransitGatewayRouteTableId === id),
      'InvalidRouteTableID.NotFound',
      `The transitGatewayRouteTable ID '${id}' does not exist`,
    ],
    [
      'tgw-',
      () => d.TransitGateways.find((x) => x.TransitGatewayId === id),
      'InvalidTransitGatewayID.NotFound',
      `Transit Gateway ${id} was deleted or does not exist.`,
    ],
    [
      'vpce-',
      () => d.VpcEndpoints.find((x) => x.VpcEndpointId === id),
      'InvalidVpcEndpointId.NotFound',
      `The Vpc Endpoint Id '${id}' does not exist`,
    ],
  ];
  for (const [prefix, find, code, message] of lookups) {
    if (id.startsWith(prefix)) return find() ?? { notFound: [code, message] };
  }
  return { notFound: ['InvalidID', `The ID '${id}' is not valid`] };
}

function tagTargets(input: Input, ctx: OpContext) {
  const resources = (input.Resources as string[] | undefined) ?? [];
  return resources.map((id) => {
    const t = taggable(ctx.state, id);
    if ('notFound' in t) return ctx.fail(...t.notFound);
    return { id, t };
  });
}

function tagList(obj: { Tags?: Tag[]; TagSet?: Tag[] }, id: string): Tag[] {
  if (id.startsWith('eni-')) {
    obj.TagSet ??= [];
    return obj.TagSet;
  }
  obj.Tags ??= [];
  return obj.Tags;
}

const createTags: Handler = (input: Input, ctx: OpContext) => {
  const targets = tagTargets(input, ctx);
  dryRunGate(input, ctx);
  for (const { id, t } of targets) {
    const list = tagList(t, id);
    for (const tag of (input.Tags as Tag[] | undefined) ?? []) {
      const at = list.findIndex((x) => x.Key === tag.Key);
      if (at >= 0) list[at] = { Key: tag.Key, Value: tag.Value ?? '' };
      else list.push({ Key: tag.Key, Value: tag.Value ?? '' });
    }
    // DescribeInstances embeds ENIs; keep the instance's copy of a tagged ENI in step is not needed (AWS omits ENI tags there).
  }
  return {};
};

const deleteTags: Handler = (input: Input, ctx: OpContext) => {
  const targets = tagTargets(input, ctx);
  dryRunGate(input, ctx);
  const doomed = (input.Tags as Tag[] | undefined) ?? [];
  for (const { id, t } of targets) {
    const list = tagList(t, id);
    const keep = list.filter(
      (x) => !doomed.some((d) => d.Key === x.Key && (d.Value === undefined || d.Value === x.Value)),
    );
    list.splice(0, list.length, ...keep);
  }
  return {};
};

/** Every write the sandbox answers, by command name. */
export const writeHandlers: Record<string, Handler> = {
  CreateRoute: createRoute,
  ReplaceRoute: replaceRoute,
  DeleteRoute: deleteRoute,
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
  AllocateAddress: allocateAddress,
  AssociateAddress: associateAddress,
  DisassociateAddress: disassociateAddress,
  ReleaseAddress: releaseAddress,
  AcceptVpcPeeringConnection: acceptPeering,
  CreateVpcPeeringConnection: createPeering,
  DeleteVpcPeeringConnection: deletePeering,
  CreateNetworkAclEntry: createAclEntry,
  ReplaceNetworkAclEntry: replaceAclEntry,
  DeleteNetworkAclEntry: deleteAclEntry,
  CreateInternetGateway: createIgw,
  AttachInternetGateway: attachIgw,
  DetachInternetGateway: detachIgw,
  DeleteInternetGateway: deleteIgw,
  StartInstances: startStop(true),
  StopInstances: startStop(false),
  ModifyNetworkInterfaceAttribute: modifyEniAttribute,
  AssociateTransitGatewayRouteTable: associateTgwRouteTable,
  DisassociateTransitGatewayRouteTable: disassociateTgwRouteTable,
  EnableTransitGatewayRouteTablePropagation: enableTgwPropagation,
  DisableTransitGatewayRouteTablePropagation: disableTgwPropagation,
  CreateTransitGatewayRoute: createTgwRoute,
  DeleteTransitGatewayRoute: deleteTgwRoute,
  CreateTags: createTags,
  DeleteTags: deleteTags,
};
