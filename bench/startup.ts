/**
 * Start-up benchmark: `npx tsx bench/startup.ts` prints markdown. Runs whyping commands as a user does, in a fresh
 * process each time, once from the compiled code (dist/, what bin/whyping.js and the image run) and once from the
 * TypeScript sources through tsx (what a checkout without a current build runs), and reports the median wall time and
 * the median CPU time (user + system) of each. CPU time is the steadier figure on a shared machine: wall time grows
 * with whatever else runs. Builds dist/ first when it is missing or older than the sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { chooseRuntime } from '../bin/build-stamp.js';

const root = resolve(import.meta.dirname, '..');
const RUNS = 9;
const FIXED = join(root, 'test/fixtures/cli/seed-lab-fixed.json');
const VM1 = 'Instance - NextWork VPC 1';
const VM2 = 'Instance - NextWork VPC 2';

/** Reports the child's own CPU time on exit (a data: URL module, so nothing is written to disk). */
const CPU_PROBE = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\n@cpu '+(u.user+u.system)/1000+'\\n')})`;

const CASES: { name: string; args: string[]; input?: string }[] = [
  { name: '`diagnose` with `--snapshot` (no AWS SDK loaded)', args: ['diagnose', VM1, VM2, '--snapshot', FIXED] },
  { name: '`diagnose --sandbox` (AWS SDK clients, in-memory account)', args: ['diagnose', VM1, VM2, '--sandbox'] },
  { name: '`--version` (loads the fix commands)', args: ['--version'] },
  {
    name: '`start`: the shell, to its first answer and `quit`',
    args: ['start'],
    input: `why can't "${VM1}" ping "${VM2}"\nquit\n`,
  },
];

const ENTRIES = {
  built: [join(root, 'dist/main/cli.js')],
  tsx: ['--import', 'tsx', join(root, 'src/main/cli.ts')],
};

const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('SLACK_'))),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_CONFIG_FILE: '/nonexistent',
  WHYPING_SANDBOX: '1',
  NO_COLOR: '1',
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function measure(entry: string[], c: (typeof CASES)[number]): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', CPU_PROBE, ...entry, ...c.args], {
      cwd: root,
      env,
      input: c.input ?? '',
      encoding: 'utf8',
    });
    const wall = performance.now() - t0;
    const cpu = Number(/@cpu ([\d.]+)/.exec(r.stderr)?.[1]);
    if (!Number.isFinite(cpu) || (r.status !== 0 && r.status !== 1)) {
      throw new Error(`${c.name} failed (exit ${r.status}): ${r.stderr.slice(0, 500)}`);
    }
    if (i === 0) continue; // the first run warms the file cache
    walls.push(wall);
    cpus.push(cpu);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

if (chooseRuntime(root).kind !== 'dist') {
  execFileSync(process.execPath, [join(root, 'scripts/build.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const started = Date.now();
const rows: string[] = [];
for (const c of CASES) {
  const built = measure(ENTRIES.built, c);
  const tsx = measure(ENTRIES.tsx, c);
  const f = (ms: number) => `${Math.round(ms)} ms`;
  rows.push(
    `| ${c.name} | ${f(built.wall)} | ${f(tsx.wall)} | ${f(built.cpu)} | ${f(tsx.cpu)} | ${(tsx.cpu / built.cpu).toFixed(1)}× |`,
  );
}
const stampT0 = performance.now();
for (let i = 0; i < 20; i++) chooseRuntime(root);
const stampMs = (performance.now() - stampT0) / 20;

process.stdout.write(`## Start-up: compiled JavaScript vs tsx (\`npx tsx bench/startup.ts\`)

Node ${process.version}. Each command in a fresh process, ${RUNS} runs after one warm-up, medians. "built" runs
dist/main/cli.js (what bin/whyping.js runs when the build is current, and what the image runs); "tsx" runs
src/main/cli.ts through tsx (what bin/whyping.js falls back to when the sources changed since the build).

| command | wall, built | wall, tsx | CPU, built | CPU, tsx | CPU tsx / built |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

bin/whyping.js's own check that dist/ matches the sources (hashing src/): ${stampMs.toFixed(1)} ms a start.

_bench/startup.ts: ${((Date.now() - started) / 1000).toFixed(1)} s_
`);
