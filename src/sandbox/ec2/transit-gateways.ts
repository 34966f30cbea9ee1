/**
 * Transit gateways, their attachments and route tables: the Describe answers, SearchTransitGatewayRoutes,
 * GetTransitGatewayRouteTablePropagations, and the association, propagation and static-route writes.
 */
import type {
  TransitGateway,
  TransitGatewayAttachment,
  TransitGatewayPeeringAttachment,
  TransitGatewayPropagation,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  TransitGatewayVpcAttachment,
} from '@aws-sdk/client-ec2';
import { cidrContains, cidrCovers, parseCidr } from '../../net/ip.js';
import type { Handler, Input, OpContext } from '../context.js';
import { paginate } from '../pagination.js';
import type { SandboxState } from '../state.js';
import { byId, describe, filterOrFail, notFoundMessage } from './describe.js';
import { dryRunGate } from './write.js';

const transitGateways = describe<TransitGateway>({
  op: 'DescribeTransitGateways',
  outputKey: 'TransitGateways',
  items: (s) => s.docs.TransitGateways,
  ids: {
    param: 'TransitGatewayIds',
    of: (v) => v.TransitGatewayId,
    notFound: byId('transitGateway', 'InvalidTransitGatewayID.NotFound'),
  },
  fields: (t) => ({
    'transit-gateway-id': t.TransitGatewayId,
    'owner-id': t.OwnerId,
    state: t.State,
    'options.association-default-route-table-id': t.Options?.AssociationDefaultRouteTableId,
    'options.propagation-default-route-table-id': t.Options?.PropagationDefaultRouteTableId,
    'options.default-route-table-association': t.Options?.DefaultRouteTableAssociation,
    'options.default-route-table-propagation': t.Options?.DefaultRouteTablePropagation,
    'options.amazon-side-asn': t.Options?.AmazonSideAsn,
  }),
  limits: { min: 5, max: 1000 },
});

const transitGatewayAttachments = describe<TransitGatewayAttachment>({
  op: 'DescribeTransitGatewayAttachments',
  outputKey: 'TransitGatewayAttachments',
  items: (s) => s.docs.TransitGatewayAttachments,
  ids: {
    param: 'TransitGatewayAttachmentIds',
    of: (v) => v.TransitGatewayAttachmentId,
    notFound: byId('transitGatewayAttachment', 'InvalidTransitGatewayAttachmentID.NotFound'),
  },
  fields: (a) => ({
    'transit-gateway-attachment-id': a.TransitGatewayAttachmentId,
    'transit-gateway-id': a.TransitGatewayId,
    'transit-gateway-owner-id': a.TransitGatewayOwnerId,
    'resource-id': a.ResourceId,
    'resource-owner-id': a.ResourceOwnerId,
    'resource-type': a.ResourceType,
    state: a.State,
    'association.transit-gateway-route-table-id': a.Association?.TransitGatewayRouteTableId,
    'association.state': a.Association?.State,
  }),
  limits: { min: 5, max: 1000 },
});

const transitGatewayVpcAttachments = describe<TransitGatewayVpcAttachment>({
  op: 'DescribeTransitGatewayVpcAttachments',
  outputKey: 'TransitGatewayVpcAttachments',
  items: (s) => s.docs.TransitGatewayVpcAttachments,
  ids: {
    param: 'TransitGatewayAttachmentIds',
    of: (v) => v.TransitGatewayAttachmentId,
    notFound: byId('transitGatewayAttachment', 'InvalidTransitGatewayAttachmentID.NotFound'),
  },
  fields: (a) => ({
    'transit-gateway-attachment-id': a.TransitGatewayAttachmentId,
    'transit-gateway-id': a.TransitGatewayId,
    'vpc-id': a.VpcId,
    'vpc-owner-id': a.VpcOwnerId,
    state: a.State,
  }),
  limits: { min: 5, max: 1000 },
});

const transitGatewayRouteTables = describe<TransitGatewayRouteTable>({
  op: 'DescribeTransitGatewayRouteTables',
  outputKey: 'TransitGatewayRouteTables',
  items: (s) => s.docs.TransitGatewayRouteTables,
  ids: {
    param: 'TransitGatewayRouteTableIds',
    of: (v) => v.TransitGatewayRouteTableId,
    notFound: byId('transitGatewayRouteTable', 'InvalidRouteTableID.NotFound'),
  },
  fields: (t) => ({
    'transit-gateway-route-table-id': t.TransitGatewayRouteTableId,
    'transit-gateway-id': t.TransitGatewayId,
    state: t.State,
    'default-association-route-table': t.DefaultAssociationRouteTable ?? false,
    'default-propagation-route-table': t.DefaultPropagationRouteTable ?? false,
  }),
  limits: { min: 5, max: 1000 },
});

/**
 * The peering attachments of this account and region: those its files hold, and for a `peering` attachment they do
 * not (the lab-validation snapshots have none), one made from the attachment: this side and the peer transit gateway
 * (its owner from the attachment, its region from the world of accounts). One attachment id names both sides, as in
 * AWS, and both sides answer the same requester and accepter.
 */
export function peeringAttachments(s: SandboxState): TransitGatewayPeeringAttachment[] {
  const out = [...s.docs.TransitGatewayPeeringAttachments];
  const known = new Set(out.map((p) => p.TransitGatewayAttachmentId));
  for (const a of s.docs.TransitGatewayAttachments) {
    if (a.ResourceType !== 'peering' || known.has(a.TransitGatewayAttachmentId)) continue;
    const peer = s.tgwPlaces.get(a.ResourceId ?? '');
    const here = {
      TransitGatewayId: a.TransitGatewayId,
      OwnerId: a.TransitGatewayOwnerId ?? s.accountId,
      Region: s.region,
    };
    const there = {
      TransitGatewayId: a.ResourceId,
      OwnerId: a.ResourceOwnerId ?? peer?.account,
      Region: peer?.region ?? s.region,
    };
    // Both sides show the same object: the side whose account/region sorts first plays the requester on both.
    const hereFirst = `${here.OwnerId}/${here.Region}` <= `${there.OwnerId}/${there.Region}`;
    out.push({
      TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
      RequesterTgwInfo: hereFirst ? here : there,
      AccepterTgwInfo: hereFirst ? there : here,
      State: a.State,
      Status: { Code: a.State, Message: a.State },
      Tags: a.Tags ?? [],
    });
  }
  return out;
}

const transitGatewayPeeringAttachments = describe<TransitGatewayPeeringAttachment>({
  op: 'DescribeTransitGatewayPeeringAttachments',
  outputKey: 'TransitGatewayPeeringAttachments',
  items: peeringAttachments,
  ids: {
    param: 'TransitGatewayAttachmentIds',
    of: (v) => v.TransitGatewayAttachmentId,
    notFound: byId('transitGatewayAttachment', 'InvalidTransitGatewayAttachmentID.NotFound'),
  },
  fields: (a, s) => ({
    'transit-gateway-attachment-id': a.TransitGatewayAttachmentId,
    'transit-gateway-id': [a.RequesterTgwInfo?.TransitGatewayId, a.AccepterTgwInfo?.TransitGatewayId],
    'local-owner-id': s.accountId,
    'remote-owner-id': [a.RequesterTgwInfo?.OwnerId, a.AccepterTgwInfo?.OwnerId].find((o) => o !== s.accountId),
    state: a.State,
  }),
  limits: { min: 5, max: 1000 },
});

/** Routes of a TGW route table: its static routes plus one propagated route per CIDR of each propagating VPC. */
export function transitGatewayRoutes(s: SandboxState, tableId: string): TransitGatewayRoute[] {
  const stat = s.docs.TransitGatewayStaticRoutes.find((x) => x.TransitGatewayRouteTableId === tableId)?.Routes ?? [];
  const routes: TransitGatewayRoute[] = structuredClone(stat).map((r) => ({ Type: 'static', ...r }));
  const props = s.docs.TransitGatewayPropagations.find((x) => x.TransitGatewayRouteTableId === tableId);
  for (const p of props?.TransitGatewayRouteTablePropagations ?? []) {
    if (p.State !== 'enabled' || p.ResourceType !== 'vpc') continue;
    const vpc = s.docs.Vpcs.find((v) => v.VpcId === p.ResourceId);
    const cidrs = vpc?.CidrBlockAssociationSet?.map((a) => a.CidrBlock) ?? (vpc?.CidrBlock ? [vpc.CidrBlock] : []);
    for (const cidr of cidrs) {
      if (!cidr || routes.some((r) => r.DestinationCidrBlock === cidr)) continue;
      routes.push({
        DestinationCidrBlock: cidr,
        TransitGatewayAttachments: [
          {
            ResourceId: p.ResourceId,
            TransitGatewayAttachmentId: p.TransitGatewayAttachmentId,
            ResourceType: p.ResourceType,
          },
        ],
        Type: 'propagated',
        State: 'active',
      });
    }
  }
  return routes;
}

/** SearchTransitGatewayRoutes: Filters are required; the route-search.* filters compare CIDRs. */
const searchTransitGatewayRoutes: Handler = (input: Input, ctx: OpContext) => {
  const tableId = input.TransitGatewayRouteTableId as string;
  if (!ctx.state.docs.TransitGatewayRouteTables.some((t) => t.TransitGatewayRouteTableId === tableId)) {
    ctx.fail('InvalidRouteTableID.NotFound', notFoundMessage('transitGatewayRouteTable', [tableId]));
  }
  const cidrFilters = new Map<string, string[]>();
  const plain: { Name?: string; Values?: string[] }[] = [];
  for (const f of (input.Filters ?? []) as { Name?: string; Values?: string[] }[]) {
    if (f.Name?.startsWith('route-search.')) cidrFilters.set(f.Name, f.Values ?? []);
    else plain.push(f);
  }
  let routes = transitGatewayRoutes(ctx.state, tableId).filter((r) => {
    const atts = r.TransitGatewayAttachments ?? [];
    return filterOrFail(
      ctx,
      {
        type: r.Type,
        state: r.State,
        'prefix-list-id': r.PrefixListId,
        'attachment.transit-gateway-attachment-id': atts.map((a) => a.TransitGatewayAttachmentId),
        'attachment.resource-id': atts.map((a) => a.ResourceId),
        'attachment.resource-type': atts.map((a) => a.ResourceType),
      },
      undefined,
      plain,
    );
  });
  for (const [name, values] of cidrFilters) {
    routes = routes.filter((r) => {
      const dest = r.DestinationCidrBlock;
      if (!dest || !parseCidr(dest)) return false;
      return values.some((v) => {
        if (name === 'route-search.exact-match') return v === dest;
        if (name === 'route-search.subnet-of-match') return cidrCovers(v, dest);
        if (name === 'route-search.supernet-of-match') return cidrCovers(dest, v);
        if (name === 'route-search.longest-prefix-match') return cidrContains(dest, v.split('/')[0] ?? v);
        return ctx.fail('InvalidParameterValue', `The filter '${name}' is invalid`);
      });
    });
    if (name === 'route-search.longest-prefix-match' && routes.length > 1) {
      const best = Math.max(...routes.map((r) => Number((r.DestinationCidrBlock ?? '/0').split('/')[1])));
      routes = routes.filter((r) => Number((r.DestinationCidrBlock ?? '/0').split('/')[1]) === best);
    }
  }
  const max = (input.MaxResults as number | undefined) ?? 1000;
  return { Routes: routes.slice(0, max), AdditionalRoutesAvailable: routes.length > max };
};

/** GetTransitGatewayRouteTablePropagations for one table. */
const transitGatewayPropagations: Handler = (input: Input, ctx: OpContext) => {
  const tableId = input.TransitGatewayRouteTableId as string;
  if (!ctx.state.docs.TransitGatewayRouteTables.some((t) => t.TransitGatewayRouteTableId === tableId)) {
    ctx.fail('InvalidRouteTableID.NotFound', notFoundMessage('transitGatewayRouteTable', [tableId]));
  }
  const all =
    ctx.state.docs.TransitGatewayPropagations.find((x) => x.TransitGatewayRouteTableId === tableId)
      ?.TransitGatewayRouteTablePropagations ?? [];
  const items = all.filter((p: TransitGatewayPropagation) =>
    filterOrFail(
      ctx,
      {
        'resource-id': p.ResourceId,
        'resource-type': p.ResourceType,
        'transit-gateway-attachment-id': p.TransitGatewayAttachmentId,
        state: p.State,
      },
      undefined,
      input.Filters,
    ),
  );
  const { page, nextToken } = paginate(
    items,
    input,
    { min: 5, max: 1000 },
    'GetTransitGatewayRouteTablePropagations',
    ctx,
  );
  return {
    TransitGatewayRouteTablePropagations: structuredClone(page),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
};

// ---- transit gateways ----

function tgwRouteTable(ctx: OpContext, id: unknown): TransitGatewayRouteTable {
  const t = ctx.state.docs.TransitGatewayRouteTables.find((x) => x.TransitGatewayRouteTableId === id);
  if (!t)
    return ctx.fail('InvalidRouteTableID.NotFound', `Transit Gateway Route Table ${id} was deleted or does not exist.`);
  return t;
}

/** The attachment, which must belong to the table's transit gateway. */
function tgwAttachment(ctx: OpContext, id: unknown, table: TransitGatewayRouteTable): TransitGatewayAttachment {
  const a = ctx.state.docs.TransitGatewayAttachments.find((x) => x.TransitGatewayAttachmentId === id);
  if (!a || a.State === 'deleted') {
    return ctx.fail(
      'InvalidTransitGatewayAttachmentID.NotFound',
      `Transit Gateway Attachment ${id} was deleted or does not exist.`,
    );
  }
  if (a.TransitGatewayId !== table.TransitGatewayId) {
    ctx.fail(
      'InvalidParameterValue',
      `Transit Gateway Attachment ${id} and Transit Gateway Route Table ${table.TransitGatewayRouteTableId} belong to different transit gateways.`,
    );
  }
  return a;
}

function associationOut(table: TransitGatewayRouteTable, a: TransitGatewayAttachment, state: string) {
  return {
    Association: {
      TransitGatewayRouteTableId: table.TransitGatewayRouteTableId,
      TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
      ResourceId: a.ResourceId,
      ResourceType: a.ResourceType,
      State: state,
    },
  };
}

const associateTgwRouteTable: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  if (a.Association && a.Association.State !== 'disassociated') {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} is already associated to a route table.`,
    );
  }
  dryRunGate(input, ctx);
  // AWS answers `associating` and is associated within seconds; the sandbox lands on associated at once.
  a.Association = { TransitGatewayRouteTableId: table.TransitGatewayRouteTableId, State: 'associated' };
  return associationOut(table, a, 'associating');
};

const disassociateTgwRouteTable: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  if (a.Association?.TransitGatewayRouteTableId !== table.TransitGatewayRouteTableId) {
    ctx.fail(
      'InvalidAssociation.NotFound',
      `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} is not associated with ${table.TransitGatewayRouteTableId}.`,
    );
  }
  dryRunGate(input, ctx);
  delete a.Association;
  return associationOut(table, a, 'disassociating');
};

function propagationsOf(ctx: OpContext, table: TransitGatewayRouteTable): TransitGatewayPropagation[] {
  const id = table.TransitGatewayRouteTableId as string;
  let entry = ctx.state.docs.TransitGatewayPropagations.find((x) => x.TransitGatewayRouteTableId === id);
  if (!entry) {
    entry = { TransitGatewayRouteTableId: id, TransitGatewayRouteTablePropagations: [] };
    ctx.state.docs.TransitGatewayPropagations.push(entry);
  }
  return entry.TransitGatewayRouteTablePropagations;
}

function propagationOut(a: TransitGatewayAttachment, table: TransitGatewayRouteTable, state: string) {
  return {
    Propagation: {
      TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
      ResourceId: a.ResourceId,
      ResourceType: a.ResourceType,
      TransitGatewayRouteTableId: table.TransitGatewayRouteTableId,
      State: state,
    },
  };
}

const enableTgwPropagation: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  const list = propagationsOf(ctx, table);
  if (list.some((p) => p.TransitGatewayAttachmentId === a.TransitGatewayAttachmentId && p.State === 'enabled')) {
    ctx.fail(
      'TransitGatewayRouteTablePropagation.Duplicate',
      `Propagation of ${a.TransitGatewayAttachmentId} into ${table.TransitGatewayRouteTableId} is already enabled.`,
    );
  }
  dryRunGate(input, ctx);
  list.push({
    TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
    ResourceId: a.ResourceId,
    ResourceType: a.ResourceType,
    State: 'enabled',
  });
  return propagationOut(a, table, 'enabling');
};

const disableTgwPropagation: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const a = tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  const list = propagationsOf(ctx, table);
  const i = list.findIndex((p) => p.TransitGatewayAttachmentId === a.TransitGatewayAttachmentId);
  if (i < 0) {
    ctx.fail(
      'TransitGatewayRouteTablePropagation.NotFound',
      `${a.TransitGatewayAttachmentId} does not propagate into ${table.TransitGatewayRouteTableId}.`,
    );
  }
  dryRunGate(input, ctx);
  list.splice(i, 1);
  return propagationOut(a, table, 'disabling');
};

function staticRoutesOf(ctx: OpContext, table: TransitGatewayRouteTable): TransitGatewayRoute[] {
  const id = table.TransitGatewayRouteTableId as string;
  let entry = ctx.state.docs.TransitGatewayStaticRoutes.find((x) => x.TransitGatewayRouteTableId === id);
  if (!entry) {
    entry = { TransitGatewayRouteTableId: id, Routes: [] };
    ctx.state.docs.TransitGatewayStaticRoutes.push(entry);
  }
  return entry.Routes;
}

const createTgwRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const cidr = String(input.DestinationCidrBlock);
  if (!parseCidr(cidr)) ctx.fail('InvalidParameterValue', `${cidr} is not a valid CIDR block.`);
  const blackhole = input.Blackhole === true;
  const a = blackhole ? null : tgwAttachment(ctx, input.TransitGatewayAttachmentId, table);
  const routes = staticRoutesOf(ctx, table);
  if (routes.some((r) => r.DestinationCidrBlock === cidr && (r.Type ?? 'static') === 'static')) {
    ctx.fail(
      'RouteAlreadyExists',
      `Route ${cidr} already exists in Transit Gateway Route Table ${table.TransitGatewayRouteTableId}.`,
    );
  }
  dryRunGate(input, ctx);
  const route: TransitGatewayRoute = {
    DestinationCidrBlock: cidr,
    TransitGatewayAttachments: a
      ? [
          {
            TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
            ResourceId: a.ResourceId,
            ResourceType: a.ResourceType,
          },
        ]
      : [],
    Type: 'static',
    State: blackhole ? 'blackhole' : 'active',
  };
  routes.push(route);
  return { Route: structuredClone(route) };
};

const deleteTgwRoute: Handler = (input: Input, ctx: OpContext) => {
  const table = tgwRouteTable(ctx, input.TransitGatewayRouteTableId);
  const cidr = String(input.DestinationCidrBlock);
  const routes = staticRoutesOf(ctx, table);
  const i = routes.findIndex((r) => r.DestinationCidrBlock === cidr && (r.Type ?? 'static') === 'static');
  if (i < 0) {
    ctx.fail(
      'InvalidRoute.NotFound',
      `No route with destination-cidr-block ${cidr} in Transit Gateway Route Table ${table.TransitGatewayRouteTableId}`,
    );
  }
  dryRunGate(input, ctx);
  const [gone] = routes.splice(i, 1);
  return { Route: { ...gone, State: 'deleted' } };
};

/** The operations this noun answers, by command name. */
export const transitGatewayHandlers = {
  DescribeTransitGateways: transitGateways,
  DescribeTransitGatewayAttachments: transitGatewayAttachments,
  DescribeTransitGatewayVpcAttachments: transitGatewayVpcAttachments,
  DescribeTransitGatewayPeeringAttachments: transitGatewayPeeringAttachments,
  DescribeTransitGatewayRouteTables: transitGatewayRouteTables,
  SearchTransitGatewayRoutes: searchTransitGatewayRoutes,
  GetTransitGatewayRouteTablePropagations: transitGatewayPropagations,
  AssociateTransitGatewayRouteTable: associateTgwRouteTable,
  DisassociateTransitGatewayRouteTable: disassociateTgwRouteTable,
  EnableTransitGatewayRouteTablePropagation: enableTgwPropagation,
  DisableTransitGatewayRouteTablePropagation: disableTgwPropagation,
  CreateTransitGatewayRoute: createTgwRoute,
  DeleteTransitGatewayRoute: deleteTgwRoute,
} satisfies Record<string, Handler>;
