/**
 * Load balancers and interface endpoints for SnapshotBuilder worlds: each node is a real interface of the world
 * (`ELB net/<name>/<id>`), and the elbv2 describe-* keys come as one more raw file, as the AWS CLI prints them.
 */
import type { RawSnapshotFile, Snapshot } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { ACCOUNT, idFor, REGION, type SnapshotBuilder } from './builder.js';

export interface LbSpec {
  name: string;
  type?: 'network' | 'application';
  scheme?: 'internet-facing' | 'internal';
  /** One node per subnet: the interface name, its subnet, private and (internet-facing) public address. */
  nodes: { subnet: string; ip: string; publicIp?: string }[];
  /** Its security groups (builder names); none = an NLB created without groups. */
  groups?: string[];
  listeners: { port: number; protocol?: string; targetGroup?: string; action?: string }[];
  crossZone?: boolean;
}

export interface TgSpec {
  name: string;
  vpc: string;
  targetType?: 'instance' | 'ip';
  protocol?: string;
  port: number;
  /** Instance names (instance targets) or addresses (ip targets). */
  targets: { id: string; port?: number; health?: string }[];
  attributes?: Record<string, string>;
}

export const lbArn = (name: string, type: 'network' | 'application' = 'network') =>
  `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${type === 'network' ? 'net' : 'app'}/${name}/50dc6c495c0c9188`;
export const tgArn = (name: string) =>
  `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/73e2d6bc24d8a067`;
export const lbDns = (name: string) => `${name}-50dc6c495c0c9188.elb.${REGION}.amazonaws.com`;

/** Adds each load balancer's node interfaces to the world. Call before `build()`. */
export function addLoadBalancerNodes(b: SnapshotBuilder, lbs: LbSpec[]): void {
  for (const lb of lbs) {
    const type = lb.type ?? 'network';
    for (const [i, n] of lb.nodes.entries()) {
      b.addInterface(`${lb.name}-node${i}`, {
        subnet: n.subnet,
        ip: n.ip,
        interfaceType: type === 'network' ? 'network_load_balancer' : 'interface',
        description: `ELB ${type === 'network' ? 'net' : 'app'}/${lb.name}/50dc6c495c0c9188`,
        groups: lb.groups ?? [],
        ...(n.publicIp ? { publicIp: n.publicIp } : {}),
      });
    }
  }
}

/** The elbv2 describe-* keys of the given load balancers and target groups. */
export function elbFile(b: SnapshotBuilder, lbs: LbSpec[], tgs: TgSpec[]): RawSnapshotFile {
  const data = {
    LoadBalancers: lbs.map((lb) => ({
      LoadBalancerArn: lbArn(lb.name, lb.type),
      LoadBalancerName: lb.name,
      DNSName: lbDns(lb.name),
      Scheme: lb.scheme ?? 'internet-facing',
      Type: lb.type ?? 'network',
      VpcId: b.id(vpcOfNode(b, lb), 'vpc'),
      State: { Code: 'active' },
      IpAddressType: 'ipv4',
      ...(lb.groups?.length ? { SecurityGroups: lb.groups.map((g) => b.id(g, 'sg')) } : {}),
      AvailabilityZones: lb.nodes.map((n) => ({
        SubnetId: b.id(n.subnet, 'subnet'),
        ZoneName: `${REGION}${zoneLetter(b, n.subnet)}`,
        LoadBalancerAddresses: n.publicIp ? [{ IpAddress: n.publicIp, AllocationId: idFor('eipalloc', n.ip) }] : [],
      })),
    })),
    LoadBalancerListeners: lbs.map((lb) => ({
      LoadBalancerArn: lbArn(lb.name, lb.type),
      Listeners: lb.listeners.map((l) => ({
        ListenerArn: `${lbArn(lb.name, lb.type).replace(':loadbalancer/', ':listener/')}/${l.port}`,
        LoadBalancerArn: lbArn(lb.name, lb.type),
        Port: l.port,
        Protocol: l.protocol ?? (lb.type === 'application' ? 'HTTP' : 'TCP'),
        DefaultActions: [
          l.targetGroup
            ? { Type: 'forward', Order: 1, TargetGroupArn: tgArn(l.targetGroup) }
            : { Type: l.action ?? 'fixed-response', Order: 1 },
        ],
      })),
    })),
    LoadBalancerAttributes: lbs.map((lb) => ({
      LoadBalancerArn: lbArn(lb.name, lb.type),
      Attributes: [
        { Key: 'load_balancing.cross_zone.enabled', Value: String(lb.crossZone ?? lb.type === 'application') },
      ],
    })),
    TargetGroups: tgs.map((tg) => ({
      TargetGroupArn: tgArn(tg.name),
      TargetGroupName: tg.name,
      TargetType: tg.targetType ?? 'instance',
      Protocol: tg.protocol ?? 'TCP',
      Port: tg.port,
      VpcId: b.id(tg.vpc, 'vpc'),
      LoadBalancerArns: lbs
        .filter((lb) => lb.listeners.some((l) => l.targetGroup === tg.name))
        .map((lb) => lbArn(lb.name, lb.type)),
    })),
    LoadBalancerTargetHealth: tgs.map((tg) => ({
      TargetGroupArn: tgArn(tg.name),
      TargetHealthDescriptions: tg.targets.map((t) => ({
        Target: { Id: (tg.targetType ?? 'instance') === 'instance' ? b.id(t.id, 'i') : t.id, Port: t.port ?? tg.port },
        HealthCheckPort: String(t.port ?? tg.port),
        TargetHealth: { State: t.health ?? 'healthy' },
      })),
    })),
    TargetGroupAttributes: tgs
      .filter((tg) => tg.attributes)
      .map((tg) => ({
        TargetGroupArn: tgArn(tg.name),
        Attributes: Object.entries(tg.attributes ?? {}).map(([Key, Value]) => ({ Key, Value })),
      })),
  };
  return { path: 'elbv2.json', data, region: REGION, accountId: ACCOUNT };
}

function vpcOfNode(b: SnapshotBuilder, lb: LbSpec): string {
  return b.vpcOfSubnet(lb.nodes[0]?.subnet ?? '');
}

function zoneLetter(b: SnapshotBuilder, subnet: string): string {
  return b.azOfSubnet(subnet).slice(-1);
}

/** The world with its load balancers: nodes added, the elbv2 file appended, loaded through the real loader. */
export function withLoadBalancers(
  b: SnapshotBuilder,
  lbs: LbSpec[],
  tgs: TgSpec[],
  extra: RawSnapshotFile[] = [],
): Snapshot {
  addLoadBalancerNodes(b, lbs);
  return buildSnapshot([...b.build(), elbFile(b, lbs, tgs), ...extra]);
}
