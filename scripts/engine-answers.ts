/**
 * The engine's answers over every snapshot of the corpora, as one JSON document on stdout: the measured flows of
 * each lab (observed.json), else every ordered pair of instances (ICMP and TCP 22) and each instance to and from
 * an internet host. Used to prove a refactoring changes no answer: `tsx scripts/engine-answers.ts > before.json`,
 * change, run again, `diff`. Corpora: test/fixtures/corpora, and ../shared/corpora when present. Then a seeded
 * random sample of 10,000 queries over the bench's synthetic account (bench/synthetic.ts, every query class);
 * `--sample N` changes the count, `--scale X` the account size (default 1).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queriesOf as classQueries, QUERY_CLASSES, rng, syntheticAccount } from '../bench/synthetic.js';
import { diagnose } from '../src/engine/index.js';
import type { Protocol, Snapshot } from '../src/model/index.js';
import { buildSnapshot, loadSnapshot, resolveEndpoints } from '../src/snapshot/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function configDirs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === 'aws_configs') out.push(p);
    else configDirs(p, out);
  }
  return out;
}

interface Q {
  from: string;
  to: string;
  protocol: Protocol;
  port: number | null;
}

function queriesOf(lab: string, s: Snapshot): Q[] {
  const observed = join(lab, 'observed.json');
  if (existsSync(observed)) {
    const o = JSON.parse(readFileSync(observed, 'utf8')) as {
      observations: { src: string; dst: string; probe: string; port?: number }[];
    };
    return o.observations.map((x) => {
      const protocol: Protocol = x.probe.startsWith('icmp') ? 'icmp' : 'tcp';
      return { from: x.src, to: x.dst, protocol, port: protocol === 'tcp' ? (x.port ?? null) : null };
    });
  }
  const ids = [...s.instances.keys()].sort().slice(0, 24);
  const out: Q[] = [];
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      out.push({ from: a, to: b, protocol: 'icmp', port: null }, { from: a, to: b, protocol: 'tcp', port: 22 });
    }
    out.push(
      { from: a, to: '8.8.8.8', protocol: 'tcp', port: 443 },
      { from: 'internet', to: a, protocol: 'tcp', port: 22 },
    );
  }
  return out;
}

const roots = [join(ROOT, 'test/fixtures/corpora'), join(ROOT, '../shared/corpora')].filter(existsSync);
const seen = new Set<string>();
const answers: Record<string, unknown[]> = {};
for (const root of roots) {
  for (const dir of configDirs(root)) {
    const lab = dirname(dir);
    const key = relative(root, lab);
    if (seen.has(key)) continue;
    seen.add(key);
    let s: Snapshot;
    try {
      s = loadSnapshot(dir);
    } catch (e) {
      answers[key] = [`load: ${e instanceof Error ? e.message : String(e)}`];
      continue;
    }
    answers[key] = queriesOf(lab, s).map((q) => {
      try {
        return diagnose(s, q, resolveEndpoints(s, q.from, q.to));
      } catch (e) {
        return { query: q, error: e instanceof Error ? e.message : String(e) };
      }
    });
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} takes a number`);
  return v;
}

const sample = flag('--sample', 10_000);
const scale = flag('--scale', 1);
if (sample > 0) {
  const account = syntheticAccount(scale);
  const s = buildSnapshot(account.files.map((f) => ({ ...f, data: JSON.parse(JSON.stringify(f.data)) as unknown })));
  const rand = rng(16);
  const key = `synthetic ×${scale}: ${sample} random queries (seed 16)`;
  answers[key] = [];
  for (let i = 0; i < sample; i++) {
    const kind = QUERY_CLASSES[Math.floor(rand() * QUERY_CLASSES.length)] ?? 'cross-vpc';
    const [q] = classQueries(account, kind, 1, rand, i);
    if (!q) continue;
    const query = { from: q.from, to: q.to, protocol: q.protocol, port: q.port };
    try {
      answers[key].push({ kind, ...diagnose(s, query, resolveEndpoints(s, q.from, q.to)) });
    } catch (e) {
      answers[key].push({ kind, query, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
process.stdout.write(`${JSON.stringify(answers, null, 1)}\n`);
