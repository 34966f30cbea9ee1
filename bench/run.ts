/**
 * `npm run bench`: runs every standalone bench script in this folder (bench/engine.ts, bench/collect.ts, …) one after
 * another, each in its own process so one does not warm or starve the next, and prints their markdown in order.
 * Exits 1 when any script fails (the others still run).
 */
import '../src/main/sdk-notice.js';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Scripts run first, in this order; any other bench/*.ts follows alphabetically. */
const PREFERRED = ['engine.ts', 'collect.ts', 'startup.ts', 'slack.ts'];
/** Not bench scripts: modules the scripts import (the synthetic account, the lookup counter) and engine.ts's child. */
const LIBRARIES = new Set(['run.ts', 'synthetic.ts', 'lookups.ts', 'engine-child.ts']);

function scripts(): string[] {
  const all = readdirSync(here).filter((f) => f.endsWith('.ts') && !LIBRARIES.has(f) && !f.endsWith('.d.ts'));
  const first = PREFERRED.filter((f) => all.includes(f));
  return [...first, ...all.filter((f) => !first.includes(f)).sort()];
}

const list = scripts();
const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `# whyping benchmarks\n\n${new Date().toISOString()} · Node ${process.version} · ${cpus().length} × ${cpu}\n\n`,
);
if (list.length === 0) process.stdout.write('No bench scripts yet (bench/*.ts).\n');

let failed = 0;
for (const file of list) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], {
    cwd: join(here, '..'),
    encoding: 'utf8',
    env: { ...process.env, WHYPING_LOG_LEVEL: process.env.WHYPING_LOG_LEVEL ?? 'silent' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(r.stdout ?? '');
  if (!(r.stdout ?? '').endsWith('\n')) process.stdout.write('\n');
  if (r.status !== 0) {
    failed++;
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    process.stdout.write(
      `\n> bench/${file} failed (${why}) after ${seconds} s:\n\n\`\`\`\n${(r.stderr ?? '').trim().slice(-2000)}\n\`\`\`\n`,
    );
  } else {
    process.stdout.write(`\n_bench/${file}: ${seconds} s_\n\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
