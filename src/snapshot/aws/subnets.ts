/** Subnets (DescribeSubnets). */
import type { Subnet, SubnetId, VpcId } from '../../model/index.js';
import { dedup, type Inputs } from '../merge.js';
import { associatedIpv6, intern, origin, regionFromAz, tagsOf, withName } from './shared.js';

export function subnetsFrom(inp: Inputs): Map<SubnetId, Subnet> {
  const subnets = new Map<SubnetId, Subnet>();
  for (const [id, { value: s, file }] of dedup(
    inp.Subnets,
    (s) => s.SubnetId,
    (s) => s.OwnerId,
  )) {
    const tags = tagsOf(s.Tags);
    const subnet: Subnet = {
      id: id as SubnetId,
      vpcId: intern(s.VpcId as VpcId),
      cidr: s.CidrBlock ?? '',
      ipv6Cidrs: associatedIpv6(s.Ipv6CidrBlockAssociationSet),
      mapPublicIpOnLaunch: !!s.MapPublicIpOnLaunch,
      tags,
    };
    if (s.AvailabilityZone) subnet.availabilityZone = intern(s.AvailabilityZone);
    if (s.AvailabilityZoneId) subnet.availabilityZoneId = intern(s.AvailabilityZoneId);
    subnets.set(
      subnet.id,
      origin(withName(subnet, tags), s.OwnerId ?? file.accountId, file.region ?? regionFromAz(s.AvailabilityZone)),
    );
  }
  return subnets;
}
