/**
 * Transit gateways, their attachments (VPC and peering), route tables, static and propagated routes. A static route
 * wins over a propagated route to the same CIDR, so the propagated one is left out.
 */
import type {
  PrefixList,
  PrefixListId,
  SubnetId,
  TransitGateway,
  TransitGatewayAttachment,
  TransitGatewayAttachmentId,
  TransitGatewayId,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  TransitGatewayRouteTableId,
  Vpc,
  VpcId,
} from '../../model/index.js';
import { dedup, type Inputs, type Warn } from '../merge.js';
import { tgwRouteText } from '../text.js';
import { origin, tagsOf, withName } from './shared.js';

export function transitGatewaysFrom(inp: Inputs): Map<TransitGatewayId, TransitGateway> {
  const transitGateways = new Map<TransitGatewayId, TransitGateway>();
  for (const [id, { value: t, file }] of dedup(
    inp.TransitGateways,
    (t) => t.TransitGatewayId,
    (t) => t.OwnerId,
  )) {
    const tags = tagsOf(t.Tags);
    const tgw: TransitGateway = { id: id as TransitGatewayId, state: t.State ?? 'unknown', tags };
    if (t.Options?.AssociationDefaultRouteTableId)
      tgw.defaultAssociationRouteTableId = t.Options.AssociationDefaultRouteTableId as TransitGatewayRouteTableId;
    if (t.Options?.PropagationDefaultRouteTableId)
      tgw.defaultPropagationRouteTableId = t.Options.PropagationDefaultRouteTableId as TransitGatewayRouteTableId;
    if (t.Options?.SecurityGroupReferencingSupport)
      tgw.securityGroupReferencingSupport = t.Options.SecurityGroupReferencingSupport;
    transitGateways.set(tgw.id, origin(withName(tgw, tags), t.OwnerId ?? file.accountId, file.region));
  }
  return transitGateways;
}

/**
 * Transit gateway attachments. A peering attachment has one id and two sides (one per TGW): the first side seen is
 * the attachment, the other side is kept in peer* fields.
 */
export function transitGatewayAttachmentsFrom(inp: Inputs): Map<TransitGatewayAttachmentId, TransitGatewayAttachment> {
  const transitGatewayAttachments = new Map<TransitGatewayAttachmentId, TransitGatewayAttachment>();
  for (const { value: a, file } of inp.TransitGatewayAttachments) {
    const id = a.TransitGatewayAttachmentId as TransitGatewayAttachmentId;
    const prev = transitGatewayAttachments.get(id);
    const assoc =
      a.Association?.TransitGatewayRouteTableId && (a.Association.State ?? 'associated') === 'associated'
        ? (a.Association.TransitGatewayRouteTableId as TransitGatewayRouteTableId)
        : undefined;
    if (prev) {
      if (prev.transitGatewayId !== a.TransitGatewayId && prev.resourceType === 'peering') {
        if (assoc) prev.peerAssociatedRouteTableId = assoc;
        if (file.region) prev.peerRegion = file.region;
        if (a.TransitGatewayOwnerId) prev.peerAccountId = a.TransitGatewayOwnerId;
      }
      continue;
    }
    const tags = tagsOf(a.Tags);
    const att: TransitGatewayAttachment = {
      id,
      transitGatewayId: a.TransitGatewayId as TransitGatewayId,
      resourceType: a.ResourceType ?? 'unknown',
      resourceId: a.ResourceId ?? '',
      state: a.State ?? 'unknown',
      subnetIds: [],
      tags,
    };
    if (assoc) att.associatedRouteTableId = assoc;
    if (att.resourceType === 'peering' && a.ResourceId) att.peerTransitGatewayId = a.ResourceId as TransitGatewayId;
    transitGatewayAttachments.set(
      id,
      origin(withName(att, tags), a.TransitGatewayOwnerId ?? file.accountId, file.region),
    );
  }
  for (const { value: a, file } of inp.TransitGatewayVpcAttachments) {
    const id = a.TransitGatewayAttachmentId as TransitGatewayAttachmentId;
    let att = transitGatewayAttachments.get(id);
    if (!att) {
      const tags = tagsOf(a.Tags);
      att = origin(
        withName(
          {
            id,
            transitGatewayId: a.TransitGatewayId as TransitGatewayId,
            resourceType: 'vpc',
            resourceId: a.VpcId ?? '',
            state: a.State ?? 'unknown',
            subnetIds: [],
            tags,
          } as TransitGatewayAttachment,
          tags,
        ),
        a.VpcOwnerId ?? file.accountId,
        file.region,
      );
      transitGatewayAttachments.set(id, att);
    } else if (att.state === 'unknown' && a.State) {
      // DescribeTransitGatewayAttachments without a State: the VPC attachment's own says whether it carries traffic.
      att.state = a.State;
    }
    for (const s of a.SubnetIds ?? []) if (!att.subnetIds.includes(s as SubnetId)) att.subnetIds.push(s as SubnetId);
    if (a.Options?.SecurityGroupReferencingSupport)
      att.securityGroupReferencingSupport = a.Options.SecurityGroupReferencingSupport;
  }
  for (const { value: a, file } of inp.TransitGatewayPeeringAttachments) {
    const id = a.TransitGatewayAttachmentId as TransitGatewayAttachmentId;
    const req = a.RequesterTgwInfo;
    const acc = a.AccepterTgwInfo;
    let att = transitGatewayAttachments.get(id);
    if (!att) {
      if (!req?.TransitGatewayId) continue;
      const tags = tagsOf(a.Tags);
      att = origin(
        withName(
          {
            id,
            transitGatewayId: req.TransitGatewayId as TransitGatewayId,
            resourceType: 'peering',
            resourceId: acc?.TransitGatewayId ?? '',
            state: a.State ?? 'unknown',
            subnetIds: [],
            tags,
          } as TransitGatewayAttachment,
          tags,
        ),
        req.OwnerId ?? file.accountId,
        req.Region ?? file.region,
      );
      transitGatewayAttachments.set(id, att);
    }
    const peer = att.transitGatewayId === req?.TransitGatewayId ? acc : req;
    if (peer?.TransitGatewayId) att.peerTransitGatewayId = peer.TransitGatewayId as TransitGatewayId;
    if (peer?.Region && !att.peerRegion) att.peerRegion = peer.Region;
    if (peer?.OwnerId && !att.peerAccountId) att.peerAccountId = peer.OwnerId;
  }
  return transitGatewayAttachments;
}

/** What TGW routes are worded and resolved with. */
export interface TgwRouteContext {
  prefixLists: ReadonlyMap<PrefixListId, PrefixList>;
  vpcs: ReadonlyMap<VpcId, Vpc>;
  transitGatewayAttachments: ReadonlyMap<TransitGatewayAttachmentId, TransitGatewayAttachment>;
  warn: Warn;
}

/** TGW route tables with their static routes and the routes VPC attachments propagate. */
export function transitGatewayRouteTablesFrom(
  inp: Inputs,
  { prefixLists, vpcs, transitGatewayAttachments, warn }: TgwRouteContext,
): Map<TransitGatewayRouteTableId, TransitGatewayRouteTable> {
  const transitGatewayRouteTables = new Map<TransitGatewayRouteTableId, TransitGatewayRouteTable>();
  for (const { value: t, file } of inp.TransitGatewayRouteTables) {
    const id = t.TransitGatewayRouteTableId as TransitGatewayRouteTableId;
    if (transitGatewayRouteTables.has(id)) continue;
    const tags = tagsOf(t.Tags);
    const rt: TransitGatewayRouteTable = {
      id,
      transitGatewayId: t.TransitGatewayId as TransitGatewayId,
      routes: [],
      tags,
    };
    transitGatewayRouteTables.set(id, origin(withName(rt, tags), file.accountId, file.region));
  }
  const tgwRoutesSeen = new Set<string>();
  const addTgwRoute = (rtbId: string, r: Omit<TransitGatewayRoute, 'text'>) => {
    const rt = transitGatewayRouteTables.get(rtbId as TransitGatewayRouteTableId);
    if (!rt) {
      warn('DANGLING_REFERENCE', `TGW routes name route table ${rtbId}, which is not in TransitGatewayRouteTables`, [
        rtbId,
      ]);
      return;
    }
    const key = `${rtbId}|${r.cidr}|${r.type}|${r.attachmentIds.join(',')}`;
    if (tgwRoutesSeen.has(key)) return;
    tgwRoutesSeen.add(key);
    const text = tgwRouteText(
      r,
      (attId) => transitGatewayAttachments.get(attId as TransitGatewayAttachmentId)?.resourceId,
    );
    rt.routes.push({ ...r, text });
  };
  for (const { value: s } of inp.TransitGatewayStaticRoutes) {
    for (const r of s.Routes ?? []) {
      const attachmentIds = (r.TransitGatewayAttachments ?? [])
        .map((a) => a.TransitGatewayAttachmentId)
        .filter((a): a is string => !!a) as TransitGatewayAttachmentId[];
      const cidrs = r.DestinationCidrBlock
        ? [r.DestinationCidrBlock]
        : r.PrefixListId
          ? (prefixLists.get(r.PrefixListId as PrefixListId)?.cidrs ?? [])
          : [];
      for (const cidr of cidrs) {
        addTgwRoute(s.TransitGatewayRouteTableId, {
          cidr,
          attachmentIds,
          state: r.State ?? (attachmentIds.length ? 'active' : 'blackhole'),
          type: r.Type === 'propagated' ? 'propagated' : 'static',
        });
      }
    }
  }
  for (const { value: p } of inp.TransitGatewayPropagations) {
    for (const prop of p.TransitGatewayRouteTablePropagations ?? []) {
      if ((prop.State ?? 'enabled') !== 'enabled' || !prop.TransitGatewayAttachmentId) continue;
      const att = transitGatewayAttachments.get(prop.TransitGatewayAttachmentId as TransitGatewayAttachmentId);
      const resourceType = prop.ResourceType ?? att?.resourceType;
      if (resourceType !== 'vpc') continue; // VPN/DX propagate BGP routes we cannot see
      const vpcId = (prop.ResourceId ?? att?.resourceId ?? '') as VpcId;
      const vpc = vpcs.get(vpcId);
      if (!vpc) {
        warn(
          'DANGLING_REFERENCE',
          `TGW route table ${p.TransitGatewayRouteTableId} propagates ${prop.TransitGatewayAttachmentId} from ${vpcId}, which is not in the snapshot: its routes are unknown`,
          [p.TransitGatewayRouteTableId, prop.TransitGatewayAttachmentId, vpcId],
        );
        continue;
      }
      for (const cidr of vpc.cidrs) {
        addTgwRoute(p.TransitGatewayRouteTableId, {
          cidr,
          attachmentIds: [prop.TransitGatewayAttachmentId as TransitGatewayAttachmentId],
          state: 'active',
          type: 'propagated',
        });
      }
    }
  }

  // A static route wins over a propagated route to the same CIDR (even a static blackhole), so the propagated one is
  // never used: leave it out rather than make every reader apply the rule.
  for (const rt of transitGatewayRouteTables.values()) {
    const staticCidrs = new Set(rt.routes.filter((r) => r.type === 'static').map((r) => r.cidr));
    if (staticCidrs.size) rt.routes = rt.routes.filter((r) => r.type === 'static' || !staticCidrs.has(r.cidr));
  }
  return transitGatewayRouteTables;
}
