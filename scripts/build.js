// `npm run build`: compiles src/ into dist/ and records the stamp of the sources it compiled (bin/build-stamp.js),
// so bin/whyping.js runs dist/ only while it matches the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceStamp, stampPath, statKey, statKeyPath } from '../bin/build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The stamp of the sources as they are when compiling starts: an edit made during the build makes it stale. The stat
// key (sizes and times) is taken first, so an edit in between only costs bin/whyping.js a hash of the contents.
const key = statKey(root);
const stamp = sourceStamp(root);
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
const scenarios = join(root, 'src/sandbox/scenarios');
mkdirSync(join(root, 'dist/sandbox/scenarios'), { recursive: true });
for (const name of readdirSync(scenarios)) {
  if (name.endsWith('.json')) cpSync(join(scenarios, name), join(root, 'dist/sandbox/scenarios', name));
}
writeFileSync(stampPath(root), `${stamp}\n`);
writeFileSync(statKeyPath(root), `${stamp} ${key}\n`);
