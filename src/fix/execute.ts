/** Executors: a fix plan becomes EC2 calls — dry-run first, idempotent, audited, with an undo plan where one exists. */
import {
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateTransitGatewayRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateTagsCommand,
  CreateTransitGatewayRouteCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteInternetGatewayCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DetachInternetGatewayCommand,
  type EC2Client,
  EnableTransitGatewayRouteTablePropagationCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  type IpPermission,
  ModifyNetworkInterfaceAttributeCommand,
  type NetworkAclEntry,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  type Route,
  SearchTransitGatewayRoutesCommand,
  StartInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Logger } from '../log.js';
import type { FixPlan } from '../model/diagnosis.js';
import { cidrCovers, cidrsOverlap, isCidr } from '../net/ip.js';
import {
  type Audit,
  AwsCallError,
  auditDescription,
  auditTags,
  CallLog,
  isAwsCode,
  routeTargetInput,
  tagSpec,
} from './aws.js';
import type { RouteTargetSpec, UndoChange } from './undo.js';

/** Who applies a fix and in which diagnosis (recorded in rule descriptions and tags). */
export interface ApplyContext {
  actor: string;
  diagnosisId: string;
  now: () => Date;
  logger: Logger;
}

/**
 * Outcome of a fix or an undo. `would-apply` is the answer of a dry run (`dryRun: true`) that AWS says would succeed;
 * `refused` means nothing was changed (AWS denied the IAM action, or the plan cannot be applied as it stands);
 * `failed` means AWS rejected a call (see `awsCode`; `leftBehind` lists anything created that could not be cleaned up).
 */
export interface ApplyResult {
  status: 'applied' | 'already-in-place' | 'refused' | 'would-apply' | 'failed';
  requestIds: string[];
  message: string;
  /** The reversible changes made, in order (the undo token of the fix command carries them); null when none. */
  undo: UndoChange[] | null;
  /** The IAM action AWS refused (UnauthorizedOperation), e.g. `ec2:CreateRoute`. */
  missingPermission?: string;
  /** The AWS error code behind `failed` or a permission refusal. */
  awsCode?: string;
  /** Ids created by this fix that a partial failure left behind (never silent). */
  leftBehind?: string[];
}

/** Everything an executor needs. */
interface Exec {
  ec2: EC2Client;
  log: CallLog;
  audit: Audit;
  dryOnly: boolean;
}

type Outcome = Omit<ApplyResult, 'requestIds'>;

const wouldApply = (message: string): Outcome => ({
  status: 'would-apply',
  message: `Dry run: AWS says this would succeed — ${message}`,
  undo: null,
});
const already = (message: string): Outcome => ({ status: 'already-in-place', message, undo: null });
const refused = (message: string): Outcome => ({ status: 'refused', message, undo: null });

/** The tagging permission AWS also requires when a create call carries TagSpecifications. */
const TAG_ON_CREATE = 'ec2:CreateTags';
/** Calls whyping sends with TagSpecifications. */
const TAGS_ON_CREATE = new Set([
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:AllocateAddress',
  'ec2:CreateInternetGateway',
  'ec2:CreateVpcPeeringConnection',
]);

/**
 * Applies one fix plan: every write is dry-run first (DryRunOperation = would succeed, UnauthorizedOperation = the IAM
 * action is reported and nothing changes); a change already in place is reported as such; request ids are recorded.
 * With `dryRun: true` only the dry-run calls are made.
 */
export async function executeFix(
  ec2: EC2Client,
  plan: FixPlan,
  ctx: ApplyContext & { dryRun: boolean },
): Promise<ApplyResult> {
  const log = new CallLog(ctx.logger);
  const x: Exec = {
    ec2,
    log,
    audit: { actor: ctx.actor, diagnosisId: ctx.diagnosisId, fixId: plan.id, now: ctx.now },
    dryOnly: ctx.dryRun,
  };
  try {
    const out = await dispatch(x, plan);
    return { ...out, requestIds: log.requestIds };
  } catch (e) {
    return { ...fromCallError(e, log.applied > 0), requestIds: log.requestIds };
  }
}

/** Maps an AWS error that ended a fix or an undo to a result; anything else is rethrown. */
export function fromCallError(e: unknown, somethingChanged: boolean): Outcome {
  if (!(e instanceof AwsCallError)) throw e;
  const changed = somethingChanged
    ? 'Earlier calls of this fix did apply (see the request ids).'
    : 'Nothing was changed.';
  if (e.awsCode === 'UnauthorizedOperation' || e.awsCode === 'AccessDenied' || e.awsCode === 'AccessDeniedException') {
    const tagging = TAGS_ON_CREATE.has(e.action) ? ` (and ${TAG_ON_CREATE}, which tagging on create needs)` : '';
    const policy = /^ec2:(Describe|Get)/.test(e.action) ? 'iam/readonly.json' : 'iam/fix.json';
    return {
      status: 'refused',
      message: `AWS denied ${e.action}${tagging}: grant it to the role whyping runs as (see ${policy}). ${changed}`,
      undo: null,
      missingPermission: e.action,
      awsCode: e.awsCode,
    };
  }
  return {
    status: 'failed',
    message: `${e.action} failed: ${e.awsCode}: ${e.message} ${changed}`,
    undo: null,
    awsCode: e.awsCode,
  };
}

async function dispatch(x: Exec, plan: FixPlan): Promise<Outcome> {
  switch (plan.action) {
    case 'CreateRoute':
    case 'ReplaceRoute':
      return route(x, plan.params);
    case 'AuthorizeSecurityGroupIngress':
    case 'AuthorizeSecurityGroupEgress':
      return securityGroupRule(x, plan.action === 'AuthorizeSecurityGroupEgress', plan.params);
    case 'AcceptVpcPeeringConnection':
      return acceptPeering(x, plan.params.vpcPeeringConnectionId);
    case 'CreateVpcPeeringConnection':
      return newPeering(x, plan.params);
    case 'AllocateAndAssociateAddress':
      return elasticIp(x, plan.params);
    case 'CreateNetworkAclEntry':
      return naclEntry(x, plan.params);
    case 'CreateAndAttachInternetGateway':
      return internetGateway(x, plan.params);
    case 'StartInstances':
      return startInstance(x, plan.params.instanceId);
    case 'DisableSourceDestCheck':
      return disableSourceDestCheck(x, plan.params.networkInterfaceId);
    case 'AssociateTransitGatewayRouteTable':
      return associateTgwRouteTable(x, plan.params);
    case 'EnableTransitGatewayRouteTablePropagation':
      return enableTgwPropagation(x, plan.params);
    case 'CreateTransitGatewayRoute':
      return createTgwRoute(x, plan.params);
    default: {
      const never: never = plan;
      return refused(`Unknown fix action ${(never as { action: string }).action}.`);
    }
  }
}

// ---------------------------------------------------------------- routes

type RoutePlan = Extract<FixPlan, { action: 'CreateRoute' | 'ReplaceRoute' }>['params'];

function targetText(t: RouteTargetSpec): string {
  return Object.values(t)[0] as string;
}

/** The target of an existing route as a CreateRoute/ReplaceRoute target, when it is one we can name again. */
function currentTarget(r: Route): RouteTargetSpec | null {
  if (r.VpcPeeringConnectionId) return { vpcPeeringConnectionId: r.VpcPeeringConnectionId };
  if (r.NatGatewayId) return { natGatewayId: r.NatGatewayId };
  if (r.TransitGatewayId) return { transitGatewayId: r.TransitGatewayId };
  if (r.GatewayId && r.GatewayId !== 'local') return { gatewayId: r.GatewayId };
  if (r.NetworkInterfaceId) return { networkInterfaceId: r.NetworkInterfaceId };
  return null;
}

/** What a route points at, as EC2 names it (one of its target fields). */
export function routeTargetOf(r: Route): string {
  return (
    r.VpcPeeringConnectionId ??
    r.NatGatewayId ??
    r.TransitGatewayId ??
    r.GatewayId ??
    r.NetworkInterfaceId ??
    r.InstanceId ??
    r.EgressOnlyInternetGatewayId ??
    r.LocalGatewayId ??
    r.CarrierGatewayId ??
    'unknown'
  );
}

async function readRoute(x: Exec, rtb: string, dest: string): Promise<Route | undefined> {
  const out = await x.log.read('ec2:DescribeRouteTables', () =>
    x.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] })),
  );
  const table = out.RouteTables?.find((t) => t.RouteTableId === rtb);
  if (!table)
    throw new AwsCallError('InvalidRouteTableID.NotFound', 'ec2:DescribeRouteTables', `${rtb} not found`, undefined);
  return table.Routes?.find((r) => r.DestinationCidrBlock === dest);
}

/**
 * CreateRoute, or ReplaceRoute where a route for the destination exists but points elsewhere or is a blackhole.
 * `deleteOnUndoIfBlackhole`: the undo of a replaced blackhole deletes the route instead of naming the dead target
 * again (AWS refuses a route to a deleted or detached gateway).
 */
async function route(
  x: Exec,
  p: Pick<RoutePlan, 'routeTableId' | 'destinationCidrBlock' | 'target'>,
  opts: { deleteOnUndoIfBlackhole?: boolean } = {},
): Promise<Outcome> {
  const target = p.target as RouteTargetSpec;
  const want = targetText(target);
  const dest = p.destinationCidrBlock;
  const rtb = p.routeTableId;
  const input = { RouteTableId: rtb, DestinationCidrBlock: dest, ...routeTargetInput(target) };
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await readRoute(x, rtb, dest);
    if (existing && routeTargetOf(existing) === want) {
      const state = existing.State === 'blackhole' ? ` (state blackhole until ${want} is usable)` : '';
      return already(`Route ${dest} → ${want} is already in ${rtb}${state}.`);
    }
    if (!existing) {
      try {
        await x.log.dryRun('ec2:CreateRoute', () => x.ec2.send(new CreateRouteCommand({ ...input, DryRun: true })));
        if (x.dryOnly) return wouldApply(`add route ${dest} → ${want} to ${rtb}`);
        await x.log.write('ec2:CreateRoute', () => x.ec2.send(new CreateRouteCommand(input)));
      } catch (e) {
        // Someone added a route for this destination between our read and our write: read again and decide again.
        if (isAwsCode(e, 'RouteAlreadyExists') && attempt === 0) continue;
        throw e;
      }
      return {
        status: 'applied',
        message: `Added route ${dest} → ${want} to ${rtb}.`,
        undo: [{ kind: 'route-created', routeTableId: rtb, destinationCidrBlock: dest, target }],
      };
    }
    const previous = currentTarget(existing);
    const wasBlackhole = existing.State === 'blackhole';
    const prevText = `${routeTargetOf(existing)}${wasBlackhole ? ' (blackhole)' : ''}`;
    await x.log.dryRun('ec2:ReplaceRoute', () => x.ec2.send(new ReplaceRouteCommand({ ...input, DryRun: true })));
    if (x.dryOnly) return wouldApply(`replace route ${dest} → ${prevText} with → ${want} in ${rtb}`);
    await x.log.write('ec2:ReplaceRoute', () => x.ec2.send(new ReplaceRouteCommand(input)));
    // A blackhole to an internet gateway names one that is deleted or detached: AWS takes no route to it back.
    const deadGateway = previous !== null && 'gatewayId' in previous && previous.gatewayId.startsWith('igw-');
    const restorable = !(wasBlackhole && (opts.deleteOnUndoIfBlackhole || deadGateway));
    const undo: UndoChange[] = [
      {
        kind: 'route-replaced',
        routeTableId: rtb,
        destinationCidrBlock: dest,
        target,
        previous: restorable ? previous : null,
      },
    ];
    return {
      status: 'applied',
      message: `Replaced route ${dest} → ${prevText} with ${dest} → ${want} in ${rtb}.${restorable && previous ? '' : ' The previous target cannot be restored by whyping: undo deletes the route.'}`,
      undo,
    };
  }
  return refused(`Route ${dest} in ${rtb} keeps changing under us; diagnose again.`);
}

// ---------------------------------------------------------------- security groups

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

// ---------------------------------------------------------------- peering

/** AcceptVpcPeeringConnection (no inverse), then tag the pcx with who asked. */
async function acceptPeering(x: Exec, pcx: string): Promise<Outcome> {
  const statusNow = async () =>
    (
      await x.log.read('ec2:DescribeVpcPeeringConnections', () =>
        x.ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] })),
      )
    ).VpcPeeringConnections?.find((c) => c.VpcPeeringConnectionId === pcx)?.Status?.Code;
  const accepted = (s: string | undefined) => s === 'active' || s === 'provisioning';
  const status = await statusNow();
  if (accepted(status)) return already(`Peering ${pcx} is already ${status}.`);
  if (status !== 'pending-acceptance') {
    return refused(
      `Peering ${pcx} is ${status ?? 'not found'}: only a connection pending acceptance can be accepted. Create a new peering connection.`,
    );
  }
  const tags = auditTags(x.audit, { 'whyping:accepted-by': x.audit.actor });
  // Another run (a second click, a colleague) accepting between our read and our call makes AWS answer
  // InvalidStateTransition: read again, and an accepted peering is "already in place".
  const acceptedMeanwhile = async (e: unknown): Promise<Outcome> => {
    if (isAwsCode(e, 'InvalidStateTransition')) {
      const s = await statusNow();
      if (accepted(s)) return already(`Peering ${pcx} was accepted meanwhile (${s}).`);
    }
    throw e;
  };
  try {
    await x.log.dryRun('ec2:AcceptVpcPeeringConnection', () =>
      x.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx, DryRun: true })),
    );
  } catch (e) {
    return acceptedMeanwhile(e);
  }
  await x.log.dryRun(TAG_ON_CREATE, () =>
    x.ec2.send(new CreateTagsCommand({ Resources: [pcx], Tags: tags, DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`accept peering ${pcx} (this cannot be undone by whyping)`);
  try {
    await x.log.write('ec2:AcceptVpcPeeringConnection', () =>
      x.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })),
    );
  } catch (e) {
    return acceptedMeanwhile(e);
  }
  let tagNote = ` Tagged ${pcx} with whyping:accepted-by.`;
  try {
    await x.log.write(TAG_ON_CREATE, () => x.ec2.send(new CreateTagsCommand({ Resources: [pcx], Tags: tags })));
  } catch (e) {
    tagNote = ` Tagging ${pcx} failed (${e instanceof AwsCallError ? e.awsCode : String(e)}); the audit is in the log.`;
  }
  return {
    status: 'applied',
    message: `Accepted peering ${pcx}.${tagNote} Accepting has no inverse: to reverse it, delete the peering connection (DeleteVpcPeeringConnection).`,
    undo: null,
  };
}

// ---------------------------------------------------------------- Elastic IP

type EipPlan = Extract<FixPlan, { action: 'AllocateAndAssociateAddress' }>['params'];

/** The tag that ties a whyping Elastic IP to the ENI it is for (found again instead of allocating a second one). */
export const EIP_TARGET_TAG = 'whyping:target-eni';

/**
 * AllocateAddress (tagged) + AssociateAddress to the ENI's private IP. Idempotent: an allocation already tagged for
 * this ENI is reused. Partial failure (allocated, association failed) releases the allocation, or reports its id.
 */
async function elasticIp(x: Exec, p: EipPlan): Promise<Outcome> {
  const eni = p.networkInterfaceId;
  const tagged = async () =>
    (
      await x.log.read('ec2:DescribeAddresses', () =>
        x.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: `tag:${EIP_TARGET_TAG}`, Values: [eni] }] })),
      )
    ).Addresses ?? [];
  const addresses = await tagged();
  const inPlace = addresses.find((a) => a.NetworkInterfaceId === eni && a.PrivateIpAddress === p.privateIp);
  if (inPlace) return already(`Elastic IP ${inPlace.PublicIp} (${inPlace.AllocationId}) is already on ${eni}.`);
  const spare = addresses.find((a) => !a.AssociationId && a.AllocationId);

  let allocationId = spare?.AllocationId;
  let publicIp = spare?.PublicIp;
  let allocatedNow = false;
  if (!allocationId) {
    const allocInput = {
      Domain: 'vpc' as const,
      TagSpecifications: tagSpec('elastic-ip', auditTags(x.audit, { [EIP_TARGET_TAG]: eni })),
    };
    await x.log.dryRun('ec2:AllocateAddress', () =>
      x.ec2.send(new AllocateAddressCommand({ ...allocInput, DryRun: true })),
    );
    if (x.dryOnly) return wouldApply(`allocate an Elastic IP and associate it with ${eni} (${p.privateIp})`);
    const alloc = await x.log.write('ec2:AllocateAddress', () => x.ec2.send(new AllocateAddressCommand(allocInput)));
    allocationId = alloc.AllocationId;
    publicIp = alloc.PublicIp;
    allocatedNow = true;
    if (!allocationId) return { status: 'failed', message: 'AllocateAddress returned no allocation id.', undo: null };
    // Several runs at once (two clicks, three `fix all`): each allocated one. The run whose address is associated,
    // else the one with the lowest allocation id, goes on; the others give theirs back (AWS would otherwise move the
    // public address from one association to the next and leave the earlier addresses allocated and unused).
    const mine = allocationId;
    const rivals = (await tagged()).filter((a) => a.AllocationId && a.AllocationId !== mine);
    const winner =
      rivals.find((a) => a.NetworkInterfaceId === eni && a.PrivateIpAddress === p.privateIp) ??
      rivals.find((a) => !a.AssociationId && (a.AllocationId as string) < mine);
    if (winner) {
      await x.log.write('ec2:ReleaseAddress', () => x.ec2.send(new ReleaseAddressCommand({ AllocationId: mine })));
      return already(
        `Elastic IP ${winner.PublicIp} (${winner.AllocationId}) is ${winner.AssociationId ? 'associated' : 'being associated'} with ${eni} by another run; the one allocated here was released.`,
      );
    }
  }
  const assocInput = { AllocationId: allocationId, NetworkInterfaceId: eni, PrivateIpAddress: p.privateIp };
  let associationId: string | undefined;
  try {
    await x.log.dryRun('ec2:AssociateAddress', () =>
      x.ec2.send(new AssociateAddressCommand({ ...assocInput, DryRun: true })),
    );
    if (x.dryOnly)
      return wouldApply(`associate Elastic IP ${publicIp} (${allocationId}, already allocated) with ${eni}`);
    const assoc = await x.log.write('ec2:AssociateAddress', () => x.ec2.send(new AssociateAddressCommand(assocInput)));
    associationId = assoc.AssociationId;
  } catch (e) {
    return partialEipFailure(x, e, allocationId, publicIp, allocatedNow);
  }
  return {
    status: 'applied',
    message: `${allocatedNow ? 'Allocated' : 'Reused'} Elastic IP ${publicIp} (${allocationId}) and associated it with ${eni} (${p.privateIp})${associationId ? `, association ${associationId}` : ' (AWS returned no association id: undo it by hand)'}.`,
    undo: associationId
      ? [{ kind: 'elastic-ip', allocationId, associationId, networkInterfaceId: eni, privateIp: p.privateIp }]
      : null,
  };
}

async function partialEipFailure(
  x: Exec,
  e: unknown,
  allocationId: string,
  publicIp: string | undefined,
  allocatedNow: boolean,
): Promise<Outcome> {
  const cause = fromCallError(e, allocatedNow);
  if (!allocatedNow) {
    return {
      ...cause,
      message: `${cause.message} The unassociated Elastic IP ${publicIp} (${allocationId}) tagged ${EIP_TARGET_TAG} from an earlier attempt remains; the next attempt reuses it.`,
      leftBehind: [allocationId],
    };
  }
  try {
    await x.log.write('ec2:ReleaseAddress', () =>
      x.ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })),
    );
    return {
      ...cause,
      status: cause.status === 'refused' ? 'failed' : cause.status,
      message: `${cause.message} The Elastic IP ${publicIp} (${allocationId}) allocated for it was released again: nothing is left behind.`,
    };
  } catch (releaseError) {
    const why = releaseError instanceof AwsCallError ? releaseError.awsCode : String(releaseError);
    return {
      ...cause,
      status: 'failed',
      message: `${cause.message} Releasing the Elastic IP ${publicIp} (${allocationId}) allocated for it failed too (${why}): release it yourself (aws ec2 release-address --allocation-id ${allocationId}).`,
      leftBehind: [allocationId],
    };
  }
}

// ---------------------------------------------------------------- network ACLs

type NaclPlan = Extract<FixPlan, { action: 'CreateNetworkAclEntry' }>['params'];

const PROTOCOL_NUMBER = { icmp: '1', tcp: '6', udp: '17' } as const;

/** The NACL protocol number of the plan: ICMP for IPv6 is ICMPv6 (58). */
function naclProtocol(p: NaclPlan): string {
  return p.protocol === 'icmp' && p.cidrBlock.includes(':') ? '58' : PROTOCOL_NUMBER[p.protocol];
}

function rangeCovers(outer: [number, number], inner: [number, number]): boolean {
  return outer[0] <= inner[0] && inner[1] <= outer[1];
}
function rangesOverlap(a: [number, number], b: [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}
const icmpCovers = (e: number, p: number) => e === -1 || e === p;
const icmpOverlaps = (e: number, p: number) => e === -1 || p === -1 || e === p;

/** How an existing entry relates to the traffic the plan allows: covers it all, touches part of it, or neither. */
function relation(e: NetworkAclEntry, p: NaclPlan): 'covers' | 'overlaps' | 'none' {
  const range = e.CidrBlock ?? e.Ipv6CidrBlock;
  if (!range || range.includes(':') !== p.cidrBlock.includes(':') || !cidrsOverlap(range, p.cidrBlock)) return 'none';
  const cidrFull = cidrCovers(range, p.cidrBlock);
  if (e.Protocol === '-1') return cidrFull ? 'covers' : 'overlaps';
  if (e.Protocol !== naclProtocol(p)) return 'none';
  if (p.protocol === 'icmp') {
    const want = p.icmpTypeCode ?? { type: -1, code: -1 };
    const have = { type: e.IcmpTypeCode?.Type ?? -1, code: e.IcmpTypeCode?.Code ?? -1 };
    if (!icmpOverlaps(have.type, want.type) || !icmpOverlaps(have.code, want.code)) return 'none';
    return cidrFull && icmpCovers(have.type, want.type) && icmpCovers(have.code, want.code) ? 'covers' : 'overlaps';
  }
  const want: [number, number] = p.portRange ? [p.portRange.from, p.portRange.to] : [0, 65535];
  const have: [number, number] = [e.PortRange?.From ?? 0, e.PortRange?.To ?? 65535];
  if (!rangesOverlap(have, want)) return 'none';
  return cidrFull && rangeCovers(have, want) ? 'covers' : 'overlaps';
}

function describeEntry(p: NaclPlan, n: number): string {
  const what =
    p.protocol === 'icmp'
      ? `ICMP ${p.icmpTypeCode ? `type ${p.icmpTypeCode.type} code ${p.icmpTypeCode.code}` : 'ALL'}`
      : `${p.protocol.toUpperCase()} ${p.portRange ? `${p.portRange.from}-${p.portRange.to}` : 'ALL'}`;
  return `${p.egress ? 'outbound' : 'inbound'} ${n} ${what} ${p.cidrBlock} ALLOW on ${p.networkAclId}`;
}

/**
 * CreateNetworkAclEntry with the plan's rule number; when that number is now taken (or no longer below the deny that
 * matches), re-read the NACL and take the highest free number below that deny.
 */
async function naclEntry(x: Exec, p: NaclPlan): Promise<Outcome> {
  if (!isCidr(p.cidrBlock)) return refused(`The plan's CIDR ${p.cidrBlock} is not valid.`);
  for (let attempt = 0; attempt < 2; attempt++) {
    const out = await x.log.read('ec2:DescribeNetworkAcls', () =>
      x.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [p.networkAclId] })),
    );
    const acl = out.NetworkAcls?.find((a) => a.NetworkAclId === p.networkAclId);
    if (!acl) return refused(`Network ACL ${p.networkAclId} no longer exists; diagnose again.`);
    const entries = (acl.Entries ?? [])
      .filter((e) => Boolean(e.Egress) === p.egress)
      .sort((a, b) => (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
    let deny: NetworkAclEntry | undefined;
    for (const e of entries) {
      const r = relation(e, p);
      if (r === 'none') continue;
      if (e.RuleAction === 'allow' && r === 'covers') {
        return already(`Entry ${e.RuleNumber} of ${p.networkAclId} already allows this traffic.`);
      }
      if (e.RuleAction === 'deny') {
        deny = e;
        break;
      }
    }
    const limit = deny?.RuleNumber ?? 32767;
    const taken = new Set(entries.map((e) => e.RuleNumber));
    let ruleNumber = p.ruleNumber;
    if (taken.has(ruleNumber) || ruleNumber >= limit) {
      ruleNumber = 0;
      for (let n = Math.min(limit - 1, 32766); n >= 1; n--) {
        if (!taken.has(n)) {
          ruleNumber = n;
          break;
        }
      }
      if (ruleNumber === 0) return refused(`No free rule number below deny entry ${limit} in ${p.networkAclId}.`);
    }
    const input = {
      NetworkAclId: p.networkAclId,
      RuleNumber: ruleNumber,
      Egress: p.egress,
      Protocol: naclProtocol(p),
      RuleAction: 'allow' as const,
      ...(p.cidrBlock.includes(':') ? { Ipv6CidrBlock: p.cidrBlock } : { CidrBlock: p.cidrBlock }),
      ...(p.protocol === 'icmp'
        ? { IcmpTypeCode: { Type: p.icmpTypeCode?.type ?? -1, Code: p.icmpTypeCode?.code ?? -1 } }
        : { PortRange: { From: p.portRange?.from ?? 0, To: p.portRange?.to ?? 65535 } }),
    };
    const text = describeEntry(p, ruleNumber);
    const moved = ruleNumber !== p.ruleNumber ? ` (rule ${p.ruleNumber} was taken or not ahead of the deny)` : '';
    try {
      await x.log.dryRun('ec2:CreateNetworkAclEntry', () =>
        x.ec2.send(new CreateNetworkAclEntryCommand({ ...input, DryRun: true })),
      );
      if (x.dryOnly) return wouldApply(`add ${text}${moved}`);
      await x.log.write('ec2:CreateNetworkAclEntry', () => x.ec2.send(new CreateNetworkAclEntryCommand(input)));
    } catch (e) {
      // The number was taken between our read and our write (another run, a colleague): read again and decide again;
      // an entry that now allows the traffic is "already in place".
      if (isAwsCode(e, 'NetworkAclEntryAlreadyExists') && attempt === 0) continue;
      throw e;
    }
    return {
      status: 'applied',
      message: `Added ${text}${moved}.`,
      undo: [
        {
          kind: 'nacl-entry',
          networkAclId: p.networkAclId,
          egress: p.egress,
          ruleNumber,
          protocol: input.Protocol,
          cidrBlock: p.cidrBlock,
          ...(p.protocol === 'icmp'
            ? { icmpTypeCode: { type: p.icmpTypeCode?.type ?? -1, code: p.icmpTypeCode?.code ?? -1 } }
            : { portRange: { from: p.portRange?.from ?? 0, to: p.portRange?.to ?? 65535 } }),
        },
      ],
    };
  }
  return refused(`Rule numbers of ${p.networkAclId} keep changing under us; diagnose again.`);
}

// ---------------------------------------------------------------- internet gateway, instance, source/dest check

type IgwPlan = Extract<FixPlan, { action: 'CreateAndAttachInternetGateway' }>['params'];

/** Detaches and deletes a gateway this fix created, after a later step failed; says what is left behind. */
async function rollBackGateway(x: Exec, igw: string, vpcId: string | null, cause: Outcome): Promise<Outcome> {
  try {
    if (vpcId) {
      await x.log.write('ec2:DetachInternetGateway', () =>
        x.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })),
      );
    }
    await x.log.write('ec2:DeleteInternetGateway', () =>
      x.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })),
    );
    return { ...cause, status: 'failed', message: `${cause.message} The new gateway ${igw} was deleted again.` };
  } catch {
    return {
      ...cause,
      status: 'failed',
      message: `${cause.message} Removing the new gateway ${igw} failed too: detach and delete it yourself.`,
      leftBehind: [igw],
    };
  }
}

/** The internet gateway attached to a VPC, if any. */
async function attachedGateway(x: Exec, vpcId: string): Promise<string | undefined> {
  const existing = await x.log.read('ec2:DescribeInternetGateways', () =>
    x.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] })),
  );
  // DescribeInternetGateways reports an attached gateway's state as `available` (the API doc says `attached`).
  return existing.InternetGateways?.find((g) =>
    g.Attachments?.some((a) => a.VpcId === vpcId && (a.State === 'attached' || (a.State as string) === 'available')),
  )?.InternetGatewayId;
}

/**
 * CreateInternetGateway + AttachInternetGateway, then (when the plan names one) the route the path needs through
 * it: CreateRoute, or ReplaceRoute of the route that names the dead gateway. A failed step after the creation
 * detaches and deletes the new gateway. When a gateway is already attached, only the route is made, to it.
 */
async function internetGateway(x: Exec, p: IgwPlan): Promise<Outcome> {
  const vpcId = p.vpcId;
  const rtb = p.routeTableId;
  const dest = p.destinationCidrBlock ?? '0.0.0.0/0';
  const routeTo = (igw: string): Promise<Outcome> | null =>
    rtb
      ? route(
          x,
          { routeTableId: rtb, destinationCidrBlock: dest, target: { gatewayId: igw as `igw-${string}` } },
          {
            deleteOnUndoIfBlackhole: true,
          },
        )
      : null;
  const useAttached = async (igwId: string): Promise<Outcome> => {
    const igwText = `Internet gateway ${igwId} is already attached to ${vpcId}`;
    const r = await routeTo(igwId);
    if (!r) return already(`${igwText}.`);
    if (r.status === 'already-in-place') return already(`${igwText}; ${r.message}`);
    return { ...r, message: `${igwText}; ${r.message}` };
  };
  const attached = await attachedGateway(x, vpcId);
  if (attached) return useAttached(attached);
  if (rtb) {
    // The route cannot be dry-run before the gateway exists; its table must exist, and a working route for the
    // destination that the plan did not expect is left alone (the plan is stale).
    const current = await readRoute(x, rtb, dest);
    if (current && current.State !== 'blackhole' && routeTargetOf(current) !== p.previousTarget) {
      return refused(
        `Route ${dest} in ${rtb} now points at ${routeTargetOf(current)} (active); nothing was changed. Diagnose again.`,
      );
    }
  }
  const createInput = { TagSpecifications: tagSpec('internet-gateway', auditTags(x.audit)) };
  await x.log.dryRun('ec2:CreateInternetGateway', () =>
    x.ec2.send(new CreateInternetGatewayCommand({ ...createInput, DryRun: true })),
  );
  const routeStep = rtb ? `, (3) route ${dest} in ${rtb} → the new gateway` : '';
  if (x.dryOnly) return wouldApply(`(1) CreateInternetGateway, (2) AttachInternetGateway to ${vpcId}${routeStep}`);
  const created = await x.log.write('ec2:CreateInternetGateway', () =>
    x.ec2.send(new CreateInternetGatewayCommand(createInput)),
  );
  const igw = created.InternetGateway?.InternetGatewayId;
  if (!igw) return { status: 'failed', message: 'CreateInternetGateway returned no id.', undo: null };
  try {
    await x.log.dryRun('ec2:AttachInternetGateway', () =>
      x.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId, DryRun: true })),
    );
    await x.log.write('ec2:AttachInternetGateway', () =>
      x.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })),
    );
  } catch (e) {
    const rolledBack = await rollBackGateway(x, igw, null, fromCallError(e, true));
    // Another run attached its gateway to the VPC first: ours is deleted again, and the route goes to theirs.
    if (isAwsCode(e, 'Resource.AlreadyAssociated') && !rolledBack.leftBehind) {
      const winner = await attachedGateway(x, vpcId);
      if (winner) return useAttached(winner);
    }
    return rolledBack;
  }
  let routeOutcome: Outcome | null = null;
  try {
    routeOutcome = await routeTo(igw);
  } catch (e) {
    return rollBackGateway(x, igw, vpcId, fromCallError(e, true));
  }
  if (routeOutcome && routeOutcome.status !== 'applied' && routeOutcome.status !== 'already-in-place') {
    return rollBackGateway(x, igw, vpcId, routeOutcome);
  }
  const routeChange: UndoChange | undefined = routeOutcome?.status === 'applied' ? routeOutcome.undo?.[0] : undefined;
  const madeRoute =
    routeChange && (routeChange.kind === 'route-created' || routeChange.kind === 'route-replaced')
      ? {
          routeTableId: routeChange.routeTableId,
          destinationCidrBlock: routeChange.destinationCidrBlock,
          previous: routeChange.kind === 'route-replaced' ? routeChange.previous : null,
        }
      : undefined;
  const routeText = routeOutcome ? ` (3) ${routeOutcome.message}` : ' Routes to it are separate fixes.';
  return {
    status: 'applied',
    message: `(1) Created internet gateway ${igw}; (2) attached it to ${vpcId}.${routeText}`,
    undo: [{ kind: 'internet-gateway', internetGatewayId: igw, vpcId, ...(madeRoute ? { route: madeRoute } : {}) }],
  };
}

/** StartInstances; the undo stops it again (only when it was stopped before). */
async function startInstance(x: Exec, instanceId: string): Promise<Outcome> {
  await x.log.dryRun('ec2:StartInstances', () =>
    x.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId], DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`start ${instanceId}`);
  const out = await x.log.write('ec2:StartInstances', () =>
    x.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] })),
  );
  const change = out.StartingInstances?.find((s) => s.InstanceId === instanceId);
  const before = change?.PreviousState?.Name;
  if (before === 'running' || before === 'pending') return already(`${instanceId} was already ${before}.`);
  return {
    status: 'applied',
    message: `Started ${instanceId} (${before ?? '?'} → ${change?.CurrentState?.Name ?? 'pending'}); it takes a minute to answer.`,
    undo: [{ kind: 'instance-started', instanceId }],
  };
}

/** ModifyNetworkInterfaceAttribute SourceDestCheck=false; the undo turns the check back on. */
async function disableSourceDestCheck(x: Exec, eni: string): Promise<Outcome> {
  const found = await x.log.read('ec2:DescribeNetworkInterfaces', () =>
    x.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })),
  );
  const current = found.NetworkInterfaces?.find((n) => n.NetworkInterfaceId === eni);
  if (!current) return refused(`Network interface ${eni} no longer exists; diagnose again.`);
  if (current.SourceDestCheck === false) return already(`Source/destination check is already off on ${eni}.`);
  const input = { NetworkInterfaceId: eni, SourceDestCheck: { Value: false } };
  await x.log.dryRun('ec2:ModifyNetworkInterfaceAttribute', () =>
    x.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ ...input, DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`turn off source/destination check on ${eni}`);
  await x.log.write('ec2:ModifyNetworkInterfaceAttribute', () =>
    x.ec2.send(new ModifyNetworkInterfaceAttributeCommand(input)),
  );
  return {
    status: 'applied',
    message: `Turned off source/destination check on ${eni}.`,
    undo: [{ kind: 'source-dest-check-off', networkInterfaceId: eni }],
  };
}

// ---------------------------------------------------------------- a new peering

type NewPeeringPlan = Extract<FixPlan, { action: 'CreateVpcPeeringConnection' }>['params'];

/** Deletes a peering this fix created, after a later step failed; names it when that fails too. */
async function rollBackPeering(x: Exec, pcx: string, cause: Outcome): Promise<Outcome> {
  try {
    await x.log.write('ec2:DeleteVpcPeeringConnection', () =>
      x.ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })),
    );
    return { ...cause, message: `${cause.message} The new peering ${pcx} was deleted again.` };
  } catch {
    return { ...cause, message: `${cause.message} The new peering ${pcx} could not be deleted.`, leftBehind: [pcx] };
  }
}

/**
 * A peering in place of a dead one, between two VPCs of this account and region: CreateVpcPeeringConnection (tagged),
 * AcceptVpcPeeringConnection, then each route that named the dead peering pointed at the new one. A live peering
 * between the two made since the diagnosis, or a route that is no longer a blackhole, makes the plan stale (refused,
 * nothing changed). A failure after the creation deletes the new peering again. The undo deletes it: the routes
 * become blackholes again, as they were.
 */
async function newPeering(x: Exec, p: NewPeeringPlan): Promise<Outcome> {
  const vpcs = [p.vpcId, p.peerVpcId];
  const found = await x.log.read('ec2:DescribeVpcPeeringConnections', () =>
    x.ec2.send(
      new DescribeVpcPeeringConnectionsCommand({
        Filters: [
          { Name: 'requester-vpc-info.vpc-id', Values: vpcs },
          { Name: 'accepter-vpc-info.vpc-id', Values: vpcs },
        ],
      }),
    ),
  );
  const live = found.VpcPeeringConnections?.find(
    (c) =>
      ['active', 'pending-acceptance', 'provisioning'].includes(c.Status?.Code ?? '') &&
      c.RequesterVpcInfo?.VpcId !== c.AccepterVpcInfo?.VpcId,
  );
  if (live) {
    return refused(
      `${live.VpcPeeringConnectionId} (${live.Status?.Code}) links ${p.vpcId} and ${p.peerVpcId} now; nothing was changed. Diagnose again to point the routes at it.`,
    );
  }
  for (const r of p.routes) {
    const current = await readRoute(x, r.routeTableId, r.destinationCidrBlock);
    if (current && current.State !== 'blackhole') {
      return refused(
        `Route ${r.destinationCidrBlock} in ${r.routeTableId} now points at ${routeTargetOf(current)} (active); nothing was changed. Diagnose again.`,
      );
    }
  }
  const input = {
    VpcId: p.vpcId,
    PeerVpcId: p.peerVpcId,
    TagSpecifications: tagSpec('vpc-peering-connection', auditTags(x.audit)),
  };
  await x.log.dryRun('ec2:CreateVpcPeeringConnection', () =>
    x.ec2.send(new CreateVpcPeeringConnectionCommand({ ...input, DryRun: true })),
  );
  const n = p.routes.length;
  if (x.dryOnly) {
    return wouldApply(
      `(1) CreateVpcPeeringConnection ${p.vpcId} → ${p.peerVpcId}, (2) accept it, (3) point ${n} route${n === 1 ? '' : 's'} at it`,
    );
  }
  const created = await x.log.write('ec2:CreateVpcPeeringConnection', () =>
    x.ec2.send(new CreateVpcPeeringConnectionCommand(input)),
  );
  const pcx = created.VpcPeeringConnection?.VpcPeeringConnectionId;
  if (!pcx) return { status: 'failed', message: 'CreateVpcPeeringConnection returned no id.', undo: null };
  const done: string[] = [];
  try {
    // A new peering is `initiating-request` for a moment before it can be accepted (`pending-acceptance`).
    let status = created.VpcPeeringConnection?.Status?.Code;
    for (let i = 0; i < 10 && status === 'initiating-request'; i++) {
      const now = await x.log.read('ec2:DescribeVpcPeeringConnections', () =>
        x.ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] })),
      );
      status = now.VpcPeeringConnections?.[0]?.Status?.Code;
    }
    if (status !== 'pending-acceptance' && status !== 'active') {
      return rollBackPeering(x, pcx, {
        status: 'failed',
        message: `The new peering ${pcx} is ${status ?? 'unknown'}, not pending acceptance.`,
        undo: null,
      });
    }
    if (status === 'pending-acceptance') {
      await x.log.dryRun('ec2:AcceptVpcPeeringConnection', () =>
        x.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx, DryRun: true })),
      );
      await x.log.write('ec2:AcceptVpcPeeringConnection', () =>
        x.ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })),
      );
    }
    for (const r of p.routes) {
      const out = await route(x, {
        routeTableId: r.routeTableId as `rtb-${string}`,
        destinationCidrBlock: r.destinationCidrBlock,
        target: { vpcPeeringConnectionId: pcx as `pcx-${string}` },
      });
      if (out.status !== 'applied' && out.status !== 'already-in-place') return rollBackPeering(x, pcx, out);
      done.push(`${r.destinationCidrBlock} in ${r.routeTableId}`);
    }
  } catch (e) {
    return rollBackPeering(x, pcx, fromCallError(e, true));
  }
  return {
    status: 'applied',
    message: `(1) Created peering connection ${pcx} between ${p.vpcId} and ${p.peerVpcId}; (2) accepted it; (3) pointed ${done.join(', ')} at it.`,
    undo: [
      {
        kind: 'peering-created',
        vpcPeeringConnectionId: pcx,
        routes: p.routes.map((r) => ({ routeTableId: r.routeTableId, destinationCidrBlock: r.destinationCidrBlock })),
      },
    ],
  };
}

// ---------------------------------------------------------------- transit gateways

type TgwPair = Extract<FixPlan, { action: 'AssociateTransitGatewayRouteTable' }>['params'];
type TgwRoutePlan = Extract<FixPlan, { action: 'CreateTransitGatewayRoute' }>['params'];

/**
 * AssociateTransitGatewayRouteTable; the undo disassociates it. An attachment has at most one association: one
 * made with another table since the diagnosis makes the plan stale (refused, nothing changed).
 */
async function associateTgwRouteTable(x: Exec, p: TgwPair): Promise<Outcome> {
  const { transitGatewayRouteTableId: rtb, transitGatewayAttachmentId: att } = p;
  const found = await x.log.read('ec2:DescribeTransitGatewayAttachments', () =>
    x.ec2.send(new DescribeTransitGatewayAttachmentsCommand({ TransitGatewayAttachmentIds: [att] })),
  );
  const a = found.TransitGatewayAttachments?.find((t) => t.TransitGatewayAttachmentId === att);
  if (!a) return refused(`Transit gateway attachment ${att} no longer exists; diagnose again.`);
  const assoc = a.Association;
  const current =
    assoc && assoc.State !== 'disassociated' && assoc.State !== 'disassociating'
      ? assoc.TransitGatewayRouteTableId
      : undefined;
  if (current === rtb) return already(`${att} is already associated with ${rtb}.`);
  if (current) {
    return refused(
      `${att} is associated with ${current} now (an attachment has one route table at most); nothing was changed. Diagnose again.`,
    );
  }
  const input = { TransitGatewayRouteTableId: rtb, TransitGatewayAttachmentId: att };
  await x.log.dryRun('ec2:AssociateTransitGatewayRouteTable', () =>
    x.ec2.send(new AssociateTransitGatewayRouteTableCommand({ ...input, DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`associate ${att} with ${rtb}`);
  try {
    await x.log.write('ec2:AssociateTransitGatewayRouteTable', () =>
      x.ec2.send(new AssociateTransitGatewayRouteTableCommand(input)),
    );
  } catch (e) {
    if (isAwsCode(e, 'Resource.AlreadyAssociated')) {
      return refused(`${att} was associated with a route table meanwhile; nothing was changed. Diagnose again.`);
    }
    throw e;
  }
  return {
    status: 'applied',
    message: `Associated ${att} with ${rtb} (the association takes a few seconds to become active).`,
    undo: [{ kind: 'tgw-association', transitGatewayRouteTableId: rtb, transitGatewayAttachmentId: att }],
  };
}

/** EnableTransitGatewayRouteTablePropagation; the undo disables it. A propagation already enabled is in place. */
async function enableTgwPropagation(x: Exec, p: TgwPair): Promise<Outcome> {
  const { transitGatewayRouteTableId: rtb, transitGatewayAttachmentId: att } = p;
  const found = await x.log.read('ec2:GetTransitGatewayRouteTablePropagations', () =>
    x.ec2.send(
      new GetTransitGatewayRouteTablePropagationsCommand({
        TransitGatewayRouteTableId: rtb,
        Filters: [{ Name: 'transit-gateway-attachment-id', Values: [att] }],
      }),
    ),
  );
  const current = found.TransitGatewayRouteTablePropagations?.find((x) => x.TransitGatewayAttachmentId === att);
  if (current?.State === 'enabled' || current?.State === 'enabling') {
    return already(`${att} already propagates into ${rtb}.`);
  }
  const input = { TransitGatewayRouteTableId: rtb, TransitGatewayAttachmentId: att };
  await x.log.dryRun('ec2:EnableTransitGatewayRouteTablePropagation', () =>
    x.ec2.send(new EnableTransitGatewayRouteTablePropagationCommand({ ...input, DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`let ${att} propagate its routes into ${rtb}`);
  await x.log.write('ec2:EnableTransitGatewayRouteTablePropagation', () =>
    x.ec2.send(new EnableTransitGatewayRouteTablePropagationCommand(input)),
  );
  return {
    status: 'applied',
    message: `${att} now propagates its routes into ${rtb}.`,
    undo: [{ kind: 'tgw-propagation', transitGatewayRouteTableId: rtb, transitGatewayAttachmentId: att }],
  };
}

/**
 * CreateTransitGatewayRoute (static); the undo deletes it. A static route for the same CIDR to the same attachment
 * is in place; one to anything else makes the plan stale (refused).
 */
async function createTgwRoute(x: Exec, p: TgwRoutePlan): Promise<Outcome> {
  const { transitGatewayRouteTableId: rtb, destinationCidrBlock: cidr, transitGatewayAttachmentId: att } = p;
  const read = () =>
    x.log.read('ec2:SearchTransitGatewayRoutes', () =>
      x.ec2.send(
        new SearchTransitGatewayRoutesCommand({
          TransitGatewayRouteTableId: rtb,
          Filters: [{ Name: 'route-search.exact-match', Values: [cidr] }],
        }),
      ),
    );
  const existing = (await read()).Routes?.find((r) => r.DestinationCidrBlock === cidr && r.Type === 'static');
  if (existing) {
    const to = existing.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId;
    if (existing.State === 'active' && to === att) return already(`${cidr} in ${rtb} already leads to ${att}.`);
    return refused(
      `${rtb} has a static route ${cidr} (${existing.State}${to ? ` → ${to}` : ''}) now; nothing was changed. Diagnose again.`,
    );
  }
  const input = { TransitGatewayRouteTableId: rtb, DestinationCidrBlock: cidr, TransitGatewayAttachmentId: att };
  await x.log.dryRun('ec2:CreateTransitGatewayRoute', () =>
    x.ec2.send(new CreateTransitGatewayRouteCommand({ ...input, DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`add static route ${cidr} → ${att} to ${rtb}`);
  await x.log.write('ec2:CreateTransitGatewayRoute', () => x.ec2.send(new CreateTransitGatewayRouteCommand(input)));
  return {
    status: 'applied',
    message: `Added static route ${cidr} → ${att} to ${rtb}.`,
    undo: [
      {
        kind: 'tgw-route',
        transitGatewayRouteTableId: rtb,
        destinationCidrBlock: cidr,
        transitGatewayAttachmentId: att,
      },
    ],
  };
}
