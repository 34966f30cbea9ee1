/**
 * Who changed it, and when: for each blocker's resource, the recent CloudTrail management events that could have made
 * it (LookupEvents, ResourceName = the id). Takes a CloudTrailClient, never builds one. It never fails the answer: an
 * AWS refusal or throttling becomes `skipped`, one line naming cloudtrail:LookupEvents.
 */
import { type CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { Finding, FindingCode, HistoryEvent } from '../model/index.js';

/**
 * The CloudTrail events (EC2 API names) that could have made each finding, on the finding's resource. A code absent
 * here is a design matter (non-transitive peering, a private address over the internet): no change to look for.
 */
export const CAUSES: Partial<Record<FindingCode, readonly string[]>> = {
  INSTANCE_NOT_RUNNING: ['StopInstances', 'TerminateInstances'],
  SG_INGRESS_DENIED: [
    'RevokeSecurityGroupIngress',
    'ModifySecurityGroupRules',
    'ModifyNetworkInterfaceAttribute',
    'ModifyInstanceAttribute',
  ],
  SG_EGRESS_DENIED: [
    'RevokeSecurityGroupEgress',
    'ModifySecurityGroupRules',
    'ModifyNetworkInterfaceAttribute',
    'ModifyInstanceAttribute',
  ],
  NACL_INGRESS_DENIED: [
    'CreateNetworkAclEntry',
    'ReplaceNetworkAclEntry',
    'DeleteNetworkAclEntry',
    'ReplaceNetworkAclAssociation',
  ],
  NACL_EGRESS_DENIED: [
    'CreateNetworkAclEntry',
    'ReplaceNetworkAclEntry',
    'DeleteNetworkAclEntry',
    'ReplaceNetworkAclAssociation',
  ],
  NO_ROUTE: ['DeleteRoute', 'ReplaceRoute', 'DisassociateRouteTable', 'ReplaceRouteTableAssociation'],
  NO_INTERNET_GATEWAY_ROUTE: ['DeleteRoute', 'ReplaceRoute', 'DisassociateRouteTable', 'ReplaceRouteTableAssociation'],
  ROUTE_BLACKHOLE: ['DeleteRoute', 'ReplaceRoute', 'CreateRoute'],
  ROUTE_SHADOWED: ['CreateRoute', 'ReplaceRoute'],
  PEERING_NOT_ACTIVE: ['DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection'],
  NO_PUBLIC_IP: ['DisassociateAddress', 'ReleaseAddress'],
  INTERNET_GATEWAY_NOT_ATTACHED: ['DetachInternetGateway'],
  NAT_GATEWAY_NOT_AVAILABLE: ['DeleteNatGateway'],
  SOURCE_DEST_CHECK: ['ModifyNetworkInterfaceAttribute', 'ModifyInstanceAttribute'],
  TGW_ATTACHMENT_NOT_ASSOCIATED: ['DisassociateTransitGatewayRouteTable'],
  TGW_NO_ROUTE: [
    'DeleteTransitGatewayRoute',
    'ReplaceTransitGatewayRoute',
    'DisableTransitGatewayRouteTablePropagation',
  ],
  TGW_ROUTE_BLACKHOLE: ['CreateTransitGatewayRoute', 'ReplaceTransitGatewayRoute', 'DeleteTransitGatewayVpcAttachment'],
  TGW_ATTACHMENT_NOT_AVAILABLE: [
    'CreateTransitGatewayVpcAttachment',
    'RejectTransitGatewayVpcAttachment',
    'DeleteTransitGatewayVpcAttachment',
  ],
  ROUTING_LOOP: ['CreateTransitGatewayRoute', 'ReplaceTransitGatewayRoute'],
};

/** The ids CloudTrail can look up by ResourceName (an IP or a VPC standing as a finding's resource is not one). */
const LOOKUP_ID = /^(rtb|sg|acl|pcx|i|eni|igw|nat|tgw-attach|tgw-rtb)-[0-9a-f]{8,17}$/;

/** CloudTrail's LookupEvents rate: about 2 calls a second per account and region. */
export const LOOKUP_INTERVAL_MS = 500;

/** How long a throttled lookup waits before its one retry. */
const THROTTLE_BACKOFF_MS = 1_000;

export interface HistoryOptions {
  /** How far back to look (WHYPING_HISTORY_DAYS, 1 to 90). */
  days: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Pages of results per resource (default 1: the newest 50 events). */
  maxPages?: number;
  /** Least time between two LookupEvents calls on this client (default LOOKUP_INTERVAL_MS). */
  intervalMs?: number;
}

/** When the last LookupEvents call queued on each client finished: one queue per client (per account and region). */
const lastCall = new WeakMap<CloudTrailClient, Promise<number>>();

/**
 * Runs `call` in this client's queue: one call at a time, each `intervalMs` after the previous one finished, so calls
 * from concurrent answers together keep the rate however long the SDK takes to send them (counting from when a call
 * was queued lets a slow first call arrive with the next two inside one second).
 */
async function queued<T>(client: CloudTrailClient, opts: HistoryOptions, call: () => Promise<T>): Promise<T> {
  const interval = opts.intervalMs ?? LOOKUP_INTERVAL_MS;
  const previous = lastCall.get(client);
  let finished!: (at: number) => void;
  lastCall.set(client, new Promise<number>((resolve) => (finished = resolve)));
  try {
    if (previous !== undefined) {
      const wait = (await previous) + interval - opts.now().getTime();
      if (wait > 0) await opts.sleep(wait);
    }
    return await call();
  } finally {
    finished(opts.now().getTime());
  }
}

/** True when a finding's resource can carry a history worth looking up. */
export function wantsHistory(f: Pick<Finding, 'code' | 'resource'>): boolean {
  return CAUSES[f.code] !== undefined && LOOKUP_ID.test(f.resource);
}

/**
 * Reads the history of every finding's resource (one LookupEvents call per distinct resource, queued at the rate) and
 * returns the findings with `history` set; findings with nothing to look up are returned unchanged.
 */
export async function addHistory(
  client: CloudTrailClient,
  findings: Finding[],
  opts: HistoryOptions,
): Promise<Finding[]> {
  const to = opts.now();
  const from = new Date(to.getTime() - opts.days * 86_400_000);
  const byResource = new Map<string, Promise<{ events: Event[]; skipped: string | null }>>();
  const read = (id: string) => {
    let found = byResource.get(id);
    if (found === undefined) {
      found = lookup(client, id, from, to, opts);
      byResource.set(id, found);
    }
    return found;
  };
  // Every lookup is queued at once (the queue keeps the rate); each finding then takes what it needs.
  const asks = findings.map((f) =>
    wantsHistory(f) ? { own: read(f.resource), dead: deadTargetOf(f), f } : { f, own: undefined, dead: undefined },
  );
  const deadReads = asks.map((a) => (a.dead !== undefined ? read(a.dead) : undefined));
  const window = { days: opts.days, from: from.toISOString(), to: to.toISOString() };
  const out: Finding[] = [];
  for (const [i, { f, own }] of asks.entries()) {
    const found = await own;
    if (!found) {
      out.push(f);
      continue;
    }
    const causes = CAUSES[f.code] ?? [];
    const events = found.events
      .filter((e) => causes.includes(e.EventName ?? ''))
      .map((e) => historyEvent(e, f.resource, found.events));
    // A blackhole route was made by what removed its target: that target's own history says who and when.
    const dead = await deadReads[i];
    const deadId = asks[i]?.dead ?? f.resource;
    for (const e of dead?.events ?? []) {
      if (DEAD_TARGET_CAUSES.includes(e.EventName ?? '')) events.push(historyEvent(e, deadId, dead?.events));
    }
    events.sort((a, b) => b.time.localeCompare(a.time));
    out.push({ ...f, history: { window, skipped: found.skipped ?? dead?.skipped ?? null, events } });
  }
  return out;
}

/** The events on a blackhole route's target that make the route a blackhole. */
const DEAD_TARGET_CAUSES: readonly string[] = [
  'DeleteNatGateway',
  'DeleteVpcPeeringConnection',
  'RejectVpcPeeringConnection',
  'DetachInternetGateway',
  'DeleteInternetGateway',
  'TerminateInstances',
  'DeleteNetworkInterface',
  'DeleteTransitGatewayVpcAttachment',
];

/** The target a ROUTE_BLACKHOLE finding's route points at, as its evidence names it (`0.0.0.0/0 → nat-… (blackhole)`). */
function deadTargetOf(f: Finding): string | undefined {
  if (f.code !== 'ROUTE_BLACKHOLE') return undefined;
  const id = / → ([a-z-]+-[0-9a-f]{8,17}) \(blackhole\)/.exec(f.evidence ?? '')?.[1];
  return id !== undefined && id !== f.resource && LOOKUP_ID.test(id) ? id : undefined;
}

async function lookup(
  client: CloudTrailClient,
  resource: string,
  from: Date,
  to: Date,
  opts: HistoryOptions,
): Promise<{ events: Event[]; skipped: string | null }> {
  const events: Event[] = [];
  let token: string | undefined;
  let retried = false;
  try {
    for (let page = 0; page < (opts.maxPages ?? 1); page++) {
      const input = {
        LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: resource }],
        StartTime: from,
        EndTime: to,
        MaxResults: 50,
        ...(token !== undefined ? { NextToken: token } : {}),
      };
      const send = () => queued(client, opts, () => client.send(new LookupEventsCommand(input)));
      const out = await send().catch(async (err: unknown) => {
        // Throttled all the same (other callers share the account's rate): wait a whole second and ask again once.
        if (retried || !/Throttl/i.test((err as { name?: string })?.name ?? '')) throw err;
        retried = true;
        await opts.sleep(THROTTLE_BACKOFF_MS);
        return send();
      });
      events.push(...(out.Events ?? []));
      token = out.NextToken;
      if (token === undefined) break;
    }
    return { events, skipped: null };
  } catch (err) {
    return { events, skipped: skippedLine(err) };
  }
}

/** One line naming cloudtrail:LookupEvents and the next step. */
export function skippedLine(err: unknown): string {
  const name = (err as { name?: string })?.name ?? 'Error';
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
    return 'history not read: this role may not call cloudtrail:LookupEvents (add it, as in iam/readonly.json).';
  }
  if (/Throttl/i.test(name)) {
    return 'history not read: CloudTrail throttled cloudtrail:LookupEvents (about 2 calls a second per account and region); ask again in a moment.';
  }
  const message = String((err as { message?: string })?.message ?? '').split('\n')[0] ?? '';
  return `history not read: cloudtrail:LookupEvents failed (${name}${message ? `: ${message.slice(0, 120)}` : ''}).`;
}

interface TrailRecord {
  userIdentity?: {
    type?: string;
    userName?: string;
    arn?: string;
    invokedBy?: string;
    sessionContext?: { sessionIssuer?: { userName?: string } };
  };
  requestParameters?: Record<string, unknown> | null;
}

function record(e: Event): TrailRecord {
  try {
    return JSON.parse(e.CloudTrailEvent ?? '{}') as TrailRecord;
  } catch {
    return {};
  }
}

/**
 * An event as the history shows it. `read` (every event read on the resource) lets a removed or replaced route say
 * where it pointed: DeleteRoute's parameters name only the table and the destination.
 */
export function historyEvent(e: Event, resource: string, read: Event[] = []): HistoryEvent {
  const r = record(e);
  const who = principalOf(e, r);
  const params = r.requestParameters ?? {};
  const was =
    e.EventName === 'DeleteRoute' || e.EventName === 'ReplaceRoute' ? targetBefore(e, params, read) : undefined;
  const byWhyping = who.session.startsWith('whyping-') || JSON.stringify(params).includes('whyping: ');
  return {
    eventId: e.EventId ?? '',
    eventName: e.EventName ?? '',
    time: (e.EventTime ?? new Date(0)).toISOString(),
    principal: byWhyping ? `${who.name} (whyping fix)` : who.name,
    summary: summarize(e.EventName ?? '', params, resource, was),
    byWhyping,
  };
}

/** The readable caller: the role session (with its role), the IAM user, root, or the AWS service. */
function principalOf(e: Event, r: TrailRecord): { name: string; session: string } {
  const u = r.userIdentity ?? {};
  if (u.type === 'AssumedRole' && u.arn) {
    const [, role = '', session = ''] = u.arn.split(':').at(-1)?.split('/') ?? [];
    const roleName = u.sessionContext?.sessionIssuer?.userName ?? role;
    return { name: session ? `${session} (role ${roleName})` : roleName, session };
  }
  if (u.type === 'IAMUser' && u.userName) return { name: u.userName, session: u.userName };
  if (u.type === 'Root') return { name: 'the root user', session: '' };
  if (u.type === 'AWSService' && u.invokedBy) return { name: u.invokedBy, session: '' };
  const name = e.Username ?? u.userName ?? u.arn ?? 'someone';
  return { name, session: name };
}

type Params = Record<string, unknown>;

function items(v: unknown): Params[] {
  const list = (v as { items?: unknown })?.items;
  return Array.isArray(list) ? (list as Params[]) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** The request parameters that name a route's target (CreateRoute / ReplaceRoute), in CloudTrail's spelling. */
const ROUTE_TARGETS = [
  'vpcPeeringConnectionId',
  'gatewayId',
  'natGatewayId',
  'transitGatewayId',
  'networkInterfaceId',
  'instanceId',
  'egressOnlyInternetGatewayId',
  'vpcEndpointId',
  'localGatewayId',
  'carrierGatewayId',
  'coreNetworkArn',
] as const;

function routeTarget(p: Params): string | undefined {
  for (const key of ROUTE_TARGETS) {
    const v = str(p[key]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function routeDestination(p: Params): string | undefined {
  return str(p.destinationCidrBlock) ?? str(p.destinationIpv6CidrBlock) ?? str(p.destinationPrefixListId);
}

/**
 * Where the route `e` removed or replaced pointed before it: the target of the newest earlier CreateRoute or
 * ReplaceRoute of the same destination in the same table among the events read. Unknown (undefined) otherwise —
 * never guessed.
 */
function targetBefore(e: Event, p: Params, read: Event[]): string | undefined {
  const table = str(p.routeTableId);
  const dest = routeDestination(p);
  const at = e.EventTime?.getTime();
  if (table === undefined || dest === undefined || at === undefined) return undefined;
  let best: { at: number; target: string } | undefined;
  for (const x of read) {
    if (x.EventName !== 'CreateRoute' && x.EventName !== 'ReplaceRoute') continue;
    const t = x.EventTime?.getTime();
    if (t === undefined || t >= at || (best && t <= best.at)) continue;
    const q = record(x).requestParameters ?? {};
    const target = routeTarget(q);
    if (str(q.routeTableId) === table && routeDestination(q) === dest && target !== undefined) best = { at: t, target };
  }
  return best?.target;
}

/**
 * What the call did, from its request parameters (CloudTrail's EC2 shapes: lists as `{items: [...]}`); `was` is
 * where a removed or replaced route pointed before, when the history read says so.
 */
export function summarize(eventName: string, p: Params, resource: string, was?: string): string {
  const cidr = routeDestination(p);
  const target = routeTarget(p);
  const before = was ? ` (was → ${was})` : '';
  switch (eventName) {
    case 'DeleteRoute':
      return cidr
        ? `removed the route ${cidr}${before} from ${str(p.routeTableId) ?? resource}`
        : `removed a route from ${resource}`;
    case 'ReplaceRoute':
    case 'CreateRoute':
      return `${eventName === 'CreateRoute' ? 'added' : 'replaced'} the route ${cidr ?? '?'}${target ? ` → ${target}` : ''}${eventName === 'ReplaceRoute' ? before : ''} in ${str(p.routeTableId) ?? resource}`;
    case 'RevokeSecurityGroupIngress':
    case 'RevokeSecurityGroupEgress': {
      const dir = eventName.endsWith('Ingress') ? 'inbound' : 'outbound';
      const rules = items(p.ipPermissions).map(permission);
      const ids = items(p.securityGroupRuleIds).map((i) => str(i.securityGroupRuleId));
      const what = rules.length > 0 ? rules.join(', ') : ids.length > 0 ? ids.join(', ') : 'a rule';
      return `removed ${dir} ${what} from ${str(p.groupId) ?? resource}`;
    }
    case 'CreateNetworkAclEntry':
    case 'ReplaceNetworkAclEntry':
    case 'DeleteNetworkAclEntry': {
      const verb = eventName.startsWith('Create') ? 'added' : eventName.startsWith('Replace') ? 'replaced' : 'removed';
      const dir = p.egress === true ? 'outbound' : 'inbound';
      const action = str(p.ruleAction)?.toUpperCase();
      const range = p.portRange as { from?: number; to?: number } | undefined;
      const ports =
        range?.from !== undefined ? ` port ${range.from === range.to ? range.from : `${range.from}-${range.to}`}` : '';
      const block = str(p.cidrBlock) ?? str(p.ipv6CidrBlock);
      const proto = PROTOCOLS[str(p.protocol) ?? ''] ?? (str(p.protocol) ? `protocol ${str(p.protocol)}` : '');
      const rule = [`${dir} rule ${str(p.ruleNumber) ?? '?'}`, action, proto, block ? `${block}${ports}` : ''].filter(
        Boolean,
      );
      return `${verb} ${rule.join(' ')} in ${str(p.networkAclId) ?? resource}`;
    }
    case 'ReplaceNetworkAclAssociation':
      return `moved a subnet to ${str(p.networkAclId) ?? resource}`;
    case 'DeleteVpcPeeringConnection':
      return `deleted the peering ${str(p.vpcPeeringConnectionId) ?? resource}`;
    case 'RejectVpcPeeringConnection':
      return `rejected the peering ${str(p.vpcPeeringConnectionId) ?? resource}`;
    case 'StopInstances':
    case 'TerminateInstances': {
      const ids = items(p.instancesSet).map((i) => str(i.instanceId));
      return `${eventName === 'StopInstances' ? 'stopped' : 'terminated'} ${ids.filter(Boolean).join(', ') || resource}`;
    }
    case 'ModifyNetworkInterfaceAttribute':
    case 'ModifyInstanceAttribute': {
      const groups = items(p.groupSet).map((g) => str(g.groupId));
      const on = str(p.networkInterfaceId) ?? str(p.instanceId) ?? resource;
      if (groups.length > 0) return `set the security groups of ${on} to ${groups.filter(Boolean).join(', ')}`;
      const check = (p.sourceDestCheck as { value?: unknown } | undefined)?.value;
      if (typeof check === 'boolean') return `turned source/destination check ${check ? 'on' : 'off'} on ${on}`;
      return `${eventName} on ${on}`;
    }
    case 'DeleteNatGateway':
      return `deleted the NAT gateway ${str(p.natGatewayId) ?? resource}`;
    case 'DetachInternetGateway':
      return `detached ${str(p.internetGatewayId) ?? resource} from ${str(p.vpcId) ?? 'its VPC'}`;
    case 'DisassociateAddress':
      return `took the Elastic IP ${str(p.publicIp) ?? str(p.associationId) ?? ''} off ${resource}`.replace(
        / {2}/,
        ' ',
      );
    case 'ReleaseAddress':
      return `released the Elastic IP ${str(p.publicIp) ?? str(p.allocationId) ?? ''}`.trim();
    default:
      return `${eventName} on ${resource}`;
  }
}

/** Network ACL protocol numbers in console words. */
const PROTOCOLS: Record<string, string> = { '-1': 'all traffic', '6': 'tcp', '17': 'udp', '1': 'icmp' };

/** A security group permission in console words: `tcp 22 from 10.0.0.0/16`. */
function permission(p: Params): string {
  const proto = str(p.ipProtocol) === '-1' ? 'all traffic' : (str(p.ipProtocol) ?? '?');
  const fromPort = str(p.fromPort);
  const toPort = str(p.toPort);
  const ports =
    proto === 'all traffic' || fromPort === undefined || fromPort === '-1'
      ? ''
      : ` ${fromPort === toPort ? fromPort : `${fromPort}-${toPort}`}`;
  const peers = [
    ...items(p.ipRanges).map((r) => str(r.cidrIp)),
    ...items(p.ipv6Ranges).map((r) => str(r.cidrIpv6)),
    ...items(p.groups).map((g) => str(g.groupId)),
    ...items(p.prefixListIds).map((g) => str(g.prefixListId)),
  ].filter(Boolean);
  return `${proto}${ports}${peers.length > 0 ? ` ${peers.join(', ')}` : ''}`;
}
