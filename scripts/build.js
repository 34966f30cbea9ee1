// `npm run build`: bundles src/ into dist/ with esbuild and records the stamp of the sources it compiled
// (bin/build-stamp.js), so bin/whyping.js runs dist/ only while it matches the sources. Types are checked by
// `npm run typecheck` (tsc), not here: the bundle takes about a second where tsc's emit took tens.
//
// One entry, dist/main/cli.js, and shared chunks in dist/chunks/ (ES modules, code splitting): every dynamic import()
// in src/ stays one, so the AWS SDK, Bolt and the collectors load only when a command needs them
// (test/cli/startup.integ.test.ts checks that through the bin). npm packages stay outside the bundle, imported from
// node_modules as before, except the small ones every command loads (INLINE). Node starts the offline path from a
// dozen files instead of ~70 modules and ~20 package files.
//
// `esbuildOptions` is how src/ is compiled, exported so that bench/engine.ts times the engine compiled the same way;
// importing this file builds nothing.
import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sourceStamp, stampPath, statKey, statKeyPath } from '../bin/build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

/**
 * Every output file sits one folder below dist/ (dist/main/, dist/chunks/), so a module's own URL — what
 * `import.meta.url` meant when each source file compiled to its own dist/ file — is `../<its path>.js` from wherever
 * its code lands: src/sandbox/scenarios/index.ts still finds the scenario files beside it in dist/sandbox/scenarios/,
 * and createRequire(import.meta.url) still resolves packages from dist/.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(src + sep)) return undefined; // the bench's own files keep their URL
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes('import.meta.url')) return undefined;
      const own = relative(src, args.path).split(sep).join('/').replace(/\.ts$/, '.js');
      return {
        contents: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(`../${own}`)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

/**
 * Packages bundled in: every command loads them, and from node_modules each costs Node a CommonJS load plus a scan
 * of its exports (commander: nine files). Every other package (the AWS SDK, Bolt, pino, zod) stays in node_modules.
 */
const INLINE = new Set(['commander', 'ipaddr.js']);
const packagesOutside = {
  name: 'packages-outside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const name = args.path
        .split('/')
        .slice(0, args.path.startsWith('@') ? 2 : 1)
        .join('/');
      return INLINE.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * How src/ is compiled into dist/: one ES module bundle per entry with shared chunks (`outdir` and the entries are the
 * caller's), npm packages left in node_modules except INLINE.
 */
export function esbuildOptions() {
  return {
    absWorkingDir: root,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    tsconfig: join(root, 'tsconfig.build.json'),
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [ownUrl, packagesOutside],
    // A bundled CommonJS package's require() of Node's modules needs a require in an ES module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
  };
}

async function main() {
  // The stamp of the sources as they are when compiling starts: an edit made during the build makes it stale. The stat
  // key (sizes and times) is taken first, so an edit in between only costs bin/whyping.js a hash of the contents.
  const key = statKey(root);
  const stamp = sourceStamp(root);
  rmSync(dist, { recursive: true, force: true });
  const result = await build({ ...esbuildOptions(), entryPoints: { 'main/cli': 'src/main/cli.ts' }, outdir: dist });
  for (const out of Object.keys(result.metafile.outputs)) {
    const depth = relative(dist, join(root, out)).split(sep).length;
    if (depth !== 2) throw new Error(`${out}: every output must sit one folder below dist/ (see ownUrl)`);
  }

  const scenarios = join(src, 'sandbox/scenarios');
  mkdirSync(join(dist, 'sandbox/scenarios'), { recursive: true });
  for (const name of readdirSync(scenarios)) {
    if (name.endsWith('.json')) cpSync(join(scenarios, name), join(dist, 'sandbox/scenarios', name));
  }
  writeFileSync(stampPath(root), `${stamp}\n`);
  writeFileSync(statKeyPath(root), `${stamp} ${key}\n`);
}

// `node scripts/build.js` builds; an import (bench/engine.ts) only takes esbuildOptions.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
