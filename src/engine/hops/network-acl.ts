/**
 * Network ACLs: stateless, per subnet, checked when a packet crosses a subnet boundary (both directions).
 *
 * The reply rule: because ACLs keep no state, the reply is checked here again, as a packet of its own, by the same
 * `checkNacl` (a flow with `side: 'return'`): the destination subnet's outbound rules and the source subnet's inbound
 * rules must allow the reply traffic, which is ICMP Echo Reply for ping and, for TCP/UDP, the client's ephemeral
 * ports (`EPHEMERAL` in ../flow.ts: 32768-60999 for Linux, 49152-65535 for Windows, 1024-65535 when the client's OS
 * is unknown or a NAT gateway rewrote the port). `walkReply` in ../walk.ts builds that flow (`replyTraffic` in
 * ../rules.ts). The client uses one port of its range per connection, so a range denied in part fails only some
 * connections: at most half denied is a warning (`partlyDenied`), more a blocker naming the denied ports. A fix for a
 * denied reply opens 1024-65535, the range any client may use, and never goes under a deny of some of those ports
 * (docs/engine.md, "Ephemeral ports").
 */

import type { FixAction, Hop, NaclEntry, NetworkAcl, SubnetId } from '../../model/index.js';
import { EPHEMERAL, type Flow } from '../flow.js';
import { evaluateNacl, freeRuleNumberBetween, lastDenyBelow, trafficText } from '../rules.js';
import type { Walk } from '../walk.js';

export function naclOf(t: Walk, subnetId: SubnetId): NetworkAcl | null {
  const id = t.s.index.subnetNetworkAcl.get(subnetId);
  return id ? (t.s.networkAcls.get(id) ?? null) : null;
}

/** The warning code of a reply path whose ACL denies a minority of the client's ephemeral ports. */
export const PARTLY_DENIED_WARNING = 'EPHEMERAL_PORTS_PARTLY_DENIED';

type PortRange = { from: number; to: number };
type Denial = PortRange & { entry: NaclEntry };

const portsText = (r: PortRange) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
const count = (rs: PortRange[]) => rs.reduce((n, r) => n + r.to - r.from + 1, 0);

/**
 * Sub-ranges sorted, overlapping and adjacent ones as one (`32768-40000` by rule 90 and `40001-49151` by `*` read
 * `32768-49151`).
 */
function merged(ranges: PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && last.to + 1 >= r.from) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

/** A share as people read it: two significant digits (`58`, `1.6`, `0.0016`), never a rounded 100 for a part. */
function percent(share: number): string {
  const p = Number((share * 100).toPrecision(2));
  return p >= 100 ? 'over 99' : `${p}`;
}

/**
 * A deny entry that takes the client's whole ephemeral range (or the implicit `*`): a wall in front of the reply,
 * which a fix may open for this host. A deny of only part of the range names ports on purpose — AWS's own advice is
 * to open 1024-65535 and deny "malicious ports within that range" with rules placed earlier
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html) — so no fix goes under it.
 */
function isWall(e: NaclEntry, range: PortRange): boolean {
  if (e.ruleNumber >= 32767 || e.protocol === 'all' || e.protocol === -1 || !e.portRange) return true;
  return e.portRange.from <= range.from && e.portRange.to >= range.to;
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
  const traffic = flow.traffic;
  // A reply goes to one port of the client's ephemeral range, picked per connection: when the ACL denies only part
  // of the range, only the connections whose port falls there fail. At most half denied: the flow works (most
  // connections do), and the answer warns; more than half: a blocker, since most connections fail.
  const range = traffic.protocol !== 'icmp' && flow.side === 'return' ? traffic.ports : null;
  const total = range ? range.to - range.from + 1 : 1;
  const denied = count(d.deniedPorts);
  const partial = range !== null && !d.allowed && denied < total;
  // Ports other ACLs on this reply path deny already count too: a connection fails at whichever ACL denies its port.
  const before = flow.partlyDenied?.traffic === traffic ? flow.partlyDenied : null;
  const union = merged([...(before?.ports ?? []), ...d.deniedPorts]);
  const failing = count(union);
  const blocks = !d.allowed && (!partial || failing * 2 > total);
  const alsoText =
    before && partial ? ` (with ${before.acls.join(', ')}, which denies others earlier on this reply path)` : '';
  const toFrom = egress ? 'to' : 'from';
  const detail =
    d.deniedPorts.length > 0
      ? `denies ${traffic.protocol.toUpperCase()} ports ${d.deniedPorts.map(portsText).join(', ')} ${toFrom} ${peer}`
      : undefined;
  // Which entry denies which ports, for a range denied in part: `40000 by 50 TCP 40000 0.0.0.0/0 DENY`.
  const byRule = partial ? d.denials.map((x) => `${portsText(x)} by ${x.entry.text}`).join('; ') : '';
  const leaving = egress ? 'leaving' : 'entering';
  if (partial && !blocks && range && traffic.protocol !== 'icmp') {
    flow.partlyDenied = { traffic, acls: [...(before?.acls ?? []), acl.id], ports: union };
    const share = denied / total;
    const gaps = d.denials.filter((x) => x.entry.ruleNumber >= 32767);
    const advice =
      gaps.length > 0
        ? ` Nothing allows ${gaps.map(portsText).join(', ')}: an allow of ${traffic.protocol.toUpperCase()} ${EPHEMERAL.any.from}-${EPHEMERAL.any.to} ${toFrom} ${peer} numbered after the existing rules would serve every client without overriding a deny.`
        : '';
    const message =
      `Network ACL ${acl.id} of ${subnetId} denies ${traffic.protocol.toUpperCase()} ${merged(d.deniedPorts).map(portsText).join(', ')} ` +
      `${toFrom} ${peer} ${leaving} the subnet (the reply: network ACLs are stateless): ${denied} of the ${total} ports of the ` +
      `client's ephemeral range ${portsText(range)} (${percent(share)} %; ${byRule}). A connection whose source port falls ` +
      `there gets no reply and fails; the others work, so failures are intermittent.${advice}`;
    t.rec.hop(flow, {
      component: 'network-acl',
      id: acl.id,
      direction: egress ? 'egress' : 'ingress',
      allowed: true,
      rule: d.firstAllow?.text ?? 'allowed',
      detail: `${detail} (${percent(share)} % of the client's range ${portsText(range)}; ${byRule})`,
    });
    t.rec.partly({
      direction: flow.side,
      networkAclId: acl.id,
      subnetId,
      egress,
      protocol: traffic.protocol,
      range: { from: range.from, to: range.to },
      denied: d.denials.map((x) => ({ from: x.from, to: x.to, rule: x.entry.text })),
      share,
      message,
    });
    return;
  }
  const entry = d.entry?.text ?? (d.allowed ? 'allowed' : '* DENY');
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
  const what = `${trafficText(traffic)} ${toFrom} ${peer}`;
  const fix = naclFix(t, acl, flow, egress, peer, d.entry?.ruleNumber ?? 32767, range ? d.denials : null);
  const stateless = flow.side === 'return' ? ' (the reply: network ACLs are stateless)' : '';
  // A range denied in part names the denied ports, never the whole range; with no fix, it says why.
  const message =
    partial && range
      ? `Network ACL ${acl.id} of ${subnetId} denies ${traffic.protocol.toUpperCase()} ${merged(d.deniedPorts).map(portsText).join(', ')} ` +
        `of the client's ephemeral range ${portsText(range)} ${toFrom} ${peer} ${leaving} the subnet${stateless}: about ` +
        `${percent(failing / total)} % of connections fail${alsoText}, those whose source port falls there.` +
        (fix
          ? ''
          : ' whyping proposes no change: the deny rules there name these ports on purpose; narrow them if these connections must work.')
      : `Network ACL ${acl.id} of ${subnetId} denies ${what} ${leaving} the subnet${stateless}.`;
  const evidence = partial ? `${entry}; ${detail}; ${byRule}` : detail ? `${entry}; ${detail}` : entry;
  t.rec.record({
    flow,
    code: egress ? 'NACL_EGRESS_DENIED' : 'NACL_INGRESS_DENIED',
    resource: acl.id,
    message,
    evidence,
    fix,
  });
}

/**
 * The fix of a denied packet: an allow numbered below the deny. For a reply (`denials` given: the client's range,
 * each sub-range with the entry that denies it), the allow opens 1024-65535 — the range every client picks from,
 * as AWS documents — under the first deny that takes the whole range (or `*`), and above every deny of some of
 * those ports the user wrote, so it overrides no deliberate deny; none when only such denies stand in the way.
 */
function naclFix(
  t: Walk,
  acl: NetworkAcl,
  flow: Flow,
  egress: boolean,
  peer: string,
  firstDeny: number,
  denials: Denial[] | null,
): { action: FixAction; summary: string } | null {
  const traffic = flow.traffic;
  let below = firstDeny;
  let above = 0;
  if (denials && traffic.protocol !== 'icmp') {
    const walls = denials.filter((x) => isWall(x.entry, traffic.ports));
    if (walls.length === 0) return null;
    below = Math.min(...walls.map((x) => x.entry.ruleNumber));
    above = lastDenyBelow(acl, egress, traffic.protocol, EPHEMERAL.any, peer, below);
  }
  // Rule numbers already taken by other fixes of this diagnosis stay taken, so "apply all" cannot collide.
  const key = `${acl.id}/${egress}`;
  const reserved = t.reservedRules.get(key) ?? new Set<number>();
  const ruleNumber = freeRuleNumberBetween(acl, egress, above, below, reserved);
  if (ruleNumber === null) return null;
  t.reservedRules.set(key, reserved.add(ruleNumber));
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
  return {
    action,
    summary: `Add ${egress ? 'outbound' : 'inbound'} rule ${ruleNumber} to ${acl.id}: allow ${traffic.protocol.toUpperCase()}${ports} ${egress ? 'to' : 'from'} ${peer}`,
  };
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
