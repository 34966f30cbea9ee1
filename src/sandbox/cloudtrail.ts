/**
 * The sandbox's CloudTrail: every write the sandbox answers is recorded as a management event (the caller and the
 * request parameters, in CloudTrail's shape), and LookupEvents answers from that record — newest first, filtered by
 * ResourceName and time, paged with NextToken, and throttled past 2 calls a second as CloudTrail is.
 */
import type { Handler } from './context.js';
import type { SandboxState } from './state.js';

/** One recorded management event. */
export interface TrailEntry {
  eventId: string;
  eventName: string;
  time: Date;
  /** CloudTrail's `userIdentity`. */
  identity: Record<string, unknown>;
  requestParameters: Record<string, unknown>;
  /** The resource ids the call named (what ResourceName matches). */
  resources: string[];
}

/** A scenario's past change (`<scenario>.host.json` → `history`), placed relative to the sandbox clock. */
export interface SeedEvent {
  eventName: string;
  hoursAgo: number;
  /** A role session (`ops-admin/dana`) or an IAM user name (`dana`). */
  principal: string;
  requestParameters: Record<string, unknown>;
}

const ID = /^(rtb|sg|acl|pcx|i|eni|igw|nat|tgw|tgw-attach|tgw-rtb|vpc|subnet|eipalloc|eipassoc)-[0-9a-f]{8,17}$/;

/** True for the calls CloudTrail records as management writes (not Describe/Get/Search reads). */
export function isWrite(operation: string): boolean {
  return !/^(Describe|Get|Search|List|Lookup)/.test(operation);
}

/** The caller as CloudTrail names it: `role/session` is an assumed role, anything else an IAM user. */
export function identityOf(accountId: string, principal: string): Record<string, unknown> {
  const [role, session] = principal.split('/');
  if (session !== undefined) {
    return {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${accountId}:assumed-role/${role}/${session}`,
      sessionContext: { sessionIssuer: { type: 'Role', userName: role } },
    };
  }
  return { type: 'IAMUser', userName: principal, arn: `arn:aws:iam::${accountId}:user/${principal}` };
}

/**
 * Lists of ids that CloudTrail records under the EC2 Query API's own names, one object an item:
 * `InstanceIds: ['i-1']` → `instancesSet: {items: [{instanceId: 'i-1'}]}` (StopInstances), `Groups: ['sg-1']` →
 * `groupSet: {items: [{groupId: 'sg-1'}]}` (ModifyNetworkInterfaceAttribute, ModifyInstanceAttribute).
 */
const ID_SETS: Record<string, { key: string; item: string }> = {
  InstanceIds: { key: 'instancesSet', item: 'instanceId' },
  Groups: { key: 'groupSet', item: 'groupId' },
  SecurityGroupRuleIds: { key: 'securityGroupRuleIds', item: 'securityGroupRuleId' },
};

/** SDK input (`{GroupId, IpPermissions: [...]}`) in CloudTrail's EC2 shape (`{groupId, ipPermissions: {items}}`). */
export function trailShape(v: unknown): unknown {
  if (Array.isArray(v)) return { items: v.map(trailShape) };
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        const set = ID_SETS[k];
        if (set && Array.isArray(x) && x.every((i) => typeof i === 'string')) {
          return [set.key, { items: x.map((id) => ({ [set.item]: id })) }];
        }
        return [k.charAt(0).toLowerCase() + k.slice(1), trailShape(x)];
      }),
    );
  }
  return v;
}

function idsIn(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof v === 'string' && ID.test(v)) out.add(v);
  else if (Array.isArray(v)) for (const x of v) idsIn(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) idsIn(x, out);
  return out;
}

/** Records a write the sandbox answered. */
export function recordWrite(state: SandboxState, operation: string, input: Record<string, unknown>): void {
  state.trail.push({
    eventId: state.ids.requestId(),
    eventName: operation,
    time: state.now(),
    identity: identityOf(state.accountId, state.caller),
    requestParameters: trailShape(input) as Record<string, unknown>,
    resources: [...idsIn(input)],
  });
}

/** Places a scenario's past changes on the trail. */
export function seedTrail(state: SandboxState, events: SeedEvent[]): void {
  for (const e of events) {
    state.trail.push({
      eventId: state.ids.requestId(),
      eventName: e.eventName,
      time: new Date(state.now().getTime() - e.hoursAgo * 3_600_000),
      identity: identityOf(state.accountId, e.principal),
      requestParameters: e.requestParameters,
      resources: [...idsIn(e.requestParameters)],
    });
  }
}

/** CloudTrail allows about 2 LookupEvents calls a second per account and region. */
const CALLS_PER_SECOND = 2;

function lookupEvents(input: Record<string, unknown>, ctx: Parameters<Handler>[1]): Record<string, unknown> {
  const { state } = ctx;
  const now = state.now().getTime();
  state.lookupCalls = state.lookupCalls.filter((t) => now - t < 1000);
  if (state.lookupCalls.length >= CALLS_PER_SECOND) ctx.fail('ThrottlingException', 'Rate exceeded');
  state.lookupCalls.push(now);
  const attrs = (input.LookupAttributes as { AttributeKey?: string; AttributeValue?: string }[] | undefined) ?? [];
  if (attrs.length > 1) ctx.fail('InvalidLookupAttributesException', 'You can specify only one lookup attribute.');
  const resource = attrs.find((a) => a.AttributeKey === 'ResourceName')?.AttributeValue;
  const start = input.StartTime instanceof Date ? input.StartTime.getTime() : 0;
  const end = input.EndTime instanceof Date ? input.EndTime.getTime() : now;
  const max = Math.min(Number(input.MaxResults ?? 50), 50);
  const matching = state.trail
    .filter((e) => (resource === undefined || e.resources.includes(resource)) && e.time.getTime() >= start)
    .filter((e) => e.time.getTime() <= end)
    .sort((a, b) => b.time.getTime() - a.time.getTime());
  const from = input.NextToken === undefined ? 0 : Number(String(input.NextToken).replace(/^page-/, ''));
  if (!Number.isInteger(from) || from < 0) ctx.fail('InvalidNextTokenException', 'Invalid NextToken.');
  const page = matching.slice(from, from + max);
  return {
    Events: page.map((e) => ({
      EventId: e.eventId,
      EventName: e.eventName,
      ReadOnly: 'false',
      EventTime: e.time,
      EventSource: 'ec2.amazonaws.com',
      Username: String(
        e.identity.userName ??
          String(e.identity.arn ?? '')
            .split('/')
            .at(-1),
      ),
      Resources: e.resources.map((id) => ({ ResourceName: id })),
      CloudTrailEvent: JSON.stringify({
        eventVersion: '1.09',
        userIdentity: e.identity,
        eventTime: e.time.toISOString(),
        eventSource: 'ec2.amazonaws.com',
        eventName: e.eventName,
        awsRegion: state.region,
        requestParameters: e.requestParameters,
        eventID: e.eventId,
        readOnly: false,
        eventType: 'AwsApiCall',
        managementEvent: true,
      }),
    })),
    ...(from + max < matching.length ? { NextToken: `page-${from + max}` } : {}),
  };
}

export const cloudtrailHandlers: Record<string, Handler> = { LookupEvents: lookupEvents };
