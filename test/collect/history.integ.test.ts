/**
 * The blockers' history (src/collect/history.ts) on the wire: the real CloudTrailClient (AWS JSON 1.1) against nock —
 * the request it sends, the events it keeps and how it says them, paging, the rate queue, and refusals and throttling
 * that become one `skipped` line naming cloudtrail:LookupEvents instead of a failed answer.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addHistory, type HistoryOptions } from '../../src/collect/index.js';
import type { Finding } from '../../src/model/index.js';

const CT = 'https://cloudtrail.us-east-1.amazonaws.com';
const JSON11 = { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'req-ct-1' };
const NOW = Date.parse('2026-12-07T12:00:00Z');
const DAY = 86_400_000;

const client = () =>
  new CloudTrailClient({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });

/** A clock that only the queue's sleeps move, and the sleeps it was asked for. */
function clock(): HistoryOptions & { slept: number[] } {
  let now = NOW;
  const slept: number[] = [];
  return {
    days: 7,
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

const finding = (code: Finding['code'], resource: string): Finding => ({
  code,
  awsCode: null,
  direction: 'forward',
  resource,
  message: `${code} at ${resource}`,
  fix: null,
});

const lookup = (body?: nock.RequestBodyMatcher) =>
  nock(CT)
    .post('/', body)
    .matchHeader('x-amz-target', /LookupEvents$/);

/** A LookupEvents event as CloudTrail returns it: CloudTrailEvent is the whole record as a JSON string. */
function trailEvent(opts: {
  id: string;
  name: string;
  at: number;
  identity: Record<string, unknown>;
  params: Record<string, unknown>;
}) {
  return {
    EventId: opts.id,
    EventName: opts.name,
    ReadOnly: 'false',
    EventTime: opts.at / 1000,
    EventSource: 'ec2.amazonaws.com',
    Username: 'ignored-when-the-record-says',
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.09',
      userIdentity: opts.identity,
      eventName: opts.name,
      requestParameters: opts.params,
    }),
  };
}

const assumed = (role: string, session: string) => ({
  type: 'AssumedRole',
  arn: `arn:aws:sts::123456789012:assumed-role/${role}/${session}`,
  sessionContext: { sessionIssuer: { userName: role } },
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('addHistory on the wire', () => {
  it('asks CloudTrail for the resource over the window and keeps only the events that could have made the blocker', async () => {
    const asked: Record<string, unknown>[] = [];
    const scope = lookup((b) => {
      asked.push(b);
      return true;
    }).reply(
      200,
      {
        Events: [
          trailEvent({
            id: 'ev-describe',
            name: 'CreateTags',
            at: NOW - DAY / 2,
            identity: assumed('Admin', 'bob'),
            params: { resourcesSet: { items: [{ resourceId: 'rtb-0aaa1111' }] } },
          }),
          trailEvent({
            id: 'ev-old',
            name: 'ReplaceRoute',
            at: NOW - 3 * DAY,
            identity: { type: 'IAMUser', userName: 'carol' },
            params: {
              routeTableId: 'rtb-0aaa1111',
              destinationCidrBlock: '10.2.0.0/16',
              vpcPeeringConnectionId: 'pcx-0abc1234',
            },
          }),
          trailEvent({
            id: 'ev-delete',
            name: 'DeleteRoute',
            at: NOW - DAY,
            identity: assumed('Admin', 'alice'),
            params: { routeTableId: 'rtb-0aaa1111', destinationCidrBlock: '10.2.0.0/16' },
          }),
        ],
      },
      JSON11,
    );
    const [out] = await addHistory(client(), [finding('NO_ROUTE', 'rtb-0aaa1111')], clock());
    expect(scope.isDone()).toBe(true);
    expect(asked).toEqual([
      {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'rtb-0aaa1111' }],
        StartTime: (NOW - 7 * DAY) / 1000,
        EndTime: NOW / 1000,
        MaxResults: 50,
      },
    ]);
    expect(out?.history?.window).toEqual({
      days: 7,
      from: new Date(NOW - 7 * DAY).toISOString(),
      to: new Date(NOW).toISOString(),
    });
    expect(out?.history?.skipped).toBeNull();
    expect(out?.history?.events).toEqual([
      {
        eventId: 'ev-delete',
        eventName: 'DeleteRoute',
        time: new Date(NOW - DAY).toISOString(),
        principal: 'alice (role Admin)',
        // DeleteRoute names only the table and the destination: the earlier ReplaceRoute read says where it pointed.
        summary: 'removed the route 10.2.0.0/16 (was → pcx-0abc1234) from rtb-0aaa1111',
        byWhyping: false,
      },
      {
        eventId: 'ev-old',
        eventName: 'ReplaceRoute',
        time: new Date(NOW - 3 * DAY).toISOString(),
        principal: 'carol',
        summary: 'replaced the route 10.2.0.0/16 → pcx-0abc1234 in rtb-0aaa1111',
        byWhyping: false,
      },
    ]);
  });

  it('says where a removed or replaced route pointed only when an earlier event on the same route says so', async () => {
    const route = (id: string, name: string, hoursAgo: number, params: Record<string, unknown>) =>
      trailEvent({ id, name, at: NOW - hoursAgo * 3_600_000, identity: { type: 'IAMUser', userName: 'dana' }, params });
    lookup().reply(
      200,
      {
        Events: [
          route('ev-del-known', 'DeleteRoute', 1, {
            routeTableId: 'rtb-0aaa1111',
            destinationCidrBlock: '10.2.0.0/16',
          }),
          route('ev-del-other', 'DeleteRoute', 2, {
            routeTableId: 'rtb-0aaa1111',
            destinationCidrBlock: '10.9.0.0/16',
          }),
          route('ev-replace', 'ReplaceRoute', 3, {
            routeTableId: 'rtb-0aaa1111',
            destinationCidrBlock: '10.2.0.0/16',
            natGatewayId: 'nat-0ccc3333',
          }),
          // After the delete it would explain: later events never count.
          route('ev-late', 'CreateRoute', 0.5, {
            routeTableId: 'rtb-0aaa1111',
            destinationCidrBlock: '10.9.0.0/16',
            gatewayId: 'igw-0ddd4444',
          }),
          route('ev-create', 'CreateRoute', 40, {
            routeTableId: 'rtb-0aaa1111',
            destinationCidrBlock: '10.2.0.0/16',
            vpcPeeringConnectionId: 'pcx-0abc1234',
          }),
          // Another table's route to the same destination says nothing about this one.
          route('ev-elsewhere', 'CreateRoute', 50, {
            routeTableId: 'rtb-0fff9999',
            destinationCidrBlock: '10.9.0.0/16',
            gatewayId: 'igw-0eee5555',
          }),
        ],
      },
      JSON11,
    );
    const [out] = await addHistory(client(), [finding('NO_ROUTE', 'rtb-0aaa1111')], clock());
    expect(out?.history?.events.map((e) => [e.eventId, e.summary])).toEqual([
      ['ev-del-known', 'removed the route 10.2.0.0/16 (was → nat-0ccc3333) from rtb-0aaa1111'],
      ['ev-del-other', 'removed the route 10.9.0.0/16 from rtb-0aaa1111'],
      ['ev-replace', 'replaced the route 10.2.0.0/16 → nat-0ccc3333 (was → pcx-0abc1234) in rtb-0aaa1111'],
    ]);
  });

  it('reads StopInstances and ModifyNetworkInterfaceAttribute in CloudTrail’s shapes (instancesSet, groupSet)', async () => {
    const trail = (id: string, name: string, params: Record<string, unknown>) =>
      trailEvent({ id, name, at: NOW - DAY, identity: { type: 'IAMUser', userName: 'erin' }, params });
    lookup().reply(
      200,
      {
        Events: [
          trail('ev-stop', 'StopInstances', {
            instancesSet: { items: [{ instanceId: 'i-0aaa1111' }, { instanceId: 'i-0bbb2222' }] },
            force: false,
          }),
        ],
      },
      JSON11,
    );
    lookup().reply(
      200,
      {
        Events: [
          trail('ev-groups', 'ModifyNetworkInterfaceAttribute', {
            networkInterfaceId: 'eni-0ccc3333',
            groupSet: { items: [{ groupId: 'sg-0ddd4444' }] },
          }),
        ],
      },
      JSON11,
    );
    const [stopped, moved] = await addHistory(
      client(),
      [finding('INSTANCE_NOT_RUNNING', 'i-0aaa1111'), finding('SOURCE_DEST_CHECK', 'eni-0ccc3333')],
      clock(),
    );
    expect(stopped?.history?.events[0]?.summary).toBe('stopped i-0aaa1111, i-0bbb2222');
    expect(moved?.history?.events[0]?.summary).toBe('set the security groups of eni-0ccc3333 to sg-0ddd4444');
  });

  it('says which rule a revoke removed and recognizes whyping’s own change by its session name', async () => {
    lookup().reply(
      200,
      {
        Events: [
          trailEvent({
            id: 'ev-revoke',
            name: 'RevokeSecurityGroupIngress',
            at: NOW - 3_600_000,
            identity: assumed('whyping-fix', 'whyping-U0123ABC'),
            params: {
              groupId: 'sg-0bbb2222',
              ipPermissions: {
                items: [
                  { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '10.1.0.0/16' }] } },
                ],
              },
            },
          }),
        ],
      },
      JSON11,
    );
    const [out] = await addHistory(client(), [finding('SG_INGRESS_DENIED', 'sg-0bbb2222')], clock());
    expect(out?.history?.events[0]).toMatchObject({
      principal: 'whyping-U0123ABC (role whyping-fix) (whyping fix)',
      summary: 'removed inbound tcp 22 10.1.0.0/16 from sg-0bbb2222',
      byWhyping: true,
    });
  });

  it('returns no events and no skip line when nothing was recorded in the window', async () => {
    lookup().reply(200, { Events: [] }, JSON11);
    const [out] = await addHistory(client(), [finding('PEERING_NOT_ACTIVE', 'pcx-0abc1234')], clock());
    expect(out?.history).toMatchObject({ skipped: null, events: [] });
  });

  it('reads one page per resource by default and follows NextToken only when asked for more', async () => {
    const page1 = {
      Events: [
        trailEvent({
          id: 'ev-1',
          name: 'StopInstances',
          at: NOW - DAY,
          identity: { type: 'Root' },
          params: { instancesSet: { items: [{ instanceId: 'i-0aaa1111' }] } },
        }),
      ],
      NextToken: 'page-2',
    };
    const page2 = {
      Events: [
        trailEvent({
          id: 'ev-2',
          name: 'StopInstances',
          at: NOW - 2 * DAY,
          identity: { type: 'Root' },
          params: { instancesSet: { items: [{ instanceId: 'i-0aaa1111' }] } },
        }),
      ],
    };
    lookup((b) => b.NextToken === undefined).reply(200, page1, JSON11);
    const [one] = await addHistory(client(), [finding('INSTANCE_NOT_RUNNING', 'i-0aaa1111')], clock());
    expect(one?.history?.events.map((e) => e.eventId)).toEqual(['ev-1']);
    expect(nock.isDone()).toBe(true);

    lookup((b) => b.NextToken === undefined).reply(200, page1, JSON11);
    const second = lookup((b) => b.NextToken === 'page-2').reply(200, page2, JSON11);
    const [both] = await addHistory(client(), [finding('INSTANCE_NOT_RUNNING', 'i-0aaa1111')], {
      ...clock(),
      maxPages: 3,
    });
    expect(second.isDone()).toBe(true);
    expect(both?.history?.events.map((e) => [e.eventId, e.principal, e.summary])).toEqual([
      ['ev-1', 'the root user', 'stopped i-0aaa1111'],
      ['ev-2', 'the root user', 'stopped i-0aaa1111'],
    ]);
  });

  it('asks once more a second after being throttled, and reads the history then', async () => {
    lookup().reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, JSON11);
    lookup().reply(
      200,
      {
        Events: [
          trailEvent({
            id: 'ev-after-throttle',
            name: 'DeleteRoute',
            at: NOW - DAY,
            identity: assumed('NetworkAdmin', 'sam'),
            params: { routeTableId: 'rtb-0aaa1111', destinationCidrBlock: '10.2.0.0/16' },
          }),
        ],
      },
      JSON11,
    );
    const c = clock();
    const [out] = await addHistory(client(), [finding('NO_ROUTE', 'rtb-0aaa1111')], c);
    expect(out?.history?.skipped).toBeNull();
    expect(out?.history?.events.map((e) => e.eventId)).toEqual(['ev-after-throttle']);
    expect(c.slept).toContain(1000);
    expect(nock.isDone()).toBe(true);
  });

  it('turns throttling twice into one skip line naming cloudtrail:LookupEvents and keeps the finding', async () => {
    lookup().times(2).reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, JSON11);
    const f = finding('NO_ROUTE', 'rtb-0aaa1111');
    const [out] = await addHistory(client(), [f], clock());
    expect(nock.isDone()).toBe(true);
    expect(out).toMatchObject({ code: 'NO_ROUTE', resource: 'rtb-0aaa1111', message: f.message });
    expect(out?.history?.events).toEqual([]);
    expect(out?.history?.skipped).toMatch(/throttled cloudtrail:LookupEvents/);
  });

  it('turns an IAM refusal into one skip line naming cloudtrail:LookupEvents and the policy to add it to', async () => {
    lookup().reply(
      400,
      {
        __type: 'AccessDeniedException',
        Message: 'User: arn:aws:iam::123456789012:user/ro is not authorized to perform: cloudtrail:LookupEvents',
      },
      JSON11,
    );
    const [out] = await addHistory(client(), [finding('NACL_INGRESS_DENIED', 'acl-0ccc3333')], clock());
    expect(out?.history?.skipped).toBe(
      'history not read: this role may not call cloudtrail:LookupEvents (add it, as in iam/readonly.json).',
    );
  });

  it('calls once per distinct resource, spaced by the rate, and leaves blockers no change makes alone', async () => {
    const names: string[] = [];
    lookup((b) => {
      names.push(b.LookupAttributes[0].AttributeValue);
      return true;
    })
      .times(2)
      .reply(200, { Events: [] }, JSON11);
    const c = clock();
    const out = await addHistory(
      client(),
      [
        finding('NO_ROUTE', 'rtb-0aaa1111'),
        finding('ROUTE_BLACKHOLE', 'rtb-0aaa1111'),
        finding('SG_EGRESS_DENIED', 'sg-0aaa1111'),
        finding('PEERING_NOT_TRANSITIVE', 'pcx-0abc1234'),
        finding('NO_INTERFACE_AT_DESTINATION', '10.2.4.95'),
      ],
      c,
    );
    expect(names).toEqual(['rtb-0aaa1111', 'sg-0aaa1111']);
    expect(c.slept).toEqual([500]);
    expect(out.map((f) => f.history === undefined)).toEqual([false, false, false, true, true]);
  });
});
