/**
 * Zod schemas for the describe-* keys whyping reads. Only the fields we use are checked; unknown fields and keys are
 * ignored. Optional fields accept null (the CLI and boto print null for terminated instances and the like).
 *
 * zod and these schemas load on first use (`keySchemas()`): a valid snapshot is accepted by the fast checks generated
 * from them (checks.generated.ts, `npx tsx scripts/gen-checks.ts`), so an offline question never loads zod for the
 * snapshot; zod only runs to explain a value the fast check refused.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { isCidr, isIp } from '../net/ip.js';

type Z = typeof Zod.z;

function define(z: Z) {
  const str = z.string();
  const optStr = z.string().nullish();
  const optBool = z.boolean().nullish();
  const optInt = z.number().int().nullish();
  const cidr = z.string().refine(isCidr, { message: 'not a CIDR block' });
  const optCidr = cidr.nullish();
  const ip = z.string().refine(isIp, { message: 'not an IP address' });
  const optIp = ip.nullish();
  /** `-1`, a protocol name EC2 accepts, or an IANA protocol number. */
  const protocol = z.string().regex(/^(-1|all|tcp|udp|icmp|icmpv6|\d{1,3})$/i, { message: 'not an IP protocol' });
  const list = <T extends Zod.ZodType>(item: T) => z.array(item).nullish();

  const tags = list(z.object({ Key: str, Value: z.string().nullish() }));
  const groupRefs = list(z.object({ GroupId: str, GroupName: optStr }));
  const intLike = z.number().int().nullish();

  const vpc = z.object({
    VpcId: str,
    OwnerId: optStr,
    CidrBlock: optCidr,
    CidrBlockAssociationSet: list(z.object({ CidrBlock: cidr, CidrBlockState: z.object({ State: optStr }).nullish() })),
    Ipv6CidrBlockAssociationSet: list(
      z.object({ Ipv6CidrBlock: optCidr, Ipv6CidrBlockState: z.object({ State: optStr }).nullish() }),
    ),
    IsDefault: optBool,
    Tags: tags,
  });

  const subnet = z.object({
    SubnetId: str,
    VpcId: str,
    OwnerId: optStr,
    CidrBlock: optCidr,
    Ipv6CidrBlockAssociationSet: list(
      z.object({ Ipv6CidrBlock: optCidr, Ipv6CidrBlockState: z.object({ State: optStr }).nullish() }),
    ),
    AvailabilityZone: optStr,
    AvailabilityZoneId: optStr,
    MapPublicIpOnLaunch: optBool,
    Tags: tags,
  });

  const route = z.object({
    DestinationCidrBlock: optCidr,
    DestinationIpv6CidrBlock: optCidr,
    DestinationPrefixListId: optStr,
    GatewayId: optStr,
    NatGatewayId: optStr,
    VpcPeeringConnectionId: optStr,
    TransitGatewayId: optStr,
    NetworkInterfaceId: optStr,
    InstanceId: optStr,
    EgressOnlyInternetGatewayId: optStr,
    CarrierGatewayId: optStr,
    LocalGatewayId: optStr,
    CoreNetworkArn: optStr,
    Origin: optStr,
    State: optStr,
  });

  const routeTable = z.object({
    RouteTableId: str,
    VpcId: str,
    OwnerId: optStr,
    Routes: list(route),
    Associations: list(
      z.object({
        Main: optBool,
        SubnetId: optStr,
        GatewayId: optStr,
        AssociationState: z.object({ State: optStr }).nullish(),
      }),
    ),
    Tags: tags,
  });

  const ipPermission = z.object({
    IpProtocol: protocol,
    FromPort: intLike,
    ToPort: intLike,
    IpRanges: list(z.object({ CidrIp: cidr, Description: optStr })),
    Ipv6Ranges: list(z.object({ CidrIpv6: cidr, Description: optStr })),
    PrefixListIds: list(z.object({ PrefixListId: str, Description: optStr })),
    UserIdGroupPairs: list(
      z.object({
        GroupId: optStr,
        GroupName: optStr,
        UserId: optStr,
        VpcId: optStr,
        VpcPeeringConnectionId: optStr,
        PeeringStatus: optStr,
        Description: optStr,
      }),
    ),
  });

  const securityGroup = z.object({
    GroupId: str,
    GroupName: optStr,
    Description: optStr,
    VpcId: optStr,
    OwnerId: optStr,
    IpPermissions: list(ipPermission),
    IpPermissionsEgress: list(ipPermission),
    Tags: tags,
  });

  const naclEntry = z.object({
    RuleNumber: z.number().int(),
    Egress: z.boolean(),
    Protocol: protocol,
    RuleAction: z.string().regex(/^(allow|deny)$/i, { message: 'expected allow or deny' }),
    CidrBlock: optCidr,
    Ipv6CidrBlock: optCidr,
    PortRange: z.object({ From: intLike, To: intLike }).nullish(),
    IcmpTypeCode: z.object({ Type: intLike, Code: intLike }).nullish(),
  });

  const networkAcl = z.object({
    NetworkAclId: str,
    VpcId: str,
    OwnerId: optStr,
    IsDefault: optBool,
    Associations: list(z.object({ SubnetId: optStr, NetworkAclId: optStr })),
    Entries: list(naclEntry),
    Tags: tags,
  });

  const ipAssociation = z
    .object({ PublicIp: optIp, AllocationId: optStr, AssociationId: optStr, IpOwnerId: optStr })
    .nullish();

  const eniAttachment = z
    .object({ InstanceId: optStr, DeviceIndex: optInt, Status: optStr, NetworkCardIndex: optInt })
    .nullish();

  const networkInterface = z.object({
    NetworkInterfaceId: str,
    SubnetId: optStr,
    VpcId: optStr,
    OwnerId: optStr,
    AvailabilityZone: optStr,
    PrivateIpAddress: optIp,
    PrivateIpAddresses: list(z.object({ PrivateIpAddress: optIp, Primary: optBool, Association: ipAssociation })),
    Ipv6Addresses: list(z.object({ Ipv6Address: optIp })),
    Association: ipAssociation,
    Groups: groupRefs,
    SourceDestCheck: optBool,
    InterfaceType: optStr,
    Description: optStr,
    Status: optStr,
    RequesterManaged: optBool,
    Attachment: eniAttachment,
    TagSet: tags,
    Tags: tags,
  });

  const instance = z.object({
    InstanceId: str,
    State: z.object({ Name: optStr }).nullish(),
    VpcId: optStr,
    SubnetId: optStr,
    PrivateIpAddress: optIp,
    PublicIpAddress: optIp,
    Platform: optStr,
    PlatformDetails: optStr,
    Placement: z.object({ AvailabilityZone: optStr }).nullish(),
    NetworkInterfaces: list(networkInterface.extend({ SubnetId: optStr })),
    SecurityGroups: groupRefs,
    SourceDestCheck: optBool,
    Tags: tags,
  });

  const reservation = z.object({ OwnerId: optStr, Instances: list(instance) });

  const attachments = list(z.object({ VpcId: optStr, State: optStr }));

  const internetGateway = z.object({ InternetGatewayId: str, OwnerId: optStr, Attachments: attachments, Tags: tags });
  const egressOnlyInternetGateway = z.object({
    EgressOnlyInternetGatewayId: str,
    OwnerId: optStr,
    Attachments: attachments,
    Tags: tags,
  });

  const natGateway = z.object({
    NatGatewayId: str,
    VpcId: optStr,
    SubnetId: optStr,
    State: optStr,
    ConnectivityType: optStr,
    NatGatewayAddresses: list(
      z.object({ AllocationId: optStr, NetworkInterfaceId: optStr, PrivateIp: optIp, PublicIp: optIp }),
    ),
    Tags: tags,
  });

  const peeringSide = z
    .object({
      VpcId: optStr,
      OwnerId: optStr,
      Region: optStr,
      CidrBlock: optCidr,
      CidrBlockSet: list(z.object({ CidrBlock: optCidr })),
      Ipv6CidrBlockSet: list(z.object({ Ipv6CidrBlock: optCidr })),
    })
    .nullish();

  const peering = z.object({
    VpcPeeringConnectionId: str,
    Status: z.object({ Code: optStr, Message: optStr }).nullish(),
    RequesterVpcInfo: peeringSide,
    AccepterVpcInfo: peeringSide,
    Tags: tags,
  });

  const address = z.object({
    PublicIp: ip,
    AllocationId: optStr,
    AssociationId: optStr,
    NetworkInterfaceId: optStr,
    NetworkInterfaceOwnerId: optStr,
    InstanceId: optStr,
    PrivateIpAddress: optIp,
    Tags: tags,
  });

  const transitGateway = z.object({
    TransitGatewayId: str,
    OwnerId: optStr,
    State: optStr,
    Options: z
      .object({
        AssociationDefaultRouteTableId: optStr,
        PropagationDefaultRouteTableId: optStr,
        SecurityGroupReferencingSupport: optStr,
      })
      .nullish(),
    Tags: tags,
  });

  const tgwAttachment = z.object({
    TransitGatewayAttachmentId: str,
    TransitGatewayId: str,
    TransitGatewayOwnerId: optStr,
    ResourceType: optStr,
    ResourceId: optStr,
    ResourceOwnerId: optStr,
    State: optStr,
    Association: z.object({ TransitGatewayRouteTableId: optStr, State: optStr }).nullish(),
    Tags: tags,
  });

  const tgwVpcAttachment = z.object({
    TransitGatewayAttachmentId: str,
    TransitGatewayId: str,
    VpcId: optStr,
    VpcOwnerId: optStr,
    State: optStr,
    SubnetIds: list(str),
    Options: z.object({ SecurityGroupReferencingSupport: optStr }).nullish(),
    Tags: tags,
  });

  const tgwInfo = z.object({ TransitGatewayId: optStr, OwnerId: optStr, Region: optStr }).nullish();
  const tgwPeeringAttachment = z.object({
    TransitGatewayAttachmentId: str,
    RequesterTgwInfo: tgwInfo,
    AccepterTgwInfo: tgwInfo,
    State: optStr,
    Tags: tags,
  });

  const tgwRouteTable = z.object({
    TransitGatewayRouteTableId: str,
    TransitGatewayId: str,
    State: optStr,
    DefaultAssociationRouteTable: optBool,
    DefaultPropagationRouteTable: optBool,
    Tags: tags,
  });

  const tgwRoute = z.object({
    DestinationCidrBlock: optCidr,
    PrefixListId: optStr,
    State: optStr,
    Type: optStr,
    TransitGatewayAttachments: list(
      z.object({ TransitGatewayAttachmentId: optStr, ResourceId: optStr, ResourceType: optStr }),
    ),
  });

  const tgwStaticRoutes = z.object({ TransitGatewayRouteTableId: str, Routes: list(tgwRoute) });

  const tgwPropagations = z.object({
    TransitGatewayRouteTableId: str,
    TransitGatewayRouteTablePropagations: list(
      z.object({ TransitGatewayAttachmentId: optStr, ResourceId: optStr, ResourceType: optStr, State: optStr }),
    ),
  });

  const vpcEndpoint = z.object({
    VpcEndpointId: str,
    VpcEndpointType: optStr,
    VpcId: optStr,
    OwnerId: optStr,
    ServiceName: optStr,
    State: optStr,
    RouteTableIds: list(str),
    SubnetIds: list(str),
    NetworkInterfaceIds: list(str),
    Groups: groupRefs,
    DnsEntries: list(z.object({ DnsName: optStr, HostedZoneId: optStr })),
    Tags: tags,
  });

  // Elastic Load Balancing v2, as `aws elbv2 describe-*` prints it (the corpora's keys).
  const keyValues = list(z.object({ Key: str, Value: z.string().nullish() }));
  const loadBalancer = z.object({
    LoadBalancerArn: str,
    LoadBalancerName: optStr,
    DNSName: optStr,
    Scheme: optStr,
    Type: optStr,
    VpcId: optStr,
    State: z.object({ Code: optStr, Reason: optStr }).nullish(),
    SecurityGroups: list(str),
    IpAddressType: optStr,
    AvailabilityZones: list(
      z.object({
        ZoneName: optStr,
        SubnetId: optStr,
        LoadBalancerAddresses: list(
          z.object({ IpAddress: optIp, AllocationId: optStr, PrivateIPv4Address: optIp, IPv6Address: optStr }),
        ),
      }),
    ),
  });
  const listenerAction = z.object({
    Type: optStr,
    TargetGroupArn: optStr,
    Order: intLike,
    ForwardConfig: z.object({ TargetGroups: list(z.object({ TargetGroupArn: optStr, Weight: intLike })) }).nullish(),
  });
  const listener = z.object({
    ListenerArn: optStr,
    LoadBalancerArn: optStr,
    Port: intLike,
    Protocol: optStr,
    DefaultActions: list(listenerAction),
  });
  const loadBalancerListeners = z.object({ LoadBalancerArn: optStr, Listeners: list(listener) });
  const targetGroup = z.object({
    TargetGroupArn: str,
    TargetGroupName: optStr,
    TargetType: optStr,
    Protocol: optStr,
    Port: intLike,
    VpcId: optStr,
    LoadBalancerArns: list(str),
  });
  const targetHealth = z.object({
    TargetGroupArn: str,
    TargetHealthDescriptions: list(
      z.object({
        Target: z.object({ Id: str, Port: intLike, AvailabilityZone: optStr }),
        TargetHealth: z.object({ State: optStr, Reason: optStr, Description: optStr }).nullish(),
      }),
    ),
  });
  const loadBalancerAttributes = z.object({ LoadBalancerArn: str, Attributes: keyValues });
  const targetGroupAttributes = z.object({ TargetGroupArn: str, Attributes: keyValues });

  const prefixListWithCidrs = z.object({ PrefixListId: str, PrefixListName: optStr, Cidrs: list(cidr) });
  const managedPrefixList = z.object({ PrefixListId: str, PrefixListName: optStr, OwnerId: optStr, Tags: tags });
  const prefixListEntries = z.record(z.string(), z.array(z.object({ Cidr: cidr, Description: optStr })));

  /** Every top-level key whyping reads, with the schema of its value. */
  const KEY_SCHEMAS = {
    Vpcs: z.array(vpc),
    Subnets: z.array(subnet),
    RouteTables: z.array(routeTable),
    SecurityGroups: z.array(securityGroup),
    NetworkAcls: z.array(networkAcl),
    NetworkInterfaces: z.array(networkInterface),
    Reservations: z.array(reservation),
    InternetGateways: z.array(internetGateway),
    EgressOnlyInternetGateways: z.array(egressOnlyInternetGateway),
    NatGateways: z.array(natGateway),
    VpcPeeringConnections: z.array(peering),
    Addresses: z.array(address),
    TransitGateways: z.array(transitGateway),
    TransitGatewayAttachments: z.array(tgwAttachment),
    TransitGatewayVpcAttachments: z.array(tgwVpcAttachment),
    TransitGatewayPeeringAttachments: z.array(tgwPeeringAttachment),
    TransitGatewayRouteTables: z.array(tgwRouteTable),
    TransitGatewayStaticRoutes: z.array(tgwStaticRoutes),
    TransitGatewayPropagations: z.array(tgwPropagations),
    VpcEndpoints: z.array(vpcEndpoint),
    LoadBalancers: z.array(loadBalancer),
    LoadBalancerListeners: z.array(loadBalancerListeners),
    TargetGroups: z.array(targetGroup),
    LoadBalancerTargetHealth: z.array(targetHealth),
    LoadBalancerAttributes: z.array(loadBalancerAttributes),
    TargetGroupAttributes: z.array(targetGroupAttributes),
    PrefixLists: z.array(prefixListWithCidrs),
    ManagedPrefixLists: z.array(managedPrefixList),
    PrefixListEntries: prefixListEntries,
  } as const;

  return { KEY_SCHEMAS, route, ipPermission, networkInterface, instance, tgwRoute };
}

type Defs = ReturnType<typeof define>;
let defs: Defs | undefined;

/** Every top-level key whyping reads, with the zod schema of its value (loads zod on the first call). */
export function keySchemas(): Defs['KEY_SCHEMAS'] {
  defs ??= define((createRequire(import.meta.url)('zod') as typeof Zod).z);
  return defs.KEY_SCHEMAS;
}

export type KnownKey = keyof Defs['KEY_SCHEMAS'];
export type Parsed<K extends KnownKey> = Zod.z.output<Defs['KEY_SCHEMAS'][K]>;
export type RawRoute = Zod.z.output<Defs['route']>;
export type RawIpPermission = Zod.z.output<Defs['ipPermission']>;
export type RawNetworkInterface = Zod.z.output<Defs['networkInterface']>;
export type RawInstance = Zod.z.output<Defs['instance']>;
export type RawTgwRoute = Zod.z.output<Defs['tgwRoute']>;

/** Known keys that are deliberately not read: VPN connections embed IPsec pre-shared keys. */
export const IGNORED_SENSITIVE_KEYS = new Set(['VpnConnections']);

/** `$.RouteTables[3].Routes[0].State` from a zod issue path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_][\w]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}
