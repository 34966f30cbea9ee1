/**
 * What a route can deliver: the route that wins for an address but cannot deliver it while a less specific one would
 * (ROUTE_SHADOWED), and the `internet` end (every internet host) when several routes share it or cover only part of
 * it. AWS routes by the longest prefix whatever the target (AWS VPC user guide, "How route priority works":
 * https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).
 */

import type {
  AwsExplanationCode,
  FixAction,
  Route,
  RouteTable,
  SubnetId,
  TransitGatewayRoute,
  VpcId,
} from '../../model/index.js';
import { cidrCovers, isPublicIp, isRfc1918, isRfc6598, prefixLength } from '../../net/ip.js';
import { type Flow, hostOf, INTERNET_ANY, isHost } from '../flow.js';
import { selectTgwRoute } from '../ranges.js';
import type { FixProposal } from '../recorder.js';
import { coveringRoutes, type RouteMatch, routesForRange } from '../routes.js';
import { followRoute, type Walk } from '../walk.js';
import { peerCidrs } from './peering.js';
import { attachmentOf } from './transit-gateway.js';

/** The id a route names as its target (`local` for the VPC itself). */
export function targetId(r: Route): string {
  return 'id' in r.target ? r.target.id : r.target.kind;
}

/** A route's target as CreateRoute/ReplaceRoute name it, for the targets a fix may point a route at. */
export function fixTarget(
  r: Route,
): Extract<FixAction, { action: 'CreateRoute' | 'ReplaceRoute' }>['params']['target'] | null {
  switch (r.target.kind) {
    case 'peering-connection':
      return { vpcPeeringConnectionId: r.target.id };
    case 'internet-gateway':
      return { gatewayId: r.target.id };
    case 'nat-gateway':
      return { natGatewayId: r.target.id };
    case 'transit-gateway':
      return { transitGatewayId: r.target.id };
    default:
      return null;
  }
}

/** A part of the internet routed to a gateway endpoint: addresses of an AWS service (S3, DynamoDB), not hosts. */
export function toAwsService(m: RouteMatch | null): boolean {
  return m?.route.target.kind === 'vpc-endpoint';
}

/**
 * The route a transit gateway uses for `dst` entering from `vpcId`'s available attachment: null when its associated
 * table has no route, undefined when the snapshot does not say (no such attachment, association or table).
 */
export function tgwRouteFrom(
  t: Walk,
  vpcId: VpcId,
  tgwId: string,
  dst: string,
): TransitGatewayRoute | null | undefined {
  const att = attachmentOf(t, vpcId, tgwId, true);
  if (!att) return undefined;
  const table = att.associatedRouteTableId ? t.s.transitGatewayRouteTables.get(att.associatedRouteTableId) : undefined;
  return table ? selectTgwRoute(t.s, table, dst) : undefined;
}

/** Why a route's target cannot deliver `dst`, when the snapshot makes that certain. */
interface DeadEnd {
  why: string;
  awsCode: AwsExplanationCode;
}

/**
 * Why an active route of `rt` cannot deliver `dst` (an address, or a range of internet hosts), or null when it may:
 * an internet gateway never forwards a private destination; a peering delivers only to the peer VPC's CIDRs (it is
 * not transitive); a transit gateway whose table for this VPC's attachment has no route to an address of a VPC of the
 * snapshot, or a blackhole. What an
 * appliance, a NAT gateway, a VPN gateway or an endpoint does with it is not certain from the snapshot: null. A
 * blackhole route to a range of internet hosts drops them; for a single address the blackhole is reported as such
 * (ROUTE_BLACKHOLE, with the live replacement of its target).
 */
export function deadEnd(t: Walk, rt: RouteTable, r: Route, dst: string): DeadEnd | null {
  const host = isHost(dst);
  if (r.state === 'blackhole' && !host) return { why: `${r.text} is a blackhole`, awsCode: 'BAD_STATE_ROUTE' };
  if (r.state !== 'active') return null;
  const ip = hostOf(dst);
  switch (r.target.kind) {
    case 'internet-gateway':
      if (!host || !(isRfc1918(ip) || isRfc6598(ip))) return null;
      return {
        why: `${ip} is a private (RFC 1918/6598) address, and an internet gateway never forwards a private destination`,
        awsCode: isRfc6598(ip)
          ? 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS'
          : 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS',
      };
    case 'peering-connection': {
      const p = t.s.peeringConnections.get(r.target.id);
      if (!p) return null;
      const peerVpc = p.requester.vpcId === rt.vpcId ? p.accepter.vpcId : p.requester.vpcId;
      const cidrs = peerCidrs(t, p, peerVpc);
      if (cidrs.length === 0 || cidrs.some((c) => cidrCovers(c, dst))) return null;
      return {
        why: `${dst} is not in ${peerVpc}, the VPC at the other end of ${p.id}, and a peering delivers only to the peer VPC's CIDRs`,
        awsCode: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR',
      };
    }
    case 'transit-gateway': {
      // A transit gateway also learns routes from VPN and Direct Connect attachments by BGP, which no snapshot
      // holds: only for an address of a VPC of the snapshot is its table's answer taken as the whole truth.
      if (!host || !t.vpcHolding(ip)) return null;
      const tr = tgwRouteFrom(t, rt.vpcId, r.target.id, dst);
      if (tr === undefined || (tr && tr.state !== 'blackhole')) return null;
      return tr
        ? {
            why: `${r.target.id} drops ${dst}: its route ${tr.text} is a blackhole`,
            awsCode: 'TGW_RTB_BAD_STATE_ROUTE',
          }
        : {
            why: `${r.target.id} has no route to ${dst} for traffic from ${rt.vpcId}`,
            awsCode: 'TGW_RTB_CANNOT_ROUTE',
          };
    }
    default:
      return null;
  }
}

/**
 * Would a route of `rt` that covers `dst` deliver it (as far as the route goes)? The VPC itself; an active peering
 * whose peer VPC holds it; an attached internet gateway or an available NAT gateway for a public destination; a
 * transit gateway whose table for this VPC routes it. Anything else is not claimed.
 */
export function carries(t: Walk, rt: RouteTable, r: Route, dst: string): boolean {
  if (r.state !== 'active') return false;
  const ip = hostOf(dst);
  const internet = !isHost(dst) || isPublicIp(ip);
  switch (r.target.kind) {
    case 'local':
      return true;
    case 'peering-connection': {
      const p = t.s.peeringConnections.get(r.target.id);
      if (p?.status !== 'active') return false;
      const peerVpc = p.requester.vpcId === rt.vpcId ? p.accepter.vpcId : p.requester.vpcId;
      return peerCidrs(t, p, peerVpc).some((c) => cidrCovers(c, dst));
    }
    case 'internet-gateway':
      return (
        internet &&
        (!t.s.presentKeys.has('InternetGateways') ||
          (t.s.index.vpcInternetGateways.get(rt.vpcId) ?? []).includes(r.target.id))
      );
    case 'nat-gateway':
      return internet && t.s.natGateways.get(r.target.id)?.state === 'available';
    case 'transit-gateway':
      return tgwRouteFrom(t, rt.vpcId, r.target.id, dst)?.state === 'active';
    default:
      return false;
  }
}

/** A winning route that cannot deliver, and the less specific route it hides that would have. */
interface Shadow {
  carrier: RouteMatch;
  dead: DeadEnd;
}

/** The route `winner` shadows for `dst`, when the winner cannot deliver it and that route would. */
export function shadowedRoute(t: Walk, rt: RouteTable, dst: string, winner: RouteMatch): Shadow | null {
  const dead = deadEnd(t, rt, winner.route, dst);
  if (!dead) return null;
  for (const m of coveringRoutes(t.s, rt, dst).slice(1)) {
    if (carries(t, rt, m.route, dst)) return { carrier: m, dead };
  }
  return null;
}

/**
 * ROUTE_SHADOWED: the route that wins for `what` (an address, or internet hosts in some ranges) cannot deliver it, and
 * a less specific route would have. The fix points the winning route at the target of the route it shadows
 * (ReplaceRoute: undone by pointing it back), which carries every address of it as the shadowed route would; deleting
 * the route would do as well, but ReplaceRoute keeps the user's route and its undo. No fix when the route is a
 * prefix-list entry or the shadowed route is `local` (no route can be pointed at `local`): the message says what to
 * change.
 */
export function reportShadow(
  t: Walk,
  flow: Flow,
  rt: RouteTable,
  winner: RouteMatch,
  shadow: Shadow,
  what: string,
): void {
  const w = winner.route;
  const c = shadow.carrier.route;
  const wid = targetId(w);
  const cid = targetId(c);
  const target = fixTarget(c);
  let fix: FixProposal | null = null;
  let advice = '';
  if (w.destination.kind === 'cidr' && target) {
    const cidr = w.destination.cidr;
    fix = {
      action: {
        action: 'ReplaceRoute',
        params: {
          routeTableId: rt.id,
          destinationCidrBlock: cidr,
          target,
          previousTarget: w.state === 'blackhole' ? 'blackhole' : wid,
        },
      },
      summary: `Point ${cidr} in ${rt.id} at ${cid} (as ${c.text} does) instead of ${wid}`,
    };
  } else if (w.destination.kind === 'cidr') {
    advice = ` Delete the route ${w.text} from ${rt.id} (then ${c.text} carries it); whyping does not delete routes.`;
  } else {
    advice = ` Remove ${winner.cidr} from prefix list ${w.destination.id}, or point its route in ${rt.id} elsewhere; then ${c.text} carries it.`;
  }
  t.rec.record({
    flow,
    code: 'ROUTE_SHADOWED',
    resource: rt.id,
    message: `Route table ${rt.id} sends ${what} to ${wid} by ${w.text}, the most specific route that matches (the longest prefix wins), so ${c.text}, which would deliver it, is not used: ${shadow.dead.why}.${advice}`,
    evidence: w.text,
    fix,
    awsCode: shadow.dead.awsCode,
  });
}

/** A target as one word for grouping: routes to the same target in the same state carry alike. */
export function targetKey(r: Route): string {
  return `${r.target.kind}:${targetId(r)}:${r.state}`;
}

/**
 * Some parts of a range in words: listed when they are few, else as "the rest of the internet" outside the other
 * parts (when those are few), else the first few and a count.
 */
function rangesText(cidrs: string[], rest: string[]): string {
  if (cidrs.length <= 4) return cidrs.join(', ');
  if (rest.length <= 4) return `every range outside ${rest.join(', ')}`;
  return `${cidrs.slice(0, 4).join(', ')} and ${cidrs.length - 4} more ranges`;
}

/** The number of addresses of an IPv4 block. */
function size(cidr: string): number {
  return 2 ** (32 - prefixLength(cidr));
}

/**
 * A range of internet hosts (the `internet` end) that several routes share, or that routes cover only in part.
 * "The internet" is every internet host, so: when the routes that cover it all lead to one target (0.0.0.0/1 and
 * 128.0.0.0/1 → igw), the path goes on through it; when part of it has no route, NO_INTERNET_GATEWAY_ROUTE names
 * the parts covered and the parts not (adding 0.0.0.0/0 then covers the gaps and changes nothing else, since every
 * existing route is more specific); when a more specific route sends part of it to a target that cannot deliver it,
 * ROUTE_SHADOWED names it, or NO_INTERNET_GATEWAY_ROUTE when no route would deliver that part; a part sent to another
 * target that may deliver (an appliance, a VPN gateway) is named on the hop and not traced. The trace goes on through
 * the target that carries most of the range. Returns false when one route decides the whole range, or none covers
 * any of it: the usual route lookup answers then.
 */
export function routeRange(t: Walk, flow: Flow, rt: RouteTable, subnetId: SubnetId, originSubnet: SubnetId): boolean {
  const all = routesForRange(t.s, rt, flow.dst);
  // Parts routed to a gateway endpoint hold AWS services' addresses (S3, DynamoDB), not internet hosts.
  const parts = (all ?? []).filter((p) => !toAwsService(p.match));
  const first = parts[0]?.match?.route;
  if (parts.length === 0 || parts.every((p) => p.match?.route === first) || parts.every((p) => !p.match)) return false;
  // The target that carries most of the range leads the trace; none that can (only a VPN range to a transit gateway,
  // say): the usual "no route to the internet" answers, with its fix.
  const weight = new Map<string, number>();
  for (const p of parts) {
    if (!p.match || !carries(t, rt, p.match.route, p.cidr)) continue;
    const key = targetKey(p.match.route);
    weight.set(key, (weight.get(key) ?? 0) + size(p.cidr));
  }
  const mainKey = [...weight.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!mainKey) return false;
  const main: RouteMatch[] = [];
  for (const p of parts) {
    if (p.match && targetKey(p.match.route) === mainKey && !main.some((m) => m.route === p.match?.route))
      main.push(p.match);
  }
  const lead = main[0];
  if (!lead) return false;
  const gaps = parts.filter((p) => !p.match).map((p) => p.cidr);
  // The other parts, by the route that wins them.
  const others = new Map<Route, { match: RouteMatch; cidrs: string[] }>();
  for (const p of parts) {
    if (!p.match || targetKey(p.match.route) === mainKey) continue;
    const o = others.get(p.match.route) ?? { match: p.match, cidrs: [] };
    o.cidrs.push(p.cidr);
    others.set(p.match.route, o);
  }
  const mainText = main.map((m) => m.route.text).join(', ');
  const notes: string[] = [];
  const blocked: (() => void)[] = [];
  for (const { match, cidrs } of others.values()) {
    const hosts = `internet hosts in ${rangesText(cidrs, [])}`;
    const dead = cidrs.map((c) => deadEnd(t, rt, match.route, c)).find((d) => d !== null);
    if (!dead) {
      notes.push(`${hosts} go by ${match.route.text} instead (not traced here)`);
      continue;
    }
    const shadow = cidrs.map((c) => shadowedRoute(t, rt, c, match)).find((x) => x !== null);
    notes.push(`${hosts} go by ${match.route.text}, which cannot deliver them`);
    blocked.push(() => {
      if (shadow) reportShadow(t, flow, rt, match, shadow, hosts);
      else
        t.rec.record({
          flow,
          code: 'NO_INTERNET_GATEWAY_ROUTE',
          resource: rt.id,
          message: `Route table ${rt.id} sends ${hosts} to ${targetId(match.route)} by ${match.route.text}, and no route would take them to the internet: ${dead.why}.`,
          evidence: match.route.text,
          awsCode: dead.awsCode,
        });
    });
  }
  const gapText = rangesText(
    gaps,
    parts.filter((p) => p.match).map((p) => p.cidr),
  );
  if (gaps.length > 0) notes.unshift(`no route covers internet hosts in ${gapText}`);
  t.rec.hop(flow, {
    component: 'route-table',
    id: rt.id,
    allowed: gaps.length === 0 && blocked.length === 0,
    rule: mainText,
    detail:
      notes.length > 0
        ? notes.join('; ')
        : `together ${main.length === 1 ? 'it covers' : 'they cover'} every internet host`,
  });
  if (gaps.length > 0) {
    const target = fixTarget(lead.route);
    const toward = flow.side === 'return' ? 'replying to' : 'to';
    t.rec.record({
      flow,
      code: 'NO_INTERNET_GATEWAY_ROUTE',
      resource: rt.id,
      message: `Route table ${rt.id} routes only part of the internet: ${mainText} ${main.length === 1 ? 'covers' : 'cover'} some internet hosts, but no route covers those in ${gapText}, so traffic ${toward} them is dropped.`,
      evidence: mainText,
      fix: target
        ? {
            action: {
              action: 'CreateRoute',
              params: { routeTableId: rt.id, destinationCidrBlock: INTERNET_ANY, target },
            },
            summary: `Add route 0.0.0.0/0 → ${targetId(lead.route)} to ${rt.id} (the routes there now stay more specific)`,
          }
        : null,
    });
  }
  for (const report of blocked) report();
  followRoute(t, flow, rt, lead.route, lead.cidr, subnetId, originSubnet);
  return true;
}
