/**
 * The sandbox account's state: the raw describe-* documents (PascalCase, as the SDK returns them), mutable.
 * Security group rules are kept one per rule with an `sgr-` id (as DescribeSecurityGroupRules shows them);
 * DescribeSecurityGroups folds them back into IpPermissions.
 */

import type {
  Address,
  InternetGateway,
  IpPermission,
  ManagedPrefixList,
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  PrefixListEntry,
  Reservation,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  TransitGateway,
  TransitGatewayAttachment,
  TransitGatewayPeeringAttachment,
  TransitGatewayPropagation,
  TransitGatewayRoute,
  TransitGatewayRouteTable,
  TransitGatewayVpcAttachment,
  Vpc,
  VpcEndpoint,
  VpcPeeringConnection,
} from '@aws-sdk/client-ec2';
import type { RawSnapshotFile } from '../model/index.js';
import type { SeedEvent, TrailEntry } from './cloudtrail.js';
import { type ElbDocuments, emptyElbDocuments, loadElbDocuments } from './elbv2.js';
import { IdGenerator } from './ids.js';

/** A security group without its rules (the rules live in `SandboxState.securityGroupRules`). */
export type SecurityGroupShell = Omit<SecurityGroup, 'IpPermissions' | 'IpPermissionsEgress'>;

/** `search-transit-gateway-routes` per table (Batfish's `TransitGatewayStaticRoutes` convention, DESIGN §2). */
export interface TgwStaticRoutes {
  TransitGatewayRouteTableId: string;
  Routes: TransitGatewayRoute[];
}

/** `get-transit-gateway-route-table-propagations` per table. */
export interface TgwPropagations {
  TransitGatewayRouteTableId: string;
  TransitGatewayRouteTablePropagations: TransitGatewayPropagation[];
}

/** Every describe-* collection the sandbox answers from. */
export interface Ec2Documents {
  Vpcs: Vpc[];
  Subnets: Subnet[];
  RouteTables: RouteTable[];
  SecurityGroups: SecurityGroupShell[];
  NetworkAcls: NetworkAcl[];
  NetworkInterfaces: NetworkInterface[];
  Reservations: Reservation[];
  InternetGateways: InternetGateway[];
  EgressOnlyInternetGateways: Record<string, unknown>[];
  NatGateways: NatGateway[];
  VpcPeeringConnections: VpcPeeringConnection[];
  Addresses: Address[];
  TransitGateways: TransitGateway[];
  TransitGatewayAttachments: TransitGatewayAttachment[];
  TransitGatewayRouteTables: TransitGatewayRouteTable[];
  TransitGatewayVpcAttachments: TransitGatewayVpcAttachment[];
  TransitGatewayPeeringAttachments: TransitGatewayPeeringAttachment[];
  VpcEndpoints: VpcEndpoint[];
  ManagedPrefixLists: ManagedPrefixList[];
  /** Prefix list id → entries (get-managed-prefix-list-entries). */
  PrefixListEntries: Record<string, PrefixListEntry[]>;
  TransitGatewayStaticRoutes: TgwStaticRoutes[];
  TransitGatewayPropagations: TgwPropagations[];
}

/** Facts about hosts that configuration cannot show (OS firewall, listening ports, SSM agent). */
export interface HostFact {
  /** SSM agent status: `Online` (default for a running instance), `ConnectionLost`, or `none` (not a managed node). */
  ssm?: 'Online' | 'ConnectionLost' | 'none';
  /** The OS firewall drops ICMP echo requests (the VPC lets them through, the host does not answer). */
  dropsIcmp?: boolean;
  /** TCP ports something listens on (default [22]); others answer with RST (`Connection refused`). */
  listeningTcpPorts?: number[];
  /** UDP ports a service answers on (default none: the host replies ICMP port unreachable). */
  listeningUdpPorts?: number[];
  /** TCP ports the OS firewall drops silently (a timeout, not a refusal). */
  firewalledTcpPorts?: number[];
  /** The EC2 Instance Connect package is installed (default true on Linux). */
  eicInstalled?: boolean;
  /** `PlatformName` / `PlatformVersion` reported by the SSM agent. */
  platformName?: string;
  platformVersion?: string;
}

/** Host facts of a scenario: keyed by instance id or Name tag; `internet` describes hosts outside AWS. */
export interface HostFacts {
  description?: string;
  instances?: Record<string, HostFact>;
  /** How hosts on the internet behave (default: answer ping, listen on 80 and 443). */
  internet?: { answersIcmp?: boolean; listeningTcpPorts?: number[] };
  /** The scenario's past changes, as CloudTrail events placed relative to the sandbox clock. */
  history?: SeedEvent[];
}

/** One SSM command invocation, as the sandbox tracks it. */
export interface CommandInvocationRecord {
  commandId: string;
  instanceId: string;
  documentName: string;
  commands: string[];
  requestedAt: Date;
  /** How many GetCommandInvocation calls have seen it (drives Pending → InProgress → terminal). */
  polls: number;
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'Cancelled' | 'TimedOut' | 'Undeliverable';
  /** Computed when the command is sent (the ground truth at that moment). */
  result: {
    responseCode: number;
    stdout: string;
    stderr: string;
    elapsedMs: number;
    status: 'Success' | 'Failed' | 'TimedOut';
  };
  comment?: string;
  timeoutSeconds?: number;
}

const LIST_KEYS = [
  'Vpcs',
  'Subnets',
  'RouteTables',
  'SecurityGroups',
  'NetworkAcls',
  'NetworkInterfaces',
  'Reservations',
  'InternetGateways',
  'EgressOnlyInternetGateways',
  'NatGateways',
  'VpcPeeringConnections',
  'Addresses',
  'TransitGateways',
  'TransitGatewayAttachments',
  'TransitGatewayRouteTables',
  'TransitGatewayVpcAttachments',
  'TransitGatewayPeeringAttachments',
  'VpcEndpoints',
  'ManagedPrefixLists',
  'TransitGatewayStaticRoutes',
  'TransitGatewayPropagations',
] as const;

/** The id field of each collection, used to merge files that repeat an object (last one wins). */
const ID_FIELD: Partial<Record<(typeof LIST_KEYS)[number], string>> = {
  Vpcs: 'VpcId',
  Subnets: 'SubnetId',
  RouteTables: 'RouteTableId',
  SecurityGroups: 'GroupId',
  NetworkAcls: 'NetworkAclId',
  NetworkInterfaces: 'NetworkInterfaceId',
  Reservations: 'ReservationId',
  InternetGateways: 'InternetGatewayId',
  EgressOnlyInternetGateways: 'EgressOnlyInternetGatewayId',
  NatGateways: 'NatGatewayId',
  VpcPeeringConnections: 'VpcPeeringConnectionId',
  Addresses: 'PublicIp',
  TransitGateways: 'TransitGatewayId',
  TransitGatewayAttachments: 'TransitGatewayAttachmentId',
  TransitGatewayRouteTables: 'TransitGatewayRouteTableId',
  TransitGatewayVpcAttachments: 'TransitGatewayAttachmentId',
  TransitGatewayPeeringAttachments: 'TransitGatewayAttachmentId',
  VpcEndpoints: 'VpcEndpointId',
  ManagedPrefixLists: 'PrefixListId',
  TransitGatewayStaticRoutes: 'TransitGatewayRouteTableId',
  TransitGatewayPropagations: 'TransitGatewayRouteTableId',
};

function emptyDocuments(): Ec2Documents {
  return {
    Vpcs: [],
    Subnets: [],
    RouteTables: [],
    SecurityGroups: [],
    NetworkAcls: [],
    NetworkInterfaces: [],
    Reservations: [],
    InternetGateways: [],
    EgressOnlyInternetGateways: [],
    NatGateways: [],
    VpcPeeringConnections: [],
    Addresses: [],
    TransitGateways: [],
    TransitGatewayAttachments: [],
    TransitGatewayRouteTables: [],
    TransitGatewayVpcAttachments: [],
    TransitGatewayPeeringAttachments: [],
    VpcEndpoints: [],
    ManagedPrefixLists: [],
    PrefixListEntries: {},
    TransitGatewayStaticRoutes: [],
    TransitGatewayPropagations: [],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The mutable in-memory account. */
export class SandboxState {
  readonly docs: Ec2Documents = emptyDocuments();
  private rules: SecurityGroupRule[] = [];
  private rulesByGroup: Map<string, SecurityGroupRule[]> | null = null;
  /** Instances whose auto-assigned public IPv4 was released at stop (they get a new one at start). */
  readonly releasedPublicIp = new Set<string>();
  hostFacts: HostFacts;
  readonly region: string;
  readonly accountId: string;
  readonly ids: IdGenerator;
  /** IAM actions (`ec2:CreateRoute`, `ssm:SendCommand`, …) this account's caller is denied: UnauthorizedOperation. */
  readonly deniedActions = new Set<string>();
  /** Where each transit gateway of a world of accounts lives (set by the world; peering attachments name the peer's). */
  readonly tgwPlaces = new Map<string, { account: string; region: string }>();
  /** DynamoDB tables (the fix-lease table): name → partition key attribute and items by key value. */
  readonly dynamoTables = new Map<string, { key: string; items: Map<string, Record<string, unknown>> }>();
  readonly commands = new Map<string, CommandInvocationRecord>();
  /** EC2 Instance Connect keys pushed (instance id → os user), for tests and demos. */
  readonly pushedKeys: { instanceId: string; osUser: string; at: Date }[] = [];
  /** Regions the loaded files said they came from (a multi-region snapshot keeps its objects' own regions). */
  private readonly loadedRegions = new Set<string>();
  /** The sandbox's clock: SSM timestamps and pushed keys use it. */
  now: () => Date;
  /** CloudTrail: every write answered (and the scenario's past changes), oldest first. */
  readonly trail: TrailEntry[] = [];
  /** When LookupEvents was last called (its rate limit). */
  lookupCalls: number[] = [];
  /** Elastic Load Balancing v2 documents of the loaded snapshot (answered read-only by elbv2.ts). */
  readonly elb: ElbDocuments = emptyElbDocuments();
  /** Who the sandbox's writes are recorded as (CloudTrail principal: a user name, or `role/session`). */
  caller = 'whyping-sandbox';

  constructor(opts: { region: string; accountId?: string; hostFacts?: HostFacts; seed?: number; now?: () => Date }) {
    this.region = opts.region;
    this.accountId = opts.accountId ?? '123456789012';
    this.hostFacts = opts.hostFacts ?? {};
    this.ids = new IdGenerator(opts.seed);
    this.now = opts.now ?? (() => new Date());
  }

  /** Security group rules, one per peer, in the order AWS lists them. Replace the array to change it. */
  get securityGroupRules(): SecurityGroupRule[] {
    return this.rules;
  }

  set securityGroupRules(rules: SecurityGroupRule[]) {
    this.rules = rules;
    this.rulesByGroup = null;
  }

  /** The rules of one group (indexed once per change, so large accounts stay fast). */
  rulesOf(groupId: string | undefined): SecurityGroupRule[] {
    if (!this.rulesByGroup) {
      this.rulesByGroup = new Map();
      for (const r of this.rules) {
        const list = this.rulesByGroup.get(r.GroupId ?? '');
        if (list) list.push(r);
        else this.rulesByGroup.set(r.GroupId ?? '', [r]);
      }
    }
    return this.rulesByGroup.get(groupId ?? '') ?? [];
  }

  /** Merges describe-* documents into the state (objects with the same id: the later one wins). */
  load(files: RawSnapshotFile[]): void {
    for (const file of files) {
      if (!isRecord(file.data)) continue;
      if (file.region) this.loadedRegions.add(file.region);
      const data = file.data;
      for (const key of LIST_KEYS) {
        const value = data[key];
        if (!Array.isArray(value)) continue;
        if (key === 'SecurityGroups') {
          const positions = new Map(this.docs.SecurityGroups.map((g, i) => [g.GroupId, i]));
          for (const sg of value) if (isRecord(sg)) this.loadSecurityGroup(sg as SecurityGroup, positions);
          continue;
        }
        const list = this.docs[key] as unknown as Record<string, unknown>[];
        const idField = ID_FIELD[key] ?? '';
        const positions = new Map(list.map((x, i) => [x[idField], i]));
        for (const item of value) {
          if (!isRecord(item)) continue;
          const copy = structuredClone(item);
          const id = copy[idField];
          const at = id === undefined ? undefined : positions.get(id);
          if (at !== undefined) list[at] = copy;
          else {
            if (id !== undefined) positions.set(id, list.length);
            list.push(copy);
          }
        }
      }
      loadElbDocuments(this.elb, data);
      const entries = data.PrefixListEntries;
      if (isRecord(entries)) {
        for (const [id, list] of Object.entries(entries)) {
          if (Array.isArray(list)) this.docs.PrefixListEntries[id] = structuredClone(list) as PrefixListEntry[];
        }
      }
      // describe-prefix-lists output: `PrefixLists: [{PrefixListId, PrefixListName, Cidrs}]`.
      const prefixLists = data.PrefixLists;
      if (Array.isArray(prefixLists)) {
        for (const pl of prefixLists) {
          if (!isRecord(pl) || typeof pl.PrefixListId !== 'string') continue;
          const id = pl.PrefixListId;
          if (!this.docs.ManagedPrefixLists.some((m) => m.PrefixListId === id)) {
            this.docs.ManagedPrefixLists.push({
              PrefixListId: id,
              PrefixListName: typeof pl.PrefixListName === 'string' ? pl.PrefixListName : undefined,
              AddressFamily: 'IPv4',
              State: 'create-complete',
              OwnerId: 'AWS',
            });
          }
          if (Array.isArray(pl.Cidrs) && !this.docs.PrefixListEntries[id]) {
            this.docs.PrefixListEntries[id] = pl.Cidrs.filter((c) => typeof c === 'string').map((Cidr) => ({ Cidr }));
          }
        }
      }
    }
  }

  private loadSecurityGroup(sg: SecurityGroup, positions: Map<string | undefined, number>): void {
    const { IpPermissions, IpPermissionsEgress, ...shell } = structuredClone(sg);
    const id = shell.GroupId;
    const at = positions.get(id);
    if (at !== undefined) {
      this.docs.SecurityGroups[at] = shell;
      this.rules = this.rules.filter((r) => r.GroupId !== id);
    } else {
      positions.set(id, this.docs.SecurityGroups.length);
      this.docs.SecurityGroups.push(shell);
    }
    for (const p of IpPermissions ?? []) this.rules.push(...this.rulesFromPermission(shell, p, false));
    for (const p of IpPermissionsEgress ?? []) this.rules.push(...this.rulesFromPermission(shell, p, true));
    this.rulesByGroup = null;
  }

  /** Splits one IpPermission into rules (one per CIDR, prefix list or group), with fresh `sgr-` ids. */
  rulesFromPermission(sg: SecurityGroupShell, p: IpPermission, egress: boolean): SecurityGroupRule[] {
    const protocol = normalizeProtocol(p.IpProtocol ?? '-1');
    const ports =
      protocol === '-1' ? { FromPort: -1, ToPort: -1 } : { FromPort: p.FromPort ?? -1, ToPort: p.ToPort ?? -1 };
    const base = (): SecurityGroupRule => ({
      SecurityGroupRuleId: this.ids.id('sgr'),
      GroupId: sg.GroupId,
      GroupOwnerId: sg.OwnerId ?? this.accountId,
      IsEgress: egress,
      IpProtocol: protocol,
      ...ports,
      Tags: [],
    });
    const out: SecurityGroupRule[] = [];
    for (const r of p.IpRanges ?? [])
      out.push({ ...base(), CidrIpv4: r.CidrIp, ...(r.Description ? { Description: r.Description } : {}) });
    for (const r of p.Ipv6Ranges ?? [])
      out.push({ ...base(), CidrIpv6: r.CidrIpv6, ...(r.Description ? { Description: r.Description } : {}) });
    for (const r of p.PrefixListIds ?? [])
      out.push({ ...base(), PrefixListId: r.PrefixListId, ...(r.Description ? { Description: r.Description } : {}) });
    for (const r of p.UserIdGroupPairs ?? [])
      out.push({
        ...base(),
        ReferencedGroupInfo: {
          GroupId: r.GroupId,
          UserId: r.UserId ?? this.accountId,
          ...(r.VpcId ? { VpcId: r.VpcId } : {}),
          ...(r.VpcPeeringConnectionId ? { VpcPeeringConnectionId: r.VpcPeeringConnectionId } : {}),
          ...(r.PeeringStatus ? { PeeringStatus: r.PeeringStatus } : {}),
        },
        ...(r.Description ? { Description: r.Description } : {}),
      });
    return out;
  }

  /** A security group as DescribeSecurityGroups returns it: rules folded into IpPermissions by protocol and ports. */
  securityGroup(shell: SecurityGroupShell): SecurityGroup {
    const rules = this.rulesOf(shell.GroupId);
    return {
      ...structuredClone(shell),
      IpPermissions: foldRules(rules.filter((r) => !r.IsEgress)),
      IpPermissionsEgress: foldRules(rules.filter((r) => r.IsEgress)),
    };
  }

  /** All instances, flattened out of their reservations. */
  instances() {
    return this.docs.Reservations.flatMap((r) => r.Instances ?? []);
  }

  /** The whole state as one describe-* document set (what `buildSnapshot` reads; what `whyping snapshot` would write). */
  toFiles(): RawSnapshotFile[] {
    const { SecurityGroups, ...rest } = this.docs;
    const data = {
      ...structuredClone(rest),
      SecurityGroups: SecurityGroups.map((sg) => this.securityGroup(sg)),
      // Only the elbv2 keys the account has: a snapshot without load balancers stays as it was.
      ...Object.fromEntries(Object.entries(structuredClone(this.elb)).filter(([, v]) => v.length > 0)),
    };
    // One region (or none said): the account's. Several: leave it out, so each object's region comes from its zone.
    const region = this.loadedRegions.size > 1 ? undefined : this.region;
    return [{ path: 'sandbox:state', data, ...(region ? { region } : {}), accountId: this.accountId }];
  }

  /** Host facts of an instance (by id, then by Name tag, case-insensitive). */
  hostFact(instanceId: string): HostFact {
    const facts = this.hostFacts.instances ?? {};
    if (facts[instanceId]) return facts[instanceId];
    const inst = this.instances().find((i) => i.InstanceId === instanceId);
    const name = inst?.Tags?.find((t) => t.Key === 'Name')?.Value?.toLowerCase();
    if (name) {
      for (const [key, fact] of Object.entries(facts)) if (key.toLowerCase() === name) return fact;
    }
    return {};
  }
}

/** AWS stores protocol numbers 1/6/17/58 under their names. */
export function normalizeProtocol(p: string): string {
  const names: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'icmpv6', all: '-1' };
  const lower = p.toLowerCase();
  return names[lower] ?? lower;
}

/** Rules → IpPermissions, grouping rules with the same protocol and ports, in first-seen order. */
export function foldRules(rules: SecurityGroupRule[]): IpPermission[] {
  const groups = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.IpProtocol}|${r.FromPort}|${r.ToPort}`;
    let p = groups.get(key);
    if (!p) {
      p = {
        IpProtocol: r.IpProtocol,
        ...(r.IpProtocol === '-1' ? {} : { FromPort: r.FromPort, ToPort: r.ToPort }),
        UserIdGroupPairs: [],
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      };
      groups.set(key, p);
    }
    const desc = r.Description ? { Description: r.Description } : {};
    if (r.CidrIpv4) p.IpRanges?.push({ CidrIp: r.CidrIpv4, ...desc });
    else if (r.CidrIpv6) p.Ipv6Ranges?.push({ CidrIpv6: r.CidrIpv6, ...desc });
    else if (r.PrefixListId) p.PrefixListIds?.push({ PrefixListId: r.PrefixListId, ...desc });
    else if (r.ReferencedGroupInfo) {
      const g = r.ReferencedGroupInfo;
      p.UserIdGroupPairs?.push({
        GroupId: g.GroupId,
        UserId: g.UserId,
        ...(g.VpcId ? { VpcId: g.VpcId } : {}),
        ...(g.VpcPeeringConnectionId ? { VpcPeeringConnectionId: g.VpcPeeringConnectionId } : {}),
        ...(g.PeeringStatus ? { PeeringStatus: g.PeeringStatus } : {}),
        ...desc,
      });
    }
  }
  return [...groups.values()];
}
