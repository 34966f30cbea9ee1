/**
 * The engine against every snapshot in test/fixtures/corpora (real pulls: multi-account, multi-region, dead
 * objects, dangling references, VPN, Direct Connect, load balancers, endpoints): for many pairs of interfaces and
 * for internet sources it must answer without an internal error, with well-formed findings and fix plans.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AWS_CODE, diagnose } from '../../src/engine/index.js';
import type { Diagnosis, Protocol, Snapshot } from '../../src/model/index.js';
import { buildSnapshot, readSnapshotFiles, resolveEndpoints } from '../../src/snapshot/index.js';

function configDirs(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === 'aws_configs') out.push(p);
    else out.push(...configDirs(p));
  }
  return out;
}

function wellFormed(d: Diagnosis): string[] {
  const problems: string[] = [];
  if (d.notAnalyzed?.component === 'engine') problems.push(d.notAnalyzed.reason);
  if (d.reachable === false && d.findings.length === 0) problems.push('unreachable without a finding');
  if (d.reachable !== false && d.findings.length > 0) problems.push('findings on a reachable path');
  for (const f of d.findings) {
    if (
      f.awsCode !== AWS_CODE[f.code] &&
      f.code !== 'NO_PUBLIC_IP' &&
      f.code !== 'PRIVATE_DESTINATION_VIA_INTERNET' &&
      f.code !== 'LB_NO_HEALTHY_TARGET'
    ) {
      problems.push(`${f.code} has awsCode ${f.awsCode}`);
    }
    if (f.fix && !/^fix-[0-9a-f]{12}$/.test(f.fix.id)) problems.push(`bad fix id ${f.fix.id}`);
    if (!f.resource) problems.push(`${f.code} names no resource`);
  }
  for (const h of [...d.forward, ...d.return])
    if (!h.id || !h.rule) problems.push(`hop without id/rule: ${JSON.stringify(h)}`);
  return problems;
}

const dirs = configDirs('test/fixtures/corpora');

describe('robustness on every corpus snapshot', () => {
  it('finds the corpus snapshots', () => {
    expect(dirs.length).toBeGreaterThan(20);
  });

  for (const dir of dirs) {
    it(`answers every sampled question on ${dir.replace('test/fixtures/corpora/', '')} without an internal error`, () => {
      let s: Snapshot;
      try {
        s = buildSnapshot(readSnapshotFiles(dir));
      } catch {
        return; // the loader refusing a snapshot is the loader's business (tested in test/snapshot)
      }
      const enis = [...s.networkInterfaces.values()].filter((e) => e.privateIps[0]).slice(0, 25);
      const ends = [...enis.map((e) => e.id as string), 'internet', '8.8.8.8'];
      const problems: string[] = [];
      let asked = 0;
      for (const a of ends) {
        for (const b of ends) {
          if (a === b || (!a.startsWith('eni-') && !b.startsWith('eni-'))) continue;
          for (const [protocol, port] of [
            ['icmp', null],
            ['tcp', 22],
          ] as [Protocol, number | null][]) {
            let endpoints: ReturnType<typeof resolveEndpoints>;
            try {
              endpoints = resolveEndpoints(s, a, b);
            } catch {
              continue;
            }
            const d = diagnose(s, { from: a, to: b, protocol, port }, endpoints);
            asked++;
            problems.push(...wellFormed(d).map((p) => `${a} → ${b} ${protocol}: ${p}`));
          }
        }
      }
      expect(problems.slice(0, 5)).toEqual([]);
      expect(asked).toBeGreaterThanOrEqual(0);
    });
  }
});
