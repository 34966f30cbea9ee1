/** Network ACLs: DescribeNetworkAcls and Create/Replace/DeleteNetworkAclEntry. */
import type { NetworkAcl, NetworkAclEntry } from '@aws-sdk/client-ec2';
import { parseCidr } from '../../net/ip.js';
import type { Handler, Input, OpContext } from '../context.js';
import { byId, describe } from './describe.js';
import { dryRunGate } from './write.js';

const networkAcls = describe<NetworkAcl>({
  op: 'DescribeNetworkAcls',
  outputKey: 'NetworkAcls',
  items: (s) => s.docs.NetworkAcls,
  ids: {
    param: 'NetworkAclIds',
    of: (v) => v.NetworkAclId,
    prefix: 'acl',
    malformed: 'InvalidNetworkAclID.Malformed',
    notFound: byId('network ACL', 'InvalidNetworkAclID.NotFound'),
  },
  fields: (n) => {
    const a = n.Associations ?? [];
    const e = n.Entries ?? [];
    return {
      'network-acl-id': n.NetworkAclId,
      'vpc-id': n.VpcId,
      default: n.IsDefault ?? false,
      'owner-id': n.OwnerId,
      'association.association-id': a.map((x) => x.NetworkAclAssociationId),
      'association.network-acl-id': a.map((x) => x.NetworkAclId),
      'association.subnet-id': a.map((x) => x.SubnetId),
      'entry.cidr': e.map((x) => x.CidrBlock),
      'entry.ipv6-cidr': e.map((x) => x.Ipv6CidrBlock),
      'entry.egress': e.map((x) => x.Egress ?? false),
      'entry.protocol': e.map((x) => x.Protocol),
      'entry.rule-action': e.map((x) => x.RuleAction),
      'entry.rule-number': e.map((x) => x.RuleNumber),
      'entry.icmp.code': e.map((x) => x.IcmpTypeCode?.Code),
      'entry.icmp.type': e.map((x) => x.IcmpTypeCode?.Type),
      'entry.port-range.from': e.map((x) => x.PortRange?.From),
      'entry.port-range.to': e.map((x) => x.PortRange?.To),
    };
  },
  limits: { min: 5, max: 100 },
});

// ---- network ACLs ----

const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', icmp: '1', tcp: '6', udp: '17', icmpv6: '58' };

function aclEntryInput(input: Input, ctx: OpContext): NetworkAclEntry {
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  if (!acl) ctx.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.NetworkAclId}' does not exist`);
  const n = input.RuleNumber as number;
  if (!Number.isInteger(n) || n < 1 || n > 32766) {
    ctx.fail('InvalidParameterValue', `Value (${n}) for parameter ruleNumber is invalid. Must be between 1 and 32766.`);
  }
  const proto = String(input.Protocol ?? '');
  const protocol = PROTOCOL_NUMBERS[proto.toLowerCase()] ?? proto;
  if (!/^-?\d+$/.test(protocol)) ctx.fail('InvalidParameterValue', `Invalid value '${proto}' for protocol.`);
  if ((protocol === '6' || protocol === '17') && !input.PortRange) {
    ctx.fail('MissingParameter', 'The request must contain the parameter portRange');
  }
  if (protocol === '1' && !input.IcmpTypeCode)
    ctx.fail('MissingParameter', 'The request must contain the parameter icmpTypeCode');
  const action = String(input.RuleAction ?? '').toLowerCase();
  if (action !== 'allow' && action !== 'deny')
    ctx.fail('InvalidParameterValue', `Invalid value '${input.RuleAction}' for ruleAction.`);
  if (!input.CidrBlock && !input.Ipv6CidrBlock)
    ctx.fail('MissingParameter', 'Either cidrBlock or ipv6CidrBlock must be specified');
  const cidr = (input.CidrBlock ?? input.Ipv6CidrBlock) as string;
  if (!parseCidr(cidr))
    ctx.fail(
      'InvalidParameterValue',
      `Value (${cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
    );
  return {
    ...(input.CidrBlock ? { CidrBlock: input.CidrBlock } : { Ipv6CidrBlock: input.Ipv6CidrBlock }),
    Egress: input.Egress === true,
    ...(protocol === '1' || protocol === '58'
      ? { IcmpTypeCode: { Code: input.IcmpTypeCode?.Code, Type: input.IcmpTypeCode?.Type } }
      : {}),
    ...(protocol === '6' || protocol === '17'
      ? { PortRange: { From: input.PortRange?.From, To: input.PortRange?.To } }
      : {}),
    Protocol: protocol,
    RuleAction: action,
    RuleNumber: n,
  };
}

/** AWS lists egress entries first, each direction by rule number. */
function sortEntries(entries: NetworkAclEntry[]): NetworkAclEntry[] {
  return entries.sort((a, b) => Number(b.Egress) - Number(a.Egress) || (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
}

const createAclEntry: Handler = (input: Input, ctx: OpContext) => {
  const entry = aclEntryInput(input, ctx);
  dryRunGate(input, ctx);
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  if (!acl)
    return ctx.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.NetworkAclId}' does not exist`);
  if ((acl.Entries ?? []).some((e) => e.RuleNumber === entry.RuleNumber && e.Egress === entry.Egress)) {
    ctx.fail('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.RuleNumber} already exists.`);
  }
  acl.Entries = sortEntries([...(acl.Entries ?? []), entry]);
  return {};
};

const replaceAclEntry: Handler = (input: Input, ctx: OpContext) => {
  const entry = aclEntryInput(input, ctx);
  dryRunGate(input, ctx);
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  const at = acl?.Entries?.findIndex((e) => e.RuleNumber === entry.RuleNumber && e.Egress === entry.Egress) ?? -1;
  if (!acl || at < 0)
    return ctx.fail(
      'InvalidNetworkAclEntry.NotFound',
      `The network acl entry identified by ${entry.RuleNumber} does not exist.`,
    );
  (acl.Entries as NetworkAclEntry[])[at] = entry;
  return {};
};

const deleteAclEntry: Handler = (input: Input, ctx: OpContext) => {
  const acl = ctx.state.docs.NetworkAcls.find((a) => a.NetworkAclId === input.NetworkAclId);
  if (!acl)
    return ctx.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.NetworkAclId}' does not exist`);
  dryRunGate(input, ctx);
  const egress = input.Egress === true;
  const n = input.RuleNumber as number;
  if (n === 32767) ctx.fail('InvalidParameterValue', 'The default network acl entry cannot be deleted.');
  if (!(acl.Entries ?? []).some((e) => e.RuleNumber === n && e.Egress === egress)) {
    ctx.fail('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${n} does not exist.`);
  }
  acl.Entries = (acl.Entries ?? []).filter((e) => !(e.RuleNumber === n && e.Egress === egress));
  return {};
};

/** The operations this noun answers, by command name. */
export const networkAclHandlers = {
  DescribeNetworkAcls: networkAcls,
  CreateNetworkAclEntry: createAclEntry,
  ReplaceNetworkAclEntry: replaceAclEntry,
  DeleteNetworkAclEntry: deleteAclEntry,
} satisfies Record<string, Handler>;
