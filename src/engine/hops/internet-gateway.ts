/** Internet gateways: out to the internet (a public address needed), in to a public address, or a new gateway. */

import type {
  FixAction,
  InternetGateway,
  InternetGatewayId,
  NetworkInterface,
  Route,
  RouteTable,
  SubnetId,
  VpcId,
} from '../../model/index.js';
import { hostCidr, isRfc1918, isRfc6598 } from '../../net/ip.js';
import { publicAddressExposure } from '../exposure.js';
import { makeFix } from '../fixes.js';
import { type Flow, hostOf, isHost } from '../flow.js';
import { selectRoute } from '../routes.js';
import { arriveAt, ipv4Only, type Walk } from '../walk.js';
import { natAsDestination, natOfEni } from './nat-gateway.js';
import { checkNacl, crossSubnets } from './network-acl.js';

/**
 * Stands for the Elastic IP a NO_PUBLIC_IP fix would add, so the trace can go on as if fixed. A documentation
 * address (RFC 5737 TEST-NET-1): public as far as routes and rules are concerned, and never a real host.
 */
export const ASSUMED_EIP = '192.0.2.1';

/** A route the CreateAndAttachInternetGateway fix makes once the new gateway is attached. */
export interface IgwRoute {
  routeTableId: RouteTable['id'];
  destinationCidrBlock: string;
  /** The dead gateway the route names now, when an existing route is replaced. */
  previousTarget?: string;
}

/**
 * The fix that creates an internet gateway, attaches it to `vpcId` and makes the route a path needs through it.
 * One plan per VPC and diagnosis (so "apply all" creates one gateway): the first route asked for goes into it,
 * and findings that asked earlier, without a route, get the plan with the route.
 */
export function newIgwFix(t: Walk, vpcId: VpcId, route?: IgwRoute): { action: FixAction; summary: string } {
  if (route && !t.igwRoutes.has(vpcId)) {
    t.igwRoutes.set(vpcId, route);
    const fix = igwFixFor(t, vpcId);
    const earlier = t.rec.findings.filter(
      (f) => f.fix?.action === 'CreateAndAttachInternetGateway' && f.fix.params.vpcId === vpcId,
    );
    const first = earlier[0];
    if (first) {
      const plan = makeFix(first.code, first.resource, fix.action, fix.summary);
      for (const f of earlier) f.fix = plan;
    }
  }
  return igwFixFor(t, vpcId);
}

export function igwFixFor(t: Walk, vpcId: VpcId): { action: FixAction; summary: string } {
  const r = t.igwRoutes.get(vpcId);
  const summary = !r
    ? `Create an internet gateway and attach it to ${vpcId}`
    : r.previousTarget
      ? `Create an internet gateway, attach it to ${vpcId} and point ${r.destinationCidrBlock} in ${r.routeTableId} at it instead of ${r.previousTarget}`
      : `Create an internet gateway, attach it to ${vpcId} and add route ${r.destinationCidrBlock} → it to ${r.routeTableId}`;
  return { action: { action: 'CreateAndAttachInternetGateway', params: { vpcId, ...r } }, summary };
}

/** Out through an internet gateway: the source needs a public IP; RFC 1918/6598 destinations are dropped. */
export function igwEgress(
  t: Walk,
  flow: Flow,
  igwId: string | null,
  vpcId: VpcId,
  fromSubnet: SubnetId,
  assumed: boolean,
  via?: { rt: RouteTable; route: Route },
): void {
  const dstIp = hostOf(flow.dst);
  const igw: InternetGateway | undefined = igwId ? t.s.internetGateways.get(igwId as `igw-${string}`) : undefined;
  // Without InternetGateways in the snapshot, the route's own state is all there is to go by.
  const attached =
    igwId !== null &&
    (!t.s.presentKeys.has('InternetGateways') ||
      (t.s.index.vpcInternetGateways.get(vpcId) ?? []).includes(igwId as `igw-${string}`));
  if (isHost(flow.dst) && (isRfc1918(dstIp) || isRfc6598(dstIp))) {
    t.rec.hop(flow, {
      component: 'internet-gateway',
      id: igwId ?? vpcId,
      allowed: false,
      rule: `${dstIp} is a private address`,
    });
    t.rec.record({
      flow,
      ...(isRfc6598(dstIp) ? { awsCode: 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS' as const } : {}),
      code: 'PRIVATE_DESTINATION_VIA_INTERNET',
      resource: igwId ?? vpcId,
      message: `${dstIp} is a private (RFC 1918/6598) address, but the route sends it to internet gateway ${igwId}: an internet gateway never forwards private destinations.`,
    });
    return;
  }
  if (igwId && !attached && !assumed) {
    // The route names a gateway that is not attached: point it at the one attached now, or create one with it.
    const other = (t.s.index.vpcInternetGateways.get(vpcId) ?? [])[0];
    const cidr = via?.route.destination.kind === 'cidr' ? via.route.destination.cidr : undefined;
    let fix: { action: FixAction; summary: string } | null = null;
    if (via && cidr && other) {
      fix = {
        action: {
          action: 'ReplaceRoute',
          params: {
            routeTableId: via.rt.id,
            destinationCidrBlock: cidr,
            target: { gatewayId: other },
            previousTarget: igwId,
          },
        },
        summary: `Point ${cidr} in ${via.rt.id} at ${other} instead of ${igwId}`,
      };
    } else if (!other) {
      fix = newIgwFix(
        t,
        vpcId,
        via && cidr ? { routeTableId: via.rt.id, destinationCidrBlock: cidr, previousTarget: igwId } : undefined,
      );
    }
    t.rec.record({
      flow,
      code: 'INTERNET_GATEWAY_NOT_ATTACHED',
      resource: igwId,
      message: `Internet gateway ${igwId} is not attached to ${vpcId}${igw ? '' : ' (it is not in the snapshot)'}.`,
      fix,
    });
  }
  checkNacl(t, flow, fromSubnet, true);
  // The source must be a private address paired with a public IP on an ENI of this VPC.
  const srcIp = hostOf(flow.src);
  const srcEni = t.eniInVpc(srcIp, vpcId);
  let publicIp = srcEni ? t.publicIpOf(srcEni, srcIp) : null;
  if (!publicIp && srcEni && t.assumedEip?.eni.id === srcEni.id && t.assumedEip.privateIp === srcIp) {
    publicIp = ASSUMED_EIP;
    t.rec.hop(flow, {
      component: 'internet-gateway',
      id: igwId ?? vpcId,
      allowed: true,
      rule: `source ${srcIp} → (new Elastic IP)`,
      detail: 'assuming the Elastic IP the fix adds',
    });
  } else if (!publicIp) {
    const who = srcEni ? t.label(srcEni) : srcIp;
    const inst = srcEni ? t.instanceOf(srcEni) : null;
    // A private NAT gateway has no public address and can be given none: the internet gateway drops what it sends.
    const privateNat = srcEni ? natOfEni(t, srcEni) : null;
    t.rec.hop(flow, {
      component: 'internet-gateway',
      id: igwId ?? vpcId,
      allowed: false,
      rule: `${srcIp} has no public IPv4 address`,
      ...(privateNat?.connectivityType === 'private' ? { detail: `${privateNat.id} is a private NAT gateway` } : {}),
    });
    const viaPeer = srcEni === null;
    t.rec.record({
      flow,
      code: viaPeer ? 'PEERING_NOT_TRANSITIVE' : 'NO_PUBLIC_IP',
      resource: viaPeer ? vpcId : (inst?.id ?? privateNat?.id ?? srcEni?.id ?? srcIp),
      message: viaPeer
        ? `${srcIp} is not an address of ${vpcId}: its internet gateway does not carry traffic from other networks (no edge-to-edge routing).`
        : privateNat?.connectivityType === 'private'
          ? `NAT gateway ${privateNat.id} is a private NAT gateway (no Elastic IP can be associated with one), so internet gateway ${igwId ?? ''} drops the traffic it sends: internet-bound traffic needs a route to a public NAT gateway.`
          : `${who} has no public or Elastic IP, so internet gateway ${igwId ?? ''} cannot carry its traffic ${flow.side === 'return' ? 'back ' : ''}to the internet.${srcEni ? ipv4Only(srcEni) : ''}`,
      fix:
        srcEni && srcEni.interfaceType === 'interface'
          ? {
              action: {
                action: 'AllocateAndAssociateAddress',
                params: { ...(inst ? { instanceId: inst.id } : {}), networkInterfaceId: srcEni.id, privateIp: srcIp },
              },
              summary: `Allocate an Elastic IP and associate it with ${who} (${srcIp})`,
              warnings: [publicAddressExposure(t.s, srcEni)],
            }
          : null,
    });
    if (viaPeer || !srcEni) return;
    publicIp = ASSUMED_EIP;
    t.assumedEip = { eni: srcEni, privateIp: srcIp };
  } else {
    t.rec.hop(flow, {
      component: 'internet-gateway',
      id: igwId ?? vpcId,
      allowed: true,
      rule: `source ${srcIp} → ${publicIp}`,
    });
  }
  flow.src = hostCidr(publicIp);
  flow.srcEni = null;
  flow.viaInternet = true;
  if (dstIp === ASSUMED_EIP && t.assumedEip) {
    igwIngressAssumed(t, flow, t.assumedEip.eni, t.assumedEip.privateIp);
    return;
  }
  // On the internet: an address of some ENI in the snapshot comes back in through its VPC's gateway.
  const target = isHost(flow.dst) ? t.s.index.publicIpToEni.get(dstIp) : undefined;
  const targetEni = target ? t.s.networkInterfaces.get(target) : undefined;
  if (targetEni) {
    igwIngress(t, flow, targetEni, dstIp);
    return;
  }
  const natTarget = isHost(flow.dst) ? t.s.index.natByIp.get(dstIp) : undefined;
  if (natTarget) {
    const natEni = natTarget.addresses.find((a) => a.publicIp === dstIp)?.networkInterfaceId;
    const e = natEni ? t.s.networkInterfaces.get(natEni) : undefined;
    if (e) {
      igwIngress(t, flow, e, dstIp);
      return;
    }
    if (flow.side === 'forward') {
      const igw = (t.s.index.vpcInternetGateways.get(natTarget.vpcId) ?? [])[0];
      if (igw) t.rec.hop(flow, { component: 'internet-gateway', id: igw, allowed: true, rule: `destination ${dstIp}` });
      natAsDestination(t, flow, natTarget);
      return;
    }
  }
  if (flow.side === 'forward' && isHost(flow.dst) && nobodyHolds(t, flow, dstIp)) return;
  t.rec.hop(flow, { component: 'internet', id: 'internet', allowed: true, rule: `to ${flow.dst}` });
  const service = flow.side === 'forward' && isHost(flow.dst) ? t.awsServiceOf(dstIp) : null;
  if (service) {
    t.rec.stop(
      'internet',
      service.id,
      `${dstIp} is an address of ${service.name ?? service.id}: which protocols and ports an AWS service answers is outside the model`,
    );
    return;
  }
  flow.arrived = { kind: 'internet', srcSeen: flow.src };
}

/** In from the internet to a public IP: the VPC needs an attached internet gateway; the address is translated. */
export function igwIngress(t: Walk, flow: Flow, eni: NetworkInterface, publicIp: string): void {
  const igws = t.s.index.vpcInternetGateways.get(eni.vpcId) ?? [];
  const igw = igws[0] ?? (t.s.presentKeys.has('InternetGateways') ? undefined : igwFromRoutes(t, eni.vpcId));
  const privateIp =
    eni.privateIps.find((p) => p.publicIp === publicIp)?.address ??
    t.s.index.natByIp.get(publicIp)?.addresses.find((a) => a.publicIp === publicIp)?.privateIp ??
    eni.privateIps[0]?.address;
  if (!igw && !t.s.presentKeys.has('InternetGateways')) {
    t.rec.stop(
      'internet-gateway',
      eni.vpcId,
      `the snapshot has no InternetGateways: whether ${eni.vpcId} has one is unknown`,
    );
    return;
  }
  if (!igw) {
    t.rec.hop(flow, {
      component: 'internet-gateway',
      id: eni.vpcId,
      allowed: false,
      rule: `no internet gateway attached to ${eni.vpcId}`,
    });
    t.rec.record({
      flow,
      code: 'INTERNET_GATEWAY_NOT_ATTACHED',
      resource: eni.vpcId,
      message: `${eni.vpcId} has no attached internet gateway, so nothing from the internet reaches ${publicIp}.`,
      fix: newIgwFix(t, eni.vpcId),
    });
  } else {
    t.rec.hop(flow, {
      component: 'internet-gateway',
      id: igw,
      allowed: true,
      rule: `destination ${publicIp} → ${privateIp ?? '?'}`,
    });
  }
  const edge = igw ? t.s.index.gatewayRouteTables.get(igw) : undefined;
  if (edge && privateIp) {
    const m = selectRoute(t.s, edge, hostCidr(privateIp));
    if (m && m.route.target.kind !== 'local') {
      t.rec.stop(
        'route-table',
        edge.id,
        `ingress routing in ${edge.id} sends ${privateIp} to ${m.route.text}: middlebox paths are outside the model`,
      );
      return;
    }
  }
  if (!privateIp) {
    t.rec.stop('network-interface', eni.id, `no private address of ${eni.id} maps to ${publicIp}`);
    return;
  }
  flow.dst = hostCidr(privateIp);
  flow.viaInternet = true;
  crossSubnets(t, flow, null, eni.subnetId);
  arriveAt(t, flow, eni);
}

/** Without InternetGateways in the snapshot: the internet gateway the VPC's active routes point at, if any. */
export function igwFromRoutes(t: Walk, vpcId: VpcId): InternetGatewayId | undefined {
  for (const rt of t.s.routeTables.values()) {
    if (rt.vpcId !== vpcId) continue;
    for (const r of rt.routes) if (r.target.kind === 'internet-gateway' && r.state === 'active') return r.target.id;
  }
  return undefined;
}

/** In from the internet as if the interface had the public IP a fix would give it (after a NO_PUBLIC_IP). */
export function igwIngressAssumed(t: Walk, flow: Flow, eni: NetworkInterface, privateIp: string): void {
  const igw = (t.s.index.vpcInternetGateways.get(eni.vpcId) ?? [])[0];
  if (!igw && t.s.presentKeys.has('InternetGateways')) {
    t.rec.record({
      flow,
      code: 'INTERNET_GATEWAY_NOT_ATTACHED',
      resource: eni.vpcId,
      message: `${eni.vpcId} has no attached internet gateway, so nothing from the internet reaches ${t.label(eni)}.`,
      fix: newIgwFix(t, eni.vpcId),
    });
  }
  t.rec.hop(flow, {
    component: 'internet-gateway',
    id: igw ?? eni.vpcId,
    allowed: true,
    rule: `destination (new Elastic IP) → ${privateIp}`,
    detail: 'assuming the Elastic IP the fix adds',
  });
  flow.dst = hostCidr(privateIp);
  flow.viaInternet = true;
  crossSubnets(t, flow, null, eni.subnetId);
  arriveAt(t, flow, eni);
}

/**
 * A public address the snapshot knows nothing holds now (a deleted NAT gateway's, an Elastic IP associated with
 * nothing): the packet crosses the internet to AWS and is answered by no one. Reports it and returns true.
 */
export function nobodyHolds(t: Walk, flow: Flow, ip: string): boolean {
  const was = t.s.index.unheldAddresses.get(ip);
  if (!was) return false;
  t.rec.hop(flow, { component: 'internet', id: 'internet', allowed: false, rule: `nothing holds ${ip}` });
  t.rec.record({
    flow,
    code: 'NO_INTERFACE_AT_DESTINATION',
    resource: was.id,
    message: `No network interface holds ${ip}: ${was.why}, so nothing answers at that address.`,
  });
  return true;
}

/**
 * A packet from a private (RFC 1918/6598) address outside the snapshot to a public address of the snapshot: it can
 * only arrive over the internet, and an internet gateway drops inbound traffic from such sources.
 */
export function privateSourceAtGateway(t: Walk, flow: Flow, srcIp: string, vpcId: VpcId | null): void {
  const igw = vpcId ? (t.s.index.vpcInternetGateways.get(vpcId) ?? [])[0] : undefined;
  const id = igw ?? vpcId ?? 'internet';
  t.rec.hop(flow, {
    component: igw || vpcId ? 'internet-gateway' : 'internet',
    id,
    allowed: false,
    rule: `source ${srcIp} is a private address`,
  });
  t.rec.record({
    flow,
    code: 'PRIVATE_SOURCE_VIA_INTERNET',
    resource: id,
    message: `${srcIp} is a private (${isRfc6598(srcIp) ? 'RFC 6598' : 'RFC 1918'}) address outside the snapshot, and ${flow.dst} is reached only over the internet: an internet gateway drops inbound traffic from private sources (a host on a private network reaches a public address through its own NAT, with a public source).`,
    awsCode: isRfc6598(srcIp)
      ? 'IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS'
      : 'IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS',
  });
}
