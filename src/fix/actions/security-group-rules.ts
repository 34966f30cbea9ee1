/**
 * Security group rules: AuthorizeSecurityGroupIngress/Egress with the narrowest peer, a whyping description and tags;
 * the undo re-reads the rule by its id (same group, owner, description and permission) and revokes it.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { isCidr } from '../../net/ip.js';
import { auditDescription, auditTags, isAwsCode, tagSpec } from '../aws.js';
import type { UndoChange } from '../undo.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import { already, asLeft, changed, gone, ownerCheck, refused, wouldApply } from './shared.js';

type SgPlan = Extract<FixPlan, { action: 'AuthorizeSecurityGroupIngress' | 'AuthorizeSecurityGroupEgress' }>['params'];

function permissionText(egress: boolean, p: SgPlan): string {
  const what =
    p.protocol === 'icmp'
      ? `ICMP type ${p.fromPort === -1 ? 'all' : p.fromPort} code ${p.toPort === -1 ? 'all' : p.toPort}`
      : `${p.protocol.toUpperCase()} ${p.fromPort === p.toPort ? p.fromPort : `${p.fromPort}-${p.toPort}`}`;
  const peer = p.cidr ?? p.peerGroupId ?? '?';
  return `${egress ? 'outbound' : 'inbound'} ${what} ${egress ? 'to' : 'from'} ${peer}`;
}

/** AuthorizeSecurityGroupIngress/Egress with the plan's narrowest peer, a whyping description and tags. */
async function securityGroupRule(x: Exec, egress: boolean, p: SgPlan): Promise<Outcome> {
  if ((p.cidr === undefined) === (p.peerGroupId === undefined) || (p.cidr !== undefined && !isCidr(p.cidr))) {
    return refused('The plan must name exactly one source: a CIDR or a security group.');
  }
  const Description = auditDescription(x.audit);
  const permission: IpPermission = {
    // ICMP for an IPv6 peer is ICMPv6 (protocol 58) in a security group rule.
    IpProtocol: p.protocol === 'icmp' && p.cidr?.includes(':') ? 'icmpv6' : p.protocol,
    FromPort: p.fromPort,
    ToPort: p.toPort,
    ...(p.cidr !== undefined
      ? p.cidr.includes(':')
        ? { Ipv6Ranges: [{ CidrIpv6: p.cidr, Description }] }
        : { IpRanges: [{ CidrIp: p.cidr, Description }] }
      : { UserIdGroupPairs: [{ GroupId: p.peerGroupId, Description }] }),
  };
  const input = {
    GroupId: p.groupId,
    IpPermissions: [permission],
    TagSpecifications: tagSpec('security-group-rule', auditTags(x.audit)),
  };
  const action = egress ? 'ec2:AuthorizeSecurityGroupEgress' : 'ec2:AuthorizeSecurityGroupIngress';
  const send = (dry: boolean) =>
    egress
      ? x.ec2.send(new AuthorizeSecurityGroupEgressCommand({ ...input, DryRun: dry }))
      : x.ec2.send(new AuthorizeSecurityGroupIngressCommand({ ...input, DryRun: dry }));
  const text = `${permissionText(egress, p)} on ${p.groupId}`;
  const isDuplicate = (e: unknown) => isAwsCode(e, 'InvalidPermission.Duplicate');
  try {
    await x.log.dryRun(action, () => send(true));
  } catch (e) {
    if (isDuplicate(e)) return already(`The rule ${text} is already there.`);
    throw e;
  }
  if (x.dryOnly) return wouldApply(`allow ${text}`);
  let ruleId: string | undefined;
  try {
    const out = await x.log.write(action, () => send(false));
    ruleId = out.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
  } catch (e) {
    if (isDuplicate(e)) return already(`The rule ${text} is already there.`);
    throw e;
  }
  const change: UndoChange | null = ruleId
    ? {
        kind: 'sg-rule',
        groupId: p.groupId,
        egress,
        ruleId,
        permission: {
          protocol: p.protocol,
          fromPort: p.fromPort,
          toPort: p.toPort,
          ...(p.cidr ? { cidr: p.cidr } : { peerGroupId: p.peerGroupId as string }),
        },
      }
    : null;
  return {
    status: 'applied',
    message: `Allowed ${text}${ruleId ? ` (rule ${ruleId})` : ' (AWS returned no rule id: revoke it by hand to undo)'}, described "${Description}".`,
    undo: change ? [change] : null,
  };
}

/** Inbound and outbound rules: one executor, told apart by the action. */
export const securityGroupApplies: Applies<'AuthorizeSecurityGroupIngress' | 'AuthorizeSecurityGroupEgress'> = {
  AuthorizeSecurityGroupIngress: (x, p) => securityGroupRule(x, false, p),
  AuthorizeSecurityGroupEgress: (x, p) => securityGroupRule(x, true, p),
};

// ---------------------------------------------------------------- undo

type RuleChange = Extract<UndoChange, { kind: 'sg-rule' }>;

/** The rule whyping added is still there, in the same group and account, with whyping's description and content. */
async function verifyRule({ ec2, log, token, step }: VerifyContext, c: RuleChange): Promise<Check> {
  const out = await log.read('ec2:DescribeSecurityGroupRules', () =>
    ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [c.ruleId] })),
  );
  const r = out.SecurityGroupRules?.find((x) => x.SecurityGroupRuleId === c.ruleId);
  if (!r) return gone(`rule ${c.ruleId} is gone`);
  const owner = ownerCheck(r.GroupOwnerId, step, `security group ${c.groupId}`);
  if (owner) return owner;
  const description = auditDescription({
    actor: token.actor,
    diagnosisId: token.diagnosisId,
    fixId: step.fixId,
    now: () => new Date(token.appliedAt),
  });
  if (r.Description !== description) {
    return changed(`rule ${c.ruleId} is now described "${r.Description ?? ''}", not "${description}"`);
  }
  const p = c.permission;
  const peer = r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId;
  const proto = r.IpProtocol === 'icmpv6' ? 'icmp' : r.IpProtocol;
  if (
    r.GroupId !== c.groupId ||
    Boolean(r.IsEgress) !== c.egress ||
    proto !== p.protocol ||
    r.FromPort !== p.fromPort ||
    r.ToPort !== p.toPort ||
    peer !== (p.cidr ?? p.peerGroupId)
  ) {
    return changed(`rule ${c.ruleId} was modified since whyping added it`);
  }
  return asLeft;
}

function revokeRule(ec2: EC2Client, c: RuleChange): Call[] {
  const input = { GroupId: c.groupId, SecurityGroupRuleIds: [c.ruleId] };
  return [
    {
      action: c.egress ? 'ec2:RevokeSecurityGroupEgress' : 'ec2:RevokeSecurityGroupIngress',
      text: `revoked rule ${c.ruleId} of ${c.groupId}`,
      send: (dry) =>
        c.egress
          ? ec2.send(new RevokeSecurityGroupEgressCommand({ ...input, DryRun: dry }))
          : ec2.send(new RevokeSecurityGroupIngressCommand({ ...input, DryRun: dry })),
    },
  ];
}

/** Undoing a rule whyping added: revoke it by its rule id. */
export const securityGroupUndos: UndoSpecs<'sg-rule'> = {
  'sg-rule': {
    describe: (c) => {
      const p = c.permission;
      const ports =
        p.protocol === 'icmp'
          ? `ICMP ${p.fromPort}/${p.toPort}`
          : `${p.protocol.toUpperCase()} ${p.fromPort}-${p.toPort}`;
      const peer = p.cidr ?? p.peerGroupId ?? '?';
      return `revoke ${c.egress ? 'outbound' : 'inbound'} rule ${c.ruleId} (${ports} ${c.egress ? 'to' : 'from'} ${peer}) of ${c.groupId}`;
    },
    owner: (snapshot, c) => snapshot.securityGroups.get(c.groupId as never)?.accountId,
    verify: verifyRule,
    calls: revokeRule,
  },
};
