/** Route selection: the table in force for a subnet and the route that wins for a destination. */

import type { Route, RouteTable, Snapshot, SubnetId } from '../model/index.js';
import { type ParsedCidr, parseCidr, parsedCidrCovers } from '../net/ip.js';
import { prefixListMayCover } from './rules.js';

/** The route table in force: the subnet's explicit association, else the VPC's main table. */
export function routeTableFor(s: Snapshot, subnetId: SubnetId): RouteTable | null {
  const id = s.index.subnetRouteTable.get(subnetId);
  if (id) return s.routeTables.get(id) ?? null;
  const subnet = s.subnets.get(subnetId);
  const main = subnet ? s.index.vpcMainRouteTable.get(subnet.vpcId) : undefined;
  return main ? (s.routeTables.get(main) ?? null) : null;
}

/** Static routes beat prefix-list routes, which beat propagated ones (for the same prefix length). */
function rank(r: Route): number {
  if (r.origin === 'EnableVgwRoutePropagation') return 2;
  return r.destination.kind === 'prefix-list' ? 1 : 0;
}

/** A route that matched, with the CIDR it matched by (a prefix list's entry for prefix-list routes). */
export interface RouteMatch {
  route: Route;
  cidr: string;
}

/** A route of a table with the CIDR it is considered by, parsed, and its rank. */
interface Candidate extends RouteMatch {
  parsed: ParsedCidr;
  rank: number;
}

/**
 * What `selectRoute` weighs for a table, in order: each CIDR route, each entry of a prefix-list route, then the VPC's
 * implied `local` routes; and the prefix-list routes. Built at a table's first use, for the snapshot it belongs to.
 */
interface TableRoutes {
  s: Snapshot;
  candidates: Candidate[];
  prefixListRoutes: Route[];
}

const tables = new WeakMap<RouteTable, TableRoutes>();

function tableRoutes(s: Snapshot, rt: RouteTable): TableRoutes {
  const known = tables.get(rt);
  if (known?.s === s) return known;
  const candidates: Candidate[] = [];
  const prefixListRoutes: Route[] = [];
  const add = (route: Route, cidr: string) => {
    const parsed = parseCidr(cidr);
    if (parsed) candidates.push({ route, cidr, parsed, rank: rank(route) });
  };
  const localCidrs = new Set<string>();
  for (const route of rt.routes) {
    if (route.destination.kind === 'cidr') {
      add(route, route.destination.cidr);
      if (route.target.kind === 'local')
        localCidrs.add(parseCidr(route.destination.cidr)?.text ?? route.destination.cidr);
    } else {
      prefixListRoutes.push(route);
      const cidrs =
        s.index.prefixListCidrs.get(route.destination.id) ?? s.prefixLists.get(route.destination.id)?.cidrs ?? [];
      for (const c of cidrs) add(route, c);
    }
  }
  const vpc = s.vpcs.get(rt.vpcId);
  for (const cidr of [...(vpc?.cidrs ?? []), ...(vpc?.ipv6Cidrs ?? [])]) {
    const norm = parseCidr(cidr)?.text ?? cidr;
    if (!localCidrs.has(norm)) {
      add(
        { destination: { kind: 'cidr', cidr }, target: { kind: 'local' }, state: 'active', text: `${cidr} → local` },
        cidr,
      );
    }
  }
  const built = { s, candidates, prefixListRoutes };
  tables.set(rt, built);
  return built;
}

/**
 * Longest-prefix match of `dst` (an address as /32, or a range that must be covered whole) in a route table.
 * The VPC's `local` routes are implied for its CIDRs when the data leaves them out.
 */
export function selectRoute(s: Snapshot, rt: RouteTable, dst: string): RouteMatch | null {
  const d = parseCidr(dst);
  if (!d) return null;
  let best: Candidate | null = null;
  for (const c of tableRoutes(s, rt).candidates) {
    if (!parsedCidrCovers(c.parsed, d)) continue;
    if (!best || c.parsed.prefix > best.parsed.prefix || (c.parsed.prefix === best.parsed.prefix && c.rank < best.rank))
      best = c;
  }
  return best ? { route: best.route, cidr: best.cidr } : null;
}

/**
 * Prefix-list routes of `rt` whose entries the snapshot does not hold, and that may therefore cover `dst` (and, being
 * up to /32, win over the route `selectRoute` found). An AWS-managed service list (`com.amazonaws.<region>.<service>`,
 * the destination of gateway-endpoint routes) holds only AWS public ranges, so it never covers a private address.
 */
export function unresolvedPrefixListRoutes(s: Snapshot, rt: RouteTable, dst: string): Route[] {
  const routes = tableRoutes(s, rt).prefixListRoutes;
  if (routes.length === 0) return routes;
  return routes.filter((r) => r.destination.kind === 'prefix-list' && prefixListMayCover(s, r.destination.id, dst));
}
