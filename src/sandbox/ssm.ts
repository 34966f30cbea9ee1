/**
 * SSM Run Command as whyping's probes use it: DescribeInstanceInformation (which instances are managed and Online is a
 * host fact), SendCommand → GetCommandInvocation (first poll `InvocationDoesNotExist`, then `InProgress`, then the
 * terminal state), CancelCommand. A command's output is rendered from the ground truth when it is sent.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from './context.js';
import { type FieldValues, matchesFilters } from './filters.js';
import { paginate } from './pagination.js';
import { runScript } from './shell.js';
import type { CommandInvocationRecord, SandboxState } from './state.js';
import { groundTruth } from './truth.js';

const DOCUMENTS: Record<string, { plugin: string; platform: 'Linux' | 'Windows' }> = {
  'AWS-RunShellScript': { plugin: 'aws:runShellScript', platform: 'Linux' },
  'AWS-RunPowerShellScript': { plugin: 'aws:runPowerShellScript', platform: 'Windows' },
};

/** SSM truncates output in GetCommandInvocation (full text only via S3). */
const STDOUT_LIMIT = 24_000;
const STDERR_LIMIT = 8_000;

/** The agent status of an instance: null when it is not a managed node. */
function pingStatus(s: SandboxState, i: Instance): 'Online' | 'ConnectionLost' | null {
  const fact = s.hostFact(i.InstanceId ?? '').ssm ?? 'Online';
  if (fact === 'none' || i.State?.Name === 'terminated') return null;
  if (i.State?.Name !== 'running') return 'ConnectionLost';
  return fact;
}

function platformOf(i: Instance): 'Linux' | 'Windows' {
  return /windows/i.test(i.Platform ?? '') || /windows/i.test(i.PlatformDetails ?? '') ? 'Windows' : 'Linux';
}

function instanceInformation(s: SandboxState, i: Instance) {
  const status = pingStatus(s, i);
  const facts = s.hostFact(i.InstanceId ?? '');
  const platform = platformOf(i);
  const ip = i.PrivateIpAddress ?? '';
  return {
    InstanceId: i.InstanceId,
    PingStatus: status,
    LastPingDateTime: new Date(s.now().getTime() - (status === 'Online' ? 42_000 : 3_600_000)),
    AgentVersion: '3.3.1142.0',
    IsLatestVersion: false,
    PlatformType: platform,
    PlatformName:
      facts.platformName ?? (platform === 'Windows' ? 'Microsoft Windows Server 2022 Datacenter' : 'Amazon Linux'),
    PlatformVersion: facts.platformVersion ?? (platform === 'Windows' ? '10.0.20348' : '2023'),
    ResourceType: 'EC2Instance',
    IPAddress: ip,
    ComputerName:
      platform === 'Windows'
        ? `EC2AMAZ-${(i.InstanceId ?? '').slice(2, 9).toUpperCase()}`
        : `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
    AssociationStatus: 'Success',
    SourceId: i.InstanceId,
    SourceType: 'AWS::EC2::Instance',
  };
}

const describeInstanceInformation: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const managed = s.instances().filter((i) => pingStatus(s, i) !== null);
  const conditions: { key: string; values: string[] }[] = [
    ...((input.Filters ?? []) as { Key?: string; Values?: string[] }[]).map((f) => ({
      key: f.Key ?? '',
      values: f.Values ?? [],
    })),
    ...((input.InstanceInformationFilterList ?? []) as { key?: string; valueSet?: string[] }[]).map((f) => ({
      key: f.key ?? '',
      values: f.valueSet ?? [],
    })),
  ];
  const known = new Set([
    'InstanceIds',
    'PingStatus',
    'PlatformTypes',
    'ResourceType',
    'AgentVersion',
    'AssociationStatus',
  ]);
  for (const c of conditions) {
    if (!known.has(c.key) && !c.key.startsWith('tag:') && c.key !== 'tag-key') {
      ctx.fail('InvalidInstanceInformationFilterValue', `The filter key ${c.key} is not valid.`);
    }
  }
  const items = managed.map((i) => instanceInformation(s, i));
  const selected = items.filter((info) => {
    const inst = managed.find((i) => i.InstanceId === info.InstanceId);
    const fields: FieldValues = {
      InstanceIds: info.InstanceId,
      PingStatus: info.PingStatus,
      PlatformTypes: info.PlatformType,
      ResourceType: info.ResourceType,
      AgentVersion: info.AgentVersion,
      AssociationStatus: info.AssociationStatus,
    };
    return matchesFilters(
      fields,
      inst?.Tags,
      conditions.map((c) => ({ Name: c.key, Values: c.values })),
    );
  });
  const { page, nextToken } = paginate(selected, input, { min: 5, max: 50 }, 'DescribeInstanceInformation', ctx);
  return { InstanceInformationList: page, ...(nextToken ? { NextToken: nextToken } : {}) };
};

function isoTime(d: Date): string {
  return d.toISOString();
}

function elapsed(ms: number): string {
  return `PT${(ms / 1000).toFixed(3)}S`;
}

const sendCommand: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const docName = input.DocumentName as string | undefined;
  const doc = docName ? DOCUMENTS[docName] : undefined;
  if (!docName || !doc) ctx.fail('InvalidDocument', `Document with name ${docName ?? ''} does not exist.`);
  const ids = (input.InstanceIds as string[] | undefined) ?? [];
  if (ids.length === 0) ctx.fail('InvalidParameters', 'Specify InstanceIds or Targets.');
  const commands = input.Parameters?.commands as string[] | undefined;
  if (!commands || commands.length === 0) ctx.fail('InvalidParameters', 'Parameter "commands" is required.');
  const bad = ids.filter((id) => {
    const inst = s.instances().find((i) => i.InstanceId === id);
    return !inst || pingStatus(s, inst) !== 'Online';
  });
  if (bad.length > 0) {
    ctx.fail('InvalidInstanceId', `Instances [[${bad.join(', ')}]] not in a valid state for account ${s.accountId}`);
  }
  const commandId = s.ids.requestId();
  const now = s.now();
  for (const instanceId of ids) {
    const inst = s.instances().find((i) => i.InstanceId === instanceId) as Instance;
    let result: CommandInvocationRecord['result'];
    if (platformOf(inst) !== doc.platform) {
      result = {
        responseCode: -1,
        stdout: '',
        stderr: `${docName} cannot run on a ${platformOf(inst)} instance.`,
        elapsedMs: 0,
        status: 'Failed',
      };
    } else {
      const run = runScript(
        docName,
        commands,
        (ip, protocol, port) => groundTruth(s, instanceId, ip, protocol, port).outcome,
      );
      // The document's executionTimeout (default 3600 s) stops a script that runs longer: SSM reports TimedOut.
      const limitS = Number(input.Parameters?.executionTimeout?.[0] ?? 3600);
      const timedOut = Number.isFinite(limitS) && run.elapsedMs > limitS * 1000;
      result = timedOut
        ? {
            responseCode: -1,
            stdout: run.stdout.slice(0, STDOUT_LIMIT),
            stderr: '',
            elapsedMs: limitS * 1000,
            status: 'TimedOut',
          }
        : {
            responseCode: run.exitCode,
            stdout: run.stdout.slice(0, STDOUT_LIMIT),
            stderr: run.stderr.slice(0, STDERR_LIMIT),
            elapsedMs: run.elapsedMs,
            status: run.exitCode === 0 ? 'Success' : 'Failed',
          };
    }
    s.commands.set(`${commandId}/${instanceId}`, {
      commandId,
      instanceId,
      documentName: docName,
      commands,
      requestedAt: now,
      polls: 0,
      status: 'Pending',
      result,
      ...(input.Comment ? { comment: input.Comment } : {}),
      ...(input.TimeoutSeconds ? { timeoutSeconds: input.TimeoutSeconds } : {}),
    });
  }
  const timeout = (input.TimeoutSeconds as number | undefined) ?? 3600;
  return {
    Command: {
      CommandId: commandId,
      DocumentName: docName,
      DocumentVersion: '$DEFAULT',
      Comment: input.Comment ?? '',
      ExpiresAfter: new Date(now.getTime() + (timeout + 300) * 1000),
      Parameters: structuredClone(input.Parameters ?? {}),
      InstanceIds: ids,
      Targets: [],
      RequestedDateTime: now,
      Status: 'Pending',
      StatusDetails: 'Pending',
      OutputS3Region: s.region,
      OutputS3BucketName: '',
      OutputS3KeyPrefix: '',
      MaxConcurrency: '50',
      MaxErrors: '0',
      TargetCount: ids.length,
      CompletedCount: 0,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
      ServiceRole: '',
      NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      TimeoutSeconds: timeout,
      AlarmConfiguration: undefined,
      TriggeredAlarms: [],
    },
  };
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function invocation(input: Input, ctx: OpContext): CommandInvocationRecord {
  const commandId = String(input.CommandId ?? '');
  if (!UUID.test(commandId)) ctx.fail('InvalidCommandId');
  const rec = ctx.state.commands.get(`${commandId}/${input.InstanceId}`);
  // The real body has no message (`{"__type":"InvocationDoesNotExist"}`).
  if (!rec) return ctx.fail('InvocationDoesNotExist');
  return rec;
}

const getCommandInvocation: Handler = (input: Input, ctx: OpContext) => {
  const rec = invocation(input, ctx);
  const doc = DOCUMENTS[rec.documentName];
  if (input.PluginName && input.PluginName !== doc?.plugin) ctx.fail('InvalidPluginName');
  rec.polls += 1;
  // Right after SendCommand the invocation does not exist yet (every first poll, in practice).
  if (rec.polls === 1 && rec.status === 'Pending') ctx.fail('InvocationDoesNotExist');
  if (rec.status === 'Pending') rec.status = 'InProgress';
  else if (rec.status === 'InProgress') rec.status = rec.result.status;
  const start = new Date(rec.requestedAt.getTime() + 412);
  const terminal = rec.status !== 'InProgress';
  const cancelled = rec.status === 'Cancelled';
  const base = {
    CommandId: rec.commandId,
    InstanceId: rec.instanceId,
    Comment: rec.comment ?? '',
    DocumentName: rec.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: doc?.plugin ?? '',
    ExecutionStartDateTime: isoTime(start),
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
  if (!terminal || cancelled) {
    return {
      ...base,
      ResponseCode: -1,
      ExecutionElapsedTime: '',
      ExecutionEndDateTime: '',
      Status: rec.status,
      StatusDetails: rec.status,
      StandardOutputContent: '',
      StandardErrorContent: '',
    };
  }
  const invalidPlatform = rec.result.responseCode === -1 && rec.status === 'Failed';
  return {
    ...base,
    ResponseCode: rec.result.responseCode,
    ExecutionElapsedTime: elapsed(rec.result.elapsedMs),
    ExecutionEndDateTime: isoTime(new Date(start.getTime() + rec.result.elapsedMs)),
    Status: rec.status,
    StatusDetails: invalidPlatform ? 'InvalidPlatform' : rec.status === 'TimedOut' ? 'ExecutionTimedOut' : rec.status,
    StandardOutputContent: rec.result.stdout,
    StandardErrorContent: rec.result.stderr,
  };
};

const cancelCommand: Handler = (input: Input, ctx: OpContext) => {
  const commandId = String(input.CommandId ?? '');
  if (!UUID.test(commandId)) ctx.fail('InvalidCommandId');
  const recs = [...ctx.state.commands.values()].filter(
    (r) => r.commandId === commandId && (!input.InstanceIds?.length || input.InstanceIds.includes(r.instanceId)),
  );
  if (recs.length === 0) ctx.fail('InvalidCommandId');
  for (const r of recs) if (r.status === 'Pending' || r.status === 'InProgress') r.status = 'Cancelled';
  return {};
};

/** Every SSM operation the sandbox answers. */
export const ssmHandlers: Record<string, Handler> = {
  DescribeInstanceInformation: describeInstanceInformation,
  SendCommand: sendCommand,
  GetCommandInvocation: getCommandInvocation,
  CancelCommand: cancelCommand,
};
