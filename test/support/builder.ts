/**
 * SnapshotBuilder: small worlds for tests, as raw describe-* JSON (what `aws ec2 describe-*` prints), so every test
 * goes through the real loader. Starts from a valid default network and refuses to build an invalid world.
 *
 *   const world = new SnapshotBuilder()                 // VPC "main" 10.0.0.0/16, IGW, public subnet "public" 10.0.1.0/24
 *     .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
 *     .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
 *     .addInstance('db', { subnet: 'app', ip: '10.0.2.20' })
 *     .allowIcmp('db', '10.0.1.0/24');
 *   const s = world.snapshot();
 *
 * Names are handles: every id is derived from its name, so the same world always has the same ids (`world.id('db')`).
 */
import { createHash } from 'node:crypto';
import type { RawSnapshotFile, Snapshot } from '../../src/model/index.js';
import { cidrContains, cidrCovers, cidrsOverlap, isCidr, isIp } from '../../src/net/ip.js';
import { buildSnapshot } from '../../src/snapshot/index.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

type Json = Record<string, unknown>;

/** An SG rule's other side: a CIDR, another group's handle (`sg:name`), or a prefix list id. */
export type Peer = string;

export interface SgRuleSpec {
  protocol: 'tcp' | 'udp' | 'icmp' | '-1' | string;
  from?: number;
  to?: number;
  peer: Peer;
}

export interface NaclEntrySpec {
  rule: number;
  egress: boolean;
  protocol: 'tcp' | 'udp' | 'icmp' | '-1';
  cidr: string;
  action: 'allow' | 'deny';
  ports?: [number, number];
  icmp?: [number, number];
}

/** Where a route goes: `igw:<vpc>`, `pcx:<name>`, `nat:<name>`, `tgw:<name>`, `eni:<instance>`, `vpce:<name>`, `local`. */
export type RouteTargetSpec = string;

interface VpcSpec {
  name: string;
  cidrs: string[];
  igw: boolean;
  region: string;
  accountId: string;
}
interface SubnetSpec {
  name: string;
  vpc: string;
  cidr: string;
  az: string;
}
interface RouteTableSpec {
  name: string;
  vpc: string;
  main: boolean;
  subnets: string[];
  routes: { dest: string; target: RouteTargetSpec; state: 'active' | 'blackhole' }[];
}
interface SgSpec {
  name: string;
  vpc: string;
  ingress: SgRuleSpec[];
  egress: SgRuleSpec[];
}
interface InstanceSpec {
  name: string;
  subnet: string;
  ip: string;
  groups: string[];
  publicIp: string | null;
  state: string;
  platform: 'linux' | 'windows';
  sourceDestCheck: boolean;
  interfaceType: string;
  /** A standalone interface's description (`ELB net/<name>/<id>` for a load balancer node). */
  description?: string;
}
interface NaclSpec {
  name: string;
  vpc: string;
  subnets: string[];
  entries: NaclEntrySpec[];
  isDefault: boolean;
}
interface PeeringSpec {
  name: string;
  requester: string;
  accepter: string;
  status: string;
}
interface NatSpec {
  name: string;
  subnet: string;
  ip: string;
  publicIp: string;
  state: string;
}
interface TgwSpec {
  name: string;
  region: string;
  accountId: string;
  routes: { cidr: string; attachment: string | null; type: 'static' | 'propagated' }[];
}
interface TgwAttachmentSpec {
  name: string;
  tgw: string;
  vpc: string;
  subnets: string[];
  associated: boolean;
  /** TransitGatewayAttachmentState (`available` unless given). */
  state: string;
}
interface PrefixListSpec {
  name: string;
  plName: string;
  cidrs: string[];
}

/** A deterministic AWS-looking id: `<prefix>-` + 17 hex digits of sha1(name). */
export function idFor(prefix: string, name: string): string {
  return `${prefix}-${createHash('sha1').update(`${prefix}:${name}`).digest('hex').slice(0, 17)}`;
}

function tags(name: string): { Key: string; Value: string }[] {
  return [{ Key: 'Name', Value: name }];
}

/** Builds small, valid worlds as raw describe-* output. */
export class SnapshotBuilder {
  private vpcs: VpcSpec[] = [];
  private subnets: SubnetSpec[] = [];
  private routeTables: RouteTableSpec[] = [];
  private sgs: SgSpec[] = [];
  private instances: InstanceSpec[] = [];
  private nacls: NaclSpec[] = [];
  private peerings: PeeringSpec[] = [];
  private nats: NatSpec[] = [];
  private tgws: TgwSpec[] = [];
  private attachments: TgwAttachmentSpec[] = [];
  private prefixLists: PrefixListSpec[] = [];

  /** The default network: VPC `main` (10.0.0.0/16) with an internet gateway and a public subnet `public` (10.0.1.0/24). */
  constructor(opts: { empty?: boolean } = {}) {
    if (!opts.empty) {
      this.addVpc('main', { cidr: '10.0.0.0/16' });
      this.addSubnet('public', { vpc: 'main', cidr: '10.0.1.0/24', public: true });
    }
  }

  /** The id a handle stands for (`id('db')` is the instance id; `id('db', 'eni')` its interface). */
  id(
    name: string,
    kind?:
      | 'vpc'
      | 'subnet'
      | 'rtb'
      | 'sg'
      | 'eni'
      | 'i'
      | 'acl'
      | 'pcx'
      | 'nat'
      | 'igw'
      | 'tgw'
      | 'tgw-attach'
      | 'tgw-rtb'
      | 'pl',
  ): string {
    if (kind) return idFor(kind, name);
    if (this.instances.some((i) => i.name === name)) return idFor('i', name);
    if (this.vpcs.some((v) => v.name === name)) return idFor('vpc', name);
    if (this.subnets.some((v) => v.name === name)) return idFor('subnet', name);
    if (this.routeTables.some((v) => v.name === name)) return idFor('rtb', name);
    if (this.sgs.some((v) => v.name === name)) return idFor('sg', name);
    if (this.nacls.some((v) => v.name === name)) return idFor('acl', name);
    if (this.peerings.some((v) => v.name === name)) return idFor('pcx', name);
    if (this.nats.some((v) => v.name === name)) return idFor('nat', name);
    if (this.tgws.some((v) => v.name === name)) return idFor('tgw', name);
    throw new Error(`no object named ${name}`);
  }

  /** A VPC with its main route table (local only), default NACL (allow all), default SG and, unless `igw: false`, an IGW. */
  addVpc(
    name: string,
    o: { cidr: string; secondaryCidrs?: string[]; igw?: boolean; region?: string; accountId?: string },
  ): this {
    this.vpcs.push({
      name,
      cidrs: [o.cidr, ...(o.secondaryCidrs ?? [])],
      igw: o.igw ?? true,
      region: o.region ?? REGION,
      accountId: o.accountId ?? ACCOUNT,
    });
    this.routeTables.push({ name: `${name}-main`, vpc: name, main: true, subnets: [], routes: [] });
    this.nacls.push({
      name: `${name}-default`,
      vpc: name,
      subnets: [],
      isDefault: true,
      entries: [
        { rule: 100, egress: false, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' },
        { rule: 100, egress: true, protocol: '-1', cidr: '0.0.0.0/0', action: 'allow' },
      ],
    });
    this.sgs.push({
      name: `${name}-default`,
      vpc: name,
      ingress: [{ protocol: '-1', peer: `sg:${name}-default` }],
      egress: [{ protocol: '-1', peer: '0.0.0.0/0' }],
    });
    return this;
  }

  /** A subnet; `public: true` gives it its own route table with 0.0.0.0/0 → the VPC's internet gateway. */
  addSubnet(name: string, o: { vpc: string; cidr: string; az?: string; public?: boolean; routeTable?: string }): this {
    this.subnets.push({ name, vpc: o.vpc, cidr: o.cidr, az: o.az ?? `${this.vpc(o.vpc).region}a` });
    if (o.public) {
      this.routeTables.push({
        name: `${name}-rt`,
        vpc: o.vpc,
        main: false,
        subnets: [name],
        routes: [{ dest: '0.0.0.0/0', target: `igw:${o.vpc}`, state: 'active' }],
      });
    } else if (o.routeTable) {
      this.routeTable(o.routeTable).subnets.push(name);
    }
    return this;
  }

  /** An explicit route table associated with `subnets` (the subnets leave the main table). */
  addRouteTable(name: string, o: { vpc: string; subnets?: string[] }): this {
    for (const sn of o.subnets ?? []) {
      for (const rt of this.routeTables) rt.subnets = rt.subnets.filter((x) => x !== sn);
    }
    this.routeTables.push({ name, vpc: o.vpc, main: false, subnets: [...(o.subnets ?? [])], routes: [] });
    return this;
  }

  /** A route in a table (by table name, or by subnet name: the table in force for it). */
  addRoute(
    tableOrSubnet: string,
    dest: string,
    target: RouteTargetSpec,
    state: 'active' | 'blackhole' = 'active',
  ): this {
    this.tableFor(tableOrSubnet).routes.push({ dest, target, state });
    return this;
  }

  /** A security group (no rules unless given: a new group has one allow-all egress rule, like AWS's). */
  addSecurityGroup(name: string, o: { vpc: string; ingress?: SgRuleSpec[]; egress?: SgRuleSpec[] }): this {
    this.sgs.push({
      name,
      vpc: o.vpc,
      ingress: o.ingress ?? [],
      egress: o.egress ?? [{ protocol: '-1', peer: '0.0.0.0/0' }],
    });
    return this;
  }

  /** An instance with one interface; it gets its own security group `<name>-sg` (SSH in, all out) unless `groups`. */
  addInstance(
    name: string,
    o: {
      subnet: string;
      ip: string;
      groups?: string[];
      publicIp?: string;
      state?: string;
      platform?: 'linux' | 'windows';
      sourceDestCheck?: boolean;
    },
  ): this {
    let groups = o.groups;
    if (!groups) {
      const vpc = this.subnet(o.subnet).vpc;
      this.addSecurityGroup(`${name}-sg`, { vpc, ingress: [{ protocol: 'tcp', from: 22, to: 22, peer: '0.0.0.0/0' }] });
      groups = [`${name}-sg`];
    }
    this.instances.push({
      name,
      subnet: o.subnet,
      ip: o.ip,
      groups,
      publicIp: o.publicIp ?? null,
      state: o.state ?? 'running',
      platform: o.platform ?? 'linux',
      sourceDestCheck: o.sourceDestCheck ?? true,
      interfaceType: 'interface',
    });
    return this;
  }

  /** A standalone interface of another kind (a load balancer's, a VPC endpoint's …) holding `ip`. */
  addInterface(
    name: string,
    o: {
      subnet: string;
      ip: string;
      interfaceType: string;
      description?: string;
      groups?: string[];
      publicIp?: string;
    },
  ): this {
    this.instances.push({
      name,
      subnet: o.subnet,
      ip: o.ip,
      groups: o.groups ?? [],
      publicIp: o.publicIp ?? null,
      ...(o.description ? { description: o.description } : {}),
      state: 'n/a',
      platform: 'linux',
      sourceDestCheck: true,
      interfaceType: o.interfaceType,
    });
    return this;
  }

  /** Adds inbound rules to an instance's own group (or a named group). */
  allowIn(instanceOrGroup: string, rule: SgRuleSpec): this {
    this.group(instanceOrGroup).ingress.push(rule);
    return this;
  }

  /** Adds outbound rules to an instance's own group (or a named group). */
  allowOut(instanceOrGroup: string, rule: SgRuleSpec): this {
    this.group(instanceOrGroup).egress.push(rule);
    return this;
  }

  /** Removes every outbound rule of a group. */
  denyAllOut(instanceOrGroup: string): this {
    this.group(instanceOrGroup).egress = [];
    return this;
  }

  /** Allows ICMP echo request (type 8, any code) in from `peer`. */
  allowIcmp(instanceOrGroup: string, peer: Peer): this {
    return this.allowIn(instanceOrGroup, { protocol: 'icmp', from: 8, to: -1, peer });
  }

  /** Allows TCP `port` in from `peer`. */
  allowTcp(instanceOrGroup: string, port: number, peer: Peer): this {
    return this.allowIn(instanceOrGroup, { protocol: 'tcp', from: port, to: port, peer });
  }

  /** A custom network ACL for `subnets` (denies everything until entries are added, like AWS's). */
  addNacl(name: string, o: { vpc: string; subnets: string[] }): this {
    for (const n of this.nacls) n.subnets = n.subnets.filter((s) => !o.subnets.includes(s));
    this.nacls.push({ name, vpc: o.vpc, subnets: [...o.subnets], entries: [], isDefault: false });
    return this;
  }

  /** An entry in a network ACL (by ACL name, or a subnet's ACL in force by subnet name). */
  addNaclEntry(aclOrSubnet: string, e: NaclEntrySpec): this {
    const acl =
      this.nacls.find((n) => n.name === aclOrSubnet) ??
      this.nacls.find((n) => n.subnets.includes(aclOrSubnet)) ??
      this.nacls.find((n) => n.isDefault && n.vpc === this.subnetOrNull(aclOrSubnet)?.vpc);
    if (!acl) throw new Error(`invalid world: no network ACL ${aclOrSubnet}`);
    acl.entries.push(e);
    return this;
  }

  /** A peering connection; `routes: true` also adds routes both ways in the tables of every subnet of both VPCs. */
  peer(name: string, requester: string, accepter: string, o: { status?: string; routes?: boolean } = {}): this {
    this.peerings.push({ name, requester, accepter, status: o.status ?? 'active' });
    if (o.routes) {
      for (const [a, b] of [
        [requester, accepter],
        [accepter, requester],
      ] as const) {
        const tables = new Set(this.subnets.filter((s) => s.vpc === a).map((s) => this.tableFor(s.name)));
        for (const rt of tables)
          for (const c of this.vpc(b).cidrs) rt.routes.push({ dest: c, target: `pcx:${name}`, state: 'active' });
      }
    }
    return this;
  }

  /** A NAT gateway in a subnet. */
  addNatGateway(name: string, o: { subnet: string; ip: string; publicIp: string; state?: string }): this {
    this.nats.push({ name, subnet: o.subnet, ip: o.ip, publicIp: o.publicIp, state: o.state ?? 'available' });
    return this;
  }

  /** A transit gateway with its route table `<name>-rtb`. */
  addTransitGateway(name: string, o: { region?: string; accountId?: string } = {}): this {
    this.tgws.push({ name, region: o.region ?? REGION, accountId: o.accountId ?? ACCOUNT, routes: [] });
    return this;
  }

  /**
   * Attaches a VPC to a transit gateway through `subnets` (one per AZ), associated and propagating by default, in
   * state `available` unless `state` says otherwise (`pendingAcceptance`, `deleted` …).
   */
  attach(
    name: string,
    o: { tgw: string; vpc: string; subnets: string[]; associated?: boolean; propagate?: boolean; state?: string },
  ): this {
    this.attachments.push({
      name,
      tgw: o.tgw,
      vpc: o.vpc,
      subnets: o.subnets,
      associated: o.associated ?? true,
      state: o.state ?? 'available',
    });
    if (o.propagate ?? true) {
      const tgw = this.tgw(o.tgw);
      for (const c of this.vpc(o.vpc).cidrs) tgw.routes.push({ cidr: c, attachment: name, type: 'propagated' });
    }
    return this;
  }

  /** A static transit gateway route to an attachment, or a blackhole (`attachment: null`). */
  addTgwRoute(tgw: string, cidr: string, attachment: string | null): this {
    this.tgw(tgw).routes.push({ cidr, attachment, type: 'static' });
    return this;
  }

  /** A managed prefix list (e.g. `com.amazonaws.us-east-1.ec2-instance-connect`). */
  addPrefixList(name: string, o: { plName: string; cidrs: string[] }): this {
    this.prefixLists.push({ name, plName: o.plName, cidrs: o.cidrs });
    return this;
  }

  /** Raw describe-* output, one file per key (as `whyping snapshot` writes it). Throws on an invalid world. */
  build(): RawSnapshotFile[] {
    this.validate();
    const data: Record<string, unknown> = {
      Vpcs: this.vpcs.map((v) => this.vpcJson(v)),
      Subnets: this.subnets.map((s) => this.subnetJson(s)),
      RouteTables: this.routeTables.map((r) => this.routeTableJson(r)),
      SecurityGroups: this.sgs.map((g) => this.sgJson(g)),
      NetworkAcls: this.nacls.map((n) => this.naclJson(n)),
      NetworkInterfaces: [...this.instances.map((i) => this.eniJson(i)), ...this.nats.map((n) => this.natEniJson(n))],
      Reservations: this.instances
        .filter((i) => i.interfaceType === 'interface' && !i.description)
        .map((i) => ({
          ReservationId: idFor('r', i.name),
          OwnerId: ACCOUNT,
          Groups: [],
          Instances: [this.instanceJson(i)],
        })),
      InternetGateways: this.vpcs
        .filter((v) => v.igw)
        .map((v) => ({
          InternetGatewayId: idFor('igw', v.name),
          OwnerId: v.accountId,
          Attachments: [{ State: 'available', VpcId: idFor('vpc', v.name) }],
          Tags: tags(`${v.name}-igw`),
        })),
      VpcPeeringConnections: this.peerings.map((p) => this.peeringJson(p)),
      NatGateways: this.nats.map((n) => this.natJson(n)),
      Addresses: this.instances
        .filter((i) => i.publicIp)
        .map((i) => ({
          AllocationId: idFor('eipalloc', i.name),
          AssociationId: idFor('eipassoc', i.name),
          Domain: 'vpc',
          InstanceId: idFor('i', i.name),
          NetworkInterfaceId: idFor('eni', i.name),
          NetworkInterfaceOwnerId: ACCOUNT,
          PrivateIpAddress: i.ip,
          PublicIp: i.publicIp,
        })),
      TransitGateways: this.tgws.map((t) => ({
        TransitGatewayId: idFor('tgw', t.name),
        State: 'available',
        OwnerId: t.accountId,
        Options: {
          AssociationDefaultRouteTableId: idFor('tgw-rtb', t.name),
          PropagationDefaultRouteTableId: idFor('tgw-rtb', t.name),
          DefaultRouteTableAssociation: 'enable',
          DefaultRouteTablePropagation: 'enable',
        },
        Tags: tags(t.name),
      })),
      TransitGatewayAttachments: this.attachments.map((a) => ({
        TransitGatewayAttachmentId: idFor('tgw-attach', a.name),
        TransitGatewayId: idFor('tgw', a.tgw),
        TransitGatewayOwnerId: ACCOUNT,
        ResourceOwnerId: ACCOUNT,
        ResourceType: 'vpc',
        ResourceId: idFor('vpc', a.vpc),
        State: a.state,
        ...(a.associated
          ? { Association: { TransitGatewayRouteTableId: idFor('tgw-rtb', a.tgw), State: 'associated' } }
          : {}),
        Tags: tags(a.name),
      })),
      TransitGatewayVpcAttachments: this.attachments.map((a) => ({
        TransitGatewayAttachmentId: idFor('tgw-attach', a.name),
        TransitGatewayId: idFor('tgw', a.tgw),
        VpcId: idFor('vpc', a.vpc),
        VpcOwnerId: ACCOUNT,
        State: a.state,
        SubnetIds: a.subnets.map((s) => idFor('subnet', s)),
        Options: { DnsSupport: 'enable', Ipv6Support: 'disable', ApplianceModeSupport: 'disable' },
        Tags: tags(a.name),
      })),
      TransitGatewayRouteTables: this.tgws.map((t) => ({
        TransitGatewayRouteTableId: idFor('tgw-rtb', t.name),
        TransitGatewayId: idFor('tgw', t.name),
        State: 'available',
        DefaultAssociationRouteTable: true,
        DefaultPropagationRouteTable: true,
        Tags: tags(`${t.name}-rtb`),
      })),
      TransitGatewayStaticRoutes: this.tgws.map((t) => ({
        TransitGatewayRouteTableId: idFor('tgw-rtb', t.name),
        Routes: t.routes.map((r) => ({
          DestinationCidrBlock: r.cidr,
          Type: r.type,
          State: r.attachment ? 'active' : 'blackhole',
          TransitGatewayAttachments: r.attachment
            ? [
                {
                  TransitGatewayAttachmentId: idFor('tgw-attach', r.attachment),
                  ResourceType: 'vpc',
                  ResourceId: idFor('vpc', this.attachment(r.attachment).vpc),
                },
              ]
            : [],
        })),
      })),
      ManagedPrefixLists: this.prefixLists.map((p) => ({
        PrefixListId: idFor('pl', p.name),
        PrefixListName: p.plName,
        AddressFamily: 'IPv4',
        State: 'create-complete',
        MaxEntries: 10,
        OwnerId: 'AWS',
      })),
      PrefixListEntries: Object.fromEntries(
        this.prefixLists.map((p) => [idFor('pl', p.name), p.cidrs.map((c) => ({ Cidr: c }))]),
      ),
    };
    return Object.entries(data).map(([key, value]) => ({
      path: `builder/${REGION}/${key}.json`,
      data: { [key]: value },
      region: REGION,
    }));
  }

  /** Builds and loads the world through the real `buildSnapshot`. */
  snapshot(): Snapshot {
    return buildSnapshot(this.build());
  }

  // ---------- validation ----------

  private validate(): void {
    const fail = (why: string): never => {
      throw new Error(`invalid world: ${why}`);
    };
    for (const list of [
      this.vpcs,
      this.subnets,
      this.instances,
      this.peerings,
      this.nats,
      this.tgws,
      this.sgs,
      this.routeTables,
    ]) {
      const names = list.map((n) => n.name);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) fail(`duplicate name ${dup}`);
    }
    for (const v of this.vpcs) for (const c of v.cidrs) if (!isCidr(c)) fail(`VPC ${v.name} has a malformed CIDR ${c}`);
    for (const s of this.subnets) {
      const v = this.vpc(s.vpc);
      if (!isCidr(s.cidr)) fail(`subnet ${s.name} has a malformed CIDR ${s.cidr}`);
      if (!v.cidrs.some((c) => cidrCovers(c, s.cidr))) fail(`subnet ${s.name} (${s.cidr}) is outside VPC ${v.name}`);
      for (const o of this.subnets) {
        if (o !== s && o.vpc === s.vpc && cidrsOverlap(o.cidr, s.cidr)) fail(`subnets ${s.name} and ${o.name} overlap`);
      }
    }
    const ips = new Map<string, string>();
    for (const i of [...this.instances, ...this.nats.map((n) => ({ name: n.name, subnet: n.subnet, ip: n.ip }))]) {
      const s = this.subnet(i.subnet);
      if (!isIp(i.ip) || !cidrContains(s.cidr, i.ip))
        fail(`${i.name} (${i.ip}) is outside subnet ${s.name} (${s.cidr})`);
      const key = `${s.vpc}/${i.ip}`;
      if (ips.has(key)) fail(`${i.name} and ${ips.get(key)} both hold ${i.ip}`);
      ips.set(key, i.name);
    }
    for (const i of this.instances) for (const g of i.groups) this.sg(g);
    for (const g of this.sgs) {
      for (const r of [...g.ingress, ...g.egress]) {
        if (r.peer.startsWith('sg:')) this.sg(r.peer.slice(3));
        else if (!r.peer.startsWith('pl:') && !isCidr(r.peer)) fail(`rule of ${g.name} has a malformed peer ${r.peer}`);
      }
    }
    for (const rt of this.routeTables) {
      for (const r of rt.routes) this.targetId(r.target, rt.vpc);
    }
    for (const v of this.vpcs) {
      if (this.routeTables.filter((r) => r.vpc === v.name && r.main).length !== 1)
        fail(`VPC ${v.name} needs one main table`);
    }
    for (const p of this.peerings) {
      const a = this.vpc(p.requester);
      const b = this.vpc(p.accepter);
      if (a.cidrs.some((x) => b.cidrs.some((y) => cidrsOverlap(x, y))))
        fail(`peering ${p.name} joins overlapping VPCs`);
    }
    for (const a of this.attachments) {
      this.tgw(a.tgw);
      for (const s of a.subnets)
        if (this.subnet(s).vpc !== a.vpc) fail(`attachment ${a.name}: ${s} is not in ${a.vpc}`);
    }
  }

  // ---------- lookups ----------

  /** The VPC (builder name) a subnet belongs to. */
  vpcOfSubnet(subnet: string): string {
    return this.subnet(subnet).vpc;
  }

  /** The Availability Zone of a subnet. */
  azOfSubnet(subnet: string): string {
    return this.subnet(subnet).az;
  }

  private vpc(name: string): VpcSpec {
    const v = this.vpcs.find((x) => x.name === name);
    if (!v) throw new Error(`invalid world: no VPC ${name}`);
    return v;
  }
  private subnetOrNull(name: string): SubnetSpec | null {
    return this.subnets.find((x) => x.name === name) ?? null;
  }
  private subnet(name: string): SubnetSpec {
    const s = this.subnetOrNull(name);
    if (!s) throw new Error(`invalid world: no subnet ${name}`);
    return s;
  }
  private sg(name: string): SgSpec {
    const g = this.sgs.find((x) => x.name === name);
    if (!g) throw new Error(`invalid world: no security group ${name}`);
    return g;
  }
  private group(instanceOrGroup: string): SgSpec {
    const inst = this.instances.find((i) => i.name === instanceOrGroup);
    return this.sg(inst ? (inst.groups[0] ?? `${instanceOrGroup}-sg`) : instanceOrGroup);
  }
  private routeTable(name: string): RouteTableSpec {
    const rt = this.routeTables.find((r) => r.name === name);
    if (!rt) throw new Error(`invalid world: no route table ${name}`);
    return rt;
  }
  private tableFor(tableOrSubnet: string): RouteTableSpec {
    const direct = this.routeTables.find((r) => r.name === tableOrSubnet);
    if (direct) return direct;
    const s = this.subnet(tableOrSubnet);
    return (
      this.routeTables.find((r) => r.subnets.includes(s.name)) ??
      this.routeTables.find((r) => r.vpc === s.vpc && r.main) ??
      this.routeTable(`${s.vpc}-main`)
    );
  }
  private tgw(name: string): TgwSpec {
    const t = this.tgws.find((x) => x.name === name);
    if (!t) throw new Error(`invalid world: no transit gateway ${name}`);
    return t;
  }
  private attachment(name: string): TgwAttachmentSpec {
    const a = this.attachments.find((x) => x.name === name);
    if (!a) throw new Error(`invalid world: no attachment ${name}`);
    return a;
  }
  private targetId(target: RouteTargetSpec, vpc: string): Json {
    const [kind, name = ''] = target.split(':');
    switch (kind) {
      case 'local':
        return { GatewayId: 'local' };
      case 'igw':
        this.vpc(name || vpc);
        return { GatewayId: idFor('igw', name || vpc) };
      case 'pcx':
        if (!this.peerings.some((p) => p.name === name)) throw new Error(`invalid world: no peering ${name}`);
        return { VpcPeeringConnectionId: idFor('pcx', name) };
      case 'nat':
        if (!this.nats.some((p) => p.name === name)) throw new Error(`invalid world: no NAT gateway ${name}`);
        return { NatGatewayId: idFor('nat', name) };
      case 'tgw':
        this.tgw(name);
        return { TransitGatewayId: idFor('tgw', name) };
      case 'eni':
        if (!this.instances.some((i) => i.name === name)) throw new Error(`invalid world: no instance ${name}`);
        return { NetworkInterfaceId: idFor('eni', name), InstanceId: idFor('i', name), InstanceOwnerId: ACCOUNT };
      case 'vpce':
        return { GatewayId: idFor('vpce', name) };
      default:
        throw new Error(`invalid world: unknown route target ${target}`);
    }
  }

  // ---------- JSON ----------

  private vpcJson(v: VpcSpec): Json {
    return {
      VpcId: idFor('vpc', v.name),
      CidrBlock: v.cidrs[0],
      CidrBlockAssociationSet: v.cidrs.map((c, i) => ({
        AssociationId: idFor('vpc-cidr-assoc', `${v.name}${i}`),
        CidrBlock: c,
        CidrBlockState: { State: 'associated' },
      })),
      State: 'available',
      OwnerId: v.accountId,
      IsDefault: false,
      InstanceTenancy: 'default',
      Tags: tags(v.name),
    };
  }

  private subnetJson(s: SubnetSpec): Json {
    return {
      SubnetId: idFor('subnet', s.name),
      VpcId: idFor('vpc', s.vpc),
      CidrBlock: s.cidr,
      AvailabilityZone: s.az,
      AvailabilityZoneId: `use1-az${s.az.slice(-1) === 'a' ? 4 : s.az.slice(-1) === 'b' ? 6 : 1}`,
      MapPublicIpOnLaunch: false,
      State: 'available',
      OwnerId: this.vpc(s.vpc).accountId,
      Ipv6CidrBlockAssociationSet: [],
      Tags: tags(s.name),
    };
  }

  private routeTableJson(r: RouteTableSpec): Json {
    const local = this.vpc(r.vpc).cidrs.map((c) => ({
      DestinationCidrBlock: c,
      GatewayId: 'local',
      Origin: 'CreateRouteTable',
      State: 'active',
    }));
    const routes = r.routes.map((x) => {
      const dest = x.dest.startsWith('pl:')
        ? { DestinationPrefixListId: idFor('pl', x.dest.slice(3)) }
        : { DestinationCidrBlock: x.dest };
      return { ...dest, ...this.targetId(x.target, r.vpc), Origin: 'CreateRoute', State: x.state };
    });
    return {
      RouteTableId: idFor('rtb', r.name),
      VpcId: idFor('vpc', r.vpc),
      OwnerId: ACCOUNT,
      Routes: [...local, ...routes],
      Associations: [
        ...(r.main
          ? [
              {
                Main: true,
                RouteTableAssociationId: idFor('rtbassoc', r.name),
                RouteTableId: idFor('rtb', r.name),
                AssociationState: { State: 'associated' },
              },
            ]
          : []),
        ...r.subnets.map((s) => ({
          Main: false,
          RouteTableAssociationId: idFor('rtbassoc', `${r.name}/${s}`),
          RouteTableId: idFor('rtb', r.name),
          SubnetId: idFor('subnet', s),
          AssociationState: { State: 'associated' },
        })),
      ],
      PropagatingVgws: [],
      Tags: tags(r.name),
    };
  }

  private permission(r: SgRuleSpec): Json {
    const base: Json = {
      IpProtocol: r.protocol,
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    };
    if (r.protocol !== '-1') {
      base.FromPort = r.from ?? (r.protocol === 'icmp' ? -1 : 0);
      base.ToPort = r.to ?? (r.protocol === 'icmp' ? -1 : 65535);
    }
    if (r.peer.startsWith('sg:')) base.UserIdGroupPairs = [{ GroupId: idFor('sg', r.peer.slice(3)), UserId: ACCOUNT }];
    else if (r.peer.startsWith('pl:')) base.PrefixListIds = [{ PrefixListId: idFor('pl', r.peer.slice(3)) }];
    else base.IpRanges = [{ CidrIp: r.peer }];
    return base;
  }

  private sgJson(g: SgSpec): Json {
    return {
      GroupId: idFor('sg', g.name),
      GroupName: g.name,
      Description: g.name,
      VpcId: idFor('vpc', g.vpc),
      OwnerId: ACCOUNT,
      IpPermissions: g.ingress.map((r) => this.permission(r)),
      IpPermissionsEgress: g.egress.map((r) => this.permission(r)),
      Tags: tags(g.name),
    };
  }

  private naclJson(n: NaclSpec): Json {
    const subnets = n.isDefault
      ? this.subnets
          .filter((s) => s.vpc === n.vpc && !this.nacls.some((o) => !o.isDefault && o.subnets.includes(s.name)))
          .map((s) => s.name)
      : n.subnets;
    const entry = (e: NaclEntrySpec): Json => ({
      RuleNumber: e.rule,
      Egress: e.egress,
      Protocol: e.protocol === 'tcp' ? '6' : e.protocol === 'udp' ? '17' : e.protocol === 'icmp' ? '1' : '-1',
      RuleAction: e.action,
      CidrBlock: e.cidr,
      ...(e.ports ? { PortRange: { From: e.ports[0], To: e.ports[1] } } : {}),
      ...(e.icmp ? { IcmpTypeCode: { Type: e.icmp[0], Code: e.icmp[1] } } : {}),
    });
    const star = (egress: boolean): Json => ({
      RuleNumber: 32767,
      Egress: egress,
      Protocol: '-1',
      RuleAction: 'deny',
      CidrBlock: '0.0.0.0/0',
    });
    return {
      NetworkAclId: idFor('acl', n.name),
      VpcId: idFor('vpc', n.vpc),
      OwnerId: ACCOUNT,
      IsDefault: n.isDefault,
      Associations: subnets.map((s) => ({
        NetworkAclAssociationId: idFor('aclassoc', `${n.name}/${s}`),
        NetworkAclId: idFor('acl', n.name),
        SubnetId: idFor('subnet', s),
      })),
      Entries: [...n.entries.map(entry), star(false), star(true)],
      Tags: tags(n.name),
    };
  }

  private eniJson(i: InstanceSpec): Json {
    const s = this.subnet(i.subnet);
    const assoc = i.publicIp
      ? {
          Association: {
            PublicIp: i.publicIp,
            IpOwnerId: 'amazon',
            AllocationId: idFor('eipalloc', i.name),
            AssociationId: idFor('eipassoc', i.name),
          },
        }
      : {};
    const isInstance = i.interfaceType === 'interface' && !i.description;
    return {
      NetworkInterfaceId: idFor('eni', i.name),
      SubnetId: idFor('subnet', s.name),
      VpcId: idFor('vpc', s.vpc),
      AvailabilityZone: s.az,
      OwnerId: ACCOUNT,
      InterfaceType: i.interfaceType,
      Description: isInstance ? '' : (i.description ?? `${i.interfaceType} ${i.name}`),
      Status: 'in-use',
      RequesterManaged: !isInstance,
      SourceDestCheck: i.sourceDestCheck,
      PrivateIpAddress: i.ip,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: i.ip, ...assoc }],
      Ipv6Addresses: [],
      Groups: i.groups.map((g) => ({ GroupId: idFor('sg', g), GroupName: g })),
      ...(isInstance
        ? {
            Attachment: {
              AttachmentId: idFor('eni-attach', i.name),
              DeviceIndex: 0,
              InstanceId: idFor('i', i.name),
              InstanceOwnerId: ACCOUNT,
              Status: 'attached',
            },
          }
        : {}),
      ...assoc,
      TagSet: [],
    };
  }

  private instanceJson(i: InstanceSpec): Json {
    const s = this.subnet(i.subnet);
    const code: Record<string, number> = {
      pending: 0,
      running: 16,
      'shutting-down': 32,
      terminated: 48,
      stopping: 64,
      stopped: 80,
    };
    return {
      InstanceId: idFor('i', i.name),
      InstanceType: 't3.micro',
      ImageId: 'ami-0abcdef1234567890',
      State: { Code: code[i.state] ?? 16, Name: i.state },
      SubnetId: idFor('subnet', s.name),
      VpcId: idFor('vpc', s.vpc),
      PrivateIpAddress: i.ip,
      ...(i.publicIp ? { PublicIpAddress: i.publicIp } : {}),
      Placement: { AvailabilityZone: s.az, Tenancy: 'default' },
      ...(i.platform === 'windows' ? { Platform: 'windows' } : {}),
      PlatformDetails: i.platform === 'windows' ? 'Windows' : 'Linux/UNIX',
      SourceDestCheck: i.sourceDestCheck,
      SecurityGroups: i.groups.map((g) => ({ GroupId: idFor('sg', g), GroupName: g })),
      NetworkInterfaces: [
        {
          NetworkInterfaceId: idFor('eni', i.name),
          SubnetId: idFor('subnet', s.name),
          VpcId: idFor('vpc', s.vpc),
          PrivateIpAddress: i.ip,
          PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: i.ip }],
          Attachment: { AttachmentId: idFor('eni-attach', i.name), DeviceIndex: 0, Status: 'attached' },
          Groups: i.groups.map((g) => ({ GroupId: idFor('sg', g), GroupName: g })),
          SourceDestCheck: i.sourceDestCheck,
          Status: 'in-use',
          InterfaceType: 'interface',
        },
      ],
      Tags: tags(i.name),
    };
  }

  private natEniJson(n: NatSpec): Json {
    const s = this.subnet(n.subnet);
    return {
      NetworkInterfaceId: idFor('eni', n.name),
      SubnetId: idFor('subnet', s.name),
      VpcId: idFor('vpc', s.vpc),
      AvailabilityZone: s.az,
      OwnerId: ACCOUNT,
      InterfaceType: 'nat_gateway',
      Description: `Interface for NAT Gateway ${idFor('nat', n.name)}`,
      Status: 'in-use',
      RequesterManaged: true,
      SourceDestCheck: false,
      PrivateIpAddress: n.ip,
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: n.ip, Association: { PublicIp: n.publicIp, IpOwnerId: 'amazon' } },
      ],
      Association: { PublicIp: n.publicIp, IpOwnerId: 'amazon' },
      Ipv6Addresses: [],
      Groups: [],
      TagSet: [],
    };
  }

  private natJson(n: NatSpec): Json {
    const s = this.subnet(n.subnet);
    return {
      NatGatewayId: idFor('nat', n.name),
      VpcId: idFor('vpc', s.vpc),
      SubnetId: idFor('subnet', s.name),
      State: n.state,
      ConnectivityType: 'public',
      NatGatewayAddresses: [
        {
          AllocationId: idFor('eipalloc', n.name),
          NetworkInterfaceId: idFor('eni', n.name),
          PrivateIp: n.ip,
          PublicIp: n.publicIp,
        },
      ],
      Tags: tags(n.name),
    };
  }

  private peeringJson(p: PeeringSpec): Json {
    const side = (vpc: string, withCidr: boolean): Json => {
      const v = this.vpc(vpc);
      return {
        OwnerId: v.accountId,
        VpcId: idFor('vpc', vpc),
        Region: v.region,
        ...(withCidr ? { CidrBlock: v.cidrs[0], CidrBlockSet: v.cidrs.map((c) => ({ CidrBlock: c })) } : {}),
      };
    };
    // AWS reports the accepter's CIDRs only once the peering is active.
    return {
      VpcPeeringConnectionId: idFor('pcx', p.name),
      RequesterVpcInfo: side(p.requester, true),
      AccepterVpcInfo: side(p.accepter, p.status === 'active'),
      Status: { Code: p.status, Message: p.status },
      Tags: tags(p.name),
    };
  }
}
