/**
 * The synthetic account the engine bench and the answers check share (built in memory, deterministic), and the
 * query classes users ask of it: same or neighbour VPC, cross-VPC over a default route only, no route, internet
 * both ways, across the transit gateway, and an address no VPC holds.
 */
import { diagnose } from '../src/engine/index.js';
import type { Diagnosis, Protocol, RawSnapshotFile, Snapshot } from '../src/model/index.js';
import { resolveEndpoints } from '../src/snapshot/index.js';

type Json = Record<string, unknown>;

/** A deterministic pseudo-random generator (mulberry32), so every run builds the same account. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** VPCs the address plan holds: 4,096 /20s in each of 10.0.0.0/8, 11.0.0.0/8 and 12.0.0.0/8. */
export const MAX_VPCS = 3 * 4096;

const hex = (prefix: string, n: number) => `${prefix}-${n.toString(16).padStart(17, '0')}`;

export interface Account {
  files: RawSnapshotFile[];
  enis: { eni: string; instance: string; ip: string; vpc: number; subnet: number }[];
  counts: Record<string, number>;
}

/**
 * `scale` 1 is the DESIGN §8 account: 1,000 VPCs, each with 5 subnets, 5 route tables (main + 4), 2 NACLs
 * (default + a 20-entry custom one), 20 security groups of 10 rules, 50 ENIs/instances; VPC i peers with i+1.
 * Every fourth VPC (v % 4 = 0) is attached to one transit gateway, which routes 10.0.0.0/8 between them; in every
 * tenth VPC (v % 10 = 9) subnet 4's route table has no default route (a private destination elsewhere has no route).
 * VPC v holds 10.(v >> 4).((v & 15) << 4).0/20 (4,096 VPCs fit in 10.0.0.0/8); `firstVpc` numbers the VPCs from there
 * (their ids and address ranges too), so two accounts can share no id and no address (the bench's warm-up account).
 * Past 4,096 VPCs the same plan goes on in 11.0.0.0/8, then 12.0.0.0/8 (public ranges, which AWS allows as VPC
 * CIDRs), up to 12,288 VPCs, for the 10× account whose load and memory the bench measures (`--load-only`). Its
 * transit gateway route and security group rule name 10.0.0.0/8 only, so questions between those VPCs would not be
 * like the others: the bench asks questions up to 4× only. Every account up to 4× is as before.
 */
export function syntheticAccount(scale: number, firstVpc = 0): Account {
  const rand = rng(42);
  const nVpc = Math.round(1000 * scale);
  const endVpc = firstVpc + nVpc;
  if (endVpc > MAX_VPCS)
    throw new Error(`a synthetic account holds at most ${MAX_VPCS} VPCs (10.0.0.0/8 to 12.0.0.0/8 in /20s): ${endVpc}`);
  const Vpcs: Json[] = [];
  const Subnets: Json[] = [];
  const RouteTables: Json[] = [];
  const NetworkAcls: Json[] = [];
  const SecurityGroups: Json[] = [];
  const NetworkInterfaces: Json[] = [];
  const Reservations: Json[] = [];
  const InternetGateways: Json[] = [];
  const VpcPeeringConnections: Json[] = [];
  const TransitGatewayAttachments: Json[] = [];
  const TransitGatewayVpcAttachments: Json[] = [];
  const tgwId = hex('tgw', 0);
  const tgwRtb = hex('tgw-rtb', 0);
  const enis: Account['enis'] = [];
  // The first two octets of VPC v's /20 (10.0–10.255, then 11.*, 12.*).
  const net = (v: number) => `${10 + (v >> 12)}.${(v >> 4) & 255}`;
  const vpcCidr = (v: number) => `${net(v)}.${(v & 15) << 4}.0/20`;
  const subnetCidr = (v: number, s: number) => `${net(v)}.${((v & 15) << 4) + s}.0/24`;
  let eniN = 0;
  for (let v = firstVpc; v < endVpc; v++) {
    const vpcId = hex('vpc', v);
    Vpcs.push({ VpcId: vpcId, CidrBlock: vpcCidr(v), State: 'available', OwnerId: '111122223333', IsDefault: false });
    InternetGateways.push({ InternetGatewayId: hex('igw', v), Attachments: [{ State: 'available', VpcId: vpcId }] });
    const peers = [v - 1, v + 1].filter((p) => p >= firstVpc && p < endVpc);
    const onTgw = v % 4 === 0;
    if (onTgw) {
      const att = { TransitGatewayAttachmentId: hex('tgw-attach', v), TransitGatewayId: tgwId, State: 'available' };
      TransitGatewayAttachments.push({
        ...att,
        ResourceType: 'vpc',
        ResourceId: vpcId,
        Association: { TransitGatewayRouteTableId: tgwRtb, State: 'associated' },
      });
      TransitGatewayVpcAttachments.push({
        ...att,
        VpcId: vpcId,
        SubnetIds: [0, 1, 2].map((s) => hex('subnet', v * 5 + s)),
      });
    }
    for (let r = 0; r < 5; r++) {
      const routes: Json[] = [
        { DestinationCidrBlock: vpcCidr(v), GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
      ];
      if (!(v % 10 === 9 && r === 4))
        routes.push({
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: hex('igw', v),
          State: 'active',
          Origin: 'CreateRoute',
        });
      if (onTgw)
        routes.push({
          DestinationCidrBlock: '10.0.0.0/8',
          TransitGatewayId: tgwId,
          State: 'active',
          Origin: 'CreateRoute',
        });
      for (const p of peers) {
        routes.push({
          DestinationCidrBlock: vpcCidr(p),
          VpcPeeringConnectionId: hex('pcx', Math.min(v, p)),
          State: 'active',
          Origin: 'CreateRoute',
        });
      }
      RouteTables.push({
        RouteTableId: hex('rtb', v * 5 + r),
        VpcId: vpcId,
        Routes: routes,
        Associations:
          r === 0
            ? [{ Main: true, RouteTableId: hex('rtb', v * 5), RouteTableAssociationId: hex('rtbassoc', v * 5) }]
            : [
                {
                  Main: false,
                  RouteTableId: hex('rtb', v * 5 + r),
                  SubnetId: hex('subnet', v * 5 + r),
                  RouteTableAssociationId: hex('rtbassoc', v * 5 + r),
                },
              ],
      });
    }
    if (v + 1 < endVpc) {
      VpcPeeringConnections.push({
        VpcPeeringConnectionId: hex('pcx', v),
        Status: { Code: 'active' },
        RequesterVpcInfo: { VpcId: vpcId, OwnerId: '111122223333', Region: 'us-east-1', CidrBlock: vpcCidr(v) },
        AccepterVpcInfo: {
          VpcId: hex('vpc', v + 1),
          OwnerId: '111122223333',
          Region: 'us-east-1',
          CidrBlock: vpcCidr(v + 1),
        },
      });
    }
    const allowAll = (egress: boolean, n: number) => ({
      RuleNumber: n,
      Egress: egress,
      Protocol: '-1',
      RuleAction: 'allow',
      CidrBlock: '0.0.0.0/0',
    });
    const star = (egress: boolean) => ({ ...allowAll(egress, 32767), RuleAction: 'deny' });
    const custom: Json[] = [];
    for (let e = 0; e < 9; e++) {
      custom.push({
        RuleNumber: 100 + e * 10,
        Egress: false,
        Protocol: '6',
        RuleAction: e % 3 === 0 ? 'deny' : 'allow',
        CidrBlock: `172.${16 + e}.0.0/16`,
        PortRange: { From: 1000 + e, To: 2000 + e },
      });
    }
    NetworkAcls.push({
      NetworkAclId: hex('acl', v * 2),
      VpcId: vpcId,
      IsDefault: true,
      Entries: [allowAll(false, 100), allowAll(true, 100), star(false), star(true)],
      Associations: [0, 1, 2].map((s) => ({ NetworkAclId: hex('acl', v * 2), SubnetId: hex('subnet', v * 5 + s) })),
    });
    NetworkAcls.push({
      NetworkAclId: hex('acl', v * 2 + 1),
      VpcId: vpcId,
      IsDefault: false,
      Entries: [
        ...custom,
        { ...allowAll(false, 500) },
        ...custom.map((e) => ({ ...e, Egress: true })),
        allowAll(true, 500),
        star(false),
        star(true),
      ],
      Associations: [3, 4].map((s) => ({ NetworkAclId: hex('acl', v * 2 + 1), SubnetId: hex('subnet', v * 5 + s) })),
    });
    for (let g = 0; g < 20; g++) {
      const gid = hex('sg', v * 20 + g);
      const perms: Json[] = [];
      for (let r = 0; r < 9; r++) {
        perms.push({
          IpProtocol: 'tcp',
          FromPort: 1000 + r * 100 + g,
          ToPort: 1000 + r * 100 + g,
          IpRanges: [{ CidrIp: `172.${16 + r}.${g}.0/24` }],
          UserIdGroupPairs: [],
          PrefixListIds: [],
        });
      }
      perms.push({
        IpProtocol: 'icmp',
        FromPort: 8,
        ToPort: -1,
        IpRanges: [{ CidrIp: '10.0.0.0/8' }],
        UserIdGroupPairs: [],
      });
      SecurityGroups.push({
        GroupId: gid,
        GroupName: `g${v}-${g}`,
        VpcId: vpcId,
        OwnerId: '111122223333',
        IpPermissions: perms,
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [] }],
      });
    }
    for (let s = 0; s < 5; s++) {
      const subnetId = hex('subnet', v * 5 + s);
      Subnets.push({
        SubnetId: subnetId,
        VpcId: vpcId,
        CidrBlock: subnetCidr(v, s),
        AvailabilityZone: `us-east-1${'abc'[s % 3]}`,
        State: 'available',
      });
      for (let e = 0; e < 10; e++) {
        const ip = `${net(v)}.${((v & 15) << 4) + s}.${10 + e}`;
        const eniId = hex('eni', eniN);
        const instanceId = hex('i', eniN);
        eniN++;
        const groups = [0, 1].map((k) => {
          const g = v * 20 + Math.floor(rand() * 20) + k * 0;
          return { GroupId: hex('sg', g), GroupName: `g${g}` };
        });
        NetworkInterfaces.push({
          NetworkInterfaceId: eniId,
          SubnetId: subnetId,
          VpcId: vpcId,
          InterfaceType: 'interface',
          PrivateIpAddress: ip,
          PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
          Groups: groups,
          SourceDestCheck: true,
          Status: 'in-use',
          Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: 'attached' },
        });
        Reservations.push({
          ReservationId: hex('r', eniN),
          Instances: [
            {
              InstanceId: instanceId,
              State: { Name: 'running', Code: 16 },
              SubnetId: subnetId,
              VpcId: vpcId,
              PrivateIpAddress: ip,
              Placement: { AvailabilityZone: `us-east-1${'abc'[s % 3]}` },
              NetworkInterfaces: [{ NetworkInterfaceId: eniId, Attachment: { DeviceIndex: 0 }, Groups: groups }],
              Tags: [{ Key: 'Name', Value: `host-${eniN}` }],
            },
          ],
        });
        enis.push({ eni: eniId, instance: instanceId, ip, vpc: v, subnet: s });
      }
    }
  }
  const data: Record<string, unknown> = {
    Vpcs,
    Subnets,
    RouteTables,
    NetworkAcls,
    SecurityGroups,
    NetworkInterfaces,
    Reservations,
    InternetGateways,
    VpcPeeringConnections,
    TransitGateways: [
      {
        TransitGatewayId: tgwId,
        OwnerId: '111122223333',
        State: 'available',
        Options: { AssociationDefaultRouteTableId: tgwRtb, PropagationDefaultRouteTableId: tgwRtb },
      },
    ],
    TransitGatewayAttachments,
    TransitGatewayVpcAttachments,
    TransitGatewayRouteTables: [
      {
        TransitGatewayRouteTableId: tgwRtb,
        TransitGatewayId: tgwId,
        State: 'available',
        DefaultAssociationRouteTable: true,
        DefaultPropagationRouteTable: true,
      },
    ],
    TransitGatewayPropagations: [
      {
        TransitGatewayRouteTableId: tgwRtb,
        TransitGatewayRouteTablePropagations: TransitGatewayAttachments.map((a) => ({
          TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
          ResourceId: a.ResourceId,
          ResourceType: 'vpc',
          State: 'enabled',
        })),
      },
    ],
  };
  return {
    files: Object.entries(data).map(([k, v]) => ({
      path: `synthetic/${k}.json`,
      data: { [k]: v },
      region: 'us-east-1',
    })),
    enis,
    counts: {
      vpcs: Vpcs.length,
      subnets: Subnets.length,
      routeTables: RouteTables.length,
      networkAcls: NetworkAcls.length,
      securityGroups: SecurityGroups.length,
      sgRules: SecurityGroups.length * 10,
      enis: NetworkInterfaces.length,
      tgwAttachments: TransitGatewayAttachments.length,
    },
  };
}

/** A query as a user types it (instance ids, addresses), with the class it stands for. */
export interface ClassQuery {
  kind: QueryClass;
  from: string;
  to: string;
  protocol: Protocol;
  port: number | null;
}

/** A question of a class asked as a user's process asks it: resolve the ends, then diagnose. */
export function askClass(s: Snapshot, q: ClassQuery): Diagnosis {
  return diagnose(s, { from: q.from, to: q.to, protocol: q.protocol, port: q.port }, resolveEndpoints(s, q.from, q.to));
}

export const QUERY_CLASSES = ['neighbour', 'cross-vpc', 'no-route', 'internet', 'tgw', 'unheld'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

/**
 * `n` queries of one class, drawn with `rand` (seeded by the caller, so every run asks the same); query `i` (counted
 * from `first`) is TCP when odd, ICMP when even.
 */
export function queriesOf(account: Account, kind: QueryClass, n: number, rand: () => number, first = 0): ClassQuery[] {
  const all = account.enis;
  const pickFrom = (xs: Account['enis']) => xs[Math.floor(rand() * xs.length)] as Account['enis'][number];
  const noRoute = all.filter((e) => e.vpc % 10 === 9 && e.subnet === 4);
  const onTgw = all.filter((e) => e.vpc % 4 === 0);
  const out: ClassQuery[] = [];
  for (let i = first; i < first + n; i++) {
    const tcp = i % 2 === 1;
    const proto = { protocol: (tcp ? 'tcp' : 'icmp') as Protocol, port: tcp ? 1000 + (i % 1000) : null };
    let a = pickFrom(all);
    let to: string;
    if (kind === 'neighbour') {
      const near = all.filter((e) => Math.abs(e.vpc - a.vpc) <= 1 && e.eni !== a.eni);
      to = pickFrom(near.length > 0 ? near : all).instance;
    } else if (kind === 'cross-vpc') {
      to = pickFrom(all).instance;
    } else if (kind === 'no-route') {
      a = pickFrom(noRoute.length > 0 ? noRoute : all);
      to = pickFrom(all).ip;
    } else if (kind === 'tgw') {
      a = pickFrom(onTgw);
      to = pickFrom(onTgw).instance;
    } else if (kind === 'unheld') {
      to = `10.250.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 250)}`;
    } else {
      if (tcp) out.push({ kind, from: 'internet', to: a.instance, protocol: 'tcp', port: 22 });
      else out.push({ kind, from: a.instance, to: '8.8.8.8', protocol: 'tcp', port: 443 });
      continue;
    }
    out.push({ kind, from: a.instance, to, ...proto });
  }
  return out;
}
