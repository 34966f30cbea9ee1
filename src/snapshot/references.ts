/**
 * Link: what one noun learns from another once both are normalized (a VPC's region from its subnets, an Elastic IP
 * on its ENI's private IP, ENIs an instance did not list), and references checked once their targets exist.
 */
import type {
  ElasticAddress,
  Instance,
  InstanceId,
  NetworkInterface,
  NetworkInterfaceId,
  RouteTarget,
  Snapshot,
  Subnet,
  SubnetId,
  Vpc,
  VpcId,
} from '../model/index.js';
import type { LaterTargetCheck } from './aws/route-tables.js';
import { pushTo } from './aws/shared.js';
import type { Warn } from './merge.js';

/** A VPC without a region from its file takes its subnets' region. */
export function inheritVpcRegions(vpcs: ReadonlyMap<VpcId, Vpc>, subnets: ReadonlyMap<SubnetId, Subnet>): void {
  for (const subnet of subnets.values()) {
    const vpc = vpcs.get(subnet.vpcId);
    if (vpc && !vpc.region && subnet.region) vpc.region = subnet.region;
  }
}

/**
 * Whether a route's target is in the snapshot. ENIs and instances are checked after they are built
 * (checkRouteTargets); local, VGW and others are not modelled.
 */
export function knownTargetIn(
  s: Pick<
    Snapshot,
    | 'peeringConnections'
    | 'natGateways'
    | 'internetGateways'
    | 'egressOnlyInternetGateways'
    | 'transitGateways'
    | 'vpcEndpoints'
  >,
): (t: RouteTarget) => boolean {
  return (t) => {
    switch (t.kind) {
      case 'peering-connection':
        return s.peeringConnections.has(t.id);
      case 'nat-gateway':
        return s.natGateways.has(t.id);
      case 'internet-gateway':
        return s.internetGateways.has(t.id);
      case 'egress-only-internet-gateway':
        return s.egressOnlyInternetGateways.has(t.id);
      case 'transit-gateway':
        return s.transitGateways.has(t.id);
      case 'vpc-endpoint':
        return s.vpcEndpoints.has(t.id);
      default:
        return true;
    }
  };
}

/** ENIs that name an instance the instance did not list (e.g. Reservations trimmed): attached by device index. */
export function attachUnlistedInterfaces(
  instances: ReadonlyMap<InstanceId, Instance>,
  networkInterfaces: ReadonlyMap<NetworkInterfaceId, NetworkInterface>,
): void {
  const extra = new Map<InstanceId, { id: NetworkInterfaceId; device: number }[]>();
  for (const eni of networkInterfaces.values()) {
    const instId = eni.attachment?.instanceId;
    if (!instId) continue;
    const inst = instances.get(instId);
    if (inst && !inst.networkInterfaceIds.includes(eni.id))
      pushTo(extra, instId, { id: eni.id, device: eni.attachment?.deviceIndex ?? 99 });
  }
  for (const [instId, list] of extra) {
    const inst = instances.get(instId);
    if (!inst) continue;
    const all = [
      ...inst.networkInterfaceIds.map((id) => ({
        id,
        device: networkInterfaces.get(id)?.attachment?.deviceIndex ?? 99,
      })),
      ...list,
    ];
    all.sort((x, y) => x.device - y.device);
    inst.networkInterfaceIds = all.map((a) => a.id);
  }
}

/** Records each associated Elastic IP on the private IP of its ENI (the instance's first ENI when only it is named). */
export function placeAddresses(
  addresses: ReadonlyMap<string, ElasticAddress>,
  instances: ReadonlyMap<InstanceId, Instance>,
  networkInterfaces: ReadonlyMap<NetworkInterfaceId, NetworkInterface>,
  warn: Warn,
): void {
  for (const addr of addresses.values()) {
    let eniId = addr.networkInterfaceId;
    if (!eniId && addr.instanceId) eniId = instances.get(addr.instanceId)?.networkInterfaceIds[0];
    if (!eniId) continue;
    const eni = networkInterfaces.get(eniId);
    if (!eni) {
      warn(
        'DANGLING_REFERENCE',
        `Elastic IP ${addr.publicIp} is associated with ${eniId}, which is not in the snapshot`,
        [addr.publicIp, eniId],
      );
      continue;
    }
    const pip =
      (addr.privateIp ? eni.privateIps.find((p) => p.address === addr.privateIp) : undefined) ?? eni.privateIps[0];
    if (!pip) continue;
    if (!pip.publicIp || pip.publicIp === addr.publicIp) {
      pip.publicIp = addr.publicIp;
      if (addr.allocationId) pip.allocationId = addr.allocationId;
    }
  }
}

/** Routes to an ENI or an instance, checked now that both exist. */
export function checkRouteTargets(
  checks: readonly LaterTargetCheck[],
  instances: ReadonlyMap<InstanceId, Instance>,
  networkInterfaces: ReadonlyMap<NetworkInterfaceId, NetworkInterface>,
  warn: Warn,
): void {
  for (const { rtb, t } of checks) {
    const ok =
      t.kind === 'network-interface'
        ? networkInterfaces.has(t.id as NetworkInterfaceId)
        : instances.has(t.id as InstanceId);
    if (!ok && 'id' in t)
      warn('DANGLING_REFERENCE', `route table ${rtb}: a route targets ${t.id}, which is not in the snapshot`, [
        rtb,
        t.id,
      ]);
  }
}
