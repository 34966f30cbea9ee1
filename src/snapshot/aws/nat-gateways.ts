/** NAT gateways (DescribeNatGateways). */
import type {
  AllocationId,
  NatGateway,
  NatGatewayId,
  NetworkInterfaceId,
  Subnet,
  SubnetId,
  VpcId,
} from '../../model/index.js';
import { dedup, type Inputs } from '../merge.js';
import { origin, tagsOf, withName } from './shared.js';

/** A NAT gateway's region comes from its file, else from its subnet. */
export function natGatewaysFrom(inp: Inputs, subnets: ReadonlyMap<SubnetId, Subnet>): Map<NatGatewayId, NatGateway> {
  const natGateways = new Map<NatGatewayId, NatGateway>();
  // NAT gateways carry no owner id: the first copy stays.
  for (const [id, { value: n, file }] of dedup(
    inp.NatGateways,
    (n) => n.NatGatewayId,
    () => undefined,
  )) {
    const tags = tagsOf(n.Tags);
    const nat: NatGateway = {
      id: id as NatGatewayId,
      vpcId: (n.VpcId ?? '') as VpcId,
      subnetId: (n.SubnetId ?? '') as SubnetId,
      state: n.State ?? 'unknown',
      connectivityType: n.ConnectivityType === 'private' ? 'private' : 'public',
      addresses: (n.NatGatewayAddresses ?? []).map((a) => {
        const addr: NatGateway['addresses'][number] = {};
        if (a.PrivateIp) addr.privateIp = a.PrivateIp;
        if (a.PublicIp) addr.publicIp = a.PublicIp;
        if (a.AllocationId) addr.allocationId = a.AllocationId as AllocationId;
        if (a.NetworkInterfaceId) addr.networkInterfaceId = a.NetworkInterfaceId as NetworkInterfaceId;
        return addr;
      }),
      tags,
    };
    natGateways.set(
      nat.id,
      origin(withName(nat, tags), file.accountId, file.region ?? subnets.get(nat.subnetId)?.region),
    );
  }
  return natGateways;
}
