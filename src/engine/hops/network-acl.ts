/**
 * Network ACLs: stateless, per subnet, checked when a packet crosses a subnet boundary (both directions).
 *
 * The reply rule: because ACLs keep no state, the reply is checked here again, as a packet of its own, by the same
 * `checkNacl` (a flow with `side: 'return'`): the destination subnet's outbound rules and the source subnet's inbound
 * rules must allow the reply traffic, which is ICMP Echo Reply for ping and, for TCP/UDP, the client's ephemeral
 * ports (`EPHEMERAL` in ../flow.ts: 32768-60999 for Linux, 49152-65535 for Windows, 1024-65535 when the client's OS
 * is unknown or a NAT gateway rewrote the port). `walkReply` in ../walk.ts builds that flow (`replyTraffic` in
 * ../rules.ts); a fix for a denied reply opens 1024-65535, the range any client may use.
 */

import type { FixAction, Hop, NetworkAcl, SubnetId } from '../../model/index.js';
import { EPHEMERAL, type Flow } from '../flow.js';
import { evaluateNacl, freeRuleNumberBelow, trafficText } from '../rules.js';
import type { Walk } from '../walk.js';

export function naclOf(t: Walk, subnetId: SubnetId): NetworkAcl | null {
  const id = t.s.index.subnetNetworkAcl.get(subnetId);
  return id ? (t.s.networkAcls.get(id) ?? null) : null;
}

/** A subnet's network ACL on a packet leaving (egress) or entering (ingress) it. */
export function checkNacl(t: Walk, flow: Flow, subnetId: SubnetId, egress: boolean): void {
  const acl = naclOf(t, subnetId);
  if (!acl) {
    if (t.s.presentKeys.has('NetworkAcls')) {
      t.rec.stop('network-acl', subnetId, `no network ACL is known for ${subnetId}`);
    }
    // No NetworkAcls in the snapshot at all: the loader warns; every subnet has the default allow-all ACL.
    return;
  }
  const peer = egress ? flow.dst : flow.src;
  const d = evaluateNacl(acl, egress, flow.traffic, peer);
  const entry = d.entry?.text ?? (d.allowed ? 'allowed' : '* DENY');
  const detail =
    d.deniedPorts.length > 0
      ? `denies ${flow.traffic.protocol.toUpperCase()} ports ${d.deniedPorts.map((r) => (r.from === r.to ? r.from : `${r.from}-${r.to}`)).join(', ')} ${egress ? 'to' : 'from'} ${peer}`
      : undefined;
  const hop: Hop = {
    component: 'network-acl',
    id: acl.id,
    direction: egress ? 'egress' : 'ingress',
    allowed: d.allowed,
    rule: entry,
  };
  if (detail) hop.detail = detail;
  t.rec.hop(flow, hop);
  if (d.allowed) return;
  const what = `${trafficText(flow.traffic)} ${egress ? `to ${peer}` : `from ${peer}`}`;
  const denyRule = d.entry?.ruleNumber ?? 32767;
  // Rule numbers already taken by other fixes of this diagnosis stay taken, so "apply all" cannot collide.
  const key = `${acl.id}/${egress}`;
  const reserved = t.reservedRules.get(key) ?? new Set<number>();
  const ruleNumber = freeRuleNumberBelow(acl, egress, denyRule, reserved);
  if (ruleNumber !== null) t.reservedRules.set(key, reserved.add(ruleNumber));
  let fix: { action: FixAction; summary: string } | null = null;
  if (ruleNumber !== null) {
    const traffic = flow.traffic;
    const portRange =
      traffic.protocol === 'icmp'
        ? undefined
        : flow.side === 'return'
          ? { from: EPHEMERAL.any.from, to: EPHEMERAL.any.to }
          : { from: traffic.ports.from, to: traffic.ports.to };
    const action: FixAction = {
      action: 'CreateNetworkAclEntry',
      params: {
        networkAclId: acl.id,
        ruleNumber,
        egress,
        protocol: traffic.protocol,
        cidrBlock: peer,
        ...(portRange ? { portRange } : {}),
        ...(traffic.protocol === 'icmp' ? { icmpTypeCode: { type: traffic.type, code: -1 } } : {}),
      },
    };
    const ports = portRange
      ? ` ${portRange.from}-${portRange.to}`
      : traffic.protocol === 'icmp'
        ? ` type ${traffic.type}`
        : '';
    fix = {
      action,
      summary: `Add ${egress ? 'outbound' : 'inbound'} rule ${ruleNumber} to ${acl.id}: allow ${traffic.protocol.toUpperCase()}${ports} ${egress ? 'to' : 'from'} ${peer}`,
    };
  }
  t.rec.record({
    flow,
    code: egress ? 'NACL_EGRESS_DENIED' : 'NACL_INGRESS_DENIED',
    resource: acl.id,
    message: `Network ACL ${acl.id} of ${subnetId} denies ${what} ${egress ? 'leaving' : 'entering'} the subnet${flow.side === 'return' ? ' (the reply: network ACLs are stateless)' : ''}.`,
    evidence: detail ? `${entry}; ${detail}` : entry,
    fix,
  });
}

/** Crossing from one subnet to another: the source subnet's outbound and the target's inbound ACL rules. */
export function crossSubnets(t: Walk, flow: Flow, from: SubnetId | null, to: SubnetId): void {
  if (from === to) {
    t.rec.hop(flow, {
      component: 'network-acl',
      id: naclOf(t, to)?.id ?? to,
      allowed: true,
      rule: 'not evaluated',
      detail: 'same subnet: network ACLs filter only traffic crossing the subnet boundary',
    });
    return;
  }
  if (from) checkNacl(t, flow, from, true);
  checkNacl(t, flow, to, false);
}
