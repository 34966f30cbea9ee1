/**
 * Routes in VPC route tables: CreateRoute, or ReplaceRoute of a route that points elsewhere or is a blackhole; the
 * undo re-reads the route (same table owner, same target, same state) and deletes it or points it back.
 */
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteCommand,
  type Route,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { awsCallError, type CallLog, isAwsCode, routeTargetInput } from '../aws.js';
import type { RouteTargetSpec, UndoChange, UndoStep } from '../undo.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs } from './shared.js';
import { already, asLeft, changed, gone, ownerCheck, refused, targetText, wouldApply } from './shared.js';

type RoutePlan = Extract<FixPlan, { action: 'CreateRoute' | 'ReplaceRoute' }>['params'];

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

export async function readRoute(x: Exec, rtb: string, dest: string): Promise<Route | undefined> {
  const out = await x.log.read('ec2:DescribeRouteTables', () =>
    x.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] })),
  );
  const table = out.RouteTables?.find((t) => t.RouteTableId === rtb);
  if (!table)
    throw awsCallError('InvalidRouteTableID.NotFound', 'ec2:DescribeRouteTables', `${rtb} not found`, undefined);
  return table.Routes?.find((r) => r.DestinationCidrBlock === dest);
}

/**
 * CreateRoute, or ReplaceRoute where a route for the destination exists but points elsewhere or is a blackhole.
 * `deleteOnUndoIfBlackhole`: the undo of a replaced blackhole deletes the route instead of naming the dead target
 * again (AWS refuses a route to a deleted or detached gateway).
 */
export async function route(
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

/** CreateRoute and ReplaceRoute: the executor decides between them on the route it reads. */
export const routeApplies: Applies<'CreateRoute' | 'ReplaceRoute'> = {
  CreateRoute: (x, p) => route(x, p),
  ReplaceRoute: (x, p) => route(x, p),
};

// ---------------------------------------------------------------- undo

async function readTable(ec2: EC2Client, log: CallLog, rtb: string) {
  const out = await log.read('ec2:DescribeRouteTables', () =>
    ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] })),
  );
  return out.RouteTables?.find((t) => t.RouteTableId === rtb);
}

export async function checkRoute(
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

function deleteRoute(ec2: EC2Client, rtb: string, dest: string): Call {
  return {
    action: 'ec2:DeleteRoute',
    text: `deleted route ${dest} from ${rtb}`,
    send: (dry) => ec2.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: dest, DryRun: dry })),
  };
}

export function restoreRoute(ec2: EC2Client, rtb: string, dest: string, previous: RouteTargetSpec | null): Call {
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

/** Undoing a route whyping created (delete it) or replaced (point it back, or delete it). */
export const routeUndos: UndoSpecs<'route-created' | 'route-replaced'> = {
  'route-created': {
    describe: (c) => `delete route ${c.destinationCidrBlock} → ${targetText(c.target)} from ${c.routeTableId}`,
    owner: (snapshot, c) => snapshot.routeTables.get(c.routeTableId as never)?.accountId,
    verify: ({ ec2, log, step }, c) =>
      checkRoute(ec2, log, step, c.routeTableId, c.destinationCidrBlock, targetText(c.target), c.state),
    calls: (ec2, c) => [deleteRoute(ec2, c.routeTableId, c.destinationCidrBlock)],
  },
  'route-replaced': {
    describe: (c) =>
      c.previous
        ? `point route ${c.destinationCidrBlock} in ${c.routeTableId} back from ${targetText(c.target)} to ${targetText(c.previous)}`
        : `delete route ${c.destinationCidrBlock} → ${targetText(c.target)} from ${c.routeTableId} (its old target cannot be named again)`,
    owner: (snapshot, c) => snapshot.routeTables.get(c.routeTableId as never)?.accountId,
    verify: ({ ec2, log, step }, c) =>
      checkRoute(ec2, log, step, c.routeTableId, c.destinationCidrBlock, targetText(c.target), c.state),
    calls: (ec2, c) => [restoreRoute(ec2, c.routeTableId, c.destinationCidrBlock, c.previous)],
  },
};
