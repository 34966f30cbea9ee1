/**
 * SSM Run Command probes: precheck the managed node, send one short command, poll for its result with backoff on the
 * injected clock, parse the output. A probe never fails a diagnosis: anything that stops it becomes a skipped result
 * with the reason in plain words. Only invalid input (not an IP, not a port, not an instance id) throws.
 */
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { Logger } from '../log.js';
import { probeSkippedText } from '../model/diagnosis.js';
import type { Diagnosis, InstanceId, ProbeDirectionResult, ProbeResult, Protocol, Snapshot } from '../model/index.js';
import {
  assertInstanceId,
  buildProbeCommand,
  CONNECT_TIMEOUT_S,
  type ProbePlatform,
  type ProbeTarget,
} from './command.js';
import { type ParsedProbeOutput, parseProbeOutput } from './parse.js';
import { checkSsmPath, unmanagedReason } from './ssm-path.js';

/** What to probe: from which instance, to which address. */
export interface ProbeRequest {
  instanceId: InstanceId;
  platform: ProbePlatform;
  targetIp: string;
  protocol: Protocol;
  port: number | null;
}

export interface ProbeOptions {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Overall budget from SendCommand to result (default 20 s); past it the command is cancelled. */
  deadlineMs?: number;
  logger: Logger;
  /** False (WHYPING_PROBES=off): return a skipped result without calling AWS at all. */
  enabled?: boolean;
  /** When given, a skip because the instance is not managed says what the snapshot shows about its path to SSM. */
  snapshot?: Snapshot;
  /** Display names for `from` / `to` (default: the instance id and the target address). */
  label?: { from?: string; to?: string };
}

export const DEFAULT_DEADLINE_MS = 20_000;
/** SendCommand's delivery timeout (TimeoutSeconds); 30 is the smallest SSM accepts. */
const DELIVERY_TIMEOUT_S = 30;
/** executionTimeout on the instance: the scripts themselves finish in under ten seconds. */
const EXECUTION_TIMEOUT_S = 30;
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 2_000;

const OFF_VALUES = new Set(['off', 'false', '0', 'no', 'disabled']);

/** Reads WHYPING_PROBES: `off` (or false/0/no/disabled) turns probes off; anything else, or unset, leaves them on. */
export function probesEnabledFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  const v = env.WHYPING_PROBES?.trim().toLowerCase();
  return v === undefined || v === '' || !OFF_VALUES.has(v);
}

/** The reason a probe was not run when probes are off. */
export const PROBES_OFF_REASON = 'probes are turned off (WHYPING_PROBES=off): no command was sent to the instance';

const TERMINAL_STATUS = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const TERMINAL_DETAILS = new Set(['Undeliverable', 'Delivery Timed Out', 'Execution Timed Out', 'Terminated']);

function errorName(e: unknown): string {
  return (e as { name?: string } | null)?.name ?? 'Error';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Plain words for an AWS error on `action`, saying what to do next. */
export function awsFailureReason(e: unknown, action: string): string {
  const name = errorName(e);
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
    return `AWS denied ${action}: grant it to the role whyping runs as (see iam/probe.json)`;
  }
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(name)) {
    return `AWS throttled ${action}; try the probe again in a moment`;
  }
  if (/Credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|InvalidSignature/i.test(name)) {
    return `no valid AWS credentials for ${action}: ${errorMessage(e)}`;
  }
  return `${action} failed: ${name}${errorMessage(e) && errorMessage(e) !== name ? `: ${errorMessage(e)}` : ''}`;
}

function baseResult(
  req: ProbeRequest,
  target: ProbeTarget | null,
  opts: Pick<ProbeOptions, 'label'>,
): ProbeDirectionResult {
  return {
    ran: false,
    skipped: null,
    from: opts.label?.from ?? req.instanceId,
    to: opts.label?.to ?? target?.ip ?? String(req.targetIp),
    protocol: target?.protocol ?? req.protocol,
    port: target ? target.port : req.port,
    sent: null,
    received: null,
    lossPct: null,
    rttMs: null,
    tcp: null,
    commandId: null,
    agreesWithVerdict: null,
    explanation: '',
    outcome: 'inconclusive',
  };
}

function skipped(result: ProbeDirectionResult, reason: string): ProbeDirectionResult {
  return { ...result, ran: false, skipped: reason, explanation: probeSkippedText(reason), outcome: 'inconclusive' };
}

/** A skipped result for a probe that could not even be planned (the source is not an instance, …). */
export function skippedProbe(
  from: string,
  to: string,
  protocol: Protocol,
  port: number | null,
  reason: string,
): ProbeDirectionResult {
  return {
    ran: false,
    skipped: reason,
    from,
    to,
    protocol,
    port,
    sent: null,
    received: null,
    lossPct: null,
    rttMs: null,
    tcp: null,
    commandId: null,
    agreesWithVerdict: null,
    explanation: probeSkippedText(reason),
    outcome: 'inconclusive',
  };
}

/** success / failure / inconclusive for a parsed output, per protocol. */
export function outcomeOf(protocol: Protocol, p: ParsedProbeOutput): 'success' | 'failure' | 'inconclusive' {
  if (protocol === 'icmp') {
    if (p.received === null) return 'inconclusive';
    return p.received > 0 ? 'success' : 'failure';
  }
  if (protocol === 'tcp') {
    if (p.tcp === 'open') return 'success';
    if (p.tcp === 'refused' || p.tcp === 'timeout' || p.failure) return 'failure';
    return 'inconclusive';
  }
  if (p.udp === 'reply') return 'success';
  if (p.udp === 'port-unreachable' || p.failure) return 'failure';
  return 'inconclusive';
}

/** One or two sentences saying what was measured, in plain words. */
export function describeMeasurement(from: string, t: ProbeTarget, p: ParsedProbeOutput): string {
  const where = t.port === null ? t.ip : `${t.protocol}/${t.port} on ${t.ip}`;
  if (t.protocol === 'icmp') {
    if (p.sent === null || p.received === null) return `Ping from ${from} to ${t.ip}: no summary in the output.`;
    const rtt = p.rttMs ? ` (round trip min/avg/max ${p.rttMs.min}/${p.rttMs.avg}/${p.rttMs.max} ms)` : '';
    const errs = p.icmpErrors.length
      ? ` Instead, ${p.icmpErrors[0]?.from} answered "${p.icmpErrors[0]?.message}"${p.icmpErrors.length > 1 ? ` (${p.icmpErrors.length} times)` : ''}.`
      : '';
    return `Ping from ${from} to ${t.ip}: ${p.received} of ${p.sent} echo replies, ${p.lossPct}% loss${rtt}.${errs}`;
  }
  if (t.protocol === 'tcp') {
    if (p.tcp === 'open')
      return `TCP connect from ${from} to ${where}: open (connected within ${CONNECT_TIMEOUT_S} s).`;
    if (p.tcp === 'refused') {
      return `TCP connect from ${from} to ${where}: refused — the host answered with a reset, so the packet got there.`;
    }
    if (p.tcp === 'timeout') {
      return `TCP connect from ${from} to ${where}: no answer within ${CONNECT_TIMEOUT_S} s (dropped somewhere on the way or at the host).`;
    }
    return `TCP connect from ${from} to ${where}: ${p.failure ?? 'no result in the output'}.`;
  }
  if (p.udp === 'reply') return `UDP from ${from} to ${where}: a reply came back, so the path works both ways.`;
  if (p.udp === 'port-unreachable') {
    return `UDP from ${from} to ${where}: an ICMP port-unreachable came back — the datagram reached the host, but nothing listens on that port.`;
  }
  if (p.udp === 'no-reply') {
    return (
      `UDP from ${from} to ${where}: no reply within ${CONNECT_TIMEOUT_S} s. For UDP that proves nothing either way: ` +
      'a service that ignores an unexpected datagram, a host firewall that drops it and a security group that drops it ' +
      'all look the same. Only a reply or a port-unreachable would have proved the path.'
    );
  }
  return `UDP from ${from} to ${where}: ${p.failure ?? 'no result in the output'}.`;
}

function fromParsed(result: ProbeDirectionResult, t: ProbeTarget, p: ParsedProbeOutput): ProbeDirectionResult {
  return {
    ...result,
    ran: true,
    skipped: null,
    sent: p.sent,
    received: p.received,
    lossPct: p.lossPct,
    rttMs: p.rttMs,
    tcp: t.protocol === 'tcp' ? p.tcp : null,
    ...(t.protocol === 'udp' ? { udp: p.udp } : {}),
    outcome: outcomeOf(t.protocol, p),
    evidence: p.evidence,
    explanation: describeMeasurement(result.from, t, p),
  };
}

function terminalReason(inv: GetCommandInvocationCommandOutput): string | null {
  const details = inv.StatusDetails ?? '';
  switch (details) {
    case 'Undeliverable':
      return 'SSM could not deliver the command (Undeliverable): the instance is gone, stopped, or no longer a managed node';
    case 'Delivery Timed Out':
      return 'the SSM Agent did not pick up the command in time (Delivery Timed Out): it is offline or cannot reach the SSM endpoints';
    case 'Execution Timed Out':
      return 'the probe command ran out of time on the instance (Execution Timed Out)';
    case 'Terminated':
      return 'the probe command was terminated on the instance (Terminated)';
  }
  if (inv.Status === 'TimedOut') return 'the probe command timed out (TimedOut)';
  if (inv.Status === 'Cancelled') return 'the probe command was cancelled (Cancelled)';
  return null;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split(/\r?\n/)[0]?.slice(0, 200) ?? '';
}

/**
 * Runs one probe on `req.instanceId` towards `req.targetIp`: DescribeInstanceInformation (is it an Online managed
 * node?), SendCommand (AWS-RunShellScript or AWS-RunPowerShellScript), GetCommandInvocation with backoff until a
 * terminal state or the deadline (then CancelCommand). Throws WhypingError BAD_INPUT for an invalid request before any
 * AWS call; every other problem comes back as a skipped result.
 */
export async function runProbe(ssm: SSMClient, req: ProbeRequest, opts: ProbeOptions): Promise<ProbeDirectionResult> {
  assertInstanceId(req.instanceId);
  let command = buildProbeCommand(req.platform, req.targetIp, req.protocol, req.port);
  const target = command.target;
  const result = baseResult(req, target, opts);
  const log = opts.logger.child({
    probe: { instanceId: req.instanceId, target: target.ip, protocol: target.protocol },
  });
  if (opts.enabled === false) return skipped(result, PROBES_OFF_REASON);

  // 1. Is the source a managed node whose agent is online?
  let info: { PingStatus?: string; LastPingDateTime?: Date; PlatformType?: string } | undefined;
  try {
    const out = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [req.instanceId] }] }),
    );
    info = out.InstanceInformationList?.find((i) => i.InstanceId === req.instanceId);
  } catch (e) {
    log.warn({ err: e }, 'DescribeInstanceInformation failed');
    return skipped(result, awsFailureReason(e, 'ssm:DescribeInstanceInformation'));
  }
  if (info?.PingStatus !== 'Online') {
    const path = opts.snapshot ? checkSsmPath(opts.snapshot, req.instanceId) : null;
    const reason = unmanagedReason(
      req.instanceId,
      info ? { pingStatus: info.PingStatus, lastPing: info.LastPingDateTime } : null,
      path,
    );
    return skipped(result, reason);
  }
  // SSM knows the OS for sure; the snapshot's guess (Platform field of DescribeInstances) may be missing.
  const platform: ProbePlatform =
    info.PlatformType === 'Windows'
      ? 'windows'
      : info.PlatformType === 'MacOS'
        ? 'macos'
        : info.PlatformType === 'Linux'
          ? 'linux'
          : req.platform;
  if (platform !== req.platform) command = buildProbeCommand(platform, target.ip, target.protocol, target.port);

  // 2. Send the command.
  let commandId: string | undefined;
  try {
    const out = await ssm.send(
      new SendCommandCommand({
        DocumentName: command.documentName,
        InstanceIds: [req.instanceId],
        Parameters: { commands: command.commands, executionTimeout: [String(EXECUTION_TIMEOUT_S)] },
        TimeoutSeconds: DELIVERY_TIMEOUT_S,
        Comment: `whyping ${target.protocol} probe to ${target.ip}${target.port === null ? '' : ` port ${target.port}`}`,
      }),
    );
    commandId = out.Command?.CommandId;
  } catch (e) {
    log.warn({ err: e }, 'SendCommand failed');
    if (errorName(e) === 'InvalidInstanceId') {
      return skipped(
        result,
        `SSM would not send a command to ${req.instanceId} (InvalidInstanceId): the SSM Agent is not running or not registered, or the instance is not running`,
      );
    }
    return skipped(result, awsFailureReason(e, 'ssm:SendCommand'));
  }
  if (!commandId) return skipped(result, 'SendCommand returned no CommandId');
  const sent = { ...result, commandId };
  log.info({ commandId }, 'probe command sent');

  // 3. Poll until a terminal state or the deadline.
  const deadline = opts.now().getTime() + (opts.deadlineMs ?? DEFAULT_DEADLINE_MS);
  let delay = FIRST_POLL_MS;
  for (;;) {
    const remaining = deadline - opts.now().getTime();
    if (remaining <= 0) break;
    await opts.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, MAX_POLL_MS);
    let inv: GetCommandInvocationCommandOutput;
    try {
      inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: req.instanceId }));
    } catch (e) {
      const name = errorName(e);
      // Right after SendCommand the invocation does not exist yet: that means "not yet", not an error.
      if (name === 'InvocationDoesNotExist' || /Throttl/i.test(name)) continue;
      log.warn({ err: e, commandId }, 'GetCommandInvocation failed');
      return skipped(sent, awsFailureReason(e, 'ssm:GetCommandInvocation'));
    }
    const status = inv.Status ?? '';
    if (!TERMINAL_STATUS.has(status) && !TERMINAL_DETAILS.has(inv.StatusDetails ?? '')) continue;
    const stopped = terminalReason(inv);
    if (stopped) return skipped(sent, stopped);
    // Success or Failed: ping exits 1 when no reply came, which SSM reports as Failed — the output still tells.
    const parsed = parseProbeOutput(inv.StandardOutputContent ?? '', inv.StandardErrorContent ?? '');
    if (parsed?.error) return skipped(sent, `the check could not run on ${req.instanceId}: ${parsed.error}`);
    if (parsed) return fromParsed(sent, target, parsed);
    const err = firstLine(inv.StandardErrorContent) || firstLine(inv.StandardOutputContent);
    return skipped(
      sent,
      `the probe command ended ${status} (exit code ${inv.ResponseCode ?? 'unknown'}) without output whyping can read${err ? `: ${err}` : ''}`,
    );
  }
  try {
    await ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [req.instanceId] }));
  } catch (e) {
    log.warn({ err: e, commandId }, 'CancelCommand failed');
  }
  const seconds = Math.round((opts.deadlineMs ?? DEFAULT_DEADLINE_MS) / 1000);
  return skipped(
    sent,
    `no result from the SSM Agent within ${seconds} s, so the command was cancelled (CommandId ${commandId}); the agent may be slow or busy — try again`,
  );
}

/** A planned direction: a request to run, or the reason there is nothing to run. */
export type PlannedProbe =
  | { request: ProbeRequest; label: { from: string; to: string } }
  | { skip: string; from: string; to: string };

/** Forward (A → B) and, when asked, reverse (B → A). */
export interface ProbePlan {
  forward: PlannedProbe;
  reverse?: PlannedProbe | null;
  protocol: Protocol;
  port: number | null;
}

function planDirection(
  snapshot: Snapshot | null,
  source: Diagnosis['endpoints']['from'],
  dest: Diagnosis['endpoints']['to'],
): PlannedProbe {
  const fromName = source.name ?? source.input;
  const toName = dest.name ?? dest.input;
  const instanceId =
    source.instanceId ?? (source.kind === 'instance' ? (source.id as InstanceId | undefined) : undefined);
  if (!instanceId) {
    const what =
      source.kind === 'internet'
        ? source.sourceRange
          ? `${source.sourceRange.label} (an AWS service range, not an instance)`
          : 'the internet'
        : `${source.input} (not an EC2 instance)`;
    return { skip: `a probe runs on the source instance, and the source is ${what}`, from: fromName, to: toName };
  }
  if (!dest.ip) return { skip: `${toName} has no address to probe`, from: fromName, to: toName };
  const platform = snapshot?.instances.get(instanceId)?.platform ?? 'linux';
  return {
    request: { instanceId, platform, targetIp: dest.ip, protocol: 'icmp', port: null },
    label: { from: fromName, to: dest.ip === toName ? toName : `${toName} (${dest.ip})` },
  };
}

/** Plans the probes for a diagnosis: A runs the check towards B's address (and B towards A's when `reverse`). Pure. */
export function planProbes(
  diagnosis: Diagnosis,
  snapshot: Snapshot | null,
  opts: { reverse?: boolean } = {},
): ProbePlan {
  const { protocol, port } = diagnosis.query;
  const withQuery = (p: PlannedProbe): PlannedProbe =>
    'request' in p ? { ...p, request: { ...p.request, protocol, port: protocol === 'icmp' ? null : port } } : p;
  const { from, to } = diagnosis.endpoints;
  return {
    forward: withQuery(planDirection(snapshot, from, to)),
    reverse: opts.reverse ? withQuery(planDirection(snapshot, to, from)) : null,
    protocol,
    port: protocol === 'icmp' ? null : port,
  };
}

/** What runProbes needs; a core `Deps` fits as it is. */
export interface ProbeDeps {
  clients: { ssm: SSMClient };
  logger: Logger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  probesEnabled: boolean;
}

async function runPlanned(
  deps: ProbeDeps,
  p: PlannedProbe,
  plan: ProbePlan,
  opts: { deadlineMs?: number; snapshot?: Snapshot },
) {
  if ('skip' in p) return skippedProbe(p.from, p.to, plan.protocol, plan.port, p.skip);
  if (!deps.probesEnabled) return skippedProbe(p.label.from, p.label.to, plan.protocol, plan.port, PROBES_OFF_REASON);
  return runProbe(deps.clients.ssm, p.request, {
    now: deps.now,
    sleep: deps.sleep,
    logger: deps.logger,
    enabled: deps.probesEnabled,
    label: p.label,
    ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
    ...(opts.snapshot ? { snapshot: opts.snapshot } : {}),
  });
}

/**
 * Runs the planned probes, both directions in parallel. With `deps.probesEnabled` false no SSM call is made and both
 * results are skipped with that reason. Invalid requests throw BAD_INPUT (before any command is sent).
 */
export async function runProbes(
  deps: ProbeDeps,
  plan: ProbePlan,
  opts: { deadlineMs?: number; snapshot?: Snapshot } = {},
): Promise<ProbeResult> {
  // Validate both directions before either sends anything: a bad reverse must not leave a forward command running.
  for (const p of [plan.forward, plan.reverse]) {
    if (p && 'request' in p) {
      assertInstanceId(p.request.instanceId);
      buildProbeCommand(p.request.platform, p.request.targetIp, p.request.protocol, p.request.port);
    }
  }
  const [forward, reverse] = await Promise.all([
    runPlanned(deps, plan.forward, plan, opts),
    plan.reverse ? runPlanned(deps, plan.reverse, plan, opts) : Promise.resolve(null),
  ]);
  return reverse ? { ...forward, reverse } : forward;
}
