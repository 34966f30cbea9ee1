/**
 * Engine benchmark: `npx tsx bench/engine.ts [--scales 0.1,1] [--runs 3] [--source] [--load-only]` prints markdown.
 * The timed processes run the engine compiled as `npm run build` compiles it (see `childCommand`), or with `--source`
 * through tsx. `--load-only` measures the load and peak RSS alone, and allows sizes above 4× (up to 12×, the synthetic
 * address plan's end; the 10× account needs a parent with a bigger heap: `node --max-old-space-size=12288 --import tsx
 * bench/engine.ts --scales 1,10 --runs 2 --load-only`).
 * - The synthetic account (bench/synthetic.ts; at 1×: 1,000 VPCs, 20,000 security groups × 10 rules, 5,000 route
 *   tables, 2,000 network ACLs, 50,000 ENIs with their instances, peerings between neighbours, a transit gateway)
 *   written as describe-* JSON files, then each size loaded in a fresh process as `--snapshot DIR` does (`loadSnapshot`:
 *   read, parse, validate and gather one file at a time, then normalize and index), wall and CPU time, then (after 1,800
 *   warm-up questions on a separate small account, so the engine's code is compiled as in a bot that has answered a few
 *   while the measured account's objects stay unread) 400 queries
 *   of each class users ask (resolve the endpoints, then `diagnose`): median and p99 per class, and the process's peak
 *   RSS. Each size runs `--runs` times; the table shows the min and the median over runs, and the load average of the
 *   machine (os.loadavg, 1 minute) when the runs started and ended: timing on a busy machine is slower.
 * - Part of the work a question does, counted rather than timed, in one more process per size: lookups in the snapshot's
 *   top-level maps and sets, and the elements walked when one is iterated, per question of each class (lookupsChild).
 *   The same on any machine at any load.
 * - The lab-validation corpus: wall time per lab (load + index once, every observation diagnosed).
 * Targets (issue 16): per-query median of each class at the large size within 1.3× of the small one, < 0.1 ms at
 * 1×; 1× loaded in < 1.2 s.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { corpusDir, runAll } from '../scripts/accuracy.js';
import { esbuildOptions } from '../scripts/build.js';
import { median, type Run } from './engine-child.js';
import type { LookupCounts } from './lookups.js';
import { type Account, QUERY_CLASSES, queriesOf, rng, syntheticAccount } from './synthetic.js';

const PER_CLASS = 400;
/**
 * Warm-up before the measured questions: rounds of this many questions of each class, in turn, on a synthetic account
 * of this size (its own snapshot, dropped afterwards).
 */
const WARMUP_ROUNDS = 10;
const WARMUP_PER_ROUND = 30;
const WARMUP_SCALE = 0.02;
/**
 * The warm-up account's first VPC: the last ones of 10.0.0.0/8 in the synthetic address plan, so it shares no address
 * with a measured account of up to 4× (4,000 VPCs), and the process-wide address caches stay cold for the measured one.
 */
const WARMUP_FIRST_VPC = 4096 - Math.round(1000 * WARMUP_SCALE);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * How the timed children run the engine: as users run it, compiled with the options `npm run build` compiles src/ with
 * (scripts/build.js `esbuildOptions`), or with `--source` through tsx as the bench did before (tsx also wraps every
 * function it creates in a `__name` call, which the built code does not do). The bundle of bench/engine-child.ts goes
 * to a folder of this run's own under node_modules/.cache, so that its package imports resolve; `done` removes it.
 * The children run with Node's default heap limit, whatever the parent's.
 */
async function childCommand(source: boolean): Promise<{ run: string[]; done: () => void }> {
  const entry = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
  if (source) return { run: ['--import', 'tsx', entry], done: () => {} };
  const root = join(dirname(entry), '..');
  const cache = join(root, 'node_modules', '.cache', 'whyping-bench');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'engine-'));
  await build({ ...esbuildOptions(), entryPoints: { 'main/engine-child': entry }, outdir, metafile: false });
  return {
    run: [join(outdir, 'main', 'engine-child.js')],
    done: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** A child's JSON answer, or a clear failure: a child that printed nothing did not run its part. */
function childJson<T>(what: string, r: ReturnType<typeof spawnSync>): T {
  const out = String(r.stdout ?? '');
  if (r.status !== 0 || out.trim() === '')
    throw new Error(
      `bench ${what} failed (exit ${r.status ?? r.signal}, ${out.length} bytes out): ${String(r.stderr ?? '').slice(-2000)}`,
    );
  return JSON.parse(out) as T;
}

interface Measured {
  scale: number;
  counts: Record<string, number>;
  runs: Run[];
  /** Read + JSON.parse alone (floorChild), wall and CPU, one per run. */
  floor: { wallMs: number; cpuMs: number }[];
  /** Lookups in the snapshot's maps and sets, and their elements walked, per question by class (lookupsChild). */
  lookups: LookupCounts;
  /** 1-minute load average before the first run and after the last. */
  load: [number, number];
}

/** Writes an account's describe-* files into `dir`. */
function writeAccount(account: Account, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of account.files) writeFileSync(join(dir, f.path.split('/').pop() ?? 'x.json'), JSON.stringify(f.data));
}

/**
 * The questions of every class on the account, and the warm-up's on a small one of its own, into `root/queries.json`
 * and `root/warmup`. Returns the queries file.
 */
function writeQuestions(account: Account, root: string): string {
  const rand = rng(7);
  const queries = QUERY_CLASSES.flatMap((kind) => queriesOf(account, kind, PER_CLASS, rand));
  const warmAccount = syntheticAccount(WARMUP_SCALE, WARMUP_FIRST_VPC);
  writeAccount(warmAccount, join(root, 'warmup', 'us-east-1'));
  const warmRand = rng(1009);
  const warmup = Array.from({ length: WARMUP_ROUNDS }, (_, i) =>
    QUERY_CLASSES.flatMap((kind) => queriesOf(warmAccount, kind, WARMUP_PER_ROUND, warmRand, i * WARMUP_PER_ROUND)),
  ).flat();
  const queryFile = join(root, 'queries.json');
  writeFileSync(queryFile, JSON.stringify({ queries, warmup }));
  return queryFile;
}

/**
 * Writes the account of this size into `root/snapshot`, and its questions unless `loadOnly`. Returns the account's
 * counts and the queries file; the account itself is not kept (a 10× account's raw JSON is several GB).
 */
function writeFiles(scale: number, root: string, loadOnly: boolean): { counts: Account['counts']; queryFile: string } {
  const account = syntheticAccount(scale);
  writeAccount(account, join(root, 'snapshot', 'us-east-1'));
  return { counts: account.counts, queryFile: loadOnly ? '' : writeQuestions(account, root) };
}

/**
 * The account of this size, written, then its files loaded in fresh processes. With `loadOnly` only the load is
 * measured and no question is asked.
 */
function measure(scale: number, runs: number, run: string[], loadOnly: boolean): Measured {
  if (!loadOnly && Math.round(1000 * scale) > WARMUP_FIRST_VPC)
    throw new Error(`bench: ${scale}× would share addresses with the warm-up account: above 4×, add --load-only`);
  const root = mkdtempSync(join(tmpdir(), 'whyping-bench-'));
  const snapshot = join(root, 'snapshot');
  try {
    const { counts, queryFile } = writeFiles(scale, root, loadOnly);
    const out: Run[] = [];
    const before = loadavg()[0] ?? 0;
    for (let i = 0; i < runs; i++) {
      const args = loadOnly
        ? [...run, '--load', snapshot]
        : ['--expose-gc', ...run, '--child', snapshot, queryFile, join(root, 'warmup')];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      out.push(childJson<Run>(`child at ${scale}×`, r));
    }
    const floor: Measured['floor'] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, [...run, '--floor', snapshot], { encoding: 'utf8' });
      floor.push(childJson<Measured['floor'][number]>(`floor at ${scale}×`, r));
    }
    const after = loadavg()[0] ?? 0;
    const lookups = loadOnly
      ? {}
      : childJson<LookupCounts>(
          `lookups at ${scale}×`,
          spawnSync(process.execPath, [...run, '--lookups', snapshot, queryFile], { encoding: 'utf8' }),
        );
    return { scale, counts, runs: out, floor, lookups, load: [before, after] };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const ms = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)} ms`;

async function main(): Promise<void> {
  const scales = (arg('--scales') ?? '0.1,1').split(',').map(Number);
  const runs = Number(arg('--runs') ?? 3);
  const source = process.argv.includes('--source');
  const loadOnly = process.argv.includes('--load-only');
  const child = await childCommand(source);
  let results: Measured[];
  try {
    results = scales.map((s) => measure(s, runs, child.run, loadOnly));
  } finally {
    child.done();
  }
  const out: string[] = [];
  const flags = `${source ? ' --source' : ''}${loadOnly ? ' --load-only' : ''}`;
  out.push(`## Engine (\`npx tsx bench/engine.ts --scales ${scales.join(',')} --runs ${runs}${flags}\`)`, '');
  out.push(
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Each size in a fresh process, ${runs} runs; min / median over runs. The timed processes run ${source ? 'the sources through tsx (`--source`)' : 'the engine compiled as `npm run build` compiles it (esbuild, one bundle), as users run it'}.`,
    loadOnly
      ? 'Targets (issue 16): 1× loaded in < 1.2 s; peak RSS < 250 MB per 1×, so a 10× account loads in under 2.5 GB. Load:'
      : 'Targets (issue 16): per-class query median at the large size within 1.3× of the small; < 0.1 ms at 1×; 1× loaded in < 1.2 s; peak RSS < 250 MB per 1×. Load:',
    '`loadSnapshot` (read, parse, validate, gather, normalize, index), wall and CPU (user + sys).',
    'Floor: reading the same files and JSON.parse alone, in a fresh process (what any loader of this JSON pays).',
    '',
  );
  out.push(
    '| account | size | load (wall) | load (CPU) | floor: read + JSON.parse (wall) | first query | peak RSS | machine load avg (1 min, before → after) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    const c = r.counts;
    out.push(
      `| ${r.scale}× | ${c.vpcs} VPCs, ${c.securityGroups} SGs (${c.sgRules} rules), ${c.routeTables} route tables, ${c.networkAcls} NACLs, ${c.enis} ENIs, ${c.tgwAttachments} TGW attachments | ${ms(r.runs.map((x) => x.loadMs))} | ${ms(r.runs.map((x) => x.loadCpuMs))} | ${ms(r.floor.map((x) => x.wallMs))} | ${
        loadOnly
          ? 'not asked'
          : ms(
              r.runs.map((x) => x.firstMs),
              1,
            )
      } | ${Math.min(...r.runs.map((x) => x.peakRssMb)).toFixed(0)} / ${median(r.runs.map((x) => x.peakRssMb)).toFixed(0)} MB | ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} |`,
    );
  }
  const small = results[0];
  const large = results[results.length - 1];
  if (small && large && large.scale > small.scale) {
    const rss = (r: Measured) => median(r.runs.map((x) => x.peakRssMb));
    out.push(
      '',
      `Peak RSS per 1× of the account (median peak at ${large.scale}× minus at ${small.scale}×, per 1×): ${((rss(large) - rss(small)) / (large.scale - small.scale)).toFixed(0)} MB.`,
    );
  }
  if (loadOnly) {
    // No questions were asked: what each load built, as a check that it loaded the whole account.
    const built = results.map((r) => {
      const l = r.runs[0]?.loaded;
      return `${r.scale}×: ${l?.vpcs} VPCs, ${l?.securityGroups} SGs, ${l?.enis} ENIs`;
    });
    out.push('', `Loaded (\`--load-only\`: no question asked): ${built.join('; ')}.`);
    console.log(out.join('\n'));
    return;
  }
  out.push(
    '',
    `### Per query (resolve + diagnose), ${PER_CLASS} queries per class after ${WARMUP_ROUNDS * WARMUP_PER_ROUND * QUERY_CLASSES.length} warm-up questions on a separate ${WARMUP_SCALE}× account, median (p99)`,
    '',
  );
  out.push(
    `| class | ${results.map((r) => `${r.scale}× median (p99), min / median over runs`).join(' | ')} | ${large?.scale}× ÷ ${small?.scale}× | reachable |`,
    `| --- | ${results.map(() => '---:').join(' | ')} | ---: | ---: |`,
  );
  for (const kind of QUERY_CLASSES) {
    const cells = results.map((r) => {
      const meds = r.runs.map((x) => x.classes[kind]?.median ?? Number.NaN);
      const p99 = median(r.runs.map((x) => x.classes[kind]?.p99 ?? Number.NaN));
      return `${Math.min(...meds).toFixed(3)} / ${median(meds).toFixed(3)} ms (${p99.toFixed(3)})`;
    });
    const med = (r: typeof small) => median((r?.runs ?? []).map((x) => x.classes[kind]?.median ?? Number.NaN));
    const reach = large?.runs[0]?.classes[kind]?.reachable ?? 0;
    out.push(`| ${kind} | ${cells.join(' | ')} | ${(med(large) / med(small)).toFixed(2)} | ${reach}/${PER_CLASS} |`);
  }
  out.push(
    '',
    `Asked again (each class's ${PER_CLASS} questions a second time, after every class was asked once): median, min / median over runs.`,
    '',
    `| class | ${results.map((r) => `${r.scale}×`).join(' | ')} | ${large?.scale}× ÷ ${small?.scale}× |`,
    `| --- | ${results.map(() => '---:').join(' | ')} | ---: |`,
  );
  for (const kind of QUERY_CLASSES) {
    const warm = (r: typeof small) => (r?.runs ?? []).map((x) => x.classes[kind]?.warm ?? Number.NaN);
    const cells = results.map((r) => `${Math.min(...warm(r)).toFixed(3)} / ${median(warm(r)).toFixed(3)} ms`);
    out.push(`| ${kind} | ${cells.join(' | ')} | ${(median(warm(large)) / median(warm(small))).toFixed(2)} |`);
  }
  out.push(
    '',
    "Lookups per question in the snapshot's top-level maps and sets, and (in brackets) their elements walked, counted (not timed; the same questions, one run; arrays, nested maps and first-use parse caches are not counted).",
    '',
    `| class | ${results.map((r) => `${r.scale}× lookups (walked)`).join(' | ')} | ${large?.scale}× ÷ ${small?.scale}× |`,
    `| --- | ${results.map(() => '---:').join(' | ')} | ---: |`,
  );
  for (const kind of QUERY_CLASSES) {
    const n = (r: typeof small) => r?.lookups[kind]?.lookups ?? Number.NaN;
    const w = (r: typeof small) => r?.lookups[kind]?.walked ?? Number.NaN;
    const cells = results.map((r) => `${n(r).toFixed(1)} (${w(r).toFixed(1)})`);
    out.push(`| ${kind} | ${cells.join(' | ')} | ${(n(large) / n(small)).toFixed(2)} |`);
  }
  const dir = corpusDir();
  if (dir) {
    out.push('', '### Lab-validation corpus (load + index once, then every observation)', '');
    out.push('| lab | flows | load + index | queries | per query |', '| --- | ---: | ---: | ---: | ---: |');
    const t0 = performance.now();
    const labs = runAll(dir);
    const wall = performance.now() - t0;
    for (const r of labs) {
      out.push(
        `| ${r.lab} | ${r.total} | ${r.loadMs.toFixed(0)} ms | ${r.queryMs.toFixed(0)} ms | ${(r.queryMs / r.total).toFixed(3)} ms |`,
      );
    }
    out.push(`| **all** | ${labs.reduce((a, r) => a + r.total, 0)} | | | wall ${wall.toFixed(0)} ms |`);
  }
  console.log(out.join('\n'));
}

await main();
