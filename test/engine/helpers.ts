/** Test helpers: ask the engine a question the way the CLI does (resolve both ends, then diagnose). */
import { readFileSync } from 'node:fs';
import { diagnose } from '../../src/engine/index.js';
import type { Diagnosis, Finding, Hop, Protocol, Snapshot } from '../../src/model/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { SnapshotBuilder } from '../support/builder.js';

/** Diagnoses `from` → `to` (names, ids, IPs, `internet`, `eic`) on a snapshot or a builder's world. */
export function ask(
  world: Snapshot | SnapshotBuilder,
  from: string,
  to: string,
  protocol: Protocol = 'icmp',
  port: number | null = null,
): Diagnosis {
  const s = world instanceof SnapshotBuilder ? world.snapshot() : world;
  return diagnose(s, { from, to, protocol, port }, resolveEndpoints(s, from, to));
}

/** Loads a snapshot from one describe-* JSON document. */
export function loadJson(path: string): Snapshot {
  return buildSnapshot([{ path, data: JSON.parse(readFileSync(path, 'utf8')) }]);
}

/** Finding codes with their direction: `NO_ROUTE forward`. */
export function codes(d: Diagnosis): string[] {
  return d.findings.map((f) => `${f.code} ${f.direction}`);
}

/** A hop list as `component:allowed` words, for compact path assertions. */
export function path(hops: Hop[]): string[] {
  return hops.map((h) => `${h.component}${h.direction ? `/${h.direction}` : ''}:${h.allowed ? 'ok' : 'BLOCKED'}`);
}

/** The one finding with this code (fails the test when there is not exactly one). */
export function finding(d: Diagnosis, code: string, direction?: 'forward' | 'return'): Finding {
  const all = d.findings.filter((f) => f.code === code && (!direction || f.direction === direction));
  if (all.length !== 1) throw new Error(`expected one ${code}, got ${JSON.stringify(d.findings.map((f) => f.code))}`);
  return all[0] as Finding;
}
