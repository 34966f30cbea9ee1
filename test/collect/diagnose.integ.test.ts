/**
 * End to end through a real EC2Client: collect live (nock at the wire), build the snapshot, resolve, diagnose. The
 * scoped collection must give the same answer as the whole account read offline, and the exported snapshot must give
 * the same answer as the live run (round trip).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectForQuery, writeSnapshot } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Diagnosis, Query, RawSnapshotFile } from '../../src/model/index.js';
import { buildSnapshot, readSnapshotFiles, resolveEndpoints } from '../../src/snapshot/index.js';
import { fakeEc2 } from '../support/ec2-wire.js';
import { fakeElbv2, testElbv2 } from '../support/elbv2-wire.js';
import { loadDocs, testEc2 } from '../support/fixtures.js';

const root = new URL('../../', import.meta.url).pathname;
const VPC1 = 'Instance - NextWork VPC 1';
const VPC2 = 'Instance - NextWork VPC 2';
const q = (from: string, to: string, protocol: Query['protocol'] = 'icmp', port: number | null = null): Query => ({
  from,
  to,
  protocol,
  port,
});

/** Diagnoses `query` on a set of describe-* documents. */
function offline(files: RawSnapshotFile[], query: Query): Diagnosis {
  const snapshot = buildSnapshot(files);
  return diagnose(snapshot, query, resolveEndpoints(snapshot, query.from, query.to));
}

/** Collects live through the wire, then diagnoses the collection. */
async function live(docs: Record<string, unknown>[], query: Query, region = 'us-east-1') {
  nock.cleanAll();
  fakeEc2(docs, { region });
  fakeElbv2(docs, { region });
  const { files, stats } = await collectForQuery(testEc2(1, region), query, {
    region,
    logger: silentLogger,
    elb: testElbv2(region),
  });
  return { files, stats, diagnosis: offline(files, query) };
}

/** The parts of an answer that must not depend on where the data came from. */
const verdict = (d: Diagnosis) => ({
  reachable: d.reachable,
  notAnalyzed: d.notAnalyzed,
  endpoints: d.endpoints,
  forward: d.forward,
  return: d.return,
  findings: d.findings,
});

const asFiles = (docs: Record<string, unknown>[], region: string): RawSnapshotFile[] =>
  docs.map((data, i) => ({ path: `fixture-${i}.json`, data, region }));

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('the seed lab, live', () => {
  const seed = loadDocs('src/sandbox/scenarios/seed-lab.json');
  const fixed = loadDocs('test/fixtures/scenarios/seed-lab-fixed/snapshot.json');

  it('explains why instance 1 cannot ping instance 2: the pending peering, the missing routes, the SG', async () => {
    const { diagnosis, stats } = await live(seed, q(VPC1, VPC2));
    expect(diagnosis.reachable).toBe(false);
    const codes = new Set(diagnosis.findings.map((f) => f.code));
    expect(codes).toEqual(new Set(['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']));
    expect(stats.calls).toBeLessThanOrEqual(12);
    expect(stats.rounds).toBeLessThanOrEqual(3);
  });

  it('says the fixed lab is reachable, and Instance Connect reaches instance 1 on port 22', async () => {
    expect((await live(fixed, q(VPC1, VPC2))).diagnosis.reachable).toBe(true);
    expect((await live(fixed, q('eic', VPC1, 'tcp', 22))).diagnosis.reachable).toBe(true);
  });

  it.each([
    ['broken', q(VPC1, VPC2)],
    ['broken', q(VPC2, VPC1)],
    ['broken', q('eic', VPC1, 'tcp', 22)],
    ['broken', q('internet', VPC1, 'tcp', 22)],
    ['broken', q(VPC1, '10.2.4.95')],
    ['fixed', q(VPC1, VPC2)],
    ['fixed', q('eic', VPC1, 'tcp', 22)],
    ['fixed', q('8.8.8.8', '54.163.20.117', 'tcp', 22)],
  ] as const)('the %s lab: %j gets the same answer live as from the whole account', async (lab, query) => {
    const docs = lab === 'broken' ? seed : fixed;
    const whole = offline(asFiles(docs, 'us-east-1'), query);
    expect(verdict((await live(docs, query)).diagnosis)).toEqual(verdict(whole));
  });

  it('gives the same answer from the exported snapshot as live (round trip)', async () => {
    const query = q(VPC1, VPC2);
    const { files, diagnosis } = await live(seed, query);
    const dir = mkdtempSync(join(tmpdir(), 'whyping-rt-'));
    try {
      await writeSnapshot(files, dir);
      const fromDisk = offline(readSnapshotFiles(dir), query);
      expect(verdict(fromDisk)).toEqual(verdict(diagnosis));
      expect(fromDisk.warnings).toEqual(diagnosis.warnings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** What answering gives: the verdict, or the error code (an endpoint that does not resolve). */
async function outcome(run: () => Promise<Diagnosis> | Diagnosis): Promise<unknown> {
  try {
    return verdict(await run());
  } catch (e) {
    return { error: (e as { code?: string }).code ?? String(e) };
  }
}

interface Case {
  label: string;
  dir: string;
  region: string;
  queries: Query[];
}

const corpora = 'test/fixtures/corpora';

/** Lab-validation labs in one account: the measured flows whose ends are both in the region read (or the internet). */
function labCases(): Case[] {
  const labsDir = join(root, corpora, 'lab-validation/snapshots');
  const out: Case[] = [];
  for (const lab of readdirSync(labsDir).sort()) {
    const configs = join(labsDir, lab, 'aws_configs');
    if (readdirSync(configs).includes('accounts')) continue; // several accounts: one fake account cannot serve them
    const observed = loadDocs(join(corpora, 'lab-validation/snapshots', lab, 'observed.json'))[0] as {
      hosts: Record<string, { aws_configs_dir?: string; instance?: string | null }>;
      observations: { src: string; dst: string; probe: string; port?: number }[];
    };
    for (const region of readdirSync(configs).filter((r) => statSync(join(configs, r)).isDirectory())) {
      const inRegion = (ip: string) => ip === '8.8.8.8' || observed.hosts[ip]?.aws_configs_dir === region;
      const seen = new Set<string>();
      const queries: Query[] = [];
      for (const o of observed.observations) {
        if (!inRegion(o.src) || !inRegion(o.dst) || o.src === o.dst) continue;
        const query = o.probe.startsWith('icmp') ? q(o.src, o.dst) : q(o.src, o.dst, 'tcp', o.port ?? 22);
        const key = JSON.stringify(query);
        if (!seen.has(key)) {
          seen.add(key);
          queries.push(query);
        }
      }
      // every third flow keeps the suite fast and still crosses every path of the lab
      const sample = queries.filter((_, i) => i % 3 === 0);
      if (sample.length) out.push({ label: `${lab}/${region}`, dir: join(configs, region), region, queries: sample });
    }
  }
  return out;
}

/** Batfish's whole-network tests (flat layout): every ordered pair of running instances. */
function batfishCases(): Case[] {
  const base = join(root, corpora, 'batfish/representation/aws');
  const out: Case[] = [];
  for (const t of readdirSync(base)
    .filter((d) => d.startsWith('test-'))
    .sort()) {
    const dir = join(base, t, 'aws_configs');
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    if (readdirSync(dir).some((f) => statSync(join(dir, f)).isDirectory())) continue; // not the flat layout
    const docs = loadDocs(join(corpora, 'batfish/representation/aws', t, 'aws_configs'));
    const instances = docs
      .flatMap((d) => (d.Reservations as { Instances: { InstanceId: string; State?: { Name?: string } }[] }[]) ?? [])
      .flatMap((r) => r.Instances)
      .filter((i) => i.State?.Name === 'running');
    const subnets = docs.flatMap((d) => (d.Subnets as { AvailabilityZone?: string }[]) ?? []);
    const region = subnets[0]?.AvailabilityZone?.replace(/[a-z]$/, '') ?? 'us-east-1';
    const queries: Query[] = [];
    for (const a of instances) for (const b of instances) if (a !== b) queries.push(q(a.InstanceId, b.InstanceId));
    if (queries.length) out.push({ label: t, dir, region, queries });
  }
  return out;
}

describe('real networks (corpora): the scoped live collection answers as the whole account does', () => {
  const cases = [...labCases(), ...batfishCases()];

  it('finds cases to check', () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  it.each(cases.map((c) => [c.label, c] as const))(
    '%s',
    async (_label, c) => {
      const files = readSnapshotFiles(c.dir);
      const docs = files.map((f) => f.data as Record<string, unknown>);
      const whole = buildSnapshot(files.map((f) => ({ ...f, region: c.region })));
      const mismatches: unknown[] = [];
      for (const query of c.queries) {
        const expected = await outcome(() => diagnose(whole, query, resolveEndpoints(whole, query.from, query.to)));
        const got = await outcome(async () => (await live(docs, query, c.region)).diagnosis);
        if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push({ query, got, expected });
      }
      expect(mismatches).toEqual([]);
      // A lab runs dozens of full collections in sequence: on a loaded 2-core machine that passes the default 20 s, and a
      // timed-out case that keeps running would clear the next case's nock interceptors (both then fail with AWS_ERROR).
    },
    120_000,
  );
});
