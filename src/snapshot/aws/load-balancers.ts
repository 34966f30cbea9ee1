/**
 * Elastic Load Balancing v2 normalized: load balancers (with their nodes linked to subnets and interfaces, their
 * listeners and attributes), target groups (with their registered targets and health), and the lookups the resolver
 * and the engine use (a node's interface → its load balancer, names and DNS names → load balancers, interface
 * endpoints by interface and DNS name). Input: the describe-* keys as the AWS CLI prints them
 * (`aws elbv2 describe-load-balancers`, `describe-listeners`, `describe-target-groups`, `describe-target-health`,
 * `describe-load-balancer-attributes`, `describe-target-group-attributes`).
 */
import type {
  InstanceId,
  LoadBalancer,
  LoadBalancerListener,
  LoadBalancerNode,
  LoadBalancing,
  NetworkInterface,
  NetworkInterfaceId,
  SecurityGroupId,
  SubnetId,
  Target,
  TargetGroup,
  VpcEndpoint,
  VpcId,
} from '../../model/index.js';
import type { FileOrigin } from '../merge.js';
import type { Parsed } from '../schema.js';

type Item<K extends keyof ElbInputs> = ElbInputs[K][number]['value'];
type Sourced<T> = { value: T; file: FileOrigin };
type Elem<T> = T extends readonly (infer U)[] ? U : never;

/** The elbv2 keys of a snapshot, each item with the file it came from. */
export interface ElbInputs {
  LoadBalancers: Sourced<Elem<Parsed<'LoadBalancers'>>>[];
  LoadBalancerListeners: Sourced<Elem<Parsed<'LoadBalancerListeners'>>>[];
  TargetGroups: Sourced<Elem<Parsed<'TargetGroups'>>>[];
  LoadBalancerTargetHealth: Sourced<Elem<Parsed<'LoadBalancerTargetHealth'>>>[];
  LoadBalancerAttributes: Sourced<Elem<Parsed<'LoadBalancerAttributes'>>>[];
  TargetGroupAttributes: Sourced<Elem<Parsed<'TargetGroupAttributes'>>>[];
}

/** `app/name/id` from `arn:aws:elasticloadbalancing:…:loadbalancer/app/name/id` (what node interfaces name). */
export function loadBalancerKey(arn: string): string | null {
  const i = arn.indexOf(':loadbalancer/');
  return i < 0 ? null : arn.slice(i + ':loadbalancer/'.length);
}

/** Region and account from an ARN (`arn:partition:service:region:account:…`). */
function arnOrigin(arn: string): { region?: string; accountId?: string } {
  const parts = arn.split(':');
  const out: { region?: string; accountId?: string } = {};
  if (parts[3]) out.region = parts[3];
  if (parts[4]) out.accountId = parts[4];
  return out;
}

function attributeMap(list: { Key: string; Value?: string | null | undefined }[] | null | undefined) {
  const out: Record<string, string> = {};
  for (const a of list ?? []) out[a.Key] = a.Value ?? '';
  return out;
}

function listenerOf(l: Elem<NonNullable<Item<'LoadBalancerListeners'>['Listeners']>>): LoadBalancerListener | null {
  if (l.Port === null || l.Port === undefined) return null;
  const actions = [...(l.DefaultActions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  // The last action is the one that decides (authenticate-* actions come before it).
  const decisive = actions[actions.length - 1];
  const groups = new Set<string>();
  for (const tg of decisive?.ForwardConfig?.TargetGroups ?? []) if (tg.TargetGroupArn) groups.add(tg.TargetGroupArn);
  if (decisive?.TargetGroupArn) groups.add(decisive.TargetGroupArn);
  return {
    arn: l.ListenerArn ?? '',
    port: l.Port,
    protocol: (l.Protocol ?? 'TCP').toUpperCase(),
    defaultAction: decisive?.Type ?? 'forward',
    targetGroupArns: [...groups],
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}

/**
 * Builds the load balancing part of a snapshot, or undefined when the snapshot has neither elbv2 data nor interface
 * endpoints. `warn` reports references the data does not hold (a listener of an unknown load balancer …).
 */
export function buildLoadBalancing(
  inp: ElbInputs,
  ctx: {
    networkInterfaces: Map<NetworkInterfaceId, NetworkInterface>;
    subnets: Map<SubnetId, { availabilityZone?: string }>;
    vpcEndpoints: Map<`vpce-${string}`, VpcEndpoint>;
    presentKeys: Set<string>;
  },
  warn: (code: string, message: string, resourceIds: string[]) => void,
): LoadBalancing | undefined {
  const interfaceEndpoints = [...ctx.vpcEndpoints.values()].filter((e) => e.networkInterfaceIds.length > 0);
  if (!ctx.presentKeys.has('LoadBalancers') && interfaceEndpoints.length === 0) return undefined;

  // Node interfaces by the load balancer they carry (`ELB net/name/id`).
  const nodeEnis = new Map<string, NetworkInterface[]>();
  for (const eni of ctx.networkInterfaces.values()) {
    // `ELB net/…` (NLB, type network_load_balancer), `ELB app/…` (ALB, type interface).
    const m = /^ELB ((?:net|app|gwy)\/\S+)$/.exec(eni.description ?? '');
    if (m?.[1]) pushTo(nodeEnis, m[1], eni);
  }

  const attributes = new Map<string, Record<string, string>>();
  for (const { value } of inp.LoadBalancerAttributes)
    attributes.set(value.LoadBalancerArn, attributeMap(value.Attributes));

  const loadBalancers = new Map<string, LoadBalancer>();
  const byEni = new Map<NetworkInterfaceId, string>();
  const byName = new Map<string, string[]>();
  for (const { value: raw, file } of inp.LoadBalancers) {
    const arn = raw.LoadBalancerArn;
    if (loadBalancers.has(arn)) continue;
    const key = loadBalancerKey(arn);
    const enis = key ? (nodeEnis.get(key) ?? []) : [];
    const nodes: LoadBalancerNode[] = [];
    for (const z of raw.AvailabilityZones ?? []) {
      if (!z.SubnetId) continue;
      const subnetId = z.SubnetId as SubnetId;
      const eni = enis.find((e) => e.subnetId === subnetId);
      const addr = (z.LoadBalancerAddresses ?? [])[0];
      const node: LoadBalancerNode = { subnetId };
      const az = z.ZoneName ?? ctx.subnets.get(subnetId)?.availabilityZone;
      if (az) node.availabilityZone = az;
      if (eni) {
        node.networkInterfaceId = eni.id;
        byEni.set(eni.id, arn);
      }
      const privateIp = addr?.PrivateIPv4Address ?? eni?.privateIps[0]?.address;
      if (privateIp) node.privateIp = privateIp;
      const publicIp = addr?.IpAddress ?? eni?.privateIps[0]?.publicIp;
      if (publicIp) node.publicIp = publicIp;
      if (addr?.AllocationId) node.allocationId = addr.AllocationId as `eipalloc-${string}`;
      nodes.push(node);
    }
    // Interfaces the zones did not name (an ALB may hold several per zone): each carries the load balancer too.
    for (const eni of enis) if (!byEni.has(eni.id)) byEni.set(eni.id, arn);
    const attrs = attributes.get(arn) ?? {};
    const cz = attrs['load_balancing.cross_zone.enabled'];
    const lb: LoadBalancer = {
      arn,
      name: raw.LoadBalancerName ?? key?.split('/')[1] ?? arn,
      type: (raw.Type ?? (key?.startsWith('app/') ? 'application' : 'network')).toLowerCase(),
      scheme: raw.Scheme === 'internal' ? 'internal' : 'internet-facing',
      state: raw.State?.Code ?? 'active',
      vpcId: (raw.VpcId ?? enis[0]?.vpcId ?? '') as VpcId,
      securityGroupIds: (raw.SecurityGroups ?? []) as SecurityGroupId[],
      nodes,
      listeners: [],
      crossZone: cz === undefined ? null : cz === 'true',
      attributes: attrs,
      tags: {},
    };
    if (raw.DNSName) lb.dnsName = raw.DNSName;
    const origin = arnOrigin(arn);
    lb.region = origin.region ?? file.region;
    const account = origin.accountId ?? file.accountId;
    if (account) lb.accountId = account;
    loadBalancers.set(arn, lb);
    pushTo(byName, lb.name.toLowerCase(), arn);
    if (lb.dnsName) {
      const dns = lb.dnsName.toLowerCase().replace(/\.$/, '');
      pushTo(byName, dns, arn);
      pushTo(byName, `dualstack.${dns}`, arn);
    }
  }

  for (const { value } of inp.LoadBalancerListeners) {
    for (const l of value.Listeners ?? []) {
      const arn = l.LoadBalancerArn ?? value.LoadBalancerArn;
      const lb = arn ? loadBalancers.get(arn) : undefined;
      const listener = listenerOf(l);
      if (!listener) continue;
      if (!lb) {
        if (arn) warn('DANGLING_REFERENCE', `listener ${listener.arn} names a load balancer the snapshot lacks`, [arn]);
        continue;
      }
      if (!lb.listeners.some((x) => x.arn === listener.arn && x.port === listener.port)) lb.listeners.push(listener);
    }
  }
  for (const lb of loadBalancers.values()) lb.listeners.sort((a, b) => a.port - b.port);

  const tgAttributes = new Map<string, Record<string, string>>();
  for (const { value } of inp.TargetGroupAttributes)
    tgAttributes.set(value.TargetGroupArn, attributeMap(value.Attributes));
  const targetGroups = new Map<string, TargetGroup>();
  for (const { value: raw, file } of inp.TargetGroups) {
    if (targetGroups.has(raw.TargetGroupArn)) continue;
    const tg: TargetGroup = {
      arn: raw.TargetGroupArn,
      name: raw.TargetGroupName ?? raw.TargetGroupArn,
      targetType: (raw.TargetType ?? 'instance').toLowerCase(),
      protocol: raw.Protocol ? raw.Protocol.toUpperCase() : null,
      port: raw.Port ?? null,
      loadBalancerArns: [...(raw.LoadBalancerArns ?? [])],
      targets: [],
      healthKnown: false,
      attributes: tgAttributes.get(raw.TargetGroupArn) ?? {},
    };
    if (raw.VpcId) tg.vpcId = raw.VpcId as VpcId;
    const origin = arnOrigin(raw.TargetGroupArn);
    tg.region = origin.region ?? file.region;
    const account = origin.accountId ?? file.accountId;
    if (account) tg.accountId = account;
    targetGroups.set(tg.arn, tg);
  }
  const groupsByInstance = new Map<InstanceId, string[]>();
  for (const { value } of inp.LoadBalancerTargetHealth) {
    const tg = targetGroups.get(value.TargetGroupArn);
    if (!tg) {
      warn('DANGLING_REFERENCE', `target health for ${value.TargetGroupArn}, a target group the snapshot lacks`, [
        value.TargetGroupArn,
      ]);
      continue;
    }
    tg.healthKnown = true;
    for (const d of value.TargetHealthDescriptions ?? []) {
      const t: Target = {
        id: d.Target.Id,
        port: d.Target.Port ?? tg.port,
        health: (d.TargetHealth?.State ?? 'unknown').toLowerCase(),
      };
      if (d.Target.AvailabilityZone) t.availabilityZone = d.Target.AvailabilityZone;
      if (d.TargetHealth?.Reason) t.reason = d.TargetHealth.Reason;
      if (!tg.targets.some((x) => x.id === t.id && x.port === t.port)) tg.targets.push(t);
      if (tg.targetType === 'instance') pushTo(groupsByInstance, t.id as InstanceId, tg.arn);
    }
  }

  const endpointByEni = new Map<NetworkInterfaceId, `vpce-${string}`>();
  const endpointByDns = new Map<string, `vpce-${string}`>();
  for (const ep of interfaceEndpoints) {
    for (const eni of ep.networkInterfaceIds) endpointByEni.set(eni, ep.id);
    for (const dns of ep.dnsNames ?? []) endpointByDns.set(dns.toLowerCase().replace(/\.$/, ''), ep.id);
  }
  return { loadBalancers, targetGroups, byEni, byName, endpointByEni, endpointByDns, groupsByInstance };
}
