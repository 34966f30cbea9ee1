/**
 * Can the SSM Agent on an instance reach the Systems Manager endpoints, as far as the snapshot shows? Used to say why
 * an instance is not a managed node ("no path to the SSM endpoints: subnet-… routes 0.0.0.0/0 nowhere and the VPC has
 * no ssm endpoints"). Pure: snapshot in, verdict and words out.
 */
import type { InstanceId, Route, Snapshot, SubnetId, VpcId } from '../model/index.js';

/** The interface endpoints the agent talks to. ec2messages is only needed by older agents (ssmmessages replaces it). */
const SSM_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;

export interface SsmPathCheck {
  /** true: a path exists as far as the model sees; false: none; null: the snapshot cannot say (outside the model). */
  ok: boolean | null;
  /** How the agent gets out: `vpc-endpoints`, `internet-gateway`, `nat-gateway`, or what blocks. */
  via: 'vpc-endpoints' | 'internet-gateway' | 'nat-gateway' | 'none' | 'unknown';
  /** One sentence in plain words, naming the subnet, route and gateway. */
  detail: string;
}

function serviceOf(serviceName: string): string {
  // com.amazonaws.us-east-1.ssm → ssm
  return serviceName.slice(serviceName.lastIndexOf('.') + 1).toLowerCase();
}

function defaultRoute(snapshot: Snapshot, subnetId: SubnetId): { route: Route | null; tableId: string | null } {
  const tableId = snapshot.index.subnetRouteTable.get(subnetId) ?? null;
  const table = tableId ? snapshot.routeTables.get(tableId as `rtb-${string}`) : undefined;
  const route = table?.routes.find((r) => r.destination.kind === 'cidr' && r.destination.cidr === '0.0.0.0/0') ?? null;
  return { route, tableId };
}

function endpointsIn(snapshot: Snapshot, vpcId: VpcId): Set<string> {
  const found = new Set<string>();
  for (const e of snapshot.vpcEndpoints.values()) {
    if (e.vpcId !== vpcId || e.type.toLowerCase() !== 'interface' || e.state.toLowerCase() !== 'available') continue;
    const service = serviceOf(e.serviceName);
    if ((SSM_SERVICES as readonly string[]).includes(service)) found.add(service);
  }
  return found;
}

function publicIpOf(snapshot: Snapshot, instanceId: InstanceId): string | null {
  const instance = snapshot.instances.get(instanceId);
  if (instance?.publicIp) return instance.publicIp;
  for (const eniId of instance?.networkInterfaceIds ?? []) {
    const eni = snapshot.networkInterfaces.get(eniId);
    const ip = eni?.privateIps.find((p) => p.publicIp)?.publicIp;
    if (ip) return ip;
  }
  return null;
}

/** True when some security group of the instance's primary ENI allows outbound tcp/443 (the agent speaks HTTPS). */
function egressAllowsHttps(snapshot: Snapshot, instanceId: InstanceId): boolean | null {
  const instance = snapshot.instances.get(instanceId);
  const eniId = instance?.networkInterfaceIds[0];
  const eni = eniId ? snapshot.networkInterfaces.get(eniId) : undefined;
  if (!eni) return null;
  const groups = eni.groupIds.map((id) => snapshot.securityGroups.get(id));
  if (groups.some((g) => g === undefined)) return null;
  return groups.some((g) =>
    g?.egress.some(
      (r) =>
        r.protocol === 'all' ||
        ((r.protocol === 'tcp' || r.protocol === 6) && (r.fromPort ?? 0) <= 443 && (r.toPort ?? 65535) >= 443),
    ),
  );
}

/**
 * Checks, with the snapshot, whether the instance has a path to the SSM endpoints: interface endpoints for ssm and
 * ssmmessages (and ec2messages for older agents) in its VPC, or a default route to an attached internet gateway
 * (with a public IP) or to an available NAT gateway. Its security groups must allow outbound tcp/443.
 */
export function checkSsmPath(snapshot: Snapshot, instanceId: InstanceId): SsmPathCheck {
  const instance = snapshot.instances.get(instanceId);
  if (!instance) return { ok: null, via: 'unknown', detail: `${instanceId} is not in the snapshot` };
  const primary = instance.networkInterfaceIds[0]
    ? snapshot.networkInterfaces.get(instance.networkInterfaceIds[0])
    : undefined;
  const subnetId = instance.subnetId ?? primary?.subnetId;
  const vpcId = instance.vpcId ?? primary?.vpcId;
  if (!subnetId || !vpcId) return { ok: null, via: 'unknown', detail: `the snapshot has no subnet for ${instanceId}` };

  const https = egressAllowsHttps(snapshot, instanceId);
  const noHttps =
    https === false ? `; besides, the security groups of ${instanceId} allow no outbound HTTPS (tcp/443)` : '';
  const blockedByGroups = (c: SsmPathCheck): SsmPathCheck =>
    https === false && c.ok
      ? {
          ok: false,
          via: c.via,
          detail: `${c.detail}, but the security groups of ${instanceId} allow no outbound HTTPS (tcp/443)`,
        }
      : c;

  const endpoints = endpointsIn(snapshot, vpcId);
  if (endpoints.has('ssm') && endpoints.has('ssmmessages')) {
    const missing = endpoints.has('ec2messages')
      ? ''
      : ' (no ec2messages endpoint: older SSM Agent versions need one too)';
    return blockedByGroups({
      ok: true,
      via: 'vpc-endpoints',
      detail: `${vpcId} has interface endpoints for ${[...endpoints].sort().join(', ')}${missing}`,
    });
  }
  const endpointWords =
    endpoints.size === 0
      ? `${vpcId} has no ssm endpoints`
      : `${vpcId} has endpoints for ${[...endpoints].sort().join(', ')} only (ssm and ssmmessages are both needed)`;

  const { route, tableId } = defaultRoute(snapshot, subnetId);
  if (!route) {
    return {
      ok: false,
      via: 'none',
      detail: `no path to the SSM endpoints: ${subnetId} routes 0.0.0.0/0 nowhere${tableId ? ` (${tableId})` : ''} and ${endpointWords}${noHttps}`,
    };
  }
  if (route.state === 'blackhole') {
    return {
      ok: false,
      via: 'none',
      detail: `no path to the SSM endpoints: the 0.0.0.0/0 route of ${subnetId} (${route.text}) is a blackhole and ${endpointWords}${noHttps}`,
    };
  }
  const t = route.target;
  if (t.kind === 'internet-gateway') {
    const attached = snapshot.index.vpcInternetGateways.get(vpcId)?.includes(t.id) ?? false;
    if (!attached) {
      return {
        ok: false,
        via: 'none',
        detail: `no path to the SSM endpoints: ${subnetId} routes 0.0.0.0/0 to ${t.id}, which is not attached to ${vpcId}, and ${endpointWords}${noHttps}`,
      };
    }
    const publicIp = publicIpOf(snapshot, instanceId);
    if (!publicIp) {
      return {
        ok: false,
        via: 'none',
        detail: `no path to the SSM endpoints: ${subnetId} routes 0.0.0.0/0 to ${t.id} but ${instanceId} has no public IP, and ${endpointWords}${noHttps}`,
      };
    }
    return blockedByGroups({
      ok: true,
      via: 'internet-gateway',
      detail: `${subnetId} routes 0.0.0.0/0 to ${t.id} and ${instanceId} has the public IP ${publicIp}`,
    });
  }
  if (t.kind === 'nat-gateway') {
    const nat = snapshot.natGateways.get(t.id);
    if (nat && nat.state !== 'available') {
      return {
        ok: false,
        via: 'none',
        detail: `no path to the SSM endpoints: ${subnetId} routes 0.0.0.0/0 to ${t.id}, which is ${nat.state}, and ${endpointWords}${noHttps}`,
      };
    }
    return blockedByGroups({
      ok: nat ? true : null,
      via: 'nat-gateway',
      detail: `${subnetId} routes 0.0.0.0/0 to ${t.id}${nat ? '' : ' (not in the snapshot)'}`,
    });
  }
  if (t.kind === 'local') {
    return {
      ok: false,
      via: 'none',
      detail: `no path to the SSM endpoints: ${subnetId} routes 0.0.0.0/0 locally and ${endpointWords}`,
    };
  }
  return {
    ok: null,
    via: 'unknown',
    detail: `${subnetId} routes 0.0.0.0/0 to ${t.id} (${t.kind}), which whyping does not follow, and ${endpointWords}`,
  };
}

/** Plain-words reason a probe was skipped because the instance is not an Online managed node. */
export function unmanagedReason(
  instanceId: string,
  info: { pingStatus?: string; lastPing?: Date } | null,
  path: SsmPathCheck | null,
): string {
  const head = info
    ? `The SSM Agent on ${instanceId} is not online (PingStatus ${info.pingStatus ?? 'unknown'}${
        info.lastPing ? `, last seen ${info.lastPing.toISOString()}` : ''
      }), so no probe can run on it.`
    : `${instanceId} is not a managed node in Systems Manager, so no probe can run on it.`;
  const profile =
    'no instance profile with AmazonSSMManagedInstanceCore (and no Default Host Management Configuration)';
  const agent = info
    ? 'the instance is stopped or the SSM Agent stopped'
    : 'the SSM Agent is not installed or not running';
  if (path?.ok === false) {
    return `${head} Most likely ${path.detail}. Other causes: ${profile}; ${agent}.`;
  }
  if (path?.ok === true) {
    return `${head} The snapshot shows a path to the SSM endpoints (${path.detail}), so look first at: ${profile}; ${agent}.`;
  }
  const where = path ? ` (${path.detail})` : '';
  return `${head} Likely causes: ${profile}; ${agent}; no path to the SSM endpoints${where}.`;
}
