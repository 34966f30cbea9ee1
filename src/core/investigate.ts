/**
 * The diagnose use case: from a query to a Diagnosis, offline (a loaded snapshot) or live (AWS SDK clients, real or
 * sandboxed), with the optional SSM probe. Front ends call this and hand the result to a renderer.
 */
import { diagnose } from '../engine/index.js';
import { asWhypingError, WhypingError } from '../errors.js';
import { probeSkippedText } from '../model/diagnosis.js';
import type {
  Diagnosis,
  InstanceId,
  ProbeResult,
  Query,
  RawSnapshotFile,
  ResolvedEndpoint,
  Snapshot,
} from '../model/index.js';
import { buildSnapshot, type resolveEndpoints } from '../snapshot/index.js';
import type { Deps } from './deps.js';
import { resolveEnds } from './ends.js';
import { withInvestigation } from './log-context.js';
import { parseRequestArgs } from './request.js';
import { withUnread } from './unread.js';

/** Both ends of a question, resolved on a snapshot (what `resolveEnds` answers). */
type Ends = ReturnType<typeof resolveEnds>;

/**
 * Where the network state comes from: a loaded snapshot, or AWS (live or sandbox) through the clients in `deps`. A
 * snapshot source may bring its own `ends` (a batch's memo of `resolveEnds`); without it each question resolves anew.
 */
export type Source =
  | { kind: 'snapshot'; snapshot: Snapshot; ends?: (from: string, to: string) => Ends }
  | { kind: 'live'; deps: Deps };

/** Options of `investigate`. */
export interface InvestigateOptions {
  /** Run the SSM probe from the source instance (live sources only; never when `deps.probesEnabled` is false). */
  probe?: boolean;
  /** Called with a human sentence as each stage starts ("Tracing the request path…"). */
  onStage?: (stage: string) => void;
  /**
   * EC2 Instance Connect questions (`eic` → an instance): also check that the caller may push a key for this OS user
   * (SendSSHPublicKey with a throwaway key). Live sources only.
   */
  instanceConnectUser?: string;
}

/**
 * Collects fresh state for a query through `deps` and diagnoses it (no probe, no Instance Connect check); the fix
 * protocol also needs the snapshot (who owns each object it changes).
 */
export async function diagnoseLive(
  query: Query,
  deps: Deps,
  stage: (s: string) => void = () => {},
): Promise<{
  diagnosis: Diagnosis;
  snapshot: Snapshot;
  endpoints: ReturnType<typeof resolveEndpoints>;
  /** The account the default credentials read (null until the data shows it). */
  homeAccount: string | null;
}> {
  // The AWS SDK is loaded on the first live question only: it costs about a second of startup that offline answers
  // (--snapshot, batches in CI) do not need.
  const { collectForQuery } = await import('../collect/index.js');
  const { files, stats, unread, homeAccount } = await collectForQuery(deps.clients.ec2, query, {
    region: deps.region,
    logger: deps.logger,
    ...(deps.clients.accounts ? { accounts: deps.clients.accounts } : {}),
    ...(deps.clients.elbv2 ? { elb: deps.clients.elbv2 } : {}),
  });
  deps.logger.debug({ calls: stats.calls, rounds: stats.rounds, operations: stats.operations }, 'collected');
  stage(`Reading ${describeCollected(files)}…`);
  const snapshot = buildSnapshot(files);
  const endpoints = resolveEnds(snapshot, query.from, query.to);
  stage('Tracing the request path…');
  const diagnosis = withUnread(await withHints(diagnose(snapshot, query, endpoints)), unread);
  return { diagnosis, snapshot, endpoints, homeAccount };
}

/** Answers one query: resolves both ends, traces both paths, and (when asked and allowed) probes. */
export async function investigate(query: Query, source: Source, opts: InvestigateOptions = {}): Promise<Diagnosis> {
  const stage = opts.onStage ?? (() => {});
  stage(`Resolving ${query.from} and ${query.to}…`);
  if (source.kind === 'snapshot') {
    const endpoints = source.ends
      ? source.ends(query.from, query.to)
      : resolveEnds(source.snapshot, query.from, query.to);
    stage('Tracing the request path…');
    const diagnosis = withInstanceConnect(
      await withHints(diagnose(source.snapshot, query, endpoints)),
      opts.instanceConnectUser,
      'a snapshot has no live instance to push a key to',
    );
    if (!opts.probe) return diagnosis;
    return withProbe(diagnosis, skippedProbe(query, endpoints, 'a snapshot has no live instances to probe'));
  }

  const deps = withInvestigation(source.deps);
  const live = await diagnoseLive(query, deps, stage);
  const { snapshot, endpoints } = live;
  let diagnosis = live.diagnosis;
  if (opts.instanceConnectUser !== undefined) {
    stage('Checking EC2 Instance Connect…');
    diagnosis = await checkKeyPush(deps, snapshot, diagnosis, opts.instanceConnectUser);
  }
  if (!opts.probe) return diagnosis;
  stage(`Probing ${query.from} → ${query.to}…`);
  try {
    const { planProbes, reconcile, runProbes } = await import('../probe/index.js');
    // planProbes skips (with the reason) a source that is not an instance; runProbes sends nothing when probes are off.
    const probe = await runProbes(deps, planProbes(diagnosis, snapshot), {
      snapshot,
      ...(deps.probeDeadlineMs !== undefined ? { deadlineMs: deps.probeDeadlineMs } : {}),
    });
    return reconcile(diagnosis, probe);
  } catch (e) {
    // A probe that cannot run is reported with the answer; it never hides the static verdict (DESIGN §3).
    const err = asWhypingError(e);
    deps.logger.warn({ err: { code: err.code, message: err.message } }, 'probe failed');
    return withProbe(diagnosis, skippedProbe(query, endpoints, `the probe could not run: ${err.message}`));
  }
}

/** Advice that is not a blocker: the EC2 Instance Connect Endpoint hint when EC2 Instance Connect lacks a public IP. */
async function withHints(d: Diagnosis): Promise<Diagnosis> {
  if (!d.findings.some((f) => f.code === 'NO_PUBLIC_IP')) return d;
  const { addInstanceConnectHint } = await import('../probe/instance-connect.js');
  return addInstanceConnectHint(d);
}

/** Records an Instance Connect check that could not run, with the reason (or nothing when none was asked for). */
function withInstanceConnect(d: Diagnosis, osUser: string | undefined, reason: string): Diagnosis {
  if (osUser === undefined) return d;
  const instanceId = d.endpoints.to.instanceId ?? null;
  return { ...d, instanceConnect: { osUser, instanceId, ran: false, ok: null, message: `Not checked: ${reason}.` } };
}

/** Asks EC2 Instance Connect to accept a throwaway key for `osUser` on the destination instance. */
async function checkKeyPush(deps: Deps, snapshot: Snapshot, d: Diagnosis, osUser: string): Promise<Diagnosis> {
  const to = d.endpoints.to;
  if (d.endpoints.from.sourceRange === undefined || !to.instanceId) {
    return withInstanceConnect(d, osUser, 'it applies to EC2 Instance Connect questions (eic → an instance)');
  }
  const { checkInstanceConnect } = await import('../probe/instance-connect.js');
  const availabilityZone = snapshot.instances.get(to.instanceId as InstanceId)?.availabilityZone;
  const r = await checkInstanceConnect(deps.clients.eic, {
    instanceId: to.instanceId,
    osUser,
    ...(availabilityZone ? { availabilityZone } : {}),
  });
  return {
    ...d,
    instanceConnect: {
      osUser,
      instanceId: to.instanceId,
      ran: true,
      ok: r.ok,
      message: r.message,
      ...(r.requestId ? { requestId: r.requestId } : {}),
    },
  };
}

function withProbe(d: Diagnosis, probe: ProbeResult): Diagnosis {
  return { ...d, probe };
}

/** A probe result for a probe that did not run, with the reason. */
export function skippedProbe(
  query: Query,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
  reason: string,
): ProbeResult {
  return {
    ran: false,
    skipped: reason,
    // Named as the probe module names them: what the user called each end.
    from: endpoints.from.name ?? endpoints.from.input,
    to: endpoints.to.name ?? endpoints.to.input,
    protocol: query.protocol,
    port: query.port,
    sent: null,
    received: null,
    lossPct: null,
    rttMs: null,
    tcp: null,
    commandId: null,
    agreesWithVerdict: null,
    explanation: `${probeSkippedText(reason)}.`,
    outcome: 'inconclusive',
  };
}

const COUNTED: [key: string, one: string, many: string][] = [
  ['RouteTables', 'route table', 'route tables'],
  ['SecurityGroups', 'security group', 'security groups'],
  ['NetworkAcls', 'network ACL', 'network ACLs'],
  ['NetworkInterfaces', 'network interface', 'network interfaces'],
  ['VpcPeeringConnections', 'peering connection', 'peering connections'],
  ['TransitGateways', 'transit gateway', 'transit gateways'],
  ['NatGateways', 'NAT gateway', 'NAT gateways'],
];

/** "7 route tables, 4 security groups, 2 network ACLs": what a collection read, for the progress line. */
export function describeCollected(files: RawSnapshotFile[]): string {
  const counts = new Map<string, number>();
  for (const f of files) {
    if (!f.data || typeof f.data !== 'object') continue;
    for (const [key, value] of Object.entries(f.data as Record<string, unknown>)) {
      if (Array.isArray(value)) counts.set(key, (counts.get(key) ?? 0) + value.length);
    }
  }
  const parts = COUNTED.filter(([key]) => (counts.get(key) ?? 0) > 0).map(([key, one, many]) => {
    const n = counts.get(key) ?? 0;
    return `${n} ${n === 1 ? one : many}`;
  });
  return parts.length > 0 ? parts.join(', ') : 'the network state';
}

/** One line of a batch: the query as given, and either a diagnosis or the error it met. */
export type BatchResult = { query: unknown; diagnosis: Diagnosis } | { query: unknown; error: WhypingError };

/**
 * Runs a batch over one loaded snapshot: one JSON query a line (`{"from", "to", "protocol", "port"}`), one result a
 * line, in order. A line that fails (malformed JSON, bad port, unknown endpoint) yields its error and the batch goes on.
 * Blank lines are skipped.
 */
export async function* investigateBatch(
  snapshot: Snapshot,
  lines: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<BatchResult> {
  const source: Source = { kind: 'snapshot', snapshot, ends: endsMemo(snapshot) };
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    let query: unknown = line;
    try {
      query = parseBatchLine(line);
      const parsed = batchQuery(query);
      yield { query, diagnosis: await investigate(parsed, source) };
    } catch (e) {
      yield { query, error: asWhypingError(e) };
    }
  }
}

/**
 * `resolveEnds` on one snapshot, remembered per (from, to): a batch asks about the same few ends again and again (the
 * eight measured labs: 1,342 lines, 12–380 pairs of ends a lab). The answer depends on the snapshot and the two texts
 * only, and nothing downstream changes it, so the same objects (or the same error) are handed out again.
 */
function endsMemo(snapshot: Snapshot): (from: string, to: string) => Ends {
  const memo = new Map<string, Map<string, { ends: Ends } | { error: unknown }>>();
  return (from, to) => {
    let byTo = memo.get(from);
    if (!byTo) {
      byTo = new Map();
      memo.set(from, byTo);
    }
    let r = byTo.get(to);
    if (!r) {
      try {
        r = { ends: resolveEnds(snapshot, from, to) };
      } catch (error) {
        r = { error };
      }
      byTo.set(to, r);
    }
    if ('error' in r) throw r.error;
    return r.ends;
  };
}

function parseBatchLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new WhypingError(
      'BAD_INPUT',
      'This line is not JSON: write one {"from", "to", "protocol", "port"} object a line.',
    );
  }
}

/** Validates one batch query object with the same rules as the CLI arguments. */
export function batchQuery(value: unknown): Query {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new WhypingError('BAD_INPUT', 'Each line must be a JSON object: {"from", "to", "protocol", "port"}.');
  }
  const v = value as Record<string, unknown>;
  for (const key of ['from', 'to'] as const) {
    if (typeof v[key] !== 'string' || (v[key] as string).trim() === '') {
      throw new WhypingError(
        'BAD_INPUT',
        `"${key}" must be a non-empty string (an instance id, Name, ENI, IP or internet).`,
      );
    }
  }
  if (v.protocol !== undefined && v.protocol !== null && typeof v.protocol !== 'string') {
    throw new WhypingError('BAD_INPUT', '"protocol" must be "icmp", "tcp" or "udp".');
  }
  if (v.port !== undefined && v.port !== null && typeof v.port !== 'number' && typeof v.port !== 'string') {
    throw new WhypingError('BAD_INPUT', '"port" must be a number from 1 to 65535, or null for icmp.');
  }
  const flags: { protocol?: string; port?: string } = {};
  if (typeof v.protocol === 'string') flags.protocol = v.protocol;
  if (v.port !== undefined && v.port !== null) flags.port = String(v.port);
  return parseRequestArgs(v.from as string, v.to as string, flags);
}
