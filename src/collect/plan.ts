/**
 * What a scoped collection reads next, as data: `planReads` looks at what has been read so far and returns the
 * describe-* calls of the next round (operation, filters or ids, one entry per call before pagination). It sends
 * nothing; `runReads` (reads.ts) sends a plan and folds the answers into the collection. The plan of each round asks
 * for everything the previous rounds revealed (the VPCs' tables, ACLs and gateways; the peer VPCs; the NAT gateways,
 * endpoints and transit gateways routes point to; the groups and prefix lists rules reference), so the number of
 * rounds follows the depth of the network, not its size.
 */
import type {
  Filter,
  NatGateway,
  NetworkInterface,
  PrefixListEntry,
  RouteTable,
  SecurityGroup,
  TransitGatewayAttachment,
  TransitGatewayRoute,
  TransitGatewayRouteTablePropagation,
} from '@aws-sdk/client-ec2';
import { cidrContains } from '../net/ip.js';
import { chunks } from './reader.js';
import type { FoundInstance } from './resolve.js';

/** Output keys of the filtered describe-* calls (DESIGN §2); reads.ts holds how each is sent. */
export type DescribeKey =
  | 'Vpcs'
  | 'Subnets'
  | 'RouteTables'
  | 'NetworkAcls'
  | 'SecurityGroups'
  | 'InternetGateways'
  | 'NatGateways'
  | 'VpcPeeringConnections'
  | 'VpcEndpoints'
  | 'TransitGateways'
  | 'TransitGatewayAttachments'
  | 'TransitGatewayVpcAttachments'
  | 'TransitGatewayPeeringAttachments'
  | 'TransitGatewayRouteTables'
  | 'ManagedPrefixLists';

/** One call of a plan (every page of it): what to ask and with which filters or ids. */
export type Read =
  /** A filtered describe-* call whose items are kept under `key`. */
  | { op: 'describe'; key: DescribeKey; filters: Filter[] }
  /** DescribeInstances (instances keep their reservation). */
  | { op: 'instances'; filters: Filter[] }
  /** DescribeNetworkInterfaces with one filter. */
  | { op: 'enis'; filter: string; values: string[] }
  /** DescribeAddresses of public IPs (not paginated). */
  | { op: 'addresses'; publicIps: string[] }
  /** DescribeEgressOnlyInternetGateways by id (it filters only on tags). */
  | { op: 'egress-only-gateways'; ids: string[] }
  /** SearchTransitGatewayRoutes: a TGW route table's static routes. */
  | { op: 'tgw-static-routes'; routeTable: string }
  /** GetTransitGatewayRouteTablePropagations of a TGW route table. */
  | { op: 'tgw-propagations'; routeTable: string }
  /** GetManagedPrefixListEntries of one list. */
  | { op: 'prefix-list-entries'; prefixList: string };

/** Everything read so far, by id, and what has been asked for (so nothing is asked twice). */
export class Collected {
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
export interface Scope {
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
  /**
   * The account and region read, when the collection spans several: a peering side or transit gateway attachment
   * elsewhere is read there (span.ts), not asked of this account. Absent: one account and region, nothing elsewhere.
   */
  here?: { account: string | null; region: string };
  /** VPCs of which only the record is read here (the far side of a peering no route uses yet). */
  recordVpcs: Set<string>;
  /** Endpoint addresses to look up here once a VPC is read in full (an end beyond a peering, in another account). */
  lookupIps?: string[];
  /** Transit gateways read here besides those routes point to: the far side of a transit gateway peering. */
  tgws?: Set<string>;
}

/** An empty scope. */
export function emptyScope(wholeVpcs: boolean): Scope {
  return {
    fullVpcs: new Set(),
    enis: new Set(),
    groups: new Set(),
    looseIps: [],
    prefixLists: new Set(),
    wholeVpcs,
    recordVpcs: new Set(),
  };
}

/** An account and region as a peering side or attachment names them (missing parts are the reader's own). */
export interface Side {
  VpcId?: string;
  OwnerId?: string;
  Region?: string;
}

/** True when a peering side lives in another account or region than `scope.here`. */
export function elsewhere(scope: Scope, side: Side): boolean {
  const here = scope.here;
  if (!here) return false;
  return (
    (!!side.Region && side.Region !== here.region) ||
    (!!side.OwnerId && !!here.account && side.OwnerId !== here.account)
  );
}

/** One describe call per chunk of at most 200 filter values. */
function byFilter(key: DescribeKey, filter: string, values: string[]): Read[] {
  return chunks(values).map((part) => ({ op: 'describe', key, filters: [{ Name: filter, Values: part }] }));
}

/**
 * The calls of the next round, given what has been read so far: an empty list when nothing new is referenced. It
 * sends nothing; it widens `scope` with what the collection now shows to be on the path and records what it plans in
 * `c`'s asked sets, so the next call plans only what is new.
 */
export function planReads(c: Collected, scope: Scope): Read[] {
  const reads: Read[] = [];

  // An endpoint IP no ENI holds: the VPC (known so far) whose CIDRs contain it is read in full.
  for (const ip of scope.looseIps) {
    for (const v of c.all<{ VpcId?: string; CidrBlockAssociationSet?: { CidrBlock?: string }[]; CidrBlock?: string }>(
      'Vpcs',
    )) {
      const cidrs = [v.CidrBlock, ...(v.CidrBlockAssociationSet ?? []).map((b) => b.CidrBlock)];
      if (v.VpcId && cidrs.some((cidr) => cidr && safeContains(cidr, ip))) scope.fullVpcs.add(v.VpcId);
    }
  }
  // An interface holding an endpoint address (looked up here after the path crossed into this account) is an end.
  if (scope.looseIps.length > 0) {
    for (const e of c.all<NetworkInterface>('NetworkInterfaces')) {
      const ips = (e.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress);
      if (e.NetworkInterfaceId && ips.some((ip) => ip && scope.looseIps.includes(ip))) {
        scope.enis.add(e.NetworkInterfaceId);
        if (e.VpcId) scope.fullVpcs.add(e.VpcId);
      }
    }
  }
  // `whyping snapshot`: every interface of a full VPC is on the path (read with the VPC, not asked again by id).
  if (scope.wholeVpcs) {
    for (const e of c.all<NetworkInterface>('NetworkInterfaces')) {
      if (e.NetworkInterfaceId && scope.fullVpcs.has(e.VpcId ?? '') && !scope.enis.has(e.NetworkInterfaceId)) {
        c.fresh('eni', [e.NetworkInterfaceId]);
        scope.enis.add(e.NetworkInterfaceId);
      }
    }
  }

  // The VPCs read in full: subnets, route tables (explicit and main), ACLs, internet gateways, peerings both ways.
  const newVpcs = c.fresh('vpc-detail', scope.fullVpcs);
  if (newVpcs.length > 0) {
    reads.push(
      ...byFilter('Subnets', 'vpc-id', newVpcs),
      ...byFilter('RouteTables', 'vpc-id', newVpcs),
      ...byFilter('NetworkAcls', 'vpc-id', newVpcs),
      ...byFilter('InternetGateways', 'attachment.vpc-id', newVpcs),
      // Every NAT gateway of the VPC, not only those a route names: a blackhole route to a dead NAT is fixed by
      // pointing it at a live one that no route uses yet.
      ...byFilter('NatGateways', 'vpc-id', newVpcs),
      // A peering joins the VPC as requester or as accepter; filters of different names are ANDed, so ask twice.
      ...byFilter('VpcPeeringConnections', 'requester-vpc-info.vpc-id', newVpcs),
      ...byFilter('VpcPeeringConnections', 'accepter-vpc-info.vpc-id', newVpcs),
    );
    if (scope.wholeVpcs) {
      reads.push(
        ...chunks(newVpcs).map((part): Read => ({ op: 'instances', filters: [{ Name: 'vpc-id', Values: part }] })),
        ...chunks(newVpcs).map((part): Read => ({ op: 'enis', filter: 'vpc-id', values: part })),
        ...byFilter('SecurityGroups', 'vpc-id', newVpcs),
        ...byFilter('VpcEndpoints', 'vpc-id', newVpcs),
      );
    }
  }

  // Endpoint addresses beyond a crossing: looked up among this account's interfaces once the path reaches a VPC here.
  if (scope.fullVpcs.size > 0 && scope.lookupIps?.length) {
    const ips = c.fresh('lookup-ip', scope.lookupIps);
    reads.push(
      ...chunks(ips).map((part): Read => ({ op: 'enis', filter: 'addresses.private-ip-address', values: part })),
    );
  }

  // VPC records: the full VPCs, the other side of their peerings, and the VPCs attached to their transit gateways
  // (those of another account or region are read there).
  const peerVpcs = c
    .all<{ RequesterVpcInfo?: Side; AccepterVpcInfo?: Side }>('VpcPeeringConnections')
    .flatMap((p) => [p.RequesterVpcInfo, p.AccepterVpcInfo])
    .filter((side) => side && !elsewhere(scope, side))
    .map((side) => side?.VpcId);
  const tgwVpcs = c
    .all<TransitGatewayAttachment>('TransitGatewayAttachments')
    .filter((a) => a.ResourceType === 'vpc' && !elsewhere(scope, { OwnerId: a.ResourceOwnerId }))
    .map((a) => a.ResourceId);
  const newInfo = c.fresh('vpc-info', [...scope.fullVpcs, ...peerVpcs, ...tgwVpcs, ...scope.recordVpcs]);
  reads.push(...byFilter('Vpcs', 'vpc-id', newInfo));

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
  reads.push(...chunks(newEnis).map((part): Read => ({ op: 'enis', filter: 'network-interface-id', values: part })));
  const enis = c.all<NetworkInterface>('NetworkInterfaces').filter((e) => scope.enis.has(e.NetworkInterfaceId ?? ''));

  // The instance behind an ENI given by id or address (for its state and Name).
  const newInstances = c.fresh(
    'instance',
    [...enis.map((e) => e.Attachment?.InstanceId), ...targetInstances].filter((id) => id && !c.instances.has(id)),
  );
  reads.push(
    ...chunks(newInstances).map(
      (part): Read => ({ op: 'instances', filters: [{ Name: 'instance-id', Values: part }] }),
    ),
  );
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
  reads.push(...chunks(newPublic).map((part): Read => ({ op: 'addresses', publicIps: part })));

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
  reads.push(...byFilter('SecurityGroups', 'group-id', newGroups));

  // What the full VPCs' routes point to.
  const tables = c.all<RouteTable>('RouteTables').filter((t) => scope.fullVpcs.has(t.VpcId ?? ''));
  const routes = tables.flatMap((t) => t.Routes ?? []);
  const gatewayIds = routes.map((rt) => rt.GatewayId).filter((g): g is string => !!g);
  const nats = c.fresh(
    'nat',
    routes.map((rt) => rt.NatGatewayId).filter((n) => n && !c.has('NatGateways', n)),
  );
  reads.push(...byFilter('NatGateways', 'nat-gateway-id', nats));
  const igws = c.fresh(
    'igw',
    gatewayIds.filter((g) => g.startsWith('igw-') && !c.has('InternetGateways', g)),
  );
  reads.push(...byFilter('InternetGateways', 'internet-gateway-id', igws));
  const vpces = c.fresh(
    'vpce',
    gatewayIds.filter((g) => g.startsWith('vpce-') && !c.has('VpcEndpoints', g)),
  );
  reads.push(...byFilter('VpcEndpoints', 'vpc-endpoint-id', vpces));
  const pcxs = c.fresh(
    'pcx',
    routes.map((rt) => rt.VpcPeeringConnectionId).filter((p) => p && !c.has('VpcPeeringConnections', p)),
  );
  reads.push(...byFilter('VpcPeeringConnections', 'vpc-peering-connection-id', pcxs));
  const eigws = c.fresh(
    'eigw',
    routes.map((rt) => rt.EgressOnlyInternetGatewayId).filter((g) => g && !c.has('EgressOnlyInternetGateways', g)),
  );
  reads.push(...chunks(eigws).map((part): Read => ({ op: 'egress-only-gateways', ids: part })));

  // Transit gateways the routes point to (and the far side of a peering with one): the gateway, its attachments and
  // route tables.
  const tgws = c.fresh('tgw', [...routes.map((rt) => rt.TransitGatewayId), ...(scope.tgws ?? [])]);
  reads.push(
    ...byFilter('TransitGateways', 'transit-gateway-id', tgws),
    ...byFilter('TransitGatewayAttachments', 'transit-gateway-id', tgws),
    ...byFilter('TransitGatewayVpcAttachments', 'transit-gateway-id', tgws),
    ...byFilter('TransitGatewayRouteTables', 'transit-gateway-id', tgws),
  );
  // A TGW route table decides for the attachments associated with it: read the tables of the full VPCs' attachments
  // (static routes and propagations; EC2 has no batch call for either).
  // A TGW peering attachment's table decides what arrives over the peering (in either direction): read it too, with
  // the peering's record, which names the peer's account and region (span.ts follows it there).
  const peerings = c
    .all<TransitGatewayAttachment>('TransitGatewayAttachments')
    .filter((a) => a.ResourceType === 'peering');
  reads.push(
    ...byFilter(
      'TransitGatewayPeeringAttachments',
      'transit-gateway-attachment-id',
      c.fresh(
        'tgw-peering',
        peerings.map((a) => a.TransitGatewayAttachmentId),
      ),
    ),
  );
  const tgwTables = c
    .all<TransitGatewayAttachment>('TransitGatewayAttachments')
    .filter((a) => (a.ResourceType === 'vpc' && scope.fullVpcs.has(a.ResourceId ?? '')) || a.ResourceType === 'peering')
    .map((a) => a.Association?.TransitGatewayRouteTableId);
  for (const rtb of c.fresh('tgw-rtb', tgwTables)) {
    reads.push({ op: 'tgw-static-routes', routeTable: rtb }, { op: 'tgw-propagations', routeTable: rtb });
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
  reads.push(...byFilter('ManagedPrefixLists', 'prefix-list-id', c.fresh('prefix-list', plIds)));
  for (const pl of c.fresh('prefix-list-entries', [...scope.prefixLists, ...plIds])) {
    reads.push({ op: 'prefix-list-entries', prefixList: pl });
  }
  return reads;
}

function safeContains(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr, ip);
  } catch {
    return false;
  }
}
