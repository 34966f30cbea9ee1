/**
 * SSM Run Command and EC2 Instance Connect in the sandbox: the invocation lifecycle, and probe output rendered from
 * the ground truth that the probe developer's own runProbe and parsers read like the real thing.
 */

import { SendSSHPublicKeyCommand } from '@aws-sdk/client-ec2-instance-connect';
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  buildProbeCommand,
  checkInstanceConnect,
  parseProbeOutput,
  runProbe,
  throwawayPublicKey,
} from '../../src/probe/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { awsError, SEED } from './helpers.js';

/** A fake clock that advances when the poller sleeps (no real waiting). */
function fakeTime() {
  let t = Date.parse('2026-11-25T10:00:00Z');
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

function instanceByName(sb: Sandbox, name: string): string {
  const i = sb.state.instances().find((x) => x.Tags?.some((t) => t.Key === 'Name' && t.Value === name));
  if (!i?.InstanceId) throw new Error(`no instance ${name}`);
  return i.InstanceId;
}

/** Marks an instance stopped directly in the state (as if it stopped outside whyping). */
function stopInPlace(sb: Sandbox, id: string): void {
  const inst = sb.state.instances().find((i) => i.InstanceId === id);
  if (inst) inst.State = { Code: 80, Name: 'stopped' };
}

async function probe(
  sb: Sandbox,
  from: string,
  targetIp: string,
  protocol: 'icmp' | 'tcp' | 'udp',
  port: number | null,
) {
  const time = fakeTime();
  return runProbe(
    sb.clients.ssm,
    { instanceId: instanceByName(sb, from) as `i-${string}`, platform: 'linux', targetIp, protocol, port },
    { ...time, logger: silentLogger },
  );
}

describe('sandbox SSM', () => {
  it('lists the managed instances with their agent status', async () => {
    const sb = createSandbox();
    const out = await sb.clients.ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [SEED.instance1] }] }),
    );
    expect(out.InstanceInformationList).toHaveLength(1);
    expect(out.InstanceInformationList?.[0]).toMatchObject({
      InstanceId: SEED.instance1,
      PingStatus: 'Online',
      PlatformType: 'Linux',
      ResourceType: 'EC2Instance',
      IPAddress: '10.1.0.12',
    });
    expect(out.InstanceInformationList?.[0]?.LastPingDateTime).toBeInstanceOf(Date);
    expect(out.$metadata.requestId).toBeTruthy();
  });

  it('takes which instances are managed from the host facts, and shows a stopped one as ConnectionLost', async () => {
    const sb = createSandbox({ hostFacts: { instances: { [SEED.instance2]: { ssm: 'none' } } } });
    const all = await sb.clients.ssm.send(new DescribeInstanceInformationCommand({}));
    expect(all.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([SEED.instance1]);
    stopInPlace(sb, SEED.instance1);
    const lost = await sb.clients.ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] }),
    );
    expect(lost.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([SEED.instance1]);
  });

  it('runs a command: first poll InvocationDoesNotExist, then InProgress, then the terminal state', async () => {
    const sb = createSandbox();
    const ssm = sb.clients.ssm;
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [SEED.instance1],
        Parameters: { commands: ['LC_ALL=C ping -c 3 -W 2 10.2.4.95'] },
        Comment: 'test',
      }),
    );
    const cmd = sent.Command;
    expect(cmd?.CommandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(cmd?.Status).toBe('Pending');
    expect(cmd?.RequestedDateTime).toBeInstanceOf(Date);
    const get = () =>
      ssm.send(new GetCommandInvocationCommand({ CommandId: cmd?.CommandId, InstanceId: SEED.instance1 }));
    const first = await awsError(get);
    expect(first).toBeInstanceOf(InvocationDoesNotExist);
    expect(first.$metadata.httpStatusCode).toBe(400);
    const second = await get();
    expect([second.Status, second.StatusDetails, second.ResponseCode, second.StandardOutputContent]).toEqual([
      'InProgress',
      'InProgress',
      -1,
      '',
    ]);
    const third = await get();
    // Peering pending, no routes, ICMP not allowed: no reply; ping exits 1 and SSM reports Failed.
    expect([third.Status, third.StatusDetails, third.ResponseCode]).toEqual(['Failed', 'Failed', 1]);
    expect(third.StandardOutputContent).toContain('3 packets transmitted, 0 received, 100% packet loss');
    expect(third.ExecutionElapsedTime).toMatch(/^PT\d+\.\d{3}S$/);
    expect(third.PluginName).toBe('aws:runShellScript');
    expect(await get()).toMatchObject({ Status: 'Failed' });
  });

  it('refuses commands to instances that are not Online managed nodes (InvalidInstanceId)', async () => {
    const sb = createSandbox({ hostFacts: { instances: { 'Instance - NextWork VPC 2': { ssm: 'ConnectionLost' } } } });
    const e = await awsError(() =>
      sb.clients.ssm.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: [SEED.instance2],
          Parameters: { commands: ['true'] },
        }),
      ),
    );
    expect(e).toBeInstanceOf(SSMServiceException);
    expect(e.name).toBe('InvalidInstanceId');
    const doc = await awsError(() =>
      sb.clients.ssm.send(
        new SendCommandCommand({
          DocumentName: 'AWS-Nope',
          InstanceIds: [SEED.instance1],
          Parameters: { commands: ['true'] },
        }),
      ),
    );
    expect(doc.name).toBe('InvalidDocument');
  });

  it('cancels a command in progress', async () => {
    const sb = createSandbox();
    const ssm = sb.clients.ssm;
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [SEED.instance1],
        Parameters: { commands: ['ping -c 3 10.2.4.95'] },
      }),
    );
    await ssm.send(new CancelCommandCommand({ CommandId: sent.Command?.CommandId, InstanceIds: [SEED.instance1] }));
    const out = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: SEED.instance1 }),
    );
    expect(out.Status).toBe('Cancelled');
    const unknown = await awsError(() =>
      ssm.send(new CancelCommandCommand({ CommandId: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(unknown.name).toBe('InvalidCommandId');
  });

  it('answers an invocation of an instance the command was not sent to with InvocationDoesNotExist', async () => {
    const sb = createSandbox();
    const sent = await sb.clients.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [SEED.instance1],
        Parameters: { commands: ['ping -c 1 10.2.4.95'] },
      }),
    );
    const e = await awsError(() =>
      sb.clients.ssm.send(
        new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: SEED.instance2 }),
      ),
    );
    expect(e.name).toBe('InvocationDoesNotExist');
  });
});

describe('sandbox probes read by the probe parsers', () => {
  it('renders a successful Linux ping that the iputils parser reads as 3/3', async () => {
    const sb = createSandbox({ scenario: 'transitive-peering' });
    const cmd = buildProbeCommand('linux', '10.20.1.10', 'icmp', null);
    const from = instanceByName(sb, 'app-a');
    const sent = await sb.clients.ssm.send(
      new SendCommandCommand({
        DocumentName: cmd.documentName,
        InstanceIds: [from],
        Parameters: { commands: cmd.commands },
      }),
    );
    const get = () =>
      sb.clients.ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: from }));
    await awsError(get);
    await get();
    const done = await get();
    expect(done.Status).toBe('Success');
    const parsed = parseProbeOutput(done.StandardOutputContent ?? '', done.StandardErrorContent ?? '');
    expect(parsed).toMatchObject({ format: 'iputils', sent: 3, received: 3, lossPct: 0 });
    expect(parsed?.rttMs?.min).toBeGreaterThan(0);
  });

  it('runs the probe developer runProbe end to end: the seed lab ping fails before the fixes', async () => {
    const sb = createSandbox();
    const r = await probe(sb, 'Instance - NextWork VPC 1', '10.2.4.95', 'icmp', null);
    expect(r).toMatchObject({ ran: true, sent: 3, received: 0, lossPct: 100 });
    expect(r.commandId).toBeTruthy();
  });

  it('shows the host firewall: configuration allows ICMP but the host drops it; tcp 8080 is refused, 22 open', async () => {
    const sb = createSandbox({ scenario: 'host-firewall' });
    const ping = await probe(sb, 'bastion', '10.70.2.20', 'icmp', null);
    expect(ping).toMatchObject({ ran: true, received: 0, lossPct: 100 });
    expect((await probe(sb, 'bastion', '10.70.2.20', 'tcp', 8080)).tcp).toBe('refused');
    expect((await probe(sb, 'bastion', '10.70.2.20', 'tcp', 22)).tcp).toBe('open');
  });

  it('times out a TCP probe the network drops (stateless NACL reply) and tells UDP no-reply, port unreachable and reply apart', async () => {
    const sb = createSandbox({ scenario: 'nacl-reply' });
    expect((await probe(sb, 'web-1', '10.50.2.30', 'tcp', 5432)).tcp).toBe('timeout');
    const hf = createSandbox({ scenario: 'host-firewall' });
    // app-1's security group has no UDP rule: the datagram is dropped, nothing comes back.
    expect((await probe(hf, 'bastion', '10.70.2.20', 'udp', 53)).udp).toBe('no-reply');
    // Inside one VPC with the default security group rules, a closed UDP port answers ICMP port unreachable.
    const open = createSandbox({
      scenario: 'host-firewall',
      hostFacts: { instances: { 'app-1': { listeningUdpPorts: [514] } } },
    });
    const app1 = open.state.securityGroupRules.find((r) => !r.IsEgress && r.FromPort === 8080);
    if (app1) Object.assign(app1, { IpProtocol: 'udp', FromPort: 0, ToPort: 65535 });
    expect((await probe(open, 'bastion', '10.70.2.20', 'udp', 53)).udp).toBe('port-unreachable');
    expect((await probe(open, 'bastion', '10.70.2.20', 'udp', 514)).udp).toBe('reply');
  });

  it('pings a host on the internet only when the route to it works', async () => {
    const sb = createSandbox({ scenario: 'blackhole-route' });
    expect((await probe(sb, 'worker-1', '8.8.8.8', 'icmp', null)).received).toBe(0);
  });

  it('skips the probe when the source is not a managed node', async () => {
    const sb = createSandbox({ hostFacts: { instances: { [SEED.instance1]: { ssm: 'none' } } } });
    const r = await probe(sb, 'Instance - NextWork VPC 1', '10.2.4.95', 'icmp', null);
    expect(r.ran).toBe(false);
    expect(r.skipped).toBeTruthy();
    expect(sb.calls.map((c) => c.operation)).toEqual(['DescribeInstanceInformation']);
  });
});

describe('sandbox EC2 Instance Connect', () => {
  it('accepts a key for a running instance with a request id', async () => {
    const sb = createSandbox();
    const out = await sb.clients.eic.send(
      new SendSSHPublicKeyCommand({
        InstanceId: SEED.instance1,
        InstanceOSUser: 'ec2-user',
        SSHPublicKey: throwawayPublicKey(),
      }),
    );
    expect(out.Success).toBe(true);
    expect(out.RequestId).toBe(out.$metadata.requestId);
    expect(sb.state.pushedKeys.map((k) => k.osUser)).toEqual(['ec2-user']);
  });

  it('fails as AWS does for a stopped or missing instance, and through checkInstanceConnect', async () => {
    const sb = createSandbox();
    stopInPlace(sb, SEED.instance2);
    const stopped = await awsError(() =>
      sb.clients.eic.send(
        new SendSSHPublicKeyCommand({
          InstanceId: SEED.instance2,
          InstanceOSUser: 'ec2-user',
          SSHPublicKey: throwawayPublicKey(),
        }),
      ),
    );
    expect(stopped.name).toBe('EC2InstanceStateInvalidException');
    const missing = await awsError(() =>
      sb.clients.eic.send(
        new SendSSHPublicKeyCommand({
          InstanceId: 'i-0000000000000dead',
          InstanceOSUser: 'ec2-user',
          SSHPublicKey: throwawayPublicKey(),
        }),
      ),
    );
    expect(missing.name).toBe('EC2InstanceNotFoundException');
    const check = await checkInstanceConnect(sb.clients.eic, { instanceId: SEED.instance2, osUser: 'ec2-user' });
    expect(check.ok).toBe(false);
    expect(check.message).toContain('not running');
  });

  it('refuses a denied caller with AuthException', async () => {
    const sb = createSandbox({ deny: ['ec2-instance-connect:SendSSHPublicKey'] });
    const e = await awsError(() =>
      sb.clients.eic.send(
        new SendSSHPublicKeyCommand({
          InstanceId: SEED.instance1,
          InstanceOSUser: 'ec2-user',
          SSHPublicKey: throwawayPublicKey(),
        }),
      ),
    );
    expect(e.name).toBe('AuthException');
  });
});

describe('sandbox SSM edge cases', () => {
  it('reports TimedOut when the script outlives the executionTimeout parameter', async () => {
    const sb = createSandbox({ scenario: 'nacl-reply' });
    const from = instanceByName(sb, 'web-1');
    // No `timeout` around /dev/tcp: bash waits for the kernel's connect timeout (about two minutes).
    const sent = await sb.clients.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [from],
        Parameters: { commands: ['bash -c "exec 3<>/dev/tcp/10.50.2.30/5432"'], executionTimeout: ['30'] },
      }),
    );
    const get = () =>
      sb.clients.ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: from }));
    await awsError(get);
    await get();
    expect(await get()).toMatchObject({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut', ResponseCode: -1 });
  });

  it('takes host facts from a HostFacts key shipped with the snapshot files', async () => {
    const base = createSandbox({ scenario: 'host-firewall' });
    const files = [
      ...base.snapshotFiles(),
      { path: 'host-facts.json', data: { HostFacts: { instances: { bastion: { ssm: 'none' } } } } },
    ];
    const sb = createSandbox({ files });
    const info = await sb.clients.ssm.send(new DescribeInstanceInformationCommand({}));
    expect(info.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([instanceByName(sb, 'app-1')]);
  });
});
