/** VPC peering connections: only active ones carry traffic, only between the two VPCs' own addresses. */

import type {
  NetworkInterface,
  SubnetId,
  VpcId,
  VpcPeeringConnection,
  VpcPeeringConnectionId,
} from '../../model/index.js';
import { cidrCovers, isPublicIp } from '../../net/ip.js';
import { type Flow, hostOf, isHost } from '../flow.js';
import { deliverInVpc, type Walk } from '../walk.js';
import { checkNacl } from './network-acl.js';

/** What to do instead of routing through a peering: whyping proposes no automatic fix (it is a design change). */
export const TRANSIT_ADVICE =
  'To connect these two networks, peer them directly (a new peering connection, accepted, with routes both ways) or attach both to a transit gateway; whyping does not create either for you.';

/**
 * What to do instead when a peering is asked to carry internet traffic: a VPC reaches the internet, and is reached
 * from it, only through gateways of its own (a peer VPC's internet or NAT gateway carries only that VPC's traffic).
 */
function edgeAdvice(direction: 'out' | 'in', vpcId: VpcId): string {
  return direction === 'out'
    ? `To reach the internet, ${vpcId} needs a way out of its own: a route to an internet gateway attached to it (with a public or Elastic IP on the instance), or to a NAT gateway in it.`
    : `The internet reaches ${vpcId} only through an internet gateway attached to it (with a public or Elastic IP on the destination).`;
}

/** An address (or range) on the internet: a public address, or the internet as a whole. */
function onInternet(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || isPublicIp(hostOf(cidr));
}

/** Statuses in which a peering connection still links two VPCs (routes to it can be created). */
export const LIVE_PEERING = new Set(['active', 'pending-acceptance', 'provisioning', 'initiating-request']);

export function peeringBetween(t: Walk, a: VpcId, b: VpcId): VpcPeeringConnection | null {
  const list = (t.s.index.peeringsByVpc.get(a) ?? []).filter(
    (p) =>
      LIVE_PEERING.has(p.status) &&
      ((p.requester.vpcId === a && p.accepter.vpcId === b) || (p.requester.vpcId === b && p.accepter.vpcId === a)),
  );
  return list.find((p) => p.status === 'active') ?? list[0] ?? null;
}

export function peerCidrs(t: Walk, p: VpcPeeringConnection, vpcId: VpcId): string[] {
  const v = t.s.vpcs.get(vpcId);
  if (v) return v.cidrs;
  return p.requester.vpcId === vpcId ? p.requester.cidrs : p.accepter.cidrs;
}

/** Security-group references match only across a private path: same VPC, or same-region peering. */
export function refsWork(t: Walk, a: NetworkInterface, b: NetworkInterface): boolean {
  if (a.vpcId === b.vpcId) return true;
  const p = peeringBetween(t, a.vpcId, b.vpcId);
  if (!p) return false;
  const ra = p.requester.region ?? p.region;
  const rb = p.accepter.region ?? p.region;
  return ra === undefined || rb === undefined || ra === rb;
}

export function crossPeering(
  t: Walk,
  flow: Flow,
  pcxId: VpcPeeringConnectionId,
  fromVpc: VpcId,
  fromSubnet: SubnetId,
  matched: string,
  routeBlackhole = false,
): void {
  const p = t.s.peeringConnections.get(pcxId);
  if (!p) {
    t.rec.stop('peering-connection', pcxId, `${pcxId} is not in the snapshot`);
    return;
  }
  const active = p.status === 'active';
  const peerVpc = p.requester.vpcId === fromVpc ? p.accepter.vpcId : p.requester.vpcId;
  const remoteCidrs = peerCidrs(t, p, peerVpc);
  const localCidrs = peerCidrs(t, p, fromVpc);
  const dstInPeer = remoteCidrs.some((c) => cidrCovers(c, flow.dst));
  const srcInLocal = localCidrs.some((c) => cidrCovers(c, flow.src));
  // The hop passes only when the peering carries this packet: active, and between the two VPCs' own addresses.
  t.rec.hop(flow, {
    component: 'peering-connection',
    id: p.id,
    allowed: active && dstInPeer && srcInLocal,
    rule: `${p.requester.vpcId} ↔ ${p.accepter.vpcId} (${p.status})`,
    ...(dstInPeer && srcInLocal
      ? {}
      : { detail: !dstInPeer ? `${flow.dst} is not in ${peerVpc}` : `the source ${flow.src} is not in ${fromVpc}` }),
  });
  // A peering that is not active is reported on the peering too (DESIGN §3), dead ones included (deleted, rejected,
  // expired, failed): there is nothing to accept then, and the blackhole route's fix creates a new peering.
  if (!active) {
    const dead = !LIVE_PEERING.has(p.status);
    t.rec.record({
      flow,
      code: 'PEERING_NOT_ACTIVE',
      resource: p.id,
      message: `Peering connection ${p.id} between ${p.requester.vpcId} and ${p.accepter.vpcId} is ${p.status}: only an active peering carries traffic${dead ? `, and a ${p.status} one cannot be made active again${routeBlackhole ? " (the route's fix creates a new peering)" : ''}` : ''}.`,
      evidence: `status ${p.status}`,
      // Only a request awaiting acceptance can be accepted: initiating-request comes before it, provisioning after.
      fix:
        p.status === 'pending-acceptance'
          ? {
              action: { action: 'AcceptVpcPeeringConnection', params: { vpcPeeringConnectionId: p.id } },
              summary: `Accept peering connection ${p.id} (as the owner of ${p.accepter.vpcId})`,
            }
          : null,
    });
  }
  // A dead peering is reported (by its route or above); the walk goes on as if the peering the user must create in
  // its place existed, so the rest of the path and the reply are checked too.
  if (!dstInPeer || !srcInLocal) {
    t.rec.record({
      flow,
      code: 'PEERING_NOT_TRANSITIVE',
      resource: p.id,
      message: !dstInPeer
        ? `${flow.dst} is not in ${peerVpc} (${remoteCidrs.join(', ') || 'CIDRs unknown'}): a peering connection delivers only to the peer VPC's own addresses (no transit, no edge-to-edge routing). ${onInternet(flow.dst) ? edgeAdvice('out', fromVpc) : TRANSIT_ADVICE}`
        : `The packet's source ${flow.src} is not in ${fromVpc}: a peering connection carries only traffic from the VPC's own addresses (no transit, no edge-to-edge routing). ${onInternet(flow.src) ? edgeAdvice('in', peerVpc) : TRANSIT_ADVICE}`,
      evidence: `route ${matched} → ${p.id}`,
    });
    // Go on as if the direct link existed: into the VPC that holds the destination, when the snapshot has it.
    const direct = dstInPeer ? peerVpc : isHost(flow.dst) ? t.vpcHolding(hostOf(flow.dst)) : null;
    if (!direct || direct === fromVpc || !t.s.vpcs.has(direct)) return;
    flow.viaPeering = true;
    deliverInVpc(t, flow, direct, fromSubnet);
    return;
  }
  if (!t.s.vpcs.has(peerVpc)) {
    checkNacl(t, flow, fromSubnet, true);
    t.rec.stop('peering-connection', p.id, `${peerVpc} (the other side of ${p.id}) is not in the snapshot`);
    return;
  }
  flow.viaPeering = true;
  deliverInVpc(t, flow, peerVpc, fromSubnet);
}
