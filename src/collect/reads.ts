/**
 * Sends a plan (plan.ts) against EC2: each Read becomes its call, every page, and its answer is folded into the
 * collection. All the SDK commands of the scoped collection live here; what to ask is decided in plan.ts.
 */
import {
  DescribeAddressesCommand,
  DescribeEgressOnlyInternetGatewaysCommand,
  DescribeInternetGatewaysCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewayPeeringAttachmentsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  GetManagedPrefixListEntriesCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  SearchTransitGatewayRoutesCommand,
} from '@aws-sdk/client-ec2';
import { isWhypingError } from '../errors.js';
import type { Collected, DescribeKey, Read } from './plan.js';
import type { Ec2Reader } from './reader.js';
import { describeEnis, describeInstances } from './resolve.js';

/** A describe-* call that takes Filters: its operation, the id field of its items, and how to send one page. */
interface Describer {
  op: string;
  id: string;
  page: (
    ec2: EC2Client,
    filters: Filter[],
    nextToken: string | undefined,
  ) => Promise<{ items?: unknown[]; NextToken?: string }>;
}

/** The filtered describe calls, by the output key their items are kept under (DESIGN §2). */
export const DESCRIBERS: Record<DescribeKey, Describer> = {
  Vpcs: {
    op: 'DescribeVpcs',
    id: 'VpcId',
    page: (ec2, Filters, NextToken) =>
      ec2.send(new DescribeVpcsCommand({ Filters, NextToken })).then((o) => ({ ...o, items: o.Vpcs })),
  },
  Subnets: {
    op: 'DescribeSubnets',
    id: 'SubnetId',
    page: (ec2, Filters, NextToken) =>
      ec2.send(new DescribeSubnetsCommand({ Filters, NextToken })).then((o) => ({ ...o, items: o.Subnets })),
  },
  RouteTables: {
    op: 'DescribeRouteTables',
    id: 'RouteTableId',
    page: (ec2, Filters, NextToken) =>
      ec2.send(new DescribeRouteTablesCommand({ Filters, NextToken })).then((o) => ({ ...o, items: o.RouteTables })),
  },
  NetworkAcls: {
    op: 'DescribeNetworkAcls',
    id: 'NetworkAclId',
    page: (ec2, Filters, NextToken) =>
      ec2.send(new DescribeNetworkAclsCommand({ Filters, NextToken })).then((o) => ({ ...o, items: o.NetworkAcls })),
  },
  SecurityGroups: {
    op: 'DescribeSecurityGroups',
    id: 'GroupId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeSecurityGroupsCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.SecurityGroups })),
  },
  InternetGateways: {
    op: 'DescribeInternetGateways',
    id: 'InternetGatewayId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeInternetGatewaysCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.InternetGateways })),
  },
  NatGateways: {
    op: 'DescribeNatGateways',
    id: 'NatGatewayId',
    // DescribeNatGateways names its filter list `Filter`, not `Filters`.
    page: (ec2, Filter, NextToken) =>
      ec2.send(new DescribeNatGatewaysCommand({ Filter, NextToken })).then((o) => ({ ...o, items: o.NatGateways })),
  },
  VpcPeeringConnections: {
    op: 'DescribeVpcPeeringConnections',
    id: 'VpcPeeringConnectionId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeVpcPeeringConnectionsCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.VpcPeeringConnections })),
  },
  VpcEndpoints: {
    op: 'DescribeVpcEndpoints',
    id: 'VpcEndpointId',
    page: (ec2, Filters, NextToken) =>
      ec2.send(new DescribeVpcEndpointsCommand({ Filters, NextToken })).then((o) => ({ ...o, items: o.VpcEndpoints })),
  },
  TransitGateways: {
    op: 'DescribeTransitGateways',
    id: 'TransitGatewayId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeTransitGatewaysCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.TransitGateways })),
  },
  TransitGatewayAttachments: {
    op: 'DescribeTransitGatewayAttachments',
    id: 'TransitGatewayAttachmentId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeTransitGatewayAttachmentsCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.TransitGatewayAttachments })),
  },
  TransitGatewayVpcAttachments: {
    op: 'DescribeTransitGatewayVpcAttachments',
    id: 'TransitGatewayAttachmentId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeTransitGatewayVpcAttachmentsCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.TransitGatewayVpcAttachments })),
  },
  TransitGatewayPeeringAttachments: {
    op: 'DescribeTransitGatewayPeeringAttachments',
    id: 'TransitGatewayAttachmentId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeTransitGatewayPeeringAttachmentsCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.TransitGatewayPeeringAttachments })),
  },
  TransitGatewayRouteTables: {
    op: 'DescribeTransitGatewayRouteTables',
    id: 'TransitGatewayRouteTableId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeTransitGatewayRouteTablesCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.TransitGatewayRouteTables })),
  },
  ManagedPrefixLists: {
    op: 'DescribeManagedPrefixLists',
    id: 'PrefixListId',
    page: (ec2, Filters, NextToken) =>
      ec2
        .send(new DescribeManagedPrefixListsCommand({ Filters, NextToken }))
        .then((o) => ({ ...o, items: o.PrefixLists })),
  },
};

/** Sends the reads of one round in parallel (bounded by the reader) and folds each answer into `c`. */
export function runReads(r: Ec2Reader, c: Collected, label: string, reads: Read[]): Promise<void> {
  return r.round(label, readTasks(r, c, reads));
}

/** The reads as tasks of a round (a round across accounts and regions joins several readers' tasks). */
export function readTasks(r: Ec2Reader, c: Collected, reads: Read[]): (() => Promise<void>)[] {
  return reads.map((read) => () => runRead(r, c, read));
}

/** One read: its call, every page, folded into the collection. */
async function runRead(r: Ec2Reader, c: Collected, read: Read): Promise<void> {
  const ec2 = r.ec2;
  switch (read.op) {
    case 'describe': {
      const d = DESCRIBERS[read.key];
      const got = await r.pages(
        d.op,
        (token) => d.page(ec2, read.filters, token),
        (o) => o.items,
      );
      c.add(read.key, got, (t) => (t as Record<string, unknown>)[d.id] as string | undefined);
      return;
    }
    case 'instances':
      for (const f of await describeInstances(r, read.filters)) c.instances.set(f.instance.InstanceId ?? '', f);
      return;
    case 'enis':
      c.add('NetworkInterfaces', await describeEnis(r, read.filter, read.values), (e) => e.NetworkInterfaceId);
      return;
    case 'addresses': {
      // DescribeAddresses is not paginated.
      const out = await r.send('DescribeAddresses', () =>
        ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'public-ip', Values: read.publicIps }] })),
      );
      c.add('Addresses', out.Addresses, (a) => a.AllocationId ?? a.PublicIp);
      return;
    }
    case 'egress-only-gateways':
      return egressOnlyGateways(r, c, read.ids);
    case 'tgw-static-routes': {
      const rtb = read.routeTable;
      const o = await r.send('SearchTransitGatewayRoutes', () =>
        ec2.send(
          new SearchTransitGatewayRoutesCommand({
            TransitGatewayRouteTableId: rtb,
            Filters: [{ Name: 'type', Values: ['static'] }],
            MaxResults: 1000,
          }),
        ),
      );
      if (o.AdditionalRoutesAvailable)
        r.logger.warn({ rtb }, 'more than 1000 static TGW routes: the rest are not read');
      c.tgwStaticRoutes.set(rtb, o.Routes ?? []);
      return;
    }
    case 'tgw-propagations': {
      const props = await r.pages(
        'GetTransitGatewayRouteTablePropagations',
        (NextToken) =>
          ec2.send(
            new GetTransitGatewayRouteTablePropagationsCommand({
              TransitGatewayRouteTableId: read.routeTable,
              NextToken,
            }),
          ),
        (o) => o.TransitGatewayRouteTablePropagations,
      );
      c.tgwPropagations.set(read.routeTable, props);
      return;
    }
    case 'prefix-list-entries': {
      const pl = read.prefixList;
      try {
        const entries = await r.pages(
          'GetManagedPrefixListEntries',
          (NextToken) => ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: pl, NextToken })),
          (o) => o.Entries,
        );
        c.prefixListEntries.set(pl, entries);
      } catch (e) {
        // A rule or route may name a list this account cannot read (shared, then unshared): the snapshot then warns
        // of a dangling reference instead of the whole answer failing.
        if (!isNotFound(e)) throw e;
        r.logger.warn({ prefixList: pl }, 'a referenced prefix list cannot be read');
      }
      return;
    }
  }
}

/**
 * DescribeEgressOnlyInternetGateways filters only on tags: ask by id. EC2 refuses the whole list when one id is
 * unknown (a route to a deleted gateway is a blackhole route), so on that refusal ask for each id alone.
 */
async function egressOnlyGateways(r: Ec2Reader, c: Collected, ids: string[]): Promise<void> {
  try {
    const got = await r.pages(
      'DescribeEgressOnlyInternetGateways',
      (NextToken) =>
        r.ec2.send(new DescribeEgressOnlyInternetGatewaysCommand({ EgressOnlyInternetGatewayIds: ids, NextToken })),
      (o) => o.EgressOnlyInternetGateways,
    );
    c.add('EgressOnlyInternetGateways', got, (g) => g.EgressOnlyInternetGatewayId);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (ids.length > 1) await Promise.all(ids.map((id) => egressOnlyGateways(r, c, [id])));
    else r.logger.warn({ egressOnlyInternetGateway: ids[0] }, 'a gateway a route names does not exist');
  }
}

/** An AWS "does not exist" answer (e.g. InvalidPrefixListID.NotFound). */
function isNotFound(e: unknown): boolean {
  return isWhypingError(e) && /NotFound$/.test(e.details.aws?.awsCode ?? '');
}
