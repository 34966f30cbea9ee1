/**
 * The JSON presenter: the exact contract of `whyping diagnose --json` (DESIGN.md §3). Pure.
 * Every documented key is always present, `null` when it has no value, in the documented order, so consumers can rely
 * on the shape.
 */
import type { WhypingError } from '../errors.js';
import type {
  Diagnosis,
  Finding,
  FindingHistory,
  FixPlan,
  Hop,
  InstanceConnectCheck,
  NotAnalyzed,
  PartlyDeniedPorts,
  ProbeDirectionResult,
  ProbeResult,
  Query,
  ResolvedEndpoint,
} from '../model/index.js';

/** An endpoint in the JSON output. */
export interface JsonEndpoint {
  kind: ResolvedEndpoint['kind'];
  id: string | null;
  ip: string | null;
  eni: string | null;
  name: string | null;
  input: string;
  /** For an AWS service range standing as the source (EC2 Instance Connect). */
  sourceRange?: { label: string; cidrs: string[]; prefixListId: string | null };
}

/** A hop in the JSON output. */
export interface JsonHop {
  component: Hop['component'];
  id: string;
  direction: 'ingress' | 'egress' | null;
  allowed: boolean;
  rule: string;
  detail: string | null;
}

/** A fix in the JSON output. */
export interface JsonFix {
  id: string;
  order: number;
  action: FixPlan['action'];
  params: FixPlan['params'];
  summary: string;
  undo: string;
  reversible: boolean;
  /** What the change exposes (an administration port open to anyone, the ports a new public address exposes). */
  warnings: string[];
}

/** A finding in the JSON output. */
export interface JsonFinding {
  code: Finding['code'];
  awsCode: Finding['awsCode'];
  direction: Finding['direction'];
  resource: string;
  message: string;
  evidence: string | null;
  fix: JsonFix | null;
  /** What changed on `resource` lately (CloudTrail): null unless asked (`--history`). */
  history: JsonHistory | null;
}

/** A finding's history in the JSON output (newest event first). */
export interface JsonHistory {
  window: { days: number; from: string; to: string };
  skipped: string | null;
  events: { eventId: string; eventName: string; time: string; principal: string; summary: string }[];
}

/** The whole `--json` object. */
export interface JsonDiagnosis {
  query: Query;
  endpoints: { from: JsonEndpoint; to: JsonEndpoint };
  reachable: boolean | null;
  notAnalyzed: NotAnalyzed | null;
  forward: JsonHop[];
  return: JsonHop[];
  findings: JsonFinding[];
  warnings: string[];
  probe: JsonProbe | null;
  /** Advice that is not a blocker (always present; empty when none). */
  hints: string[];
  /** Reply paths whose network ACLs deny part of the client's ephemeral ports, not a blocker (always present; empty when none). */
  partlyDenied: PartlyDeniedPorts[];
  /** The EC2 Instance Connect key check (`--os-user`), else null. */
  instanceConnect: InstanceConnectCheck | null;
}

/** One probe direction in the JSON output: the documented fields, then the optional extras when the probe set them. */
export type JsonProbeDirection = Omit<ProbeDirectionResult, 'findings'> & { findings?: JsonFinding[] };
/** The probe in the JSON output. */
export type JsonProbe = JsonProbeDirection & { reverse?: JsonProbeDirection };

/** A batch line that failed: the query as given and the error. */
export interface JsonBatchError {
  query: unknown;
  error: { code: string; message: string };
}

/** Converts a diagnosis to the JSON contract's object. */
export function toJson(d: Diagnosis): JsonDiagnosis {
  return {
    query: { from: d.query.from, to: d.query.to, protocol: d.query.protocol, port: d.query.port },
    endpoints: { from: endpoint(d.endpoints.from), to: endpoint(d.endpoints.to) },
    reachable: d.reachable,
    notAnalyzed: d.notAnalyzed
      ? { component: d.notAnalyzed.component, id: d.notAnalyzed.id, reason: d.notAnalyzed.reason }
      : null,
    forward: d.forward.map(hop),
    return: d.return.map(hop),
    findings: d.findings.map(finding),
    warnings: [...d.warnings],
    probe: d.probe ? probe(d.probe) : null,
    hints: [...(d.hints ?? [])],
    partlyDenied: (d.partlyDenied ?? []).map((p) => ({
      ...p,
      range: { ...p.range },
      denied: p.denied.map((x) => ({ ...x })),
    })),
    instanceConnect: d.instanceConnect ? { ...d.instanceConnect } : null,
  };
}

/** Renders a diagnosis as the `--json` text: indented for a person, or one line (batch). */
export function renderJson(d: Diagnosis, opts: { compact?: boolean } = {}): string {
  return JSON.stringify(toJson(d), null, opts.compact ? undefined : 2);
}

/** The batch error line for a query that failed. */
export function toJsonBatchError(query: unknown, error: Pick<WhypingError, 'code' | 'message'>): JsonBatchError {
  return { query, error: { code: error.code, message: error.message } };
}

function endpoint(e: ResolvedEndpoint): JsonEndpoint {
  const out: JsonEndpoint = {
    kind: e.kind,
    id: e.id ?? null,
    ip: e.ip,
    eni: e.eni ?? null,
    name: e.name ?? null,
    input: e.input,
  };
  if (e.sourceRange) {
    out.sourceRange = {
      label: e.sourceRange.label,
      cidrs: [...e.sourceRange.cidrs],
      prefixListId: e.sourceRange.prefixListId ?? null,
    };
  }
  return out;
}

function hop(h: Hop): JsonHop {
  return {
    component: h.component,
    id: h.id,
    direction: h.direction ?? null,
    allowed: h.allowed,
    rule: h.rule,
    detail: h.detail ?? null,
  };
}

function finding(f: Finding): JsonFinding {
  return {
    code: f.code,
    awsCode: f.awsCode,
    direction: f.direction,
    resource: f.resource,
    message: f.message,
    evidence: f.evidence ?? null,
    fix: f.fix ? fix(f.fix) : null,
    history: f.history ? history(f.history) : null,
  };
}

function history(h: FindingHistory): JsonHistory {
  return {
    window: { days: h.window.days, from: h.window.from, to: h.window.to },
    skipped: h.skipped,
    events: h.events.map((e) => ({
      eventId: e.eventId,
      eventName: e.eventName,
      time: e.time,
      principal: e.principal,
      summary: e.summary,
    })),
  };
}

function fix(p: FixPlan): JsonFix {
  return {
    id: p.id,
    order: p.order,
    action: p.action,
    params: p.params,
    summary: p.summary,
    undo: p.undo,
    reversible: p.reversible,
    warnings: p.warnings ?? [],
  };
}

function probeDirection(p: ProbeDirectionResult): JsonProbeDirection {
  const out: JsonProbeDirection = {
    ran: p.ran,
    skipped: p.skipped,
    from: p.from,
    to: p.to,
    protocol: p.protocol,
    port: p.port,
    sent: p.sent,
    received: p.received,
    lossPct: p.lossPct,
    rttMs: p.rttMs ? { min: p.rttMs.min, avg: p.rttMs.avg, max: p.rttMs.max } : null,
    tcp: p.tcp,
    commandId: p.commandId,
    agreesWithVerdict: p.agreesWithVerdict,
    explanation: p.explanation,
  };
  if (p.outcome !== undefined) out.outcome = p.outcome;
  if (p.udp !== undefined) out.udp = p.udp;
  if (p.evidence !== undefined) out.evidence = p.evidence;
  if (p.findings !== undefined) out.findings = p.findings.map(finding);
  return out;
}

function probe(p: ProbeResult): JsonProbe {
  const out: JsonProbe = probeDirection(p);
  if (p.reverse) out.reverse = probeDirection(p.reverse);
  return out;
}
