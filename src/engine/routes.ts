/** Route selection: the table in force for a subnet and the route that wins for a destination. */

import type { Route, RouteTable, Snapshot, SubnetId } from '../model/index.js';
import { holdsPublicAddress, type ParsedCidr, parseCidr, parsedCidrCovers, splitByLongestPrefix } from '../net/ip.js';
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
  /** `routesForRange` answers, per range asked (the internet is one range, asked on many paths). */
  ranges: Map<string, RangeRoute[] | null>;
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
  const built = { s, candidates, prefixListRoutes, ranges: new Map() };
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
    if (!best || beats(c, best)) best = c;
  }
  return best ? { route: best.route, cidr: best.cidr } : null;
}

/** AWS's route priority: the longer prefix, then static over prefix-list over propagated. */
function beats(a: Candidate, b: Candidate): boolean {
  return a.parsed.prefix > b.parsed.prefix || (a.parsed.prefix === b.parsed.prefix && a.rank < b.rank);
}

/**
 * Every route of `rt` covering `dst` whole, in the order AWS prefers them (the first is `selectRoute`'s answer): what
 * the winner shadows, in case it cannot deliver.
 */
export function coveringRoutes(s: Snapshot, rt: RouteTable, dst: string): RouteMatch[] {
  const d = parseCidr(dst);
  if (!d) return [];
  const found = tableRoutes(s, rt).candidates.filter((c) => parsedCidrCovers(c.parsed, d));
  found.sort((a, b) => (beats(a, b) ? -1 : beats(b, a) ? 1 : 0));
  return found.map((c) => ({ route: c.route, cidr: c.cidr }));
}

/** A part of a range of internet hosts and the route that wins for every address of it (null: no route covers it). */
export interface RangeRoute {
  cidr: string;
  match: RouteMatch | null;
}

/**
 * How `rt` routes the internet hosts of an IPv4 range (`0.0.0.0/0` for "the internet"): the range split into the
 * largest blocks in which one route wins for every address, longest prefix first as for a single address. Only the
 * parts that hold a public address are returned, and only routes that can carry one take part: the VPC's `local`
 * routes and routes to private space (a peer VPC's 10.2.0.0/16) route no internet host. So `0.0.0.0/1 → igw` and
 * `128.0.0.0/1 → igw` answer two parts, each with its route, and a table with only `0.0.0.0/1 → igw` answers
 * `128.0.0.0/1` with no route. Null for an IPv6 range.
 */
export function routesForRange(s: Snapshot, rt: RouteTable, range: string): RangeRoute[] | null {
  const table = tableRoutes(s, rt);
  const known = table.ranges.get(range);
  if (known !== undefined) return known;
  const cands = table.candidates.filter(
    (c) => c.parsed.family === 4 && c.route.target.kind !== 'local' && holdsPublicAddress(c.parsed.text),
  );
  const pieces = splitByLongestPrefix(
    range,
    cands.map((c) => c.parsed.text),
  );
  let answer: RangeRoute[] | null = null;
  if (pieces) {
    answer = [];
    for (const p of pieces) {
      if (!holdsPublicAddress(p.cidr)) continue;
      let best: Candidate | null = null;
      for (const i of p.longest) {
        const c = cands[i];
        if (c && (!best || c.rank < best.rank)) best = c;
      }
      answer.push({ cidr: p.cidr, match: best ? { route: best.route, cidr: best.cidr } : null });
    }
  }
  table.ranges.set(range, answer);
  return answer;
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
