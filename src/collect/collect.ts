/**
 * Scoped live collection: starting from the endpoints (or the VPCs/instances of `whyping snapshot`), read only what a
 * diagnosis can touch, in a few parallel rounds. Each round asks for everything the previous rounds revealed
 * (the VPCs' tables, ACLs and gateways; the peer VPCs; the NAT gateways, endpoints and transit gateways routes point
 * to; the groups and prefix lists rules reference), so the number of rounds follows the depth of the network, not its
 * size, and no resource is described one by one except where EC2 has no batch call (prefix-list entries, TGW routes).
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
  type NatGateway,
  type NetworkInterface,
  type PrefixListEntry,
  type RouteTable,
  SearchTransitGatewayRoutesCommand,
  type SecurityGroup,
  type TransitGatewayAttachment,
  type TransitGatewayRoute,
  type TransitGatewayRouteTablePropagation,
} from '@aws-sdk/client-ec2';
import { isWhypingError, WhypingError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Query, RawSnapshotFile } from '../model/index.js';
import { cidrContains } from '../net/ip.js';
import { type CollectStats, chunks, DEFAULT_CONCURRENCY, Ec2Reader } from './reader.js';
import {
  describeEnis,
  describeInstances,
  eicPrefixListName,
  type FoundInstance,
  type LiveEndpoint,
  resolveLive,
} from './resolve.js';

/** The collected describe-* documents and what collecting them cost. */
export interface CollectResult {
  files: RawSnapshotFile[];
  stats: CollectStats;
}

/** Options of a collection. */
export interface CollectOptions {
  region: string;
  logger: Logger;
  /** Parallel calls in flight (default 8). */
  concurrency?: number;
}

/** The most rounds a collection may take (the depth of any real network is far below). */
const MAX_ROUNDS = 8;

type Item = Record<string, unknown>;

/** Everything read so far, by id, and what has been asked for (so nothing is asked twice). */
class Collected {
  readonly items = new Map<string, Map<string, unknown>>();
  readonly instances = new Map<string, FoundInstance>();
  readonly prefixListEntries = new Map<string, PrefixListEntry[]>();
  readonly tgwStaticRoutes = new Map<string, TransitGatewayRoute[]>();
  readonly tgwPropagations = new Map<string, TransitGatewayRouteTablePropagation[]>();
  /** Asked ids per request kind, e.g. `vpc-detail` → VPC ids whose subnets/tables/ACLs were requested. */
  private readonly asked = new Map<string, Set<string>>();

  add<T>(key: string, list: T[] | undefined, id: (t: T) => string | undefined): void {
    let m = this.items.get(key);
    if (!m) {
      m = new Map();
      this.items.set(key, m);
    }
    for (const t of list ?? []) {
      const k = id(t);
      if (k) m.set(k, t);
    }
  }

  all<T>(key: string): T[] {
    return [...((this.items.get(key)?.values() ?? []) as Iterable<T>)];
  }

  has(key: string, id: string): boolean {
    return this.items.get(key)?.has(id) ?? false;
  }

  /** Marks ids as asked under `kind` and returns the ones not asked before. */
  fresh(kind: string, ids: Iterable<string | undefined>): string[] {
    let s = this.asked.get(kind);
    if (!s) {
      s = new Set();
      this.asked.set(kind, s);
    }
    const out: string[] = [];
    for (const id of ids) {
      if (id && !s.has(id)) {
        s.add(id);
        out.push(id);
      }
    }
    return out;
  }
}

/** What the question is about: VPCs read in full, ENIs and groups on the path, addresses not yet placed. */
interface Scope {
  /** VPCs whose subnets, route tables, ACLs, internet gateways and peerings are read. */
  fullVpcs: Set<string>;
  /** The endpoints' ENIs. */
  enis: Set<string>;
  /** Security groups whose rules decide (the endpoints' groups, or every group of a snapshot's VPCs). */
  groups: Set<string>;
  /** Endpoint IPs no ENI holds: the VPC containing one is read in full once known. */
  looseIps: string[];
  /** Prefix lists to read in full (the EC2 Instance Connect list). */
  prefixLists: Set<string>;
  /** `whyping snapshot`: also every instance, ENI, group, NAT gateway and endpoint of the full VPCs. */
  wholeVpcs: boolean;
}

const vpcIdOfEni = (e: NetworkInterface) => e.VpcId;

/** Reads everything needed to diagnose `query`: resolves both ends live, then collects the scoped state. */
export async function collectForQuery(ec2: EC2Client, query: Query, opts: CollectOptions): Promise<CollectResult> {
  const r = new Ec2Reader(ec2, opts.logger, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const c = new Collected();
  const ends = await resolveLive(r, [query.from, query.to], opts.region);
  const scope: Scope = {
    fullVpcs: new Set(),
    enis: new Set(),
    groups: new Set(),
    looseIps: [],
    prefixLists: new Set(),
    wholeVpcs: false,
  };
  for (const end of ends) absorbEndpoint(c, scope, end);
  await expand(r, c, scope);
  return { files: toFiles(c, opts.region), stats: r.stats };
}

/** Reads the given VPCs and instances (every VPC of the region when both are empty) and all they reference. */
export async function collectSnapshot(
  ec2: EC2Client,
  scopeIn: { vpcIds: string[]; instanceIds: string[] },
  opts: CollectOptions,
): Promise<CollectResult> {
  const r = new Ec2Reader(ec2, opts.logger, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const c = new Collected();
  const scope: Scope = {
    fullVpcs: new Set(),
    enis: new Set(),
    groups: new Set(),
    looseIps: [],
    prefixLists: new Set(),
    wholeVpcs: true,
  };
  const vpcIds = [...new Set(scopeIn.vpcIds)];
  const instanceIds = [...new Set(scopeIn.instanceIds)];
  const tasks: (() => Promise<unknown>)[] = [];
  const everything = vpcIds.length === 0 && instanceIds.length === 0;
  if (everything || vpcIds.length > 0) {
    const filters: Filter[] = everything ? [] : [{ Name: 'vpc-id', Values: vpcIds }];
    tasks.push(async () => {
      const vpcs = await r.pages(
        'DescribeVpcs',
        (NextToken) => r.ec2.send(new DescribeVpcsCommand({ Filters: filters, NextToken })),
        (o) => o.Vpcs,
      );
      c.add('Vpcs', vpcs, (v) => v.VpcId);
      c.fresh(
        'vpc-info',
        vpcs.map((v) => v.VpcId),
      );
    });
  }
  // The region's EC2 Instance Connect range, so `eic` can be asked of the exported snapshot too.
  tasks.push(async () => {
    const lists = await r.pages(
      'DescribeManagedPrefixLists',
      (NextToken) =>
        r.ec2.send(
          new DescribeManagedPrefixListsCommand({
            Filters: [{ Name: 'prefix-list-name', Values: [eicPrefixListName(opts.region)] }],
            NextToken,
          }),
        ),
      (o) => o.PrefixLists,
    );
    c.add('ManagedPrefixLists', lists, (p) => p.PrefixListId);
    c.fresh(
      'prefix-list',
      lists.map((p) => p.PrefixListId),
    );
    for (const p of lists) if (p.PrefixListId) scope.prefixLists.add(p.PrefixListId);
  });
  if (instanceIds.length > 0) {
    tasks.push(async () => {
      for (const f of await describeInstances(r, [{ Name: 'instance-id', Values: instanceIds }])) {
        c.instances.set(f.instance.InstanceId ?? '', f);
      }
    });
  }
  await r.round('snapshot scope', tasks);
  const missingVpcs = vpcIds.filter((v) => !c.has('Vpcs', v));
  if (missingVpcs.length > 0) {
    throw new WhypingError(
      'BAD_INPUT',
      `No VPC ${missingVpcs.join(', ')} in ${opts.region}: check the id and --region.`,
    );
  }
  const missingInstances = instanceIds.filter((i) => !c.instances.has(i));
  if (missingInstances.length > 0) {
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `No instance ${missingInstances.join(', ')} in ${opts.region}: check the id and --region.`,
      { candidates: [] },
    );
  }
  for (const v of c.all<{ VpcId?: string }>('Vpcs')) if (v.VpcId) scope.fullVpcs.add(v.VpcId);
  for (const f of c.instances.values()) if (f.instance.VpcId) scope.fullVpcs.add(f.instance.VpcId);
  await expand(r, c, scope);
  return { files: toFiles(c, opts.region), stats: r.stats };
}

/** Folds a resolved endpoint into the collection and the scope. */
function absorbEndpoint(c: Collected, scope: Scope, end: LiveEndpoint): void {
  for (const f of end.instances) {
    c.instances.set(f.instance.InstanceId ?? '', f);
    for (const ni of f.instance.NetworkInterfaces ?? []) {
      if (ni.NetworkInterfaceId) scope.enis.add(ni.NetworkInterfaceId);
      if (ni.VpcId) scope.fullVpcs.add(ni.VpcId);
      for (const g of ni.Groups ?? []) if (g.GroupId) scope.groups.add(g.GroupId);
    }
    if (f.instance.VpcId) scope.fullVpcs.add(f.instance.VpcId);
  }
  if (end.enis.length > 0) {
    c.add('NetworkInterfaces', end.enis, (e) => e.NetworkInterfaceId);
    c.fresh(
      'eni',
      end.enis.map((e) => e.NetworkInterfaceId),
    );
  }
  for (const e of end.enis) {
    if (e.NetworkInterfaceId) scope.enis.add(e.NetworkInterfaceId);
    const vpc = vpcIdOfEni(e);
    if (vpc) scope.fullVpcs.add(vpc);
    for (const g of e.Groups ?? []) if (g.GroupId) scope.groups.add(g.GroupId);
  }
  if (end.spec.kind === 'ip' && end.enis.length === 0) scope.looseIps.push(end.spec.ip);
  if (end.prefixList?.PrefixListId) {
    c.add('ManagedPrefixLists', [end.prefixList], (p) => p.PrefixListId);
    c.fresh('prefix-list', [end.prefixList.PrefixListId]);
    scope.prefixLists.add(end.prefixList.PrefixListId);
  }
}

/** Runs rounds until nothing new is referenced. */
async function expand(r: Ec2Reader, c: Collected, scope: Scope): Promise<void> {
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const tasks = plan(r, c, scope);
    if (tasks.length === 0) return;
    await r.round(`expand ${i + 1}`, tasks);
  }
  r.logger.warn({ rounds: r.stats.rounds }, 'collection stopped after the maximum number of rounds');
}

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
const DESCRIBERS: Record<string, Describer> = {
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

/** Tasks reading every `key` item whose `filter` matches one of `values` (chunked, every page), into the collection. */
function byFilter(
  r: Ec2Reader,
  c: Collected,
  key: string,
  filter: string,
  values: string[],
): (() => Promise<unknown>)[] {
  const d = DESCRIBERS[key];
  if (!d) throw new Error(`no describer for ${key}`);
  return chunks(values).map((part) => async () => {
    const got = await r.pages(
      d.op,
      (token) => d.page(r.ec2, [{ Name: filter, Values: part }], token),
      (o) => o.items,
    );
    c.add(key, got, (t) => (t as Item)[d.id] as string | undefined);
  });
}

/** The calls the next round needs, given what has been read so far. */
function plan(r: Ec2Reader, c: Collected, scope: Scope): (() => Promise<unknown>)[] {
  const ec2 = r.ec2;
  const tasks: (() => Promise<unknown>)[] = [];

  // An endpoint IP no ENI holds: the VPC (known so far) whose CIDRs contain it is read in full.
  for (const ip of scope.looseIps) {
    for (const v of c.all<{ VpcId?: string; CidrBlockAssociationSet?: { CidrBlock?: string }[]; CidrBlock?: string }>(
      'Vpcs',
    )) {
      const cidrs = [v.CidrBlock, ...(v.CidrBlockAssociationSet ?? []).map((b) => b.CidrBlock)];
      if (v.VpcId && cidrs.some((cidr) => cidr && safeContains(cidr, ip))) scope.fullVpcs.add(v.VpcId);
    }
  }

  // The VPCs read in full: subnets, route tables (explicit and main), ACLs, internet gateways, peerings both ways.
  const newVpcs = c.fresh('vpc-detail', scope.fullVpcs);
  if (newVpcs.length > 0) {
    tasks.push(
      ...byFilter(r, c, 'Subnets', 'vpc-id', newVpcs),
      ...byFilter(r, c, 'RouteTables', 'vpc-id', newVpcs),
      ...byFilter(r, c, 'NetworkAcls', 'vpc-id', newVpcs),
      ...byFilter(r, c, 'InternetGateways', 'attachment.vpc-id', newVpcs),
      // Every NAT gateway of the VPC, not only those a route names: a blackhole route to a dead NAT is fixed by
      // pointing it at a live one that no route uses yet.
      ...byFilter(r, c, 'NatGateways', 'vpc-id', newVpcs),
      // A peering joins the VPC as requester or as accepter; filters of different names are ANDed, so ask twice.
      ...byFilter(r, c, 'VpcPeeringConnections', 'requester-vpc-info.vpc-id', newVpcs),
      ...byFilter(r, c, 'VpcPeeringConnections', 'accepter-vpc-info.vpc-id', newVpcs),
    );
    if (scope.wholeVpcs) {
      tasks.push(
        ...chunks(newVpcs).map((part) => async () => {
          for (const f of await describeInstances(r, [{ Name: 'vpc-id', Values: part }])) {
            c.instances.set(f.instance.InstanceId ?? '', f);
          }
        }),
        ...chunks(newVpcs).map((part) => async () => {
          const enis = await describeEnis(r, 'vpc-id', part);
          c.add('NetworkInterfaces', enis, (e) => e.NetworkInterfaceId);
          c.fresh(
            'eni',
            enis.map((e) => e.NetworkInterfaceId),
          );
          for (const e of enis) if (e.NetworkInterfaceId) scope.enis.add(e.NetworkInterfaceId);
        }),
        ...byFilter(r, c, 'SecurityGroups', 'vpc-id', newVpcs),
        ...byFilter(r, c, 'VpcEndpoints', 'vpc-id', newVpcs),
      );
    }
  }

  // VPC records: the full VPCs, the other side of their peerings, and the VPCs attached to their transit gateways.
  const peerVpcs = c
    .all<{ RequesterVpcInfo?: { VpcId?: string }; AccepterVpcInfo?: { VpcId?: string } }>('VpcPeeringConnections')
    .flatMap((p) => [p.RequesterVpcInfo?.VpcId, p.AccepterVpcInfo?.VpcId]);
  const tgwVpcs = c
    .all<TransitGatewayAttachment>('TransitGatewayAttachments')
    .filter((a) => a.ResourceType === 'vpc')
    .map((a) => a.ResourceId);
  const newInfo = c.fresh('vpc-info', [...scope.fullVpcs, ...peerVpcs, ...tgwVpcs]);
  tasks.push(...byFilter(r, c, 'Vpcs', 'vpc-id', newInfo));

  // Interfaces a packet can cross besides the endpoints': the appliances routes point to (by ENI or by instance) and
  // the NAT gateways' interfaces (their addresses are the packet's new source).
  const targetRoutes = c
    .all<RouteTable>('RouteTables')
    .filter((t) => scope.fullVpcs.has(t.VpcId ?? ''))
    .flatMap((t) => t.Routes ?? []);
  const targetInstances = new Set(targetRoutes.map((rt) => rt.InstanceId).filter((i): i is string => !!i));
  for (const rt of targetRoutes) if (rt.NetworkInterfaceId) scope.enis.add(rt.NetworkInterfaceId);
  for (const id of targetInstances) {
    for (const ni of c.instances.get(id)?.instance.NetworkInterfaces ?? []) {
      if (ni.NetworkInterfaceId) scope.enis.add(ni.NetworkInterfaceId);
    }
  }
  for (const n of c.all<NatGateway>('NatGateways')) {
    for (const a of n.NatGatewayAddresses ?? []) if (a.NetworkInterfaceId) scope.enis.add(a.NetworkInterfaceId);
  }

  // The endpoints' ENIs (an instance's come embedded in describe-instances; the ENI records carry more).
  const newEnis = c.fresh('eni', scope.enis);
  if (newEnis.length > 0) {
    tasks.push(
      ...chunks(newEnis).map((part) => async () => {
        c.add('NetworkInterfaces', await describeEnis(r, 'network-interface-id', part), (e) => e.NetworkInterfaceId);
      }),
    );
  }
  const enis = c.all<NetworkInterface>('NetworkInterfaces').filter((e) => scope.enis.has(e.NetworkInterfaceId ?? ''));

  // The instance behind an ENI given by id or address (for its state and Name).
  const newInstances = c.fresh(
    'instance',
    [...enis.map((e) => e.Attachment?.InstanceId), ...targetInstances].filter((id) => id && !c.instances.has(id)),
  );
  if (newInstances.length > 0) {
    tasks.push(
      ...chunks(newInstances).map((part) => async () => {
        for (const f of await describeInstances(r, [{ Name: 'instance-id', Values: part }])) {
          c.instances.set(f.instance.InstanceId ?? '', f);
        }
      }),
    );
  }
  for (const e of enis) for (const g of e.Groups ?? []) if (g.GroupId) scope.groups.add(g.GroupId);

  // Elastic IP records of the endpoints' public addresses (a public IP that is not an EIP simply matches nothing).
  // Known from the instances' embedded ENIs already, so this joins the first round after resolution.
  const publicIps = new Set<string>();
  for (const e of enis) {
    if (e.Association?.PublicIp) publicIps.add(e.Association.PublicIp);
    for (const p of e.PrivateIpAddresses ?? []) if (p.Association?.PublicIp) publicIps.add(p.Association.PublicIp);
  }
  for (const f of c.instances.values()) {
    for (const ni of f.instance.NetworkInterfaces ?? []) {
      if (!ni.NetworkInterfaceId || !scope.enis.has(ni.NetworkInterfaceId)) continue;
      if (ni.Association?.PublicIp) publicIps.add(ni.Association.PublicIp);
      for (const p of ni.PrivateIpAddresses ?? []) if (p.Association?.PublicIp) publicIps.add(p.Association.PublicIp);
    }
  }
  // A NAT gateway's record already names its addresses: read their EIP records with its interface, not after it.
  for (const n of c.all<NatGateway>('NatGateways')) {
    for (const a of n.NatGatewayAddresses ?? []) if (a.PublicIp) publicIps.add(a.PublicIp);
  }
  const newPublic = c.fresh('public-ip', publicIps);
  if (newPublic.length > 0) {
    tasks.push(
      ...chunks(newPublic).map((part) => async () => {
        // DescribeAddresses is not paginated.
        const out = await r.send('DescribeAddresses', () =>
          ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'public-ip', Values: part }] })),
        );
        c.add('Addresses', out.Addresses, (a) => a.AllocationId ?? a.PublicIp);
      }),
    );
  }

  // Security groups: the endpoints' groups, then the groups their rules reference (one level: a referenced group's
  // own rules never decide this packet, only its membership does).
  const deciding = c
    .all<SecurityGroup>('SecurityGroups')
    .filter((g) => scope.wholeVpcs || scope.groups.has(g.GroupId ?? ''));
  const referenced = deciding.flatMap((g) =>
    [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])].flatMap((p) =>
      (p.UserIdGroupPairs ?? []).map((u) => u.GroupId),
    ),
  );
  const newGroups = c.fresh(
    'sg',
    [...scope.groups, ...referenced].filter((g) => g && !c.has('SecurityGroups', g)),
  );
  tasks.push(...byFilter(r, c, 'SecurityGroups', 'group-id', newGroups));

  // What the full VPCs' routes point to.
  const tables = c.all<RouteTable>('RouteTables').filter((t) => scope.fullVpcs.has(t.VpcId ?? ''));
  const routes = tables.flatMap((t) => t.Routes ?? []);
  const gatewayIds = routes.map((rt) => rt.GatewayId).filter((g): g is string => !!g);
  const nats = c.fresh(
    'nat',
    routes.map((rt) => rt.NatGatewayId).filter((n) => n && !c.has('NatGateways', n)),
  );
  tasks.push(...byFilter(r, c, 'NatGateways', 'nat-gateway-id', nats));
  const igws = c.fresh(
    'igw',
    gatewayIds.filter((g) => g.startsWith('igw-') && !c.has('InternetGateways', g)),
  );
  tasks.push(...byFilter(r, c, 'InternetGateways', 'internet-gateway-id', igws));
  const vpces = c.fresh(
    'vpce',
    gatewayIds.filter((g) => g.startsWith('vpce-') && !c.has('VpcEndpoints', g)),
  );
  tasks.push(...byFilter(r, c, 'VpcEndpoints', 'vpc-endpoint-id', vpces));
  const pcxs = c.fresh(
    'pcx',
    routes.map((rt) => rt.VpcPeeringConnectionId).filter((p) => p && !c.has('VpcPeeringConnections', p)),
  );
  tasks.push(...byFilter(r, c, 'VpcPeeringConnections', 'vpc-peering-connection-id', pcxs));
  const eigws = c.fresh(
    'eigw',
    routes.map((rt) => rt.EgressOnlyInternetGatewayId).filter((g) => g && !c.has('EgressOnlyInternetGateways', g)),
  );
  if (eigws.length > 0) {
    // DescribeEgressOnlyInternetGateways filters only on tags: ask by id. EC2 refuses the whole list when one id is
    // unknown (a route to a deleted gateway is a blackhole route), so on that refusal ask for each id alone.
    const byIds = async (ids: string[]): Promise<void> => {
      try {
        const got = await r.pages(
          'DescribeEgressOnlyInternetGateways',
          (NextToken) =>
            ec2.send(new DescribeEgressOnlyInternetGatewaysCommand({ EgressOnlyInternetGatewayIds: ids, NextToken })),
          (o) => o.EgressOnlyInternetGateways,
        );
        c.add('EgressOnlyInternetGateways', got, (g) => g.EgressOnlyInternetGatewayId);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        if (ids.length > 1) await Promise.all(ids.map((id) => byIds([id])));
        else r.logger.warn({ egressOnlyInternetGateway: ids[0] }, 'a gateway a route names does not exist');
      }
    };
    tasks.push(...chunks(eigws).map((part) => () => byIds(part)));
  }

  // Transit gateways the routes point to: the gateway, its attachments and route tables.
  const tgws = c.fresh(
    'tgw',
    routes.map((rt) => rt.TransitGatewayId),
  );
  if (tgws.length > 0) {
    tasks.push(
      ...byFilter(r, c, 'TransitGateways', 'transit-gateway-id', tgws),
      ...byFilter(r, c, 'TransitGatewayAttachments', 'transit-gateway-id', tgws),
      ...byFilter(r, c, 'TransitGatewayVpcAttachments', 'transit-gateway-id', tgws),
      ...byFilter(r, c, 'TransitGatewayRouteTables', 'transit-gateway-id', tgws),
    );
  }
  // A TGW route table decides for the attachments associated with it: read the tables of the full VPCs' attachments
  // (static routes and propagations; EC2 has no batch call for either).
  const attachments = c.all<TransitGatewayAttachment>('TransitGatewayAttachments');
  const tgwTables = attachments
    .filter((a) => a.ResourceType === 'vpc' && scope.fullVpcs.has(a.ResourceId ?? ''))
    .map((a) => a.Association?.TransitGatewayRouteTableId);
  for (const rtb of c.fresh('tgw-rtb', tgwTables)) {
    tasks.push(
      () =>
        r
          .send('SearchTransitGatewayRoutes', () =>
            ec2.send(
              new SearchTransitGatewayRoutesCommand({
                TransitGatewayRouteTableId: rtb,
                Filters: [{ Name: 'type', Values: ['static'] }],
                MaxResults: 1000,
              }),
            ),
          )
          .then((o) => {
            if (o.AdditionalRoutesAvailable)
              r.logger.warn({ rtb }, 'more than 1000 static TGW routes: the rest are not read');
            c.tgwStaticRoutes.set(rtb, o.Routes ?? []);
          }),
      async () => {
        const props = await r.pages(
          'GetTransitGatewayRouteTablePropagations',
          (NextToken) =>
            ec2.send(
              new GetTransitGatewayRouteTablePropagationsCommand({ TransitGatewayRouteTableId: rtb, NextToken }),
            ),
          (o) => o.TransitGatewayRouteTablePropagations,
        );
        c.tgwPropagations.set(rtb, props);
      },
    );
  }

  // Prefix lists referenced by the deciding groups' rules and by the full VPCs' routes: names and entries.
  const plIds = [
    ...deciding.flatMap((g) =>
      [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])].flatMap((p) =>
        (p.PrefixListIds ?? []).map((x) => x.PrefixListId),
      ),
    ),
    ...routes.map((rt) => rt.DestinationPrefixListId),
  ];
  const newPl = c.fresh('prefix-list', plIds);
  tasks.push(...byFilter(r, c, 'ManagedPrefixLists', 'prefix-list-id', newPl));
  for (const pl of c.fresh('prefix-list-entries', [...scope.prefixLists, ...plIds])) {
    tasks.push(async () => {
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
    });
  }

  return tasks;
}

/** An AWS "does not exist" answer (e.g. InvalidPrefixListID.NotFound). */
function isNotFound(e: unknown): boolean {
  return isWhypingError(e) && /NotFound$/.test(e.details.aws?.awsCode ?? '');
}

function safeContains(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr, ip);
  } catch {
    return false;
  }
}

/** Output keys written besides the describers' (DESIGN §2): these come from calls by id, not by filter. */
const OTHER_KEYS: [key: string, operation: string][] = [
  ['NetworkInterfaces', 'DescribeNetworkInterfaces'],
  ['EgressOnlyInternetGateways', 'DescribeEgressOnlyInternetGateways'],
  ['Addresses', 'DescribeAddresses'],
];

/** Plain JSON (Dates as ISO strings, no undefined), exactly what `writeSnapshot` puts on disk. */
function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * The collection as describe-* documents, one per key. Every key is present, empty when the scope holds none, so a
 * reader can tell "no NAT gateway on this path" from "not collected".
 */
function toFiles(c: Collected, region: string): RawSnapshotFile[] {
  const file = (operation: string, data: Item): RawSnapshotFile => ({
    path: `live:${operation}`,
    data: plain(data),
    region,
  });
  const reservations = new Map<string, { ReservationId?: string; Instances: unknown[] } & Item>();
  for (const { instance, reservation } of c.instances.values()) {
    const key = reservation.ReservationId ?? instance.InstanceId ?? '';
    let res = reservations.get(key);
    if (!res) {
      res = { ...reservation, Instances: [] };
      reservations.set(key, res);
    }
    res.Instances.push(instance);
  }
  return [
    file('DescribeInstances', { Reservations: [...reservations.values()] }),
    ...Object.entries(DESCRIBERS).map(([key, d]) => file(d.op, { [key]: c.all(key) })),
    ...OTHER_KEYS.map(([key, op]) => file(op, { [key]: c.all(key) })),
    file('GetManagedPrefixListEntries', { PrefixListEntries: Object.fromEntries(c.prefixListEntries) }),
    file('SearchTransitGatewayRoutes', {
      TransitGatewayStaticRoutes: [...c.tgwStaticRoutes].map(([TransitGatewayRouteTableId, Routes]) => ({
        TransitGatewayRouteTableId,
        Routes,
      })),
    }),
    file('GetTransitGatewayRouteTablePropagations', {
      TransitGatewayPropagations: [...c.tgwPropagations].map(([TransitGatewayRouteTableId, props]) => ({
        TransitGatewayRouteTableId,
        TransitGatewayRouteTablePropagations: props,
      })),
    }),
  ];
}
