/** Executes an undo plan: every step dry-run first; a step whose object is already gone counts as undone. */
import {
  DeleteInternetGatewayCommand,
  DeleteNetworkAclEntryCommand,
  DeleteRouteCommand,
  DeleteTransitGatewayRouteCommand,
  DeleteVpcPeeringConnectionCommand,
  DetachInternetGatewayCommand,
  DisableTransitGatewayRouteTablePropagationCommand,
  DisassociateAddressCommand,
  DisassociateTransitGatewayRouteTableCommand,
  type EC2Client,
  type IpPermission,
  ModifyNetworkInterfaceAttributeCommand,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AwsCallError, CallLog, routeTargetInput } from './aws.js';
import { type ApplyContext, type ApplyResult, fromCallError } from './execute.js';
import type { UndoPlan, UndoStep } from './undo.js';

/** One step as an IAM action and a send function (dry or real). */
interface Call {
  action: string;
  send: (dry: boolean) => Promise<{ $metadata?: { requestId?: string }; UnknownIpPermissions?: unknown[] }>;
  text: string;
}

function permissionOf(p: NonNullable<Extract<UndoStep, { groupId: string }>['permission']>): IpPermission {
  return {
    IpProtocol: p.protocol === 'icmp' && p.cidr?.includes(':') ? 'icmpv6' : p.protocol,
    FromPort: p.fromPort,
    ToPort: p.toPort,
    ...(p.cidr
      ? p.cidr.includes(':')
        ? { Ipv6Ranges: [{ CidrIpv6: p.cidr }] }
        : { IpRanges: [{ CidrIp: p.cidr }] }
      : { UserIdGroupPairs: [{ GroupId: p.peerGroupId }] }),
  };
}

function callFor(ec2: EC2Client, s: UndoStep): Call {
  switch (s.op) {
    case 'RevokeSecurityGroupIngress':
    case 'RevokeSecurityGroupEgress': {
      const input = {
        GroupId: s.groupId,
        ...(s.ruleId ? { SecurityGroupRuleIds: [s.ruleId] } : {}),
        ...(!s.ruleId && s.permission ? { IpPermissions: [permissionOf(s.permission)] } : {}),
      };
      const egress = s.op === 'RevokeSecurityGroupEgress';
      return {
        action: `ec2:${s.op}`,
        text: `revoke ${s.ruleId ?? 'rule'} on ${s.groupId}`,
        send: (dry) =>
          egress
            ? ec2.send(new RevokeSecurityGroupEgressCommand({ ...input, DryRun: dry }))
            : ec2.send(new RevokeSecurityGroupIngressCommand({ ...input, DryRun: dry })),
      };
    }
    case 'DeleteRoute':
      return {
        action: 'ec2:DeleteRoute',
        text: `delete route ${s.destinationCidrBlock} from ${s.routeTableId}`,
        send: (dry) =>
          ec2.send(
            new DeleteRouteCommand({
              RouteTableId: s.routeTableId,
              DestinationCidrBlock: s.destinationCidrBlock,
              DryRun: dry,
            }),
          ),
      };
    case 'ReplaceRoute':
      return {
        action: 'ec2:ReplaceRoute',
        text: `point route ${s.destinationCidrBlock} in ${s.routeTableId} back to ${Object.values(s.target)[0]}`,
        send: (dry) =>
          ec2.send(
            new ReplaceRouteCommand({
              RouteTableId: s.routeTableId,
              DestinationCidrBlock: s.destinationCidrBlock,
              ...routeTargetInput(s.target),
              DryRun: dry,
            }),
          ),
      };
    case 'DisassociateAddress':
      return {
        action: 'ec2:DisassociateAddress',
        text: `disassociate ${s.associationId}`,
        send: (dry) => ec2.send(new DisassociateAddressCommand({ AssociationId: s.associationId, DryRun: dry })),
      };
    case 'ReleaseAddress':
      return {
        action: 'ec2:ReleaseAddress',
        text: `release ${s.allocationId}`,
        send: (dry) => ec2.send(new ReleaseAddressCommand({ AllocationId: s.allocationId, DryRun: dry })),
      };
    case 'DeleteNetworkAclEntry':
      return {
        action: 'ec2:DeleteNetworkAclEntry',
        text: `delete ${s.egress ? 'outbound' : 'inbound'} entry ${s.ruleNumber} of ${s.networkAclId}`,
        send: (dry) =>
          ec2.send(
            new DeleteNetworkAclEntryCommand({
              NetworkAclId: s.networkAclId,
              RuleNumber: s.ruleNumber,
              Egress: s.egress,
              DryRun: dry,
            }),
          ),
      };
    case 'DetachInternetGateway':
      return {
        action: 'ec2:DetachInternetGateway',
        text: `detach ${s.internetGatewayId} from ${s.vpcId}`,
        send: (dry) =>
          ec2.send(
            new DetachInternetGatewayCommand({ InternetGatewayId: s.internetGatewayId, VpcId: s.vpcId, DryRun: dry }),
          ),
      };
    case 'DeleteInternetGateway':
      return {
        action: 'ec2:DeleteInternetGateway',
        text: `delete ${s.internetGatewayId}`,
        send: (dry) =>
          ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: s.internetGatewayId, DryRun: dry })),
      };
    case 'DisassociateTransitGatewayRouteTable':
    case 'DisableTransitGatewayRouteTablePropagation': {
      const input = {
        TransitGatewayRouteTableId: s.transitGatewayRouteTableId,
        TransitGatewayAttachmentId: s.transitGatewayAttachmentId,
      };
      const disassociate = s.op === 'DisassociateTransitGatewayRouteTable';
      return {
        action: `ec2:${s.op}`,
        text: disassociate
          ? `disassociate ${s.transitGatewayAttachmentId} from ${s.transitGatewayRouteTableId}`
          : `stop ${s.transitGatewayAttachmentId} propagating into ${s.transitGatewayRouteTableId}`,
        send: (dry) =>
          disassociate
            ? ec2.send(new DisassociateTransitGatewayRouteTableCommand({ ...input, DryRun: dry }))
            : ec2.send(new DisableTransitGatewayRouteTablePropagationCommand({ ...input, DryRun: dry })),
      };
    }
    case 'DeleteTransitGatewayRoute':
      return {
        action: 'ec2:DeleteTransitGatewayRoute',
        text: `delete route ${s.destinationCidrBlock} from ${s.transitGatewayRouteTableId}`,
        send: (dry) =>
          ec2.send(
            new DeleteTransitGatewayRouteCommand({
              TransitGatewayRouteTableId: s.transitGatewayRouteTableId,
              DestinationCidrBlock: s.destinationCidrBlock,
              DryRun: dry,
            }),
          ),
      };
    case 'DeleteVpcPeeringConnection':
      return {
        action: 'ec2:DeleteVpcPeeringConnection',
        text: `delete peering connection ${s.vpcPeeringConnectionId}`,
        send: (dry) =>
          ec2.send(
            new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: s.vpcPeeringConnectionId, DryRun: dry }),
          ),
      };
    case 'StopInstances':
      return {
        action: 'ec2:StopInstances',
        text: `stop ${s.instanceId}`,
        send: (dry) => ec2.send(new StopInstancesCommand({ InstanceIds: [s.instanceId], DryRun: dry })),
      };
    case 'EnableSourceDestCheck':
      return {
        action: 'ec2:ModifyNetworkInterfaceAttribute',
        text: `turn source/destination check back on for ${s.networkInterfaceId}`,
        send: (dry) =>
          ec2.send(
            new ModifyNetworkInterfaceAttributeCommand({
              NetworkInterfaceId: s.networkInterfaceId,
              SourceDestCheck: { Value: true },
              DryRun: dry,
            }),
          ),
      };
    default: {
      const never: never = s;
      throw new Error(`unknown undo step ${JSON.stringify(never)}`);
    }
  }
}

/** The object a step acts on is already gone (so the step is already undone). */
function isGone(e: unknown, s: UndoStep): boolean {
  if (!(e instanceof AwsCallError)) return false;
  if (s.op === 'ReplaceRoute')
    return e.awsCode === 'InvalidRoute.NotFound' || e.awsCode === 'InvalidRouteTableID.NotFound';
  return e.awsCode.endsWith('.NotFound') || e.awsCode === 'Gateway.NotAttached';
}

/**
 * ReplaceRoute back to a target that no longer exists: the route is removed instead. A deleted NAT gateway is
 * `NatGatewayNotFound` (no dot), unlike the other `….NotFound` codes.
 */
function previousTargetGone(e: unknown, s: UndoStep): boolean {
  return (
    s.op === 'ReplaceRoute' &&
    e instanceof AwsCallError &&
    (e.awsCode.endsWith('.NotFound') || e.awsCode === 'NatGatewayNotFound') &&
    !isGone(e, s)
  );
}

const isDenied = (e: unknown) =>
  e instanceof AwsCallError && (e.awsCode === 'UnauthorizedOperation' || e.awsCode === 'AccessDenied');

/**
 * Undoes an applied fix. All steps are dry-run first so a missing IAM action is reported before anything changes;
 * then each step is dry-run and applied in order. Objects already gone count as undone (two undos undo once).
 */
export async function executeUndo(ec2: EC2Client, undo: UndoPlan, ctx: ApplyContext): Promise<ApplyResult> {
  const log = new CallLog(ctx.logger);
  ctx.logger.info({ actor: ctx.actor, fixId: undo.fixId, steps: undo.steps.length }, 'whyping undo');
  const done: string[] = [];
  const skipped: string[] = [];
  try {
    for (const s of undo.steps) {
      const c = callFor(ec2, s);
      try {
        await log.dryRun(c.action, () => c.send(true));
      } catch (e) {
        if (isDenied(e)) throw e;
        // Other answers (already gone, depends on an earlier step) are decided when the step runs.
      }
    }
    for (const s of undo.steps) {
      let c = callFor(ec2, s);
      try {
        await log.dryRun(c.action, () => c.send(true));
      } catch (e) {
        if (isGone(e, s)) {
          skipped.push(`${c.text} (already gone)`);
          continue;
        }
        if (!previousTargetGone(e, s) || s.op !== 'ReplaceRoute') throw e;
        c = callFor(ec2, {
          op: 'DeleteRoute',
          routeTableId: s.routeTableId,
          destinationCidrBlock: s.destinationCidrBlock,
        });
        c.text = `${c.text} (its previous target ${Object.values(s.target)[0]} no longer exists)`;
        await log.dryRun(c.action, () => c.send(true));
      }
      try {
        const out = await log.write(c.action, () => c.send(false));
        if (out.UnknownIpPermissions && out.UnknownIpPermissions.length > 0) {
          skipped.push(`${c.text} (already gone)`);
          continue;
        }
      } catch (e) {
        if (isGone(e, s)) {
          skipped.push(`${c.text} (already gone)`);
          continue;
        }
        throw e;
      }
      done.push(c.text);
    }
  } catch (e) {
    const out = fromCallError(e, done.length > 0);
    const progress = done.length > 0 ? ` Done before the failure: ${done.join('; ')}.` : '';
    return { ...out, message: `Undo of ${undo.fixId} stopped: ${out.message}${progress}`, requestIds: log.requestIds };
  }
  if (done.length === 0) {
    return {
      status: 'already-in-place',
      message: `Nothing to undo for ${undo.fixId}: ${skipped.join('; ')}.`,
      requestIds: log.requestIds,
      undo: null,
    };
  }
  const also = skipped.length > 0 ? ` Skipped: ${skipped.join('; ')}.` : '';
  return {
    status: 'applied',
    message: `Undone (${undo.summary}): ${done.join('; ')}.${also}`,
    requestIds: log.requestIds,
    undo: null,
  };
}
