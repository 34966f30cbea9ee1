/** NAT gateways: source translation on the way out, back on the way in; a dead one's replacement. */

import type { NatGateway, NetworkInterface, RouteTable, SubnetId, VpcId } from '../../model/index.js';
import { hostCidr, parseCidr } from '../../net/ip.js';
import { type Flow, hostOf, INTERNET_ANY, type NatRecord } from '../flow.js';
import { routeTableFor } from '../routes.js';
import { replyTraffic } from '../rules.js';
import type { Walk } from '../walk.js';
import { crossSubnets } from './network-acl.js';
import { internetRouteOf, routeFrom } from './route-table.js';

/**
 * A NAT gateway that can take the place of a dead one in `rt`: available, in the same VPC, of the right kind (a
 * public one, in a subnet whose table sends the destination to an attached internet gateway, for the internet),
 * preferably in the source's AZ. Without one, `advice` says exactly what to create, and why whyping does not.
 */
export function replacementNat(
  t: Walk,
  rt: RouteTable,
  deadId: string,
  dead: NatGateway | undefined,
  dst: string,
  internetBound: boolean,
  subnetId: SubnetId,
): { nat: NatGateway | null; advice: string } {
  const kind = internetBound ? 'public' : (dead?.connectivityType ?? 'public');
  const unusable: string[] = [];
  const usable = [...t.s.natGateways.values()]
    .filter((n) => n.vpcId === rt.vpcId && n.id !== deadId && n.state === 'available')
    .filter((n) => {
      if (n.connectivityType !== kind) {
        unusable.push(`${n.id} is a ${n.connectivityType} NAT gateway`);
        return false;
      }
      if (routeTableFor(t.s, n.subnetId)?.id === rt.id) {
        unusable.push(`${n.id} is in a subnet that uses ${rt.id} itself`);
        return false;
      }
      if (internetBound && !internetRouteOf(t, n.subnetId, dst)) {
        unusable.push(`${n.id}'s subnet ${n.subnetId} routes ${dst} to no attached internet gateway`);
        return false;
      }
      return true;
    })
    .sort(
      (a, b) =>
        Number(!t.sameAz(a.subnetId, subnetId)) - Number(!t.sameAz(b.subnetId, subnetId)) || a.id.localeCompare(b.id),
    );
  const nat = usable[0] ?? null;
  if (nat) return { nat, advice: '' };
  const others = unusable.length > 0 ? ` (${unusable.join('; ')})` : '';
  const dest = rt.routes.find((x) => x.target.kind === 'nat-gateway' && x.target.id === deadId);
  const route = dest?.destination.kind === 'cidr' ? dest.destination.cidr : 'the route';
  const cost = `whyping does not create NAT gateways itself: one is billed by the hour and per GB it processes${internetBound ? ', and it holds an Elastic IP you allocate for it' : ''}.`;
  if (!internetBound) {
    return {
      nat: null,
      advice: `No available ${kind} NAT gateway of ${rt.vpcId} in the snapshot can take its place${others}: create one, then point ${route} in ${rt.id} at it. ${cost}`,
    };
  }
  const publicSubnets = (t.s.index.vpcSubnets.get(rt.vpcId) ?? [])
    .map((id) => ({ id, out: internetRouteOf(t, id, INTERNET_ANY) }))
    .filter((x): x is { id: SubnetId; out: { rt: RouteTable; igw: string } } => x.out !== null)
    .sort((a, b) => Number(!t.sameAz(a.id, subnetId)) - Number(!t.sameAz(b.id, subnetId)) || a.id.localeCompare(b.id));
  const ps = publicSubnets[0];
  const igw = (t.s.index.vpcInternetGateways.get(rt.vpcId) ?? [])[0];
  let where: string;
  if (ps) {
    const az = t.s.subnets.get(ps.id)?.availabilityZone;
    where = `in a public subnet such as ${ps.id}${az ? ` (${az})` : ''}, whose route table ${ps.out.rt.id} sends 0.0.0.0/0 to ${ps.out.igw}`;
  } else if (igw || !t.s.presentKeys.has('InternetGateways')) {
    where = `in a public subnet (none of ${rt.vpcId} has one now: give a subnet a route table with 0.0.0.0/0 → ${igw ?? 'the internet gateway'})`;
  } else {
    where = `in a public subnet (${rt.vpcId} has no internet gateway now: attach one and give a subnet a route table with 0.0.0.0/0 → it)`;
  }
  return {
    nat: null,
    advice: `No NAT gateway of ${rt.vpcId} in the snapshot can take its place${others}. Create a public NAT gateway ${where}, then point ${route} in ${rt.id} at it. ${cost}`,
  };
}

/** A NAT gateway's own address as the destination: it answers no connection addressed to it. */
export function natAsDestination(t: Walk, flow: Flow, nat: NatGateway | null, eniId?: string): void {
  const id = nat?.id ?? eniId ?? hostOf(flow.dst);
  t.rec.hop(flow, { component: 'nat-gateway', id, allowed: false, rule: 'a NAT gateway is not a host' });
  t.rec.record({
    flow,
    code: 'NAT_GATEWAY_NOT_A_DESTINATION',
    resource: id,
    message: `${hostOf(flow.dst)} belongs to NAT gateway ${id}, which translates traffic from its VPC outward and answers no connection addressed to it.`,
  });
}

export function natOfEni(t: Walk, eni: NetworkInterface): NatGateway | null {
  for (const p of eni.privateIps) {
    const n = t.s.index.natByIp.get(p.address);
    if (n) return n;
  }
  return null;
}

export function natEgress(
  t: Walk,
  flow: Flow,
  natId: string,
  vpcId: VpcId,
  fromSubnet: SubnetId,
  rt: RouteTable,
  routeBlackhole = false,
): void {
  const nat = t.s.natGateways.get(natId as `nat-${string}`);
  if (!nat) {
    t.rec.stop('nat-gateway', natId, `${natId} is not in the snapshot`);
    return;
  }
  const available = nat.state === 'available';
  const a = nat.addresses.find((x) => x.privateIp) ?? nat.addresses[0];
  const natEni = a?.networkInterfaceId ? (t.s.networkInterfaces.get(a.networkInterfaceId) ?? null) : null;
  if (!available) {
    t.rec.hop(flow, { component: 'nat-gateway', id: nat.id, allowed: false, rule: `state ${nat.state}` });
    // A deleted or failed NAT behind a blackhole route is the route's problem, already reported.
    if (routeBlackhole && (nat.state === 'deleted' || nat.state === 'failed')) return;
    t.rec.record({
      flow,
      code: 'NAT_GATEWAY_NOT_AVAILABLE',
      resource: nat.id,
      message: `NAT gateway ${nat.id} is ${nat.state}: routes to it drop traffic.`,
      evidence: `state ${nat.state}`,
    });
    return;
  }
  // Traffic that crossed a peering may not use the peer's NAT gateway (no edge-to-edge routing). Traffic from
  // a transit gateway may: that is the centralized-egress design AWS documents.
  if (flow.viaPeering) {
    t.rec.hop(flow, {
      component: 'nat-gateway',
      id: nat.id,
      allowed: false,
      rule: `source ${flow.src} is not in ${vpcId}`,
    });
    t.rec.record({
      flow,
      code: 'NAT_REQUIRES_SOURCE_IN_VPC',
      resource: nat.id,
      message: `NAT gateway ${nat.id} forwards only traffic from its own VPC ${vpcId}; ${flow.src} came from elsewhere.`,
    });
    return;
  }
  const natSubnet = nat.subnetId;
  const privateIp = a?.privateIp;
  if (!privateIp) {
    t.rec.stop('nat-gateway', nat.id, `the private address of ${nat.id} is not in the snapshot`);
    return;
  }
  if (flow.side === 'return') {
    // A NAT gateway translates new outbound connections only: a reply routed into one leaves with the NAT's
    // address, and the client, which contacted another address, drops it (asymmetric routing, e.g. in through
    // the internet gateway to a public IP, out through the NAT gateway).
    crossSubnets(t, flow, fromSubnet, natSubnet);
    t.rec.hop(flow, {
      component: 'nat-gateway',
      id: nat.id,
      allowed: false,
      rule: `source ${flow.src} → ${privateIp}`,
      detail: 'the reply would leave with the NAT gateway address, not the one the client contacted',
    });
    const igw = (t.s.index.vpcInternetGateways.get(vpcId) ?? [])[0];
    const client = flow.dst;
    // The address the client contacted: the sender's public address, which the internet gateway mapped to flow.src.
    const own = hostOf(flow.src);
    const contacted = (flow.srcEni && t.publicIpOf(flow.srcEni, own)) ?? own;
    const canRoute = igw !== undefined && parseCidr(client)?.prefix !== 0;
    t.rec.record({
      flow,
      code: 'NO_INTERNET_GATEWAY_ROUTE',
      resource: rt.id,
      message: `Replies to ${client} leave through NAT gateway ${nat.id} (route table ${rt.id}) and carry its address, so the client, which contacted ${contacted}, drops them: the reply needs a route to an internet gateway.`,
      fix: canRoute
        ? {
            action: {
              action: 'CreateRoute',
              params: { routeTableId: rt.id, destinationCidrBlock: client, target: { gatewayId: igw } },
            },
            summary: `Add route ${client} → ${igw} to ${rt.id}`,
          }
        : null,
    });
    return;
  }
  crossSubnets(t, flow, fromSubnet, natSubnet);
  const rec: NatRecord = {
    nat,
    natEni,
    privateIp,
    origSrc: flow.src,
    origEphemeral: t.clientEphemeral,
  };
  t.rec.hop(flow, {
    component: 'nat-gateway',
    id: nat.id,
    allowed: true,
    rule: `source ${hostOf(flow.src)} → ${privateIp}`,
  });
  flow.src = hostCidr(privateIp);
  flow.srcEni = null;
  flow.natted = rec;
  t.nats.push(rec);
  // From here on the NAT gateway's own subnet routes the packet (its route table and its ACL).
  routeFrom(t, flow, natSubnet, natSubnet);
}

/** The reply reaches the NAT gateway that translated the request: translate back and route to the client. */
export function natReturn(t: Walk, flow: Flow, rec: NatRecord): void {
  t.rec.hop(flow, {
    component: 'nat-gateway',
    id: rec.nat.id,
    allowed: true,
    rule: `destination ${rec.privateIp} → ${hostOf(rec.origSrc)}`,
  });
  flow.dst = rec.origSrc;
  flow.natted = null;
  flow.traffic = replyTraffic(t.q.protocol, rec.origEphemeral);
  routeFrom(t, flow, rec.nat.subnetId, rec.nat.subnetId);
}
