/**
 * The sandbox's CloudTrail beneath the real CloudTrailClient: it records the writes it answers (caller and parameters),
 * answers LookupEvents from that record with paging and CloudTrail's throttling, carries the seed lab's short history,
 * and the history reader says it all in its own words.
 */
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateRouteCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { addHistory } from '../../src/collect/index.js';
import type { Finding } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const RTB = 'rtb-03e4f5a6b7c8d9e11';
const PCX = 'pcx-0d6e7f8a9b0c1d2e3';

const noRoute: Finding = {
  code: 'NO_ROUTE',
  awsCode: 'NO_ROUTE_TO_DESTINATION',
  direction: 'forward',
  resource: RTB,
  message: 'no route',
  fix: null,
};

/** A clock shared by the sandbox and the history's queue: only the queue's sleeps move it. */
function sharedClock() {
  let t = NOW.getTime();
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

const byRtb = (token?: string, max?: number) =>
  new LookupEventsCommand({
    LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: RTB }],
    ...(token ? { NextToken: token } : {}),
    ...(max ? { MaxResults: max } : {}),
  });

describe('the sandbox CloudTrail', () => {
  it('carries the seed lab’s history: the peering route deleted yesterday by someone else', async () => {
    const clock = sharedClock();
    const sb = createSandbox({ now: clock.now });
    const [f] = await addHistory(sb.clients.cloudtrail, [noRoute], { days: 7, ...clock });
    const first = f?.history?.events[0];
    expect(first).toMatchObject({
      eventName: 'DeleteRoute',
      principal: 'sam (role NetworkAdmin)',
      // DeleteRoute's parameters name no target: the lab's earlier CreateRoute on the same route says where it pointed.
      summary: `removed the route 10.2.0.0/16 (was → ${PCX}) from ${RTB}`,
      byWhyping: false,
    });
    const hoursAgo = (NOW.getTime() - Date.parse(first?.time ?? '')) / 3_600_000;
    expect(hoursAgo).toBeGreaterThan(24);
    expect(hoursAgo).toBeLessThan(48);
  });

  it('records a write it answers with the caller and the parameters, and the history knows it is whyping’s', async () => {
    const clock = sharedClock();
    const sb = createSandbox({ now: clock.now });
    await sb.clients.ec2.send(
      new CreateRouteCommand({ RouteTableId: RTB, DestinationCidrBlock: '10.2.0.0/16', VpcPeeringConnectionId: PCX }),
    );
    const out = await sb.clients.cloudtrail.send(byRtb());
    const record = JSON.parse(out.Events?.[0]?.CloudTrailEvent ?? '{}');
    expect(out.Events?.[0]).toMatchObject({ EventName: 'CreateRoute', EventTime: NOW });
    expect(record.userIdentity).toMatchObject({ type: 'IAMUser', userName: 'whyping-sandbox' });
    expect(record.requestParameters).toEqual({
      routeTableId: RTB,
      destinationCidrBlock: '10.2.0.0/16',
      vpcPeeringConnectionId: PCX,
    });
    const [f] = await addHistory(sb.clients.cloudtrail, [{ ...noRoute, code: 'ROUTE_BLACKHOLE' }], {
      days: 7,
      ...clock,
      intervalMs: 1000,
    });
    expect(f?.history?.events[0]).toMatchObject({
      eventName: 'CreateRoute',
      principal: 'whyping-sandbox (whyping fix)',
      summary: `added the route 10.2.0.0/16 → ${PCX} in ${RTB}`,
      byWhyping: true,
    });
  });

  it('records StopInstances and a change of an interface’s groups in CloudTrail’s shapes (instancesSet, groupSet)', async () => {
    const clock = sharedClock();
    const sb = createSandbox({ now: clock.now });
    const instance = 'i-0a7b3c9d1e5f20311';
    await sb.clients.ec2.send(new StopInstancesCommand({ InstanceIds: [instance] }));
    const enis = await sb.clients.ec2.send(new DescribeNetworkInterfacesCommand({}));
    const eniId = enis.NetworkInterfaces?.[0]?.NetworkInterfaceId as string;
    await sb.clients.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: ['sg-0c4f1e2d3a5b6c711'] }),
    );
    const params = (name: string) => sb.state.trail.find((e) => e.eventName === name)?.requestParameters;
    expect(params('StopInstances')).toEqual({ instancesSet: { items: [{ instanceId: instance }] } });
    expect(params('ModifyNetworkInterfaceAttribute')).toEqual({
      networkInterfaceId: eniId,
      groupSet: { items: [{ groupId: 'sg-0c4f1e2d3a5b6c711' }] },
    });
    const [stopped] = await addHistory(
      sb.clients.cloudtrail,
      [{ ...noRoute, code: 'INSTANCE_NOT_RUNNING', resource: instance }],
      { days: 7, ...clock },
    );
    expect(stopped?.history?.events[0]).toMatchObject({ eventName: 'StopInstances', summary: `stopped ${instance}` });
  });

  it('pages with NextToken, newest first', async () => {
    let t = NOW.getTime();
    const sb = createSandbox({ now: () => new Date(t) });
    const first = await sb.clients.cloudtrail.send(byRtb(undefined, 1));
    expect(first.Events?.map((e) => e.EventName)).toEqual(['DeleteRoute']);
    expect(first.NextToken).toBeDefined();
    t += 1000;
    const second = await sb.clients.cloudtrail.send(byRtb(first.NextToken, 1));
    expect(second.Events?.map((e) => e.EventName)).toEqual(['CreateRoute']);
    expect(second.NextToken).toBeUndefined();
  });

  it('throttles a third LookupEvents call within one second, as CloudTrail does', async () => {
    const sb = createSandbox({ now: () => NOW });
    await sb.clients.cloudtrail.send(byRtb());
    await sb.clients.cloudtrail.send(byRtb());
    await expect(sb.clients.cloudtrail.send(byRtb())).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('the history queue keeps under that limit on the real clock: three resources, no throttling', async () => {
    // Real time here: the limit counts calls as they arrive, and a fake clock jumps ahead of calls still in flight.
    const sb = createSandbox();
    const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const findings = [
      noRoute,
      { ...noRoute, code: 'PEERING_NOT_ACTIVE' as const, resource: PCX },
      { ...noRoute, resource: 'rtb-06f7a8b9c0d1e2f22' },
    ];
    const out = await addHistory(sb.clients.cloudtrail, findings, { days: 7, now: () => new Date(), sleep: realSleep });
    expect(out.map((f) => f.history?.skipped)).toEqual([null, null, null]);
    expect(sb.calls.filter((c) => c.operation === 'LookupEvents')).toHaveLength(3);
  });

  it('refuses LookupEvents when the caller is denied it, and the history says so in one line', async () => {
    const clock = sharedClock();
    const sb = createSandbox({ now: clock.now, deny: ['cloudtrail:LookupEvents'] });
    const [f] = await addHistory(sb.clients.cloudtrail, [noRoute], { days: 7, ...clock });
    expect(f?.history?.skipped).toMatch(/may not call cloudtrail:LookupEvents/);
    expect(sb.calls.at(-1)).toEqual({
      service: 'cloudtrail',
      operation: 'LookupEvents',
      error: 'AccessDeniedException',
    });
  });
});
