/**
 * Route tables (DescribeRouteTables): routes with their wording, associations, the main flag. A route whose target
 * is not in the snapshot is warned about here; routes to an ENI or instance are checked once those exist
 * (references.ts).
 */
import type {
  EgressOnlyInternetGatewayId,
  InstanceId,
  InternetGatewayId,
  NatGatewayId,
  NetworkInterfaceId,
  PrefixList,
  PrefixListId,
  Route,
  RouteDestination,
  RouteTable,
  RouteTableId,
  RouteTarget,
  SubnetId,
  TransitGatewayId,
  Vpc,
  VpcEndpointId,
  VpcId,
  VpcPeeringConnectionId,
} from '../../model/index.js';
import { dedup, type Inputs, type Warn } from '../merge.js';
import type { RawRoute } from '../schema.js';
import { routeText } from '../text.js';
import { fitted, intern, origin, tagsOf, withName } from './shared.js';

function routeTarget(r: RawRoute): RouteTarget {
  if (r.NatGatewayId) return { kind: 'nat-gateway', id: r.NatGatewayId as NatGatewayId };
  if (r.VpcPeeringConnectionId)
    return { kind: 'peering-connection', id: r.VpcPeeringConnectionId as VpcPeeringConnectionId };
  if (r.TransitGatewayId) return { kind: 'transit-gateway', id: r.TransitGatewayId as TransitGatewayId };
  if (r.EgressOnlyInternetGatewayId)
    return { kind: 'egress-only-internet-gateway', id: r.EgressOnlyInternetGatewayId as EgressOnlyInternetGatewayId };
  // A route to an instance carries the instance's ENI as well; the ENI is where the packet goes.
  if (r.NetworkInterfaceId) return { kind: 'network-interface', id: r.NetworkInterfaceId as NetworkInterfaceId };
  if (r.InstanceId) return { kind: 'instance', id: r.InstanceId as InstanceId };
  const gw = r.GatewayId;
  if (gw) {
    if (gw === 'local') return { kind: 'local' };
    if (gw.startsWith('igw-')) return { kind: 'internet-gateway', id: gw as InternetGatewayId };
    if (gw.startsWith('vgw-')) return { kind: 'virtual-private-gateway', id: gw };
    // Gateway endpoints (S3, DynamoDB) appear as GatewayId vpce-… on prefix-list routes.
    if (gw.startsWith('vpce-')) return { kind: 'vpc-endpoint', id: gw as VpcEndpointId };
    return { kind: 'other', id: gw, field: 'GatewayId' };
  }
  if (r.CarrierGatewayId) return { kind: 'other', id: r.CarrierGatewayId, field: 'CarrierGatewayId' };
  if (r.LocalGatewayId) return { kind: 'other', id: r.LocalGatewayId, field: 'LocalGatewayId' };
  if (r.CoreNetworkArn) return { kind: 'other', id: r.CoreNetworkArn, field: 'CoreNetworkArn' };
  return { kind: 'other', id: '', field: 'none' };
}

/** The describe-* key that lists each kind of route target. */
const TARGET_KEYS: Partial<Record<RouteTarget['kind'], string>> = {
  'peering-connection': 'VpcPeeringConnections',
  'nat-gateway': 'NatGateways',
  'internet-gateway': 'InternetGateways',
  'egress-only-internet-gateway': 'EgressOnlyInternetGateways',
  'transit-gateway': 'TransitGateways',
  'vpc-endpoint': 'VpcEndpoints',
};

/** A route to an ENI or an instance, checked once ENIs and instances are built. */
export type LaterTargetCheck = { rtb: string; t: { kind: 'network-interface' | 'instance'; id: string } };

export interface RouteTableContext {
  prefixLists: ReadonlyMap<PrefixListId, PrefixList>;
  vpcs: ReadonlyMap<VpcId, Vpc>;
  /** Whether a route's target is in the snapshot (ENIs, instances, local, VGW and others say true). */
  knownTarget: (t: RouteTarget) => boolean;
  presentKeys: ReadonlySet<string>;
  warn: Warn;
}

export function routeTablesFrom(
  inp: Inputs,
  { prefixLists, vpcs, knownTarget, presentKeys, warn }: RouteTableContext,
): { routeTables: Map<RouteTableId, RouteTable>; routesToCheckLater: LaterTargetCheck[] } {
  const routeTables = new Map<RouteTableId, RouteTable>();
  const routesToCheckLater: LaterTargetCheck[] = [];
  for (const [id, { value: t, file }] of dedup(
    inp.RouteTables,
    (t) => t.RouteTableId,
    (t) => t.OwnerId,
  )) {
    const tags = tagsOf(t.Tags);
    const routes: Route[] = [];
    for (const r of t.Routes ?? []) {
      let destination: RouteDestination;
      if (r.DestinationCidrBlock) destination = { kind: 'cidr', cidr: r.DestinationCidrBlock };
      else if (r.DestinationIpv6CidrBlock) destination = { kind: 'cidr', cidr: r.DestinationIpv6CidrBlock };
      else if (r.DestinationPrefixListId)
        destination = { kind: 'prefix-list', id: r.DestinationPrefixListId as PrefixListId };
      else {
        warn('BAD_ROUTE', `route table ${id} has a route without a destination; ignored`, [id]);
        continue;
      }
      const target = routeTarget(r);
      const state: Route['state'] = r.State === 'blackhole' ? 'blackhole' : 'active';
      const route: Route = {
        destination,
        target,
        state,
        text: intern(
          routeText(
            destination,
            target,
            state,
            destination.kind === 'prefix-list' ? prefixLists.get(destination.id)?.name : undefined,
          ),
        ),
      };
      if (r.Origin) route.origin = r.Origin;
      routes.push(route);
      if (!knownTarget(target) && 'id' in target) {
        const key = TARGET_KEYS[target.kind];
        const why = key && !presentKeys.has(key) ? ` (the snapshot has no ${key})` : '';
        warn(
          'DANGLING_REFERENCE',
          `route table ${id}: route ${route.text} targets ${target.id}, which is not in the snapshot${why}`,
          [id, target.id],
        );
      } else if (target.kind === 'network-interface' || target.kind === 'instance')
        routesToCheckLater.push({ rtb: id, t: target });
      if (destination.kind === 'prefix-list' && !prefixLists.get(destination.id)?.cidrs.length) {
        warn(
          'DANGLING_REFERENCE',
          `route table ${id}: route ${route.text} uses prefix list ${destination.id}, whose CIDRs are not in the snapshot`,
          [id, destination.id],
        );
      }
    }
    const subnetIds: SubnetId[] = [];
    const gatewayIds: string[] = [];
    let isMain = false;
    for (const a of t.Associations ?? []) {
      const st = a.AssociationState?.State ?? 'associated';
      if (st !== 'associated' && st !== 'associating') continue;
      if (a.Main) isMain = true;
      if (a.SubnetId) subnetIds.push(a.SubnetId as SubnetId);
      if (a.GatewayId) gatewayIds.push(a.GatewayId);
    }
    const rt: RouteTable = {
      id: id as RouteTableId,
      vpcId: t.VpcId as VpcId,
      routes: fitted(routes),
      subnetIds: fitted(subnetIds),
      isMain,
      gatewayIds,
      tags,
    };
    routeTables.set(
      rt.id,
      origin(withName(rt, tags), t.OwnerId ?? file.accountId, file.region ?? vpcs.get(rt.vpcId)?.region),
    );
  }
  return { routeTables, routesToCheckLater };
}
