/**
 * A small normalized Snapshot built by hand for the probe tests (the loader only supplies the empty shell): one VPC, one
 * subnet with its route table, one instance with one ENI and one security group. Change it with the helpers.
 */
import type {
  Diagnosis,
  Instance,
  InstanceId,
  NetworkInterface,
  ResolvedEndpoint,
  Route,
  RouteTable,
  SecurityGroup,
  Snapshot,
  SubnetId,
  VpcEndpoint,
  VpcId,
} from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/index.js';

export const VPC: VpcId = 'vpc-0a1b2c3d4e5f60718';
export const SUBNET: SubnetId = 'subnet-0aaa1111bbbb2222c';
export const RTB = 'rtb-0a1b2c3d4e5f60718' as const;
export const INSTANCE: InstanceId = 'i-0123456789abcdef0';
export const ENI = 'eni-0123456789abcdef0' as const;
export const SG = 'sg-0123456789abcdef0' as const;

/** A snapshot with nothing in it (the loader given no files), filled in by the helpers below. */
export function emptySnapshot(): Snapshot {
  return buildSnapshot([]);
}

const ALL_OUT: SecurityGroup['egress'][number] = {
  direction: 'egress',
  protocol: 'all',
  fromPort: null,
  toPort: null,
  peer: { kind: 'cidr', cidr: '0.0.0.0/0' },
  text: 'outbound All traffic to 0.0.0.0/0',
};

/** One VPC 10.1.0.0/16, one subnet, its route table with only `local`, one running Linux instance without a public IP. */
export function privateWorld(
  opts: { routes?: Route[]; publicIp?: string; egress?: SecurityGroup['egress'] } = {},
): Snapshot {
  const s = emptySnapshot();
  s.vpcs.set(VPC, { id: VPC, cidrs: ['10.1.0.0/16'], ipv6Cidrs: [], isDefault: false, tags: {} });
  s.subnets.set(SUBNET, {
    id: SUBNET,
    vpcId: VPC,
    cidr: '10.1.0.0/24',
    ipv6Cidrs: [],
    mapPublicIpOnLaunch: false,
    tags: {},
  });
  const table: RouteTable = {
    id: RTB,
    vpcId: VPC,
    routes: [
      {
        destination: { kind: 'cidr', cidr: '10.1.0.0/16' },
        target: { kind: 'local' },
        state: 'active',
        text: '10.1.0.0/16 → local',
      },
      ...(opts.routes ?? []),
    ],
    subnetIds: [SUBNET],
    isMain: false,
    gatewayIds: [],
    tags: {},
  };
  s.routeTables.set(RTB, table);
  s.index.subnetRouteTable.set(SUBNET, RTB);
  s.securityGroups.set(SG, {
    id: SG,
    vpcId: VPC,
    groupName: 'web',
    ingress: [],
    egress: opts.egress ?? [ALL_OUT],
    tags: {},
  });
  const eni: NetworkInterface = {
    id: ENI,
    subnetId: SUBNET,
    vpcId: VPC,
    privateIps: [{ address: '10.1.0.12', primary: true, ...(opts.publicIp ? { publicIp: opts.publicIp } : {}) }],
    ipv6Addresses: [],
    groupIds: [SG],
    sourceDestCheck: true,
    interfaceType: 'interface',
    requesterManaged: false,
    attachment: { instanceId: INSTANCE, deviceIndex: 0 },
    tags: {},
  };
  s.networkInterfaces.set(ENI, eni);
  const instance: Instance = {
    id: INSTANCE,
    state: 'running',
    name: 'web-1',
    vpcId: VPC,
    subnetId: SUBNET,
    privateIp: '10.1.0.12',
    ...(opts.publicIp ? { publicIp: opts.publicIp } : {}),
    networkInterfaceIds: [ENI],
    platform: 'linux',
    tags: { Name: 'web-1' },
  };
  s.instances.set(INSTANCE, instance);
  return s;
}

export function withIgw(s: Snapshot, igw: `igw-${string}`, attached = true): Snapshot {
  s.internetGateways.set(igw, { id: igw, attachedVpcIds: attached ? [VPC] : [], tags: {} });
  if (attached) s.index.vpcInternetGateways.set(VPC, [igw]);
  return s;
}

export function withEndpoint(s: Snapshot, service: string, state = 'available'): Snapshot {
  const id = `vpce-0${service.padEnd(16, '0').slice(0, 16)}` as `vpce-${string}`;
  const e: VpcEndpoint = {
    id,
    type: 'Interface',
    vpcId: VPC,
    serviceName: `com.amazonaws.us-east-1.${service}`,
    state,
    routeTableIds: [],
    subnetIds: [SUBNET],
    networkInterfaceIds: [],
    groupIds: [],
    tags: {},
  };
  s.vpcEndpoints.set(id, e);
  return s;
}

export function endpoint(p: Partial<ResolvedEndpoint> & { input: string }): ResolvedEndpoint {
  return { kind: 'instance', ip: null, ...p };
}

/** A diagnosis web-1 (10.1.0.12) → db-1 (10.2.4.95) with the given verdict and finding codes. */
export function diagnosisOf(
  reachable: boolean | null,
  opts: {
    protocol?: 'icmp' | 'tcp' | 'udp';
    port?: number | null;
    codes?: Diagnosis['findings'][number]['code'][];
  } = {},
): Diagnosis {
  const protocol = opts.protocol ?? 'icmp';
  return {
    query: { from: 'web-1', to: 'db-1', protocol, port: protocol === 'icmp' ? null : (opts.port ?? null) },
    endpoints: {
      from: endpoint({ input: 'web-1', id: INSTANCE, instanceId: INSTANCE, ip: '10.1.0.12', eni: ENI, name: 'web-1' }),
      to: endpoint({
        input: 'db-1',
        id: 'i-0fedcba9876543210',
        instanceId: 'i-0fedcba9876543210',
        ip: '10.2.4.95',
        name: 'db-1',
      }),
    },
    reachable,
    notAnalyzed:
      reachable === null
        ? { component: 'network-interface', id: 'eni-0abc', reason: 'a load balancer is on the path' }
        : null,
    forward: [],
    return: [],
    findings: (opts.codes ?? []).map((code) => ({
      code,
      awsCode: null,
      direction: 'forward' as const,
      resource: 'sg-0fedcba9876543210',
      message: `${code} message`,
      fix: null,
    })),
    warnings: [],
    probe: null,
  };
}
