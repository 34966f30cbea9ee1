/**
 * Load balancers (Network and Application, elbv2) and interface VPC endpoints as the end of a request.
 *
 * A load balancer is two legs shown as one path. Client → node: the node's subnet ACL (crossed on the way in), the
 * load balancer's security groups when it has them, its scheme, and a listener for the protocol and port (nothing
 * answers elsewhere; an NLB never answers ping, an ALB answers ping itself when its groups allow ICMP). Node →
 * target, for every target the node may pick: the load balancer's outbound rules (when it has groups), the node's
 * route to the target, both subnets' ACLs, the target's security groups — seen from the client's address when
 * client IP preservation is on, else from the node's — and the target's state. The reply of each target back to
 * the node is checked against the ACLs (stateless); the node's reply to the client is the ordinary reply path.
 *
 * AWS facts used (Elastic Load Balancing user guides): client IP preservation defaults to on for instance targets
 * and for ip targets over UDP/TCP_UDP, off for ip targets over TCP/TLS (attribute `preserve_client_ip.enabled`); an
 * ALB never preserves it. Cross-zone load balancing is always on for an ALB, off by default for an NLB
 * (`load_balancing.cross_zone.enabled`). A node sends only to healthy targets; when no target of the group is
 * healthy it fails open and sends to every target. Targets `unused` (not in an enabled zone) or `draining` get no
 * new connections.
 */

import type {
  Hop,
  LoadBalancer,
  LoadBalancerListener,
  NetworkInterface,
  Target,
  TargetGroup,
  VpcEndpoint,
} from '../../model/index.js';
import { hostCidr } from '../../net/ip.js';
import { EPHEMERAL, type Flow, hostOf, newFlow } from '../flow.js';
import { replyTraffic, requestTraffic, trafficText } from '../rules.js';
import type { Walk } from '../walk.js';
import { crossSubnets } from './network-acl.js';
import { routeFrom } from './route-table.js';
import { checkSecurityGroups, sgIngress, statefulReply } from './security-group.js';

/** The load balancer a node interface carries, if the snapshot knows it. */
export function loadBalancerOf(t: Walk, eni: NetworkInterface): LoadBalancer | null {
  const lb = t.s.loadBalancing;
  const arn = lb?.byEni.get(eni.id);
  return arn ? (lb?.loadBalancers.get(arn) ?? null) : null;
}

/** The interface VPC endpoint an interface belongs to, if any. */
export function endpointOf(t: Walk, eni: NetworkInterface): VpcEndpoint | null {
  const id = t.s.loadBalancing?.endpointByEni.get(eni.id);
  return id ? (t.s.vpcEndpoints.get(id) ?? null) : null;
}

const TCP_LISTENERS = new Set(['TCP', 'TLS', 'TCP_UDP', 'HTTP', 'HTTPS', 'TCP_QUIC']);
const UDP_LISTENERS = new Set(['UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC']);
/** Target states that receive no new connection. */
const NO_TRAFFIC = new Set(['unused', 'draining', 'unhealthy.draining']);

function listenerFor(lb: LoadBalancer, protocol: 'tcp' | 'udp', port: number): LoadBalancerListener | null {
  const kinds = protocol === 'tcp' ? TCP_LISTENERS : UDP_LISTENERS;
  return lb.listeners.find((l) => l.port === port && kinds.has(l.protocol)) ?? null;
}

function listenersText(lb: LoadBalancer): string {
  return lb.listeners.length ? lb.listeners.map((l) => `${l.protocol} ${l.port}`).join(', ') : 'none';
}

/** Whether the target sees the client's address (client IP preservation), by the AWS defaults and the attribute. */
export function preservesClientIp(lb: LoadBalancer, tg: TargetGroup): boolean {
  if (lb.type !== 'network') return false;
  const attr = tg.attributes['preserve_client_ip.enabled'];
  const udp = tg.protocol === 'UDP' || tg.protocol === 'TCP_UDP' || tg.protocol?.includes('QUIC') === true;
  if (udp) return true;
  if (attr !== undefined) return attr === 'true';
  return tg.targetType === 'instance';
}

/** The interface a target receives on: an instance's primary interface, or the interface holding an ip target. */
function targetEni(t: Walk, tg: TargetGroup, target: Target, lb: LoadBalancer): NetworkInterface | null {
  if (tg.targetType === 'instance') {
    const inst = t.s.instances.get(target.id as `i-${string}`);
    const first = inst?.networkInterfaceIds[0];
    return first ? (t.s.networkInterfaces.get(first) ?? null) : null;
  }
  return t.eniInVpc(target.id, tg.vpcId ?? lb.vpcId);
}

function azOfSubnet(t: Walk, subnetId: string): string | undefined {
  const s = t.s.subnets.get(subnetId as `subnet-${string}`);
  return s?.availabilityZoneId ?? s?.availabilityZone;
}

/** The request reached a load balancer node: listener, then every target the node may send it to. */
export function lbArrive(t: Walk, flow: Flow, node: NetworkInterface, lb: LoadBalancer): void {
  t.rec.touched.add(lb.arn);
  const lbHop = (allowed: boolean, rule: string, detail?: string): void => {
    const h: Hop = { component: 'load-balancer', id: lb.name, allowed, rule };
    if (detail) h.detail = detail;
    t.rec.hop(flow, h);
  };
  if (lb.type === 'gateway') {
    t.rec.stop(
      'load-balancer',
      lb.arn,
      `${lb.name} is a Gateway Load Balancer: what its appliances forward is outside the model`,
    );
    return;
  }
  if (lb.state !== 'active' && lb.state !== 'active_impaired') {
    t.rec.stop('load-balancer', lb.arn, `${lb.name} is ${lb.state}: what it answers is unknown until it is active`);
    return;
  }
  const kind = lb.type === 'application' ? 'Application Load Balancer' : 'Network Load Balancer';
  if (flow.viaInternet && lb.scheme === 'internal') {
    lbHop(false, 'scheme internal', 'an internal load balancer has only private addresses');
    t.rec.record({
      flow,
      code: 'LB_INTERNAL_SCHEME',
      resource: lb.arn,
      message: `${lb.name} is an internal load balancer: it has no public address, so nothing on the internet reaches it. A load balancer's scheme cannot be changed: create an internet-facing one (in public subnets) for these targets.`,
    });
  }
  // Its own security groups (an NLB created without any filters nothing).
  if (lb.securityGroupIds.length > 0 && node.groupIds.length > 0) sgIngress(t, flow, node);

  if (flow.protocol === 'icmp') {
    if (lb.type === 'application') {
      // An ALB answers ping itself when its security groups allow ICMP (it never forwards it to a target).
      lbHop(
        true,
        'ICMP Echo Request answered by the node',
        'an Application Load Balancer answers ping itself; targets never see it',
      );
      if (!(flow.viaInternet && lb.scheme === 'internal')) flow.arrived = { kind: 'eni', eni: node, srcSeen: flow.src };
      return;
    }
    lbHop(false, `listeners: ${listenersText(lb)}`, 'a Network Load Balancer does not answer ping');
    t.rec.record({
      flow,
      code: 'LB_NO_LISTENER',
      resource: lb.arn,
      message: `${lb.name} is a ${kind}: it does not answer ping (ICMP echo); it forwards only its listeners (${listenersText(lb)}). Ask with the listener's protocol and port instead.`,
    });
    return;
  }
  const port = flow.traffic.protocol === 'icmp' ? 0 : flow.traffic.ports.from;
  const proto = flow.traffic.protocol === 'udp' ? 'udp' : 'tcp';
  const listener = listenerFor(lb, proto, port);
  if (!listener) {
    lbHop(false, `no listener on ${trafficText(flow.traffic)}`, `listeners: ${listenersText(lb)}`);
    t.rec.record({
      flow,
      code: 'LB_NO_LISTENER',
      resource: lb.arn,
      message: `${lb.name} has no listener on ${trafficText(flow.traffic)}: a load balancer answers only on its listeners (${listenersText(lb)}), and drops the rest without a reply.`,
      evidence: `listeners: ${listenersText(lb)}`,
    });
    return;
  }
  const groups = listener.targetGroupArns.map((arn) => ({ arn, tg: t.s.loadBalancing?.targetGroups.get(arn) }));
  lbHop(
    true,
    `listener ${listener.protocol} ${listener.port} → ${listener.defaultAction}${groups.length ? ` ${groups.map((g) => g.tg?.name ?? g.arn).join(', ')}` : ''}`,
  );
  const internetToInternal = flow.viaInternet && lb.scheme === 'internal';
  if (listener.defaultAction !== 'forward') {
    // redirect, fixed-response: the node answers itself.
    if (!internetToInternal) flow.arrived = { kind: 'eni', eni: node, srcSeen: flow.src };
    return;
  }
  for (const { arn, tg } of groups) {
    if (!tg) {
      t.rec.stop('load-balancer', arn, `target group ${arn} of ${lb.name} is not in the snapshot`);
      return;
    }
    if (tg.targetType !== 'instance' && tg.targetType !== 'ip') {
      t.rec.stop(
        'load-balancer',
        tg.arn,
        `${tg.name} sends to ${tg.targetType} targets: what they answer is outside the model`,
      );
      return;
    }
    if (!tg.healthKnown) {
      t.rec.stop('load-balancer', tg.arn, `the targets of ${tg.name} are not in the snapshot (describe-target-health)`);
      return;
    }
    toTargets(t, flow, node, lb, tg);
  }
  if (!internetToInternal) flow.arrived = { kind: 'eni', eni: node, srcSeen: flow.src };
}

/** Which targets the node may pick (zone, health, fail-open), then each target's leg. */
function toTargets(t: Walk, flow: Flow, node: NetworkInterface, lb: LoadBalancer, tg: TargetGroup): void {
  const crossZone = lb.type === 'application' ? true : (lb.crossZone ?? false);
  const nodeAz = azOfSubnet(t, node.subnetId);
  const registered = tg.targets.filter((x) => !NO_TRAFFIC.has(x.health));
  const enis = new Map(registered.map((x) => [x, targetEni(t, tg, x, lb)]));
  const inZone = crossZone
    ? registered
    : registered.filter((x) => {
        if (x.availabilityZone === 'all') return true;
        const eni = enis.get(x);
        return eni ? azOfSubnet(t, eni.subnetId) === nodeAz : false;
      });
  const anyHealthy = registered.some((x) => x.health === 'healthy');
  const healthyHere = inZone.filter((x) => x.health === 'healthy');
  const lbHop = (allowed: boolean, rule: string, detail?: string): void => {
    const h: Hop = { component: 'load-balancer', id: lb.name, allowed, rule };
    if (detail) h.detail = detail;
    t.rec.hop(flow, h);
  };
  if (inZone.length === 0 || (anyHealthy && healthyHere.length === 0)) {
    const why =
      registered.length === 0
        ? `${tg.name} has no registered target that receives traffic`
        : inZone.length === 0
          ? `${tg.name} has no target in ${nodeAz ?? 'the node’s zone'}, and cross-zone load balancing is off`
          : `no target of ${tg.name} in ${nodeAz ?? 'the node’s zone'} is healthy (cross-zone load balancing is off)`;
    lbHop(false, why);
    t.rec.record({
      flow,
      code: 'LB_NO_HEALTHY_TARGET',
      resource: tg.arn,
      message: `${lb.name}: ${why}, so the node at ${hostOf(flow.dst)} has nowhere to send the connection.${
        inZone.length === 0 && registered.length > 0 && !crossZone
          ? ' Register a target in that zone, or turn on cross-zone load balancing (load_balancing.cross_zone.enabled).'
          : ''
      }`,
      evidence: tg.targets.map((x) => `${x.id}:${x.port ?? tg.port ?? '?'} ${x.health}`).join(', ') || 'no targets',
      awsCode: registered.length === 0 ? 'ELBV2_LISTENER_HAS_NO_TG' : 'ELBV2_NO_TARGETS_IN_AZ',
    });
    return;
  }
  const chosen = healthyHere.length > 0 ? healthyHere : inZone;
  if (healthyHere.length === 0) {
    lbHop(
      true,
      `no target of ${tg.name} is healthy: the load balancer fails open`,
      'with every target unhealthy, AWS sends connections to all of them (fail-open)',
    );
  }
  const preserve = preservesClientIp(lb, tg);
  const nodeIp = hostOf(flow.dst);
  for (const target of chosen) {
    const eni = enis.get(target) ?? null;
    if (!eni) {
      t.rec.stop('load-balancer', target.id, `target ${target.id} of ${tg.name} is not in the snapshot`);
      return;
    }
    targetLeg(t, flow, node, nodeIp, lb, tg, target, eni, preserve);
  }
}

/** One target: the node sends the connection to it, and its reply comes back to the node. */
function targetLeg(
  t: Walk,
  flow: Flow,
  node: NetworkInterface,
  nodeIp: string,
  lb: LoadBalancer,
  tg: TargetGroup,
  target: Target,
  eni: NetworkInterface,
  preserve: boolean,
): void {
  const port = target.port ?? tg.port ?? (flow.traffic.protocol === 'icmp' ? 0 : flow.traffic.ports.from);
  const targetIp = tg.targetType === 'ip' ? target.id : (eni.privateIps.find((p) => p.primary)?.address ?? target.id);
  const src = preserve ? flow.src : hostCidr(nodeIp);
  const leg = newFlow('forward', flow.protocol, requestTraffic(flow.protocol, port), src, hostCidr(targetIp));
  leg.hops = flow.hops;
  // A target's rule may name the load balancer's group (works with or without preservation); a client's group
  // never matches through the load balancer.
  leg.srcEni = lb.securityGroupIds.length > 0 || !preserve ? node : null;
  leg.steps = flow.steps;
  t.rec.hop(leg, {
    component: 'load-balancer',
    id: lb.name,
    allowed: true,
    rule: `→ ${target.id}${tg.targetType === 'instance' ? ` (${targetIp})` : ''}:${port} ${target.health}`,
    detail: preserve
      ? `client IP preservation on: the target sees ${hostOf(flow.src) === '0.0.0.0' ? flow.src : hostOf(flow.src)}`
      : `the target sees the node's address ${nodeIp}`,
  });
  if (lb.securityGroupIds.length > 0 && node.groupIds.length > 0)
    checkSecurityGroups(t, leg, node, 'egress', eni.vpcId === node.vpcId ? eni : null);
  t.lbDepth++;
  try {
    routeFrom(t, leg, node.subnetId, node.subnetId);
  } finally {
    t.lbDepth--;
  }
  if (leg.arrived?.kind !== 'eni') return;
  // The target's reply to the node: security groups are stateful, network ACLs are not.
  const reply = newFlow(
    'return',
    flow.protocol,
    replyTraffic(flow.protocol, preserve ? t.clientEphemeral : EPHEMERAL.any),
    hostCidr(targetIp),
    preserve ? src : hostCidr(nodeIp),
  );
  reply.hops = t.lbReplyHops;
  statefulReply(t, reply, eni, 'egress');
  crossSubnets(t, reply, eni.subnetId, node.subnetId);
  t.rec.hop(reply, {
    component: 'load-balancer',
    id: lb.name,
    allowed: true,
    rule: `reply from ${target.id} back through the node ${nodeIp}`,
  });
}

/** Ports an AWS service answers on through an interface endpoint (HTTPS 443 unless listed). */
const SERVICE_PORTS: { suffix: RegExp; ports: number[] }[] = [
  { suffix: /\.email-smtp$/, ports: [25, 465, 587, 2465, 2587] },
  { suffix: /\.s3$/, ports: [80, 443] },
];

/** The request reached an interface VPC endpoint: its security groups, then the service's ports. */
export function endpointArrive(t: Walk, flow: Flow, eni: NetworkInterface, ep: VpcEndpoint): void {
  t.rec.touched.add(ep.id);
  if (
    ep.type !== 'Interface' ||
    /^com\.amazonaws\.vpce\./.test(ep.serviceName) ||
    !ep.serviceName.startsWith('com.amazonaws.')
  ) {
    t.rec.stop(
      'vpc-endpoint',
      ep.id,
      `${ep.id} (${ep.serviceName || ep.type}) leads to a service whose listeners the snapshot does not hold`,
    );
    return;
  }
  sgIngress(t, flow, eni);
  const ports = SERVICE_PORTS.find((p) => p.suffix.test(ep.serviceName))?.ports ?? [443];
  const ok = flow.traffic.protocol === 'tcp' && ports.includes(flow.traffic.ports.from);
  const served = `${ep.serviceName} answers on TCP ${ports.join(', ')}`;
  t.rec.hop(flow, { component: 'vpc-endpoint', id: ep.id, allowed: ok, rule: served });
  if (!ok) {
    t.rec.record({
      flow,
      code: 'VPC_ENDPOINT_PORT_NOT_SERVED',
      resource: ep.id,
      message: `${ep.id} is an interface endpoint of ${ep.serviceName}: the service answers only on TCP ${ports.join(', ')}, so ${trafficText(flow.traffic)} gets no answer${flow.protocol === 'icmp' ? ' (an endpoint does not answer ping)' : ''}.`,
      evidence: served,
    });
    return;
  }
  flow.arrived = { kind: 'eni', eni, srcSeen: flow.src };
}

/** An instance target's state is checked by arriveAt; a target that is itself a load balancer node is not followed. */
export function nestedLoadBalancer(t: Walk, eni: NetworkInterface): boolean {
  if (t.lbDepth === 0) return false;
  t.rec.stop('load-balancer', eni.id, `${eni.id} is a load balancer node behind another load balancer: not analyzed`);
  return true;
}
