/**
 * The processes bench/engine.ts times and counts, one per run: `--child` loads a snapshot folder and times questions,
 * `--load` (the bench's `--load-only`) only loads it, `--floor` reads and JSON.parses the same files alone, `--lookups`
 * counts lookups per question. bench/engine.ts runs this file compiled as `npm run build` compiles src/ (or through
 * tsx with `--source`); `npm run bench` does not run it on its own (bench/run.ts).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSnapshot, snapshotFileList } from '../src/snapshot/index.js';
import { countLookups } from './lookups.js';
import { askClass, type ClassQuery, QUERY_CLASSES } from './synthetic.js';

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

/** One measured run, in the child process: what a user's process does with a snapshot of this size. */
export interface Run {
  /** Wall and CPU (user + system) time of loadSnapshot. */
  loadMs: number;
  loadCpuMs: number;
  firstMs: number;
  classes: Record<string, { median: number; p99: number; reachable: number; warm: number }>;
  peakRssMb: number;
  /** `--load-only`: how many VPCs, security groups and ENIs the load built. */
  loaded?: { vpcs: number; securityGroups: number; enis: number };
}

/** The warm-up: its own snapshot's questions, asked, then the snapshot let go and collected (see `child`). */
function warmUp(warmDir: string, warmup: ClassQuery[]): void {
  const w = loadSnapshot(warmDir);
  for (const q of warmup) askClass(w, q);
}

function child(dir: string, queryFile: string, warmDir: string): void {
  const { queries, warmup } = JSON.parse(readFileSync(queryFile, 'utf8')) as {
    queries: ClassQuery[];
    warmup: ClassQuery[];
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = loadSnapshot(dir);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const ask = (q: ClassQuery) => askClass(s, q);
  const first = queries[0];
  if (first) ask(first);
  const t3 = performance.now();
  // Code warm, data cold: before anything is timed, 1,800 questions of every class on a separate small account let V8
  // compile the engine's code, as it is in a bot that has answered a few questions (without them the first class in
  // QUERY_CLASSES paid for that compiling). They run on a snapshot of their own, with addresses of their own, so the
  // measured account's objects and the parse caches the engine fills at an object's or an address's first use stay
  // untouched at every size: each timed question reads objects no earlier question read (except what earlier questions
  // of its class shared), as a bot's next question on a big account does. The cold code of a process's one question
  // is the "first query" column.
  warmUp(warmDir, warmup);
  // Its garbage collected now (the child runs with --expose-gc), not during the timed questions.
  (globalThis as { gc?: () => void }).gc?.();
  const classes: Run['classes'] = {};
  for (const kind of QUERY_CLASSES) {
    const times: number[] = [];
    let reachable = 0;
    for (const q of queries.filter((x) => x.kind === kind)) {
      const start = performance.now();
      const d = ask(q);
      times.push(performance.now() - start);
      if (d.reachable) reachable++;
    }
    times.sort((a, b) => a - b);
    classes[kind] = { median: percentile(times, 50), p99: percentile(times, 99), reachable, warm: Number.NaN };
  }
  // The same questions asked again, each class's right after each other: what is left when the objects a question
  // reads are already in the CPU's caches, which tells the work a question does from where that work's memory is.
  for (const kind of QUERY_CLASSES) {
    const times: number[] = [];
    for (const q of queries.filter((x) => x.kind === kind)) {
      const start = performance.now();
      ask(q);
      times.push(performance.now() - start);
    }
    const c = classes[kind];
    if (c) c.warm = median(times);
  }
  const run: Run = {
    loadMs: t2 - t0,
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    firstMs: t3 - t2,
    classes,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(run));
}

/**
 * The floor under any loader of JSON text, in a fresh process: read each file of the snapshot and JSON.parse it, and
 * nothing else (no check, no build; each document dropped before the next).
 */
function floorChild(dir: string): void {
  const files = snapshotFileList(dir).map((f) => f.path);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let items = 0;
  for (const f of files) items += Object.keys(JSON.parse(readFileSync(f, 'utf8')) as object).length;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000, items }));
}

/** `--load-only`: the load alone, in a fresh process: wall and CPU time, peak RSS, and what was loaded. */
function loadChild(dir: string): void {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = loadSnapshot(dir);
  const loadMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const run: Run = {
    loadMs,
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    firstMs: Number.NaN,
    classes: {},
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    loaded: { vpcs: s.vpcs.size, securityGroups: s.securityGroups.size, enis: s.networkInterfaces.size },
  };
  process.stdout.write(JSON.stringify(run));
}

/** Lookups per question, counted (bench/lookups.ts), in a process of its own: the timed runs are not wrapped. */
function lookupsChild(dir: string, queryFile: string): void {
  const { queries } = JSON.parse(readFileSync(queryFile, 'utf8')) as { queries: ClassQuery[] };
  process.stdout.write(JSON.stringify(countLookups(loadSnapshot(dir), queries)));
}
// Only when run as a process (bench/engine.ts imports this module for its types and `median`).
// Paths compared with symbolic links resolved: Node resolves them in import.meta.url (a linked node_modules).
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const at = (flag: string) => process.argv.indexOf(flag);
  const a = (i: number) => process.argv[i] ?? '';
  if (at('--child') >= 0) child(a(at('--child') + 1), a(at('--child') + 2), a(at('--child') + 3));
  else if (at('--load') >= 0) loadChild(a(at('--load') + 1));
  else if (at('--floor') >= 0) floorChild(a(at('--floor') + 1));
  else if (at('--lookups') >= 0) lookupsChild(a(at('--lookups') + 1), a(at('--lookups') + 2));
}
