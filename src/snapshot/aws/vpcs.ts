/** VPCs (DescribeVpcs): CIDRs in AWS order, primary first. */
import type { Vpc, VpcId } from '../../model/index.js';
import { dedup, type Inputs } from '../merge.js';
import { associatedIpv6, origin, tagsOf, withName } from './shared.js';

export function vpcsFrom(inp: Inputs): Map<VpcId, Vpc> {
  const vpcs = new Map<VpcId, Vpc>();
  for (const [id, { value: v, file }] of dedup(
    inp.Vpcs,
    (v) => v.VpcId,
    (v) => v.OwnerId,
  )) {
    const associated = (v.CidrBlockAssociationSet ?? [])
      .filter((a) => (a.CidrBlockState?.State ?? 'associated') === 'associated')
      .map((a) => a.CidrBlock);
    let cidrs: string[];
    if (v.CidrBlockAssociationSet && v.CidrBlockAssociationSet.length > 0) {
      cidrs = associated;
      // Primary first: the VPC's CidrBlock, then the secondary blocks in association order.
      if (v.CidrBlock && cidrs.includes(v.CidrBlock)) cidrs = [v.CidrBlock, ...cidrs.filter((c) => c !== v.CidrBlock)];
    } else cidrs = v.CidrBlock ? [v.CidrBlock] : [];
    const ipv6Cidrs = associatedIpv6(v.Ipv6CidrBlockAssociationSet);
    const tags = tagsOf(v.Tags);
    const vpc: Vpc = { id: id as VpcId, cidrs, ipv6Cidrs, isDefault: !!v.IsDefault, tags };
    vpcs.set(vpc.id, origin(withName(vpc, tags), v.OwnerId ?? file.accountId, file.region));
  }
  return vpcs;
}
