/**
 * Engine benchmark: `npx tsx bench/engine.ts` prints markdown.
 * - A synthetic account (20,000 security groups × 10 rules, 5,000 route tables, 2,000 network ACLs, 50,000 ENIs
 *   with their instances, peerings between neighbouring VPCs) as raw describe-* JSON: load + index time
 *   (`buildSnapshot`), then per-query median and p99 of `diagnose` at two account sizes (full and a tenth).
 * - The lab-validation corpus: wall time per lab (load + index once, every observation diagnosed).
 * Targets (DESIGN §8): index < 2 s; query < 5 ms median, independent of account size.
 */

import { corpusDir, runAll } from '../scripts/accuracy.js';
import { diagnose } from '../src/engine/index.js';
import type { Protocol, ResolvedEndpoint, Snapshot } from '../src/model/index.js';
import { buildSnapshot } from '../src/snapshot/index.js';
import { type Account, rng, syntheticAccount } from './synthetic.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function endpoint(e: Account['enis'][number]): ResolvedEndpoint {
  return {
    kind: 'instance',
    input: e.instance,
    id: e.instance,
    instanceId: e.instance as `i-${string}`,
    eni: e.eni as `eni-${string}`,
    ip: e.ip,
  };
}

function measure(scale: number): string {
  const account = syntheticAccount(scale);
  // Round-trip through JSON text, as a real snapshot would be read.
  const files = account.files.map((f) => ({ ...f, data: JSON.parse(JSON.stringify(f.data)) as unknown }));
  const t0 = performance.now();
  const snapshot: Snapshot = buildSnapshot(files);
  const t1 = performance.now();
  const rand = rng(7);
  const pick = () => account.enis[Math.floor(rand() * account.enis.length)] as Account['enis'][number];
  // Pairs in the same VPC or a peered neighbour (a real path, hop by hop, both ways), ICMP and TCP.
  const queries: { from: ResolvedEndpoint; to: ResolvedEndpoint; protocol: Protocol; port: number | null }[] = [];
  for (let i = 0; i < 2000; i++) {
    const a = pick();
    const neighbours = account.enis.filter((e) => Math.abs(e.vpc - a.vpc) <= 1 && e.eni !== a.eni);
    const b = neighbours[Math.floor(rand() * neighbours.length)] ?? pick();
    const tcp = i % 2 === 1;
    queries.push({
      from: endpoint(a),
      to: endpoint(b),
      protocol: tcp ? 'tcp' : 'icmp',
      port: tcp ? 1000 + (i % 1000) : null,
    });
  }
  const first = queries[0];
  const tw0 = performance.now();
  if (first)
    diagnose(
      snapshot,
      { from: first.from.input, to: first.to.input, protocol: first.protocol, port: first.port },
      first,
    );
  const tw1 = performance.now();
  const times: number[] = [];
  const verdicts = { true: 0, false: 0, null: 0 };
  for (const q of queries) {
    const s = performance.now();
    const d = diagnose(snapshot, { from: q.from.input, to: q.to.input, protocol: q.protocol, port: q.port }, q);
    times.push(performance.now() - s);
    verdicts[String(d.reachable) as 'true' | 'false' | 'null']++;
  }
  times.sort((x, y) => x - y);
  const c = account.counts;
  return `| ${scale === 1 ? 'full' : `${scale}×`} | ${c.securityGroups} SGs (${c.sgRules} rules), ${c.routeTables} route tables, ${c.networkAcls} NACLs, ${c.enis} ENIs | ${(t1 - t0).toFixed(0)} ms | ${(tw1 - tw0).toFixed(1)} ms | ${percentile(times, 50).toFixed(3)} ms | ${percentile(times, 99).toFixed(3)} ms | ${verdicts.true}/${verdicts.false}/${verdicts.null} |`;
}

function main(): void {
  const out: string[] = [];
  out.push('## Engine (`npx tsx bench/engine.ts`)', '');
  out.push(
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Targets: index < 2 s; query < 5 ms median, independent of size.`,
    '',
  );
  out.push(
    '| account | size | load + index (`buildSnapshot`) | first query (engine lookups) | query median | query p99 | reachable true/false/null (2,000 queries) |',
  );
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  out.push(measure(0.1));
  out.push(measure(1));
  const dir = corpusDir();
  if (dir) {
    out.push('', '### Lab-validation corpus (load + index once, then every observation)', '');
    out.push('| lab | flows | load + index | queries | per query |', '| --- | ---: | ---: | ---: | ---: |');
    const t0 = performance.now();
    const results = runAll(dir);
    const wall = performance.now() - t0;
    for (const r of results) {
      out.push(
        `| ${r.lab} | ${r.total} | ${r.loadMs.toFixed(0)} ms | ${r.queryMs.toFixed(0)} ms | ${(r.queryMs / r.total).toFixed(3)} ms |`,
      );
    }
    out.push(`| **all** | ${results.reduce((a, r) => a + r.total, 0)} | | | wall ${wall.toFixed(0)} ms |`);
  }
  console.log(out.join('\n'));
}

main();
