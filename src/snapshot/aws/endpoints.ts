/** VPC endpoints (DescribeVpcEndpoints): interface, gateway and Gateway Load Balancer endpoints. */
import type {
  NetworkInterfaceId,
  RouteTableId,
  SecurityGroupId,
  SubnetId,
  VpcEndpoint,
  VpcEndpointId,
  VpcId,
} from '../../model/index.js';
import type { Inputs } from '../merge.js';
import { origin, tagsOf } from './shared.js';

export function vpcEndpointsFrom(inp: Inputs): Map<VpcEndpointId, VpcEndpoint> {
  const vpcEndpoints = new Map<VpcEndpointId, VpcEndpoint>();
  for (const { value: e, file } of inp.VpcEndpoints) {
    const id = e.VpcEndpointId as VpcEndpointId;
    if (vpcEndpoints.has(id)) continue;
    const ep: VpcEndpoint = {
      id,
      type: e.VpcEndpointType ?? 'Interface',
      vpcId: (e.VpcId ?? '') as VpcId,
      serviceName: e.ServiceName ?? '',
      state: e.State ?? 'unknown',
      routeTableIds: (e.RouteTableIds ?? []) as RouteTableId[],
      subnetIds: (e.SubnetIds ?? []) as SubnetId[],
      networkInterfaceIds: (e.NetworkInterfaceIds ?? []) as NetworkInterfaceId[],
      groupIds: (e.Groups ?? []).map((g) => g.GroupId as SecurityGroupId),
      tags: tagsOf(e.Tags),
    };
    const dns = (e.DnsEntries ?? []).flatMap((d) => (d.DnsName ? [d.DnsName] : []));
    if (dns.length) ep.dnsNames = dns;
    vpcEndpoints.set(id, origin(ep, e.OwnerId ?? file.accountId, file.region));
  }
  return vpcEndpoints;
}
