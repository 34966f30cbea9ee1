/**
 * The reachability engine's entry: traces the request (forward) and the reply (return) hop by hop through the
 * snapshot, reports every blocker on both paths with the narrowest fix, and says "not analyzed" rather than guess.
 * Pure: no I/O, no SDK, no clock, no environment. The walk is in walk.ts, one step per AWS noun in hops/.
 */

import type { Diagnosis, Hop, Query, ResolvedEndpoint, Snapshot } from '../model/index.js';
import { parseIp } from '../net/ip.js';
import { placeEnds } from './endpoints.js';
import { applianceAtEnd } from './hops/instance.js';
import { PARTLY_DENIED_WARNING } from './hops/network-acl.js';
import { Walk, walkReply, walkRequest } from './walk.js';

export { EPHEMERAL } from './flow.js';
export { AWS_CODE } from './recorder.js';

/**
 * Diagnoses one query: traces the request and the reply hop by hop and reports every blocker with its fix.
 * Pure: the same snapshot and query give the same diagnosis (fix ids included); it never throws on a well-formed
 * snapshot; what the model does not cover comes back as `reachable: null` with `notAnalyzed`.
 */
export function diagnose(
  snapshot: Snapshot,
  query: Query,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
): Diagnosis {
  try {
    return trace(snapshot, query, endpoints);
  } catch (e) {
    // A defect must not take a Slack answer or a batch down: it becomes "not analyzed", with the reason.
    return {
      query,
      endpoints,
      reachable: null,
      notAnalyzed: {
        component: 'engine',
        id: 'internal',
        reason: `internal error: ${e instanceof Error ? e.message : String(e)}`,
      },
      forward: [],
      return: [],
      findings: [],
      warnings: [],
      probe: null,
    };
  }
}

function trace(
  snapshot: Snapshot,
  query: Query,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
): Diagnosis {
  const t = new Walk(snapshot, query);
  const result = (forward: Hop[], ret: Hop[]): Diagnosis => ({
    query,
    endpoints,
    reachable: t.rec.findings.length > 0 ? false : t.rec.notAnalyzed ? null : true,
    notAnalyzed: t.rec.notAnalyzed,
    forward,
    return: ret,
    findings: t.rec.findings,
    // What the walk itself warns about (part of an ephemeral range denied) comes first, then the snapshot's warnings.
    warnings: [...t.rec.partlyDenied.map((p) => `${PARTLY_DENIED_WARNING}: ${p.message}`), ...t.rec.warnings(snapshot)],
    probe: null,
    ...(t.rec.partlyDenied.length > 0 ? { partlyDenied: [...t.rec.partlyDenied] } : {}),
  });

  for (const ep of [endpoints.from, endpoints.to]) {
    if (ep.ip && parseIp(ep.ip)?.family === 6) {
      t.rec.stop('query', ep.ip, 'IPv6 paths are not analyzed (IPv4 only for now)');
      return result([], []);
    }
  }
  const ends = placeEnds(t, endpoints);
  if (!ends) return result([], []);
  const fwd = walkRequest(t, ends.source, ends.destination, endpoints);
  const ret = fwd.arrived ? walkReply(t, fwd, fwd.arrived, ends.source) : null;
  // AWS delivering to or from an appliance is not the flow working: its own configuration decides the rest.
  if (t.rec.findings.length === 0) {
    for (const end of [ends.source, ends.destination]) if (end.kind === 'eni') applianceAtEnd(t, end.eni);
  }
  return result(fwd.hops, ret?.hops ?? []);
}
