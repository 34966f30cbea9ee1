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

/** When each client may next call LookupEvents: one queue per client, that is per account and region. */
const nextSlot = new WeakMap<CloudTrailClient, Promise<number>>();

/** Waits for this client's next LookupEvents slot, so calls from concurrent answers together keep the rate. */
async function takeSlot(client: CloudTrailClient, opts: HistoryOptions): Promise<void> {
  const interval = opts.intervalMs ?? LOOKUP_INTERVAL_MS;
  const previous = nextSlot.get(client) ?? Promise.resolve(0);
  const mine = previous.then(async (at) => {
    const wait = at - opts.now().getTime();
    if (wait > 0) await opts.sleep(wait);
    return opts.now().getTime() + interval;
  });
  nextSlot.set(client, mine);
  await mine;
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
  for (const f of findings) {
    if (!wantsHistory(f) || byResource.has(f.resource)) continue;
    byResource.set(f.resource, lookup(client, f.resource, from, to, opts));
  }
  const window = { days: opts.days, from: from.toISOString(), to: to.toISOString() };
  const out: Finding[] = [];
  for (const f of findings) {
    const found = wantsHistory(f) ? await byResource.get(f.resource) : undefined;
    if (!found) {
      out.push(f);
      continue;
    }
    const causes = CAUSES[f.code] ?? [];
    const events = found.events
      .filter((e) => causes.includes(e.EventName ?? ''))
      .map((e) => historyEvent(e, f.resource))
      .sort((a, b) => b.time.localeCompare(a.time));
    out.push({ ...f, history: { window, skipped: found.skipped, events } });
  }
  return out;
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
      await takeSlot(client, opts);
      const input = {
        LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: resource }],
        StartTime: from,
        EndTime: to,
        MaxResults: 50,
        ...(token !== undefined ? { NextToken: token } : {}),
      };
      const out = await client.send(new LookupEventsCommand(input)).catch(async (err: unknown) => {
        // The rate is counted by CloudTrail's clock, not ours: once throttled, wait a whole second and ask again once.
        if (retried || !/Throttl/i.test((err as { name?: string })?.name ?? '')) throw err;
        retried = true;
        await opts.sleep(THROTTLE_BACKOFF_MS);
        await takeSlot(client, opts);
        return client.send(new LookupEventsCommand(input));
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

/** An event as the history shows it. */
export function historyEvent(e: Event, resource: string): HistoryEvent {
  const r = record(e);
  const who = principalOf(e, r);
  const params = r.requestParameters ?? {};
  const byWhyping = who.session.startsWith('whyping-') || JSON.stringify(params).includes('whyping: ');
  return {
    eventId: e.EventId ?? '',
    eventName: e.EventName ?? '',
    time: (e.EventTime ?? new Date(0)).toISOString(),
    principal: byWhyping ? `${who.name} (whyping fix)` : who.name,
    summary: summarize(e.EventName ?? '', params, resource),
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

/** What the call did, from its request parameters (CloudTrail's EC2 shapes: lists as `{items: [...]}`). */
export function summarize(eventName: string, p: Params, resource: string): string {
  const cidr = str(p.destinationCidrBlock) ?? str(p.destinationIpv6CidrBlock) ?? str(p.destinationPrefixListId);
  const target =
    str(p.vpcPeeringConnectionId) ??
    str(p.gatewayId) ??
    str(p.natGatewayId) ??
    str(p.transitGatewayId) ??
    str(p.networkInterfaceId) ??
    str(p.instanceId);
  switch (eventName) {
    case 'DeleteRoute':
      return cidr
        ? `removed the route ${cidr} from ${str(p.routeTableId) ?? resource}`
        : `removed a route from ${resource}`;
    case 'ReplaceRoute':
    case 'CreateRoute':
      return `${eventName === 'CreateRoute' ? 'added' : 'replaced'} the route ${cidr ?? '?'}${target ? ` → ${target}` : ''} in ${str(p.routeTableId) ?? resource}`;
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
      const rule = [`${dir} rule ${str(p.ruleNumber) ?? '?'}`, action, block ? `${block}${ports}` : ''].filter(Boolean);
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
