/** VPC peering connections (DescribeVpcPeeringConnections). */
import type { PeeringSide, VpcId, VpcPeeringConnection, VpcPeeringConnectionId } from '../../model/index.js';
import { dedup, type Inputs, type Item } from '../merge.js';
import { origin, tagsOf, withName } from './shared.js';

function sideOf(raw: Item<'VpcPeeringConnections'>['RequesterVpcInfo']): PeeringSide {
  const cidrs: string[] = [];
  for (const c of raw?.CidrBlockSet ?? []) if (c.CidrBlock && !cidrs.includes(c.CidrBlock)) cidrs.push(c.CidrBlock);
  if (raw?.CidrBlock && !cidrs.includes(raw.CidrBlock)) cidrs.unshift(raw.CidrBlock);
  const side: PeeringSide = { vpcId: (raw?.VpcId ?? '') as VpcId, cidrs };
  if (raw?.OwnerId) side.ownerId = raw.OwnerId;
  if (raw?.Region) side.region = raw.Region;
  return side;
}

/** The same pcx appears in both accounts' files: the requester owner's copy is kept. */
export function peeringConnectionsFrom(inp: Inputs): Map<VpcPeeringConnectionId, VpcPeeringConnection> {
  const peeringConnections = new Map<VpcPeeringConnectionId, VpcPeeringConnection>();
  for (const [id, { value: p, file }] of dedup(
    inp.VpcPeeringConnections,
    (p) => p.VpcPeeringConnectionId,
    (p) => p.RequesterVpcInfo?.OwnerId,
  )) {
    const tags = tagsOf(p.Tags);
    const requester = sideOf(p.RequesterVpcInfo);
    const pcx: VpcPeeringConnection = {
      id: id as VpcPeeringConnectionId,
      status: p.Status?.Code ?? 'unknown',
      requester,
      accepter: sideOf(p.AccepterVpcInfo),
      tags,
    };
    peeringConnections.set(
      pcx.id,
      origin(withName(pcx, tags), requester.ownerId ?? file.accountId, requester.region ?? file.region),
    );
  }
  return peeringConnections;
}
