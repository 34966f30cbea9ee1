/**
 * Route tables: DescribeRouteTables and the route writes (Create/Replace/DeleteRoute), with the state AWS shows a route
 * in (`blackhole` while its target is missing or inactive).
 */
import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { parseCidr } from '../../net/ip.js';
import type { Handler, Input, OpContext } from '../context.js';
import type { SandboxState } from '../state.js';
import { byId, describe } from './describe.js';
import { dryRunGate, eni, instance, isAttached, routeTable } from './write.js';

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

/** The operations this noun answers, by command name. */
export const routeTableHandlers = {
  DescribeRouteTables: routeTables,
  CreateRoute: createRoute,
  ReplaceRoute: replaceRoute,
  DeleteRoute: deleteRoute,
} satisfies Record<string, Handler>;
