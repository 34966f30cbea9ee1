/**
 * The rooms of src/ and who may import whom (docs/contributing.md, DESIGN.md §1): a room imports only the rooms below
 * it in the table. The engine stays pure: no AWS SDK, no fs, no env, no clock.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const LEAVES = ['errors', 'log'];
const MAY_IMPORT: Record<string, string[]> = {
  net: [],
  model: ['net'],
  snapshot: ['net', 'model'],
  engine: ['net', 'model'],
  collect: ['net', 'model', 'snapshot'],
  probe: ['net', 'model'],
  fix: ['net', 'model', 'engine'],
  sandbox: ['net', 'model', 'snapshot', 'engine'],
  core: ['net', 'model', 'snapshot', 'engine', 'collect', 'probe', 'fix'],
  render: ['net', 'model', 'core'],
  cli: ['net', 'model', 'core', 'render', 'config'],
  slack: ['net', 'model', 'core', 'render', 'config'],
  config: [],
  main: [
    'net',
    'model',
    'snapshot',
    'engine',
    'collect',
    'probe',
    'fix',
    'sandbox',
    'core',
    'render',
    'cli',
    'slack',
    'config',
  ],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The room of a path under src/: its first folder, or the file's name for top-level files. */
function roomOf(path: string): string {
  const [first] = relative(SRC, path).split('/');
  return (first ?? '').replace(/\.(ts|js)$/, '');
}

function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:from\s+|import\s*\(?\s*)'([^']+)'/g)) found.push(m[1] as string);
  return found;
}

const sources = files(SRC).map((path) => ({
  path,
  room: roomOf(path),
  imports: importsOf(readFileSync(path, 'utf8')),
}));

describe('the rooms of src/', () => {
  it('every file belongs to a known room', () => {
    const unknown = sources.filter((s) => !(s.room in MAY_IMPORT) && !LEAVES.includes(s.room)).map((s) => s.path);
    expect(unknown).toEqual([]);
  });

  it('import only the rooms below them', () => {
    const violations: string[] = [];
    for (const s of sources) {
      for (const spec of s.imports.filter((i) => i.startsWith('.'))) {
        const target = roomOf(resolve(s.path, '..', spec));
        if (target === s.room || LEAVES.includes(target)) continue;
        const allowed = LEAVES.includes(s.room) ? [] : (MAY_IMPORT[s.room] ?? []);
        if (!allowed.includes(target)) violations.push(`${relative(SRC, s.path)} imports ${spec} (${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keep the engine, the snapshot builder and the renderers pure: no AWS SDK, fs, env or clock', () => {
    const pure = sources.filter(
      (s) =>
        ['engine', 'render', 'model', 'net'].includes(s.room) ||
        /src\/snapshot\/(build|resolve|schema|text|fastcheck)\.ts$/.test(s.path),
    );
    const impure: string[] = [];
    for (const s of pure) {
      const text = readFileSync(s.path, 'utf8');
      if (s.imports.some((i) => i.startsWith('@aws-sdk') || i === 'node:fs' || i === 'node:fs/promises')) {
        impure.push(`${relative(SRC, s.path)}: imports I/O`);
      }
      if (/process\.env|Date\.now\(|new Date\(\)/.test(text)) impure.push(`${relative(SRC, s.path)}: env or clock`);
    }
    expect(impure).toEqual([]);
  });

  it('hold no source file over 700 lines, so that each stays readable as one room of its folder', () => {
    const long = sources
      .map((s) => ({ path: relative(SRC, s.path), lines: readFileSync(s.path, 'utf8').trimEnd().split('\n').length }))
      .filter((f) => f.lines > 700)
      .map((f) => `${f.path}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
