/**
 * A snapshot file bigger than V8's string limit (~512 MiB) loads: `npx tsx bench/big-file.ts [--scale 1]
 * [--mb 600]` writes the synthetic account (bench/synthetic.ts) as ONE JSON file, each ENI and security group padded
 * with an unread `Padding` field (real describe-* output carries many fields whyping does not read) until the file
 * is over `--mb`, then loads it in a fresh process as `--snapshot FILE` does (readSnapshotFiles + buildSnapshot) and
 * prints the file size, read and build times, peak RSS and what was built. Also shows that reading it as one string
 * fails. The file is written to the OS temp folder and removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSnapshot, readSnapshotFiles } from '../src/snapshot/index.js';
import { syntheticAccount } from './synthetic.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function write(path: string, scale: number, mb: number): void {
  const account = syntheticAccount(scale);
  const keys = new Map<string, unknown[]>();
  for (const f of account.files)
    for (const [k, v] of Object.entries(f.data as Record<string, unknown[]>))
      keys.set(k, [...(keys.get(k) ?? []), ...v]);
  const padded = ['NetworkInterfaces', 'SecurityGroups'];
  const items = padded.reduce((n, k) => n + (keys.get(k)?.length ?? 0), 0);
  const plain = JSON.stringify(Object.fromEntries(keys)).length;
  const pad = 'x'.repeat(Math.max(0, Math.ceil((mb * 1024 * 1024 - plain) / items)));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '{');
    let firstKey = true;
    for (const [k, list] of keys) {
      writeSync(fd, `${firstKey ? '' : ','}\n${JSON.stringify(k)}: [`);
      firstKey = false;
      list.forEach((item, i) => {
        const v = padded.includes(k) ? { ...(item as object), Padding: pad } : item;
        writeSync(fd, `${i ? ',' : ''}\n${JSON.stringify(v)}`);
      });
      writeSync(fd, ']');
    }
    writeSync(fd, '\n}\n');
  } finally {
    closeSync(fd);
  }
}

function child(path: string): void {
  let oneString = 'loads as one string';
  try {
    readFileSync(path, 'utf8');
  } catch (e) {
    oneString = `one string fails: ${(e as { code?: string }).code ?? String(e)}`;
  }
  const t0 = performance.now();
  const files = readSnapshotFiles(path);
  const t1 = performance.now();
  const s = buildSnapshot(files);
  const t2 = performance.now();
  process.stdout.write(
    JSON.stringify({
      oneString,
      readMs: Math.round(t1 - t0),
      buildMs: Math.round(t2 - t1),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      built: `${s.vpcs.size} VPCs, ${s.securityGroups.size} SGs, ${s.networkInterfaces.size} ENIs, ${s.instances.size} instances`,
    }),
  );
}

if (process.argv.includes('--child')) child(process.argv[process.argv.indexOf('--child') + 1] as string);
else {
  const scale = Number(arg('--scale') ?? 1);
  const mb = Number(arg('--mb') ?? 600);
  const dir = mkdtempSync(join(tmpdir(), 'whyping-big-'));
  try {
    const path = join(dir, 'snapshot.json');
    write(path, scale, mb);
    const size = statSync(path).size;
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', path], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`loading failed: ${r.stderr.slice(-2000)}`);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    process.stdout.write(
      `## One snapshot file over V8's string limit (\`npx tsx bench/big-file.ts --scale ${scale} --mb ${mb}\`)\n\n` +
        `Node ${process.version}. ${(size / 1024 / 1024).toFixed(0)} MiB in one file (${out.oneString}); ` +
        `read + parse ${out.readMs} ms, validate + index ${out.buildMs} ms, peak RSS ${out.peakRssMb} MB; built ${out.built}.\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
