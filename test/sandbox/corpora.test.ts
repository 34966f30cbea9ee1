/**
 * Real AWS snapshots (the lab-validation corpus, test/fixtures/corpora) loaded into the sandbox: the collector reads
 * them through the SDK with every call answered, and what it collects for a measured flow gives the same verdict as
 * the whole snapshot. This checks the sandbox (and the collector) on real-world shapes: deleted peerings, NAT and TGW
 * ENIs, endpoints, several accounts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, readSnapshotFiles, resolveEndpoints } from '../../src/snapshot/index.js';

const LABS = new URL('../fixtures/corpora/lab-validation/snapshots/', import.meta.url);

/** Single-region labs (a sandbox, like an EC2 client, is one region). */
const SINGLE_REGION = [
  'aws_instance_multiple_interface',
  'aws_multi_account_vpc_peering',
  'aws_nlb_targets_instance',
  'aws_tgw_peering',
  'aws_vpc_endpoints',
];

interface Observation {
  src: string;
  dst: string;
  probe: string;
  port?: number;
}

function verdict(files: RawSnapshotFile[], q: Query) {
  const s = buildSnapshot(files);
  const d = diagnose(s, q, resolveEndpoints(s, q.from, q.to));
  return { reachable: d.reachable, findings: d.findings.map((f) => `${f.code} ${f.direction} ${f.resource}`).sort() };
}

describe('lab-validation snapshots in the sandbox', () => {
  for (const lab of SINGLE_REGION) {
    it(`${lab}: the collector's snapshot of measured flows gives the full snapshot's verdict`, async () => {
      const files = readSnapshotFiles(new URL(`${lab}/aws_configs`, LABS).pathname);
      const observed = JSON.parse(readFileSync(new URL(`${lab}/observed.json`, LABS), 'utf8')) as {
        observations: Observation[];
      };
      const flows = observed.observations.filter((o) => o.src !== '8.8.8.8' && o.src !== o.dst).slice(0, 8);
      expect(flows.length).toBeGreaterThan(0);
      for (const o of flows) {
        const q: Query = o.probe.startsWith('icmp')
          ? { from: o.src, to: o.dst, protocol: 'icmp', port: null }
          : { from: o.src, to: o.dst, protocol: 'tcp', port: o.port ?? 22 };
        // One sandbox per account and region, as AWS is: the collector follows the path across them.
        const sb = createSandbox({ files });
        const want = verdict(sb.snapshotFiles(), q);
        // The sandbox's documents mean what the snapshot it loaded means.
        expect(want, `${lab} ${q.from} → ${q.to} round trip`).toEqual(verdict(files, q));
        const got = await collectForQuery(sb.clients.ec2, q, {
          region: sb.region,
          logger: silentLogger,
          elb: sb.clients.elbv2,
          ...(sb.clients.accounts ? { accounts: sb.clients.accounts } : {}),
        });
        expect(
          sb.calls.filter((c) => c.error),
          `${lab} ${q.from} → ${q.to}`,
        ).toEqual([]);
        expect(verdict(got.files, q), `${lab} ${q.from} → ${q.to} ${q.protocol}`).toEqual(want);
      }
    });
  }
});

describe('lab-validation snapshots round-trip through the sandbox', () => {
  const ALL = [...SINGLE_REGION, 'aws_demo', 'aws_tgw_multi_az_intra_region', 'aws_traffic_in_igw_out_ngw'].sort();
  for (const lab of ALL) {
    it(`${lab}: every measured flow gets the same verdict from the sandbox's documents as from the snapshot`, () => {
      const files = readSnapshotFiles(new URL(`${lab}/aws_configs`, LABS).pathname);
      const observed = JSON.parse(readFileSync(new URL(`${lab}/observed.json`, LABS), 'utf8')) as {
        observations: Observation[];
      };
      const original = buildSnapshot(files);
      const sandboxed = buildSnapshot(createSandbox({ files }).snapshotFiles());
      let compared = 0;
      for (const o of observed.observations) {
        const q: Query = o.probe.startsWith('icmp')
          ? { from: o.src, to: o.dst, protocol: 'icmp', port: null }
          : { from: o.src, to: o.dst, protocol: 'tcp', port: o.port ?? 22 };
        const run = (s: typeof original) => {
          try {
            const d = diagnose(s, q, resolveEndpoints(s, q.from, q.to));
            return {
              reachable: d.reachable,
              findings: d.findings.map((f) => `${f.code} ${f.direction} ${f.resource}`).sort(),
            };
          } catch (e) {
            return { error: (e as { code?: string }).code ?? String(e) };
          }
        };
        expect(run(sandboxed), `${lab} ${q.from} → ${q.to} ${q.protocol} ${q.port ?? ''}`).toEqual(run(original));
        compared++;
      }
      expect(compared).toBe(observed.observations.length);
    });
  }
});
