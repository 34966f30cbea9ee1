/** Elastic IPs (DescribeAddresses), one per public IP. */
import type { AllocationId, ElasticAddress, InstanceId, NetworkInterfaceId } from '../../model/index.js';
import type { Inputs } from '../merge.js';
import { origin, tagsOf } from './shared.js';

/** A later copy of an address replaces the kept one only when it comes from the interface owner's account files. */
export function addressesFrom(inp: Inputs): Map<string, ElasticAddress> {
  const addresses = new Map<string, ElasticAddress>();
  for (const { value: a, file } of inp.Addresses) {
    if (addresses.has(a.PublicIp)) {
      if (!(a.NetworkInterfaceOwnerId && a.NetworkInterfaceOwnerId === file.accountId)) continue;
    }
    const addr: ElasticAddress = { publicIp: a.PublicIp, tags: tagsOf(a.Tags) };
    if (a.AllocationId) addr.allocationId = a.AllocationId as AllocationId;
    if (a.AssociationId) addr.associationId = a.AssociationId;
    if (a.NetworkInterfaceId) addr.networkInterfaceId = a.NetworkInterfaceId as NetworkInterfaceId;
    if (a.InstanceId) addr.instanceId = a.InstanceId as InstanceId;
    if (a.PrivateIpAddress) addr.privateIp = a.PrivateIpAddress;
    addresses.set(addr.publicIp, origin(addr, file.accountId, file.region));
  }
  return addresses;
}
