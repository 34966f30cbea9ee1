/**
 * Internet gateways: CreateInternetGateway + AttachInternetGateway and the route the path needs through it (rolled
 * back when a later step fails); the undo re-reads the gateway (owner, whyping's tag, attached only to the VPC, no
 * one else's routes to it), detaches and deletes it, then deletes or points back the route.
 */
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DetachInternetGatewayCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { auditTags, isAwsCode, sanitizeTagValue, tagSpec } from '../aws.js';
import type { UndoChange } from '../undo.js';
import { checkRoute, readRoute, restoreRoute, route, routeTargetOf } from './routes.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import {
  already,
  asLeft,
  changed,
  fromCallError,
  gone,
  ownerCheck,
  refused,
  targetText,
  wouldApply,
} from './shared.js';

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

/** A new gateway for a VPC that has none (or a dead one), with its route. */
export const internetGatewayApplies: Applies<'CreateAndAttachInternetGateway'> = {
  CreateAndAttachInternetGateway: internetGateway,
};

// ---------------------------------------------------------------- undo

type GatewayChange = Extract<UndoChange, { kind: 'internet-gateway' }>;

/**
 * The gateway is whyping's (its tag), in the same account, attached only to the VPC, with no route to it that
 * whyping did not make; the route whyping made to it is as it was left.
 */
async function verifyGateway({ ec2, log, token, step }: VerifyContext, c: GatewayChange): Promise<Check> {
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

function removeGateway(ec2: EC2Client, c: GatewayChange): Call[] {
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

/** Undoing a new gateway: detach and delete it, then the route whyping made to it. */
export const internetGatewayUndos: UndoSpecs<'internet-gateway'> = {
  'internet-gateway': {
    describe: (c) => {
      const r = c.route;
      const route = r
        ? r.previous
          ? `, then point route ${r.destinationCidrBlock} in ${r.routeTableId} back to ${targetText(r.previous)}`
          : `, then delete route ${r.destinationCidrBlock} → ${c.internetGatewayId} from ${r.routeTableId}`
        : '';
      return `detach ${c.internetGatewayId} from ${c.vpcId} and delete it${route}`;
    },
    // The new gateway is made by the account that owns the VPC it is attached to.
    owner: (snapshot, c) => snapshot.vpcs.get(c.vpcId as never)?.accountId,
    verify: verifyGateway,
    calls: removeGateway,
  },
};
