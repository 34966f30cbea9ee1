/** The real snapshots copied into test/fixtures/corpora: every aws_configs folder, in name order. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The corpora's root folder. */
export const CORPORA_ROOT = join(import.meta.dirname, '..', 'fixtures', 'corpora');

/** Every aws_configs folder under `dir`, in name order. */
export function awsConfigDirs(dir: string = CORPORA_ROOT, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    if (name === 'aws_configs') out.push(full);
    else awsConfigDirs(full, out);
  }
  return out;
}
