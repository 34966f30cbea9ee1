/** Security group and network ACL evaluation: which rule or entry decides a packet, in console words. */

import type {
  NaclEntry,
  NetworkAcl,
  NetworkInterface,
  Protocol,
  RuleProtocol,
  SecurityGroup,
  SecurityGroupId,
  SgRule,
  Snapshot,
} from '../model/index.js';
import { isRfc1918, isRfc6598, type ParsedCidr, parseCidr, parsedCidrCovers } from '../net/ip.js';

/** What a packet carries that rules match on. Ports for TCP/UDP are a range: a single port, or a client's ephemeral range. */
export type Traffic =
  | { protocol: 'icmp'; type: number; code: number }
  | { protocol: 'tcp' | 'udp'; ports: { from: number; to: number } };

/** ICMP echo request / echo reply (RFC 792). */
export const ECHO_REQUEST = 8;
export const ECHO_REPLY = 0;

/** The traffic of a request: ping is ICMP type 8 code 0; TCP/UDP go to the asked port. */
export function requestTraffic(protocol: Protocol, port: number | null): Traffic {
  if (protocol === 'icmp') return { protocol: 'icmp', type: ECHO_REQUEST, code: 0 };
  const p = port ?? 0;
  return { protocol, ports: { from: p, to: p } };
}

/** The traffic of the reply: ICMP echo reply (type 0), or TCP/UDP back to the client's ephemeral ports. */
export function replyTraffic(protocol: Protocol, ephemeral: { from: number; to: number }): Traffic {
  if (protocol === 'icmp') return { protocol: 'icmp', type: ECHO_REPLY, code: 0 };
  return { protocol, ports: ephemeral };
}

/** `ICMP Echo Request`, `TCP 22`, `TCP 32768-60999`. */
export function trafficText(t: Traffic): string {
  if (t.protocol === 'icmp')
    return t.type === ECHO_REQUEST
      ? 'ICMP Echo Request'
      : t.type === ECHO_REPLY
        ? 'ICMP Echo Reply'
        : `ICMP ${t.type}/${t.code}`;
  const { from, to } = t.ports;
  return `${t.protocol.toUpperCase()} ${from === to ? from : `${from}-${to}`}`;
}

function protocolMatches(rule: RuleProtocol, t: Traffic): boolean {
  if (rule === 'all' || rule === -1) return true;
  if (rule === 'icmp' || rule === 1) return t.protocol === 'icmp';
  if (rule === 'tcp' || rule === 6) return t.protocol === 'tcp';
  if (rule === 'udp' || rule === 17) return t.protocol === 'udp';
  return false;
}

/** The CIDRs an SG/NACL peer stands for, resolved through the snapshot (prefix lists). */
function prefixListCidrs(s: Snapshot, id: string): string[] {
  return s.index.prefixListCidrs.get(id as `pl-${string}`) ?? s.prefixLists.get(id as `pl-${string}`)?.cidrs ?? [];
}

/**
 * Whether a prefix list whose entries the snapshot does not hold (the loader warns DANGLING_REFERENCE) may cover
 * the host `cidr`. False when the entries are known (they decide); for a range (an "internet" endpoint), which a list
 * covers only whole, as known lists are read; and for an AWS service list (`com.amazonaws.<region>.<service>`, e.g. a
 * gateway endpoint's) and a private address: those lists hold only AWS public ranges.
 */
export function prefixListMayCover(s: Snapshot, id: string, cidr: string): boolean {
  if (prefixListCidrs(s, id).length > 0) return false;
  const c = parseCidr(cidr);
  if (!c || c.prefix !== (c.family === 4 ? 32 : 128)) return false;
  const host = cidr.split('/')[0] ?? '';
  const privateHost = c.family === 4 && (isRfc1918(host) || isRfc6598(host));
  return !(privateHost && s.prefixLists.get(id as `pl-${string}`)?.name?.startsWith('com.amazonaws.'));
}

/** The other end of a packet as a security group sees it. */
export interface SgPeerView {
  /** The address range the packet comes from / goes to (a /32 for a host). */
  cidr: string;
  /** The ENI at the other end, when security-group references can match it (same VPC or same-region peering). */
  eni: NetworkInterface | null;
}

/** Does one SG rule allow this traffic to/from `peer`? (ICMP: FromPort is the type, ToPort the code, -1 = all.) */
export function sgRuleMatches(s: Snapshot, rule: SgRule, t: Traffic, peer: SgPeerView): boolean {
  return sgRuleCarries(rule, t) && sgPeerMatches(s, rule, peer, parseCidr(peer.cidr));
}

/** Does a rule's protocol and port range (or ICMP type and code) take this traffic, whoever the peer? */
function sgRuleCarries(rule: SgRule, t: Traffic): boolean {
  if (!protocolMatches(rule.protocol, t)) return false;
  if (t.protocol === 'icmp') {
    if (rule.protocol === 'icmp' || rule.protocol === 1) {
      const type = rule.fromPort ?? -1;
      const code = rule.toPort ?? -1;
      if (type !== -1 && type !== t.type) return false;
      if (code !== -1 && code !== t.code) return false;
    }
  } else if (rule.protocol !== 'all' && rule.protocol !== -1) {
    const from = rule.fromPort ?? 0;
    const to = rule.toPort ?? 65535;
    // -1/-1 on tcp/udp means all ports (AWS prints it that way for some imported rules).
    if (!(from === -1 || (from <= t.ports.from && to >= t.ports.to))) return false;
  }
  return true;
}

/** Does a rule's peer (a CIDR, a prefix list's entries, a group) cover the other end? `cidr` is `peer.cidr` parsed. */
function sgPeerMatches(s: Snapshot, rule: SgRule, peer: SgPeerView, cidr: ParsedCidr | null): boolean {
  const covers = (block: string) => {
    const c = parseCidr(block);
    return c !== null && cidr !== null && parsedCidrCovers(c, cidr);
  };
  switch (rule.peer.kind) {
    case 'cidr':
      return covers(rule.peer.cidr);
    case 'prefix-list':
      return prefixListCidrs(s, rule.peer.id).some(covers);
    case 'security-group':
      return peer.eni?.groupIds.includes(rule.peer.groupId) === true;
  }
}

/** The outcome of evaluating the union of an ENI's security groups. */
export interface SgDecision {
  allowed: boolean;
  group: SecurityGroupId | null;
  rule: SgRule | null;
  /** Groups evaluated (the ENI's groups that exist in the snapshot). */
  groups: SecurityGroup[];
  /** Groups the ENI carries that the snapshot does not hold. */
  missing: SecurityGroupId[];
  /**
   * Rules that match the protocol and ports but whose peer is a prefix list with no entries in the snapshot: when
   * nothing else allows, whether one of them does is unknown (never a guessed deny).
   */
  unresolved: { group: SecurityGroupId; rule: SgRule }[];
}

/** Evaluates the union of allows across all groups of an ENI (rules only allow; no match is a deny). */
export function evaluateSecurityGroups(
  s: Snapshot,
  eni: NetworkInterface,
  direction: 'ingress' | 'egress',
  t: Traffic,
  peer: SgPeerView,
): SgDecision {
  const groups: SecurityGroup[] = [];
  const missing: SecurityGroupId[] = [];
  for (const id of eni.groupIds) {
    const g = s.securityGroups.get(id);
    if (g) groups.push(g);
    else missing.push(id);
  }
  const unresolved: { group: SecurityGroupId; rule: SgRule }[] = [];
  let peerCidr: ParsedCidr | null | undefined; // parsed when a rule first needs it
  for (const g of groups) {
    for (const rule of direction === 'ingress' ? g.ingress : g.egress) {
      // The traffic first: most rules are for other ports, and their peers need not be looked at.
      if (!sgRuleCarries(rule, t)) continue;
      if (peerCidr === undefined) peerCidr = parseCidr(peer.cidr);
      if (sgPeerMatches(s, rule, peer, peerCidr))
        return { allowed: true, group: g.id, rule, groups, missing, unresolved: [] };
      if (rule.peer.kind === 'prefix-list' && prefixListMayCover(s, rule.peer.id, peer.cidr))
        unresolved.push({ group: g.id, rule });
    }
  }
  return { allowed: false, group: null, rule: null, groups, missing, unresolved };
}

/** The outcome of a network ACL on a packet (for a port range: allowed only if every port is allowed). */
export interface NaclDecision {
  allowed: boolean;
  /** The entry that decided (for a range: the first deny, else the first allow). */
  entry: NaclEntry | null;
  /** For a range: the first entry that allowed some of its ports (null when none did). */
  firstAllow: NaclEntry | null;
  /** For a TCP/UDP port range partly denied: the denied sub-ranges. */
  deniedPorts: { from: number; to: number }[];
  /** The same sub-ranges, each with the entry that denied it (the implicit `*` entry for what no entry matched). */
  denials: { from: number; to: number; entry: NaclEntry }[];
}

function entryMatchesTraffic(e: NaclEntry, t: Traffic): boolean {
  if (!protocolMatches(e.protocol, t)) return false;
  if (t.protocol === 'icmp' && (e.protocol === 'icmp' || e.protocol === 1) && e.icmp) {
    if (e.icmp.type !== -1 && e.icmp.type !== t.type) return false;
    if (e.icmp.code !== -1 && e.icmp.code !== t.code) return false;
  }
  return true;
}

/** A network ACL's entries of one direction with their CIDRs parsed (malformed ones left out: they match nothing). */
interface ParsedEntry {
  entry: NaclEntry;
  cidr: ParsedCidr;
}

/** Each ACL's entries, parsed at its first evaluation: a path checks a subnet's ACL again and again. */
const parsedAcls = new WeakMap<NetworkAcl, { ingress: ParsedEntry[]; egress: ParsedEntry[] }>();

function parsedEntries(acl: NetworkAcl, egress: boolean): ParsedEntry[] {
  let parsed = parsedAcls.get(acl);
  if (!parsed) {
    parsed = { ingress: [], egress: [] };
    for (const entry of acl.entries) {
      const cidr = parseCidr(entry.cidr);
      if (cidr) (entry.egress ? parsed.egress : parsed.ingress).push({ entry, cidr });
    }
    parsedAcls.set(acl, parsed);
  }
  return egress ? parsed.egress : parsed.ingress;
}

/**
 * Evaluates a NACL in one direction: entries in ascending rule number, the first match decides, `*` denies.
 * `peerCidr` is the packet's source (ingress) or destination (egress). For a port range every port must be allowed.
 */
export function evaluateNacl(acl: NetworkAcl, egress: boolean, t: Traffic, peerCidr: string): NaclDecision {
  const peer = parseCidr(peerCidr);
  const family = peer?.family ?? 4;
  let undecided: { from: number; to: number }[] =
    t.protocol === 'icmp' ? [{ from: 0, to: 0 }] : [{ from: t.ports.from, to: t.ports.to }];
  let firstAllow: NaclEntry | null = null;
  let firstDeny: NaclEntry | null = null;
  const denied: { from: number; to: number; entry: NaclEntry }[] = [];
  for (const { entry: e, cidr: c } of parsedEntries(acl, egress)) {
    if (!peer || c.family !== family || !parsedCidrCovers(c, peer)) continue;
    if (!entryMatchesTraffic(e, t)) continue;
    const range =
      t.protocol !== 'icmp' && e.portRange && e.protocol !== 'all' && e.protocol !== -1
        ? e.portRange
        : { from: 0, to: 65535 };
    const next: { from: number; to: number }[] = [];
    for (const u of undecided) {
      const lo = Math.max(u.from, range.from);
      const hi = Math.min(u.to, range.to);
      if (lo > hi) {
        next.push(u);
        continue;
      }
      if (e.action === 'deny') {
        denied.push({ from: lo, to: hi, entry: e });
        firstDeny ??= e;
      } else firstAllow ??= e;
      if (u.from < lo) next.push({ from: u.from, to: lo - 1 });
      if (hi < u.to) next.push({ from: hi + 1, to: u.to });
    }
    undecided = next;
    if (undecided.length === 0) break;
  }
  // Whatever no entry matched falls to the implicit `*` deny (32767), present in every ACL.
  if (undecided.length > 0) {
    const star: NaclEntry = {
      ruleNumber: 32767,
      egress,
      protocol: 'all',
      action: 'deny',
      cidr: family === 4 ? '0.0.0.0/0' : '::/0',
      text: `* ALL ALL ${family === 4 ? '0.0.0.0/0' : '::/0'} DENY`,
    };
    denied.push(...undecided.map((u) => ({ ...u, entry: star })));
    firstDeny ??= star;
  }
  if (denied.length > 0) {
    const denials = t.protocol === 'icmp' ? [] : denied.sort((a, b) => a.from - b.from);
    return {
      allowed: false,
      entry: firstDeny,
      firstAllow,
      deniedPorts: denials.map(({ from, to }) => ({ from, to })),
      denials,
    };
  }
  return { allowed: true, entry: firstAllow, firstAllow, deniedPorts: [], denials: [] };
}

/** A free rule number below `below` in one direction of the ACL (prefers multiples of 10), skipping `reserved`; or null. */
export function freeRuleNumberBelow(
  acl: NetworkAcl,
  egress: boolean,
  below: number,
  reserved: ReadonlySet<number> = new Set(),
): number | null {
  const used = new Set([...acl.entries.filter((e) => e.egress === egress).map((e) => e.ruleNumber), ...reserved]);
  if (below >= 32767) {
    // Nothing matched before the `*` entry, so any free number works: take the next tidy one after the last rule.
    const last = Math.max(0, ...[...used].filter((n) => n < 32767));
    const next = (Math.floor(last / 10) + 1) * 10;
    if (next <= 32766 && !used.has(next)) return next;
  }
  const top = Math.min(below - 1, 32766);
  for (let n = Math.floor(top / 10) * 10; n >= 10; n -= 10) if (!used.has(n)) return n;
  for (let n = top; n >= 1; n--) if (!used.has(n)) return n;
  return null;
}

/**
 * A free rule number strictly between `above` and `below` in one direction of the ACL, or null: the number
 * `freeRuleNumberBelow` picks when it lies above `above` (so fixes that had no lower bound keep their numbers), else
 * the highest free number in between.
 */
export function freeRuleNumberBetween(
  acl: NetworkAcl,
  egress: boolean,
  above: number,
  below: number,
  reserved: ReadonlySet<number> = new Set(),
): number | null {
  const n = freeRuleNumberBelow(acl, egress, below, reserved);
  if (n === null || n > above) return n;
  const used = new Set([...acl.entries.filter((e) => e.egress === egress).map((e) => e.ruleNumber), ...reserved]);
  for (let m = Math.min(below - 1, 32766); m > above; m--) if (!used.has(m)) return m;
  return null;
}

/**
 * The highest rule number below `below` of a deny entry (never `*`) that applies to `peerCidr` and to some port of
 * `ports` for this TCP/UDP protocol, or 0. An allow numbered at or under it would take those ports from it.
 */
export function lastDenyBelow(
  acl: NetworkAcl,
  egress: boolean,
  protocol: 'tcp' | 'udp',
  ports: { from: number; to: number },
  peerCidr: string,
  below: number,
): number {
  const peer = parseCidr(peerCidr);
  let last = 0;
  if (!peer) return last;
  const t: Traffic = { protocol, ports };
  for (const { entry: e, cidr: c } of parsedEntries(acl, egress)) {
    if (e.action !== 'deny' || e.ruleNumber >= below || e.ruleNumber >= 32767) continue;
    if (c.family !== peer.family || !parsedCidrCovers(c, peer) || !entryMatchesTraffic(e, t)) continue;
    const range = e.portRange && e.protocol !== 'all' && e.protocol !== -1 ? e.portRange : { from: 0, to: 65535 };
    if (range.from <= ports.to && range.to >= ports.from) last = Math.max(last, e.ruleNumber);
  }
  return last;
}
