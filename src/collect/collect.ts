/**
 * Scoped live collection: starting from the endpoints (or the VPCs/instances of `whyping snapshot`), read only what a
 * diagnosis can touch, in a few parallel rounds. plan.ts decides each round's calls from what the previous rounds
 * revealed; reads.ts sends them. No resource is described one by one except where EC2 has no batch call
 * (prefix-list entries, TGW routes).
 */
import type { EC2Client, Filter } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { WhypingError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AccountClients, Query, RawSnapshotFile } from '../model/index.js';
import { eicPrefixListName } from '../snapshot/resolve.js';
import { parseEnd } from './ends.js';
import { namesOnThePath, type PlacedEnd, publicIpsElsewhere, resolveAcross } from './ends-live.js';
import { loadBalancerHint, loadBalancerNamesOfInterfaces, readLoadBalancers, targetsOf } from './load-balancers.js';
import type { Collected, Read, Scope } from './plan.js';
import { type CollectStats, DEFAULT_CONCURRENCY, Ec2Reader } from './reader.js';
import { DESCRIBERS, runReads } from './reads.js';
import { classifyEndpoint, describeEnis, describeInstances, type LiveEndpoint } from './resolve.js';
import { Span, type UnreadPart } from './span.js';

/** The collected describe-* documents and what collecting them cost. */
export interface CollectResult {
  files: RawSnapshotFile[];
  stats: CollectStats;
  /** Parts of the path in other accounts or regions that could not be read (empty when all was read). */
  unread: UnreadPart[];
  /** The account the default clients read, as the data showed it (null when nothing said). */
  homeAccount: string | null;
}

/** Options of a collection. */
export interface CollectOptions {
  region: string;
  logger: Logger;
  /** Parallel calls in flight (default 8). */
  concurrency?: number;
  /** Clients of other accounts and regions: the path is followed there. Absent: one account and region. */
  accounts?: AccountClients<EC2Client>;
  /** Elastic Load Balancing v2: read only when the question involves a load balancer; absent: none is read. */
  elb?: ElasticLoadBalancingV2Client;
}

type Item = Record<string, unknown>;

/** Reads everything needed to diagnose `query`: resolves both ends live, then collects the scoped state. */
export async function collectForQuery(ec2: EC2Client, query: Query, opts: CollectOptions): Promise<CollectResult> {
  const r = new Ec2Reader(ec2, opts.logger, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const span = new Span(r, opts.region, false, opts.accounts, opts.logger);
  // An end may name its account (`db-b@444455556666`): looked up there (ends-live.ts).
  const parsed = [query.from, query.to].map(parseEnd);
  // An end named by a load balancer's ARN or DNS name (or a name no instance has) stands for its first node.
  const texts = parsed.map((p) => p.text);
  const elb = opts.elb;
  const toNode = async (i: number, hint: { arn: string } | { name: string }): Promise<boolean> => {
    if (!elb || parsed[i]?.account) return false;
    const read = await readLoadBalancers(
      elb,
      'arn' in hint ? { arns: [hint.arn], names: [] } : { arns: [], names: [hint.name] },
      opts.logger,
    );
    const key = read.loadBalancers[0]?.LoadBalancerArn?.split(':loadbalancer/')[1];
    const node = key ? (await describeEnis(r, 'description', [`ELB ${key}`]))[0]?.NetworkInterfaceId : undefined;
    if (node) texts[i] = node;
    return node !== undefined;
  };
  for (const [i, text] of texts.entries()) {
    const hint = loadBalancerHint(text);
    if (hint) await toNode(i, hint);
  }
  const resolve = () =>
    resolveAcross(
      span,
      parsed.map((p, i) => ({ ...p, text: texts[i] ?? p.text })),
      opts.region,
    );
  // A Name no instance has may be a load balancer's (failure path only).
  const toNodes = async (): Promise<boolean> => {
    let found = false;
    for (const [i, text] of texts.entries())
      if (classifyEndpoint(text).kind === 'name' && (await toNode(i, { name: text.trim() }))) found = true;
    return found;
  };
  let ends: PlacedEnd[];
  try {
    ends = await resolve();
  } catch (e) {
    if (!(elb && e instanceof WhypingError && e.code === 'UNKNOWN_ENDPOINT') || !(await toNodes())) throw e;
    ends = await resolve();
  }
  // An end found in no account asked is a load balancer's, or looked for along the path below.
  if (elb && ends.some((p) => p.pending) && (await toNodes())) ends = await resolve();
  for (const { end, site } of ends) absorbEndpoint(site.c, site.scope, end);
  await span.expand();
  // An end found in no account asked: the accounts and regions the path reached from the other end.
  const onPath = await namesOnThePath(span, ends);
  for (const { end, site } of onPath) absorbEndpoint(site.c, site.scope, end);
  if (onPath.length > 0) await span.expand();
  // A public address no interface at home holds may be another account's or region's instance, not the internet's.
  const owned = await publicIpsElsewhere(span, ends);
  for (const { site, end, enis } of owned) absorbEndpoint(site.c, site.scope, { ...end, enis });
  if (owned.length > 0) await span.expand();
  const lbFiles = opts.elb ? await loadBalancersOnPath(r, span, opts.elb) : [];
  return {
    files: [...spanFiles(span), ...lbFiles.map((f) => ({ ...f, region: opts.region }))],
    stats: r.stats,
    unread: span.unread(),
    homeAccount: span.homeAccount,
  };
}

/**
 * The load balancers whose nodes' interfaces the home collection holds (the question named one, or an address of
 * one): their elbv2 data, then the targets they send to and everything those need; and the records of interface VPC
 * endpoints on the path. Nothing is read when no such interface is on the path.
 */
async function loadBalancersOnPath(
  r: Ec2Reader,
  span: Span,
  elb: ElasticLoadBalancingV2Client,
): Promise<RawSnapshotFile[]> {
  const { c, scope } = span.home;
  const enis = c.all<{ Description?: string; InterfaceType?: string }>('NetworkInterfaces');
  const endpointIds = enis.flatMap((e) =>
    e.InterfaceType === 'vpc_endpoint' ? [/vpce-[0-9a-f]+/.exec(e.Description ?? '')?.[0] ?? ''] : [],
  );
  if (endpointIds.some(Boolean))
    await runReads(r, c, 'interface endpoints', [
      {
        op: 'describe',
        key: 'VpcEndpoints',
        filters: [{ Name: 'vpc-endpoint-id', Values: endpointIds.filter(Boolean) }],
      },
    ]);
  const names = loadBalancerNamesOfInterfaces(enis);
  if (names.length === 0) return [];
  const read = await readLoadBalancers(elb, { arns: [], names }, r.logger);
  const targets = targetsOf(read.file);
  const found = targets.instanceIds.length
    ? await describeInstances(r, [{ Name: 'instance-id', Values: targets.instanceIds }])
    : [];
  const ipEnis = targets.ips.length ? await describeEnis(r, 'addresses.private-ip-address', targets.ips) : [];
  absorbEndpoint(c, scope, { spec: { kind: 'internet', text: 'targets' }, instances: found, enis: ipEnis });
  await span.expand();
  return [read.file];
}

/** Reads the given VPCs and instances (every VPC of the region when both are empty) and all they reference. */
export async function collectSnapshot(
  ec2: EC2Client,
  scopeIn: { vpcIds: string[]; instanceIds: string[] },
  opts: CollectOptions,
): Promise<CollectResult> {
  const r = new Ec2Reader(ec2, opts.logger, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const span = new Span(r, opts.region, true, opts.accounts, opts.logger);
  const { c, scope } = span.home;
  const vpcIds = [...new Set(scopeIn.vpcIds)];
  const instanceIds = [...new Set(scopeIn.instanceIds)];
  const reads: Read[] = [];
  const everything = vpcIds.length === 0 && instanceIds.length === 0;
  if (everything || vpcIds.length > 0) {
    const filters: Filter[] = everything ? [] : [{ Name: 'vpc-id', Values: vpcIds }];
    reads.push({ op: 'describe', key: 'Vpcs', filters });
  }
  // The region's EC2 Instance Connect range, so `eic` can be asked of the exported snapshot too.
  reads.push({
    op: 'describe',
    key: 'ManagedPrefixLists',
    filters: [{ Name: 'prefix-list-name', Values: [eicPrefixListName(opts.region)] }],
  });
  if (instanceIds.length > 0) reads.push({ op: 'instances', filters: [{ Name: 'instance-id', Values: instanceIds }] });
  await runReads(r, c, 'snapshot scope', reads);
  // What this round read is known: not asked again.
  c.fresh(
    'vpc-info',
    c.all<{ VpcId?: string }>('Vpcs').map((v) => v.VpcId),
  );
  for (const p of c.all<{ PrefixListId?: string }>('ManagedPrefixLists')) {
    c.fresh('prefix-list', [p.PrefixListId]);
    if (p.PrefixListId) scope.prefixLists.add(p.PrefixListId);
  }
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
  await span.expand();
  return { files: spanFiles(span), stats: r.stats, unread: span.unread(), homeAccount: span.homeAccount };
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
    const vpc = e.VpcId;
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

/** The collection as describe-* documents: one account and region as before, else one set per account and region. */
function spanFiles(span: Span): RawSnapshotFile[] {
  const read = span.read();
  if (read.length === 1 && read[0]?.site === span.home) return toFiles(span.home.c, span.home.where.region);
  return read.flatMap(({ site, account }) => toFiles(site.c, site.where.region, account ?? undefined));
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
function toFiles(c: Collected, region: string, accountId?: string): RawSnapshotFile[] {
  const file = (operation: string, data: Item): RawSnapshotFile => ({
    path: accountId ? `live:${accountId}/${region}/${operation}` : `live:${operation}`,
    data: plain(data),
    region,
    ...(accountId ? { accountId } : {}),
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
