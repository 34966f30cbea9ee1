/**
 * A collection across accounts and regions. Each account and region the path reaches is a site with its own reader,
 * collection and scope; `planReads` plans each site as it plans one, and `cross` moves the path from site to site:
 * the other side of a peering (another owner or region, `AccepterVpcInfo.OwnerId` / `.Region`), a VPC attached to a
 * transit gateway by another account, the owner of a shared VPC. A far VPC is read in full, as a near one is, when a
 * full VPC's route points at the peering to it or it holds an endpoint address; else only its record is read.
 * A site that cannot be read (no role, access denied, region not enabled) is recorded as unread, with what to grant,
 * and everything else is still read.
 */
import type { EC2Client, NetworkInterface, RouteTable, Vpc, VpcPeeringConnection } from '@aws-sdk/client-ec2';
import { isWhypingError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AccountClients, Where } from '../model/index.js';
import { Collected, emptyScope, planReads, type Read, type Scope, type Side } from './plan.js';
import { type CollectStats, Ec2Reader } from './reader.js';
import { readTasks } from './reads.js';

/** A part of the path that was not read, why, and what to grant. */
export interface UnreadPart {
  account: string;
  region: string;
  /** The VPCs there the path needed (read in full or as records). */
  vpcs: string[];
  /** What led there (peering connections, transit gateway attachments, shared VPCs). */
  via: string[];
  /** One sentence: why it was not read and what to configure or grant. */
  reason: string;
}

/** One account and region of the collection. */
export class Site {
  readonly c = new Collected();
  readonly via = new Set<string>();
  /** Why nothing (more) is read here; null while readable. */
  unread: string | null = null;

  constructor(
    readonly where: { account: string | null; region: string },
    readonly scope: Scope,
    readonly reader: Ec2Reader | null,
  ) {}
}

const MAX_ROUNDS = 8;

/** The sites of one collection: the home site (the default clients) and those the path reached. */
export class Span {
  readonly sites = new Map<string, Site>();
  readonly home: Site;
  readonly stats: CollectStats;

  constructor(
    readonly homeReader: Ec2Reader,
    homeRegion: string,
    wholeVpcs: boolean,
    readonly accounts: AccountClients<EC2Client> | undefined,
    private readonly logger: Logger,
  ) {
    this.stats = homeReader.stats;
    const scope = emptyScope(wholeVpcs);
    if (accounts) scope.here = { account: null, region: homeRegion };
    this.home = new Site({ account: null, region: homeRegion }, scope, homeReader);
    this.sites.set(`home/${homeRegion}`, this.home);
  }

  /** The home account, once the data shows it (the endpoints' or the VPCs' owner). */
  get homeAccount(): string | null {
    return this.home.where.account;
  }

  /** Learns the home account from what the home site read (or from an end found with the default credentials). */
  learnHome(known?: string): void {
    if (this.home.where.account) return;
    const c = this.home.c;
    const owner =
      known ??
      [...c.instances.values()].map((f) => f.reservation.OwnerId).find(Boolean) ??
      c.all<NetworkInterface>('NetworkInterfaces').find((e) => e.OwnerId)?.OwnerId ??
      c.all<Vpc>('Vpcs').find((v) => v.OwnerId)?.OwnerId;
    if (!owner) return;
    this.home.where.account = owner;
    if (this.home.scope.here) this.home.scope.here.account = owner;
  }

  /** The site of `where`, made on first use with its reader (or unread, saying why). */
  site(where: Where): Site {
    const isHome = where.account === this.homeAccount;
    const key = isHome ? `home/${where.region}` : `${where.account}/${where.region}`;
    let s = this.sites.get(key);
    if (s) return s;
    const scope = emptyScope(this.home.scope.wholeVpcs);
    scope.here = { account: where.account, region: where.region };
    scope.looseIps = [...this.home.scope.looseIps];
    scope.lookupIps = this.home.scope.looseIps.filter((ip) => !ip.includes(':'));
    let ec2: EC2Client | null = null;
    let unread: string | null = null;
    try {
      if (!this.accounts) throw new Error(`only ${this.home.where.region} of one account is read`);
      ec2 = isHome ? this.accounts.home(where.region) : this.accounts.other(where, 'read');
    } catch (e) {
      unread = isWhypingError(e) ? e.message : String(e);
    }
    const reader = ec2 ? new Ec2Reader(ec2, this.logger, this.homeReader.concurrency, this.stats) : null;
    s = new Site({ account: where.account, region: where.region }, scope, reader);
    s.unread = unread;
    this.sites.set(key, s);
    return s;
  }

  /** Moves the path across accounts and regions: what the sites read so far names in other sites. */
  private cross(): void {
    this.learnHome();
    if (!this.accounts) return;
    const home = this.homeAccount;
    for (const s of [...this.sites.values()]) {
      const account = s.where.account ?? home;
      const here = { account, region: s.where.region };
      const where = (side: Side | undefined): Where | null => {
        if (!side?.VpcId) return null;
        const w = { account: side.OwnerId ?? account ?? '', region: side.Region ?? here.region };
        if (!w.account || (w.account === account && w.region === here.region)) return null;
        return w;
      };
      const routes = s.c
        .all<RouteTable>('RouteTables')
        .filter((t) => s.scope.fullVpcs.has(t.VpcId ?? ''))
        .flatMap((t) => t.Routes ?? []);
      const routed = new Set(routes.map((r) => r.VpcPeeringConnectionId).filter(Boolean));
      // Peerings whose other side is another account or region: its record there, in full when routes go there.
      for (const p of s.c.all<VpcPeeringConnection>('VpcPeeringConnections')) {
        for (const [side, other] of [
          [p.AccepterVpcInfo, p.RequesterVpcInfo],
          [p.RequesterVpcInfo, p.AccepterVpcInfo],
        ] as const) {
          const w = where(side);
          const vpc = side?.VpcId;
          if (!w || !vpc || !s.scope.fullVpcs.has(other?.VpcId ?? '')) continue;
          const far = this.site(w);
          far.via.add(p.VpcPeeringConnectionId ?? '');
          // `whyping snapshot` reads the other side of its VPCs' peerings in full, for every question asked of it.
          if (routed.has(p.VpcPeeringConnectionId) || s.scope.wholeVpcs) far.scope.fullVpcs.add(vpc);
          else far.scope.recordVpcs.add(vpc);
        }
      }
      // VPCs of other accounts attached to the transit gateways the routes point to: their records there.
      for (const a of s.c.all<{
        ResourceType?: string;
        ResourceId?: string;
        ResourceOwnerId?: string;
        TransitGatewayAttachmentId?: string;
      }>('TransitGatewayAttachments')) {
        const w = a.ResourceType === 'vpc' ? where({ VpcId: a.ResourceId, OwnerId: a.ResourceOwnerId }) : null;
        if (!w || !a.ResourceId) continue;
        const far = this.site(w);
        far.via.add(a.TransitGatewayAttachmentId ?? '');
        far.scope.recordVpcs.add(a.ResourceId);
      }
      // A transit gateway peered with one on the path: the peer gateway is read where it lives (its owner and region,
      // as the peering's record names them), with its attachments and tables, like the near one.
      const nearTgws = new Set(
        s.c.all<{ TransitGatewayId?: string }>('TransitGatewayAttachments').map((a) => a.TransitGatewayId),
      );
      for (const p of s.c.all<{
        TransitGatewayAttachmentId?: string;
        RequesterTgwInfo?: { TransitGatewayId?: string; OwnerId?: string; Region?: string };
        AccepterTgwInfo?: { TransitGatewayId?: string; OwnerId?: string; Region?: string };
      }>('TransitGatewayPeeringAttachments')) {
        const req = p.RequesterTgwInfo;
        const acc = p.AccepterTgwInfo;
        const peer = nearTgws.has(req?.TransitGatewayId) && !nearTgws.has(acc?.TransitGatewayId) ? acc : req;
        if (!peer?.TransitGatewayId || nearTgws.has(peer.TransitGatewayId)) continue;
        const w = where({ VpcId: peer.TransitGatewayId, OwnerId: peer.OwnerId, Region: peer.Region });
        const far = w ? this.site(w) : s;
        far.scope.tgws ??= new Set();
        far.scope.tgws.add(peer.TransitGatewayId);
        if (far !== s) far.via.add(p.TransitGatewayAttachmentId ?? '');
      }
      // A shared VPC read by a participant: its owner's route tables and ACLs are read in the owner's account.
      for (const v of s.c.all<Vpc>('Vpcs')) {
        if (!v.VpcId || !s.scope.fullVpcs.has(v.VpcId)) continue;
        const w = where({ VpcId: v.VpcId, OwnerId: v.OwnerId });
        if (!w) continue;
        const owner = this.site(w);
        owner.via.add(`shared ${v.VpcId}`);
        owner.scope.fullVpcs.add(v.VpcId);
      }
    }
  }

  /** Runs rounds across every site until nothing new is referenced anywhere. */
  async expand(): Promise<void> {
    for (let i = 0; i < MAX_ROUNDS; i++) {
      this.cross();
      const tasks: (() => Promise<void>)[] = [];
      for (const s of this.sites.values()) {
        const reads: Read[] = planReads(s.c, s.scope);
        if (!s.reader || s.unread || reads.length === 0) continue;
        const reader = s.reader;
        tasks.push(
          ...readTasks(reader, s.c, reads).map((t) =>
            s === this.home
              ? t
              : () =>
                  t().catch((e: unknown) => {
                    s.unread ??= unreadReason(e, s, this.accounts);
                    this.logger.warn({ account: s.where.account, region: s.where.region }, s.unread);
                  }),
          ),
        );
      }
      if (tasks.length === 0) return;
      await this.homeReader.round(`expand ${i + 1}`, tasks);
    }
    this.logger.warn({ rounds: this.stats.rounds }, 'collection stopped after the maximum number of rounds');
  }

  /** The parts of the path that were not read. */
  unread(): UnreadPart[] {
    const out: UnreadPart[] = [];
    for (const s of this.sites.values()) {
      if (!s.unread) continue;
      const vpcs = [...new Set([...s.scope.fullVpcs, ...s.scope.recordVpcs])];
      out.push({
        account: s.where.account ?? this.homeAccount ?? 'unknown',
        region: s.where.region,
        vpcs,
        via: [...s.via],
        reason: s.unread,
      });
    }
    return out;
  }

  /** The sites that read something, with the account each belongs to. */
  read(): { site: Site; account: string | null }[] {
    return [...this.sites.values()]
      .filter((s) => s.reader && (s === this.home || s.c.items.size > 0 || s.c.instances.size > 0))
      .map((site) => ({ site, account: site.where.account ?? this.homeAccount }));
  }
}

/** Why a far site could not be read, in one sentence naming what to grant. */
function unreadReason(e: unknown, s: Site, accounts: AccountClients<EC2Client> | undefined): string {
  const err = isWhypingError(e) ? e : null;
  const code = err?.details.aws?.awsCode ?? '';
  const action = err?.details.aws?.action ?? 'ec2:Describe*';
  const account = s.where.account ?? 'the home account';
  const role = s.where.account ? accounts?.roleFor(s.where.account, 'read') : null;
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : (err?.message ?? String(e));
  if (err?.code === 'AWS_ACCESS_DENIED' && /AssumeRole/i.test(`${cause} ${err.message}`)) {
    return `whyping could not assume ${role ?? 'the role'} in account ${account} (AWS ${code}): let this identity assume it in the role's trust policy (iam/account-role-trust.json)`;
  }
  if (err?.code === 'AWS_ACCESS_DENIED') {
    return `${role ?? 'the role'} in account ${account} may not call ${action} in ${s.where.region} (AWS ${code}): attach iam/readonly.json to it`;
  }
  if (err?.code === 'AWS_REGION' || code === 'OptInRequired') {
    return `${s.where.region} is not enabled for account ${account} (AWS ${code || 'region'}): enable the region in that account, or the path there cannot be read`;
  }
  return `account ${account} in ${s.where.region} could not be read: ${err?.message ?? String(e)}`;
}
