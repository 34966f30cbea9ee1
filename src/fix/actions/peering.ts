/**
 * VPC peering connections: accepting one pending acceptance (no inverse), or a new peering in place of a dead one
 * with the routes that named it; the undo of a new peering re-reads it (owner, whyping's tag, no one else's routes)
 * and deletes it.
 */
import {
  AcceptVpcPeeringConnectionCommand,
  CreateTagsCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  DescribeVpcPeeringConnectionsCommand,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { auditTags, isAwsCallError, isAwsCode, sanitizeTagValue, tagSpec } from '../aws.js';
import type { UndoChange } from '../undo.js';
import { readRoute, route, routeTargetOf } from './routes.js';
import type { Applies, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import {
  already,
  asLeft,
  changed,
  fromCallError,
  gone,
  ownerCheck,
  refused,
  TAG_ON_CREATE,
  wouldApply,
} from './shared.js';

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
    tagNote = ` Tagging ${pcx} failed (${isAwsCallError(e) ? e.details.aws.awsCode : String(e)}); the audit is in the log.`;
  }
  return {
    status: 'applied',
    message: `Accepted peering ${pcx}.${tagNote} Accepting has no inverse: to reverse it, delete the peering connection (DeleteVpcPeeringConnection).`,
    undo: null,
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

/** Accepting a peering, or a new one in place of a dead one. */
export const peeringApplies: Applies<'AcceptVpcPeeringConnection' | 'CreateVpcPeeringConnection'> = {
  AcceptVpcPeeringConnection: (x, p) => acceptPeering(x, p.vpcPeeringConnectionId),
  CreateVpcPeeringConnection: newPeering,
};

// ---------------------------------------------------------------- undo

/** The peering is whyping's (its tag), in the same account, and only the routes whyping pointed at it use it. */
async function verifyPeering(
  { ec2, log, token, step }: VerifyContext,
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

/** Undoing a new peering: delete it (the routes whyping pointed at it become blackholes again). */
export const peeringUndos: UndoSpecs<'peering-created'> = {
  'peering-created': {
    describe: (c) => {
      return `delete peering connection ${c.vpcPeeringConnectionId} (the ${c.routes.length} route(s) whyping pointed at it become blackholes again, as before)`;
    },
    // The account that owns the routes' tables requested the new peering.
    owner: (snapshot, c) => snapshot.routeTables.get(c.routes[0]?.routeTableId as never)?.accountId,
    verify: verifyPeering,
    calls: (ec2, c) => [
      {
        action: 'ec2:DeleteVpcPeeringConnection',
        text: `deleted peering connection ${c.vpcPeeringConnectionId}`,
        send: (dry) =>
          ec2.send(
            new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: c.vpcPeeringConnectionId, DryRun: dry }),
          ),
      },
    ],
  },
};
