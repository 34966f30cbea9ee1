/** Network ACLs (DescribeNetworkAcls): entries in rule order, each with its wording. */
import type { NaclEntry, NetworkAcl, NetworkAclId, SubnetId, Vpc, VpcId } from '../../model/index.js';
import { dedup, type Inputs, type Warn } from '../merge.js';
import { naclEntryText, normalizeProtocol } from '../text.js';
import { badPortRange, fitted, intern, origin, tagsOf, withName } from './shared.js';

export function networkAclsFrom(inp: Inputs, vpcs: ReadonlyMap<VpcId, Vpc>, warn: Warn): Map<NetworkAclId, NetworkAcl> {
  const networkAcls = new Map<NetworkAclId, NetworkAcl>();
  for (const [id, { value: a, file }] of dedup(
    inp.NetworkAcls,
    (a) => a.NetworkAclId,
    (a) => a.OwnerId,
  )) {
    const entries: NaclEntry[] = [];
    for (const e of a.Entries ?? []) {
      const cidr = e.CidrBlock ?? e.Ipv6CidrBlock;
      if (!cidr) {
        warn('BAD_NACL_ENTRY', `network ACL ${id}: entry ${e.RuleNumber} has no CIDR block; ignored`, [id]);
        continue;
      }
      const entry: Omit<NaclEntry, 'text'> = {
        ruleNumber: e.RuleNumber,
        egress: e.Egress,
        protocol: normalizeProtocol(e.Protocol),
        action: e.RuleAction.toLowerCase() === 'deny' ? 'deny' : 'allow',
        cidr,
      };
      const bad = e.PortRange ? badPortRange(entry.protocol, e.PortRange.From, e.PortRange.To) : null;
      if (bad) {
        warn(
          'BAD_PORT_RANGE',
          `network ACL ${id}: entry ${e.RuleNumber} has ${bad}, which AWS refuses (ports 0-65535, from ≤ to): the entry is ignored, as it does not exist in AWS`,
          [id],
        );
        continue;
      }
      if (e.PortRange && (entry.protocol === 'tcp' || entry.protocol === 'udp'))
        entry.portRange = {
          from: Math.max(0, e.PortRange.From ?? 0),
          to: (e.PortRange.To ?? -1) < 0 ? 65535 : (e.PortRange.To as number),
        };
      if (e.IcmpTypeCode && (entry.protocol === 'icmp' || entry.protocol === 'icmpv6'))
        entry.icmp = { type: e.IcmpTypeCode.Type ?? -1, code: e.IcmpTypeCode.Code ?? -1 };
      entries.push({ ...entry, text: intern(naclEntryText(entry)) });
    }
    entries.sort((x, y) => x.ruleNumber - y.ruleNumber || Number(x.egress) - Number(y.egress));
    const tags = tagsOf(a.Tags);
    const acl: NetworkAcl = {
      id: id as NetworkAclId,
      vpcId: a.VpcId as VpcId,
      isDefault: !!a.IsDefault,
      subnetIds: (a.Associations ?? []).map((x) => x.SubnetId).filter((s): s is string => !!s) as SubnetId[],
      entries: fitted(entries),
      tags,
    };
    networkAcls.set(
      acl.id,
      origin(withName(acl, tags), a.OwnerId ?? file.accountId, file.region ?? vpcs.get(acl.vpcId)?.region),
    );
  }
  return networkAcls;
}
