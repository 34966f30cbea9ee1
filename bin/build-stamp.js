// The build stamp: a hash of everything `npm run build` compiles. dist/ runs only when its stamp matches the sources,
// so an edited checkout never runs stale JavaScript silently. Plain JavaScript: bin/whyping.js needs it before any build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files a build depends on, relative to `root` with `/`: every file under src/, the compiler settings, the build
 * script and the lockfile (scripts/build.js bundles some packages in). Paths are built as strings, not with
 * node:path: this runs at every start of bin/whyping.js.
 */
function inputs(root) {
  const files = [];
  const walk = (rel) => {
    for (const entry of readdirSync(`${root}/${rel}`, { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk('src');
  for (const name of ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js', 'package-lock.json']) {
    if (existsSync(`${root}/${name}`)) files.push(name);
  }
  return files.sort();
}

/** The stamp of the sources under `root` (hex sha256 over paths and contents). */
export function sourceStamp(root) {
  const hash = createHash('sha256');
  for (const file of inputs(root)) {
    hash.update(file);
    hash.update('\0');
    hash.update(readFileSync(`${root}/${file}`));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * A cheap key of the same files: path, size and modification time of each, read with stat alone (hashing the sources'
 * contents costs tens of milliseconds at every start). Equal keys vouch for an equal stamp; a different key (an edit,
 * a fresh checkout) falls back to hashing the contents.
 */
export function statKey(root) {
  const hash = createHash('sha256');
  for (const file of inputs(root)) {
    const st = statSync(`${root}/${file}`);
    hash.update(`${file}\0${st.size}\0${st.mtimeMs}\0`);
  }
  return hash.digest('hex');
}

/** Where `npm run build` records the stat key of the sources it compiled, after the stamp it vouches for. */
export function statKeyPath(root) {
  return join(root, 'dist', '.build-stat');
}

/** Where `npm run build` records the stamp of the sources it compiled. */
export function stampPath(root) {
  return join(root, 'dist', '.build-stamp');
}

/**
 * Which code to run: `dist` when the build is current (or when there are no sources, as in the image), `tsx` when the
 * sources changed since the build (or there is none) in a checkout with sources, with the reason.
 */
export function chooseRuntime(root) {
  const hasSources = existsSync(join(root, 'src'));
  const stamp = existsSync(stampPath(root)) ? readFileSync(stampPath(root), 'utf8').trim() : undefined;
  if (!hasSources) return stamp === undefined ? { kind: 'none' } : { kind: 'dist' };
  if (stamp === undefined) return { kind: 'tsx', reason: 'no build' };
  const recorded = existsSync(statKeyPath(root)) ? readFileSync(statKeyPath(root), 'utf8').trim() : undefined;
  if (recorded !== undefined && recorded === `${stamp} ${statKey(root)}`) return { kind: 'dist' };
  return stamp === sourceStamp(root) ? { kind: 'dist' } : { kind: 'tsx', reason: 'build is older than the sources' };
}
