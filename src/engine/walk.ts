/**
 * The walker: carries a packet from where it is to where it ends (an interface, the internet, or a blocker),
 * handing each AWS object it meets to the step for that noun (hops/*). A walk holds what one diagnosis learns on
 * the way (NAT translations, an Elastic IP a fix would add, NACL rule numbers taken by fixes).
 */

import type {
  Hop,
  Instance,
  NetworkInterface,
  Query,
  ResolvedEndpoint,
  Route,
  RouteTable,
  Snapshot,
  Subnet,
  SubnetId,
  VpcId,
} from '../model/index.js';
import { hostCidr, isPublicIp } from '../net/ip.js';
import type { DestinationPlace, SourcePlace } from './endpoints.js';
import { publicAddressExposure } from './exposure.js';
import { EPHEMERAL, type Flow, hostOf, isHost, type NatRecord, newFlow } from './flow.js';
import { instanceState, throughAppliance } from './hops/instance.js';
import {
  ASSUMED_EIP,
  type IgwRoute,
  igwEgress,
  igwIngress,
  igwIngressAssumed,
  nobodyHolds,
  privateSourceAtGateway,
} from './hops/internet-gateway.js';
import { endpointArrive, endpointOf, lbArrive, loadBalancerOf, nestedLoadBalancer } from './hops/load-balancer.js';
import { natAsDestination, natEgress, natOfEni, natReturn } from './hops/nat-gateway.js';
import { crossSubnets } from './hops/network-acl.js';
import { crossPeering } from './hops/peering.js';
import { routeFrom } from './hops/route-table.js';
import { sgEgress, sgIngress, statefulReply } from './hops/security-group.js';
import { tgwEnter } from './hops/transit-gateway.js';
import { addressRanges } from './ranges.js';
import { Recorder } from './recorder.js';
import { replyTraffic, requestTraffic } from './rules.js';

/** One diagnosis under way: the snapshot, the query, the recorder and what the walk learned so far. */
export class Walk {
  readonly rec = new Recorder();
  /** NAT translations made on the forward path. */
  readonly nats: NatRecord[] = [];
  /** The interface a NO_PUBLIC_IP fix gives an Elastic IP, stood for by ASSUMED_EIP on the rest of the trace. */
  assumedEip: { eni: NetworkInterface; privateIp: string } | null = null;
  /** NACL rule numbers proposed by fixes so far, per `acl/egress`. */
  readonly reservedRules = new Map<string, Set<number>>();
  /** The client's ephemeral port range (the reply's destination ports). */
  clientEphemeral: { from: number; to: number } = EPHEMERAL.any;
  /** Per VPC, the route a new internet gateway's fix also makes (the first one the paths need). */
  readonly igwRoutes = new Map<VpcId, IgwRoute>();
  /** Per pair of VPCs (`vpc-a|vpc-b`, sorted) with a new peering planned: the missing routes the paths add to it. */
  readonly peeringRoutes = new Map<string, { routeTableId: RouteTable['id']; destinationCidrBlock: string }[]>();
  /** The replies of a load balancer's targets back to its node (the start of the return path). */
  readonly lbReplyHops: Hop[] = [];
  /** How many load balancer legs the walk is inside (a target that is itself a load balancer is not followed). */
  lbDepth = 0;

  constructor(
    readonly s: Snapshot,
    readonly q: Query,
  ) {}

  instanceOf(eni: NetworkInterface): Instance | null {
    const id = eni.attachment?.instanceId;
    return id ? (this.s.instances.get(id) ?? null) : null;
  }

  label(eni: NetworkInterface): string {
    const inst = this.instanceOf(eni);
    return inst ? (inst.name ? `${inst.id} (${inst.name})` : inst.id) : eni.id;
  }

  eniInVpc(ip: string, vpcId: VpcId): NetworkInterface | null {
    for (const id of this.s.index.privateIpToEni.get(ip) ?? []) {
      const eni = this.s.networkInterfaces.get(id);
      if (eni && eni.vpcId === vpcId) return eni;
    }
    return null;
  }

  /** The first VPC (in snapshot order) whose CIDRs hold an address. */
  vpcHolding(ip: string): VpcId | null {
    return addressRanges(this.s).vpcs.holding(ip)[0] ?? null;
  }

  /** Every VPC whose CIDRs hold an address (several when CIDRs overlap across accounts or peerings). */
  vpcsHolding(ip: string): VpcId[] {
    return addressRanges(this.s).vpcs.holding(ip);
  }

  /** The AWS-managed prefix list (`com.amazonaws.<region>.<service>`) holding an address, if any. */
  awsServiceOf(ip: string): { id: string; name?: string } | null {
    const pl = addressRanges(this.s).awsServices.holding(ip)[0];
    if (!pl) return null;
    return pl.name ? { id: pl.id, name: pl.name } : { id: pl.id };
  }

  /** The public IPv4 mapped to a private address of an ENI (or of a NAT gateway), if any. */
  publicIpOf(eni: NetworkInterface, privateIp: string): string | null {
    const p = eni.privateIps.find((x) => x.address === privateIp);
    if (p?.publicIp) return p.publicIp;
    const nat = this.s.index.natByEni.get(eni.id);
    const a = nat?.addresses.find((x) => x.privateIp === privateIp || x.networkInterfaceId === eni.id);
    return a?.publicIp ?? null;
  }

  sameAz(a: SubnetId, b: SubnetId): boolean {
    const sa = this.s.subnets.get(a);
    const sb = this.s.subnets.get(b);
    return !!sa && !!sb && sameZone(sa, sb);
  }

  /** The first of `subnetIds` in the availability zone of `subnetId` (as `sameAz` says), if any. */
  subnetInAzOf(subnetIds: readonly SubnetId[], subnetId: SubnetId): SubnetId | undefined {
    const ref = this.s.subnets.get(subnetId);
    if (!ref) return undefined;
    return subnetIds.find((id) => {
      const sn = this.s.subnets.get(id);
      return sn !== undefined && sameZone(sn, ref);
    });
  }
}

/** Two subnets in one availability zone: by zone id when both have one (names differ across accounts), else by name. */
function sameZone(a: Subnet, b: Subnet): boolean {
  if (a.availabilityZoneId && b.availabilityZoneId) return a.availabilityZoneId === b.availabilityZoneId;
  return a.availabilityZone !== undefined && a.availabilityZone === b.availabilityZone;
}

/** A packet leaves an ENI: its SG egress (request only), then the subnet's route table. */
export function leaveEni(t: Walk, flow: Flow, eni: NetworkInterface, dstEni: NetworkInterface | null): void {
  t.rec.touched.add(eni.id);
  if (flow.side === 'forward') sgEgress(t, flow, eni, dstEni);
  else statefulReply(t, flow, eni, 'egress');
  routeFrom(t, flow, eni.subnetId, eni.subnetId);
}

export function followRoute(
  t: Walk,
  flow: Flow,
  rt: RouteTable,
  r: Route,
  matched: string,
  subnetId: SubnetId,
  originSubnet: SubnetId,
): void {
  const target = r.target;
  switch (target.kind) {
    case 'local':
      deliverInVpc(t, flow, rt.vpcId, subnetId);
      return;
    case 'peering-connection':
      crossPeering(t, flow, target.id, rt.vpcId, subnetId, matched, r.state === 'blackhole');
      return;
    case 'internet-gateway':
      igwEgress(t, flow, target.id, rt.vpcId, subnetId, false, { rt, route: r });
      return;
    case 'nat-gateway':
      natEgress(t, flow, target.id, rt.vpcId, subnetId, rt, r.state === 'blackhole');
      return;
    case 'transit-gateway':
      tgwEnter(t, flow, target.id, rt.vpcId, subnetId, originSubnet);
      return;
    case 'network-interface':
    case 'instance':
      throughAppliance(
        t,
        flow,
        target.kind === 'instance' ? target.id : null,
        target.kind === 'network-interface' ? target.id : null,
      );
      return;
    case 'vpc-endpoint':
      t.rec.stop(
        'vpc-endpoint',
        target.id,
        `${flow.dst} is routed to VPC endpoint ${target.id}: the AWS service behind it is outside the model`,
      );
      return;
    case 'egress-only-internet-gateway':
      t.rec.stop(
        'egress-only-internet-gateway',
        target.id,
        'IPv6 paths through egress-only internet gateways are not analyzed',
      );
      return;
    case 'virtual-private-gateway':
      t.rec.stop(
        'virtual-private-gateway',
        target.id,
        `${flow.dst} is routed to a VPN gateway: VPN and Direct Connect paths are outside the model`,
      );
      return;
    case 'other':
      t.rec.stop(
        'route-table',
        rt.id,
        `${flow.dst} is routed to ${target.id} (${target.field}), which the model does not cover`,
      );
      return;
  }
}

/** The local route (or a gateway that delivered into the VPC): find the interface that holds the address. */
export function deliverInVpc(t: Walk, flow: Flow, vpcId: VpcId, fromSubnet: SubnetId | null): void {
  const ip = hostOf(flow.dst);
  const eni = isHost(flow.dst) ? t.eniInVpc(ip, vpcId) : null;
  if (!eni) {
    const nat = t.s.index.natByIp.get(ip);
    if (nat && nat.vpcId === vpcId) {
      // NAT gateway interfaces are often missing from DescribeNetworkInterfaces output; the NAT says where it is.
      crossSubnets(t, flow, fromSubnet, nat.subnetId);
      natAsDestination(t, flow, nat);
      return;
    }
    if (flow.side === 'forward' && isHost(flow.dst) && t.s.presentKeys.has('NetworkInterfaces')) {
      t.rec.hop(flow, { component: 'vpc', id: vpcId, allowed: false, rule: `no network interface holds ${ip}` });
      t.rec.record({
        flow,
        code: 'NO_INTERFACE_AT_DESTINATION',
        resource: vpcId,
        message: `No network interface in ${vpcId} holds ${ip}: the packet is routed into the VPC, but nothing there answers.`,
      });
      return;
    }
    t.rec.stop('vpc', vpcId, `no network interface in ${vpcId} holds ${flow.dst} in the snapshot`);
    return;
  }
  crossSubnets(t, flow, fromSubnet, eni.subnetId);
  arriveAt(t, flow, eni);
}

/** The packet reaches an interface: a NAT gateway on the way back, or the end of this direction. */
export function arriveAt(t: Walk, flow: Flow, eni: NetworkInterface): void {
  t.rec.touched.add(eni.id);
  const nat = t.s.index.natByEni.get(eni.id) ?? (eni.interfaceType === 'nat_gateway' ? natOfEni(t, eni) : null);
  if (flow.side === 'return' && flow.natted && nat && nat.id === flow.natted.nat.id) {
    natReturn(t, flow, flow.natted);
    return;
  }
  if (flow.side === 'forward') {
    if (eni.interfaceType === 'nat_gateway' || nat) {
      natAsDestination(t, flow, nat ?? null, eni.id);
      return;
    }
    const lb = loadBalancerOf(t, eni);
    if (lb) {
      if (!nestedLoadBalancer(t, eni)) lbArrive(t, flow, eni, lb);
      return;
    }
    const endpoint = endpointOf(t, eni);
    if (endpoint) {
      endpointArrive(t, flow, eni, endpoint);
      return;
    }
    // A Classic Load Balancer's node ("ELB <name>", no type prefix): its data is not in elbv2's describe-*.
    const classic = t.instanceOf(eni) ? null : /^ELB ([^/\s]+)$/.exec(eni.description ?? '');
    if (classic?.[1]) {
      t.rec.stop(
        'load-balancer',
        classic[1],
        `${eni.id} is a node of the Classic Load Balancer ${classic[1]}: Classic Load Balancers are not analyzed (Network and Application Load Balancers are)`,
      );
      return;
    }
    if (!t.instanceOf(eni) && eni.interfaceType !== 'interface') {
      t.rec.stop(
        'network-interface',
        eni.id,
        `${eni.id} is a ${eni.interfaceType} interface${eni.description ? ` (${eni.description})` : ''}: what it answers is outside the model`,
      );
      return;
    }
    sgIngress(t, flow, eni);
    instanceState(t, flow, eni);
    if (!t.instanceOf(eni)) {
      t.rec.stop('network-interface', eni.id, `${eni.id} is attached to no instance: nothing answers on it`);
      return;
    }
  } else {
    statefulReply(t, flow, eni, 'ingress');
  }
  flow.arrived = { kind: 'eni', eni, srcSeen: flow.src };
}

/** The request, from where it starts to where it ends (or is blocked); `arrived` is set when it gets there. */
export function walkRequest(
  t: Walk,
  source: SourcePlace,
  destination: DestinationPlace,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
): Flow {
  // ---------- the request ----------
  const req = requestTraffic(t.q.protocol, t.q.port);
  if (source.kind === 'eni' && destination.kind === 'eni' && !destination.publicIp) {
    const a = t.instanceOf(source.eni);
    const b = t.instanceOf(destination.eni);
    if (source.eni.id === destination.eni.id || (a && b && a.id === b.id)) {
      // Both addresses belong to one instance: its operating system delivers the packet itself (the local
      // routing table), so no security group, ACL or route sees it.
      const fwd = newFlow('forward', t.q.protocol, req, hostCidr(source.ip), hostCidr(destination.ip));
      instanceState(t, fwd, source.eni);
      t.rec.hop(fwd, {
        component: 'instance',
        id: a?.id ?? source.eni.id,
        allowed: true,
        rule: `${destination.ip} is an address of this instance`,
        detail: 'delivered inside the instance: the packet never reaches the network',
      });
      return fwd;
    }
  }
  const fwdDst = destination.kind === 'address' ? destination.cidr : hostCidr(destination.publicIp ?? destination.ip);
  const fwd = newFlow('forward', t.q.protocol, req, source.kind === 'eni' ? hostCidr(source.ip) : source.cidr, fwdDst);
  if (source.kind === 'eni') {
    fwd.srcEni = source.eni;
    instanceState(t, fwd, source.eni);
    t.rec.touched.add(source.eni.subnetId);
    leaveEni(t, fwd, source.eni, destination.kind === 'eni' && !destination.publicIp ? destination.eni : null);
  } else {
    t.rec.hop(fwd, {
      component: 'internet',
      id: 'internet',
      allowed: true,
      rule: `from ${source.label} (${source.cidr})`,
    });
    fwd.viaInternet = true;
    if (source.private) {
      // Only a public address of the destination leads here from a private network (placeEnds stopped otherwise).
      const vpcId =
        destination.kind === 'eni'
          ? destination.eni.vpcId
          : (t.s.index.natByIp.get(hostOf(destination.cidr))?.vpcId ?? null);
      privateSourceAtGateway(t, fwd, hostOf(source.cidr), vpcId);
      return fwd;
    }
    if (destination.kind === 'address') {
      const target = isHost(destination.cidr) ? t.s.index.publicIpToEni.get(hostOf(destination.cidr)) : undefined;
      const e = target ? t.s.networkInterfaces.get(target) : undefined;
      const ip = hostOf(destination.cidr);
      const nat = isHost(destination.cidr) ? t.s.index.natByIp.get(ip) : undefined;
      if (e) igwIngress(t, fwd, e, ip);
      else if (isHost(destination.cidr) && nobodyHolds(t, fwd, ip)) {
        // reported: a public address that nothing holds any more
      } else if (nat && isPublicIp(ip)) {
        const igw = (t.s.index.vpcInternetGateways.get(nat.vpcId) ?? [])[0];
        if (igw) t.rec.hop(fwd, { component: 'internet-gateway', id: igw, allowed: true, rule: `destination ${ip}` });
        natAsDestination(t, fwd, nat);
      } else if (isHost(destination.cidr) && !isPublicIp(ip)) {
        t.rec.hop(fwd, { component: 'internet', id: 'internet', allowed: false, rule: `${ip} is a private address` });
        t.rec.record({
          flow: fwd,
          code: 'PRIVATE_DESTINATION_VIA_INTERNET',
          resource: ip,
          message: `${ip} is a private address: from ${source.label} nothing can address it.`,
          awsCode: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        });
      } else
        t.rec.stop(
          'internet',
          destination.cidr,
          'both ends are outside the snapshot: nothing of this account is on the path',
        );
    } else {
      const knownPublic = t.publicIpOf(destination.eni, destination.ip);
      if (endpoints.to.kind === 'ip' && !destination.publicIp && !isPublicIp(destination.ip)) {
        // The user gave the private address itself: no internet host can address it (DESIGN §3: an IP is routed
        // as a packet to that address would be).
        t.rec.hop(fwd, {
          component: 'internet',
          id: 'internet',
          allowed: false,
          rule: `${destination.ip} is a private address`,
        });
        t.rec.record({
          flow: fwd,
          code: 'PRIVATE_DESTINATION_VIA_INTERNET',
          resource: destination.eni.id,
          message: `${destination.ip} is a private address: from ${source.label} nothing can address it${knownPublic ? `; ${t.label(destination.eni)} is reachable from the internet at ${knownPublic}` : ''}.`,
          awsCode: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        });
        return fwd;
      }
      const publicIp = destination.publicIp ?? knownPublic;
      const endpoint = publicIp ? null : endpointOf(t, destination.eni);
      if (!publicIp && loadBalancerOf(t, destination.eni)) {
        // An internal load balancer (no public address): its node says so, then the rest of the request is traced.
        crossSubnets(t, fwd, null, destination.eni.subnetId);
        arriveAt(t, fwd, destination.eni);
      } else if (endpoint) {
        t.rec.hop(fwd, { component: 'vpc-endpoint', id: endpoint.id, allowed: false, rule: 'private addresses only' });
        t.rec.record({
          flow: fwd,
          code: 'PRIVATE_DESTINATION_VIA_INTERNET',
          resource: endpoint.id,
          message: `${endpoint.id} is an interface VPC endpoint: it has only private addresses, so from ${source.label} nothing can reach it.`,
          awsCode: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        });
      } else if (publicIp) {
        fwd.dst = hostCidr(publicIp);
        igwIngress(t, fwd, destination.eni, publicIp);
      } else {
        const inst = t.instanceOf(destination.eni);
        const who = t.label(destination.eni);
        t.rec.hop(fwd, {
          component: 'internet-gateway',
          id: (t.s.index.vpcInternetGateways.get(destination.eni.vpcId) ?? [])[0] ?? destination.eni.vpcId,
          allowed: false,
          rule: `${destination.ip} has no public IPv4 address`,
        });
        t.rec.record({
          flow: fwd,
          code: 'NO_PUBLIC_IP',
          resource: inst?.id ?? destination.eni.id,
          message: `${who} has no public or Elastic IP: from ${source.label}, the internet gateway delivers only to a public address of the interface.${ipv4Only(destination.eni)}`,
          fix: {
            action: {
              action: 'AllocateAndAssociateAddress',
              params: {
                ...(inst ? { instanceId: inst.id } : {}),
                networkInterfaceId: destination.eni.id,
                privateIp: destination.ip,
              },
            },
            summary: `Allocate an Elastic IP and associate it with ${who} (${destination.ip})`,
            warnings: [publicAddressExposure(t.s, destination.eni)],
          },
          awsCode: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        });
        t.assumedEip = { eni: destination.eni, privateIp: destination.ip };
        fwd.dst = hostCidr(ASSUMED_EIP);
        igwIngressAssumed(t, fwd, destination.eni, destination.ip);
      }
    }
  }
  return fwd;
}

/** The reply, from where the request arrived back to the client. */
export function walkReply(t: Walk, fwd: Flow, arrived: NonNullable<Flow['arrived']>, source: SourcePlace): Flow {
  // ---------- the reply ----------
  const ret = newFlow('return', t.q.protocol, replyTraffic(t.q.protocol, t.clientEphemeral), fwd.dst, arrived.srcSeen);
  const firstNat = t.nats[0] ?? null;
  if (firstNat) {
    ret.natted = firstNat;
    ret.traffic = replyTraffic(t.q.protocol, EPHEMERAL.any);
  }
  // A load balancer's targets answer its node first; then the node answers the client.
  ret.hops.push(...t.lbReplyHops);
  if (arrived.kind === 'eni') {
    ret.srcEni = arrived.eni;
    leaveEni(t, ret, arrived.eni, source.kind === 'eni' && !fwd.viaInternet ? source.eni : null);
  } else {
    t.rec.hop(ret, { component: 'internet', id: 'internet', allowed: true, rule: `reply from ${fwd.dst}` });
    ret.viaInternet = true;
    const to = hostOf(ret.dst);
    const target = t.s.index.publicIpToEni.get(to);
    const e = target ? t.s.networkInterfaces.get(target) : undefined;
    const natTarget = t.s.index.natByIp.get(to);
    const natEniId = natTarget?.addresses.find((a) => a.publicIp === to)?.networkInterfaceId;
    const natEni = natEniId ? t.s.networkInterfaces.get(natEniId) : undefined;
    if (e) igwIngress(t, ret, e, to);
    else if (natEni) igwIngress(t, ret, natEni, to);
    else if (to === ASSUMED_EIP && t.assumedEip) igwIngressAssumed(t, ret, t.assumedEip.eni, t.assumedEip.privateIp);
    else t.rec.stop('internet', ret.dst, `the reply's destination ${ret.dst} is outside the snapshot`);
  }
  return ret;
}

/**
 * For an interface that also has IPv6 addresses: this answer is about IPv4 (IPv6 paths are not analyzed), which a
 * NO_PUBLIC_IP alone would hide from someone who reaches it over IPv6.
 */
export function ipv4Only(eni: NetworkInterface): string {
  const v6 = eni.ipv6Addresses;
  if (v6.length === 0) return '';
  return ` This answer is for IPv4: ${eni.id} also has IPv6 ${v6.length === 1 ? 'address' : 'addresses'} ${v6.join(', ')}, and IPv6 paths are not analyzed.`;
}
