/**
 * The snapshot's address ranges, indexed once per snapshot at its first query and kept in `snapshot.index.ranges`:
 * which VPC holds an address, which AWS service list holds it, the longest transit gateway route for it. Each is a
 * hash lookup per prefix length, so a question costs the same in an account of ten VPCs or ten thousand.
 */

import type {
  AddressRanges,
  PrefixList,
  Snapshot,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  VpcId,
} from '../model/index.js';
import { CidrIndex } from '../net/cidr-index.js';
import { parseCidr } from '../net/ip.js';

export function addressRanges(s: Snapshot): AddressRanges {
  if (s.index.ranges) return s.index.ranges;
  const vpcs = new CidrIndex<VpcId>();
  for (const v of s.vpcs.values()) for (const c of v.cidrs) vpcs.add(c, v.id);
  const awsServices = new CidrIndex<PrefixList>();
  for (const pl of s.prefixLists.values()) {
    if (!pl.name?.startsWith('com.amazonaws.')) continue;
    for (const c of s.index.prefixListCidrs.get(pl.id) ?? pl.cidrs) awsServices.add(c, pl);
  }
  s.index.ranges = { vpcs, awsServices, tgwRoutes: new Map() };
  return s.index.ranges;
}

/** Longest-prefix match in a transit gateway route table (static beats propagated on a tie, else the first listed). */
export function selectTgwRoute(s: Snapshot, rt: TransitGatewayRouteTable, dst: string): TransitGatewayRoute | null {
  const d = parseCidr(dst);
  if (!d) return null;
  const ranges = addressRanges(s);
  let routes = ranges.tgwRoutes.get(rt.id);
  if (!routes) {
    routes = new CidrIndex<TransitGatewayRoute>();
    for (const r of rt.routes) routes.add(r.cidr, r);
    ranges.tgwRoutes.set(rt.id, routes);
  }
  const longest = routes.covering(d)[0]?.values ?? [];
  return longest.find((r) => r.type === 'static') ?? longest[0] ?? null;
}
