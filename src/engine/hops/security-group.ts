/** Security groups: stateful, per interface; outbound rules on the request's way out, inbound on its way in. */

import type { FixAction, NetworkInterface, SecurityGroupId } from '../../model/index.js';
import { adminPortWarning } from '../exposure.js';
import type { Flow } from '../flow.js';
import { evaluateSecurityGroups, trafficText } from '../rules.js';
import type { Walk } from '../walk.js';
import { peeringBetween, refsWork } from './peering.js';

export function sgEgress(t: Walk, flow: Flow, eni: NetworkInterface, dstEni: NetworkInterface | null): void {
  checkSecurityGroups(t, flow, eni, 'egress', dstEni && refsWork(t, eni, dstEni) ? dstEni : null);
}

export function sgIngress(t: Walk, flow: Flow, eni: NetworkInterface): void {
  const srcEni =
    flow.srcEni && !flow.viaInternet && !flow.viaTgw && !flow.natted && refsWork(t, flow.srcEni, eni)
      ? flow.srcEni
      : flow.viaTgw && !flow.viaInternet && !flow.viaPeering && !flow.natted
        ? flow.tgwRefEni
        : null;
  checkSecurityGroups(t, flow, eni, 'ingress', srcEni);
}

/** Evaluates `eni`'s groups in one direction; `peerEni` is the other end when SG references can match it. */
export function checkSecurityGroups(
  t: Walk,
  flow: Flow,
  eni: NetworkInterface,
  direction: 'ingress' | 'egress',
  peerEni: NetworkInterface | null,
): void {
  const out = direction === 'egress';
  const other = out ? flow.dst : flow.src;
  const words = out ? { way: 'outbound', prep: 'to' } : { way: 'inbound', prep: 'from' };
  const d = evaluateSecurityGroups(t.s, eni, direction, flow.traffic, { cidr: other, eni: peerEni });
  const first = eni.groupIds[0] ?? eni.id;
  t.rec.hop(flow, {
    component: 'security-group',
    id: d.group ?? first,
    direction,
    allowed: d.allowed,
    rule:
      d.rule?.text ??
      `no ${words.way} rule of ${eni.groupIds.join(', ') || 'its groups'} allows ${trafficText(flow.traffic)} ${words.prep} ${other}`,
  });
  for (const g of eni.groupIds) t.rec.touched.add(g);
  if (d.allowed) return;
  if (d.missing.length > 0) {
    // An interface's groups add up: a group the snapshot lacks may hold the rule that allows this packet, so a deny
    // is never guessed from the groups that are there.
    const none = d.groups.length === 0;
    t.rec.stop(
      'security-group',
      d.missing[0] ?? first,
      none
        ? `the security groups of ${eni.id} are not in the snapshot`
        : `${d.missing.join(', ')} of ${eni.id} ${d.missing.length === 1 ? 'is' : 'are'} not in the snapshot, and no ${words.way} rule of the others allows ${trafficText(flow.traffic)} ${words.prep} ${other}: whether ${d.missing.length === 1 ? 'it allows' : 'they allow'} the packet is unknown`,
    );
    return;
  }
  const u = d.unresolved[0];
  if (u && u.rule.peer.kind === 'prefix-list') {
    // A rule naming a prefix list whose entries are not in the snapshot may allow this packet: never guess a deny.
    t.rec.touched.add(u.rule.peer.id);
    t.rec.stop(
      'security-group',
      u.group,
      `${u.rule.text}: the entries of prefix list ${u.rule.peer.id} are not in the snapshot, so whether it covers ${other} is unknown`,
    );
    return;
  }
  t.rec.record({
    flow,
    code: out ? 'SG_EGRESS_DENIED' : 'SG_INGRESS_DENIED',
    resource: first,
    message: `No ${words.way} rule of the security groups of ${t.label(eni)} (${eni.groupIds.join(', ')}) allows ${trafficText(flow.traffic)} ${words.prep} ${other}.`,
    fix: sgFix(
      t,
      out ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress',
      first as SecurityGroupId,
      flow,
      peerEni,
      other,
    ),
  });
}

/** SG rule fix: reference the other side's group when references work, else its /32 (or range). */
export function sgFix(
  t: Walk,
  action: 'AuthorizeSecurityGroupIngress' | 'AuthorizeSecurityGroupEgress',
  groupId: SecurityGroupId,
  flow: Flow,
  peerEni: NetworkInterface | null,
  peerCidr: string,
): { action: FixAction; summary: string; warnings?: string[] } | null {
  if (!groupId.startsWith('sg-')) return null;
  const traffic = flow.traffic;
  const ports =
    traffic.protocol === 'icmp'
      ? { fromPort: traffic.type, toPort: -1 }
      : { fromPort: traffic.ports.from, toPort: traffic.ports.to };
  const peerGroupId = peerEni ? referenceableGroup(t, peerEni) : undefined;
  const params = {
    groupId,
    protocol: traffic.protocol,
    ...ports,
    ...(peerGroupId ? { peerGroupId } : { cidr: peerCidr }),
  };
  const dir = action === 'AuthorizeSecurityGroupIngress' ? 'inbound' : 'outbound';
  const warning =
    dir === 'inbound' && !peerGroupId
      ? adminPortWarning(traffic.protocol, ports.fromPort, ports.toPort, peerCidr)
      : null;
  return {
    action: { action, params },
    summary: `Allow ${dir} ${trafficText(traffic)} ${dir === 'inbound' ? 'from' : 'to'} ${peerGroupId ?? peerCidr} in ${groupId}${peerGroupId && peerEni ? peerGroupNote(t, groupId, peerEni) : ''}`,
    ...(warning ? { warnings: [warning] } : {}),
  };
}

/**
 * The group a rule may reference to mean "this interface": its first group that is not its VPC's `default` group
 * (every instance launched without a group is in that one, so referencing it opens to all of them); none means the
 * rule names the interface's own address instead.
 */
function referenceableGroup(t: Walk, eni: NetworkInterface): SecurityGroupId | undefined {
  return eni.groupIds.find((g) => {
    const group = t.s.securityGroups.get(g);
    return group !== undefined && group.groupName !== 'default';
  });
}

/**
 * When a rule's group reference names a security group of a peer VPC: says so, and that AWS accepts such a rule
 * only across an active peering (so, while the peering is pending, it is applied after the acceptance).
 */
export function peerGroupNote(t: Walk, groupId: SecurityGroupId, peerEni: NetworkInterface): string {
  const ownVpc = t.s.securityGroups.get(groupId)?.vpcId;
  if (!ownVpc || ownVpc === peerEni.vpcId) return '';
  const p = peeringBetween(t, ownVpc, peerEni.vpcId);
  if (!p) return '';
  // One short sentence; `help peer-sg` explains (AWS takes such a rule only across an active peering).
  const pending = p.status === 'active' ? '' : ', applied once the peering is active';
  return ` (a peer VPC's group, across ${p.id}${pending}; help peer-sg)`;
}

/** A reply through an interface's security groups: they are stateful, so it passes whatever the rules say. */
export function statefulReply(t: Walk, flow: Flow, eni: NetworkInterface, direction: 'ingress' | 'egress'): void {
  t.rec.hop(flow, {
    component: 'security-group',
    id: eni.groupIds[0] ?? eni.id,
    direction,
    allowed: true,
    rule: 'reply to an allowed request',
    detail: 'security groups are stateful: replies pass whatever the rules say',
  });
}
