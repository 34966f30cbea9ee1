/**
 * The normalized snapshot: AWS resources in AWS nouns, keyed by id, with the derived indexes the engine needs.
 * Built once by `buildSnapshot(raw)` (src/snapshot); read, never mutated, by the engine.
 */
import type { CidrIndex } from '../net/cidr-index.js';
import type {
  AllocationId,
  EgressOnlyInternetGatewayId,
  InstanceId,
  InternetGatewayId,
  NatGatewayId,
  NetworkAclId,
  NetworkInterfaceId,
  PrefixListId,
  RouteTableId,
  SecurityGroupId,
  SubnetId,
  TransitGatewayAttachmentId,
  TransitGatewayId,
  TransitGatewayRouteTableId,
  VpcEndpointId,
  VpcId,
  VpcPeeringConnectionId,
} from './ids.js';
import type { LoadBalancing } from './load-balancers.js';

/** Tags as a plain map (`Name` is also lifted into `name`). */
export type Tags = Readonly<Record<string, string>>;

/** Where an object came from: the account (owner id) and region, when known. */
export interface Origin {
  /** AWS account id (OwnerId), when the data has it. */
  accountId?: string;
  /** Region, from the snapshot layout (`aws_configs/<region>/`) or the availability zone. */
  region?: string;
}

export interface Vpc extends Origin {
  id: VpcId;
  /** Associated IPv4 CIDRs (primary first, then secondary); disassociated blocks are left out. */
  cidrs: string[];
  ipv6Cidrs: string[];
  isDefault: boolean;
  name?: string;
  tags: Tags;
}

export interface Subnet extends Origin {
  id: SubnetId;
  vpcId: VpcId;
  cidr: string;
  ipv6Cidrs: string[];
  availabilityZone?: string;
  availabilityZoneId?: string;
  mapPublicIpOnLaunch: boolean;
  name?: string;
  tags: Tags;
}

/** Where a route sends matching packets. `local` is the VPC itself. */
export type RouteTarget =
  | { kind: 'local' }
  | { kind: 'internet-gateway'; id: InternetGatewayId }
  | { kind: 'egress-only-internet-gateway'; id: EgressOnlyInternetGatewayId }
  | { kind: 'nat-gateway'; id: NatGatewayId }
  | { kind: 'peering-connection'; id: VpcPeeringConnectionId }
  | { kind: 'transit-gateway'; id: TransitGatewayId }
  | { kind: 'vpc-endpoint'; id: VpcEndpointId }
  | { kind: 'network-interface'; id: NetworkInterfaceId }
  | { kind: 'instance'; id: InstanceId }
  | { kind: 'virtual-private-gateway'; id: string }
  /** Carrier, local gateway, core network, …: outside the model. */
  | { kind: 'other'; id: string; field: string };

export type RouteDestination = { kind: 'cidr'; cidr: string } | { kind: 'prefix-list'; id: PrefixListId };

export interface Route {
  destination: RouteDestination;
  target: RouteTarget;
  /** `blackhole` means the target is gone or not active (e.g. a peering pending acceptance): packets are dropped. */
  state: 'active' | 'blackhole';
  /** CreateRouteTable | CreateRoute | EnableVgwRoutePropagation */
  origin?: string;
  /** The route as the console shows it, e.g. `10.2.0.0/16 → pcx-0abc (blackhole)`. */
  text: string;
}

export interface RouteTable extends Origin {
  id: RouteTableId;
  vpcId: VpcId;
  routes: Route[];
  /** Subnets explicitly associated with this table. */
  subnetIds: SubnetId[];
  /** True for the VPC's main table (used by every subnet without an explicit association). */
  isMain: boolean;
  /** Gateways (IGW/VGW) with an edge association (ingress routing). */
  gatewayIds: string[];
  name?: string;
  tags: Tags;
}

/** Protocol of a rule or packet: `all` (-1), a name, or an IANA number for the rest. */
export type RuleProtocol = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | number;

/** The other side of a security group rule. */
export type SgPeer =
  | { kind: 'cidr'; cidr: string }
  | { kind: 'prefix-list'; id: PrefixListId }
  | {
      kind: 'security-group';
      groupId: SecurityGroupId;
      /** Owner of the referenced group, when it is another account. */
      userId?: string;
      /** For a group across a peering connection. */
      vpcId?: VpcId;
      peeringStatus?: string;
    };

/** One rule as the console lists it: one protocol/port range and one peer (an IpPermission is split per peer). */
export interface SgRule {
  direction: 'ingress' | 'egress';
  protocol: RuleProtocol;
  /** Ports for tcp/udp; ICMP type for icmp (-1 = all). null when the protocol has no ports (`all`). */
  fromPort: number | null;
  /** Ports for tcp/udp; ICMP code for icmp (-1 = all). */
  toPort: number | null;
  peer: SgPeer;
  description?: string;
  /** Console wording, e.g. `inbound ICMP Echo Request from 10.1.0.0/16`. */
  text: string;
}

export interface SecurityGroup extends Origin {
  id: SecurityGroupId;
  vpcId?: VpcId;
  groupName: string;
  description?: string;
  ingress: SgRule[];
  egress: SgRule[];
  tags: Tags;
}

export interface NaclEntry {
  ruleNumber: number;
  egress: boolean;
  /** `all` for -1; tcp 6, udp 17, icmp 1, icmpv6 58; other numbers as numbers. */
  protocol: RuleProtocol;
  action: 'allow' | 'deny';
  /** IPv4 or IPv6 CIDR. */
  cidr: string;
  portRange?: { from: number; to: number };
  icmp?: { type: number; code: number };
  /** Console wording, e.g. `100 ICMP ALL 10.2.0.0/16 DENY`, `*` for 32767. */
  text: string;
}

export interface NetworkAcl extends Origin {
  id: NetworkAclId;
  vpcId: VpcId;
  isDefault: boolean;
  subnetIds: SubnetId[];
  /** Sorted by rule number, ingress and egress together; filter on `egress`. */
  entries: NaclEntry[];
  name?: string;
  tags: Tags;
}

export interface PrivateIp {
  address: string;
  primary: boolean;
  /** Public IPv4 (auto-assigned or Elastic) mapped to this private address. */
  publicIp?: string;
  /** Set when the public IP is an Elastic IP. */
  allocationId?: AllocationId;
}

export interface NetworkInterface extends Origin {
  id: NetworkInterfaceId;
  subnetId: SubnetId;
  vpcId: VpcId;
  availabilityZone?: string;
  /** Primary first. */
  privateIps: PrivateIp[];
  ipv6Addresses: string[];
  groupIds: SecurityGroupId[];
  sourceDestCheck: boolean;
  /** interface | nat_gateway | network_load_balancer | vpc_endpoint | transit_gateway | lambda | … */
  interfaceType: string;
  description?: string;
  status?: string;
  requesterManaged: boolean;
  attachment?: { instanceId?: InstanceId; deviceIndex?: number; status?: string };
  tags: Tags;
}

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped' | string;

export interface Instance extends Origin {
  id: InstanceId;
  state: InstanceState;
  name?: string;
  vpcId?: VpcId;
  subnetId?: SubnetId;
  privateIp?: string;
  publicIp?: string;
  /** ENIs by device index, primary (0) first. */
  networkInterfaceIds: NetworkInterfaceId[];
  platform: 'linux' | 'windows';
  availabilityZone?: string;
  tags: Tags;
}

export interface InternetGateway extends Origin {
  id: InternetGatewayId;
  /** VPCs it is attached to (state `available`/`attached`). */
  attachedVpcIds: VpcId[];
  name?: string;
  tags: Tags;
}

export interface EgressOnlyInternetGateway extends Origin {
  id: EgressOnlyInternetGatewayId;
  attachedVpcIds: VpcId[];
  tags: Tags;
}

export interface NatGateway extends Origin {
  id: NatGatewayId;
  vpcId: VpcId;
  subnetId: SubnetId;
  /** pending | failed | available | deleting | deleted */
  state: string;
  connectivityType: 'public' | 'private';
  addresses: {
    privateIp?: string;
    publicIp?: string;
    allocationId?: AllocationId;
    networkInterfaceId?: NetworkInterfaceId;
  }[];
  name?: string;
  tags: Tags;
}

export interface PeeringSide {
  vpcId: VpcId;
  ownerId?: string;
  region?: string;
  /** CIDRs as the peering reports them (only while active); prefer the VPC's own CIDRs when the VPC is known. */
  cidrs: string[];
}

export interface VpcPeeringConnection extends Origin {
  id: VpcPeeringConnectionId;
  /** initiating-request | pending-acceptance | provisioning | active | failed | expired | rejected | deleting | deleted */
  status: string;
  requester: PeeringSide;
  accepter: PeeringSide;
  name?: string;
  tags: Tags;
}

export interface ElasticAddress extends Origin {
  publicIp: string;
  allocationId?: AllocationId;
  associationId?: string;
  networkInterfaceId?: NetworkInterfaceId;
  instanceId?: InstanceId;
  privateIp?: string;
  tags: Tags;
}

export interface TransitGateway extends Origin {
  id: TransitGatewayId;
  state: string;
  defaultAssociationRouteTableId?: TransitGatewayRouteTableId;
  defaultPropagationRouteTableId?: TransitGatewayRouteTableId;
  /** `Options.SecurityGroupReferencingSupport` (`enable` | `disable`; AWS's default is disable), when the data has it. */
  securityGroupReferencingSupport?: string;
  name?: string;
  tags: Tags;
}

/**
 * What a transit gateway attachment's state means for traffic (TransitGatewayAttachmentState in the EC2 API
 * reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGatewayVpcAttachment.html).
 * `carrying`: available, and modifying (a change to an attachment that works: its subnets or options; it keeps its
 * association and routes meanwhile). `coming`: not yet: being created, or waiting for the transit gateway owner to
 * accept it (pendingAcceptance). `dead`: it will never carry traffic again (rolling back a failed creation, failing,
 * failed, rejecting, rejected, deleting, deleted). A state the data lacks (read as `unknown`) or one this list does not
 * know counts as carrying: only a state that says so stops traffic.
 */
export function attachmentPhase(state: string): 'carrying' | 'coming' | 'dead' {
  switch (state) {
    case 'available':
    case 'modifying':
      return 'carrying';
    case 'initiating':
    case 'initiatingRequest':
    case 'pendingAcceptance':
    case 'pending':
      return 'coming';
    case 'rollingBack':
    case 'failing':
    case 'failed':
    case 'rejecting':
    case 'rejected':
    case 'deleting':
    case 'deleted':
      return 'dead';
    default:
      return 'carrying';
  }
}

export interface TransitGatewayAttachment extends Origin {
  id: TransitGatewayAttachmentId;
  transitGatewayId: TransitGatewayId;
  /** vpc | peering | vpn | direct-connect-gateway | connect | … */
  resourceType: string;
  /** The VPC id for a VPC attachment; the peer TGW id for a peering attachment. */
  resourceId: string;
  state: string;
  associatedRouteTableId?: TransitGatewayRouteTableId;
  /** Subnets of a VPC attachment (one per AZ). */
  subnetIds: SubnetId[];
  /** A VPC attachment's `Options.SecurityGroupReferencingSupport` (`enable` | `disable`; AWS's default is enable). */
  securityGroupReferencingSupport?: string;
  /** For a peering attachment: the TGW at the other end. */
  peerTransitGatewayId?: TransitGatewayId;
  /**
   * For a peering attachment: the route table it is associated with on the peer TGW's side. A TGW peering attachment
   * has one id but two sides (each TGW associates it with its own route table); `associatedRouteTableId` is the side of
   * `transitGatewayId`.
   */
  peerAssociatedRouteTableId?: TransitGatewayRouteTableId;
  /** For a peering attachment: the peer TGW's region and account, when known. */
  peerRegion?: string;
  peerAccountId?: string;
  name?: string;
  tags: Tags;
}

export interface TransitGatewayRoute {
  cidr: string;
  attachmentIds: TransitGatewayAttachmentId[];
  state: 'active' | 'blackhole' | string;
  type: 'static' | 'propagated';
  text: string;
}

export interface TransitGatewayRouteTable extends Origin {
  id: TransitGatewayRouteTableId;
  transitGatewayId: TransitGatewayId;
  /** Static routes plus routes from enabled propagations (each propagation's attachment VPC CIDRs). */
  routes: TransitGatewayRoute[];
  name?: string;
  tags: Tags;
}

export interface VpcEndpoint extends Origin {
  id: VpcEndpointId;
  /** Interface | Gateway | GatewayLoadBalancer */
  type: string;
  vpcId: VpcId;
  serviceName: string;
  state: string;
  routeTableIds: RouteTableId[];
  subnetIds: SubnetId[];
  networkInterfaceIds: NetworkInterfaceId[];
  groupIds: SecurityGroupId[];
  /** DNS names of an interface endpoint (`DnsEntries[].DnsName`), when the data has them. */
  dnsNames?: string[];
  tags: Tags;
}

export interface PrefixList extends Origin {
  id: PrefixListId;
  name?: string;
  cidrs: string[];
}

/** A loader or data problem that travels with every diagnosis it touches. */
export interface SnapshotWarning {
  /** e.g. DANGLING_REFERENCE, MISSING_FILE, ASSUMED_DEFAULT, DUPLICATE_CONFLICT */
  code: string;
  message: string;
  /** Ids this warning is about, so a diagnosis can carry only the warnings that touch its path. */
  resourceIds: string[];
}

/** Derived facts, built once at load time. */
export interface SnapshotIndex {
  /** The route table in force for each subnet: its explicit association, else the VPC's main table. */
  subnetRouteTable: Map<SubnetId, RouteTableId>;
  /** True when a subnet's table came from the main-table fallback. */
  subnetUsesMainRouteTable: Set<SubnetId>;
  vpcMainRouteTable: Map<VpcId, RouteTableId>;
  /** The network ACL in force for each subnet: its association, else the VPC's default ACL. */
  subnetNetworkAcl: Map<SubnetId, NetworkAclId>;
  /** ENIs that carry each security group. */
  securityGroupMembers: Map<SecurityGroupId, NetworkInterfaceId[]>;
  /** Private IPv4/IPv6 address → ENIs holding it (several when VPC CIDRs overlap). */
  privateIpToEni: Map<string, NetworkInterfaceId[]>;
  /** Public or Elastic IPv4 → the ENI it is associated with. */
  publicIpToEni: Map<string, NetworkInterfaceId>;
  /** Lower-cased Name tag → instances. */
  instancesByName: Map<string, InstanceId[]>;
  /** Internet gateways attached to each VPC. */
  vpcInternetGateways: Map<VpcId, InternetGatewayId[]>;
  vpcEgressOnlyInternetGateways: Map<VpcId, EgressOnlyInternetGatewayId[]>;
  /** Subnets of each VPC. */
  vpcSubnets: Map<VpcId, SubnetId[]>;
  /** ENIs of each subnet. */
  subnetNetworkInterfaces: Map<SubnetId, NetworkInterfaceId[]>;
  /**
   * TGW attachments of each VPC (resourceType vpc), in every state: those that carry traffic first, then those on their
   * way (pending, pendingAcceptance), then the dead ones (`attachmentPhase`).
   */
  vpcTransitGatewayAttachments: Map<VpcId, TransitGatewayAttachmentId[]>;
  /** Prefix list → CIDRs (from PrefixLists, PrefixListEntries or ManagedPrefixLists). */
  prefixListCidrs: Map<PrefixListId, string[]>;
  /** Peering connections each VPC is a side of (any status). */
  peeringsByVpc: Map<VpcId, VpcPeeringConnection[]>;
  /** The route table associated with each gateway (edge association: ingress routing). */
  gatewayRouteTables: Map<string, RouteTable>;
  /** A live (not deleted or failed) NAT gateway by the ENI that carries it. */
  natByEni: Map<string, NatGateway>;
  /** A live NAT gateway by any private or public address it holds. */
  natByIp: Map<string, NatGateway>;
  /**
   * Public addresses the snapshot knows and nothing holds now, with who held them: the addresses of deleted or failed
   * NAT gateways, and Elastic IPs associated with nothing. A packet to one is answered by no one.
   */
  unheldAddresses: Map<string, { id: string; why: string }>;
  /**
   * Resource id → the warnings naming it (`buildSnapshot` fills it), so a diagnosis can pick the warnings on its path
   * without scanning them all. Optional: hand-built snapshots may leave it out.
   */
  warningsByResource?: Map<string, SnapshotWarning[]>;
  /**
   * The snapshot's address ranges indexed for lookups (`addressRanges` in the engine builds them at the snapshot's
   * first query and keeps them here, so a snapshot assembled by hand is indexed once it is filled).
   */
  ranges?: AddressRanges;
}

/** Address ranges indexed once per snapshot, so no question scans every VPC or every route. */
export interface AddressRanges {
  /** Each VPC's (IPv4) `cidrs` → the VPC, in the snapshot's VPC order. */
  vpcs: CidrIndex<VpcId>;
  /** The entries of AWS-managed prefix lists (`com.amazonaws.<region>.<service>`) → the list. */
  awsServices: CidrIndex<PrefixList>;
  /** Per transit gateway route table, its routes by destination (filled for a table at its first use). */
  tgwRoutes: Map<TransitGatewayRouteTableId, CidrIndex<TransitGatewayRoute>>;
}

/** The whole normalized snapshot. */
export interface Snapshot {
  vpcs: Map<VpcId, Vpc>;
  subnets: Map<SubnetId, Subnet>;
  routeTables: Map<RouteTableId, RouteTable>;
  securityGroups: Map<SecurityGroupId, SecurityGroup>;
  networkAcls: Map<NetworkAclId, NetworkAcl>;
  networkInterfaces: Map<NetworkInterfaceId, NetworkInterface>;
  instances: Map<InstanceId, Instance>;
  internetGateways: Map<InternetGatewayId, InternetGateway>;
  egressOnlyInternetGateways: Map<EgressOnlyInternetGatewayId, EgressOnlyInternetGateway>;
  natGateways: Map<NatGatewayId, NatGateway>;
  peeringConnections: Map<VpcPeeringConnectionId, VpcPeeringConnection>;
  /** Elastic IPs keyed by public IP. */
  addresses: Map<string, ElasticAddress>;
  transitGateways: Map<TransitGatewayId, TransitGateway>;
  transitGatewayAttachments: Map<TransitGatewayAttachmentId, TransitGatewayAttachment>;
  transitGatewayRouteTables: Map<TransitGatewayRouteTableId, TransitGatewayRouteTable>;
  vpcEndpoints: Map<VpcEndpointId, VpcEndpoint>;
  prefixLists: Map<PrefixListId, PrefixList>;
  /** Load balancers, target groups and endpoint interfaces (absent when the snapshot has no elbv2 data). */
  loadBalancing?: LoadBalancing;
  /** Top-level keys that were present in the input (so the engine can tell "no NACLs" from "no NACL file"). */
  presentKeys: Set<string>;
  warnings: SnapshotWarning[];
  index: SnapshotIndex;
}
