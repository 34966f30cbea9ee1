/**
 * Security groups (DescribeSecurityGroups): one rule per peer, as the console lists them, each with its wording.
 * Rule wording needs every group's name, so the groups' names are collected first.
 */
import type {
  PrefixList,
  PrefixListId,
  SecurityGroup,
  SecurityGroupId,
  SgPeer,
  SgRule,
  Vpc,
  VpcId,
} from '../../model/index.js';
import { dedup, type Inputs, type Warn } from '../merge.js';
import type { RawIpPermission } from '../schema.js';
import { normalizeProtocol, sgRulePrefix } from '../text.js';
import { badPortRange, fitted, intern, origin, tagsOf } from './shared.js';

function portOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : v;
}

const cidrPeers = new Map<string, SgPeer>();
/**
 * CIDR peers are shared, frozen objects: a big account repeats a handful of CIDRs (0.0.0.0/0, 10.0.0.0/8) across
 * hundreds of thousands of rules.
 */
function cidrPeer(cidr: string): SgPeer {
  let peer = cidrPeers.get(cidr);
  if (!peer) {
    if (cidrPeers.size >= 100_000) cidrPeers.clear();
    peer = Object.freeze({ kind: 'cidr', cidr }) as SgPeer;
    cidrPeers.set(cidr, peer);
  }
  return peer;
}

function samePeer(a: SgPeer, b: SgPeer): boolean {
  if (a.kind === 'cidr') return b.kind === 'cidr' && a.cidr === b.cidr;
  if (a.kind === 'prefix-list') return b.kind === 'prefix-list' && a.id === b.id;
  return (
    b.kind === 'security-group' &&
    a.groupId === b.groupId &&
    a.userId === b.userId &&
    a.vpcId === b.vpcId &&
    a.peeringStatus === b.peeringStatus
  );
}

/**
 * At most this many rules of one wording and description are kept for sharing; more that differ only in what the
 * wording leaves out are made anew (each lookup compares the kept ones, so a long list would make the build quadratic).
 */
const SHARED_PER_KEY = 8;

/**
 * Equal rules as one shared, frozen object (for one build): a big account repeats the same rule (all traffic out to
 * 0.0.0.0/0, HTTPS in from anywhere) in thousands of groups. A rule is looked up by the two parts of its wording (the
 * direction, protocol and ports; the peer) and its description, then compared field by field, so rules that differ in
 * anything stay apart.
 */
class SharedRules {
  private readonly byWording = new Map<string, Map<string, SgRule[]>>();

  /** Adds to `out` the rule `prefix + peerWord` worded with these fields (the one already made, when equal). */
  push(
    out: SgRule[],
    base: Pick<SgRule, 'direction' | 'protocol' | 'fromPort' | 'toPort'>,
    peer: SgPeer,
    description: string | null | undefined,
    prefix: string,
    peerWord: string,
  ): void {
    let byPeer = this.byWording.get(prefix);
    if (!byPeer) {
      byPeer = new Map();
      this.byWording.set(prefix, byPeer);
    }
    const key = description ? `${peerWord}\n${description}` : peerWord;
    let same = byPeer.get(key);
    if (same) {
      for (const r of same)
        if (
          r.direction === base.direction &&
          r.protocol === base.protocol &&
          r.fromPort === base.fromPort &&
          r.toPort === base.toPort &&
          r.description === (description || undefined) &&
          samePeer(r.peer, peer)
        ) {
          out.push(r);
          return;
        }
    } else {
      same = [];
      byPeer.set(key, same);
    }
    const rule: SgRule = {
      direction: base.direction,
      protocol: base.protocol,
      fromPort: base.fromPort,
      toPort: base.toPort,
      peer,
      text: intern(prefix + peerWord),
    };
    if (description) rule.description = description;
    Object.freeze(rule);
    if (same.length < SHARED_PER_KEY) same.push(rule);
    out.push(rule);
  }
}

/** Splits one IpPermission into one rule per peer, as the console lists them (the hot loop of a big account). */
function expandPermission(
  direction: 'ingress' | 'egress',
  perm: RawIpPermission,
  peerText: (peer: SgPeer) => string,
  out: SgRule[],
  shared: SharedRules,
): void {
  const protocol = normalizeProtocol(perm.IpProtocol);
  let fromPort: number | null = null;
  let toPort: number | null = null;
  if (protocol === 'tcp' || protocol === 'udp') {
    fromPort = portOrNull(perm.FromPort) ?? 0;
    toPort = portOrNull(perm.ToPort) ?? 65535;
    // -1 for a TCP/UDP port means "no bound" (all ports when both are -1).
    if (fromPort < 0) fromPort = 0;
    if (toPort < 0) toPort = 65535;
  } else if (protocol === 'icmp' || protocol === 'icmpv6') {
    fromPort = portOrNull(perm.FromPort) ?? -1;
    toPort = portOrNull(perm.ToPort) ?? -1;
  }
  const prefix = sgRulePrefix(direction, protocol, fromPort, toPort);
  const base = { direction, protocol, fromPort, toPort };
  if (perm.IpRanges)
    for (const r of perm.IpRanges) shared.push(out, base, cidrPeer(r.CidrIp), r.Description, prefix, r.CidrIp);
  if (perm.Ipv6Ranges)
    for (const r of perm.Ipv6Ranges) shared.push(out, base, cidrPeer(r.CidrIpv6), r.Description, prefix, r.CidrIpv6);
  if (perm.PrefixListIds)
    for (const r of perm.PrefixListIds) {
      const peer: SgPeer = { kind: 'prefix-list', id: r.PrefixListId as PrefixListId };
      shared.push(out, base, peer, r.Description, prefix, peerText(peer));
    }
  if (perm.UserIdGroupPairs)
    for (const r of perm.UserIdGroupPairs) {
      if (!r.GroupId) continue;
      const peer: SgPeer = { kind: 'security-group', groupId: r.GroupId as SecurityGroupId };
      if (r.UserId) peer.userId = r.UserId;
      if (r.VpcId) peer.vpcId = r.VpcId as VpcId;
      if (r.PeeringStatus) peer.peeringStatus = r.PeeringStatus;
      shared.push(out, base, peer, r.Description, prefix, peerText(peer));
    }
}

export function securityGroupsFrom(
  inp: Inputs,
  prefixLists: ReadonlyMap<PrefixListId, PrefixList>,
  vpcs: ReadonlyMap<VpcId, Vpc>,
  warn: Warn,
): Map<SecurityGroupId, SecurityGroup> {
  const groups = dedup(
    inp.SecurityGroups,
    (g) => g.GroupId,
    (g) => g.OwnerId,
  );
  const sgNames = new Map<string, string>();
  for (const [id, { value }] of groups) if (value.GroupName) sgNames.set(id, value.GroupName);
  const securityGroups = new Map<SecurityGroupId, SecurityGroup>();
  const shared = new SharedRules();
  let currentSg = '';
  let currentOwner: string | undefined;
  const peerText = (peer: SgPeer): string => {
    if (peer.kind === 'prefix-list') {
      const pl = prefixLists.get(peer.id);
      if (!pl?.cidrs.length)
        warn(
          'DANGLING_REFERENCE',
          `security group ${currentSg}: a rule references prefix list ${peer.id}, whose CIDRs are not in the snapshot`,
          [currentSg, peer.id],
        );
      const name = pl?.name;
      return name ? `${peer.id} (${name})` : peer.id;
    }
    if (peer.kind === 'security-group') {
      const name = sgNames.get(peer.groupId);
      if (!name)
        warn(
          'DANGLING_REFERENCE',
          `security group ${currentSg}: a rule references ${peer.userId ? `${peer.userId}/` : ''}${peer.groupId}, which is not in the snapshot (its members are unknown)`,
          [currentSg, peer.groupId],
        );
      // The console shows the account only for a group of another account.
      const id = peer.userId && peer.userId !== currentOwner ? `${peer.userId}/${peer.groupId}` : peer.groupId;
      return name ? `${id} (${name})` : id;
    }
    return peer.cidr;
  };
  const toRules = (direction: 'ingress' | 'egress', perms: RawIpPermission[] | null | undefined) => {
    const rules: SgRule[] = [];
    if (perms)
      for (const p of perms) {
        const bad = badPortRange(normalizeProtocol(p.IpProtocol), p.FromPort, p.ToPort);
        if (bad) {
          warn(
            'BAD_PORT_RANGE',
            `security group ${currentSg}: an ${direction === 'ingress' ? 'inbound' : 'outbound'} ${p.IpProtocol} rule has ${bad}, which AWS refuses (ports 0-65535, from ≤ to): the rule is ignored, as it allows nothing in AWS`,
            [currentSg],
          );
          continue;
        }
        expandPermission(direction, p, peerText, rules, shared);
      }
    return fitted(rules);
  };
  for (const [id, { value: g, file }] of groups) {
    currentSg = id;
    currentOwner = g.OwnerId ?? file.accountId;
    const sg: SecurityGroup = {
      id: id as SecurityGroupId,
      groupName: g.GroupName ?? '',
      ingress: toRules('ingress', g.IpPermissions),
      egress: toRules('egress', g.IpPermissionsEgress),
      tags: tagsOf(g.Tags),
    };
    if (g.VpcId) sg.vpcId = g.VpcId as VpcId;
    if (g.Description) sg.description = g.Description;
    securityGroups.set(
      sg.id,
      origin(
        sg,
        g.OwnerId ?? file.accountId,
        file.region ?? (g.VpcId ? vpcs.get(g.VpcId as VpcId)?.region : undefined),
      ),
    );
  }
  return securityGroups;
}
