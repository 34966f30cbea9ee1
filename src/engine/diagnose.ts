/**
 * The reachability engine: traces the request (forward) and the reply (return) hop by hop through the snapshot,
 * reports every blocker on both paths with the narrowest fix, and says "not analyzed" rather than guess.
 * Pure: no I/O, no SDK, no clock, no environment.
 */

import type {
  AwsExplanationCode,
  Diagnosis,
  Finding,
  FindingCode,
  FixAction,
  Hop,
  Instance,
  InternetGateway,
  InternetGatewayId,
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  NetworkInterfaceId,
  NotAnalyzed,
  Protocol,
  Query,
  ResolvedEndpoint,
  Route,
  RouteTable,
  SecurityGroupId,
  Snapshot,
  SubnetId,
  TransitGatewayAttachment,
  TransitGatewayId,
  VpcId,
  VpcPeeringConnection,
  VpcPeeringConnectionId,
} from '../model/index.js';
import { cidrContains, cidrCovers, hostCidr, isPublicIp, isRfc1918, isRfc6598, parseCidr, parseIp } from '../net/ip.js';
import { makeFix } from './fixes.js';
import { routeTableFor, selectRoute, selectTgwRoute, unresolvedPrefixListRoutes } from './routes.js';
import {
  evaluateNacl,
  evaluateSecurityGroups,
  freeRuleNumberBelow,
  replyTraffic,
  requestTraffic,
  type Traffic,
  trafficText,
} from './rules.js';

/** What to do instead of routing through a peering: whyping proposes no automatic fix (it is a design change). */
const TRANSIT_ADVICE =
  'To connect these two networks, peer them directly (a new peering connection, accepted, with routes both ways) or attach both to a transit gateway; whyping does not create either for you.';

/** Reachability Analyzer's name for each finding code (null where it has none). */
export const AWS_CODE: Record<FindingCode, AwsExplanationCode | null> = {
  INSTANCE_NOT_RUNNING: 'BAD_STATE',
  SG_EGRESS_DENIED: 'ENI_SG_RULES_MISMATCH',
  SG_INGRESS_DENIED: 'ENI_SG_RULES_MISMATCH',
  NACL_EGRESS_DENIED: 'SUBNET_ACL_RESTRICTION',
  NACL_INGRESS_DENIED: 'SUBNET_ACL_RESTRICTION',
  NO_ROUTE: 'NO_ROUTE_TO_DESTINATION',
  ROUTE_BLACKHOLE: 'BAD_STATE_ROUTE',
  PEERING_NOT_ACTIVE: 'BAD_STATE_ATTACHMENT',
  PEERING_NOT_TRANSITIVE: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR',
  NO_PUBLIC_IP: 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS',
  NO_INTERNET_GATEWAY_ROUTE: 'NO_ROUTE_TO_DESTINATION',
  INTERNET_GATEWAY_NOT_ATTACHED: 'BAD_STATE_ATTACHMENT',
  NAT_GATEWAY_NOT_AVAILABLE: 'BAD_STATE',
  NAT_REQUIRES_SOURCE_IN_VPC: 'NGW_REQUIRES_SOURCE_IN_VPC',
  SOURCE_DEST_CHECK: 'ENI_SOURCE_DEST_CHECK_RESTRICTION',
  TGW_ATTACHMENT_NOT_ASSOCIATED: 'TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION',
  TGW_NO_ROUTE: 'TGW_RTB_CANNOT_ROUTE',
  TGW_ROUTE_BLACKHOLE: 'TGW_RTB_BAD_STATE_ROUTE',
  TGW_NO_ATTACHMENT_IN_AZ: 'TGW_ROUTE_AZ_RESTRICTION',
  PRIVATE_DESTINATION_VIA_INTERNET: 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS',
  NAT_GATEWAY_NOT_A_DESTINATION: null,
  NO_INTERFACE_AT_DESTINATION: null,
  HOST_FIREWALL_SUSPECTED: null,
  NOTHING_LISTENING: null,
  PROBE_CONTRADICTS_VERDICT: null,
};

/**
 * Ephemeral ports a client picks for TCP/UDP (the reply's destination port). The reply passes a NACL only if
 * every port of the range passes: a real client picks one port per connection, so a partly open range fails
 * some connections and is reported as a blocker. See docs/engine.md ("Ephemeral ports").
 */
export const EPHEMERAL = {
  /** Linux net.ipv4.ip_local_port_range default. */
  linux: { from: 32768, to: 60999 },
  /** Windows Server 2008 and later. */
  windows: { from: 49152, to: 65535 },
  /** NAT gateway source ports, and any client whose OS we do not know. */
  any: { from: 1024, to: 65535 },
} as const;

/**
 * Stands for the Elastic IP a NO_PUBLIC_IP fix would add, so the trace can go on as if fixed. A documentation
 * address (RFC 5737 TEST-NET-1): public as far as routes and rules are concerned, and never a real host.
 */
const ASSUMED_EIP = '192.0.2.1';
const MAX_STEPS = 64;
const INTERNET_ANY = '0.0.0.0/0';

type Side = 'forward' | 'return';

/** A source translation made by a NAT gateway on the way out, undone on the way back. */
interface NatRecord {
  nat: NatGateway;
  natEni: NetworkInterface | null;
  privateIp: string;
  origSrc: string;
  origEphemeral: { from: number; to: number };
}

/** One direction of the conversation as it crosses the network. */
interface Flow {
  side: Side;
  hops: Hop[];
  protocol: Protocol;
  traffic: Traffic;
  /** Header addresses as CIDRs (a host is a /32; an internet endpoint may be a range such as `0.0.0.0/0`). */
  src: string;
  dst: string;
  /** The ENI that sent the packet, while the packet still carries its private address (for SG references). */
  srcEni: NetworkInterface | null;
  viaPeering: boolean;
  viaTgw: boolean;
  /**
   * The sender's ENI across a transit gateway that supports security group referencing (the gateway and both VPC
   * attachments enable it): inbound rules at the destination may match its groups. Null otherwise.
   */
  tgwRefEni: NetworkInterface | null;
  viaInternet: boolean;
  /** A NAT gateway translated this packet's source (forward), or this reply must be translated back (return). */
  natted: NatRecord | null;
  steps: number;
  /** Where the packet ended: a network interface, or the internet. */
  arrived: { kind: 'eni'; eni: NetworkInterface; srcSeen: string } | { kind: 'internet'; srcSeen: string } | null;
}

function hostOf(cidr: string): string {
  return cidr.split('/')[0] ?? cidr;
}

function isHost(cidr: string): boolean {
  const c = parseCidr(cidr);
  return c !== null && (c.family === 4 ? c.prefix === 32 : c.prefix === 128);
}

/** Per-snapshot lookups the engine builds lazily once (the snapshot is never mutated). */
interface EngineIndex {
  peeringsByVpc: Map<VpcId, VpcPeeringConnection[]>;
  gatewayRouteTables: Map<string, RouteTable>;
  natByEni: Map<string, NatGateway>;
  natByIp: Map<string, NatGateway>;
}
const engineIndexes = new WeakMap<Snapshot, EngineIndex>();

function engineIndex(s: Snapshot): EngineIndex {
  let ix = engineIndexes.get(s);
  if (ix) return ix;
  ix = { peeringsByVpc: new Map(), gatewayRouteTables: new Map(), natByEni: new Map(), natByIp: new Map() };
  for (const p of s.peeringConnections.values()) {
    for (const v of [p.requester.vpcId, p.accepter.vpcId]) {
      const list = ix.peeringsByVpc.get(v) ?? [];
      list.push(p);
      ix.peeringsByVpc.set(v, list);
    }
  }
  for (const rt of s.routeTables.values()) for (const g of rt.gatewayIds) ix.gatewayRouteTables.set(g, rt);
  for (const n of s.natGateways.values()) {
    // A deleted or failed NAT gateway holds no address any more.
    if (n.state === 'deleted' || n.state === 'failed') continue;
    for (const a of n.addresses) {
      if (a.networkInterfaceId) ix.natByEni.set(a.networkInterfaceId, n);
      if (a.privateIp) ix.natByIp.set(a.privateIp, n);
      if (a.publicIp) ix.natByIp.set(a.publicIp, n);
    }
  }
  engineIndexes.set(s, ix);
  return ix;
}

/** A route the CreateAndAttachInternetGateway fix makes once the new gateway is attached. */
interface IgwRoute {
  routeTableId: RouteTable['id'];
  destinationCidrBlock: string;
  /** The dead gateway the route names now, when an existing route is replaced. */
  previousTarget?: string;
}

function sameChange(plan: FixAction, action: FixAction | undefined): boolean {
  return (
    action !== undefined &&
    plan.action === action.action &&
    JSON.stringify(plan.params) === JSON.stringify(action.params)
  );
}

/** Statuses in which a peering connection still links two VPCs (routes to it can be created). */
const LIVE_PEERING = new Set(['active', 'pending-acceptance', 'provisioning', 'initiating-request']);

class Tracer {
  readonly findings: Finding[] = [];
  notAnalyzed: NotAnalyzed | null = null;
  readonly touched = new Set<string>();
  readonly ix: EngineIndex;
  /** NAT translations made on the forward path. */
  readonly nats: NatRecord[] = [];
  /** The interface a NO_PUBLIC_IP fix gives an Elastic IP, stood for by ASSUMED_EIP on the rest of the trace. */
  assumedEip: { eni: NetworkInterface; privateIp: string } | null = null;
  /** NACL rule numbers proposed by fixes so far, per `acl/egress`. */
  readonly reservedRules = new Map<string, Set<number>>();
  /** The client's ephemeral port range (the reply's destination ports). */
  clientEphemeral: { from: number; to: number } = EPHEMERAL.any;
  /** Per VPC, the route a new internet gateway's fix also makes (the first one the paths need). */
  readonly igwRoutes = new Map<VpcId, IgwRoute>();

  constructor(
    readonly s: Snapshot,
    readonly q: Query,
  ) {
    this.ix = engineIndex(s);
  }

  // ---------- recording ----------

  hop(flow: Flow, h: Hop): void {
    flow.hops.push(h);
    this.touched.add(h.id);
  }

  find(
    flow: Flow | Side,
    code: FindingCode,
    resource: string,
    message: string,
    evidence: string | undefined,
    fix: { action: FixAction; summary: string } | null,
    awsCode: AwsExplanationCode | null = AWS_CODE[code],
  ): void {
    const direction = typeof flow === 'string' ? flow : flow.side;
    let plan = fix ? makeFix(code, resource, fix.action, fix.summary) : null;
    // Two findings that need the very same change share one plan (one id), so "apply all" makes it once.
    const same = plan ? this.findings.find((f) => f.fix && sameChange(f.fix, fix?.action)) : undefined;
    if (same?.fix) plan = same.fix;
    const dup = this.findings.some(
      (f) => f.code === code && f.resource === resource && (plan === null || f.fix?.id === plan.id),
    );
    this.touched.add(resource);
    if (dup) return;
    const finding: Finding = { code, awsCode, direction, resource, message, fix: plan };
    if (evidence) finding.evidence = evidence;
    this.findings.push(finding);
  }

  stop(component: string, id: string, reason: string): void {
    this.touched.add(id);
    this.notAnalyzed ??= { component, id, reason };
  }

  // ---------- helpers ----------

  instanceOf(eni: NetworkInterface): Instance | null {
    const id = eni.attachment?.instanceId;
    return id ? (this.s.instances.get(id) ?? null) : null;
  }

  label(eni: NetworkInterface): string {
    const inst = this.instanceOf(eni);
    return inst ? (inst.name ? `${inst.id} (${inst.name})` : inst.id) : eni.id;
  }

  eniInVpc(ip: string, vpcId: VpcId): NetworkInterface | null {
    for (const id of this.s.index.privateIpToEni.get(ip) ?? []) {
      const eni = this.s.networkInterfaces.get(id);
      if (eni && eni.vpcId === vpcId) return eni;
    }
    return null;
  }

  vpcHolding(ip: string): VpcId | null {
    for (const v of this.s.vpcs.values()) if (v.cidrs.some((c) => cidrContains(c, ip))) return v.id;
    return null;
  }

  /** Every VPC whose CIDRs hold an address (several when CIDRs overlap across accounts or peerings). */
  vpcsHolding(ip: string): VpcId[] {
    const out: VpcId[] = [];
    for (const v of this.s.vpcs.values()) if (v.cidrs.some((c) => cidrContains(c, ip))) out.push(v.id);
    return out;
  }

  /** The AWS-managed prefix list (`com.amazonaws.<region>.<service>`) holding an address, if any. */
  awsServiceOf(ip: string): { id: string; name?: string } | null {
    for (const pl of this.s.prefixLists.values()) {
      if (!pl.name?.startsWith('com.amazonaws.')) continue;
      const cidrs = this.s.index.prefixListCidrs.get(pl.id) ?? pl.cidrs;
      if (cidrs.some((c) => cidrContains(c, ip))) return pl.name ? { id: pl.id, name: pl.name } : { id: pl.id };
    }
    return null;
  }

  /** The public IPv4 mapped to a private address of an ENI (or of a NAT gateway), if any. */
  publicIpOf(eni: NetworkInterface, privateIp: string): string | null {
    const p = eni.privateIps.find((x) => x.address === privateIp);
    if (p?.publicIp) return p.publicIp;
    const nat = this.ix.natByEni.get(eni.id);
    const a = nat?.addresses.find((x) => x.privateIp === privateIp || x.networkInterfaceId === eni.id);
    return a?.publicIp ?? null;
  }

  peeringBetween(a: VpcId, b: VpcId): VpcPeeringConnection | null {
    const list = (this.ix.peeringsByVpc.get(a) ?? []).filter(
      (p) =>
        LIVE_PEERING.has(p.status) &&
        ((p.requester.vpcId === a && p.accepter.vpcId === b) || (p.requester.vpcId === b && p.accepter.vpcId === a)),
    );
    return list.find((p) => p.status === 'active') ?? list[0] ?? null;
  }

  peerCidrs(p: VpcPeeringConnection, vpcId: VpcId): string[] {
    const v = this.s.vpcs.get(vpcId);
    if (v) return v.cidrs;
    return p.requester.vpcId === vpcId ? p.requester.cidrs : p.accepter.cidrs;
  }

  /** Security-group references match only across a private path: same VPC, or same-region peering. */
  refsWork(a: NetworkInterface, b: NetworkInterface): boolean {
    if (a.vpcId === b.vpcId) return true;
    const p = this.peeringBetween(a.vpcId, b.vpcId);
    if (!p) return false;
    const ra = p.requester.region ?? p.region;
    const rb = p.accepter.region ?? p.region;
    return ra === undefined || rb === undefined || ra === rb;
  }

  sameAz(a: SubnetId, b: SubnetId): boolean {
    const sa = this.s.subnets.get(a);
    const sb = this.s.subnets.get(b);
    if (!sa || !sb) return false;
    if (sa.availabilityZoneId && sb.availabilityZoneId) return sa.availabilityZoneId === sb.availabilityZoneId;
    return sa.availabilityZone !== undefined && sa.availabilityZone === sb.availabilityZone;
  }

  naclOf(subnetId: SubnetId): NetworkAcl | null {
    const id = this.s.index.subnetNetworkAcl.get(subnetId);
    return id ? (this.s.networkAcls.get(id) ?? null) : null;
  }

  // ---------- checks ----------

  /** A subnet's network ACL on a packet leaving (egress) or entering (ingress) it. */
  nacl(flow: Flow, subnetId: SubnetId, egress: boolean): void {
    const acl = this.naclOf(subnetId);
    if (!acl) {
      if (this.s.presentKeys.has('NetworkAcls')) {
        this.stop('network-acl', subnetId, `no network ACL is known for ${subnetId}`);
      }
      // No NetworkAcls in the snapshot at all: the loader warns; every subnet has the default allow-all ACL.
      return;
    }
    const peer = egress ? flow.dst : flow.src;
    const d = evaluateNacl(acl, egress, flow.traffic, peer);
    const entry = d.entry?.text ?? (d.allowed ? 'allowed' : '* DENY');
    const detail =
      d.deniedPorts.length > 0
        ? `denies ${flow.traffic.protocol.toUpperCase()} ports ${d.deniedPorts.map((r) => (r.from === r.to ? r.from : `${r.from}-${r.to}`)).join(', ')} ${egress ? 'to' : 'from'} ${peer}`
        : undefined;
    const hop: Hop = {
      component: 'network-acl',
      id: acl.id,
      direction: egress ? 'egress' : 'ingress',
      allowed: d.allowed,
      rule: entry,
    };
    if (detail) hop.detail = detail;
    this.hop(flow, hop);
    if (d.allowed) return;
    const what = `${trafficText(flow.traffic)} ${egress ? `to ${peer}` : `from ${peer}`}`;
    const denyRule = d.entry?.ruleNumber ?? 32767;
    // Rule numbers already taken by other fixes of this diagnosis stay taken, so "apply all" cannot collide.
    const key = `${acl.id}/${egress}`;
    const reserved = this.reservedRules.get(key) ?? new Set<number>();
    const ruleNumber = freeRuleNumberBelow(acl, egress, denyRule, reserved);
    if (ruleNumber !== null) this.reservedRules.set(key, reserved.add(ruleNumber));
    let fix: { action: FixAction; summary: string } | null = null;
    if (ruleNumber !== null) {
      const t = flow.traffic;
      const portRange =
        t.protocol === 'icmp'
          ? undefined
          : flow.side === 'return'
            ? { from: EPHEMERAL.any.from, to: EPHEMERAL.any.to }
            : { from: t.ports.from, to: t.ports.to };
      const action: FixAction = {
        action: 'CreateNetworkAclEntry',
        params: {
          networkAclId: acl.id,
          ruleNumber,
          egress,
          protocol: t.protocol,
          cidrBlock: peer,
          ...(portRange ? { portRange } : {}),
          ...(t.protocol === 'icmp' ? { icmpTypeCode: { type: t.type, code: -1 } } : {}),
        },
      };
      const ports = portRange ? ` ${portRange.from}-${portRange.to}` : t.protocol === 'icmp' ? ` type ${t.type}` : '';
      fix = {
        action,
        summary: `Add ${egress ? 'outbound' : 'inbound'} rule ${ruleNumber} to ${acl.id}: allow ${t.protocol.toUpperCase()}${ports} ${egress ? 'to' : 'from'} ${peer}`,
      };
    }
    this.find(
      flow,
      egress ? 'NACL_EGRESS_DENIED' : 'NACL_INGRESS_DENIED',
      acl.id,
      `Network ACL ${acl.id} of ${subnetId} denies ${what} ${egress ? 'leaving' : 'entering'} the subnet${flow.side === 'return' ? ' (the reply: network ACLs are stateless)' : ''}.`,
      detail ? `${entry}; ${detail}` : entry,
      fix,
    );
  }

  /** Crossing from one subnet to another: the source subnet's outbound and the target's inbound ACL rules. */
  crossSubnets(flow: Flow, from: SubnetId | null, to: SubnetId): void {
    if (from === to) {
      this.hop(flow, {
        component: 'network-acl',
        id: this.naclOf(to)?.id ?? to,
        allowed: true,
        rule: 'not evaluated',
        detail: 'same subnet: network ACLs filter only traffic crossing the subnet boundary',
      });
      return;
    }
    if (from) this.nacl(flow, from, true);
    this.nacl(flow, to, false);
  }

  instanceState(flow: Flow, eni: NetworkInterface): void {
    const inst = this.instanceOf(eni);
    if (!inst) return;
    const running = inst.state === 'running';
    this.hop(flow, { component: 'instance', id: inst.id, allowed: running, rule: `state ${inst.state}` });
    if (running) return;
    // AWS starts only a stopped instance (StartInstances on one still stopping fails with IncorrectInstanceState).
    const startable = inst.state === 'stopped';
    const wait =
      inst.state === 'stopping'
        ? ' Wait until it is stopped, then start it.'
        : inst.state === 'pending'
          ? ' It is starting: ask again in a minute.'
          : '';
    this.find(
      flow,
      'INSTANCE_NOT_RUNNING',
      inst.id,
      `${this.label(eni)} is ${inst.state}: an instance that is not running sends and answers nothing.${wait}`,
      `state ${inst.state}`,
      startable
        ? { action: { action: 'StartInstances', params: { instanceId: inst.id } }, summary: `Start ${this.label(eni)}` }
        : null,
    );
  }

  sgEgress(flow: Flow, eni: NetworkInterface, dstEni: NetworkInterface | null): void {
    this.securityGroups(flow, eni, 'egress', dstEni && this.refsWork(eni, dstEni) ? dstEni : null);
  }

  sgIngress(flow: Flow, eni: NetworkInterface): void {
    const srcEni =
      flow.srcEni && !flow.viaInternet && !flow.viaTgw && !flow.natted && this.refsWork(flow.srcEni, eni)
        ? flow.srcEni
        : flow.viaTgw && !flow.viaInternet && !flow.viaPeering && !flow.natted
          ? flow.tgwRefEni
          : null;
    this.securityGroups(flow, eni, 'ingress', srcEni);
  }

  /** Evaluates `eni`'s groups in one direction; `peerEni` is the other end when SG references can match it. */
  private securityGroups(
    flow: Flow,
    eni: NetworkInterface,
    direction: 'ingress' | 'egress',
    peerEni: NetworkInterface | null,
  ): void {
    const out = direction === 'egress';
    const other = out ? flow.dst : flow.src;
    const words = out ? { way: 'outbound', prep: 'to' } : { way: 'inbound', prep: 'from' };
    const d = evaluateSecurityGroups(this.s, eni, direction, flow.traffic, { cidr: other, eni: peerEni });
    const first = eni.groupIds[0] ?? eni.id;
    this.hop(flow, {
      component: 'security-group',
      id: d.group ?? first,
      direction,
      allowed: d.allowed,
      rule:
        d.rule?.text ??
        `no ${words.way} rule of ${eni.groupIds.join(', ') || 'its groups'} allows ${trafficText(flow.traffic)} ${words.prep} ${other}`,
    });
    for (const g of eni.groupIds) this.touched.add(g);
    if (d.allowed) return;
    if (d.missing.length > 0 && d.groups.length === 0) {
      this.stop('security-group', d.missing[0] ?? first, `the security groups of ${eni.id} are not in the snapshot`);
      return;
    }
    const u = d.unresolved[0];
    if (u && u.rule.peer.kind === 'prefix-list') {
      // A rule naming a prefix list whose entries are not in the snapshot may allow this packet: never guess a deny.
      this.touched.add(u.rule.peer.id);
      this.stop(
        'security-group',
        u.group,
        `${u.rule.text}: the entries of prefix list ${u.rule.peer.id} are not in the snapshot, so whether it covers ${other} is unknown`,
      );
      return;
    }
    this.find(
      flow,
      out ? 'SG_EGRESS_DENIED' : 'SG_INGRESS_DENIED',
      first,
      `No ${words.way} rule of the security groups of ${this.label(eni)} (${eni.groupIds.join(', ')}) allows ${trafficText(flow.traffic)} ${words.prep} ${other}.`,
      undefined,
      this.sgFix(
        out ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress',
        first as SecurityGroupId,
        flow,
        peerEni,
        other,
      ),
    );
  }

  /** SG rule fix: reference the other side's group when references work, else its /32 (or range). */
  sgFix(
    action: 'AuthorizeSecurityGroupIngress' | 'AuthorizeSecurityGroupEgress',
    groupId: SecurityGroupId,
    flow: Flow,
    peerEni: NetworkInterface | null,
    peerCidr: string,
  ): { action: FixAction; summary: string } | null {
    if (!groupId.startsWith('sg-')) return null;
    const t = flow.traffic;
    const ports =
      t.protocol === 'icmp' ? { fromPort: t.type, toPort: -1 } : { fromPort: t.ports.from, toPort: t.ports.to };
    const peerGroupId = peerEni?.groupIds[0];
    const params = {
      groupId,
      protocol: t.protocol,
      ...ports,
      ...(peerGroupId ? { peerGroupId } : { cidr: peerCidr }),
    };
    const dir = action === 'AuthorizeSecurityGroupIngress' ? 'inbound' : 'outbound';
    return {
      action: { action, params },
      summary: `Allow ${dir} ${trafficText(t)} ${dir === 'inbound' ? 'from' : 'to'} ${peerGroupId ?? peerCidr} in ${groupId}${peerGroupId && peerEni ? this.peerGroupNote(groupId, peerGroupId, peerEni) : ''}`,
    };
  }

  /**
   * When a rule's group reference names a security group of a peer VPC: says so, and that AWS accepts such a rule
   * only across an active peering (so, while the peering is pending, it is applied after the acceptance).
   */
  peerGroupNote(groupId: SecurityGroupId, peerGroupId: string, peerEni: NetworkInterface): string {
    const ownVpc = this.s.securityGroups.get(groupId)?.vpcId;
    if (!ownVpc || ownVpc === peerEni.vpcId) return '';
    const p = this.peeringBetween(ownVpc, peerEni.vpcId);
    if (!p) return '';
    const pending =
      p.status === 'active'
        ? ''
        : `; AWS accepts the rule only once ${p.id} is active, so it is applied after the peering is accepted`;
    return ` (${peerGroupId} is a security group of peer VPC ${peerEni.vpcId}, referenced across ${p.id}${pending})`;
  }

  // ---------- walking ----------

  /** A packet leaves an ENI: its SG egress (request only), then the subnet's route table. */
  leaveEni(flow: Flow, eni: NetworkInterface, dstEni: NetworkInterface | null): void {
    this.touched.add(eni.id);
    if (flow.side === 'forward') this.sgEgress(flow, eni, dstEni);
    else
      this.hop(flow, {
        component: 'security-group',
        id: eni.groupIds[0] ?? eni.id,
        direction: 'egress',
        allowed: true,
        rule: 'reply to an allowed request',
        detail: 'security groups are stateful: replies pass whatever the rules say',
      });
    this.route(flow, eni.subnetId, eni.subnetId);
  }

  /** Routes the packet from the subnet it is in, with that subnet's table in force. */
  route(flow: Flow, subnetId: SubnetId, originSubnet: SubnetId): void {
    if (++flow.steps > MAX_STEPS) {
      this.stop('route-table', subnetId, 'the path loops');
      return;
    }
    const subnet = this.s.subnets.get(subnetId);
    const rt = routeTableFor(this.s, subnetId);
    if (!subnet || !rt) {
      this.stop('route-table', subnetId, `no route table is known for ${subnetId}`);
      return;
    }
    const m = selectRoute(this.s, rt, flow.dst);
    const unknownPl = unresolvedPrefixListRoutes(this.s, rt, flow.dst)[0];
    if (unknownPl && unknownPl.destination.kind === 'prefix-list' && (parseCidr(m?.cidr ?? '')?.prefix ?? -1) < 32) {
      // A route to a prefix list whose entries are not in the snapshot may cover the destination more specifically
      // than the route found (or cover it where none did): which route wins is unknown, never a guessed NO_ROUTE.
      this.touched.add(unknownPl.destination.id);
      this.stop(
        'route-table',
        rt.id,
        `route ${unknownPl.text} in ${rt.id}: the entries of prefix list ${unknownPl.destination.id} are not in the snapshot, so whether it covers ${flow.dst} is unknown`,
      );
      return;
    }
    if (!m) {
      this.hop(flow, {
        component: 'route-table',
        id: rt.id,
        allowed: false,
        rule: `no route to ${flow.dst}`,
      });
      this.noRoute(flow, rt, subnetId, originSubnet);
      return;
    }
    const r = m.route;
    const dstIp = hostOf(flow.dst);
    if (
      r.state === 'active' &&
      (r.target.kind === 'internet-gateway' || r.target.kind === 'nat-gateway') &&
      isHost(flow.dst) &&
      (isRfc1918(dstIp) || isRfc6598(dstIp)) &&
      this.linkedVpc(rt.vpcId, dstIp)
    ) {
      // A private address that only the default route covers: the packet would die at the gateway, while a
      // peering or transit gateway links the VPC that holds it. The missing route is the blocker.
      this.hop(flow, {
        component: 'route-table',
        id: rt.id,
        allowed: false,
        rule: r.text,
        detail: `no route covers ${dstIp} except this one, which leads to the internet`,
      });
      this.noRoute(flow, rt, subnetId, originSubnet, r);
      return;
    }
    const blackhole = r.state === 'blackhole';
    this.hop(flow, { component: 'route-table', id: rt.id, allowed: !blackhole, rule: r.text });
    // At a blackhole, go on the way the packet would go once fixed (through the replacement target, if any).
    const next = blackhole ? this.blackhole(flow, rt, r, subnetId) : r;
    if (next === 'new-igw') {
      this.igwEgress(flow, null, rt.vpcId, subnetId, true);
      return;
    }
    this.follow(flow, rt, next ?? r, m.cidr, subnetId, originSubnet);
  }

  /**
   * Reports a blackhole route; returns the route its fix would make (or `new-igw` when the fix creates the VPC's
   * internet gateway and points the route at it), when there is one.
   */
  blackhole(flow: Flow, rt: RouteTable, r: Route, subnetId: SubnetId): Route | 'new-igw' | null {
    let fix: { action: FixAction; summary: string } | null = null;
    let replacement: Route | 'new-igw' | null = null;
    let why = 'its target is gone or not usable';
    let advice = '';
    const dest = r.destination.kind === 'cidr' ? r.destination.cidr : r.destination.id;
    const internetBound = !isHost(flow.dst) || isPublicIp(hostOf(flow.dst));
    const deadId = 'id' in r.target ? r.target.id : '?';
    const replaceWith = (
      target: Extract<Route['target'], { kind: 'peering-connection' | 'nat-gateway' | 'internet-gateway' }>,
      params: Extract<FixAction, { action: 'CreateRoute' | 'ReplaceRoute' }>['params'],
    ) => {
      fix = {
        action: { action: 'ReplaceRoute', params },
        summary: `Point ${params.destinationCidrBlock} in ${rt.id} at ${target.id} instead of ${deadId}`,
      };
      replacement = {
        destination: r.destination,
        target,
        state: 'active',
        text: `${params.destinationCidrBlock} → ${target.id} (replacing ${deadId})`,
      };
    };
    if (r.target.kind === 'peering-connection') {
      const p = this.s.peeringConnections.get(r.target.id);
      if (p && LIVE_PEERING.has(p.status) && p.status !== 'active') {
        why = `${p.id} is ${p.status}: the route becomes active once the peering is accepted`;
      } else {
        why = `${r.target.id} is ${p?.status ?? 'not in the snapshot'}`;
        // The pcx is gone: point the route at a live peering between the same VPCs, if there is one.
        const dstVpc = this.vpcHolding(hostOf(flow.dst));
        const live = dstVpc ? this.peeringBetween(rt.vpcId, dstVpc) : null;
        if (live && r.destination.kind === 'cidr') {
          replaceWith(
            { kind: 'peering-connection', id: live.id },
            {
              routeTableId: rt.id,
              destinationCidrBlock: r.destination.cidr,
              target: { vpcPeeringConnectionId: live.id },
              previousTarget: r.target.id,
            },
          );
        } else if (dstVpc && dstVpc !== rt.vpcId) {
          advice = ` No peering connection links ${rt.vpcId} and ${dstVpc} any more: create one (and accept it), then point ${dest} in ${rt.id} at it.`;
        }
      }
    } else if (r.target.kind === 'nat-gateway') {
      const old = this.s.natGateways.get(r.target.id);
      why = `${r.target.id} is ${old?.state ?? 'not in the snapshot'}`;
      if (old?.state === 'pending') {
        // Being created: the route becomes active once it is available (NAT_GATEWAY_NOT_AVAILABLE says so too).
        why = `${r.target.id} is pending: the route becomes active once it is available`;
        this.find(
          flow,
          'ROUTE_BLACKHOLE',
          rt.id,
          `The route ${dest} in ${rt.id} is a blackhole (${why}).`,
          r.text,
          null,
        );
        return null;
      }
      const pick = this.replacementNat(rt, r.target.id, old, flow.dst, internetBound, subnetId);
      if (pick.nat && r.destination.kind === 'cidr') {
        replaceWith(
          { kind: 'nat-gateway', id: pick.nat.id },
          {
            routeTableId: rt.id,
            destinationCidrBlock: r.destination.cidr,
            target: { natGatewayId: pick.nat.id },
            previousTarget: r.target.id,
          },
        );
      } else {
        advice = ` ${pick.advice}`;
      }
    } else if (r.target.kind === 'internet-gateway') {
      // A deleted or detached internet gateway: point the route at the one attached to the VPC now, or create one.
      const oldId = r.target.id;
      const known = this.s.presentKeys.has('InternetGateways');
      const old = this.s.internetGateways.get(oldId);
      why = !known
        ? `${oldId} is deleted or no longer attached to ${rt.vpcId}`
        : old
          ? `${oldId} is not attached to ${rt.vpcId}`
          : `${oldId} is deleted`;
      const attached = known ? (this.s.index.vpcInternetGateways.get(rt.vpcId) ?? []) : [];
      const working = attached.find((g) => g !== oldId);
      if (working && r.destination.kind === 'cidr') {
        replaceWith(
          { kind: 'internet-gateway', id: working },
          {
            routeTableId: rt.id,
            destinationCidrBlock: r.destination.cidr,
            target: { gatewayId: working },
            previousTarget: oldId,
          },
        );
      } else if (known && attached.length === 0 && internetBound && r.destination.kind === 'cidr') {
        // No gateway at all: one fix creates and attaches a new one and points this route at it.
        fix = this.newIgwFix(rt.vpcId, {
          routeTableId: rt.id,
          destinationCidrBlock: r.destination.cidr,
          previousTarget: oldId,
        });
        replacement = 'new-igw';
        if (old && old.attachedVpcIds.length === 0) advice = ` (Attaching ${oldId} again would do as well.)`;
      }
    }
    this.find(
      flow,
      'ROUTE_BLACKHOLE',
      rt.id,
      `The route ${dest} in ${rt.id} is a blackhole (${why}): packets to ${flow.dst} are dropped.${advice}`,
      r.text,
      fix,
    );
    return replacement;
  }

  /** The attached internet gateway that a subnet's table in force sends `dst` to (an active route), if any. */
  internetRouteOf(subnetId: SubnetId, dst: string): { rt: RouteTable; igw: string } | null {
    const rt = routeTableFor(this.s, subnetId);
    const m = rt ? selectRoute(this.s, rt, dst) : null;
    if (!rt || !m || m.route.state !== 'active' || m.route.target.kind !== 'internet-gateway') return null;
    const igw = m.route.target.id;
    const attached =
      !this.s.presentKeys.has('InternetGateways') ||
      (this.s.index.vpcInternetGateways.get(rt.vpcId) ?? []).includes(igw);
    return attached ? { rt, igw } : null;
  }

  /**
   * A NAT gateway that can take the place of a dead one in `rt`: available, in the same VPC, of the right kind (a
   * public one, in a subnet whose table sends the destination to an attached internet gateway, for the internet),
   * preferably in the source's AZ. Without one, `advice` says exactly what to create, and why whyping does not.
   */
  replacementNat(
    rt: RouteTable,
    deadId: string,
    dead: NatGateway | undefined,
    dst: string,
    internetBound: boolean,
    subnetId: SubnetId,
  ): { nat: NatGateway | null; advice: string } {
    const kind = internetBound ? 'public' : (dead?.connectivityType ?? 'public');
    const unusable: string[] = [];
    const usable = [...this.s.natGateways.values()]
      .filter((n) => n.vpcId === rt.vpcId && n.id !== deadId && n.state === 'available')
      .filter((n) => {
        if (n.connectivityType !== kind) {
          unusable.push(`${n.id} is a ${n.connectivityType} NAT gateway`);
          return false;
        }
        if (routeTableFor(this.s, n.subnetId)?.id === rt.id) {
          unusable.push(`${n.id} is in a subnet that uses ${rt.id} itself`);
          return false;
        }
        if (internetBound && !this.internetRouteOf(n.subnetId, dst)) {
          unusable.push(`${n.id}'s subnet ${n.subnetId} routes ${dst} to no attached internet gateway`);
          return false;
        }
        return true;
      })
      .sort(
        (a, b) =>
          Number(!this.sameAz(a.subnetId, subnetId)) - Number(!this.sameAz(b.subnetId, subnetId)) ||
          a.id.localeCompare(b.id),
      );
    const nat = usable[0] ?? null;
    if (nat) return { nat, advice: '' };
    const others = unusable.length > 0 ? ` (${unusable.join('; ')})` : '';
    const dest = rt.routes.find((x) => x.target.kind === 'nat-gateway' && x.target.id === deadId);
    const route = dest?.destination.kind === 'cidr' ? dest.destination.cidr : 'the route';
    const cost = `whyping does not create NAT gateways itself: one is billed by the hour and per GB it processes${internetBound ? ', and it holds an Elastic IP you allocate for it' : ''}.`;
    if (!internetBound) {
      return {
        nat: null,
        advice: `No available ${kind} NAT gateway of ${rt.vpcId} in the snapshot can take its place${others}: create one, then point ${route} in ${rt.id} at it. ${cost}`,
      };
    }
    const publicSubnets = (this.s.index.vpcSubnets.get(rt.vpcId) ?? [])
      .map((id) => ({ id, out: this.internetRouteOf(id, INTERNET_ANY) }))
      .filter((x): x is { id: SubnetId; out: { rt: RouteTable; igw: string } } => x.out !== null)
      .sort(
        (a, b) =>
          Number(!this.sameAz(a.id, subnetId)) - Number(!this.sameAz(b.id, subnetId)) || a.id.localeCompare(b.id),
      );
    const ps = publicSubnets[0];
    const igw = (this.s.index.vpcInternetGateways.get(rt.vpcId) ?? [])[0];
    let where: string;
    if (ps) {
      const az = this.s.subnets.get(ps.id)?.availabilityZone;
      where = `in a public subnet such as ${ps.id}${az ? ` (${az})` : ''}, whose route table ${ps.out.rt.id} sends 0.0.0.0/0 to ${ps.out.igw}`;
    } else if (igw || !this.s.presentKeys.has('InternetGateways')) {
      where = `in a public subnet (none of ${rt.vpcId} has one now: give a subnet a route table with 0.0.0.0/0 → ${igw ?? 'the internet gateway'})`;
    } else {
      where = `in a public subnet (${rt.vpcId} has no internet gateway now: attach one and give a subnet a route table with 0.0.0.0/0 → it)`;
    }
    return {
      nat: null,
      advice: `No NAT gateway of ${rt.vpcId} in the snapshot can take its place${others}. Create a public NAT gateway ${where}, then point ${route} in ${rt.id} at it. ${cost}`,
    };
  }

  /**
   * The fix that creates an internet gateway, attaches it to `vpcId` and makes the route a path needs through it.
   * One plan per VPC and diagnosis (so "apply all" creates one gateway): the first route asked for goes into it,
   * and findings that asked earlier, without a route, get the plan with the route.
   */
  newIgwFix(vpcId: VpcId, route?: IgwRoute): { action: FixAction; summary: string } {
    if (route && !this.igwRoutes.has(vpcId)) {
      this.igwRoutes.set(vpcId, route);
      const fix = this.igwFixFor(vpcId);
      const earlier = this.findings.filter(
        (f) => f.fix?.action === 'CreateAndAttachInternetGateway' && f.fix.params.vpcId === vpcId,
      );
      const first = earlier[0];
      if (first) {
        const plan = makeFix(first.code, first.resource, fix.action, fix.summary);
        for (const f of earlier) f.fix = plan;
      }
    }
    return this.igwFixFor(vpcId);
  }

  igwFixFor(vpcId: VpcId): { action: FixAction; summary: string } {
    const r = this.igwRoutes.get(vpcId);
    const summary = !r
      ? `Create an internet gateway and attach it to ${vpcId}`
      : r.previousTarget
        ? `Create an internet gateway, attach it to ${vpcId} and point ${r.destinationCidrBlock} in ${r.routeTableId} at it instead of ${r.previousTarget}`
        : `Create an internet gateway, attach it to ${vpcId} and add route ${r.destinationCidrBlock} → it to ${r.routeTableId}`;
    return { action: { action: 'CreateAndAttachInternetGateway', params: { vpcId, ...r } }, summary };
  }

  /** The VPC holding a private address, when a peering or a shared transit gateway links it to `vpcId`. */
  linkedVpc(vpcId: VpcId, ip: string): VpcId | null {
    return this.linkedVpcs(vpcId, ip)[0] ?? null;
  }

  /** Every other VPC holding `ip` that a peering or a shared transit gateway links to `vpcId`. */
  linkedVpcs(vpcId: VpcId, ip: string): VpcId[] {
    return this.vpcsHolding(ip).filter((other) => other !== vpcId && this.linkedTo(vpcId, other));
  }

  linkedTo(vpcId: VpcId, other: VpcId): boolean {
    if (this.peeringBetween(vpcId, other)) return true;
    const tgws = new Set(
      (this.s.index.vpcTransitGatewayAttachments.get(vpcId) ?? []).map(
        (id) => this.s.transitGatewayAttachments.get(id)?.transitGatewayId,
      ),
    );
    return (this.s.index.vpcTransitGatewayAttachments.get(other) ?? []).some((id) =>
      tgws.has(this.s.transitGatewayAttachments.get(id)?.transitGatewayId),
    );
  }

  /** No route covers the destination: report it, then go on the way the fix would send the packet. */
  noRoute(flow: Flow, rt: RouteTable, subnetId: SubnetId, originSubnet: SubnetId, only?: Route): void {
    const dstIp = hostOf(flow.dst);
    const onlyText = only ? ` (only ${only.text} matches it)` : '';
    const internetBound = !isHost(flow.dst) || isPublicIp(dstIp);
    const linked = internetBound ? [] : this.linkedVpcs(rt.vpcId, dstIp);
    if (linked.length > 1) {
      // Overlapping CIDRs: the address exists in several linked VPCs, so no single route is "the" fix.
      this.find(
        flow,
        'NO_ROUTE',
        rt.id,
        `Route table ${rt.id} has no route to ${flow.dst}${onlyText}; the address lies in several linked VPCs with overlapping CIDRs (${linked.join(', ')}), so add a route to the one you mean.`,
        undefined,
        null,
      );
      return;
    }
    const dstVpc = linked[0] ?? (internetBound ? null : this.vpcHolding(dstIp));
    if (dstVpc && dstVpc !== rt.vpcId) {
      const p = this.peeringBetween(rt.vpcId, dstVpc);
      if (p) {
        const cidr = this.peerCidrs(p, dstVpc).find((c) => cidrContains(c, dstIp)) ?? flow.dst;
        this.find(
          flow,
          'NO_ROUTE',
          rt.id,
          `Route table ${rt.id} has no route to ${flow.dst}${onlyText}; ${p.id} links ${rt.vpcId} and ${dstVpc}, but no route sends ${cidr} through it.`,
          undefined,
          {
            action: {
              action: 'CreateRoute',
              params: { routeTableId: rt.id, destinationCidrBlock: cidr, target: { vpcPeeringConnectionId: p.id } },
            },
            summary: `Add route ${cidr} → ${p.id} to ${rt.id}`,
          },
        );
        this.follow(
          flow,
          rt,
          {
            destination: { kind: 'cidr', cidr },
            target: { kind: 'peering-connection', id: p.id },
            state: 'active',
            text: `${cidr} → ${p.id} (to be added)`,
          },
          cidr,
          subnetId,
          originSubnet,
        );
        return;
      }
      for (const attId of this.s.index.vpcTransitGatewayAttachments.get(rt.vpcId) ?? []) {
        const att = this.s.transitGatewayAttachments.get(attId);
        if (att?.state !== 'available') continue;
        const dstAttached = (this.s.index.vpcTransitGatewayAttachments.get(dstVpc) ?? []).some(
          (id) => this.s.transitGatewayAttachments.get(id)?.transitGatewayId === att.transitGatewayId,
        );
        if (!dstAttached) continue;
        const cidr = this.s.vpcs.get(dstVpc)?.cidrs.find((c) => cidrContains(c, dstIp)) ?? flow.dst;
        this.find(
          flow,
          'NO_ROUTE',
          rt.id,
          `Route table ${rt.id} has no route to ${flow.dst}${onlyText}; both VPCs are attached to ${att.transitGatewayId}, but no route sends ${cidr} to it.`,
          undefined,
          {
            action: {
              action: 'CreateRoute',
              params: {
                routeTableId: rt.id,
                destinationCidrBlock: cidr,
                target: { transitGatewayId: att.transitGatewayId },
              },
            },
            summary: `Add route ${cidr} → ${att.transitGatewayId} to ${rt.id}`,
          },
        );
        this.follow(
          flow,
          rt,
          {
            destination: { kind: 'cidr', cidr },
            target: { kind: 'transit-gateway', id: att.transitGatewayId },
            state: 'active',
            text: `${cidr} → ${att.transitGatewayId} (to be added)`,
          },
          cidr,
          subnetId,
          originSubnet,
        );
        return;
      }
    }
    if (internetBound) {
      const igw = (this.s.index.vpcInternetGateways.get(rt.vpcId) ?? [])[0];
      const fix: { action: FixAction; summary: string } | null = igw
        ? {
            action: {
              action: 'CreateRoute',
              params: { routeTableId: rt.id, destinationCidrBlock: INTERNET_ANY, target: { gatewayId: igw } },
            },
            summary: `Add route 0.0.0.0/0 → ${igw} to ${rt.id}`,
          }
        : this.s.presentKeys.has('InternetGateways')
          ? this.newIgwFix(rt.vpcId, { routeTableId: rt.id, destinationCidrBlock: INTERNET_ANY })
          : null;
      this.find(
        flow,
        'NO_INTERNET_GATEWAY_ROUTE',
        rt.id,
        `Route table ${rt.id} has no route to the internet (${flow.dst}): traffic ${flow.side === 'return' ? 'replying to' : 'to'} the internet needs 0.0.0.0/0 → an attached internet gateway.`,
        undefined,
        fix,
      );
      this.igwEgress(flow, igw ?? null, rt.vpcId, subnetId, true);
      return;
    }
    this.find(
      flow,
      'NO_ROUTE',
      rt.id,
      `Route table ${rt.id} has no route to ${flow.dst}, and nothing in the snapshot links ${rt.vpcId} to where it is.`,
      undefined,
      null,
    );
  }

  follow(flow: Flow, rt: RouteTable, r: Route, matched: string, subnetId: SubnetId, originSubnet: SubnetId): void {
    const t = r.target;
    switch (t.kind) {
      case 'local':
        this.deliverInVpc(flow, rt.vpcId, subnetId);
        return;
      case 'peering-connection':
        this.peering(flow, t.id, rt.vpcId, subnetId, matched, r.state === 'blackhole');
        return;
      case 'internet-gateway':
        this.igwEgress(flow, t.id, rt.vpcId, subnetId, false, { rt, route: r });
        return;
      case 'nat-gateway':
        this.natEgress(flow, t.id, rt.vpcId, subnetId, rt, r.state === 'blackhole');
        return;
      case 'transit-gateway':
        this.tgwEnter(flow, t.id, rt.vpcId, subnetId, originSubnet);
        return;
      case 'network-interface':
      case 'instance':
        this.appliance(flow, t.kind === 'instance' ? t.id : null, t.kind === 'network-interface' ? t.id : null);
        return;
      case 'vpc-endpoint':
        this.stop(
          'vpc-endpoint',
          t.id,
          `${flow.dst} is routed to VPC endpoint ${t.id}: the AWS service behind it is outside the model`,
        );
        return;
      case 'egress-only-internet-gateway':
        this.stop(
          'egress-only-internet-gateway',
          t.id,
          'IPv6 paths through egress-only internet gateways are not analyzed',
        );
        return;
      case 'virtual-private-gateway':
        this.stop(
          'virtual-private-gateway',
          t.id,
          `${flow.dst} is routed to a VPN gateway: VPN and Direct Connect paths are outside the model`,
        );
        return;
      case 'other':
        this.stop(
          'route-table',
          rt.id,
          `${flow.dst} is routed to ${t.id} (${t.field}), which the model does not cover`,
        );
        return;
    }
  }

  /** The local route (or a gateway that delivered into the VPC): find the interface that holds the address. */
  deliverInVpc(flow: Flow, vpcId: VpcId, fromSubnet: SubnetId | null): void {
    const ip = hostOf(flow.dst);
    const eni = isHost(flow.dst) ? this.eniInVpc(ip, vpcId) : null;
    if (!eni) {
      const nat = this.ix.natByIp.get(ip);
      if (nat && nat.vpcId === vpcId) {
        // NAT gateway interfaces are often missing from DescribeNetworkInterfaces output; the NAT says where it is.
        this.crossSubnets(flow, fromSubnet, nat.subnetId);
        this.natAsDestination(flow, nat);
        return;
      }
      if (flow.side === 'forward' && isHost(flow.dst) && this.s.presentKeys.has('NetworkInterfaces')) {
        this.hop(flow, { component: 'vpc', id: vpcId, allowed: false, rule: `no network interface holds ${ip}` });
        this.find(
          flow,
          'NO_INTERFACE_AT_DESTINATION',
          vpcId,
          `No network interface in ${vpcId} holds ${ip}: the packet is routed into the VPC, but nothing there answers.`,
          undefined,
          null,
        );
        return;
      }
      this.stop('vpc', vpcId, `no network interface in ${vpcId} holds ${flow.dst} in the snapshot`);
      return;
    }
    this.crossSubnets(flow, fromSubnet, eni.subnetId);
    this.arriveAt(flow, eni);
  }

  /** The packet reaches an interface: a NAT gateway on the way back, or the end of this direction. */
  arriveAt(flow: Flow, eni: NetworkInterface): void {
    this.touched.add(eni.id);
    const nat = this.ix.natByEni.get(eni.id) ?? (eni.interfaceType === 'nat_gateway' ? this.natOfEni(eni) : null);
    if (flow.side === 'return' && flow.natted && nat && nat.id === flow.natted.nat.id) {
      this.natReturn(flow, flow.natted);
      return;
    }
    if (flow.side === 'forward') {
      if (eni.interfaceType === 'nat_gateway' || nat) {
        this.natAsDestination(flow, nat ?? null, eni.id);
        return;
      }
      if (!this.instanceOf(eni) && eni.interfaceType !== 'interface') {
        this.stop(
          'network-interface',
          eni.id,
          `${eni.id} is a ${eni.interfaceType} interface${eni.description ? ` (${eni.description})` : ''}: what it answers is outside the model`,
        );
        return;
      }
      this.sgIngress(flow, eni);
      this.instanceState(flow, eni);
      if (!this.instanceOf(eni)) {
        this.stop('network-interface', eni.id, `${eni.id} is attached to no instance: nothing answers on it`);
        return;
      }
    } else {
      this.hop(flow, {
        component: 'security-group',
        id: eni.groupIds[0] ?? eni.id,
        direction: 'ingress',
        allowed: true,
        rule: 'reply to an allowed request',
        detail: 'security groups are stateful: replies pass whatever the rules say',
      });
    }
    flow.arrived = { kind: 'eni', eni, srcSeen: flow.src };
  }

  /** A NAT gateway's own address as the destination: it answers no connection addressed to it. */
  natAsDestination(flow: Flow, nat: NatGateway | null, eniId?: string): void {
    const id = nat?.id ?? eniId ?? hostOf(flow.dst);
    this.hop(flow, { component: 'nat-gateway', id, allowed: false, rule: 'a NAT gateway is not a host' });
    this.find(
      flow,
      'NAT_GATEWAY_NOT_A_DESTINATION',
      id,
      `${hostOf(flow.dst)} belongs to NAT gateway ${id}, which translates traffic from its VPC outward and answers no connection addressed to it.`,
      undefined,
      null,
    );
  }

  natOfEni(eni: NetworkInterface): NatGateway | null {
    for (const p of eni.privateIps) {
      const n = this.ix.natByIp.get(p.address);
      if (n) return n;
    }
    return null;
  }

  peering(
    flow: Flow,
    pcxId: VpcPeeringConnectionId,
    fromVpc: VpcId,
    fromSubnet: SubnetId,
    matched: string,
    routeBlackhole = false,
  ): void {
    const p = this.s.peeringConnections.get(pcxId);
    if (!p) {
      this.stop('peering-connection', pcxId, `${pcxId} is not in the snapshot`);
      return;
    }
    const active = p.status === 'active';
    const peerVpc = p.requester.vpcId === fromVpc ? p.accepter.vpcId : p.requester.vpcId;
    this.hop(flow, {
      component: 'peering-connection',
      id: p.id,
      allowed: active,
      rule: `${p.requester.vpcId} ↔ ${p.accepter.vpcId} (${p.status})`,
    });
    // A dead peering (deleted, rejected, expired, failed) behind a blackhole route is the route's problem, already
    // reported: there is nothing to accept.
    if (!active && !(routeBlackhole && !LIVE_PEERING.has(p.status))) {
      this.find(
        flow,
        'PEERING_NOT_ACTIVE',
        p.id,
        `Peering connection ${p.id} between ${p.requester.vpcId} and ${p.accepter.vpcId} is ${p.status}: only an active peering carries traffic.`,
        `status ${p.status}`,
        // Only a request awaiting acceptance can be accepted: initiating-request comes before it, provisioning after.
        p.status === 'pending-acceptance'
          ? {
              action: { action: 'AcceptVpcPeeringConnection', params: { vpcPeeringConnectionId: p.id } },
              summary: `Accept peering connection ${p.id} (as the owner of ${p.accepter.vpcId})`,
            }
          : null,
      );
    }
    if (!active && !LIVE_PEERING.has(p.status)) return;
    const peerCidrs = this.peerCidrs(p, peerVpc);
    const localCidrs = this.peerCidrs(p, fromVpc);
    const dstInPeer = peerCidrs.some((c) => cidrCovers(c, flow.dst));
    const srcInLocal = localCidrs.some((c) => cidrCovers(c, flow.src));
    if (!dstInPeer || !srcInLocal) {
      this.find(
        flow,
        'PEERING_NOT_TRANSITIVE',
        p.id,
        !dstInPeer
          ? `${flow.dst} is not in ${peerVpc} (${peerCidrs.join(', ') || 'CIDRs unknown'}): a peering connection delivers only to the peer VPC's own addresses (no transit, no edge-to-edge routing). ${TRANSIT_ADVICE}`
          : `The packet's source ${flow.src} is not in ${fromVpc}: a peering connection carries only traffic from the VPC's own addresses (no transit, no edge-to-edge routing). ${TRANSIT_ADVICE}`,
        `route ${matched} → ${p.id}`,
        null,
      );
      return;
    }
    if (!this.s.vpcs.has(peerVpc)) {
      this.nacl(flow, fromSubnet, true);
      this.stop('peering-connection', p.id, `${peerVpc} (the other side of ${p.id}) is not in the snapshot`);
      return;
    }
    flow.viaPeering = true;
    this.deliverInVpc(flow, peerVpc, fromSubnet);
  }

  /** Out through an internet gateway: the source needs a public IP; RFC 1918/6598 destinations are dropped. */
  igwEgress(
    flow: Flow,
    igwId: string | null,
    vpcId: VpcId,
    fromSubnet: SubnetId,
    assumed: boolean,
    via?: { rt: RouteTable; route: Route },
  ): void {
    const dstIp = hostOf(flow.dst);
    const igw: InternetGateway | undefined = igwId ? this.s.internetGateways.get(igwId as `igw-${string}`) : undefined;
    // Without InternetGateways in the snapshot, the route's own state is all there is to go by.
    const attached =
      igwId !== null &&
      (!this.s.presentKeys.has('InternetGateways') ||
        (this.s.index.vpcInternetGateways.get(vpcId) ?? []).includes(igwId as `igw-${string}`));
    if (isHost(flow.dst) && (isRfc1918(dstIp) || isRfc6598(dstIp))) {
      this.hop(flow, {
        component: 'internet-gateway',
        id: igwId ?? vpcId,
        allowed: false,
        rule: `${dstIp} is a private address`,
      });
      this.find(
        flow,
        'PRIVATE_DESTINATION_VIA_INTERNET',
        igwId ?? vpcId,
        `${dstIp} is a private (RFC 1918/6598) address, but the route sends it to internet gateway ${igwId}: an internet gateway never forwards private destinations.`,
        undefined,
        null,
      );
      return;
    }
    if (igwId && !attached && !assumed) {
      // The route names a gateway that is not attached: point it at the one attached now, or create one with it.
      const other = (this.s.index.vpcInternetGateways.get(vpcId) ?? [])[0];
      const cidr = via?.route.destination.kind === 'cidr' ? via.route.destination.cidr : undefined;
      let fix: { action: FixAction; summary: string } | null = null;
      if (via && cidr && other) {
        fix = {
          action: {
            action: 'ReplaceRoute',
            params: {
              routeTableId: via.rt.id,
              destinationCidrBlock: cidr,
              target: { gatewayId: other },
              previousTarget: igwId,
            },
          },
          summary: `Point ${cidr} in ${via.rt.id} at ${other} instead of ${igwId}`,
        };
      } else if (!other) {
        fix = this.newIgwFix(
          vpcId,
          via && cidr ? { routeTableId: via.rt.id, destinationCidrBlock: cidr, previousTarget: igwId } : undefined,
        );
      }
      this.find(
        flow,
        'INTERNET_GATEWAY_NOT_ATTACHED',
        igwId,
        `Internet gateway ${igwId} is not attached to ${vpcId}${igw ? '' : ' (it is not in the snapshot)'}.`,
        undefined,
        fix,
      );
    }
    this.nacl(flow, fromSubnet, true);
    // The source must be a private address paired with a public IP on an ENI of this VPC.
    const srcIp = hostOf(flow.src);
    const srcEni = this.eniInVpc(srcIp, vpcId);
    let publicIp = srcEni ? this.publicIpOf(srcEni, srcIp) : null;
    if (!publicIp && srcEni && this.assumedEip?.eni.id === srcEni.id && this.assumedEip.privateIp === srcIp) {
      publicIp = ASSUMED_EIP;
      this.hop(flow, {
        component: 'internet-gateway',
        id: igwId ?? vpcId,
        allowed: true,
        rule: `source ${srcIp} → (new Elastic IP)`,
        detail: 'assuming the Elastic IP the fix adds',
      });
    } else if (!publicIp) {
      const who = srcEni ? this.label(srcEni) : srcIp;
      const inst = srcEni ? this.instanceOf(srcEni) : null;
      // A private NAT gateway has no public address and can be given none: the internet gateway drops what it sends.
      const privateNat = srcEni ? this.natOfEni(srcEni) : null;
      this.hop(flow, {
        component: 'internet-gateway',
        id: igwId ?? vpcId,
        allowed: false,
        rule: `${srcIp} has no public IPv4 address`,
        ...(privateNat?.connectivityType === 'private' ? { detail: `${privateNat.id} is a private NAT gateway` } : {}),
      });
      const viaPeer = srcEni === null;
      this.find(
        flow,
        viaPeer ? 'PEERING_NOT_TRANSITIVE' : 'NO_PUBLIC_IP',
        viaPeer ? vpcId : (inst?.id ?? privateNat?.id ?? srcEni?.id ?? srcIp),
        viaPeer
          ? `${srcIp} is not an address of ${vpcId}: its internet gateway does not carry traffic from other networks (no edge-to-edge routing).`
          : privateNat?.connectivityType === 'private'
            ? `NAT gateway ${privateNat.id} is a private NAT gateway (no Elastic IP can be associated with one), so internet gateway ${igwId ?? ''} drops the traffic it sends: internet-bound traffic needs a route to a public NAT gateway.`
            : `${who} has no public or Elastic IP, so internet gateway ${igwId ?? ''} cannot carry its traffic ${flow.side === 'return' ? 'back ' : ''}to the internet.`,
        undefined,
        srcEni && srcEni.interfaceType === 'interface'
          ? {
              action: {
                action: 'AllocateAndAssociateAddress',
                params: { ...(inst ? { instanceId: inst.id } : {}), networkInterfaceId: srcEni.id, privateIp: srcIp },
              },
              summary: `Allocate an Elastic IP and associate it with ${who} (${srcIp})`,
            }
          : null,
      );
      if (viaPeer || !srcEni) return;
      publicIp = ASSUMED_EIP;
      this.assumedEip = { eni: srcEni, privateIp: srcIp };
    } else {
      this.hop(flow, {
        component: 'internet-gateway',
        id: igwId ?? vpcId,
        allowed: true,
        rule: `source ${srcIp} → ${publicIp}`,
      });
    }
    flow.src = hostCidr(publicIp);
    flow.srcEni = null;
    flow.viaInternet = true;
    if (dstIp === ASSUMED_EIP && this.assumedEip) {
      this.igwIngressAssumed(flow, this.assumedEip.eni, this.assumedEip.privateIp);
      return;
    }
    // On the internet: an address of some ENI in the snapshot comes back in through its VPC's gateway.
    const target = isHost(flow.dst) ? this.s.index.publicIpToEni.get(dstIp) : undefined;
    const targetEni = target ? this.s.networkInterfaces.get(target) : undefined;
    if (targetEni) {
      this.igwIngress(flow, targetEni, dstIp);
      return;
    }
    const natTarget = isHost(flow.dst) ? this.ix.natByIp.get(dstIp) : undefined;
    if (natTarget) {
      const natEni = natTarget.addresses.find((a) => a.publicIp === dstIp)?.networkInterfaceId;
      const e = natEni ? this.s.networkInterfaces.get(natEni) : undefined;
      if (e) {
        this.igwIngress(flow, e, dstIp);
        return;
      }
      if (flow.side === 'forward') {
        const igw = (this.s.index.vpcInternetGateways.get(natTarget.vpcId) ?? [])[0];
        if (igw)
          this.hop(flow, { component: 'internet-gateway', id: igw, allowed: true, rule: `destination ${dstIp}` });
        this.natAsDestination(flow, natTarget);
        return;
      }
    }
    this.hop(flow, { component: 'internet', id: 'internet', allowed: true, rule: `to ${flow.dst}` });
    const service = flow.side === 'forward' && isHost(flow.dst) ? this.awsServiceOf(dstIp) : null;
    if (service) {
      this.stop(
        'internet',
        service.id,
        `${dstIp} is an address of ${service.name ?? service.id}: which protocols and ports an AWS service answers is outside the model`,
      );
      return;
    }
    flow.arrived = { kind: 'internet', srcSeen: flow.src };
  }

  /** In from the internet to a public IP: the VPC needs an attached internet gateway; the address is translated. */
  igwIngress(flow: Flow, eni: NetworkInterface, publicIp: string): void {
    const igws = this.s.index.vpcInternetGateways.get(eni.vpcId) ?? [];
    const igw = igws[0] ?? (this.s.presentKeys.has('InternetGateways') ? undefined : this.igwFromRoutes(eni.vpcId));
    const privateIp =
      eni.privateIps.find((p) => p.publicIp === publicIp)?.address ??
      this.ix.natByIp.get(publicIp)?.addresses.find((a) => a.publicIp === publicIp)?.privateIp ??
      eni.privateIps[0]?.address;
    if (!igw && !this.s.presentKeys.has('InternetGateways')) {
      this.stop(
        'internet-gateway',
        eni.vpcId,
        `the snapshot has no InternetGateways: whether ${eni.vpcId} has one is unknown`,
      );
      return;
    }
    if (!igw) {
      this.hop(flow, {
        component: 'internet-gateway',
        id: eni.vpcId,
        allowed: false,
        rule: `no internet gateway attached to ${eni.vpcId}`,
      });
      this.find(
        flow,
        'INTERNET_GATEWAY_NOT_ATTACHED',
        eni.vpcId,
        `${eni.vpcId} has no attached internet gateway, so nothing from the internet reaches ${publicIp}.`,
        undefined,
        this.newIgwFix(eni.vpcId),
      );
    } else {
      this.hop(flow, {
        component: 'internet-gateway',
        id: igw,
        allowed: true,
        rule: `destination ${publicIp} → ${privateIp ?? '?'}`,
      });
    }
    const edge = igw ? this.ix.gatewayRouteTables.get(igw) : undefined;
    if (edge && privateIp) {
      const m = selectRoute(this.s, edge, hostCidr(privateIp));
      if (m && m.route.target.kind !== 'local') {
        this.stop(
          'route-table',
          edge.id,
          `ingress routing in ${edge.id} sends ${privateIp} to ${m.route.text}: middlebox paths are outside the model`,
        );
        return;
      }
    }
    if (!privateIp) {
      this.stop('network-interface', eni.id, `no private address of ${eni.id} maps to ${publicIp}`);
      return;
    }
    flow.dst = hostCidr(privateIp);
    flow.viaInternet = true;
    this.crossSubnets(flow, null, eni.subnetId);
    this.arriveAt(flow, eni);
  }

  /** Without InternetGateways in the snapshot: the internet gateway the VPC's active routes point at, if any. */
  igwFromRoutes(vpcId: VpcId): InternetGatewayId | undefined {
    for (const rt of this.s.routeTables.values()) {
      if (rt.vpcId !== vpcId) continue;
      for (const r of rt.routes) if (r.target.kind === 'internet-gateway' && r.state === 'active') return r.target.id;
    }
    return undefined;
  }

  /** In from the internet as if the interface had the public IP a fix would give it (after a NO_PUBLIC_IP). */
  igwIngressAssumed(flow: Flow, eni: NetworkInterface, privateIp: string): void {
    const igw = (this.s.index.vpcInternetGateways.get(eni.vpcId) ?? [])[0];
    if (!igw && this.s.presentKeys.has('InternetGateways')) {
      this.find(
        flow,
        'INTERNET_GATEWAY_NOT_ATTACHED',
        eni.vpcId,
        `${eni.vpcId} has no attached internet gateway, so nothing from the internet reaches ${this.label(eni)}.`,
        undefined,
        this.newIgwFix(eni.vpcId),
      );
    }
    this.hop(flow, {
      component: 'internet-gateway',
      id: igw ?? eni.vpcId,
      allowed: true,
      rule: `destination (new Elastic IP) → ${privateIp}`,
      detail: 'assuming the Elastic IP the fix adds',
    });
    flow.dst = hostCidr(privateIp);
    flow.viaInternet = true;
    this.crossSubnets(flow, null, eni.subnetId);
    this.arriveAt(flow, eni);
  }

  natEgress(
    flow: Flow,
    natId: string,
    vpcId: VpcId,
    fromSubnet: SubnetId,
    rt: RouteTable,
    routeBlackhole = false,
  ): void {
    const nat = this.s.natGateways.get(natId as `nat-${string}`);
    if (!nat) {
      this.stop('nat-gateway', natId, `${natId} is not in the snapshot`);
      return;
    }
    const available = nat.state === 'available';
    const a = nat.addresses.find((x) => x.privateIp) ?? nat.addresses[0];
    const natEni = a?.networkInterfaceId ? (this.s.networkInterfaces.get(a.networkInterfaceId) ?? null) : null;
    if (!available) {
      this.hop(flow, { component: 'nat-gateway', id: nat.id, allowed: false, rule: `state ${nat.state}` });
      // A deleted or failed NAT behind a blackhole route is the route's problem, already reported.
      if (routeBlackhole && (nat.state === 'deleted' || nat.state === 'failed')) return;
      this.find(
        flow,
        'NAT_GATEWAY_NOT_AVAILABLE',
        nat.id,
        `NAT gateway ${nat.id} is ${nat.state}: routes to it drop traffic.`,
        `state ${nat.state}`,
        null,
      );
      return;
    }
    // Traffic that crossed a peering may not use the peer's NAT gateway (no edge-to-edge routing). Traffic from
    // a transit gateway may: that is the centralized-egress design AWS documents.
    if (flow.viaPeering) {
      this.hop(flow, {
        component: 'nat-gateway',
        id: nat.id,
        allowed: false,
        rule: `source ${flow.src} is not in ${vpcId}`,
      });
      this.find(
        flow,
        'NAT_REQUIRES_SOURCE_IN_VPC',
        nat.id,
        `NAT gateway ${nat.id} forwards only traffic from its own VPC ${vpcId}; ${flow.src} came from elsewhere.`,
        undefined,
        null,
      );
      return;
    }
    const natSubnet = nat.subnetId;
    const privateIp = a?.privateIp;
    if (!privateIp) {
      this.stop('nat-gateway', nat.id, `the private address of ${nat.id} is not in the snapshot`);
      return;
    }
    if (flow.side === 'return') {
      // A NAT gateway translates new outbound connections only: a reply routed into one leaves with the NAT's
      // address, and the client, which contacted another address, drops it (asymmetric routing, e.g. in through
      // the internet gateway to a public IP, out through the NAT gateway).
      this.crossSubnets(flow, fromSubnet, natSubnet);
      this.hop(flow, {
        component: 'nat-gateway',
        id: nat.id,
        allowed: false,
        rule: `source ${flow.src} → ${privateIp}`,
        detail: 'the reply would leave with the NAT gateway address, not the one the client contacted',
      });
      const igw = (this.s.index.vpcInternetGateways.get(vpcId) ?? [])[0];
      const client = flow.dst;
      const canRoute = igw !== undefined && parseCidr(client)?.prefix !== 0;
      this.find(
        flow,
        'NO_INTERNET_GATEWAY_ROUTE',
        rt.id,
        `Replies to ${client} leave through NAT gateway ${nat.id} (route table ${rt.id}) and carry its address, so the client, which contacted ${flow.src}, drops them: the reply needs a route to an internet gateway.`,
        undefined,
        canRoute
          ? {
              action: {
                action: 'CreateRoute',
                params: { routeTableId: rt.id, destinationCidrBlock: client, target: { gatewayId: igw } },
              },
              summary: `Add route ${client} → ${igw} to ${rt.id}`,
            }
          : null,
      );
      return;
    }
    this.crossSubnets(flow, fromSubnet, natSubnet);
    const rec: NatRecord = {
      nat,
      natEni,
      privateIp,
      origSrc: flow.src,
      origEphemeral: this.clientEphemeral,
    };
    this.hop(flow, {
      component: 'nat-gateway',
      id: nat.id,
      allowed: true,
      rule: `source ${hostOf(flow.src)} → ${privateIp}`,
    });
    flow.src = hostCidr(privateIp);
    flow.srcEni = null;
    flow.natted = rec;
    this.nats.push(rec);
    // From here on the NAT gateway's own subnet routes the packet (its route table and its ACL).
    this.route(flow, natSubnet, natSubnet);
  }

  /** The reply reaches the NAT gateway that translated the request: translate back and route to the client. */
  natReturn(flow: Flow, rec: NatRecord): void {
    this.hop(flow, {
      component: 'nat-gateway',
      id: rec.nat.id,
      allowed: true,
      rule: `destination ${rec.privateIp} → ${hostOf(rec.origSrc)}`,
    });
    flow.dst = rec.origSrc;
    flow.natted = null;
    flow.traffic = replyTraffic(this.q.protocol, rec.origEphemeral);
    this.route(flow, rec.nat.subnetId, rec.nat.subnetId);
  }

  /** Into a transit gateway through this VPC's attachment, then its route tables, then out of an attachment. */
  tgwEnter(flow: Flow, tgwId: TransitGatewayId, vpcId: VpcId, fromSubnet: SubnetId, originSubnet: SubnetId): void {
    const att = (this.s.index.vpcTransitGatewayAttachments.get(vpcId) ?? [])
      .map((id) => this.s.transitGatewayAttachments.get(id))
      .find((a): a is TransitGatewayAttachment => a !== undefined && a.transitGatewayId === tgwId);
    if (!att) {
      this.stop('transit-gateway', tgwId, `no attachment of ${vpcId} to ${tgwId} is in the snapshot`);
      return;
    }
    // Traffic enters the transit gateway through the attachment's interface in the source's AZ.
    let attSubnet = att.subnetIds.find((sn) => this.sameAz(sn, originSubnet));
    if (!attSubnet) {
      const az = this.s.subnets.get(originSubnet)?.availabilityZone ?? 'its AZ';
      this.hop(flow, {
        component: 'transit-gateway-attachment',
        id: att.id,
        allowed: false,
        rule: `no attachment subnet in ${az}`,
      });
      this.find(
        flow,
        'TGW_NO_ATTACHMENT_IN_AZ',
        att.id,
        `Attachment ${att.id} of ${vpcId} to ${tgwId} has no subnet in ${az}, where ${originSubnet} is: resources in an AZ reach the transit gateway only through an attachment subnet in the same AZ.`,
        `attachment subnets ${att.subnetIds.join(', ')}`,
        null,
      );
      attSubnet = att.subnetIds[0];
      if (!attSubnet) return;
    }
    // Both ACLs apply on the way into the transit gateway, even within one subnet (AWS TGW docs, "Network ACLs").
    this.nacl(flow, fromSubnet, true);
    this.nacl(flow, attSubnet, false);
    flow.viaTgw = true;
    const sender = flow.srcEni;
    flow.srcEni = null;
    flow.tgwRefEni = null;
    this.tgwForward(flow, tgwId, att, originSubnet, 0, sender);
  }

  tgwForward(
    flow: Flow,
    tgwId: TransitGatewayId,
    inAtt: TransitGatewayAttachment,
    originSubnet: SubnetId,
    depth: number,
    sender: NetworkInterface | null = null,
  ): void {
    if (depth > 4 || ++flow.steps > MAX_STEPS) {
      this.stop('transit-gateway', tgwId, 'the path loops between transit gateways');
      return;
    }
    const rtbId = this.associationOf(inAtt, tgwId);
    this.hop(flow, {
      component: 'transit-gateway',
      id: tgwId,
      allowed: rtbId !== null,
      rule: rtbId ? `${inAtt.id} associated with ${rtbId}` : `${inAtt.id} has no route table association`,
    });
    if (!rtbId) {
      this.find(
        flow,
        'TGW_ATTACHMENT_NOT_ASSOCIATED',
        inAtt.id,
        `Attachment ${inAtt.id} is associated with no route table of ${tgwId}: the transit gateway cannot route what enters through it.`,
        undefined,
        null,
      );
      return;
    }
    const rtb = this.s.transitGatewayRouteTables.get(rtbId as `tgw-rtb-${string}`);
    if (!rtb) {
      this.stop('transit-gateway-route-table', rtbId, `${rtbId} is not in the snapshot`);
      return;
    }
    const r = selectTgwRoute(rtb, flow.dst);
    if (!r || r.state === 'blackhole' || r.attachmentIds.length === 0) {
      this.hop(flow, {
        component: 'transit-gateway-route-table',
        id: rtb.id,
        allowed: false,
        rule: r ? r.text : `no route to ${flow.dst}`,
      });
      this.find(
        flow,
        r ? 'TGW_ROUTE_BLACKHOLE' : 'TGW_NO_ROUTE',
        rtb.id,
        r
          ? `The route ${r.cidr} in transit gateway route table ${rtb.id} is a blackhole: packets to ${flow.dst} are dropped.`
          : `Transit gateway route table ${rtb.id} has no route to ${flow.dst}.`,
        r?.text,
        null,
      );
      return;
    }
    this.hop(flow, { component: 'transit-gateway-route-table', id: rtb.id, allowed: true, rule: r.text });
    const outId = r.attachmentIds[0];
    const out = outId ? this.s.transitGatewayAttachments.get(outId) : undefined;
    if (!out) {
      this.stop('transit-gateway-attachment', outId ?? rtb.id, `${outId} is not in the snapshot`);
      return;
    }
    if (out.resourceType === 'peering') {
      const other =
        out.transitGatewayId === tgwId
          ? (out.peerTransitGatewayId ?? (out.resourceId as TransitGatewayId))
          : out.transitGatewayId;
      this.hop(flow, {
        component: 'transit-gateway-attachment',
        id: out.id,
        allowed: true,
        rule: `peering ${tgwId} → ${other}`,
      });
      this.tgwForward(flow, other, out, originSubnet, depth + 1);
      return;
    }
    if (out.resourceType !== 'vpc') {
      this.stop(
        'transit-gateway-attachment',
        out.id,
        `${out.id} leads to a ${out.resourceType} attachment, outside the model`,
      );
      return;
    }
    const vpcId = out.resourceId as VpcId;
    const dstIp = hostOf(flow.dst);
    const dstEni = isHost(flow.dst) ? this.eniInVpc(dstIp, vpcId) : null;
    const subnet =
      out.subnetIds.find((sn) => this.sameAz(sn, originSubnet)) ??
      (dstEni ? out.subnetIds.find((sn) => this.sameAz(sn, dstEni.subnetId)) : undefined) ??
      out.subnetIds[0];
    this.hop(flow, {
      component: 'transit-gateway-attachment',
      id: out.id,
      allowed: true,
      rule: `into ${vpcId}${subnet ? ` via ${subnet}` : ''}`,
    });
    if (!subnet) {
      this.stop('transit-gateway-attachment', out.id, `the subnets of ${out.id} are not in the snapshot`);
      return;
    }
    // Security group referencing over a transit gateway (inbound rules only, one gateway, so one region): the
    // gateway must enable it (AWS's default is disable) and neither VPC attachment disable it (their default: enable).
    const tgw = this.s.transitGateways.get(tgwId);
    flow.tgwRefEni =
      sender &&
      depth === 0 &&
      tgw?.securityGroupReferencingSupport === 'enable' &&
      inAtt.securityGroupReferencingSupport !== 'disable' &&
      out.securityGroupReferencingSupport !== 'disable'
        ? sender
        : null;
    // Out of the transit gateway, the attachment subnet's route table routes the packet inside the VPC.
    this.route(flow, subnet, subnet);
  }

  /** The route table a transit gateway uses for traffic entering through an attachment. */
  associationOf(att: TransitGatewayAttachment, tgwId: TransitGatewayId): string | null {
    if (att.transitGatewayId === tgwId) return att.associatedRouteTableId ?? null;
    if (att.peerAssociatedRouteTableId) return att.peerAssociatedRouteTableId;
    // A peering attachment seen only from the other side: fall back to the TGW's default association table.
    return this.s.transitGateways.get(tgwId)?.defaultAssociationRouteTableId ?? null;
  }

  /** A route to an instance or ENI (an appliance): the source/dest check must be off; what it forwards is unknown. */
  appliance(flow: Flow, instanceId: string | null, eniId: string | null): void {
    const inst = instanceId ? this.s.instances.get(instanceId as `i-${string}`) : undefined;
    const id = eniId ?? inst?.networkInterfaceIds[0];
    const eni = id ? this.s.networkInterfaces.get(id as `eni-${string}`) : undefined;
    if (!eni) {
      this.stop(
        'network-interface',
        eniId ?? instanceId ?? '?',
        `the appliance ${eniId ?? instanceId} is not in the snapshot`,
      );
      return;
    }
    this.hop(flow, {
      component: 'network-interface',
      id: eni.id,
      allowed: !eni.sourceDestCheck,
      rule: `source/destination check ${eni.sourceDestCheck ? 'on' : 'off'}`,
    });
    if (eni.sourceDestCheck) {
      this.find(
        flow,
        'SOURCE_DEST_CHECK',
        eni.id,
        `The route sends ${flow.dst} to ${this.label(eni)}, whose interface ${eni.id} has source/destination check on: it drops traffic not addressed to itself.`,
        'SourceDestCheck=true',
        {
          action: { action: 'DisableSourceDestCheck', params: { networkInterfaceId: eni.id } },
          summary: `Turn off source/destination check on ${eni.id}`,
        },
      );
    }
    this.stop(
      'network-interface',
      eni.id,
      `traffic is routed through appliance ${this.label(eni)}: what it forwards is outside the model`,
    );
  }
}

type SourcePlace =
  | { kind: 'eni'; eni: NetworkInterface; ip: string }
  | { kind: 'internet'; cidr: string; label: string };
type DestinationPlace =
  | { kind: 'eni'; eni: NetworkInterface; ip: string; publicIp: string | null }
  | { kind: 'address'; cidr: string };

function newFlow(side: Side, protocol: Protocol, traffic: Traffic, src: string, dst: string): Flow {
  return {
    side,
    hops: [],
    protocol,
    traffic,
    src,
    dst,
    srcEni: null,
    viaPeering: false,
    viaTgw: false,
    tgwRefEni: null,
    viaInternet: false,
    natted: null,
    steps: 0,
    arrived: null,
  };
}

function eniOf(s: Snapshot, ep: ResolvedEndpoint): NetworkInterface | null {
  if (ep.eni) return s.networkInterfaces.get(ep.eni) ?? null;
  const inst = ep.instanceId ? s.instances.get(ep.instanceId) : undefined;
  const first = inst?.networkInterfaceIds[0];
  return first ? (s.networkInterfaces.get(first) ?? null) : null;
}

/** The private address of an ENI an endpoint stands for (its public IP mapped back, or the primary address). */
function privateAddressOf(eni: NetworkInterface, ep: ResolvedEndpoint): string {
  if (ep.ip && eni.privateIps.some((p) => p.address === ep.ip)) return ep.ip;
  if (ep.ip) {
    const mapped = eni.privateIps.find((p) => p.publicIp === ep.ip);
    if (mapped) return mapped.address;
  }
  return eni.privateIps.find((p) => p.primary)?.address ?? eni.privateIps[0]?.address ?? ep.ip ?? '';
}

/**
 * Diagnoses one query: traces the request and the reply hop by hop and reports every blocker with its fix.
 * Pure: the same snapshot and query give the same diagnosis (fix ids included); it never throws on a well-formed
 * snapshot; what the model does not cover comes back as `reachable: null` with `notAnalyzed`.
 */
export function diagnose(
  snapshot: Snapshot,
  query: Query,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
): Diagnosis {
  try {
    return trace(snapshot, query, endpoints);
  } catch (e) {
    // A defect must not take a Slack answer or a batch down: it becomes "not analyzed", with the reason.
    return {
      query,
      endpoints,
      reachable: null,
      notAnalyzed: {
        component: 'engine',
        id: 'internal',
        reason: `internal error: ${e instanceof Error ? e.message : String(e)}`,
      },
      forward: [],
      return: [],
      findings: [],
      warnings: [],
      probe: null,
    };
  }
}

function trace(
  snapshot: Snapshot,
  query: Query,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
): Diagnosis {
  const t = new Tracer(snapshot, query);
  const result = (forward: Hop[], ret: Hop[]): Diagnosis => {
    const reachable = t.findings.length > 0 ? false : t.notAnalyzed ? null : true;
    // A VPC is on the path whenever one of its subnets or interfaces is: warnings about a whole VPC (an assumed
    // default network ACL, a missing SecurityGroups file) reach the answers that cross it.
    for (const id of [...t.touched]) {
      const vpc =
        snapshot.subnets.get(id as SubnetId)?.vpcId ?? snapshot.networkInterfaces.get(id as NetworkInterfaceId)?.vpcId;
      if (vpc) t.touched.add(vpc);
    }
    const byResource = snapshot.index.warningsByResource;
    const touching = byResource
      ? [...t.touched].flatMap((id) => byResource.get(id) ?? [])
      : snapshot.warnings.filter((w) => w.resourceIds.some((id) => t.touched.has(id)));
    const warnings = touching.map((w) => `${w.code}: ${w.message}`);
    return {
      query,
      endpoints,
      reachable,
      notAnalyzed: t.notAnalyzed,
      forward,
      return: ret,
      findings: t.findings,
      warnings: [...new Set(warnings)],
      probe: null,
    };
  };

  for (const ep of [endpoints.from, endpoints.to]) {
    if (ep.ip && parseIp(ep.ip)?.family === 6) {
      t.stop('query', ep.ip, 'IPv6 paths are not analyzed (IPv4 only for now)');
      return result([], []);
    }
  }

  // Where the request starts.
  let source: SourcePlace;
  const fromEni = eniOf(snapshot, endpoints.from);
  if (fromEni) {
    source = { kind: 'eni', eni: fromEni, ip: privateAddressOf(fromEni, endpoints.from) };
  } else if (endpoints.from.eni || endpoints.from.instanceId) {
    t.stop(
      'network-interface',
      endpoints.from.eni ?? endpoints.from.instanceId ?? '?',
      'the source is not in the snapshot',
    );
    return result([], []);
  } else if (endpoints.from.kind === 'internet' || !endpoints.from.ip) {
    const range = endpoints.from.sourceRange;
    source = { kind: 'internet', cidr: range?.cidrs[0] ?? INTERNET_ANY, label: range?.label ?? 'the internet' };
  } else {
    const ip = endpoints.from.ip;
    const inVpc = t.vpcHolding(ip);
    if (inVpc || !isPublicIp(ip)) {
      t.stop('vpc', inVpc ?? ip, `no network interface in the snapshot holds the source address ${ip}`);
      return result([], []);
    }
    source = { kind: 'internet', cidr: hostCidr(ip), label: `internet host ${ip}` };
  }

  // Where it goes.
  let destination: DestinationPlace;
  const toEni = eniOf(snapshot, endpoints.to);
  if (toEni) {
    const ip = privateAddressOf(toEni, endpoints.to);
    const viaPublic = endpoints.to.viaPublicIp === true && endpoints.to.ip !== null && endpoints.to.ip !== ip;
    destination = { kind: 'eni', eni: toEni, ip, publicIp: viaPublic ? endpoints.to.ip : null };
  } else if (endpoints.to.eni || endpoints.to.instanceId) {
    t.stop(
      'network-interface',
      endpoints.to.eni ?? endpoints.to.instanceId ?? '?',
      'the destination is not in the snapshot',
    );
    return result([], []);
  } else {
    destination = { kind: 'address', cidr: endpoints.to.ip ? hostCidr(endpoints.to.ip) : INTERNET_ANY };
  }

  if (source.kind === 'eni' && parseIp(source.ip)?.family !== 4) {
    t.stop('network-interface', source.eni.id, `${source.eni.id} has no IPv4 address in the snapshot`);
    return result([], []);
  }
  if (destination.kind === 'eni' && parseIp(destination.ip)?.family !== 4) {
    t.stop('network-interface', destination.eni.id, `${destination.eni.id} has no IPv4 address in the snapshot`);
    return result([], []);
  }
  if (source.kind === 'eni') {
    const inst = t.instanceOf(source.eni);
    t.clientEphemeral = inst?.platform === 'windows' ? EPHEMERAL.windows : inst ? EPHEMERAL.linux : EPHEMERAL.any;
  }

  // ---------- the request ----------
  const req = requestTraffic(query.protocol, query.port);
  if (source.kind === 'eni' && destination.kind === 'eni' && !destination.publicIp) {
    const a = t.instanceOf(source.eni);
    const b = t.instanceOf(destination.eni);
    if (source.eni.id === destination.eni.id || (a && b && a.id === b.id)) {
      // Both addresses belong to one instance: its operating system delivers the packet itself (the local
      // routing table), so no security group, ACL or route sees it.
      const fwd = newFlow('forward', query.protocol, req, hostCidr(source.ip), hostCidr(destination.ip));
      t.instanceState(fwd, source.eni);
      t.hop(fwd, {
        component: 'instance',
        id: a?.id ?? source.eni.id,
        allowed: true,
        rule: `${destination.ip} is an address of this instance`,
        detail: 'delivered inside the instance: the packet never reaches the network',
      });
      return result(fwd.hops, []);
    }
  }
  const fwdDst = destination.kind === 'address' ? destination.cidr : hostCidr(destination.publicIp ?? destination.ip);
  const fwd = newFlow(
    'forward',
    query.protocol,
    req,
    source.kind === 'eni' ? hostCidr(source.ip) : source.cidr,
    fwdDst,
  );
  if (source.kind === 'eni') {
    fwd.srcEni = source.eni;
    t.instanceState(fwd, source.eni);
    t.touched.add(source.eni.subnetId);
    t.leaveEni(fwd, source.eni, destination.kind === 'eni' && !destination.publicIp ? destination.eni : null);
  } else {
    t.hop(fwd, { component: 'internet', id: 'internet', allowed: true, rule: `from ${source.label} (${source.cidr})` });
    fwd.viaInternet = true;
    if (destination.kind === 'address') {
      const target = isHost(destination.cidr) ? snapshot.index.publicIpToEni.get(hostOf(destination.cidr)) : undefined;
      const e = target ? snapshot.networkInterfaces.get(target) : undefined;
      const ip = hostOf(destination.cidr);
      if (e) t.igwIngress(fwd, e, ip);
      else if (isHost(destination.cidr) && !isPublicIp(ip)) {
        t.hop(fwd, { component: 'internet', id: 'internet', allowed: false, rule: `${ip} is a private address` });
        t.find(
          fwd,
          'PRIVATE_DESTINATION_VIA_INTERNET',
          ip,
          `${ip} is a private address: from ${source.label} nothing can address it.`,
          undefined,
          null,
          'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        );
      } else
        t.stop(
          'internet',
          destination.cidr,
          'both ends are outside the snapshot: nothing of this account is on the path',
        );
    } else {
      const knownPublic = t.publicIpOf(destination.eni, destination.ip);
      if (endpoints.to.kind === 'ip' && !destination.publicIp && !isPublicIp(destination.ip)) {
        // The user gave the private address itself: no internet host can address it (DESIGN §3: an IP is routed
        // as a packet to that address would be).
        t.hop(fwd, {
          component: 'internet',
          id: 'internet',
          allowed: false,
          rule: `${destination.ip} is a private address`,
        });
        t.find(
          fwd,
          'PRIVATE_DESTINATION_VIA_INTERNET',
          destination.eni.id,
          `${destination.ip} is a private address: from ${source.label} nothing can address it${knownPublic ? `; ${t.label(destination.eni)} is reachable from the internet at ${knownPublic}` : ''}.`,
          undefined,
          null,
          'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        );
        return result(fwd.hops, []);
      }
      const publicIp = destination.publicIp ?? knownPublic;
      if (publicIp) {
        fwd.dst = hostCidr(publicIp);
        t.igwIngress(fwd, destination.eni, publicIp);
      } else {
        const inst = t.instanceOf(destination.eni);
        const who = t.label(destination.eni);
        t.hop(fwd, {
          component: 'internet-gateway',
          id: (snapshot.index.vpcInternetGateways.get(destination.eni.vpcId) ?? [])[0] ?? destination.eni.vpcId,
          allowed: false,
          rule: `${destination.ip} has no public IPv4 address`,
        });
        t.find(
          fwd,
          'NO_PUBLIC_IP',
          inst?.id ?? destination.eni.id,
          `${who} has no public or Elastic IP: from ${source.label}, the internet gateway delivers only to a public address of the interface.`,
          undefined,
          {
            action: {
              action: 'AllocateAndAssociateAddress',
              params: {
                ...(inst ? { instanceId: inst.id } : {}),
                networkInterfaceId: destination.eni.id,
                privateIp: destination.ip,
              },
            },
            summary: `Allocate an Elastic IP and associate it with ${who} (${destination.ip})`,
          },
          'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
        );
        t.assumedEip = { eni: destination.eni, privateIp: destination.ip };
        fwd.dst = hostCidr(ASSUMED_EIP);
        t.igwIngressAssumed(fwd, destination.eni, destination.ip);
      }
    }
  }

  if (!fwd.arrived) return result(fwd.hops, []);

  // ---------- the reply ----------
  const arrived = fwd.arrived;
  const ret = newFlow(
    'return',
    query.protocol,
    replyTraffic(query.protocol, t.clientEphemeral),
    fwd.dst,
    arrived.srcSeen,
  );
  const firstNat = t.nats[0] ?? null;
  if (firstNat) {
    ret.natted = firstNat;
    ret.traffic = replyTraffic(query.protocol, EPHEMERAL.any);
  }
  if (arrived.kind === 'eni') {
    ret.srcEni = arrived.eni;
    t.leaveEni(ret, arrived.eni, source.kind === 'eni' && !fwd.viaInternet ? source.eni : null);
  } else {
    t.hop(ret, { component: 'internet', id: 'internet', allowed: true, rule: `reply from ${fwd.dst}` });
    ret.viaInternet = true;
    const to = hostOf(ret.dst);
    const target = snapshot.index.publicIpToEni.get(to);
    const e = target ? snapshot.networkInterfaces.get(target) : undefined;
    const natTarget = t.ix.natByIp.get(to);
    const natEniId = natTarget?.addresses.find((a) => a.publicIp === to)?.networkInterfaceId;
    const natEni = natEniId ? snapshot.networkInterfaces.get(natEniId) : undefined;
    if (e) t.igwIngress(ret, e, to);
    else if (natEni) t.igwIngress(ret, natEni, to);
    else if (to === ASSUMED_EIP && t.assumedEip) t.igwIngressAssumed(ret, t.assumedEip.eni, t.assumedEip.privateIp);
    else t.stop('internet', ret.dst, `the reply's destination ${ret.dst} is outside the snapshot`);
  }
  return result(fwd.hops, ret.hops);
}
