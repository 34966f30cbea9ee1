/**
 * Executes a verified undo token: every step is re-read first, and nothing is undone unless every object is still
 * what whyping left (same owner, same target, whyping's description or tag, same content). Then the steps are undone
 * in reverse order, each call dry-run first.
 */
import {
  DeleteInternetGatewayCommand,
  DeleteNetworkAclEntryCommand,
  DeleteRouteCommand,
  DeleteTransitGatewayRouteCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DetachInternetGatewayCommand,
  DisableTransitGatewayRouteTablePropagationCommand,
  DisassociateAddressCommand,
  DisassociateTransitGatewayRouteTableCommand,
  type EC2Client,
  GetTransitGatewayRouteTablePropagationsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  SearchTransitGatewayRoutesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Logger } from '../log.js';
import { AwsCallError, auditDescription, CallLog, routeTargetInput, sanitizeTagValue } from './aws.js';
import { type ApplyResult, fromCallError, routeTargetOf } from './execute.js';
import { describeUndoStep, type RouteTargetSpec, type UndoChange, type UndoStep, type UndoToken } from './undo.js';

/** Who undoes, against which region. */
export interface UndoContext {
  actor: string;
  /** The region the EC2 client talks to: a step made in another region is refused. */
  region: string;
  logger: Logger;
}

/** Outcome of an undo: `refused` names the step that is no longer what whyping left (`refusedStep`, 1-based). */
export type UndoResult = ApplyResult & { refusedStep?: number };

/** What re-reading a step found. */
type Check = { state: 'as-left' } | { state: 'gone'; why: string } | { state: 'changed'; why: string };

const asLeft: Check = { state: 'as-left' };
const gone = (why: string): Check => ({ state: 'gone', why });
const changed = (why: string): Check => ({ state: 'changed', why });

const isNotFound = (e: unknown) => e instanceof AwsCallError && /\.NotFound$|NotFound$/.test(e.awsCode);

function targetText(t: RouteTargetSpec): string {
  return Object.values(t)[0] as string;
}

function ownerCheck(owner: string | undefined, step: UndoStep, what: string): Check | null {
  const have = owner ?? 'unknown';
  if (have === step.account) return null;
  return changed(`${what} belongs to account ${have}, not ${step.account} where whyping made the change`);
}

/** Reads what a step changed and compares it with what whyping left. */
async function check(ec2: EC2Client, log: CallLog, token: UndoToken, step: UndoStep): Promise<Check> {
  const c = step.change;
  try {
    switch (c.kind) {
      case 'route-created':
      case 'route-replaced':
        return await checkRoute(ec2, log, step, c.routeTableId, c.destinationCidrBlock, targetText(c.target), c.state);
      case 'sg-rule': {
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
      case 'elastic-ip': {
        const out = await log.read('ec2:DescribeAddresses', () =>
          ec2.send(new DescribeAddressesCommand({ AllocationIds: [c.allocationId] })),
        );
        const a = out.Addresses?.find((x) => x.AllocationId === c.allocationId);
        if (!a) return gone(`Elastic IP ${c.allocationId} is released`);
        const tag = a.Tags?.find((t) => t.Key === 'whyping:target-eni')?.Value;
        if (tag !== c.networkInterfaceId)
          return changed(`Elastic IP ${c.allocationId} is not tagged by whyping for it`);
        if (!a.AssociationId)
          return changed(`Elastic IP ${c.allocationId} is no longer associated (someone changed it)`);
        if (a.AssociationId !== c.associationId || a.NetworkInterfaceId !== c.networkInterfaceId) {
          return changed(
            `Elastic IP ${c.allocationId} is now associated elsewhere (${a.NetworkInterfaceId ?? a.InstanceId ?? a.AssociationId})`,
          );
        }
        return ownerCheck(a.NetworkInterfaceOwnerId, step, `network interface ${c.networkInterfaceId}`) ?? asLeft;
      }
      case 'nacl-entry': {
        const out = await log.read('ec2:DescribeNetworkAcls', () =>
          ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [c.networkAclId] })),
        );
        const acl = out.NetworkAcls?.find((x) => x.NetworkAclId === c.networkAclId);
        if (!acl) return gone(`network ACL ${c.networkAclId} is deleted`);
        const owner = ownerCheck(acl.OwnerId, step, `network ACL ${c.networkAclId}`);
        if (owner) return owner;
        const e = acl.Entries?.find((x) => Boolean(x.Egress) === c.egress && x.RuleNumber === c.ruleNumber);
        if (!e) return gone(`entry ${c.ruleNumber} is deleted`);
        const same =
          e.RuleAction === 'allow' &&
          e.Protocol === c.protocol &&
          (e.CidrBlock ?? e.Ipv6CidrBlock) === c.cidrBlock &&
          (c.portRange ? e.PortRange?.From === c.portRange.from && e.PortRange?.To === c.portRange.to : true) &&
          (c.icmpTypeCode
            ? e.IcmpTypeCode?.Type === c.icmpTypeCode.type && e.IcmpTypeCode?.Code === c.icmpTypeCode.code
            : true);
        return same ? asLeft : changed(`entry ${c.ruleNumber} of ${c.networkAclId} now holds a different rule`);
      }
      case 'internet-gateway':
        return await checkGateway(ec2, log, token, step, c);
      case 'instance-started': {
        const out = await log.read('ec2:DescribeInstances', () =>
          ec2.send(new DescribeInstancesCommand({ InstanceIds: [c.instanceId] })),
        );
        const res = out.Reservations?.find((r) => r.Instances?.some((i) => i.InstanceId === c.instanceId));
        const inst = res?.Instances?.find((i) => i.InstanceId === c.instanceId);
        if (!inst) return gone(`${c.instanceId} no longer exists`);
        const owner = ownerCheck(res?.OwnerId, step, `instance ${c.instanceId}`);
        if (owner) return owner;
        const state = inst.State?.Name ?? 'unknown';
        if (state === 'running' || state === 'pending') return asLeft;
        if (['stopped', 'stopping', 'terminated', 'shutting-down'].includes(state)) return gone(`it is ${state}`);
        return changed(`${c.instanceId} is ${state}`);
      }
      case 'source-dest-check-off': {
        const out = await log.read('ec2:DescribeNetworkInterfaces', () =>
          ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [c.networkInterfaceId] })),
        );
        const n = out.NetworkInterfaces?.find((x) => x.NetworkInterfaceId === c.networkInterfaceId);
        if (!n) return gone(`${c.networkInterfaceId} no longer exists`);
        const owner = ownerCheck(n.OwnerId, step, `network interface ${c.networkInterfaceId}`);
        if (owner) return owner;
        return n.SourceDestCheck === false ? asLeft : gone('the check is on again');
      }
      case 'peering-created':
        return await checkPeering(ec2, log, token, step, c);
      case 'tgw-association':
      case 'tgw-propagation':
      case 'tgw-route':
        return await checkTransitGateway(ec2, log, step, c);
      default: {
        const never: never = c;
        return changed(`unknown change ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    if (isNotFound(e)) return gone('it no longer exists');
    throw e;
  }
}

async function checkPeering(
  ec2: EC2Client,
  log: CallLog,
  token: UndoToken,
  step: UndoStep,
  c: Extract<UndoChange, { kind: 'peering-created' }>,
): Promise<Check> {
  const pcx = c.vpcPeeringConnectionId;
  const out = await log.read('ec2:DescribeVpcPeeringConnections', () =>
    ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] })),
  );
  const p = out.VpcPeeringConnections?.find((x) => x.VpcPeeringConnectionId === pcx);
  const status = p?.Status?.Code ?? 'deleted';
  if (!p || ['deleted', 'deleting', 'rejected', 'failed', 'expired'].includes(status))
    return gone(`${pcx} is ${status}`);
  const owner = ownerCheck(p.RequesterVpcInfo?.OwnerId, step, `peering connection ${pcx}`);
  if (owner) return owner;
  const tag = p.Tags?.find((t) => t.Key === 'whyping:diagnosis')?.Value;
  if (tag !== sanitizeTagValue(token.diagnosisId)) return changed(`${pcx} is not tagged as made by this fix`);
  // Routes someone else pointed at the peering since would become blackholes: then it is not whyping's alone.
  const tables = await log.read('ec2:DescribeRouteTables', () =>
    ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.vpc-peering-connection-id', Values: [pcx] }] })),
  );
  for (const t of tables.RouteTables ?? []) {
    for (const r of t.Routes ?? []) {
      if (r.VpcPeeringConnectionId !== pcx) continue;
      const ours = c.routes.some(
        (x) => x.routeTableId === t.RouteTableId && x.destinationCidrBlock === r.DestinationCidrBlock,
      );
      if (!ours) return changed(`route ${r.DestinationCidrBlock} in ${t.RouteTableId} was pointed at ${pcx} since`);
    }
  }
  return asLeft;
}

async function checkTransitGateway(
  ec2: EC2Client,
  log: CallLog,
  step: UndoStep,
  c: Extract<UndoChange, { kind: 'tgw-association' | 'tgw-propagation' | 'tgw-route' }>,
): Promise<Check> {
  const rtb = c.transitGatewayRouteTableId;
  const att = c.transitGatewayAttachmentId;
  const found = await log.read('ec2:DescribeTransitGatewayAttachments', () =>
    ec2.send(new DescribeTransitGatewayAttachmentsCommand({ TransitGatewayAttachmentIds: [att] })),
  );
  const a = found.TransitGatewayAttachments?.find((x) => x.TransitGatewayAttachmentId === att);
  if (!a) return gone(`${att} no longer exists`);
  const owner = ownerCheck(a.TransitGatewayOwnerId, step, `the transit gateway of ${att}`);
  if (owner) return owner;
  if (c.kind === 'tgw-association') {
    const assoc = a.Association;
    const now =
      assoc && !['disassociated', 'disassociating'].includes(assoc.State ?? '')
        ? assoc.TransitGatewayRouteTableId
        : undefined;
    if (!now) return gone(`${att} is no longer associated`);
    return now === rtb ? asLeft : changed(`${att} is now associated with ${now}, not ${rtb}`);
  }
  if (c.kind === 'tgw-propagation') {
    const out = await log.read('ec2:GetTransitGatewayRouteTablePropagations', () =>
      ec2.send(new GetTransitGatewayRouteTablePropagationsCommand({ TransitGatewayRouteTableId: rtb })),
    );
    const p = out.TransitGatewayRouteTablePropagations?.find((x) => x.TransitGatewayAttachmentId === att);
    return p && p.State !== 'disabled' && p.State !== 'disabling'
      ? asLeft
      : gone(`${att} no longer propagates into ${rtb}`);
  }
  const out = await log.read('ec2:SearchTransitGatewayRoutes', () =>
    ec2.send(
      new SearchTransitGatewayRoutesCommand({
        TransitGatewayRouteTableId: rtb,
        Filters: [{ Name: 'route-search.exact-match', Values: [c.destinationCidrBlock] }],
      }),
    ),
  );
  const r = out.Routes?.find((x) => x.DestinationCidrBlock === c.destinationCidrBlock && x.Type === 'static');
  if (!r) return gone(`route ${c.destinationCidrBlock} is no longer in ${rtb}`);
  const to = r.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId;
  return to === att
    ? asLeft
    : changed(`route ${c.destinationCidrBlock} in ${rtb} now leads to ${to ?? r.State}, not ${att}`);
}

async function readTable(ec2: EC2Client, log: CallLog, rtb: string) {
  const out = await log.read('ec2:DescribeRouteTables', () =>
    ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] })),
  );
  return out.RouteTables?.find((t) => t.RouteTableId === rtb);
}

async function checkRoute(
  ec2: EC2Client,
  log: CallLog,
  step: UndoStep,
  rtb: string,
  dest: string,
  want: string,
  state?: string,
): Promise<Check> {
  const table = await readTable(ec2, log, rtb);
  if (!table) return gone(`route table ${rtb} is deleted`);
  const owner = ownerCheck(table.OwnerId, step, `route table ${rtb}`);
  if (owner) return owner;
  const route = table.Routes?.find((r) => r.DestinationCidrBlock === dest);
  if (!route) return gone(`route ${dest} is no longer in ${rtb}`);
  const now = routeTargetOf(route);
  if (now !== want) return changed(`route ${dest} in ${rtb} now points at ${now}, not ${want}`);
  // A route to a peering that was pending shows blackhole until the peering is accepted, then active (AWS's doing,
  // e.g. a later `fix all` accepting it): the same route to the same target. Any other change of state refuses.
  const activated = state === 'blackhole' && route.State === 'active';
  if (state && route.State && route.State !== state && !activated) {
    return changed(`route ${dest} → ${want} in ${rtb} is now ${route.State}; whyping left it ${state}`);
  }
  return asLeft;
}

async function checkGateway(
  ec2: EC2Client,
  log: CallLog,
  token: UndoToken,
  step: UndoStep,
  c: Extract<UndoChange, { kind: 'internet-gateway' }>,
): Promise<Check> {
  const igw = c.internetGatewayId;
  const out = await log.read('ec2:DescribeInternetGateways', () =>
    ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] })),
  );
  const g = out.InternetGateways?.find((x) => x.InternetGatewayId === igw);
  if (!g) return gone(`${igw} is deleted`);
  const owner = ownerCheck(g.OwnerId, step, `internet gateway ${igw}`);
  if (owner) return owner;
  const tag = g.Tags?.find((t) => t.Key === 'whyping:diagnosis')?.Value;
  if (tag !== sanitizeTagValue(token.diagnosisId)) return changed(`${igw} is not tagged as made by this fix`);
  const attachments = (g.Attachments ?? []).filter((a) => a.State !== 'detached');
  if (attachments.length !== 1 || attachments[0]?.VpcId !== c.vpcId) {
    const where = attachments.map((a) => a.VpcId).join(', ') || 'nothing';
    return changed(`${igw} is now attached to ${where}, not only ${c.vpcId}`);
  }
  // Routes to the gateway that whyping did not make: someone relies on it now.
  const tables = await log.read('ec2:DescribeRouteTables', () =>
    ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [c.vpcId] }] })),
  );
  for (const t of tables.RouteTables ?? []) {
    for (const r of t.Routes ?? []) {
      if (r.GatewayId !== igw) continue;
      const ours =
        c.route && t.RouteTableId === c.route.routeTableId && r.DestinationCidrBlock === c.route.destinationCidrBlock;
      if (!ours)
        return changed(
          `route ${r.DestinationCidrBlock ?? r.DestinationPrefixListId} in ${t.RouteTableId} was added to ${igw} since`,
        );
    }
  }
  if (c.route) {
    const r = await checkRoute(ec2, log, step, c.route.routeTableId, c.route.destinationCidrBlock, igw);
    if (r.state !== 'as-left') return changed(r.why);
  }
  return asLeft;
}

/** One EC2 call of an undo: its IAM action, text and send function (dry or real). */
interface Call {
  action: string;
  text: string;
  send: (dry: boolean) => Promise<{ $metadata?: { requestId?: string } }>;
  /** ReplaceRoute back to a target that no longer exists: delete the route instead. */
  fallback?: Call;
}

function deleteRoute(ec2: EC2Client, rtb: string, dest: string): Call {
  return {
    action: 'ec2:DeleteRoute',
    text: `deleted route ${dest} from ${rtb}`,
    send: (dry) => ec2.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: dest, DryRun: dry })),
  };
}

function restoreRoute(ec2: EC2Client, rtb: string, dest: string, previous: RouteTargetSpec | null): Call {
  if (!previous) return deleteRoute(ec2, rtb, dest);
  const fallback = deleteRoute(ec2, rtb, dest);
  fallback.text += ` (its previous target ${targetText(previous)} no longer exists)`;
  return {
    action: 'ec2:ReplaceRoute',
    text: `pointed route ${dest} in ${rtb} back to ${targetText(previous)}`,
    send: (dry) =>
      ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: rtb,
          DestinationCidrBlock: dest,
          ...routeTargetInput(previous),
          DryRun: dry,
        }),
      ),
    fallback,
  };
}

function callsFor(ec2: EC2Client, c: UndoChange): Call[] {
  switch (c.kind) {
    case 'route-created':
      return [deleteRoute(ec2, c.routeTableId, c.destinationCidrBlock)];
    case 'route-replaced':
      return [restoreRoute(ec2, c.routeTableId, c.destinationCidrBlock, c.previous)];
    case 'sg-rule': {
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
    case 'elastic-ip':
      return [
        {
          action: 'ec2:DisassociateAddress',
          text: `disassociated ${c.allocationId} from ${c.networkInterfaceId}`,
          send: (dry) => ec2.send(new DisassociateAddressCommand({ AssociationId: c.associationId, DryRun: dry })),
        },
        {
          action: 'ec2:ReleaseAddress',
          text: `released ${c.allocationId}`,
          send: (dry) => ec2.send(new ReleaseAddressCommand({ AllocationId: c.allocationId, DryRun: dry })),
        },
      ];
    case 'nacl-entry':
      return [
        {
          action: 'ec2:DeleteNetworkAclEntry',
          text: `deleted ${c.egress ? 'outbound' : 'inbound'} entry ${c.ruleNumber} of ${c.networkAclId}`,
          send: (dry) =>
            ec2.send(
              new DeleteNetworkAclEntryCommand({
                NetworkAclId: c.networkAclId,
                RuleNumber: c.ruleNumber,
                Egress: c.egress,
                DryRun: dry,
              }),
            ),
        },
      ];
    case 'internet-gateway': {
      const igw = c.internetGatewayId;
      // Detach first: AWS refuses it while the VPC has mapped public addresses, and then nothing else is undone.
      const calls: Call[] = [
        {
          action: 'ec2:DetachInternetGateway',
          text: `detached ${igw} from ${c.vpcId}`,
          send: (dry) =>
            ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: c.vpcId, DryRun: dry })),
        },
        {
          action: 'ec2:DeleteInternetGateway',
          text: `deleted ${igw}`,
          send: (dry) => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw, DryRun: dry })),
        },
      ];
      if (c.route) calls.push(restoreRoute(ec2, c.route.routeTableId, c.route.destinationCidrBlock, c.route.previous));
      return calls;
    }
    case 'instance-started':
      return [
        {
          action: 'ec2:StopInstances',
          text: `stopped ${c.instanceId}`,
          send: (dry) => ec2.send(new StopInstancesCommand({ InstanceIds: [c.instanceId], DryRun: dry })),
        },
      ];
    case 'source-dest-check-off':
      return [
        {
          action: 'ec2:ModifyNetworkInterfaceAttribute',
          text: `turned source/destination check back on for ${c.networkInterfaceId}`,
          send: (dry) =>
            ec2.send(
              new ModifyNetworkInterfaceAttributeCommand({
                NetworkInterfaceId: c.networkInterfaceId,
                SourceDestCheck: { Value: true },
                DryRun: dry,
              }),
            ),
        },
      ];
    case 'peering-created':
      return [
        {
          action: 'ec2:DeleteVpcPeeringConnection',
          text: `deleted peering connection ${c.vpcPeeringConnectionId}`,
          send: (dry) =>
            ec2.send(
              new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: c.vpcPeeringConnectionId, DryRun: dry }),
            ),
        },
      ];
    case 'tgw-association': {
      const input = {
        TransitGatewayRouteTableId: c.transitGatewayRouteTableId,
        TransitGatewayAttachmentId: c.transitGatewayAttachmentId,
      };
      return [
        {
          action: 'ec2:DisassociateTransitGatewayRouteTable',
          text: `disassociated ${c.transitGatewayAttachmentId} from ${c.transitGatewayRouteTableId}`,
          send: (dry) => ec2.send(new DisassociateTransitGatewayRouteTableCommand({ ...input, DryRun: dry })),
        },
      ];
    }
    case 'tgw-propagation': {
      const input = {
        TransitGatewayRouteTableId: c.transitGatewayRouteTableId,
        TransitGatewayAttachmentId: c.transitGatewayAttachmentId,
      };
      return [
        {
          action: 'ec2:DisableTransitGatewayRouteTablePropagation',
          text: `stopped ${c.transitGatewayAttachmentId} propagating into ${c.transitGatewayRouteTableId}`,
          send: (dry) => ec2.send(new DisableTransitGatewayRouteTablePropagationCommand({ ...input, DryRun: dry })),
        },
      ];
    }
    case 'tgw-route':
      return [
        {
          action: 'ec2:DeleteTransitGatewayRoute',
          text: `deleted route ${c.destinationCidrBlock} from ${c.transitGatewayRouteTableId}`,
          send: (dry) =>
            ec2.send(
              new DeleteTransitGatewayRouteCommand({
                TransitGatewayRouteTableId: c.transitGatewayRouteTableId,
                DestinationCidrBlock: c.destinationCidrBlock,
                DryRun: dry,
              }),
            ),
        },
      ];
    default: {
      const never: never = c;
      throw new Error(`unknown undo change ${JSON.stringify(never)}`);
    }
  }
}

const isDenied = (e: unknown) =>
  e instanceof AwsCallError && (e.awsCode === 'UnauthorizedOperation' || e.awsCode === 'AccessDenied');

const targetGone = (e: unknown) =>
  e instanceof AwsCallError &&
  e.awsCode !== 'InvalidRoute.NotFound' &&
  e.awsCode !== 'InvalidRouteTableID.NotFound' &&
  (e.awsCode.endsWith('.NotFound') || e.awsCode === 'NatGatewayNotFound');

/**
 * Undoes every step of a verified token, or nothing: (1) re-read every step; refuse (naming the step and why) unless
 * each is still what whyping left; (2) dry-run every call so a missing IAM action is reported before anything
 * changes; (3) undo the steps in reverse order.
 */
export async function executeUndo(ec2: EC2Client, token: UndoToken, ctx: UndoContext): Promise<UndoResult> {
  const log = new CallLog(ctx.logger);
  ctx.logger.info(
    { actor: ctx.actor, diagnosisId: token.diagnosisId, steps: token.steps.length },
    'whyping undo: verifying',
  );
  const result = (r: Omit<UndoResult, 'requestIds' | 'undo'>): UndoResult => ({
    ...r,
    requestIds: log.requestIds,
    undo: null,
  });
  const n = token.steps.length;
  const name = (i: number) => (n === 1 ? 'its step' : `step ${i + 1} of ${n}`);

  const checks: Check[] = [];
  try {
    for (const [i, step] of token.steps.entries()) {
      if (step.region !== ctx.region) {
        return result({
          status: 'refused',
          refusedStep: i + 1,
          message: `Nothing was undone: ${name(i)} (${describeUndoStep(step)}) was made in ${step.region}, and this undo reads ${ctx.region}. Run it with --region ${step.region}.`,
        });
      }
      checks.push(await check(ec2, log, token, step));
    }
  } catch (e) {
    const out = fromCallError(e, false);
    return result({ ...out, message: `Nothing was undone: re-reading the changes failed: ${out.message}` });
  }
  const changedAt = checks.findIndex((c) => c.state === 'changed');
  const goneCount = checks.filter((c) => c.state === 'gone').length;
  if (changedAt >= 0) {
    const c = checks[changedAt] as Extract<Check, { state: 'changed' }>;
    return result({
      status: 'refused',
      refusedStep: changedAt + 1,
      message: `Nothing was undone: ${name(changedAt)} (${describeUndoStep(token.steps[changedAt] as UndoStep)}) is no longer what whyping left: ${c.why}.`,
    });
  }
  if (goneCount === n) {
    return result({
      status: 'already-in-place',
      message: `Nothing to undo: ${checks.map((c) => (c as { why: string }).why).join('; ')} (undone already).`,
    });
  }
  if (goneCount > 0) {
    const i = checks.findIndex((c) => c.state === 'gone');
    return result({
      status: 'refused',
      refusedStep: i + 1,
      message: `Nothing was undone: ${name(i)} (${describeUndoStep(token.steps[i] as UndoStep)}) is no longer what whyping left: ${(checks[i] as { why: string }).why}, while the others are still in place.`,
    });
  }

  const plan = [...token.steps].reverse().map((s) => callsFor(ec2, s.change));
  const done: string[] = [];
  try {
    for (const c of plan.flat()) {
      try {
        await log.dryRun(c.action, () => c.send(true));
      } catch (e) {
        if (isDenied(e)) throw e;
        // Other answers (a call that depends on an earlier one, a target gone) are decided when the call runs.
      }
    }
    ctx.logger.info({ actor: ctx.actor, diagnosisId: token.diagnosisId }, 'whyping undo: applying');
    for (const calls of plan) {
      for (const first of calls) {
        let c = first;
        try {
          await log.dryRun(c.action, () => c.send(true));
        } catch (e) {
          if (!c.fallback || !targetGone(e)) throw e;
          c = c.fallback;
          await log.dryRun(c.action, () => c.send(true));
        }
        await log.write(c.action, () => c.send(false));
        done.push(c.text);
      }
    }
  } catch (e) {
    const out = fromCallError(e, done.length > 0);
    const progress = done.length > 0 ? ` Done before the failure: ${done.join('; ')}.` : '';
    return result({ ...out, message: `Undo stopped: ${out.message}${progress}` });
  }
  return result({ status: 'applied', message: `Undone: ${done.join('; ')}.` });
}
