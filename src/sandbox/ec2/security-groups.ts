/**
 * Security groups and their rules: DescribeSecurityGroups, DescribeSecurityGroupRules and
 * Authorize/RevokeSecurityGroupIngress/Egress (rules get `sgr-` ids; `InvalidPermission.Duplicate`).
 */
import type { IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { parseCidr } from '../../net/ip.js';
import type { Handler, Input, OpContext } from '../context.js';
import type { FieldValues } from '../filters.js';
import { normalizeProtocol, type SandboxState, type SecurityGroupShell } from '../state.js';
import { describe } from './describe.js';
import { dryRunGate, securityGroup, tagsFor } from './write.js';

/** Fields shared by the SG/rule permission filters (`ip-permission.*`, `egress.ip-permission.*`). */
function permissionFields(rules: SecurityGroupRule[], prefix: string): FieldValues {
  // Thunks: computed only when a filter asks for them.
  return {
    [`${prefix}.cidr`]: () => rules.map((r) => r.CidrIpv4),
    [`${prefix}.ipv6-cidr`]: () => rules.map((r) => r.CidrIpv6),
    [`${prefix}.from-port`]: () => rules.map((r) => r.FromPort),
    [`${prefix}.to-port`]: () => rules.map((r) => r.ToPort),
    [`${prefix}.protocol`]: () => rules.map((r) => r.IpProtocol),
    [`${prefix}.group-id`]: () => rules.map((r) => r.ReferencedGroupInfo?.GroupId),
    [`${prefix}.user-id`]: () => rules.map((r) => r.ReferencedGroupInfo?.UserId),
    [`${prefix}.prefix-list-id`]: () => rules.map((r) => r.PrefixListId),
  };
}

const securityGroups = describe<SecurityGroupShell>({
  op: 'DescribeSecurityGroups',
  outputKey: 'SecurityGroups',
  items: (s) => s.docs.SecurityGroups,
  ids: {
    param: 'GroupIds',
    of: (v) => v.GroupId,
    prefix: 'sg',
    malformed: 'InvalidGroupId.Malformed',
    notFound: (m) => ['InvalidGroup.NotFound', `The security group '${m.join("', '")}' does not exist`],
  },
  fields: (g, s) => {
    const rules = s.rulesOf(g.GroupId);
    return {
      'group-id': g.GroupId,
      'group-name': g.GroupName,
      description: g.Description,
      'vpc-id': g.VpcId,
      'owner-id': g.OwnerId,
      ...permissionFields(
        rules.filter((r) => !r.IsEgress),
        'ip-permission',
      ),
      ...permissionFields(
        rules.filter((r) => r.IsEgress),
        'egress.ip-permission',
      ),
    };
  },
  limits: { min: 5, max: 1000 },
  render: (g, s) => s.securityGroup(g),
});

const securityGroupRules = describe<SecurityGroupRule>({
  op: 'DescribeSecurityGroupRules',
  outputKey: 'SecurityGroupRules',
  items: (s) => s.securityGroupRules,
  ids: {
    param: 'SecurityGroupRuleIds',
    of: (r) => r.SecurityGroupRuleId,
    prefix: 'sgr',
    malformed: 'InvalidSecurityGroupRuleId.Malformed',
    notFound: (m) => [
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${m.join(', ')}' does not exist`,
    ],
  },
  fields: (r) => ({ 'group-id': r.GroupId, 'security-group-rule-id': r.SecurityGroupRuleId }),
  limits: { min: 5, max: 1000 },
});

// ---- security groups ----

/** The permissions of an Authorize/Revoke request: IpPermissions, or the flat CidrIp/IpProtocol/FromPort/ToPort form. */
function permissionsOf(input: Input): IpPermission[] {
  if (Array.isArray(input.IpPermissions) && input.IpPermissions.length > 0)
    return input.IpPermissions as IpPermission[];
  if (input.IpProtocol !== undefined || input.CidrIp !== undefined) {
    return [
      {
        IpProtocol: input.IpProtocol ?? '-1',
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        ...(input.CidrIp ? { IpRanges: [{ CidrIp: input.CidrIp }] } : {}),
      },
    ];
  }
  return [];
}

function validatePermission(p: IpPermission, ownVpc: string | undefined, ctx: OpContext): void {
  const proto = normalizeProtocol(p.IpProtocol ?? '');
  if (proto === '') ctx.fail('MissingParameter', 'The request must contain the parameter ipProtocol');
  if ((proto === 'tcp' || proto === 'udp') && (p.FromPort === undefined || p.ToPort === undefined)) {
    ctx.fail(
      'InvalidParameterValue',
      `Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.`,
    );
  }
  if (
    (proto === 'tcp' || proto === 'udp') &&
    ((p.FromPort ?? 0) > (p.ToPort ?? 0) || (p.FromPort ?? 0) < 0 || (p.ToPort ?? 0) > 65535)
  ) {
    ctx.fail('InvalidParameterValue', `Invalid TCP/UDP port range: ${p.FromPort}-${p.ToPort}`);
  }
  if (proto === 'icmp' && p.FromPort === -1 && p.ToPort !== -1) {
    ctx.fail('InvalidParameterValue', `Invalid value '${p.ToPort}' for icmp code. Code must be -1 when type is -1.`);
  }
  for (const r of p.IpRanges ?? []) {
    if (!r.CidrIp || !parseCidr(r.CidrIp) || r.CidrIp.includes(':')) {
      ctx.fail('InvalidParameterValue', `CIDR block ${r.CidrIp} is malformed`);
    }
  }
  for (const r of p.Ipv6Ranges ?? []) {
    if (!r.CidrIpv6 || !parseCidr(r.CidrIpv6))
      ctx.fail('InvalidParameterValue', `CIDR block ${r.CidrIpv6} is malformed`);
  }
  for (const g of p.UserIdGroupPairs ?? []) {
    const peer = ctx.state.docs.SecurityGroups.find((x) => x.GroupId === g.GroupId);
    const foreignAccount = g.UserId !== undefined && g.UserId !== ctx.state.accountId;
    if (g.GroupId && !peer && !foreignAccount) {
      ctx.fail('InvalidGroup.NotFound', `The security group '${g.GroupId}' does not exist`);
    }
    // A group of another VPC can be referenced only across an active peering between the two VPCs.
    if (peer?.VpcId && ownVpc && peer.VpcId !== ownVpc && !activePeering(ctx.state, peer.VpcId, ownVpc)) {
      ctx.fail('InvalidGroup.NotFound', `The security group '${g.GroupId}' does not exist in VPC '${ownVpc}'`);
    }
  }
  for (const pl of p.PrefixListIds ?? []) {
    if (!ctx.state.docs.ManagedPrefixLists.some((x) => x.PrefixListId === pl.PrefixListId)) {
      ctx.fail('InvalidPrefixListId.NotFound', `The prefix list ID '${pl.PrefixListId}' does not exist`);
    }
  }
}

function activePeering(s: SandboxState, a: string, b: string): boolean {
  return s.docs.VpcPeeringConnections.some(
    (p) =>
      p.Status?.Code === 'active' &&
      ((p.RequesterVpcInfo?.VpcId === a && p.AccepterVpcInfo?.VpcId === b) ||
        (p.RequesterVpcInfo?.VpcId === b && p.AccepterVpcInfo?.VpcId === a)),
  );
}

/** Two rules are the same rule when direction, protocol, ports and peer agree (descriptions do not count). */
function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  return (
    a.GroupId === b.GroupId &&
    a.IsEgress === b.IsEgress &&
    a.IpProtocol === b.IpProtocol &&
    a.FromPort === b.FromPort &&
    a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.CidrIpv6 === b.CidrIpv6 &&
    a.PrefixListId === b.PrefixListId &&
    a.ReferencedGroupInfo?.GroupId === b.ReferencedGroupInfo?.GroupId
  );
}

/** AWS's wording of a rule in InvalidPermission.Duplicate: `peer: 10.1.0.0/16, ICMP, type: 8, code: -1, ALLOW`. */
function ruleWords(r: SecurityGroupRule): string {
  const peer = r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId ?? '?';
  const p = r.IpProtocol ?? '-1';
  if (p === '-1') return `peer: ${peer}, ALL, ALLOW`;
  if (p === 'icmp' || p === 'icmpv6')
    return `peer: ${peer}, ${p.toUpperCase()}, type: ${r.FromPort}, code: ${r.ToPort}, ALLOW`;
  if (p === 'tcp' || p === 'udp')
    return `peer: ${peer}, ${p.toUpperCase()}, from port: ${r.FromPort}, to port: ${r.ToPort}, ALLOW`;
  return `peer: ${peer}, ${p}, ALLOW`;
}

function authorize(egress: boolean): Handler {
  return (input: Input, ctx: OpContext) => {
    const sg = securityGroup(ctx, input.GroupId);
    const perms = permissionsOf(input);
    if (perms.length === 0) ctx.fail('MissingParameter', 'The request must contain the parameter ipPermissions');
    for (const p of perms) validatePermission(p, sg.VpcId, ctx);
    dryRunGate(input, ctx);
    const added: SecurityGroupRule[] = [];
    const tags = tagsFor(input.TagSpecifications, 'security-group-rule');
    for (const p of perms) {
      for (const rule of ctx.state.rulesFromPermission(sg, p, egress)) {
        const dup = [...ctx.state.securityGroupRules, ...added].find((r) => sameRule(r, rule));
        if (dup) ctx.fail('InvalidPermission.Duplicate', `the specified rule "${ruleWords(rule)}" already exists`);
        added.push({ ...rule, Tags: structuredClone(tags) });
      }
    }
    ctx.state.securityGroupRules = [...ctx.state.securityGroupRules, ...added];
    return { Return: true, SecurityGroupRules: structuredClone(added) };
  };
}

function revoke(egress: boolean): Handler {
  return (input: Input, ctx: OpContext) => {
    const sg = securityGroup(ctx, input.GroupId);
    const s = ctx.state;
    const ruleIds = (input.SecurityGroupRuleIds as string[] | undefined) ?? [];
    const perms = permissionsOf(input);
    for (const id of ruleIds) {
      if (
        !s.securityGroupRules.some(
          (r) => r.SecurityGroupRuleId === id && r.GroupId === sg.GroupId && r.IsEgress === egress,
        )
      ) {
        ctx.fail('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      }
    }
    dryRunGate(input, ctx);
    const doomed = s.securityGroupRules.filter((r) => ruleIds.includes(r.SecurityGroupRuleId ?? ''));
    const unknown: IpPermission[] = [];
    for (const p of perms) {
      for (const wanted of s.rulesFromPermission(sg, p, egress)) {
        const hit = s.securityGroupRules.find((r) => sameRule(r, wanted));
        if (hit) doomed.push(hit);
        else unknown.push(p);
      }
    }
    const vpc = s.docs.Vpcs.find((v) => v.VpcId === sg.VpcId);
    // A non-default VPC refuses the whole request when one rule is unknown; a default VPC reports it instead.
    if (unknown.length > 0 && !vpc?.IsDefault) {
      ctx.fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
    s.securityGroupRules = s.securityGroupRules.filter((r) => !doomed.includes(r));
    return {
      Return: true,
      ...(unknown.length > 0 ? { UnknownIpPermissions: unknown } : {}),
      RevokedSecurityGroupRules: doomed.map((r) => ({
        SecurityGroupRuleId: r.SecurityGroupRuleId,
        GroupId: r.GroupId,
        IsEgress: r.IsEgress,
        IpProtocol: r.IpProtocol,
        FromPort: r.FromPort,
        ToPort: r.ToPort,
        ...(r.CidrIpv4 ? { CidrIpv4: r.CidrIpv4 } : {}),
        ...(r.CidrIpv6 ? { CidrIpv6: r.CidrIpv6 } : {}),
        ...(r.PrefixListId ? { PrefixListId: r.PrefixListId } : {}),
        ...(r.ReferencedGroupInfo?.GroupId ? { ReferencedSecurityGroupId: r.ReferencedGroupInfo.GroupId } : {}),
        ...(r.Description ? { Description: r.Description } : {}),
      })),
    };
  };
}

/** The operations this noun answers, by command name. */
export const securityGroupHandlers = {
  DescribeSecurityGroups: securityGroups,
  DescribeSecurityGroupRules: securityGroupRules,
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
} satisfies Record<string, Handler>;
