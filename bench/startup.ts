/**
 * Start-up benchmark: `npx tsx bench/startup.ts` prints markdown. Runs whyping commands as a user does, in a fresh
 * process each time, once from the compiled code (dist/, what bin/whyping.js and the image run) and once from the
 * TypeScript sources through tsx (what a checkout without a current build runs), and reports the median wall time and
 * the median CPU time (user + system) of each. CPU time is the steadier figure on a shared machine: wall time grows
 * with whatever else runs. Builds dist/ first when it is missing or older than the sources. `--bin-only`: only the
 * "Through the bin" table (issue 16's start-up targets).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
const BIN_ONLY = process.argv.includes('--bin-only');
const rows: string[] = [];
for (const c of BIN_ONLY ? [] : CASES) {
  const built = measure(ENTRIES.built, c);
  const tsx = measure(ENTRIES.tsx, c);
  const f = (ms: number) => `${Math.round(ms)} ms`;
  rows.push(
    `| ${c.name} | ${f(built.wall)} | ${f(tsx.wall)} | ${f(built.cpu)} | ${f(tsx.cpu)} | ${(tsx.cpu / built.cpu).toFixed(1)}× |`,
  );
}

/**
 * What users run: the `whyping` bin on the built code, each command in a fresh process. Each run of a row is timed
 * twice: wall time, and the CPU time (user + system) its processes used, which bash's `times` reports for the children
 * of one shell — the steadier figure on a shared machine. The arguments reach node as bash's positional parameters,
 * never as shell text.
 */
const BIN = join(root, 'bin/whyping.js');
const BIN_RUNS = 7;
const hasBash = spawnSync('bash', ['-c', 'times'], { encoding: 'utf8' }).status === 0;
function seconds(bashTime: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(bashTime);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}
function binRun(runs: { args: string[] }[]): { wall: number; cpu: number } {
  let cpu = 0;
  const t0 = performance.now();
  for (const r of runs) {
    const p = hasBash
      ? spawnSync('bash', ['-c', '"$@" >/dev/null; s=$?; times; exit $s', 'bash', process.execPath, BIN, ...r.args], {
          cwd: root,
          env,
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, [BIN, ...r.args], { cwd: root, env, encoding: 'utf8' });
    if (p.status !== 0 && p.status !== 1)
      throw new Error(`whyping ${r.args.join(' ')} failed: ${p.stderr.slice(0, 500)}`);
    // `times` prints the shell's own user/system times, then its children's.
    const children = p.stdout.trim().split('\n').at(-1)?.split(' ') ?? [];
    cpu += seconds(children[0] ?? '') + seconds(children[1] ?? '');
  }
  return { wall: (performance.now() - t0) / 1000, cpu };
}
function minMedian(runs: { args: string[] }[]): string {
  binRun(runs); // warms the file cache
  const all = Array.from({ length: BIN_RUNS }, () => binRun(runs));
  const f = (xs: number[]) => `${Math.min(...xs).toFixed(2)} / ${median(xs).toFixed(2)} s`;
  const cpus = all.map((r) => r.cpu);
  return `${f(all.map((r) => r.wall))} | ${hasBash ? f(cpus) : 'n/a'}`;
}
const loadBefore = loadavg().map((x) => x.toFixed(2));
const binRows = [
  `| \`whyping --help\` | ${minMedian([{ args: ['--help'] }])} |`,
  `| \`whyping diagnose … --snapshot\` (one offline question, seed lab) | ${minMedian([{ args: ['diagnose', VM1, VM2, '--snapshot', FIXED] }])} |`,
];
const labsDir = [
  join(root, '../shared/corpora/lab-validation/snapshots'),
  join(root, 'test/fixtures/corpora/lab-validation/snapshots'),
].find((d) => existsSync(d));
let labFlows = 0;
if (labsDir) {
  const tmp = mkdtempSync(join(tmpdir(), 'whyping-labs-'));
  try {
    const runs = readdirSync(labsDir)
      .filter((lab) => existsSync(join(labsDir, lab, 'observed.json')))
      .sort()
      .map((lab) => {
        const o = JSON.parse(readFileSync(join(labsDir, lab, 'observed.json'), 'utf8')) as {
          observations: { src: string; dst: string; probe: string; port?: number }[];
        };
        labFlows += o.observations.length;
        const lines = o.observations.map((x) => {
          const tcp = !x.probe.startsWith('icmp');
          return JSON.stringify({
            from: x.src,
            to: x.dst,
            protocol: tcp ? 'tcp' : 'icmp',
            port: tcp ? (x.port ?? null) : null,
          });
        });
        const file = join(tmp, `${lab}.jsonl`);
        writeFileSync(file, `${lines.join('\n')}\n`);
        return { args: ['diagnose', '--snapshot', join(labsDir, lab, 'aws_configs'), '--batch', file, '--json'] };
      });
    binRows.push(
      `| the ${runs.length} measured labs' ${labFlows} flows, \`diagnose --batch\`, one process per lab | ${minMedian(runs)} |`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const stampT0 = performance.now();
for (let i = 0; i < 20; i++) chooseRuntime(root);
const stampMs = (performance.now() - stampT0) / 20;

const table = `## Start-up: compiled JavaScript vs tsx (\`npx tsx bench/startup.ts\`)

Node ${process.version}. Each command in a fresh process, ${RUNS} runs after one warm-up, medians. "built" runs
dist/main/cli.js (what bin/whyping.js runs when the build is current, and what the image runs); "tsx" runs
src/main/cli.ts through tsx (what bin/whyping.js falls back to when the sources changed since the build).

| command | wall, built | wall, tsx | CPU, built | CPU, tsx | CPU tsx / built |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

bin/whyping.js's own check that dist/ matches the sources (hashing src/): ${stampMs.toFixed(1)} ms a start.

`;
process.stdout.write(`${BIN_ONLY ? '' : table}### Through the bin (\`node bin/whyping.js\`, built code), ${BIN_RUNS} runs after one warm-up: min / median

Node ${process.version}${env.NODE_EXTRA_CA_CERTS ? ', with an extra CA bundle (NODE_EXTRA_CA_CERTS; Node 20 reads it at every start, Node 22 and 24 do not)' : ', no extra CA bundle'}.
Targets (issue 16): one offline question < 0.3 s; the eight labs' 1,342 flows < 2.5 s. CPU is user + system of the
whyping processes (bash's \`times\`). Load average (1, 5, 15 min) before: ${loadBefore.join(', ')}; after:
${loadavg()
  .map((x) => x.toFixed(2))
  .join(', ')}.

| command | wall | CPU |
| --- | ---: | ---: |
${binRows.join('\n')}

_bench/startup.ts: ${((Date.now() - started) / 1000).toFixed(1)} s_
`);
