/** Transit gateways: in through the attachment in the source's AZ, the associated route table, out of an attachment. */

import type {
  NetworkInterface,
  SubnetId,
  TransitGatewayAttachment,
  TransitGatewayId,
  TransitGatewayRouteTableId,
  VpcId,
} from '../../model/index.js';
import { attachmentPhase } from '../../model/resources.js';
import { cidrContains, parseCidr } from '../../net/ip.js';
import { type Flow, hostOf, isHost, MAX_STEPS } from '../flow.js';
import { selectTgwRoute } from '../ranges.js';
import type { FixProposal } from '../recorder.js';
import type { Walk } from '../walk.js';
import { checkNacl } from './network-acl.js';
import { routeFrom } from './route-table.js';

/**
 * The attachment of a VPC to a transit gateway: one that carries traffic if there is one, else one on its way, else a
 * dead one (the index's order), so that the answer can name it; only one that carries traffic, if asked.
 */
export function attachmentOf(
  t: Walk,
  vpcId: VpcId,
  tgwId: string,
  carryingOnly = false,
): TransitGatewayAttachment | undefined {
  for (const id of t.s.index.vpcTransitGatewayAttachments.get(vpcId) ?? []) {
    const a = t.s.transitGatewayAttachments.get(id);
    if (a?.transitGatewayId === tgwId && (!carryingOnly || attachmentPhase(a.state) === 'carrying')) return a;
  }
  return undefined;
}

/**
 * An attachment the packet would cross (into or out of the transit gateway) that carries no traffic in its state:
 * TGW_ATTACHMENT_NOT_AVAILABLE, saying what brings it to `available`. Returns false when the attachment carries.
 */
function attachmentNotCarrying(t: Walk, flow: Flow, att: TransitGatewayAttachment, tgwId: TransitGatewayId): boolean {
  const phase = attachmentPhase(att.state);
  if (phase === 'carrying') return false;
  t.rec.hop(flow, {
    component: 'transit-gateway-attachment',
    id: att.id,
    allowed: false,
    rule: `${att.id} is ${att.state}`,
  });
  const what = att.resourceType === 'peering' ? `peering attachment ${att.id}` : `attachment ${att.id}`;
  const of =
    att.resourceType === 'vpc'
      ? ` of ${att.resourceId} to ${tgwId}`
      : att.resourceType === 'peering'
        ? ''
        : ` (${att.resourceType})`;
  let next: string;
  if (att.state === 'pendingAcceptance') {
    // AcceptTransitGatewayVpcAttachment: "The VPC attachment must be in the pendingAcceptance state" (EC2 API
    // reference). Only the owner of the transit gateway can accept (the accepter's gateway, for a peering attachment).
    // An attachment waits for acceptance only when it comes from another account and the gateway does not accept
    // shared attachments automatically: its owner chose to review each one, since accepting joins the VPC to the
    // gateway's route tables. That decision stays with the owner: no automatic fix, the exact step instead.
    const tgw = t.s.transitGateways.get(att.transitGatewayId);
    const owner = tgw?.accountId ?? att.accountId;
    const region = tgw?.region ?? att.region;
    const cli =
      att.resourceType === 'peering'
        ? 'accept-transit-gateway-peering-attachment'
        : 'accept-transit-gateway-vpc-attachment';
    next = ` it carries no traffic until the owner of ${att.transitGatewayId}${owner ? ` (account ${owner})` : ''} accepts it. In that account: aws ec2 ${cli} --transit-gateway-attachment-id ${att.id}${region ? ` --region ${region}` : ''} (or VPC console → Transit gateway attachments → Actions → Accept). Accepting joins ${att.resourceType === 'vpc' ? att.resourceId : 'the other gateway'} to the gateway's routing, so it is the owner's decision: whyping does not accept it.`;
    if (att.resourceType === 'vpc' && !att.associatedRouteTableId && !tgw?.defaultAssociationRouteTableId) {
      next += ` It has no route table association, and ${att.transitGatewayId} has no default association table in the data: once it is available, associate it with a route table of ${att.transitGatewayId}.`;
    }
  } else if (phase === 'coming') {
    next =
      ' it is being created and carries no traffic until it is available (usually within minutes): diagnose again then.';
  } else {
    next =
      att.resourceType === 'vpc'
        ? ` it carries no traffic and never will again. Attach ${att.resourceId} to ${tgwId} anew (CreateTransitGatewayVpcAttachment, a subnet in each AZ that needs it), then associate the new attachment with a route table and let it propagate (or route to it).`
        : ' it carries no traffic and never will again: create a new one.';
  }
  t.rec.record({
    flow,
    code: 'TGW_ATTACHMENT_NOT_AVAILABLE',
    resource: att.id,
    message: `Transit gateway ${what}${of} is ${att.state}:${next}`,
    evidence: `state ${att.state}`,
  });
  return true;
}

/** Into a transit gateway through this VPC's attachment, then its route tables, then out of an attachment. */
export function tgwEnter(
  t: Walk,
  flow: Flow,
  tgwId: TransitGatewayId,
  vpcId: VpcId,
  fromSubnet: SubnetId,
  originSubnet: SubnetId,
): void {
  const att = attachmentOf(t, vpcId, tgwId);
  if (!att) {
    t.rec.stop('transit-gateway', tgwId, `no attachment of ${vpcId} to ${tgwId} is in the snapshot`);
    return;
  }
  // An attachment that is not available carries nothing (reported); the walk goes on as if it were, to check the rest.
  attachmentNotCarrying(t, flow, att, tgwId);
  // Traffic enters the transit gateway through the attachment's interface in the source's AZ.
  let attSubnet = t.subnetInAzOf(att.subnetIds, originSubnet);
  if (!attSubnet) {
    const az = t.s.subnets.get(originSubnet)?.availabilityZone ?? 'its AZ';
    t.rec.hop(flow, {
      component: 'transit-gateway-attachment',
      id: att.id,
      allowed: false,
      rule: `no attachment subnet in ${az}`,
    });
    t.rec.record({
      flow,
      code: 'TGW_NO_ATTACHMENT_IN_AZ',
      resource: att.id,
      message: `Attachment ${att.id} of ${vpcId} to ${tgwId} has no subnet in ${az}, where ${originSubnet} is: resources in an AZ reach the transit gateway only through an attachment subnet in the same AZ.`,
      evidence: `attachment subnets ${att.subnetIds.join(', ')}`,
    });
    attSubnet = att.subnetIds[0];
    if (!attSubnet) return;
  }
  // Both ACLs apply on the way into the transit gateway, even within one subnet (AWS TGW docs, "Network ACLs").
  checkNacl(t, flow, fromSubnet, true);
  checkNacl(t, flow, attSubnet, false);
  flow.viaTgw = true;
  const sender = flow.srcEni;
  flow.srcEni = null;
  flow.tgwRefEni = null;
  tgwForward(t, flow, tgwId, att, originSubnet, 0, sender);
}

export function tgwForward(
  t: Walk,
  flow: Flow,
  tgwId: TransitGatewayId,
  inAtt: TransitGatewayAttachment,
  originSubnet: SubnetId,
  depth: number,
  sender: NetworkInterface | null = null,
): void {
  if (depth > 4 || ++flow.steps > MAX_STEPS) {
    t.rec.stop('transit-gateway', tgwId, 'the path loops between transit gateways');
    return;
  }
  // Routing is decided by the entry attachment and the destination alone: the same entry twice means the routes
  // send the packet round in a circle, and it never arrives (it goes round until its TTL runs out).
  const entry = `${tgwId}|${inAtt.id}|${flow.dst}`;
  if (flow.tgwEntries.has(entry)) {
    // A loop reported on a route of the gateway: go on as if that route led where the destination is, so the rest of
    // the path and the reply are checked too (DESIGN §3: every blocker on both paths).
    if (routingLoop(t, flow, tgwId, inAtt)) asIfRouted(t, flow, tgwId, inAtt, originSubnet, depth, sender);
    return;
  }
  flow.tgwEntries.add(entry);
  let rtbId = associationOf(t, inAtt, tgwId);
  if (!rtbId && attachmentPhase(inAtt.state) !== 'carrying') {
    // Not available yet (reported): no association can be made before it is; go on as if routed.
    asIfRouted(t, flow, tgwId, inAtt, originSubnet, depth, sender);
    return;
  }
  if (!rtbId && depth > 0 && !t.s.transitGateways.has(tgwId)) {
    // Entered through a peering whose far gateway the snapshot does not hold (its account or region was not read):
    // what it does with the packet is unknown, not a missing association.
    t.rec.stop('transit-gateway', tgwId, `${tgwId}, the far side of peering ${inAtt.id}, is not in the snapshot`);
    return;
  }
  t.rec.hop(flow, {
    component: 'transit-gateway',
    id: tgwId,
    allowed: rtbId !== null,
    rule: rtbId ? `${inAtt.id} associated with ${rtbId}` : `${inAtt.id} has no route table association`,
  });
  if (!rtbId) {
    const fix = associationFix(t, tgwId, inAtt);
    t.rec.record({
      flow,
      code: 'TGW_ATTACHMENT_NOT_ASSOCIATED',
      resource: inAtt.id,
      message: `Attachment ${inAtt.id} is associated with no route table of ${tgwId}: the transit gateway cannot route what enters through it.`,
      fix,
    });
    // Go on with the table the fix associates (its routes may be missing too), else as if routed.
    if (fix?.action.action !== 'AssociateTransitGatewayRouteTable') {
      asIfRouted(t, flow, tgwId, inAtt, originSubnet, depth, sender);
      return;
    }
    rtbId = fix.action.params.transitGatewayRouteTableId;
  }
  const rtb = t.s.transitGatewayRouteTables.get(rtbId as `tgw-rtb-${string}`);
  if (!rtb) {
    t.rec.stop('transit-gateway-route-table', rtbId, `${rtbId} is not in the snapshot`);
    return;
  }
  const r = selectTgwRoute(t.s, rtb, flow.dst);
  if (!r || r.state === 'blackhole' || r.attachmentIds.length === 0) {
    t.rec.hop(flow, {
      component: 'transit-gateway-route-table',
      id: rtb.id,
      allowed: false,
      rule: r ? r.text : `no route to ${flow.dst}`,
    });
    t.rec.record({
      flow,
      code: r ? 'TGW_ROUTE_BLACKHOLE' : 'TGW_NO_ROUTE',
      resource: rtb.id,
      message: r
        ? `The route ${r.cidr} in transit gateway route table ${rtb.id} is a blackhole: packets to ${flow.dst} are dropped.`
        : `Transit gateway route table ${rtb.id} has no route to ${flow.dst}.`,
      evidence: r?.text,
      fix: tgwRouteFix(t, flow, tgwId, inAtt, rtb.id, r?.cidr ?? null),
    });
    asIfRouted(t, flow, tgwId, inAtt, originSubnet, depth, sender);
    return;
  }
  t.rec.hop(flow, { component: 'transit-gateway-route-table', id: rtb.id, allowed: true, rule: r.text });
  const outId = r.attachmentIds[0];
  const out = outId ? t.s.transitGatewayAttachments.get(outId) : undefined;
  if (!out) {
    t.rec.stop('transit-gateway-attachment', outId ?? rtb.id, `${outId} is not in the snapshot`);
    return;
  }
  flow.lastTgwRoute = { tgwId, routeTableId: rtb.id, text: r.text, attachmentId: out.id };
  // Out through an attachment that is not available: reported, then on as if it were.
  const outDead = attachmentNotCarrying(t, flow, out, tgwId);
  if (out.resourceType === 'peering') {
    const other =
      out.transitGatewayId === tgwId
        ? (out.peerTransitGatewayId ?? (out.resourceId as TransitGatewayId))
        : out.transitGatewayId;
    if (!outDead) {
      t.rec.hop(flow, {
        component: 'transit-gateway-attachment',
        id: out.id,
        allowed: true,
        rule: `peering ${tgwId} → ${other}`,
      });
    }
    tgwForward(t, flow, other, out, originSubnet, depth + 1);
    return;
  }
  if (out.resourceType !== 'vpc') {
    t.rec.stop(
      'transit-gateway-attachment',
      out.id,
      `${out.id} leads to a ${out.resourceType} attachment, outside the model`,
    );
    return;
  }
  leaveTgw(t, flow, tgwId, inAtt, out, originSubnet, depth, sender, outDead ? AS_IF_AVAILABLE : null);
}

/** The hop detail of a walk that goes on past a blocker inside a transit gateway. */
const AS_IF_ROUTED = 'as if the missing association or route existed, to check the rest of the path';
const AS_IF_AVAILABLE = 'as if the attachment were available, to check the rest of the path';

/**
 * The packet enters a transit gateway through an attachment it entered before, for the same destination: the last
 * transit gateway route sent it round a circle (back into the VPC it came from, whose routes send it here again, or
 * between peered gateways). ROUTING_LOOP names that route; where no route of ours closed it, not analyzed.
 */
/** Reports a loop at the gateway; true when it was reported as ROUTING_LOOP on a route of the gateway. */
function routingLoop(t: Walk, flow: Flow, tgwId: TransitGatewayId, inAtt: TransitGatewayAttachment): boolean {
  const last = flow.lastTgwRoute;
  t.rec.hop(flow, {
    component: 'transit-gateway',
    id: tgwId,
    allowed: false,
    rule: `${flow.dst} enters again through ${inAtt.id}: the path loops`,
    ...(flow.assumedRoute ? { detail: 'through a route or association assumed above, which does not exist' } : {}),
  });
  // A loop closed by a route the walk assumed (a blocker's fix) is not in the network: the blocker is reported.
  if (flow.assumedRoute) return false;
  if (!last) {
    t.rec.stop('transit-gateway', tgwId, `the path loops: ${flow.dst} enters ${tgwId} again through ${inAtt.id}`);
    return false;
  }
  const out = t.s.transitGatewayAttachments.get(last.attachmentId as TransitGatewayAttachment['id']);
  const back =
    out?.resourceType === 'vpc'
      ? `into ${out.resourceId}, whose routes send them to ${tgwId} again`
      : `through ${last.attachmentId}, and the routes beyond send them to ${tgwId} again`;
  // Where the destination really is, when one attachment of the same gateway leads to a VPC that holds it.
  const dst = destinationAttachment(t, flow, last.tgwId as TransitGatewayId, out ?? inAtt);
  const where =
    dst && dst.att.id !== last.attachmentId
      ? ` ${hostOf(flow.dst)} is in ${dst.att.resourceId} (attachment ${dst.att.id}): point the route there (ReplaceTransitGatewayRoute).`
      : '';
  t.rec.record({
    flow,
    code: 'ROUTING_LOOP',
    resource: last.routeTableId,
    message: `The route ${last.text} in transit gateway route table ${last.routeTableId} sends packets to ${flow.dst} ${back}: they go round in a loop and never arrive.${where}`,
    evidence: last.text,
  });
  return true;
}

/**
 * After a blocker inside a transit gateway (no association, no route, a blackhole): goes on as if the missing
 * association or route existed, out through the attachment of the VPC that holds the destination on this gateway,
 * so the rest of the path and the reply are checked too and one answer lists everything to change.
 */
function asIfRouted(
  t: Walk,
  flow: Flow,
  tgwId: TransitGatewayId,
  inAtt: TransitGatewayAttachment,
  originSubnet: SubnetId,
  depth: number,
  sender: NetworkInterface | null,
): void {
  // No route of the gateway sent the packet on from here: a loop found later must not blame an earlier one.
  flow.lastTgwRoute = null;
  flow.assumedRoute = true;
  const out = destinationAttachment(t, flow, tgwId, inAtt);
  if (out) leaveTgw(t, flow, tgwId, inAtt, out.att, originSubnet, depth, sender, AS_IF_ROUTED);
}

/** The available attachment to `tgwId` of the (other) VPC that holds the destination, with the CIDR holding it. */
function destinationAttachment(
  t: Walk,
  flow: Flow,
  tgwId: TransitGatewayId,
  inAtt: TransitGatewayAttachment,
): { att: TransitGatewayAttachment; cidr: string } | null {
  if (!isHost(flow.dst)) return null;
  const ip = hostOf(flow.dst);
  for (const vpcId of t.vpcsHolding(ip)) {
    if (vpcId === inAtt.resourceId) continue;
    const att = attachmentOf(t, vpcId, tgwId, true);
    const cidr = t.s.vpcs.get(vpcId)?.cidrs.find((c) => cidrContains(c, ip));
    if (att && cidr) return { att, cidr };
  }
  return null;
}

/**
 * The route table to associate an unassociated attachment with: the gateway's default association table (where AWS
 * would have put it), else its only route table. Null when the choice is the user's (several tables, no default).
 */
function associationFix(t: Walk, tgwId: TransitGatewayId, att: TransitGatewayAttachment): FixProposal | null {
  if (att.transitGatewayId !== tgwId) return null;
  const tables = [...t.s.transitGatewayRouteTables.values()].filter((x) => x.transitGatewayId === tgwId);
  const preferred = t.s.transitGateways.get(tgwId)?.defaultAssociationRouteTableId;
  const rtb = tables.find((x) => x.id === preferred) ?? (tables.length === 1 ? tables[0] : undefined);
  if (!rtb) return null;
  return {
    action: {
      action: 'AssociateTransitGatewayRouteTable',
      params: { transitGatewayRouteTableId: rtb.id, transitGatewayAttachmentId: att.id },
    },
    summary: `Associate attachment ${att.id} with transit gateway route table ${rtb.id}${rtb.id === preferred ? ` (the default association table of ${tgwId})` : ''}`,
  };
}

/**
 * The route a transit gateway table lacks: the destination VPC's attachment propagates its CIDRs into the table
 * (no static route to keep in step with the VPC); a static route only where propagation cannot help: more specific
 * than a blackhole route that would still cover the rest.
 */
function tgwRouteFix(
  t: Walk,
  flow: Flow,
  tgwId: TransitGatewayId,
  inAtt: TransitGatewayAttachment,
  rtbId: TransitGatewayRouteTableId,
  blackholeCidr: string | null,
): FixProposal | null {
  const dst = destinationAttachment(t, flow, tgwId, inAtt);
  if (!dst) return null;
  if (blackholeCidr === null) {
    return {
      action: {
        action: 'EnableTransitGatewayRouteTablePropagation',
        params: { transitGatewayRouteTableId: rtbId, transitGatewayAttachmentId: dst.att.id },
      },
      summary: `Let attachment ${dst.att.id} (${dst.att.resourceId}) propagate its routes into ${rtbId}`,
    };
  }
  // A static blackhole for a covering CIDR wins over propagated routes of the same prefix only: a more specific
  // static route to the VPC's CIDR gets past it; a blackhole for that very CIDR is the user's to remove.
  if ((parseCidr(dst.cidr)?.prefix ?? 0) <= (parseCidr(blackholeCidr)?.prefix ?? 0)) return null;
  return {
    action: {
      action: 'CreateTransitGatewayRoute',
      params: {
        transitGatewayRouteTableId: rtbId,
        destinationCidrBlock: dst.cidr,
        transitGatewayAttachmentId: dst.att.id,
      },
    },
    summary: `Add static route ${dst.cidr} → ${dst.att.id} to ${rtbId} (more specific than the blackhole ${blackholeCidr})`,
  };
}

/** Out of a transit gateway through a VPC attachment, into the VPC's attachment subnet in the right AZ. */
function leaveTgw(
  t: Walk,
  flow: Flow,
  tgwId: TransitGatewayId,
  inAtt: TransitGatewayAttachment,
  out: TransitGatewayAttachment,
  originSubnet: SubnetId,
  depth: number,
  sender: NetworkInterface | null,
  assumed: string | null = null,
): void {
  const vpcId = out.resourceId as VpcId;
  // The attachment subnet in the source's AZ, else in the destination's, else the first.
  const inSourceAz = t.subnetInAzOf(out.subnetIds, originSubnet);
  const dstEni = inSourceAz || !isHost(flow.dst) ? null : t.eniInVpc(hostOf(flow.dst), vpcId);
  const subnet =
    inSourceAz ?? (dstEni ? t.subnetInAzOf(out.subnetIds, dstEni.subnetId) : undefined) ?? out.subnetIds[0];
  t.rec.hop(flow, {
    component: 'transit-gateway-attachment',
    id: out.id,
    allowed: true,
    rule: `into ${vpcId}${subnet ? ` via ${subnet}` : ''}`,
    ...(assumed ? { detail: assumed } : {}),
  });
  if (!subnet) {
    t.rec.stop('transit-gateway-attachment', out.id, `the subnets of ${out.id} are not in the snapshot`);
    return;
  }
  // Security group referencing over a transit gateway (inbound rules only, one gateway, so one region): the
  // gateway must enable it (AWS's default is disable) and neither VPC attachment disable it (their default: enable).
  const tgw = t.s.transitGateways.get(tgwId);
  flow.tgwRefEni =
    sender &&
    depth === 0 &&
    tgw?.securityGroupReferencingSupport === 'enable' &&
    inAtt.securityGroupReferencingSupport !== 'disable' &&
    out.securityGroupReferencingSupport !== 'disable'
      ? sender
      : null;
  // Out of the transit gateway, the attachment subnet's route table routes the packet inside the VPC.
  routeFrom(t, flow, subnet, subnet);
}

/** The route table a transit gateway uses for traffic entering through an attachment. */
export function associationOf(t: Walk, att: TransitGatewayAttachment, tgwId: TransitGatewayId): string | null {
  if (att.transitGatewayId === tgwId) return att.associatedRouteTableId ?? null;
  if (att.peerAssociatedRouteTableId) return att.peerAssociatedRouteTableId;
  // A peering attachment seen only from the other side: fall back to the TGW's default association table.
  return t.s.transitGateways.get(tgwId)?.defaultAssociationRouteTableId ?? null;
}
