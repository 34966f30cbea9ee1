/**
 * runProbe / runProbes through a real SSMClient, with nock answering at the wire (AWS JSON 1.1, X-Amz-Target
 * AmazonSSM.<Op>). The clock is fake: `sleep` advances `now`, nothing really waits.
 */
import { readFileSync } from 'node:fs';
import { SSMClient } from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { PROBES_OFF_REASON, planProbes, runProbe, runProbes } from '../../src/probe/run.js';
import { diagnosisOf, privateWorld } from './world.js';

const HOST = 'https://ssm.us-east-1.amazonaws.com';
const JSON11 = { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'req-1' };
const IID = 'i-0123456789abcdef0';
const DB = 'i-0fedcba9876543210';
const CMD = '1c2b3a4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d';
const CMD2 = '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
const sample = (name: string) => readFileSync(new URL(`../fixtures/probe/${name}`, import.meta.url), 'utf8');

type Body = Record<string, unknown>;
let calls: { op: string; body: Body }[] = [];

/** One interceptor for `op`, recording the parsed JSON body; `match` narrows which requests it answers. */
function ssm(op: string, match: (b: Body) => boolean = () => true) {
  return nock(HOST)
    .post('/', (b: Body) => {
      if (!match(b)) return false;
      calls.push({ op, body: b });
      return true;
    })
    .matchHeader('x-amz-target', `AmazonSSM.${op}`)
    .matchHeader('content-type', 'application/x-amz-json-1.1');
}

function online(instanceId = IID, platformType = 'Linux') {
  return ssm('DescribeInstanceInformation', (b) => JSON.stringify(b).includes(instanceId)).reply(
    200,
    {
      InstanceInformationList: [
        {
          InstanceId: instanceId,
          PingStatus: 'Online',
          LastPingDateTime: 1795596000.5,
          AgentVersion: '3.3.1142.0',
          PlatformType: platformType,
          PlatformName: platformType === 'Linux' ? 'Amazon Linux' : 'Microsoft Windows Server 2022 Datacenter',
          ResourceType: 'EC2Instance',
        },
      ],
    },
    JSON11,
  );
}

function sendCommand(commandId = CMD, instanceId = IID) {
  return ssm('SendCommand', (b) => (b.InstanceIds as string[])[0] === instanceId).reply(
    200,
    {
      Command: {
        CommandId: commandId,
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        RequestedDateTime: 1795596060.123,
        ExpiresAfter: 1795596090.123,
        Status: 'Pending',
        StatusDetails: 'Pending',
        TargetCount: 1,
        CompletedCount: 0,
        ErrorCount: 0,
      },
    },
    JSON11,
  );
}

function invocation(status: string, details: string, stdout = '', extra: Body = {}, commandId = CMD, instanceId = IID) {
  return ssm('GetCommandInvocation', (b) => b.CommandId === commandId && b.InstanceId === instanceId).reply(
    200,
    {
      CommandId: commandId,
      InstanceId: instanceId,
      DocumentName: 'AWS-RunShellScript',
      PluginName: 'aws:runShellScript',
      Status: status,
      StatusDetails: details,
      ResponseCode: status === 'Success' ? 0 : status === 'InProgress' || status === 'Pending' ? -1 : 1,
      ExecutionStartDateTime: '2026-11-25T08:41:00.514Z',
      ExecutionEndDateTime: status === 'InProgress' ? '' : '2026-11-25T08:41:02.527Z',
      ExecutionElapsedTime: status === 'InProgress' ? '' : 'PT2.013S',
      StandardOutputContent: stdout,
      StandardErrorContent: '',
      ...extra,
    },
    JSON11,
  );
}

function notYet(commandId = CMD, instanceId = IID) {
  return ssm('GetCommandInvocation', (b) => b.CommandId === commandId && b.InstanceId === instanceId).reply(
    400,
    { __type: 'InvocationDoesNotExist' },
    JSON11,
  );
}

function fakeClock() {
  let t = Date.parse('2026-11-25T10:00:00Z');
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    elapsed: () => t - Date.parse('2026-11-25T10:00:00Z'),
  };
}

const client = () =>
  new SSMClient({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });

const icmp = { instanceId: IID, platform: 'linux', targetIp: '10.2.4.95', protocol: 'icmp', port: null } as const;

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  calls = [];
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('runProbe over the SSM wire', () => {
  it('waits through InvocationDoesNotExist and InProgress, then reads the Success output', async () => {
    const scopes = [
      online(),
      sendCommand(),
      notYet(),
      invocation('InProgress', 'InProgress'),
      invocation('Success', 'Success', sample('linux-iputils-success.txt')),
    ];
    const clock = fakeClock();
    const r = await runProbe(client(), icmp, { ...clock, logger: silentLogger });
    for (const s of scopes) expect(s.isDone()).toBe(true);
    expect(r).toMatchObject({
      ran: true,
      skipped: null,
      from: IID,
      to: '10.2.4.95',
      sent: 3,
      received: 3,
      lossPct: 0,
      rttMs: { min: 0.431, avg: 0.47, max: 0.512 },
      tcp: null,
      commandId: CMD,
      outcome: 'success',
    });
    expect(r.explanation).toContain('3 of 3 echo replies');
    expect(calls.map((c) => c.op)).toEqual([
      'DescribeInstanceInformation',
      'SendCommand',
      'GetCommandInvocation',
      'GetCommandInvocation',
      'GetCommandInvocation',
    ]);
    expect(calls[0]?.body).toEqual({ Filters: [{ Key: 'InstanceIds', Values: [IID] }] });
    expect(calls[1]?.body).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [IID],
      Parameters: { commands: ['LC_ALL=C ping -c 3 -W 2 10.2.4.95'], executionTimeout: ['30'] },
      TimeoutSeconds: 30,
    });
    expect(calls[2]?.body).toEqual({ CommandId: CMD, InstanceId: IID });
    // Backoff on the fake clock: 0.5 s, 1 s, 2 s.
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('reads the output of a Failed command (ping exits 1 when nothing answers)', async () => {
    online();
    sendCommand();
    invocation('Failed', 'Failed', sample('linux-iputils-no-reply.txt'));
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r).toMatchObject({
      ran: true,
      sent: 3,
      received: 0,
      lossPct: 100,
      rttMs: null,
      outcome: 'failure',
      commandId: CMD,
    });
  });

  it('skips with the reason when the command timed out on the instance', async () => {
    online();
    sendCommand();
    invocation('TimedOut', 'Execution Timed Out');
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r).toMatchObject({ ran: false, commandId: CMD, outcome: 'inconclusive' });
    expect(r.skipped).toMatch(/Execution Timed Out/);
  });

  it('skips when SSM reports the command Undeliverable', async () => {
    online();
    sendCommand();
    notYet();
    invocation('Failed', 'Undeliverable');
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r.ran).toBe(false);
    expect(r.commandId).toBe(CMD);
    expect(r.skipped).toMatch(/could not deliver the command \(Undeliverable\)/);
  });

  it('skips when the agent never picked the command up (Delivery Timed Out)', async () => {
    online();
    sendCommand();
    invocation('TimedOut', 'Delivery Timed Out');
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r.skipped).toMatch(/did not pick up the command in time/);
  });

  it('cancels the command at the deadline and reports a timeout, without waiting for real', async () => {
    online();
    sendCommand();
    notYet();
    const pending = ssm('GetCommandInvocation').reply(
      200,
      { CommandId: CMD, InstanceId: IID, Status: 'InProgress', StatusDetails: 'InProgress', ResponseCode: -1 },
      JSON11,
    );
    pending.persist();
    const cancel = ssm('CancelCommand').reply(200, {}, JSON11);
    const clock = fakeClock();
    const started = Date.now();
    const r = await runProbe(client(), icmp, { ...clock, deadlineMs: 20_000, logger: silentLogger });
    expect(cancel.isDone()).toBe(true);
    expect(calls.find((c) => c.op === 'CancelCommand')?.body).toEqual({ CommandId: CMD, InstanceIds: [IID] });
    expect(r).toMatchObject({ ran: false, commandId: CMD, outcome: 'inconclusive' });
    expect(r.skipped).toMatch(/no result from the SSM Agent within 20 s, so the command was cancelled/);
    expect(clock.elapsed()).toBe(20_000);
    expect(Math.max(...clock.sleeps)).toBe(2000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('skips without sending a command when the instance is not a managed node, naming the path the snapshot lacks', async () => {
    ssm('DescribeInstanceInformation').reply(200, { InstanceInformationList: [] }, JSON11);
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger, snapshot: privateWorld() });
    expect(calls.map((c) => c.op)).toEqual(['DescribeInstanceInformation']);
    expect(r).toMatchObject({ ran: false, commandId: null });
    expect(r.skipped).toContain(`${IID} is not a managed node in Systems Manager`);
    expect(r.skipped).toContain(
      'no path to the SSM endpoints: subnet-0aaa1111bbbb2222c routes 0.0.0.0/0 nowhere (rtb-0a1b2c3d4e5f60718) and vpc-0a1b2c3d4e5f60718 has no ssm endpoints',
    );
    expect(r.skipped).toMatch(/instance profile with AmazonSSMManagedInstanceCore/);
  });

  it('skips when the agent is not Online, with its last ping time', async () => {
    ssm('DescribeInstanceInformation').reply(
      200,
      { InstanceInformationList: [{ InstanceId: IID, PingStatus: 'ConnectionLost', LastPingDateTime: 1795596000 }] },
      JSON11,
    );
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r.skipped).toMatch(/not online \(PingStatus ConnectionLost, last seen 2026-11-25T/);
    expect(calls.map((c) => c.op)).toEqual(['DescribeInstanceInformation']);
  });

  it('sends nothing at all when probes are off', async () => {
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger, enabled: false });
    expect(r).toMatchObject({ ran: false, skipped: PROBES_OFF_REASON, commandId: null });
    expect(calls).toEqual([]);
  });

  it('runs PowerShell on an instance SSM reports as Windows, and reads a TCP open', async () => {
    online(IID, 'Windows');
    sendCommand();
    invocation('Success', 'Success', 'whyping-probe tcp open\r\n');
    const r = await runProbe(
      client(),
      { instanceId: IID, platform: 'linux', targetIp: '10.2.4.95', protocol: 'tcp', port: 3389 },
      { ...fakeClock(), logger: silentLogger },
    );
    expect(calls[1]?.body.DocumentName).toBe('AWS-RunPowerShellScript');
    expect(JSON.stringify(calls[1]?.body.Parameters)).toContain("ConnectAsync('10.2.4.95', 3389)");
    expect(r).toMatchObject({ ran: true, tcp: 'open', outcome: 'success', port: 3389 });
  });

  it('reads a refused TCP connect from the bash check', async () => {
    online();
    sendCommand();
    invocation(
      'Success',
      'Success',
      'whyping-probe tcp error bash: connect: Connection refused\nbash: line 1: /dev/tcp/10.2.4.95/5432: Connection refused\n',
    );
    const r = await runProbe(
      client(),
      { instanceId: IID, platform: 'linux', targetIp: '10.2.4.95', protocol: 'tcp', port: 5432 },
      { ...fakeClock(), logger: silentLogger },
    );
    expect(r).toMatchObject({ ran: true, tcp: 'refused', outcome: 'failure' });
    expect(r.explanation).toMatch(/refused — the host answered with a reset/);
    expect(r.evidence).toContain('Connection refused');
  });

  it('says plainly that UDP silence proves nothing', async () => {
    online();
    sendCommand();
    invocation('Success', 'Success', 'whyping-probe udp no-reply\n');
    const r = await runProbe(
      client(),
      { instanceId: IID, platform: 'linux', targetIp: '10.2.4.95', protocol: 'udp', port: 53 },
      { ...fakeClock(), logger: silentLogger },
    );
    expect(r).toMatchObject({ ran: true, udp: 'no-reply', tcp: null, outcome: 'inconclusive' });
    expect(r.explanation).toMatch(/proves nothing either way/);
  });

  it('skips with the stderr line when the output cannot be read', async () => {
    online();
    sendCommand();
    invocation('Failed', 'Failed', '', { ResponseCode: 127, StandardErrorContent: 'sh: 1: ping: not found\n' });
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r.skipped).toBe(
      'the probe command ended Failed (exit code 127) without output whyping can read: sh: 1: ping: not found',
    );
  });

  it('skips, drawing no network conclusion, when the check itself cannot run on the instance', async () => {
    online();
    sendCommand();
    invocation('Success', 'Success', 'whyping-probe tcp error bash is not installed\n');
    const r = await runProbe(
      client(),
      { instanceId: IID, platform: 'linux', targetIp: '10.2.4.95', protocol: 'tcp', port: 22 },
      { ...fakeClock(), logger: silentLogger },
    );
    expect(r).toMatchObject({ ran: false, commandId: CMD, outcome: 'inconclusive', tcp: null });
    expect(r.skipped).toBe(`the check could not run on ${IID}: bash is not installed`);
  });

  it('turns AccessDenied on SendCommand into a skip that names the permission', async () => {
    online();
    ssm('SendCommand').reply(
      400,
      {
        __type: 'AccessDeniedException',
        Message: `User: arn:aws:iam::111122223333:user/whyping is not authorized to perform: ssm:SendCommand on resource: arn:aws:ec2:us-east-1:111122223333:instance/${IID}`,
      },
      JSON11,
    );
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r.skipped).toBe('AWS denied ssm:SendCommand: grant it to the role whyping runs as (see iam/probe.json)');
  });

  it('explains InvalidInstanceId from SendCommand as an agent that is not registered', async () => {
    online();
    ssm('SendCommand').reply(400, { __type: 'InvalidInstanceId' }, JSON11);
    const r = await runProbe(client(), icmp, { ...fakeClock(), logger: silentLogger });
    expect(r.skipped).toMatch(/InvalidInstanceId.*SSM Agent is not running or not registered/);
  });

  it.each([
    ['10.0.0.1; rm -rf /', 'icmp', null],
    ['$(curl evil.example)', 'icmp', null],
    ['`id`', 'tcp', 22],
    ['10.0.0.1\nreboot', 'tcp', 22],
    ['10.2.4.95', 'tcp', '22 && x'],
    ['10.2.4.95', 'tcp', 0],
    ['10.2.4.95', 'udp', 65536],
    ['10.2.4.95', 'udp', 1.5],
  ])('throws BAD_INPUT before any request for target %j %s port %j', async (ip, protocol, port) => {
    const req = { instanceId: IID, platform: 'linux', targetIp: ip, protocol, port } as never;
    const err = await runProbe(client(), req, { ...fakeClock(), logger: silentLogger }).catch((e: unknown) => e);
    expect(isWhypingError(err, 'BAD_INPUT')).toBe(true);
    expect(calls).toEqual([]);
  });
});

describe('runProbes', () => {
  const deps = (probesEnabled = true) => ({
    clients: { ssm: client() },
    logger: silentLogger,
    probesEnabled,
    ...fakeClock(),
  });

  it('runs the forward and the reverse probe in parallel, each from its own instance', async () => {
    online(IID);
    online(DB);
    sendCommand(CMD, IID);
    sendCommand(CMD2, DB);
    notYet(CMD, IID);
    notYet(CMD2, DB);
    invocation('Success', 'Success', sample('linux-iputils-success.txt'), {}, CMD, IID);
    invocation('Success', 'Success', sample('busybox-success.txt').replaceAll('10.2.4.95', '10.1.0.12'), {}, CMD2, DB);
    const plan = planProbes(diagnosisOf(true), null, { reverse: true });
    const r = await runProbes(deps(), plan);
    expect(r).toMatchObject({ ran: true, from: 'web-1', to: 'db-1 (10.2.4.95)', commandId: CMD, received: 3 });
    expect(r.reverse).toMatchObject({ ran: true, from: 'db-1', to: 'web-1 (10.1.0.12)', commandId: CMD2, received: 3 });
    const sends = calls
      .filter((c) => c.op === 'SendCommand')
      .map((c) => (c.body.Parameters as { commands: string[] }).commands[0]);
    expect(sends.sort()).toEqual(['LC_ALL=C ping -c 3 -W 2 10.1.0.12', 'LC_ALL=C ping -c 3 -W 2 10.2.4.95']);
    // In parallel: both commands were sent before either was polled.
    const ops = calls.map((c) => c.op);
    expect(ops.lastIndexOf('SendCommand')).toBeLessThan(ops.indexOf('GetCommandInvocation'));
  });

  it('makes no SSM call when probes are off, and says so for both directions', async () => {
    const r = await runProbes(deps(false), planProbes(diagnosisOf(true), null, { reverse: true }));
    expect(r.skipped).toBe(PROBES_OFF_REASON);
    expect(r.reverse?.skipped).toBe(PROBES_OFF_REASON);
    expect(calls).toEqual([]);
  });

  it('skips a direction whose source is not an instance', async () => {
    const d = diagnosisOf(true);
    d.endpoints.from = {
      kind: 'internet',
      input: 'eic',
      ip: null,
      sourceRange: { label: 'EC2 Instance Connect (us-east-1)', cidrs: ['18.206.107.24/29'] },
    };
    const r = await runProbes(deps(), planProbes(d, null));
    expect(r.skipped).toBe(
      'a probe runs on the source instance, and the source is EC2 Instance Connect (us-east-1) (an AWS service range, not an instance)',
    );
    expect(calls).toEqual([]);
  });

  it('refuses a hostile reverse target before the forward probe sends anything', async () => {
    const d = diagnosisOf(true);
    d.endpoints.from.ip = '10.1.0.12; reboot';
    const err = await runProbes(deps(), planProbes(d, null, { reverse: true })).catch((e: unknown) => e);
    expect(isWhypingError(err, 'BAD_INPUT')).toBe(true);
    expect(calls).toEqual([]);
  });
});
