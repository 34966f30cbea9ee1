/**
 * `whyping snapshot --out DIR`: one <Key>.json per top-level key, readable by readSnapshotFiles. A collection that
 * spans several accounts or regions is written per account and region, under `aws_configs/accounts/<id>/<region>/`
 * (the layout `--snapshot` reads, so each object keeps its account and region).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WhypingError } from '../errors.js';
import type { RawSnapshotFile } from '../model/index.js';

/** Writes the documents merged by top-level key (lists concatenated, maps merged), Dates as ISO strings. */
export async function writeSnapshot(files: RawSnapshotFile[], outDir: string): Promise<string[]> {
  const sites = new Map<string, RawSnapshotFile[]>();
  for (const f of files) {
    const key = f.accountId && f.region ? `${f.accountId}/${f.region}` : '';
    sites.set(key, [...(sites.get(key) ?? []), f]);
  }
  if (sites.size > 1 && !sites.has('')) {
    const written: string[] = [];
    for (const [key, group] of sites) {
      const [account, region] = key.split('/') as [string, string];
      written.push(...(await writeFlat(group, join(outDir, 'aws_configs', 'accounts', account, region))));
    }
    return written;
  }
  return writeFlat(files, outDir);
}

/** One account and region: one <Key>.json per top-level key in `outDir`. */
async function writeFlat(files: RawSnapshotFile[], outDir: string): Promise<string[]> {
  const merged = new Map<string, unknown>();
  for (const f of files) {
    if (!f.data || typeof f.data !== 'object' || Array.isArray(f.data)) continue;
    for (const [key, value] of Object.entries(f.data as Record<string, unknown>)) {
      const prev = merged.get(key);
      if (Array.isArray(value)) merged.set(key, [...(Array.isArray(prev) ? prev : []), ...value]);
      else if (value && typeof value === 'object') merged.set(key, { ...(prev as object | undefined), ...value });
      else merged.set(key, value);
    }
  }
  try {
    await mkdir(outDir, { recursive: true });
    const written: string[] = [];
    for (const [key, value] of merged) {
      if (!/^[A-Za-z0-9]+$/.test(key)) continue;
      const path = join(outDir, `${key}.json`);
      await writeFile(path, `${JSON.stringify({ [key]: value }, null, 2)}\n`);
      written.push(path);
    }
    return written;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new WhypingError('BAD_INPUT', `Cannot write the snapshot to ${outDir}: ${message}`, {}, { cause: e });
  }
}
