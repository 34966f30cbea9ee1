/**
 * `buildSnapshot(files)`: validates describe-* JSON, merges files by top-level key, normalizes into the `Snapshot`
 * model (one object per id) and builds the indexes the engine needs. Pure: no I/O.
 */
import { WhypingError } from '../errors.js';
import type {
  EgressOnlyInternetGateway,
  ElasticAddress,
  Instance,
  InternetGateway,
  NaclEntry,
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  PeeringSide,
  PrefixList,
  PrivateIp,
  RawSnapshotFile,
  Route,
  RouteDestination,
  RouteTable,
  RouteTarget,
  SecurityGroup,
  SgPeer,
  SgRule,
  Snapshot,
  SnapshotIndex,
  SnapshotWarning,
  Subnet,
  Tags,
  TransitGateway,
  TransitGatewayAttachment,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  Vpc,
  VpcEndpoint,
  VpcPeeringConnection,
} from '../model/index.js';
import { parseIp } from '../net/ip.js';
import { buildLoadBalancing } from './aws/load-balancers.js';
import {
  FAST_CHECKS,
  IGNORED_SENSITIVE_KEYS,
  jsonPath,
  KEY_SCHEMAS,
  type KnownKey,
  type Parsed,
  type RawInstance,
  type RawIpPermission,
  type RawNetworkInterface,
  type RawRoute,
} from './schema.js';
import { naclEntryText, normalizeProtocol, routeText, sgRulePrefix, tgwRouteText } from './text.js';

type Item<K extends KnownKey> = Parsed<K> extends readonly (infer T)[] ? T : never;
type Sourced<T> = { value: T; file: RawSnapshotFile };
type Inputs = { [K in Exclude<KnownKey, 'PrefixListEntries'>]: Sourced<Item<K>>[] } & {
  PrefixListEntries: Sourced<Parsed<'PrefixListEntries'>>[];
};

type RawTags = { Key: string; Value?: string | null | undefined }[] | null | undefined;

function tagsOf(raw: RawTags): Tags {
  const out: Record<string, string> = {};
  if (raw) for (const t of raw) out[t.Key] = t.Value ?? '';
  return out;
}

function withName<T extends object>(obj: T, tags: Tags): T {
  const name = tags.Name;
  if (name !== undefined && name !== '') (obj as { name?: string }).name = name;
  return obj;
}

/** `us-east-1a` → `us-east-1`; Local Zones (`us-west-2-lax-1a`) keep their parent region. */
export function regionFromAz(az: string | null | undefined): string | undefined {
  if (!az) return undefined;
  const m = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})/.exec(az);
  return m?.[1];
}

/** Sets `accountId` and `region` when known (never as undefined, to keep objects small and JSON clean). */
function origin<T extends object>(obj: T, accountId: string | null | undefined, region: string | undefined): T {
  const o = obj as { accountId?: string; region?: string };
  if (accountId) o.accountId = accountId;
  if (region) o.region = region;
  return obj;
}

/** Keeps one copy per id: the first, unless a later one comes from the owner's own account files. */
class Dedup<T> {
  readonly byId = new Map<string, Sourced<T>>();
  /** Ids whose kept copy came from the owner's account (only tracked once a duplicate shows up). */
  private readonly owned = new Set<string>();
  add(id: string, item: Sourced<T>, ownerId: string | null | undefined): void {
    const prev = this.byId.get(id);
    if (!prev) {
      this.byId.set(id, item);
      return;
    }
    if (this.owned.has(id)) return;
    // Both copies describe one object, so the newcomer's owner id is the kept copy's owner id too.
    if (ownerId && prev.file.accountId === ownerId) {
      this.owned.add(id);
      return;
    }
    if (ownerId && item.file.accountId === ownerId) {
      this.byId.set(id, item);
      this.owned.add(id);
    }
  }
}

function emptyInputs(): Inputs {
  const out: Record<string, unknown[]> = {};
  for (const key of Object.keys(KEY_SCHEMAS)) out[key] = [];
  return out as unknown as Inputs;
}

/** Validation stops after this many problems: a huge malformed file is refused quickly, in bounded memory. */
export const MAX_REPORTED_ISSUES = 100;

/**
 * Parses a key's value with zod (the fast check failed or has no fast path); a failure names file and JSON path.
 * An array is checked one item at a time and checking stops after MAX_REPORTED_ISSUES problems (zod would collect
 * every problem of every item first); the message gives the first and the count.
 */
function parseSlow(file: RawSnapshotFile, key: KnownKey, value: unknown): unknown {
  const schema = KEY_SCHEMAS[key];
  const element = Array.isArray(value) ? (schema as unknown as { element?: typeof schema }).element : undefined;
  if (!element) {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw invalid(
      file,
      [key, ...(result.error.issues[0]?.path ?? [])],
      result.error.issues[0]?.message,
      1,
      result.error,
    );
  }
  const out: unknown[] = [];
  let first: { path: PropertyKey[]; message: string; error: unknown } | null = null;
  let count = 0;
  for (const [i, item] of (value as unknown[]).entries()) {
    const r = element.safeParse(item);
    if (r.success) {
      out.push(r.data);
      continue;
    }
    first ??= {
      path: [key, i, ...(r.error.issues[0]?.path ?? [])],
      message: r.error.issues[0]?.message ?? '',
      error: r.error,
    };
    count += r.error.issues.length;
    if (count >= MAX_REPORTED_ISSUES) break;
  }
  if (!first) return out;
  throw invalid(file, first.path, first.message, count, first.error);
}

function invalid(file: RawSnapshotFile, at: PropertyKey[], message: string | undefined, count: number, cause: unknown) {
  const path = jsonPath(at);
  const more =
    count >= MAX_REPORTED_ISSUES
      ? ` (${MAX_REPORTED_ISSUES} or more problems in all; checking stopped there)`
      : count > 1
        ? ` (${count} problems in all)`
        : '';
  return new WhypingError(
    'SNAPSHOT_INVALID',
    `${file.path}: ${path}: ${message ?? 'invalid value'}${more}. Fix or remove this value (whyping reads describe-* output as the AWS CLI prints it).`,
    { file: file.path, jsonPath: path },
    { cause },
  );
}

class Builder {
  readonly inputs = emptyInputs();
  readonly presentKeys = new Set<string>();
  readonly warnings: SnapshotWarning[] = [];
  private readonly warned = new Set<string>();

  warn(code: string, message: string, resourceIds: string[]): void {
    const key = `${code}|${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ code, message, resourceIds });
  }

  addFile(file: RawSnapshotFile): void {
    const data = file.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      this.warn('NOT_A_SNAPSHOT_FILE', `${file.path}: not a JSON object of describe-* keys; ignored`, []);
      return;
    }
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (IGNORED_SENSITIVE_KEYS.has(key)) continue;
      if (!Object.hasOwn(KEY_SCHEMAS, key)) continue;
      const k = key as KnownKey;
      const parsed = FAST_CHECKS[k]?.(value) ? value : parseSlow(file, k, value);
      this.presentKeys.add(key);
      if (k === 'PrefixListEntries') this.inputs.PrefixListEntries.push({ value: parsed as never, file });
      else {
        const bucket = this.inputs[k] as Sourced<unknown>[];
        for (const v of parsed as unknown[]) bucket.push({ value: v, file });
      }
    }
  }
}

function sideOf(raw: Item<'VpcPeeringConnections'>['RequesterVpcInfo']): PeeringSide {
  const cidrs: string[] = [];
  for (const c of raw?.CidrBlockSet ?? []) if (c.CidrBlock && !cidrs.includes(c.CidrBlock)) cidrs.push(c.CidrBlock);
  if (raw?.CidrBlock && !cidrs.includes(raw.CidrBlock)) cidrs.unshift(raw.CidrBlock);
  const side: PeeringSide = { vpcId: (raw?.VpcId ?? '') as PeeringSide['vpcId'], cidrs };
  if (raw?.OwnerId) side.ownerId = raw.OwnerId;
  if (raw?.Region) side.region = raw.Region;
  return side;
}

function routeTarget(r: RawRoute): RouteTarget {
  if (r.NatGatewayId) return { kind: 'nat-gateway', id: r.NatGatewayId as `nat-${string}` };
  if (r.VpcPeeringConnectionId) return { kind: 'peering-connection', id: r.VpcPeeringConnectionId as `pcx-${string}` };
  if (r.TransitGatewayId) return { kind: 'transit-gateway', id: r.TransitGatewayId as `tgw-${string}` };
  if (r.EgressOnlyInternetGatewayId)
    return { kind: 'egress-only-internet-gateway', id: r.EgressOnlyInternetGatewayId as `eigw-${string}` };
  // A route to an instance carries the instance's ENI as well; the ENI is where the packet goes.
  if (r.NetworkInterfaceId) return { kind: 'network-interface', id: r.NetworkInterfaceId as `eni-${string}` };
  if (r.InstanceId) return { kind: 'instance', id: r.InstanceId as `i-${string}` };
  const gw = r.GatewayId;
  if (gw) {
    if (gw === 'local') return { kind: 'local' };
    if (gw.startsWith('igw-')) return { kind: 'internet-gateway', id: gw as `igw-${string}` };
    if (gw.startsWith('vgw-')) return { kind: 'virtual-private-gateway', id: gw };
    // Gateway endpoints (S3, DynamoDB) appear as GatewayId vpce-… on prefix-list routes.
    if (gw.startsWith('vpce-')) return { kind: 'vpc-endpoint', id: gw as `vpce-${string}` };
    return { kind: 'other', id: gw, field: 'GatewayId' };
  }
  if (r.CarrierGatewayId) return { kind: 'other', id: r.CarrierGatewayId, field: 'CarrierGatewayId' };
  if (r.LocalGatewayId) return { kind: 'other', id: r.LocalGatewayId, field: 'LocalGatewayId' };
  if (r.CoreNetworkArn) return { kind: 'other', id: r.CoreNetworkArn, field: 'CoreNetworkArn' };
  return { kind: 'other', id: '', field: 'none' };
}

/** The describe-* key that lists each kind of route target. */
const TARGET_KEYS: Partial<Record<RouteTarget['kind'], string>> = {
  'peering-connection': 'VpcPeeringConnections',
  'nat-gateway': 'NatGateways',
  'internet-gateway': 'InternetGateways',
  'egress-only-internet-gateway': 'EgressOnlyInternetGateways',
  'transit-gateway': 'TransitGateways',
  'vpc-endpoint': 'VpcEndpoints',
};

/**
 * Why a TCP/UDP port range is one AWS never stores (it refuses ports outside 0-65535 and a from above the to, e.g.
 * `InvalidPermission.Malformed: TCP/UDP port (70000) out of range`), or null. -1 is read as "no bound", as before.
 */
function badPortRange(
  protocol: string | number,
  from: number | null | undefined,
  to: number | null | undefined,
): string | null {
  if (protocol !== 'tcp' && protocol !== 'udp') return null;
  const f = from === null || from === undefined || from === -1 ? 0 : from;
  const t = to === null || to === undefined || to === -1 ? 65535 : to;
  if (!Number.isInteger(f) || !Number.isInteger(t) || f < 0 || t < 0 || f > 65535 || t > 65535) {
    return `ports ${from ?? ''}-${to ?? ''} outside 0-65535`;
  }
  if (f > t) return `a reversed port range ${from}-${to}`;
  return null;
}

function portOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : v;
}

const cidrPeers = new Map<string, SgPeer>();
/**
 * CIDR peers are shared, frozen objects: a big account repeats a handful of CIDRs (0.0.0.0/0, 10.0.0.0/8) across
 * hundreds of thousands of rules.
 */
function cidrPeer(cidr: string): SgPeer {
  let peer = cidrPeers.get(cidr);
  if (!peer) {
    if (cidrPeers.size >= 100_000) cidrPeers.clear();
    peer = Object.freeze({ kind: 'cidr', cidr }) as SgPeer;
    cidrPeers.set(cidr, peer);
  }
  return peer;
}

function pushRule(
  out: SgRule[],
  base: Pick<SgRule, 'direction' | 'protocol' | 'fromPort' | 'toPort'>,
  peer: SgPeer,
  description: string | null | undefined,
  text: string,
): void {
  const rule: SgRule = {
    direction: base.direction,
    protocol: base.protocol,
    fromPort: base.fromPort,
    toPort: base.toPort,
    peer,
    text,
  };
  if (description) rule.description = description;
  out.push(rule);
}

/** Splits one IpPermission into one rule per peer, as the console lists them (the hot loop of a big account). */
function expandPermission(
  direction: 'ingress' | 'egress',
  perm: RawIpPermission,
  peerText: (peer: SgPeer) => string,
  out: SgRule[],
): void {
  const protocol = normalizeProtocol(perm.IpProtocol);
  let fromPort: number | null = null;
  let toPort: number | null = null;
  if (protocol === 'tcp' || protocol === 'udp') {
    fromPort = portOrNull(perm.FromPort) ?? 0;
    toPort = portOrNull(perm.ToPort) ?? 65535;
    // -1 for a TCP/UDP port means "no bound" (all ports when both are -1).
    if (fromPort < 0) fromPort = 0;
    if (toPort < 0) toPort = 65535;
  } else if (protocol === 'icmp' || protocol === 'icmpv6') {
    fromPort = portOrNull(perm.FromPort) ?? -1;
    toPort = portOrNull(perm.ToPort) ?? -1;
  }
  const prefix = sgRulePrefix(direction, protocol, fromPort, toPort);
  const base = { direction, protocol, fromPort, toPort };
  if (perm.IpRanges)
    for (const r of perm.IpRanges) pushRule(out, base, cidrPeer(r.CidrIp), r.Description, prefix + r.CidrIp);
  if (perm.Ipv6Ranges)
    for (const r of perm.Ipv6Ranges) pushRule(out, base, cidrPeer(r.CidrIpv6), r.Description, prefix + r.CidrIpv6);
  if (perm.PrefixListIds)
    for (const r of perm.PrefixListIds) {
      const peer: SgPeer = { kind: 'prefix-list', id: r.PrefixListId as `pl-${string}` };
      pushRule(out, base, peer, r.Description, prefix + peerText(peer));
    }
  if (perm.UserIdGroupPairs)
    for (const r of perm.UserIdGroupPairs) {
      if (!r.GroupId) continue;
      const peer: SgPeer = { kind: 'security-group', groupId: r.GroupId as `sg-${string}` };
      if (r.UserId) peer.userId = r.UserId;
      if (r.VpcId) peer.vpcId = r.VpcId as `vpc-${string}`;
      if (r.PeeringStatus) peer.peeringStatus = r.PeeringStatus;
      pushRule(out, base, peer, r.Description, prefix + peerText(peer));
    }
}

function eniFromRaw(
  raw: RawNetworkInterface,
  file: RawSnapshotFile,
  fallback: {
    subnetId?: string | null;
    vpcId?: string | null;
    az?: string | null;
    instanceId?: string;
    owner?: string | null;
  },
): NetworkInterface | null {
  const subnetId = raw.SubnetId ?? fallback.subnetId;
  const vpcId = raw.VpcId ?? fallback.vpcId;
  if (!subnetId || !vpcId) return null;
  const privateIps: PrivateIp[] = [];
  for (const p of raw.PrivateIpAddresses ?? []) {
    if (!p.PrivateIpAddress) continue;
    const ip: PrivateIp = { address: p.PrivateIpAddress, primary: !!p.Primary };
    if (p.Association?.PublicIp) ip.publicIp = p.Association.PublicIp;
    if (p.Association?.AllocationId) ip.allocationId = p.Association.AllocationId as `eipalloc-${string}`;
    privateIps.push(ip);
  }
  if (privateIps.length === 0 && raw.PrivateIpAddress) {
    privateIps.push({ address: raw.PrivateIpAddress, primary: true });
  }
  if (privateIps.length > 0 && !privateIps.some((p) => p.primary)) {
    const primary = privateIps.find((p) => p.address === raw.PrivateIpAddress) ?? privateIps[0];
    if (primary) primary.primary = true;
  }
  privateIps.sort((a, b) => Number(b.primary) - Number(a.primary));
  const primary = privateIps[0];
  if (primary && !primary.publicIp && raw.Association?.PublicIp) {
    primary.publicIp = raw.Association.PublicIp;
    if (raw.Association.AllocationId) primary.allocationId = raw.Association.AllocationId as `eipalloc-${string}`;
  }
  const tags = tagsOf(raw.TagSet ?? raw.Tags);
  const az = raw.AvailabilityZone ?? fallback.az;
  const eni: NetworkInterface = {
    id: raw.NetworkInterfaceId as `eni-${string}`,
    subnetId: subnetId as `subnet-${string}`,
    vpcId: vpcId as `vpc-${string}`,
    privateIps,
    ipv6Addresses: (raw.Ipv6Addresses ?? []).map((a) => a.Ipv6Address).filter((a): a is string => !!a),
    groupIds: (raw.Groups ?? []).map((g) => g.GroupId as `sg-${string}`),
    sourceDestCheck: raw.SourceDestCheck ?? true,
    interfaceType: raw.InterfaceType ?? 'interface',
    requesterManaged: raw.RequesterManaged ?? false,
    tags,
  };
  if (az) eni.availabilityZone = az;
  if (raw.Description) eni.description = raw.Description;
  if (raw.Status) eni.status = raw.Status;
  const instanceId = raw.Attachment?.InstanceId ?? fallback.instanceId;
  if (raw.Attachment || instanceId) {
    const att: NonNullable<NetworkInterface['attachment']> = {};
    if (instanceId) att.instanceId = instanceId as `i-${string}`;
    if (raw.Attachment?.DeviceIndex !== null && raw.Attachment?.DeviceIndex !== undefined)
      att.deviceIndex = raw.Attachment.DeviceIndex;
    if (raw.Attachment?.Status) att.status = raw.Attachment.Status;
    eni.attachment = att;
  }
  return origin(eni, raw.OwnerId ?? fallback.owner ?? file.accountId, file.region ?? regionFromAz(az));
}

function platformOf(raw: RawInstance): 'linux' | 'windows' {
  const p = `${raw.Platform ?? ''} ${raw.PlatformDetails ?? ''}`.toLowerCase();
  return p.includes('windows') ? 'windows' : 'linux';
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Builds the normalized, indexed snapshot from raw describe-* documents. Throws SNAPSHOT_INVALID naming file + path. */
export function buildSnapshot(files: RawSnapshotFile[]): Snapshot {
  const b = new Builder();
  for (const f of files) b.addFile(f);
  if (files.length > 0 && b.presentKeys.size === 0) {
    // Files that parse but hold no describe-* output (`{}`, an array, another tool's JSON): say so rather than answer
    // every question with "unknown endpoint".
    const names = files
      .slice(0, 3)
      .map((f) => f.path)
      .join(', ');
    throw new WhypingError(
      'SNAPSHOT_INVALID',
      `${names}${files.length > 3 ? ', …' : ''}: no describe-* output found (no Vpcs, Subnets, Reservations, RouteTables, … key). Pass the JSON that \`aws ec2 describe-*\` prints, or a folder of such files.`,
    );
  }
  const inp = b.inputs;
  const warn = b.warn.bind(b);

  // --- prefix lists (needed for wording of routes and rules)
  const prefixLists = new Map<`pl-${string}`, PrefixList>();
  const plOf = (id: string, file: RawSnapshotFile): PrefixList => {
    let pl = prefixLists.get(id as `pl-${string}`);
    if (!pl) {
      pl = origin({ id: id as `pl-${string}`, cidrs: [] } as PrefixList, file.accountId, file.region);
      prefixLists.set(pl.id, pl);
    }
    return pl;
  };
  const addCidrs = (pl: PrefixList, cidrs: string[]) => {
    for (const c of cidrs) if (!pl.cidrs.includes(c)) pl.cidrs.push(c);
  };
  for (const { value, file } of inp.PrefixLists) {
    const pl = plOf(value.PrefixListId, file);
    if (value.PrefixListName) pl.name = value.PrefixListName;
    addCidrs(pl, value.Cidrs ?? []);
  }
  for (const { value, file } of inp.ManagedPrefixLists) {
    const pl = plOf(value.PrefixListId, file);
    if (value.PrefixListName) pl.name = value.PrefixListName;
    if (value.OwnerId && !pl.accountId) pl.accountId = value.OwnerId;
  }
  for (const { value, file } of inp.PrefixListEntries) {
    for (const [id, entries] of Object.entries(value)) {
      addCidrs(
        plOf(id, file),
        entries.map((e) => e.Cidr),
      );
    }
  }

  // --- VPCs
  const vpcDedup = new Dedup<Item<'Vpcs'>>();
  for (const it of inp.Vpcs) vpcDedup.add(it.value.VpcId, it, it.value.OwnerId);
  const vpcs = new Map<`vpc-${string}`, Vpc>();
  for (const [id, { value: v, file }] of vpcDedup.byId) {
    const associated = (v.CidrBlockAssociationSet ?? [])
      .filter((a) => (a.CidrBlockState?.State ?? 'associated') === 'associated')
      .map((a) => a.CidrBlock);
    let cidrs: string[];
    if (v.CidrBlockAssociationSet && v.CidrBlockAssociationSet.length > 0) {
      cidrs = associated;
      // Primary first: the VPC's CidrBlock, then the secondary blocks in association order.
      if (v.CidrBlock && cidrs.includes(v.CidrBlock)) cidrs = [v.CidrBlock, ...cidrs.filter((c) => c !== v.CidrBlock)];
    } else cidrs = v.CidrBlock ? [v.CidrBlock] : [];
    const ipv6Cidrs = (v.Ipv6CidrBlockAssociationSet ?? [])
      .filter((a) => a.Ipv6CidrBlock && (a.Ipv6CidrBlockState?.State ?? 'associated') === 'associated')
      .map((a) => a.Ipv6CidrBlock as string);
    const tags = tagsOf(v.Tags);
    const vpc: Vpc = { id: id as `vpc-${string}`, cidrs, ipv6Cidrs, isDefault: !!v.IsDefault, tags };
    vpcs.set(vpc.id, origin(withName(vpc, tags), v.OwnerId ?? file.accountId, file.region));
  }

  // --- subnets
  const subnetDedup = new Dedup<Item<'Subnets'>>();
  for (const it of inp.Subnets) subnetDedup.add(it.value.SubnetId, it, it.value.OwnerId);
  const subnets = new Map<`subnet-${string}`, Subnet>();
  for (const [id, { value: s, file }] of subnetDedup.byId) {
    const tags = tagsOf(s.Tags);
    const subnet: Subnet = {
      id: id as `subnet-${string}`,
      vpcId: s.VpcId as `vpc-${string}`,
      cidr: s.CidrBlock ?? '',
      ipv6Cidrs: (s.Ipv6CidrBlockAssociationSet ?? [])
        .filter((a) => a.Ipv6CidrBlock && (a.Ipv6CidrBlockState?.State ?? 'associated') === 'associated')
        .map((a) => a.Ipv6CidrBlock as string),
      mapPublicIpOnLaunch: !!s.MapPublicIpOnLaunch,
      tags,
    };
    if (s.AvailabilityZone) subnet.availabilityZone = s.AvailabilityZone;
    if (s.AvailabilityZoneId) subnet.availabilityZoneId = s.AvailabilityZoneId;
    subnets.set(
      subnet.id,
      origin(withName(subnet, tags), s.OwnerId ?? file.accountId, file.region ?? regionFromAz(s.AvailabilityZone)),
    );
  }
  // A VPC without a region from its file takes its subnets' region.
  for (const subnet of subnets.values()) {
    const vpc = vpcs.get(subnet.vpcId);
    if (vpc && !vpc.region && subnet.region) vpc.region = subnet.region;
  }

  // --- peering connections (the same pcx appears in both accounts' files: keep the requester owner's copy)
  const pcxDedup = new Dedup<Item<'VpcPeeringConnections'>>();
  for (const it of inp.VpcPeeringConnections)
    pcxDedup.add(it.value.VpcPeeringConnectionId, it, it.value.RequesterVpcInfo?.OwnerId);
  const peeringConnections = new Map<`pcx-${string}`, VpcPeeringConnection>();
  for (const [id, { value: p, file }] of pcxDedup.byId) {
    const tags = tagsOf(p.Tags);
    const requester = sideOf(p.RequesterVpcInfo);
    const pcx: VpcPeeringConnection = {
      id: id as `pcx-${string}`,
      status: p.Status?.Code ?? 'unknown',
      requester,
      accepter: sideOf(p.AccepterVpcInfo),
      tags,
    };
    peeringConnections.set(
      pcx.id,
      origin(withName(pcx, tags), requester.ownerId ?? file.accountId, requester.region ?? file.region),
    );
  }

  // --- internet gateways
  const igwDedup = new Dedup<Item<'InternetGateways'>>();
  for (const it of inp.InternetGateways) igwDedup.add(it.value.InternetGatewayId, it, it.value.OwnerId);
  const internetGateways = new Map<`igw-${string}`, InternetGateway>();
  for (const [id, { value: g, file }] of igwDedup.byId) {
    const tags = tagsOf(g.Tags);
    const igw: InternetGateway = {
      id: id as `igw-${string}`,
      attachedVpcIds: (g.Attachments ?? [])
        .filter((a) => a.VpcId && (a.State === 'available' || a.State === 'attached' || !a.State))
        .map((a) => a.VpcId as `vpc-${string}`),
      tags,
    };
    internetGateways.set(igw.id, origin(withName(igw, tags), g.OwnerId ?? file.accountId, file.region));
  }
  const eigwDedup = new Dedup<Item<'EgressOnlyInternetGateways'>>();
  for (const it of inp.EgressOnlyInternetGateways)
    eigwDedup.add(it.value.EgressOnlyInternetGatewayId, it, it.value.OwnerId);
  const egressOnlyInternetGateways = new Map<`eigw-${string}`, EgressOnlyInternetGateway>();
  for (const [id, { value: g, file }] of eigwDedup.byId) {
    const eigw: EgressOnlyInternetGateway = {
      id: id as `eigw-${string}`,
      attachedVpcIds: (g.Attachments ?? [])
        .filter((a) => a.VpcId && (a.State === 'available' || a.State === 'attached' || !a.State))
        .map((a) => a.VpcId as `vpc-${string}`),
      tags: tagsOf(g.Tags),
    };
    egressOnlyInternetGateways.set(eigw.id, origin(eigw, g.OwnerId ?? file.accountId, file.region));
  }

  // --- NAT gateways
  const natDedup = new Dedup<Item<'NatGateways'>>();
  for (const it of inp.NatGateways) natDedup.add(it.value.NatGatewayId, it, undefined); // NAT gateways carry no owner id: the first copy stays
  const natGateways = new Map<`nat-${string}`, NatGateway>();
  for (const [id, { value: n, file }] of natDedup.byId) {
    const tags = tagsOf(n.Tags);
    const nat: NatGateway = {
      id: id as `nat-${string}`,
      vpcId: (n.VpcId ?? '') as `vpc-${string}`,
      subnetId: (n.SubnetId ?? '') as `subnet-${string}`,
      state: n.State ?? 'unknown',
      connectivityType: n.ConnectivityType === 'private' ? 'private' : 'public',
      addresses: (n.NatGatewayAddresses ?? []).map((a) => {
        const addr: NatGateway['addresses'][number] = {};
        if (a.PrivateIp) addr.privateIp = a.PrivateIp;
        if (a.PublicIp) addr.publicIp = a.PublicIp;
        if (a.AllocationId) addr.allocationId = a.AllocationId as `eipalloc-${string}`;
        if (a.NetworkInterfaceId) addr.networkInterfaceId = a.NetworkInterfaceId as `eni-${string}`;
        return addr;
      }),
      tags,
    };
    natGateways.set(
      nat.id,
      origin(withName(nat, tags), file.accountId, file.region ?? subnets.get(nat.subnetId)?.region),
    );
  }

  // --- transit gateways
  const tgwDedup = new Dedup<Item<'TransitGateways'>>();
  for (const it of inp.TransitGateways) tgwDedup.add(it.value.TransitGatewayId, it, it.value.OwnerId);
  const transitGateways = new Map<`tgw-${string}`, TransitGateway>();
  for (const [id, { value: t, file }] of tgwDedup.byId) {
    const tags = tagsOf(t.Tags);
    const tgw: TransitGateway = { id: id as `tgw-${string}`, state: t.State ?? 'unknown', tags };
    if (t.Options?.AssociationDefaultRouteTableId)
      tgw.defaultAssociationRouteTableId = t.Options.AssociationDefaultRouteTableId as `tgw-rtb-${string}`;
    if (t.Options?.PropagationDefaultRouteTableId)
      tgw.defaultPropagationRouteTableId = t.Options.PropagationDefaultRouteTableId as `tgw-rtb-${string}`;
    if (t.Options?.SecurityGroupReferencingSupport)
      tgw.securityGroupReferencingSupport = t.Options.SecurityGroupReferencingSupport;
    transitGateways.set(tgw.id, origin(withName(tgw, tags), t.OwnerId ?? file.accountId, file.region));
  }

  // --- transit gateway attachments. A peering attachment has one id and two sides (one per TGW): the first side
  // seen is the attachment, the other side is kept in peer* fields.
  const transitGatewayAttachments = new Map<`tgw-attach-${string}`, TransitGatewayAttachment>();
  for (const { value: a, file } of inp.TransitGatewayAttachments) {
    const id = a.TransitGatewayAttachmentId as `tgw-attach-${string}`;
    const prev = transitGatewayAttachments.get(id);
    const assoc =
      a.Association?.TransitGatewayRouteTableId && (a.Association.State ?? 'associated') === 'associated'
        ? (a.Association.TransitGatewayRouteTableId as `tgw-rtb-${string}`)
        : undefined;
    if (prev) {
      if (prev.transitGatewayId !== a.TransitGatewayId && prev.resourceType === 'peering') {
        if (assoc) prev.peerAssociatedRouteTableId = assoc;
        if (file.region) prev.peerRegion = file.region;
        if (a.TransitGatewayOwnerId) prev.peerAccountId = a.TransitGatewayOwnerId;
      }
      continue;
    }
    const tags = tagsOf(a.Tags);
    const att: TransitGatewayAttachment = {
      id,
      transitGatewayId: a.TransitGatewayId as `tgw-${string}`,
      resourceType: a.ResourceType ?? 'unknown',
      resourceId: a.ResourceId ?? '',
      state: a.State ?? 'unknown',
      subnetIds: [],
      tags,
    };
    if (assoc) att.associatedRouteTableId = assoc;
    if (att.resourceType === 'peering' && a.ResourceId) att.peerTransitGatewayId = a.ResourceId as `tgw-${string}`;
    transitGatewayAttachments.set(
      id,
      origin(withName(att, tags), a.TransitGatewayOwnerId ?? file.accountId, file.region),
    );
  }
  for (const { value: a, file } of inp.TransitGatewayVpcAttachments) {
    const id = a.TransitGatewayAttachmentId as `tgw-attach-${string}`;
    let att = transitGatewayAttachments.get(id);
    if (!att) {
      const tags = tagsOf(a.Tags);
      att = origin(
        withName(
          {
            id,
            transitGatewayId: a.TransitGatewayId as `tgw-${string}`,
            resourceType: 'vpc',
            resourceId: a.VpcId ?? '',
            state: a.State ?? 'unknown',
            subnetIds: [],
            tags,
          } as TransitGatewayAttachment,
          tags,
        ),
        a.VpcOwnerId ?? file.accountId,
        file.region,
      );
      transitGatewayAttachments.set(id, att);
    }
    for (const s of a.SubnetIds ?? [])
      if (!att.subnetIds.includes(s as `subnet-${string}`)) att.subnetIds.push(s as `subnet-${string}`);
    if (a.Options?.SecurityGroupReferencingSupport)
      att.securityGroupReferencingSupport = a.Options.SecurityGroupReferencingSupport;
  }
  for (const { value: a, file } of inp.TransitGatewayPeeringAttachments) {
    const id = a.TransitGatewayAttachmentId as `tgw-attach-${string}`;
    const req = a.RequesterTgwInfo;
    const acc = a.AccepterTgwInfo;
    let att = transitGatewayAttachments.get(id);
    if (!att) {
      if (!req?.TransitGatewayId) continue;
      const tags = tagsOf(a.Tags);
      att = origin(
        withName(
          {
            id,
            transitGatewayId: req.TransitGatewayId as `tgw-${string}`,
            resourceType: 'peering',
            resourceId: acc?.TransitGatewayId ?? '',
            state: a.State ?? 'unknown',
            subnetIds: [],
            tags,
          } as TransitGatewayAttachment,
          tags,
        ),
        req.OwnerId ?? file.accountId,
        req.Region ?? file.region,
      );
      transitGatewayAttachments.set(id, att);
    }
    const peer = att.transitGatewayId === req?.TransitGatewayId ? acc : req;
    if (peer?.TransitGatewayId) att.peerTransitGatewayId = peer.TransitGatewayId as `tgw-${string}`;
    if (peer?.Region && !att.peerRegion) att.peerRegion = peer.Region;
    if (peer?.OwnerId && !att.peerAccountId) att.peerAccountId = peer.OwnerId;
  }

  // --- TGW route tables, static and propagated routes
  const transitGatewayRouteTables = new Map<`tgw-rtb-${string}`, TransitGatewayRouteTable>();
  for (const { value: t, file } of inp.TransitGatewayRouteTables) {
    const id = t.TransitGatewayRouteTableId as `tgw-rtb-${string}`;
    if (transitGatewayRouteTables.has(id)) continue;
    const tags = tagsOf(t.Tags);
    const rt: TransitGatewayRouteTable = {
      id,
      transitGatewayId: t.TransitGatewayId as `tgw-${string}`,
      routes: [],
      tags,
    };
    transitGatewayRouteTables.set(id, origin(withName(rt, tags), file.accountId, file.region));
  }
  const tgwRoutesSeen = new Set<string>();
  const addTgwRoute = (rtbId: string, r: Omit<TransitGatewayRoute, 'text'>) => {
    const rt = transitGatewayRouteTables.get(rtbId as `tgw-rtb-${string}`);
    if (!rt) {
      warn('DANGLING_REFERENCE', `TGW routes name route table ${rtbId}, which is not in TransitGatewayRouteTables`, [
        rtbId,
      ]);
      return;
    }
    const key = `${rtbId}|${r.cidr}|${r.type}|${r.attachmentIds.join(',')}`;
    if (tgwRoutesSeen.has(key)) return;
    tgwRoutesSeen.add(key);
    const text = tgwRouteText(r, (attId) => transitGatewayAttachments.get(attId as `tgw-attach-${string}`)?.resourceId);
    rt.routes.push({ ...r, text });
  };
  for (const { value: s } of inp.TransitGatewayStaticRoutes) {
    for (const r of s.Routes ?? []) {
      const attachmentIds = (r.TransitGatewayAttachments ?? [])
        .map((a) => a.TransitGatewayAttachmentId)
        .filter((a): a is string => !!a) as `tgw-attach-${string}`[];
      const cidrs = r.DestinationCidrBlock
        ? [r.DestinationCidrBlock]
        : r.PrefixListId
          ? (prefixLists.get(r.PrefixListId as `pl-${string}`)?.cidrs ?? [])
          : [];
      for (const cidr of cidrs) {
        addTgwRoute(s.TransitGatewayRouteTableId, {
          cidr,
          attachmentIds,
          state: r.State ?? (attachmentIds.length ? 'active' : 'blackhole'),
          type: r.Type === 'propagated' ? 'propagated' : 'static',
        });
      }
    }
  }
  for (const { value: p } of inp.TransitGatewayPropagations) {
    for (const prop of p.TransitGatewayRouteTablePropagations ?? []) {
      if ((prop.State ?? 'enabled') !== 'enabled' || !prop.TransitGatewayAttachmentId) continue;
      const att = transitGatewayAttachments.get(prop.TransitGatewayAttachmentId as `tgw-attach-${string}`);
      const resourceType = prop.ResourceType ?? att?.resourceType;
      if (resourceType !== 'vpc') continue; // VPN/DX propagate BGP routes we cannot see
      const vpcId = (prop.ResourceId ?? att?.resourceId ?? '') as `vpc-${string}`;
      const vpc = vpcs.get(vpcId);
      if (!vpc) {
        warn(
          'DANGLING_REFERENCE',
          `TGW route table ${p.TransitGatewayRouteTableId} propagates ${prop.TransitGatewayAttachmentId} from ${vpcId}, which is not in the snapshot: its routes are unknown`,
          [p.TransitGatewayRouteTableId, prop.TransitGatewayAttachmentId, vpcId],
        );
        continue;
      }
      for (const cidr of vpc.cidrs) {
        addTgwRoute(p.TransitGatewayRouteTableId, {
          cidr,
          attachmentIds: [prop.TransitGatewayAttachmentId as `tgw-attach-${string}`],
          state: 'active',
          type: 'propagated',
        });
      }
    }
  }

  // A static route wins over a propagated route to the same CIDR (even a static blackhole), so the propagated one is
  // never used: leave it out rather than make every reader apply the rule.
  for (const rt of transitGatewayRouteTables.values()) {
    const staticCidrs = new Set(rt.routes.filter((r) => r.type === 'static').map((r) => r.cidr));
    if (staticCidrs.size) rt.routes = rt.routes.filter((r) => r.type === 'static' || !staticCidrs.has(r.cidr));
  }

  // --- VPC endpoints
  const vpcEndpoints = new Map<`vpce-${string}`, VpcEndpoint>();
  for (const { value: e, file } of inp.VpcEndpoints) {
    const id = e.VpcEndpointId as `vpce-${string}`;
    if (vpcEndpoints.has(id)) continue;
    const ep: VpcEndpoint = {
      id,
      type: e.VpcEndpointType ?? 'Interface',
      vpcId: (e.VpcId ?? '') as `vpc-${string}`,
      serviceName: e.ServiceName ?? '',
      state: e.State ?? 'unknown',
      routeTableIds: (e.RouteTableIds ?? []) as `rtb-${string}`[],
      subnetIds: (e.SubnetIds ?? []) as `subnet-${string}`[],
      networkInterfaceIds: (e.NetworkInterfaceIds ?? []) as `eni-${string}`[],
      groupIds: (e.Groups ?? []).map((g) => g.GroupId as `sg-${string}`),
      tags: tagsOf(e.Tags),
    };
    const dns = (e.DnsEntries ?? []).flatMap((d) => (d.DnsName ? [d.DnsName] : []));
    if (dns.length) ep.dnsNames = dns;
    vpcEndpoints.set(id, origin(ep, e.OwnerId ?? file.accountId, file.region));
  }

  // --- route tables
  const rtbDedup = new Dedup<Item<'RouteTables'>>();
  for (const it of inp.RouteTables) rtbDedup.add(it.value.RouteTableId, it, it.value.OwnerId);
  const routeTables = new Map<`rtb-${string}`, RouteTable>();
  const knownTarget = (t: RouteTarget): boolean => {
    switch (t.kind) {
      case 'peering-connection':
        return peeringConnections.has(t.id);
      case 'nat-gateway':
        return natGateways.has(t.id);
      case 'internet-gateway':
        return internetGateways.has(t.id);
      case 'egress-only-internet-gateway':
        return egressOnlyInternetGateways.has(t.id);
      case 'transit-gateway':
        return transitGateways.has(t.id);
      case 'vpc-endpoint':
        return vpcEndpoints.has(t.id);
      default:
        return true; // ENIs/instances are checked after they are built; local, VGW and others are not modelled
    }
  };
  const routesToCheckLater: { rtb: string; t: { kind: 'network-interface' | 'instance'; id: string } }[] = [];
  for (const [id, { value: t, file }] of rtbDedup.byId) {
    const tags = tagsOf(t.Tags);
    const routes: Route[] = [];
    for (const r of t.Routes ?? []) {
      let destination: RouteDestination;
      if (r.DestinationCidrBlock) destination = { kind: 'cidr', cidr: r.DestinationCidrBlock };
      else if (r.DestinationIpv6CidrBlock) destination = { kind: 'cidr', cidr: r.DestinationIpv6CidrBlock };
      else if (r.DestinationPrefixListId)
        destination = { kind: 'prefix-list', id: r.DestinationPrefixListId as `pl-${string}` };
      else {
        warn('BAD_ROUTE', `route table ${id} has a route without a destination; ignored`, [id]);
        continue;
      }
      const target = routeTarget(r);
      const state: Route['state'] = r.State === 'blackhole' ? 'blackhole' : 'active';
      const route: Route = {
        destination,
        target,
        state,
        text: routeText(
          destination,
          target,
          state,
          destination.kind === 'prefix-list' ? prefixLists.get(destination.id)?.name : undefined,
        ),
      };
      if (r.Origin) route.origin = r.Origin;
      routes.push(route);
      if (!knownTarget(target) && 'id' in target) {
        const key = TARGET_KEYS[target.kind];
        const why = key && !b.presentKeys.has(key) ? ` (the snapshot has no ${key})` : '';
        warn(
          'DANGLING_REFERENCE',
          `route table ${id}: route ${route.text} targets ${target.id}, which is not in the snapshot${why}`,
          [id, target.id],
        );
      } else if (target.kind === 'network-interface' || target.kind === 'instance')
        routesToCheckLater.push({ rtb: id, t: target });
      if (destination.kind === 'prefix-list' && !prefixLists.get(destination.id)?.cidrs.length) {
        warn(
          'DANGLING_REFERENCE',
          `route table ${id}: route ${route.text} uses prefix list ${destination.id}, whose CIDRs are not in the snapshot`,
          [id, destination.id],
        );
      }
    }
    const subnetIds: `subnet-${string}`[] = [];
    const gatewayIds: string[] = [];
    let isMain = false;
    for (const a of t.Associations ?? []) {
      const st = a.AssociationState?.State ?? 'associated';
      if (st !== 'associated' && st !== 'associating') continue;
      if (a.Main) isMain = true;
      if (a.SubnetId) subnetIds.push(a.SubnetId as `subnet-${string}`);
      if (a.GatewayId) gatewayIds.push(a.GatewayId);
    }
    const rt: RouteTable = {
      id: id as `rtb-${string}`,
      vpcId: t.VpcId as `vpc-${string}`,
      routes,
      subnetIds,
      isMain,
      gatewayIds,
      tags,
    };
    routeTables.set(
      rt.id,
      origin(withName(rt, tags), t.OwnerId ?? file.accountId, file.region ?? vpcs.get(rt.vpcId)?.region),
    );
  }

  // --- network ACLs
  const aclDedup = new Dedup<Item<'NetworkAcls'>>();
  for (const it of inp.NetworkAcls) aclDedup.add(it.value.NetworkAclId, it, it.value.OwnerId);
  const networkAcls = new Map<`acl-${string}`, NetworkAcl>();
  for (const [id, { value: a, file }] of aclDedup.byId) {
    const entries: NaclEntry[] = [];
    for (const e of a.Entries ?? []) {
      const cidr = e.CidrBlock ?? e.Ipv6CidrBlock;
      if (!cidr) {
        warn('BAD_NACL_ENTRY', `network ACL ${id}: entry ${e.RuleNumber} has no CIDR block; ignored`, [id]);
        continue;
      }
      const entry: Omit<NaclEntry, 'text'> = {
        ruleNumber: e.RuleNumber,
        egress: e.Egress,
        protocol: normalizeProtocol(e.Protocol),
        action: e.RuleAction.toLowerCase() === 'deny' ? 'deny' : 'allow',
        cidr,
      };
      const bad = e.PortRange ? badPortRange(entry.protocol, e.PortRange.From, e.PortRange.To) : null;
      if (bad) {
        warn(
          'BAD_PORT_RANGE',
          `network ACL ${id}: entry ${e.RuleNumber} has ${bad}, which AWS refuses (ports 0-65535, from ≤ to): the entry is ignored, as it does not exist in AWS`,
          [id],
        );
        continue;
      }
      if (e.PortRange && (entry.protocol === 'tcp' || entry.protocol === 'udp'))
        entry.portRange = {
          from: Math.max(0, e.PortRange.From ?? 0),
          to: (e.PortRange.To ?? -1) < 0 ? 65535 : (e.PortRange.To as number),
        };
      if (e.IcmpTypeCode && (entry.protocol === 'icmp' || entry.protocol === 'icmpv6'))
        entry.icmp = { type: e.IcmpTypeCode.Type ?? -1, code: e.IcmpTypeCode.Code ?? -1 };
      entries.push({ ...entry, text: naclEntryText(entry) });
    }
    entries.sort((x, y) => x.ruleNumber - y.ruleNumber || Number(x.egress) - Number(y.egress));
    const tags = tagsOf(a.Tags);
    const acl: NetworkAcl = {
      id: id as `acl-${string}`,
      vpcId: a.VpcId as `vpc-${string}`,
      isDefault: !!a.IsDefault,
      subnetIds: (a.Associations ?? []).map((x) => x.SubnetId).filter((s): s is string => !!s) as `subnet-${string}`[],
      entries,
      tags,
    };
    networkAcls.set(
      acl.id,
      origin(withName(acl, tags), a.OwnerId ?? file.accountId, file.region ?? vpcs.get(acl.vpcId)?.region),
    );
  }

  // --- security groups (rule wording needs every group's name, so groups are collected first)
  const sgDedup = new Dedup<Item<'SecurityGroups'>>();
  for (const it of inp.SecurityGroups) sgDedup.add(it.value.GroupId, it, it.value.OwnerId);
  const sgNames = new Map<string, string>();
  for (const [id, { value }] of sgDedup.byId) if (value.GroupName) sgNames.set(id, value.GroupName);
  const securityGroups = new Map<`sg-${string}`, SecurityGroup>();
  let currentSg = '';
  let currentOwner: string | undefined;
  const peerText = (peer: SgPeer): string => {
    if (peer.kind === 'prefix-list') {
      const pl = prefixLists.get(peer.id);
      if (!pl?.cidrs.length)
        warn(
          'DANGLING_REFERENCE',
          `security group ${currentSg}: a rule references prefix list ${peer.id}, whose CIDRs are not in the snapshot`,
          [currentSg, peer.id],
        );
      const name = pl?.name;
      return name ? `${peer.id} (${name})` : peer.id;
    }
    if (peer.kind === 'security-group') {
      const name = sgNames.get(peer.groupId);
      if (!name)
        warn(
          'DANGLING_REFERENCE',
          `security group ${currentSg}: a rule references ${peer.userId ? `${peer.userId}/` : ''}${peer.groupId}, which is not in the snapshot (its members are unknown)`,
          [currentSg, peer.groupId],
        );
      // The console shows the account only for a group of another account.
      const id = peer.userId && peer.userId !== currentOwner ? `${peer.userId}/${peer.groupId}` : peer.groupId;
      return name ? `${id} (${name})` : id;
    }
    return peer.cidr;
  };
  const toRules = (direction: 'ingress' | 'egress', perms: RawIpPermission[] | null | undefined) => {
    const rules: SgRule[] = [];
    if (perms)
      for (const p of perms) {
        const bad = badPortRange(normalizeProtocol(p.IpProtocol), p.FromPort, p.ToPort);
        if (bad) {
          warn(
            'BAD_PORT_RANGE',
            `security group ${currentSg}: an ${direction === 'ingress' ? 'inbound' : 'outbound'} ${p.IpProtocol} rule has ${bad}, which AWS refuses (ports 0-65535, from ≤ to): the rule is ignored, as it allows nothing in AWS`,
            [currentSg],
          );
          continue;
        }
        expandPermission(direction, p, peerText, rules);
      }
    return rules;
  };
  for (const [id, { value: g, file }] of sgDedup.byId) {
    currentSg = id;
    currentOwner = g.OwnerId ?? file.accountId;
    const sg: SecurityGroup = {
      id: id as `sg-${string}`,
      groupName: g.GroupName ?? '',
      ingress: toRules('ingress', g.IpPermissions),
      egress: toRules('egress', g.IpPermissionsEgress),
      tags: tagsOf(g.Tags),
    };
    if (g.VpcId) sg.vpcId = g.VpcId as `vpc-${string}`;
    if (g.Description) sg.description = g.Description;
    securityGroups.set(
      sg.id,
      origin(
        sg,
        g.OwnerId ?? file.accountId,
        file.region ?? (g.VpcId ? vpcs.get(g.VpcId as `vpc-${string}`)?.region : undefined),
      ),
    );
  }

  // --- network interfaces (from NetworkInterfaces; ENIs only listed under an instance are added from Reservations)
  const eniDedup = new Dedup<Item<'NetworkInterfaces'>>();
  for (const it of inp.NetworkInterfaces) eniDedup.add(it.value.NetworkInterfaceId, it, it.value.OwnerId);
  const networkInterfaces = new Map<`eni-${string}`, NetworkInterface>();
  for (const [id, { value, file }] of eniDedup.byId) {
    const eni = eniFromRaw(value, file, {});
    if (eni) networkInterfaces.set(eni.id, eni);
    else warn('BAD_NETWORK_INTERFACE', `network interface ${id} has no subnet or VPC; ignored`, [id]);
  }

  // --- instances
  const instDedup = new Dedup<{ raw: RawInstance; owner: string | null | undefined }>();
  for (const { value: r, file } of inp.Reservations)
    for (const i of r.Instances ?? [])
      instDedup.add(i.InstanceId, { value: { raw: i, owner: r.OwnerId }, file }, r.OwnerId);
  const instances = new Map<`i-${string}`, Instance>();
  for (const [id, { value, file }] of instDedup.byId) {
    const { raw: i, owner } = value;
    const tags = tagsOf(i.Tags);
    const az = i.Placement?.AvailabilityZone;
    const attached: { id: `eni-${string}`; device: number }[] = [];
    for (const n of i.NetworkInterfaces ?? []) {
      const eniId = n.NetworkInterfaceId as `eni-${string}`;
      if (!networkInterfaces.has(eniId)) {
        const eni = eniFromRaw(n, file, { subnetId: i.SubnetId, vpcId: i.VpcId, az, instanceId: id, owner });
        if (eni) {
          if (!eni.availabilityZone && az) eni.availabilityZone = az;
          networkInterfaces.set(eni.id, eni);
        }
      }
      const device = (n.Attachment?.NetworkCardIndex ?? 0) * 1000 + (n.Attachment?.DeviceIndex ?? 0);
      attached.push({ id: eniId, device });
    }
    const inst: Instance = {
      id: id as `i-${string}`,
      state: i.State?.Name ?? 'unknown',
      networkInterfaceIds: [],
      platform: platformOf(i),
      tags,
    };
    if (i.VpcId) inst.vpcId = i.VpcId as `vpc-${string}`;
    if (i.SubnetId) inst.subnetId = i.SubnetId as `subnet-${string}`;
    if (i.PrivateIpAddress) inst.privateIp = i.PrivateIpAddress;
    if (i.PublicIpAddress) inst.publicIp = i.PublicIpAddress;
    if (az) inst.availabilityZone = az;
    attached.sort((x, y) => x.device - y.device);
    inst.networkInterfaceIds = attached.map((a) => a.id);
    instances.set(inst.id, origin(withName(inst, tags), owner ?? file.accountId, file.region ?? regionFromAz(az)));
  }
  // ENIs that name an instance the instance did not list (e.g. Reservations trimmed): attach them by device index.
  const extra = new Map<string, { id: `eni-${string}`; device: number }[]>();
  for (const eni of networkInterfaces.values()) {
    const instId = eni.attachment?.instanceId;
    if (!instId) continue;
    const inst = instances.get(instId);
    if (inst && !inst.networkInterfaceIds.includes(eni.id))
      pushTo(extra, instId, { id: eni.id, device: eni.attachment?.deviceIndex ?? 99 });
  }
  for (const [instId, list] of extra) {
    const inst = instances.get(instId as `i-${string}`);
    if (!inst) continue;
    const all = [
      ...inst.networkInterfaceIds.map((id) => ({
        id,
        device: networkInterfaces.get(id)?.attachment?.deviceIndex ?? 99,
      })),
      ...list,
    ];
    all.sort((x, y) => x.device - y.device);
    inst.networkInterfaceIds = all.map((a) => a.id);
  }

  // --- Elastic IPs (also recorded on the ENI's private IP they map to)
  const addresses = new Map<string, ElasticAddress>();
  for (const { value: a, file } of inp.Addresses) {
    if (addresses.has(a.PublicIp)) {
      if (!(a.NetworkInterfaceOwnerId && a.NetworkInterfaceOwnerId === file.accountId)) continue;
    }
    const addr: ElasticAddress = { publicIp: a.PublicIp, tags: tagsOf(a.Tags) };
    if (a.AllocationId) addr.allocationId = a.AllocationId as `eipalloc-${string}`;
    if (a.AssociationId) addr.associationId = a.AssociationId;
    if (a.NetworkInterfaceId) addr.networkInterfaceId = a.NetworkInterfaceId as `eni-${string}`;
    if (a.InstanceId) addr.instanceId = a.InstanceId as `i-${string}`;
    if (a.PrivateIpAddress) addr.privateIp = a.PrivateIpAddress;
    addresses.set(addr.publicIp, origin(addr, file.accountId, file.region));
  }
  for (const addr of addresses.values()) {
    let eniId = addr.networkInterfaceId;
    if (!eniId && addr.instanceId) eniId = instances.get(addr.instanceId)?.networkInterfaceIds[0];
    if (!eniId) continue;
    const eni = networkInterfaces.get(eniId);
    if (!eni) {
      warn(
        'DANGLING_REFERENCE',
        `Elastic IP ${addr.publicIp} is associated with ${eniId}, which is not in the snapshot`,
        [addr.publicIp, eniId],
      );
      continue;
    }
    const pip =
      (addr.privateIp ? eni.privateIps.find((p) => p.address === addr.privateIp) : undefined) ?? eni.privateIps[0];
    if (!pip) continue;
    if (!pip.publicIp || pip.publicIp === addr.publicIp) {
      pip.publicIp = addr.publicIp;
      if (addr.allocationId) pip.allocationId = addr.allocationId;
    }
  }

  // --- dangling references now that everything exists
  for (const { rtb, t } of routesToCheckLater) {
    const ok =
      t.kind === 'network-interface'
        ? networkInterfaces.has(t.id as `eni-${string}`)
        : instances.has(t.id as `i-${string}`);
    if (!ok && 'id' in t)
      warn('DANGLING_REFERENCE', `route table ${rtb}: a route targets ${t.id}, which is not in the snapshot`, [
        rtb,
        t.id,
      ]);
  }

  const index = buildIndex(
    {
      vpcs,
      subnets,
      routeTables,
      networkAcls,
      networkInterfaces,
      instances,
      internetGateways,
      egressOnlyInternetGateways,
      transitGatewayAttachments,
      prefixLists,
      securityGroups,
      natGateways,
      peeringConnections,
      addresses,
    },
    b.presentKeys,
    warn,
  );

  const loadBalancing = buildLoadBalancing(
    inp,
    { networkInterfaces, subnets, vpcEndpoints, presentKeys: b.presentKeys },
    warn,
  );

  const warningsByResource = new Map<string, SnapshotWarning[]>();
  for (const w of b.warnings) for (const id of new Set(w.resourceIds)) pushTo(warningsByResource, id, w);
  index.warningsByResource = warningsByResource;

  return {
    vpcs,
    subnets,
    routeTables,
    securityGroups,
    networkAcls,
    networkInterfaces,
    instances,
    internetGateways,
    egressOnlyInternetGateways,
    natGateways,
    peeringConnections,
    addresses,
    transitGateways,
    transitGatewayAttachments,
    transitGatewayRouteTables,
    vpcEndpoints,
    prefixLists,
    ...(loadBalancing ? { loadBalancing } : {}),
    presentKeys: b.presentKeys,
    warnings: b.warnings,
    index,
  };
}

/** Transit gateway attachment states that carry traffic (`modifying` keeps carrying while it changes). */
const LIVE_ATTACHMENT = new Set(['available', 'modifying']);
/** Attachment states that will never carry traffic again. */
const DEAD_ATTACHMENT = new Set(['deleted', 'deleting', 'failed', 'failing', 'rejected', 'rejecting']);

type IndexInput = Pick<
  Snapshot,
  | 'vpcs'
  | 'subnets'
  | 'routeTables'
  | 'networkAcls'
  | 'networkInterfaces'
  | 'instances'
  | 'internetGateways'
  | 'egressOnlyInternetGateways'
  | 'transitGatewayAttachments'
  | 'prefixLists'
  | 'securityGroups'
  | 'natGateways'
  | 'peeringConnections'
  | 'addresses'
>;

function buildIndex(
  s: IndexInput,
  presentKeys: Set<string>,
  warn: (code: string, message: string, ids: string[]) => void,
): SnapshotIndex {
  const index: SnapshotIndex = {
    subnetRouteTable: new Map(),
    subnetUsesMainRouteTable: new Set(),
    vpcMainRouteTable: new Map(),
    subnetNetworkAcl: new Map(),
    securityGroupMembers: new Map(),
    privateIpToEni: new Map(),
    publicIpToEni: new Map(),
    instancesByName: new Map(),
    vpcInternetGateways: new Map(),
    vpcEgressOnlyInternetGateways: new Map(),
    vpcSubnets: new Map(),
    subnetNetworkInterfaces: new Map(),
    vpcTransitGatewayAttachments: new Map(),
    prefixListCidrs: new Map(),
    peeringsByVpc: new Map(),
    gatewayRouteTables: new Map(),
    natByEni: new Map(),
    natByIp: new Map(),
    unheldAddresses: new Map(),
  };
  const vpcIds = [...s.vpcs.keys()];

  for (const subnet of s.subnets.values()) {
    pushTo(index.vpcSubnets, subnet.vpcId, subnet.id);
    if (!s.vpcs.has(subnet.vpcId) && presentKeys.has('Vpcs'))
      warn('DANGLING_REFERENCE', `subnet ${subnet.id} is in ${subnet.vpcId}, which is not in the snapshot`, [
        subnet.id,
        subnet.vpcId,
      ]);
  }

  // Route tables: DescribeRouteTables returns the main table's association with Main=true and no SubnetId; subnets
  // without an explicit association use it implicitly, and no association lists them.
  for (const rt of s.routeTables.values()) {
    if (rt.isMain && !index.vpcMainRouteTable.has(rt.vpcId)) index.vpcMainRouteTable.set(rt.vpcId, rt.id);
    for (const subnetId of rt.subnetIds) {
      const prev = index.subnetRouteTable.get(subnetId);
      if (prev && prev !== rt.id)
        warn('CONFLICT', `subnet ${subnetId} is associated with both ${prev} and ${rt.id}; using ${prev}`, [
          subnetId,
          prev,
          rt.id,
        ]);
      else index.subnetRouteTable.set(subnetId, rt.id);
    }
  }
  if (presentKeys.has('RouteTables')) {
    for (const subnet of s.subnets.values()) {
      if (index.subnetRouteTable.has(subnet.id)) continue;
      const main = index.vpcMainRouteTable.get(subnet.vpcId);
      if (main) {
        index.subnetRouteTable.set(subnet.id, main);
        index.subnetUsesMainRouteTable.add(subnet.id);
      } else
        warn(
          'NO_ROUTE_TABLE',
          `subnet ${subnet.id} has no explicit route table and ${subnet.vpcId} has no main route table in the snapshot: its routes are unknown`,
          [subnet.id, subnet.vpcId],
        );
    }
  } else if (s.subnets.size > 0) {
    warn('MISSING_FILE', 'no RouteTables in the snapshot: routes cannot be evaluated', vpcIds);
  }

  // Network ACLs: a subnet without an association uses its VPC's default ACL.
  const defaultAcl = new Map<string, `acl-${string}`>();
  for (const acl of s.networkAcls.values()) {
    if (acl.isDefault && !defaultAcl.has(acl.vpcId)) defaultAcl.set(acl.vpcId, acl.id);
    for (const subnetId of acl.subnetIds)
      if (!index.subnetNetworkAcl.has(subnetId)) index.subnetNetworkAcl.set(subnetId, acl.id);
  }
  if (presentKeys.has('NetworkAcls')) {
    for (const subnet of s.subnets.values()) {
      if (index.subnetNetworkAcl.has(subnet.id)) continue;
      const def = defaultAcl.get(subnet.vpcId);
      if (def) index.subnetNetworkAcl.set(subnet.id, def);
      else
        warn(
          'ASSUMED_DEFAULT',
          `subnet ${subnet.id} has no network ACL in the snapshot: assuming ${subnet.vpcId}'s default network ACL, which allows all traffic`,
          [subnet.id, subnet.vpcId],
        );
    }
  } else if (s.subnets.size > 0 || s.vpcs.size > 0) {
    warn(
      'ASSUMED_DEFAULT',
      "no NetworkAcls in the snapshot: assuming every subnet uses its VPC's default network ACL, which allows all traffic",
      vpcIds,
    );
  }
  if (!presentKeys.has('SecurityGroups') && s.networkInterfaces.size > 0)
    warn('MISSING_FILE', 'no SecurityGroups in the snapshot: security group rules cannot be evaluated', vpcIds);

  // Dead interfaces (being deleted, or a deleted NAT gateway's) hold no address: a live one always decides.
  const deadNatEnis = new Set<string>();
  for (const n of s.natGateways.values())
    if (n.state === 'deleted' || n.state === 'failed')
      for (const a of n.addresses) if (a.networkInterfaceId) deadNatEnis.add(a.networkInterfaceId);
  for (const eni of s.networkInterfaces.values()) {
    pushTo(index.subnetNetworkInterfaces, eni.subnetId, eni.id);
    if (presentKeys.has('Subnets') && !s.subnets.has(eni.subnetId))
      warn('DANGLING_REFERENCE', `network interface ${eni.id} is in ${eni.subnetId}, which is not in the snapshot`, [
        eni.id,
        eni.subnetId,
      ]);
    for (const g of eni.groupIds) {
      pushTo(index.securityGroupMembers, g, eni.id);
      if (presentKeys.has('SecurityGroups') && !s.securityGroups.has(g))
        warn('DANGLING_REFERENCE', `network interface ${eni.id} uses ${g}, which is not in the snapshot`, [eni.id, g]);
    }
    if (eni.status === 'deleting' || deadNatEnis.has(eni.id)) continue;
    for (const p of eni.privateIps) {
      pushTo(index.privateIpToEni, p.address, eni.id);
      if (p.publicIp && !index.publicIpToEni.has(p.publicIp)) index.publicIpToEni.set(p.publicIp, eni.id);
    }
    // IPv6 keys in canonical form (lower case, zeros compressed), as the resolver parses what the user typed.
    for (const a of eni.ipv6Addresses) pushTo(index.privateIpToEni, parseIp(a)?.text ?? a, eni.id);
  }

  for (const inst of s.instances.values()) {
    const name = inst.name?.toLowerCase();
    if (name) pushTo(index.instancesByName, name, inst.id);
  }
  for (const igw of s.internetGateways.values())
    for (const v of igw.attachedVpcIds) pushTo(index.vpcInternetGateways, v, igw.id);
  for (const g of s.egressOnlyInternetGateways.values())
    for (const v of g.attachedVpcIds) pushTo(index.vpcEgressOnlyInternetGateways, v, g.id);
  // A VPC keeps its deleted attachments in the data for a while: they carry nothing, and a live one comes first.
  const attachments = [...s.transitGatewayAttachments.values()].filter((a) => !DEAD_ATTACHMENT.has(a.state));
  attachments.sort((a, b) => Number(!LIVE_ATTACHMENT.has(a.state)) - Number(!LIVE_ATTACHMENT.has(b.state)));
  for (const att of attachments)
    if (att.resourceType === 'vpc' && att.resourceId)
      pushTo(index.vpcTransitGatewayAttachments, att.resourceId as `vpc-${string}`, att.id);
  for (const pl of s.prefixLists.values()) index.prefixListCidrs.set(pl.id, pl.cidrs);
  for (const p of s.peeringConnections.values())
    for (const v of [p.requester.vpcId, p.accepter.vpcId]) pushTo(index.peeringsByVpc, v, p);
  for (const rt of s.routeTables.values()) for (const g of rt.gatewayIds) index.gatewayRouteTables.set(g, rt);
  for (const n of s.natGateways.values()) {
    // A deleted or failed NAT gateway holds no address any more.
    if (n.state === 'deleted' || n.state === 'failed') continue;
    for (const a of n.addresses) {
      if (a.networkInterfaceId) index.natByEni.set(a.networkInterfaceId, n);
      if (a.privateIp) index.natByIp.set(a.privateIp, n);
      if (a.publicIp) index.natByIp.set(a.publicIp, n);
    }
  }
  const held = (ip: string) => index.publicIpToEni.has(ip) || index.natByIp.has(ip) || index.privateIpToEni.has(ip);
  for (const n of s.natGateways.values()) {
    if (n.state !== 'deleted' && n.state !== 'failed') continue;
    for (const a of n.addresses)
      if (a.publicIp && !held(a.publicIp))
        index.unheldAddresses.set(a.publicIp, { id: n.id, why: `NAT gateway ${n.id}, which held it, is ${n.state}` });
  }
  for (const e of s.addresses.values())
    if (!e.networkInterfaceId && !e.instanceId && !held(e.publicIp))
      index.unheldAddresses.set(e.publicIp, {
        id: e.allocationId ?? e.publicIp,
        why: `Elastic IP ${e.allocationId ?? e.publicIp} is allocated but associated with nothing`,
      });
  return index;
}
