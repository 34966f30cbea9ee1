/** Route tables: the route in force for the destination, blackholes and missing routes, with the fix for each. */

import type {
  FixAction,
  Route,
  RouteTable,
  RouteTableId,
  SubnetId,
  TransitGatewayAttachment,
  VpcId,
} from '../../model/index.js';
import { attachmentPhase } from '../../model/resources.js';
import { cidrContains, cidrCovers, isPublicIp, isRfc1918, isRfc6598, parseCidr, prefixLength } from '../../net/ip.js';
import { makeFix } from '../fixes.js';
import { type Flow, hostOf, INTERNET_ANY, isHost, MAX_STEPS } from '../flow.js';
import type { FixProposal } from '../recorder.js';
import { coveringRoutes, routesForRange, routeTableFor, selectRoute, unresolvedPrefixListRoutes } from '../routes.js';
import { followRoute, type Walk } from '../walk.js';
import { igwEgress, newIgwFix } from './internet-gateway.js';
import { replacementNat } from './nat-gateway.js';
import { LIVE_PEERING, peerCidrs, peeringBetween } from './peering.js';
import { reportShadow, routeRange, shadowedRoute, targetId, targetKey, toAwsService } from './route-reach.js';
import { attachmentOf } from './transit-gateway.js';

/** When a route to a peering that is still being set up becomes active, by the peering's status. */
const PEERING_ON_THE_WAY: Record<string, string> = {
  'initiating-request': 'once the request is made and accepted',
  'pending-acceptance': 'once the peering is accepted',
  // Accepted already: AWS is setting the connection up.
  provisioning: 'when the accepted peering has been set up',
};
/** Routes the packet from the subnet it is in, with that subnet's table in force. */
export function routeFrom(t: Walk, flow: Flow, subnetId: SubnetId, originSubnet: SubnetId): void {
  const rt = routeTableFor(t.s, subnetId);
  if (++flow.steps > MAX_STEPS) {
    t.rec.stop(
      rt ? 'route-table' : 'subnet',
      rt?.id ?? subnetId,
      `the path loops: ${MAX_STEPS} routing steps and ${flow.dst} not reached`,
    );
    return;
  }
  const subnet = t.s.subnets.get(subnetId);
  if (!subnet || !rt) {
    t.rec.stop('route-table', subnetId, `no route table is known for ${subnetId}`);
    return;
  }
  const m = selectRoute(t.s, rt, flow.dst);
  const unknownPl = unresolvedPrefixListRoutes(t.s, rt, flow.dst)[0];
  if (unknownPl && unknownPl.destination.kind === 'prefix-list' && (parseCidr(m?.cidr ?? '')?.prefix ?? -1) < 32) {
    // A route to a prefix list whose entries are not in the snapshot may cover the destination more specifically
    // than the route found (or cover it where none did): which route wins is unknown, never a guessed NO_ROUTE.
    t.rec.touched.add(unknownPl.destination.id);
    t.rec.stop(
      'route-table',
      rt.id,
      `route ${unknownPl.text} in ${rt.id}: the entries of prefix list ${unknownPl.destination.id} are not in the snapshot, so whether it covers ${flow.dst} is unknown`,
    );
    return;
  }
  // The internet as a whole (a range): several routes may share it (0.0.0.0/1 and 128.0.0.0/1 → igw).
  if (!isHost(flow.dst) && routeRange(t, flow, rt, subnetId, originSubnet)) return;
  if (!m) {
    t.rec.hop(flow, {
      component: 'route-table',
      id: rt.id,
      allowed: false,
      rule: `no route to ${flow.dst}`,
    });
    noRoute(t, flow, rt, subnetId, originSubnet);
    return;
  }
  const r = m.route;
  const dstIp = hostOf(flow.dst);
  const shadow = isHost(flow.dst) ? shadowedRoute(t, rt, flow.dst, m) : null;
  if (shadow) {
    // The longest prefix wins even when its target cannot deliver: the route it hides would have. Report the
    // winner, then go on the way the packet goes once it is fixed (through the route it shadows).
    t.rec.hop(flow, {
      component: 'route-table',
      id: rt.id,
      allowed: false,
      rule: r.text,
      detail: `more specific than ${shadow.carrier.route.text}, which it shadows`,
    });
    reportShadow(t, flow, rt, m, shadow, dstIp);
    followRoute(t, flow, rt, shadow.carrier.route, shadow.carrier.cidr, subnetId, originSubnet);
    return;
  }
  if (
    r.state === 'active' &&
    (r.target.kind === 'internet-gateway' || r.target.kind === 'nat-gateway') &&
    isHost(flow.dst) &&
    (isRfc1918(dstIp) || isRfc6598(dstIp)) &&
    linkedVpc(t, rt.vpcId, dstIp)
  ) {
    // A private address that only the default route covers: the packet would die at the gateway, while a
    // peering or transit gateway links the VPC that holds it. The missing route is the blocker.
    t.rec.hop(flow, {
      component: 'route-table',
      id: rt.id,
      allowed: false,
      rule: r.text,
      detail:
        coveringRoutes(t.s, rt, flow.dst).length > 1
          ? `the most specific route that matches ${dstIp}, and it leads to the internet`
          : `no route covers ${dstIp} except this one, which leads to the internet`,
    });
    noRoute(t, flow, rt, subnetId, originSubnet, r);
    return;
  }
  const blackhole = r.state === 'blackhole';
  t.rec.hop(flow, { component: 'route-table', id: rt.id, allowed: !blackhole, rule: r.text });
  // At a blackhole, go on the way the packet would go once fixed (through the replacement target, if any).
  const next = blackhole ? reportBlackhole(t, flow, rt, r, subnetId) : r;
  if (next === 'new-igw') {
    igwEgress(t, flow, null, rt.vpcId, subnetId, true);
    return;
  }
  followRoute(t, flow, rt, next ?? r, m.cidr, subnetId, originSubnet);
}

/**
 * Reports a blackhole route; returns the route its fix would make (or `new-igw` when the fix creates the VPC's
 * internet gateway and points the route at it), when there is one.
 */
export function reportBlackhole(
  t: Walk,
  flow: Flow,
  rt: RouteTable,
  r: Route,
  subnetId: SubnetId,
): Route | 'new-igw' | null {
  let fix: { action: FixAction; summary: string } | null = null;
  let replacement: Route | 'new-igw' | null = null;
  let why = 'its target is gone or not usable';
  let advice = '';
  const dest = r.destination.kind === 'cidr' ? r.destination.cidr : r.destination.id;
  const internetBound = !isHost(flow.dst) || isPublicIp(hostOf(flow.dst));
  const deadId = 'id' in r.target ? r.target.id : '?';
  const replaceWith = (
    target: Extract<Route['target'], { kind: 'peering-connection' | 'nat-gateway' | 'internet-gateway' }>,
    params: Extract<FixAction, { action: 'CreateRoute' | 'ReplaceRoute' }>['params'],
  ) => {
    fix = {
      action: { action: 'ReplaceRoute', params },
      summary: `Point ${params.destinationCidrBlock} in ${rt.id} at ${target.id} instead of ${deadId}`,
    };
    replacement = {
      destination: r.destination,
      target,
      state: 'active',
      text: `${params.destinationCidrBlock} → ${target.id} (replacing ${deadId})`,
    };
  };
  if (r.target.kind === 'peering-connection') {
    const p = t.s.peeringConnections.get(r.target.id);
    if (p && LIVE_PEERING.has(p.status) && p.status !== 'active') {
      why = `${p.id} is ${p.status}: the route becomes active ${PEERING_ON_THE_WAY[p.status] ?? 'once the peering is active'}`;
    } else {
      why = `${r.target.id} is ${p?.status ?? 'not in the snapshot'}`;
      // The pcx is gone: point the route at a live peering between the same VPCs, if there is one.
      const dstVpc = t.vpcHolding(hostOf(flow.dst));
      const live = dstVpc ? peeringBetween(t, rt.vpcId, dstVpc) : null;
      if (live && r.destination.kind === 'cidr') {
        replaceWith(
          { kind: 'peering-connection', id: live.id },
          {
            routeTableId: rt.id,
            destinationCidrBlock: r.destination.cidr,
            target: { vpcPeeringConnectionId: live.id },
            previousTarget: r.target.id,
          },
        );
      } else if (dstVpc && dstVpc !== rt.vpcId) {
        fix = newPeeringFix(t, rt.vpcId, dstVpc);
        if (!fix)
          advice = ` No peering connection links ${rt.vpcId} and ${dstVpc} any more: create one (and accept it), then point ${dest} in ${rt.id} at it.`;
      }
    }
  } else if (r.target.kind === 'nat-gateway') {
    const old = t.s.natGateways.get(r.target.id);
    why = `${r.target.id} is ${old?.state ?? 'not in the snapshot'}`;
    if (old?.state === 'pending') {
      // Being created: the route becomes active once it is available (NAT_GATEWAY_NOT_AVAILABLE says so too).
      why = `${r.target.id} is pending: the route becomes active once it is available`;
      t.rec.record({
        flow,
        code: 'ROUTE_BLACKHOLE',
        resource: rt.id,
        message: `The route ${dest} in ${rt.id} is a blackhole (${why}).`,
        evidence: r.text,
      });
      return null;
    }
    const pick = replacementNat(t, rt, r.target.id, old, flow.dst, internetBound, subnetId);
    if (pick.nat && r.destination.kind === 'cidr') {
      replaceWith(
        { kind: 'nat-gateway', id: pick.nat.id },
        {
          routeTableId: rt.id,
          destinationCidrBlock: r.destination.cidr,
          target: { natGatewayId: pick.nat.id },
          previousTarget: r.target.id,
        },
      );
    } else {
      advice = ` ${pick.advice}`;
    }
  } else if (r.target.kind === 'transit-gateway') {
    // AWS shows a route to a transit gateway as a blackhole while the VPC has no attachment to it that carries traffic.
    const tgwId = r.target.id;
    const att = attachmentOf(t, rt.vpcId, tgwId);
    if (!att) why = `${rt.vpcId} has no attachment to ${tgwId} in the snapshot`;
    else if (attachmentPhase(att.state) !== 'carrying')
      why = `${att.id}, the attachment of ${rt.vpcId} to ${tgwId}, is ${att.state}`;
  } else if (r.target.kind === 'internet-gateway') {
    // A deleted or detached internet gateway: point the route at the one attached to the VPC now, or create one.
    const oldId = r.target.id;
    const known = t.s.presentKeys.has('InternetGateways');
    const old = t.s.internetGateways.get(oldId);
    why = !known
      ? `${oldId} is deleted or no longer attached to ${rt.vpcId}`
      : old
        ? `${oldId} is not attached to ${rt.vpcId}`
        : `${oldId} is deleted`;
    const attached = known ? (t.s.index.vpcInternetGateways.get(rt.vpcId) ?? []) : [];
    const working = attached.find((g) => g !== oldId);
    if (working && r.destination.kind === 'cidr') {
      replaceWith(
        { kind: 'internet-gateway', id: working },
        {
          routeTableId: rt.id,
          destinationCidrBlock: r.destination.cidr,
          target: { gatewayId: working },
          previousTarget: oldId,
        },
      );
    } else if (known && attached.length === 0 && internetBound && r.destination.kind === 'cidr') {
      // No gateway at all: one fix creates and attaches a new one and points this route at it.
      fix = newIgwFix(t, rt.vpcId, {
        routeTableId: rt.id,
        destinationCidrBlock: r.destination.cidr,
        previousTarget: oldId,
      });
      replacement = 'new-igw';
      if (old && old.attachedVpcIds.length === 0) advice = ` (Attaching ${oldId} again would do as well.)`;
    }
  }
  t.rec.record({
    flow,
    code: 'ROUTE_BLACKHOLE',
    resource: rt.id,
    message: `The route ${dest} in ${rt.id} is a blackhole (${why}): packets to ${flow.dst} are dropped.${advice}`,
    evidence: r.text,
    fix,
  });
  return replacement;
}

/** The attached internet gateway that a subnet's table in force sends `dst` to (an active route), if any. */
export function internetRouteOf(t: Walk, subnetId: SubnetId, dst: string): { rt: RouteTable; igw: string } | null {
  const rt = routeTableFor(t.s, subnetId);
  if (!rt) return null;
  // The internet as a whole may be covered by several routes to one gateway (0.0.0.0/1 and 128.0.0.0/1).
  const parts = isHost(dst) ? null : routesForRange(t.s, rt, dst)?.filter((p) => !toAwsService(p.match));
  const routes = parts ? parts.map((p) => p.match?.route) : [selectRoute(t.s, rt, dst)?.route];
  const first = routes[0];
  if (
    first?.state !== 'active' ||
    first.target.kind !== 'internet-gateway' ||
    routes.some((r) => !r || targetKey(r) !== targetKey(first))
  )
    return null;
  const igw = first.target.id;
  const attached =
    !t.s.presentKeys.has('InternetGateways') || (t.s.index.vpcInternetGateways.get(rt.vpcId) ?? []).includes(igw);
  return attached ? { rt, igw } : null;
}

/** The VPC holding a private address, when a peering or a shared transit gateway links it to `vpcId`. */
export function linkedVpc(t: Walk, vpcId: VpcId, ip: string): VpcId | null {
  return linkedVpcs(t, vpcId, ip)[0] ?? null;
}

/** Every other VPC holding `ip` that a peering or a shared transit gateway links to `vpcId`. */
export function linkedVpcs(t: Walk, vpcId: VpcId, ip: string): VpcId[] {
  return t.vpcsHolding(ip).filter((other) => other !== vpcId && linkedTo(t, vpcId, other));
}

export function linkedTo(t: Walk, vpcId: VpcId, other: VpcId): boolean {
  if (peeringBetween(t, vpcId, other)) return true;
  const tgws = new Set(liveAttachments(t, vpcId).map((a) => a.transitGatewayId));
  return liveAttachments(t, other).some((a) => tgws.has(a.transitGatewayId));
}

/** A VPC's transit gateway attachments that carry traffic or are on their way to (not the dead ones). */
function liveAttachments(t: Walk, vpcId: VpcId): TransitGatewayAttachment[] {
  const out: TransitGatewayAttachment[] = [];
  for (const id of t.s.index.vpcTransitGatewayAttachments.get(vpcId) ?? []) {
    const a = t.s.transitGatewayAttachments.get(id);
    if (a && attachmentPhase(a.state) !== 'dead') out.push(a);
  }
  return out;
}

/**
 * A missing route to a linked VPC: NO_ROUTE with the CreateRoute fix (`cidr` → the peering or transit gateway that
 * links the VPCs), then the walk goes on along the route the fix adds.
 */
function addRouteAndFollow(
  t: Walk,
  flow: Flow,
  at: {
    rt: RouteTable;
    subnetId: SubnetId;
    originSubnet: SubnetId;
    cidr: string;
    via: Extract<Route['target'], { kind: 'peering-connection' | 'transit-gateway' }>;
  },
  message: string,
  only?: Route,
): void {
  const { rt, cidr, via } = at;
  const target = via.kind === 'peering-connection' ? { vpcPeeringConnectionId: via.id } : { transitGatewayId: via.id };
  // A new route for `cidr` would lose to a route that matches more specifically (the longest prefix wins, AWS VPC
  // user guide, "How route priority works"): then the route that wins is the one to point at the link.
  const onlyCidr = only?.destination.kind === 'cidr' ? only.destination.cidr : null;
  const wins = onlyCidr !== null && prefixLength(onlyCidr) >= prefixLength(cidr) && cidrCovers(cidr, onlyCidr);
  const fix: FixProposal =
    only && onlyCidr && wins
      ? {
          action: {
            action: 'ReplaceRoute',
            params: { routeTableId: rt.id, destinationCidrBlock: onlyCidr, target, previousTarget: targetId(only) },
          },
          summary: `Point ${onlyCidr} in ${rt.id} at ${via.id} instead of ${targetId(only)}`,
        }
      : {
          action: { action: 'CreateRoute', params: { routeTableId: rt.id, destinationCidrBlock: cidr, target } },
          summary: `Add route ${cidr} → ${via.id} to ${rt.id}`,
        };
  t.rec.record({
    flow,
    code: 'NO_ROUTE',
    resource: rt.id,
    message:
      only && wins
        ? `${message} A route for ${cidr} would lose to ${only.text}, which matches more specifically, so that route is the one to point at ${via.id}.`
        : message,
    fix,
  });
  // From here the path runs through a route that does not exist yet: a loop found beyond it is not the network's.
  flow.assumedRoute = true;
  followRoute(
    t,
    flow,
    rt,
    { destination: { kind: 'cidr', cidr }, target: via, state: 'active', text: `${cidr} → ${via.id} (to be added)` },
    cidr,
    at.subnetId,
    at.originSubnet,
  );
}

/** No route covers the destination: report it, then go on the way the fix would send the packet. */
export function noRoute(
  t: Walk,
  flow: Flow,
  rt: RouteTable,
  subnetId: SubnetId,
  originSubnet: SubnetId,
  only?: Route,
): void {
  const dstIp = hostOf(flow.dst);
  // Less specific routes that match too, beaten by `only` (the longest prefix wins): never say "only" then.
  const beaten = only ? coveringRoutes(t.s, rt, flow.dst).filter((m) => m.route !== only) : [];
  const onlyText = !only
    ? ''
    : beaten.length > 0
      ? ` that it can use (${only.text}, the most specific route that matches, wins over ${beaten.map((m) => m.route.text).join(', ')})`
      : ` (only ${only.text} matches it)`;
  /**
   * The message when a link (`viaId`) joins the two VPCs: a beaten route that already goes there is named as such
   * (the fix then points the winning route at the link); otherwise no route goes there at all.
   */
  const linkMessage = (viaId: string, cidr: string, link: string, through: string) => {
    const via = beaten.find((m) => targetId(m.route) === viaId);
    return via && only
      ? `Route table ${rt.id} sends ${flow.dst} by ${only.text}, the most specific route that matches (the longest prefix wins), so ${via.route.text} is not used; ${link}.`
      : `Route table ${rt.id} has no route to ${flow.dst}${onlyText}; ${link}, but no route sends ${cidr} ${through} it.`;
  };
  const internetBound = !isHost(flow.dst) || isPublicIp(dstIp);
  const linked = internetBound ? [] : linkedVpcs(t, rt.vpcId, dstIp);
  if (linked.length > 1) {
    // Overlapping CIDRs: the address exists in several linked VPCs, so no single route is "the" fix.
    t.rec.record({
      flow,
      code: 'NO_ROUTE',
      resource: rt.id,
      message: `Route table ${rt.id} has no route to ${flow.dst}${onlyText}; the address lies in several linked VPCs with overlapping CIDRs (${linked.join(', ')}), so add a route to the one you mean.`,
    });
    return;
  }
  const dstVpc = linked[0] ?? (internetBound ? null : t.vpcHolding(dstIp));
  if (dstVpc && dstVpc !== rt.vpcId) {
    const p = peeringBetween(t, rt.vpcId, dstVpc);
    if (p) {
      const cidr = peerCidrs(t, p, dstVpc).find((c) => cidrContains(c, dstIp)) ?? flow.dst;
      addRouteAndFollow(
        t,
        flow,
        { rt, subnetId, originSubnet, cidr, via: { kind: 'peering-connection', id: p.id } },
        linkMessage(p.id, cidr, `${p.id} links ${rt.vpcId} and ${dstVpc}`, 'through'),
        only,
      );
      return;
    }
    // Attachments not yet carrying (pending acceptance …) link the VPCs too: the trace names their state at the gateway.
    for (const att of liveAttachments(t, rt.vpcId)) {
      const dstAttached = liveAttachments(t, dstVpc).some((a) => a.transitGatewayId === att.transitGatewayId);
      if (!dstAttached) continue;
      const cidr = t.s.vpcs.get(dstVpc)?.cidrs.find((c) => cidrContains(c, dstIp)) ?? flow.dst;
      addRouteAndFollow(
        t,
        flow,
        { rt, subnetId, originSubnet, cidr, via: { kind: 'transit-gateway', id: att.transitGatewayId } },
        linkMessage(att.transitGatewayId, cidr, `both VPCs are attached to ${att.transitGatewayId}`, 'to'),
        only,
      );
      return;
    }
  }
  if (internetBound) {
    const igw = (t.s.index.vpcInternetGateways.get(rt.vpcId) ?? [])[0];
    const fix: { action: FixAction; summary: string } | null = igw
      ? {
          action: {
            action: 'CreateRoute',
            params: { routeTableId: rt.id, destinationCidrBlock: INTERNET_ANY, target: { gatewayId: igw } },
          },
          summary: `Add route 0.0.0.0/0 → ${igw} to ${rt.id}`,
        }
      : t.s.presentKeys.has('InternetGateways')
        ? newIgwFix(t, rt.vpcId, { routeTableId: rt.id, destinationCidrBlock: INTERNET_ANY })
        : null;
    t.rec.record({
      flow,
      code: 'NO_INTERNET_GATEWAY_ROUTE',
      resource: rt.id,
      message: `Route table ${rt.id} has no route to the internet (${flow.dst}): traffic ${flow.side === 'return' ? 'replying to' : 'to'} the internet needs 0.0.0.0/0 → an attached internet gateway.`,
      fix,
    });
    igwEgress(t, flow, igw ?? null, rt.vpcId, subnetId, true);
    return;
  }
  // A new peering planned for this pair of VPCs (in place of a dead one) needs this route too: one plan makes both.
  const planned = dstVpc && dstVpc !== rt.vpcId ? pairKey(rt.vpcId, dstVpc) : null;
  if (dstVpc && planned && t.peeringRoutes.has(planned)) {
    const cidr = t.s.vpcs.get(dstVpc)?.cidrs.find((c) => cidrContains(c, dstIp)) ?? flow.dst;
    t.rec.record({
      flow,
      code: 'NO_ROUTE',
      resource: rt.id,
      message: `Route table ${rt.id} has no route to ${flow.dst}: the new peering between ${rt.vpcId} and ${dstVpc} (the fix) needs a route for ${cidr} here too.`,
      fix: newPeeringFix(t, rt.vpcId, dstVpc, { routeTableId: rt.id, destinationCidrBlock: cidr }),
    });
    return;
  }
  t.rec.record({
    flow,
    code: 'NO_ROUTE',
    resource: rt.id,
    message: `Route table ${rt.id} has no route to ${flow.dst}, and nothing in the snapshot links ${rt.vpcId} to where it is.`,
  });
}

function pairKey(a: VpcId, b: VpcId): string {
  return [a, b].sort().join('|');
}

/**
 * A new peering in place of the dead ones between two VPCs of one account and region (a cross-account or
 * cross-region peering needs the other side's owner to accept it and route: that stays advice). It replaces every
 * route of either VPC that names a dead peering between them, so both directions work once it is applied.
 */
export function newPeeringFix(
  t: Walk,
  from: VpcId,
  to: VpcId,
  missing?: { routeTableId: RouteTableId; destinationCidrBlock: string },
): FixProposal | null {
  // One plan for both directions: the pair in a fixed order (the requester is the first id).
  const [vpcId, peerVpcId] = [from, to].sort() as [VpcId, VpcId];
  const key = pairKey(vpcId, peerVpcId);
  const a = t.s.vpcs.get(vpcId);
  const b = t.s.vpcs.get(peerVpcId);
  if (!a || !b || a.accountId !== b.accountId || a.region !== b.region) return null;
  const dead = new Set(
    (t.s.index.peeringsByVpc.get(vpcId) ?? [])
      .filter((p) => !LIVE_PEERING.has(p.status))
      .filter((p) => [p.requester.vpcId, p.accepter.vpcId].includes(peerVpcId))
      .map((p) => p.id),
  );
  const routes: { routeTableId: RouteTableId; destinationCidrBlock: string; previousTarget?: string }[] = [];
  for (const rt of t.s.routeTables.values()) {
    if (rt.vpcId !== vpcId && rt.vpcId !== peerVpcId) continue;
    const other = rt.vpcId === vpcId ? b : a;
    for (const r of rt.routes) {
      if (r.target.kind !== 'peering-connection' || r.destination.kind !== 'cidr') continue;
      const cidr = r.destination.cidr;
      // AWS forgets a deleted peering after a while: a blackhole route to a peering the snapshot does not hold, for
      // the other VPC's addresses, named it too.
      const forgotten =
        !t.s.peeringConnections.has(r.target.id) &&
        r.state === 'blackhole' &&
        other.cidrs.some((c) => cidrCovers(c, cidr));
      if (!dead.has(r.target.id) && !forgotten) continue;
      routes.push({ routeTableId: rt.id, destinationCidrBlock: r.destination.cidr, previousTarget: r.target.id });
    }
  }
  if (routes.length === 0) return null;
  const added = t.peeringRoutes.get(key) ?? [];
  if (
    missing &&
    !added.some(
      (r) => r.routeTableId === missing.routeTableId && r.destinationCidrBlock === missing.destinationCidrBlock,
    )
  )
    added.push(missing);
  t.peeringRoutes.set(key, added);
  routes.push(...added);
  routes.sort(
    (x, y) =>
      x.routeTableId.localeCompare(y.routeTableId) || x.destinationCidrBlock.localeCompare(y.destinationCidrBlock),
  );
  const replaced = routes.filter((r) => r.previousTarget);
  const createdRoutes = routes.filter((r) => !r.previousTarget);
  const list = (rs: typeof routes) => rs.map((r) => `${r.destinationCidrBlock} in ${r.routeTableId}`).join(', ');
  const fix: FixProposal = {
    action: { action: 'CreateVpcPeeringConnection', params: { vpcId, peerVpcId, routes } },
    summary: `Create a peering connection between ${vpcId} and ${peerVpcId}, accept it, and point ${list(replaced)} at it instead of ${[...new Set(replaced.map((r) => r.previousTarget))].join(', ')}${createdRoutes.length ? `; add ${list(createdRoutes)} through it` : ''}`,
  };
  // Findings that asked for this peering before the route was known get the plan with it (one plan, one peering).
  if (missing) {
    const earlier = t.rec.findings.filter(
      (f) =>
        f.fix?.action === 'CreateVpcPeeringConnection' &&
        f.fix.params.vpcId === vpcId &&
        f.fix.params.peerVpcId === peerVpcId,
    );
    const first = earlier[0];
    if (first) {
      const plan = makeFix(first.code, first.resource, fix.action, fix.summary);
      for (const f of earlier) f.fix = plan;
    }
  }
  return fix;
}
