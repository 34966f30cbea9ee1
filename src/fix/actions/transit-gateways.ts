/**
 * Transit gateways: associating an attachment with a route table, enabling its propagation, a static route; the
 * undo re-reads the attachment (same owner) and what was made (association, propagation, route), then reverses it.
 */
import {
  AssociateTransitGatewayRouteTableCommand,
  CreateTransitGatewayRouteCommand,
  DeleteTransitGatewayRouteCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DisableTransitGatewayRouteTablePropagationCommand,
  DisassociateTransitGatewayRouteTableCommand,
  type EC2Client,
  EnableTransitGatewayRouteTablePropagationCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  SearchTransitGatewayRoutesCommand,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { type CallLog, isAwsCode } from '../aws.js';
import type { UndoChange, UndoStep } from '../undo.js';
import type { Applies, Check, Exec, Outcome, UndoSpec, UndoSpecs } from './shared.js';
import { already, asLeft, changed, gone, ownerCheck, refused, wouldApply } from './shared.js';

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

/** The three transit gateway fixes. */
export const transitGatewayApplies: Applies<
  'AssociateTransitGatewayRouteTable' | 'EnableTransitGatewayRouteTablePropagation' | 'CreateTransitGatewayRoute'
> = {
  AssociateTransitGatewayRouteTable: associateTgwRouteTable,
  EnableTransitGatewayRouteTablePropagation: enableTgwPropagation,
  CreateTransitGatewayRoute: createTgwRoute,
};

// ---------------------------------------------------------------- undo

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

type TgwLink = Extract<UndoChange, { kind: 'tgw-association' | 'tgw-propagation' }>;
type TgwLinkInput = { TransitGatewayRouteTableId: string; TransitGatewayAttachmentId: string; DryRun: boolean };

/** The undo of an attachment's link to a route table (an association or a propagation): one call on the pair. */
function linkUndo<C extends TgwLink>(
  action: string,
  describe: (att: string, rtb: string) => string,
  done: (att: string, rtb: string) => string,
  send: (ec2: EC2Client, input: TgwLinkInput) => Promise<{ $metadata?: { requestId?: string } }>,
): UndoSpec<C> {
  return {
    describe: (c) => describe(c.transitGatewayAttachmentId, c.transitGatewayRouteTableId),
    owner: (snapshot, c) => snapshot.transitGatewayAttachments.get(c.transitGatewayAttachmentId as never)?.accountId,
    verify: ({ ec2, log, step }, c) => checkTransitGateway(ec2, log, step, c),
    calls: (ec2, c) => {
      const input = {
        TransitGatewayRouteTableId: c.transitGatewayRouteTableId,
        TransitGatewayAttachmentId: c.transitGatewayAttachmentId,
      };
      return [
        {
          action,
          text: done(c.transitGatewayAttachmentId, c.transitGatewayRouteTableId),
          send: (dry) => send(ec2, { ...input, DryRun: dry }),
        },
      ];
    },
  };
}

/** Undoing an association (disassociate), a propagation (disable it) or a static route (delete it). */
export const transitGatewayUndos: UndoSpecs<'tgw-association' | 'tgw-propagation' | 'tgw-route'> = {
  'tgw-association': linkUndo(
    'ec2:DisassociateTransitGatewayRouteTable',
    (att, rtb) => `disassociate ${att} from ${rtb}`,
    (att, rtb) => `disassociated ${att} from ${rtb}`,
    (ec2, input) => ec2.send(new DisassociateTransitGatewayRouteTableCommand(input)),
  ),
  'tgw-propagation': linkUndo(
    'ec2:DisableTransitGatewayRouteTablePropagation',
    (att, rtb) => `stop ${att} propagating into ${rtb}`,
    (att, rtb) => `stopped ${att} propagating into ${rtb}`,
    (ec2, input) => ec2.send(new DisableTransitGatewayRouteTablePropagationCommand(input)),
  ),
  'tgw-route': {
    describe: (c) => {
      return `delete route ${c.destinationCidrBlock} → ${c.transitGatewayAttachmentId} from ${c.transitGatewayRouteTableId}`;
    },
    owner: (snapshot, c) => snapshot.transitGatewayAttachments.get(c.transitGatewayAttachmentId as never)?.accountId,
    verify: ({ ec2, log, step }, c) => checkTransitGateway(ec2, log, step, c),
    calls: (ec2, c) => {
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
    },
  },
};
