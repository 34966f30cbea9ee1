/**
 * Merge: validates each file's describe-* keys and gathers every item by key, each with the file it came from (files
 * of a folder, or of several accounts and regions, describe one network). `Dedup` keeps one copy of an object listed
 * in several files.
 */
import { WhypingError } from '../errors.js';
import type { RawSnapshotFile, SnapshotWarning } from '../model/index.js';
import { FAST_CHECKS } from './checks.generated.js';
import { IGNORED_SENSITIVE_KEYS, jsonPath, type KnownKey, keySchemas, type Parsed } from './schema.js';

/** One item of a key's array (`Item<'Vpcs'>` is one raw VPC). */
export type Item<K extends KnownKey> = Parsed<K> extends readonly (infer T)[] ? T : never;
/** Where a file's items came from: its path, and its account and region when the layout says (not its data). */
export type FileOrigin = Omit<RawSnapshotFile, 'data'>;
/** A raw item and the file it came from. */
export type Sourced<T> = { value: T; file: FileOrigin };
/** Every item of every file, by key. */
export type Inputs = { [K in Exclude<KnownKey, 'PrefixListEntries'>]: Sourced<Item<K>>[] } & {
  PrefixListEntries: Sourced<Parsed<'PrefixListEntries'>>[];
};
/** Records a warning (one per code and message). */
export type Warn = (code: string, message: string, resourceIds: string[]) => void;

/** Keeps one copy per id: the first, unless a later one comes from the owner's own account files. */
export class Dedup<T> {
  readonly byId = new Map<string, Sourced<T>>();
  /** Ids whose kept copy came from the owner's account (only tracked once a duplicate shows up). */
  private readonly owned = new Set<string>();
  add(id: string, item: Sourced<T>, ownerId: string | null | undefined): void {
    const prev = this.byId.get(id);
    if (!prev) {
      this.byId.set(id, item);
      return;
    }
    if (this.owned.has(id)) return;
    // Both copies describe one object, so the newcomer's owner id is the kept copy's owner id too.
    if (ownerId && prev.file.accountId === ownerId) {
      this.owned.add(id);
      return;
    }
    if (ownerId && item.file.accountId === ownerId) {
      this.byId.set(id, item);
      this.owned.add(id);
    }
  }
}

/** One copy per id of a key's items (`idOf` names the id, `ownerOf` the owner account when the item says). */
export function dedup<T>(
  items: readonly Sourced<T>[],
  idOf: (item: T) => string,
  ownerOf: (item: T) => string | null | undefined,
): Map<string, Sourced<T>> {
  const d = new Dedup<T>();
  for (const it of items) d.add(idOf(it.value), it, ownerOf(it.value));
  return d.byId;
}

function emptyInputs(): Inputs {
  const out: Record<string, unknown[]> = {};
  for (const key of Object.keys(FAST_CHECKS)) out[key] = [];
  return out as unknown as Inputs;
}

/** Is this top-level key one whose items are validated and gathered (a describe-* key, not a sensitive one)? */
export function isGathered(key: string): key is KnownKey {
  return !IGNORED_SENSITIVE_KEYS.has(key) && Object.hasOwn(FAST_CHECKS, key);
}

/** Validation stops after this many problems: a huge malformed file is refused quickly, in bounded memory. */
export const MAX_REPORTED_ISSUES = 100;

/**
 * Parses a key's value with zod (the fast check failed or has no fast path); a failure names file and JSON path.
 * An array is checked one item at a time and checking stops after MAX_REPORTED_ISSUES problems (zod would collect
 * every problem of every item first); the message gives the first and the count.
 */
function parseSlow(file: FileOrigin, key: KnownKey, value: unknown): unknown {
  const schema = keySchemas()[key];
  const element = Array.isArray(value) ? (schema as unknown as { element?: typeof schema }).element : undefined;
  if (!element) {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw invalid(
      file,
      [key, ...(result.error.issues[0]?.path ?? [])],
      result.error.issues[0]?.message,
      1,
      result.error,
    );
  }
  const out: unknown[] = [];
  let first: { path: PropertyKey[]; message: string; error: unknown } | null = null;
  let count = 0;
  for (const [i, item] of (value as unknown[]).entries()) {
    const r = element.safeParse(item);
    if (r.success) {
      out.push(r.data);
      continue;
    }
    first ??= {
      path: [key, i, ...(r.error.issues[0]?.path ?? [])],
      message: r.error.issues[0]?.message ?? '',
      error: r.error,
    };
    count += r.error.issues.length;
    if (count >= MAX_REPORTED_ISSUES) break;
  }
  if (!first) return out;
  throw invalid(file, first.path, first.message, count, first.error);
}

function invalid(file: FileOrigin, at: PropertyKey[], message: string | undefined, count: number, cause: unknown) {
  const path = jsonPath(at);
  const more =
    count >= MAX_REPORTED_ISSUES
      ? ` (${MAX_REPORTED_ISSUES} or more problems in all; checking stopped there)`
      : count > 1
        ? ` (${count} problems in all)`
        : '';
  return new WhypingError(
    'SNAPSHOT_INVALID',
    `${file.path}: ${path}: ${message ?? 'invalid value'}${more}. Fix or remove this value (whyping reads describe-* output as the AWS CLI prints it).`,
    { file: file.path, jsonPath: path },
    { cause },
  );
}

/**
 * A file parsed by need added items to a key the build had already read (its keys were not all found before parsing):
 * loadSnapshot then reads the folder again in file order.
 */
export class LateItems extends Error {}

/** The validated items of every file, the keys present and the warnings so far. */
export class Merger {
  readonly inputs = emptyInputs();
  readonly presentKeys = new Set<string>();
  readonly warnings: SnapshotWarning[] = [];
  private readonly warned = new Set<string>();
  /** When loading by need (deferTo): each key's items per file, with the file's place in file order. */
  private byFile: Map<KnownKey, { rank: number; items: Sourced<unknown>[] }[]> | null = null;
  /** Keys whose items were handed out (by need): no file may add to them any more. */
  private readonly handedOut = new Set<KnownKey>();

  warn(code: string, message: string, resourceIds: string[]): void {
    const key = `${code}|${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ code, message, resourceIds });
  }

  /**
   * Loads by need (loadSnapshot): files may come in any order, each with its place in file order (`rank`), and a
   * key's items are put in file order when the build first reads `inputs[key]`, which calls `load(key)` first to
   * parse every file holding the key. The build then sees what adding every file in file order gives.
   */
  deferTo(load: (key: KnownKey) => void): void {
    if (this.presentKeys.size > 0 || this.warnings.length > 0)
      throw new Error('Merger.deferTo: call it before addFile');
    const byFile = new Map<KnownKey, { rank: number; items: Sourced<unknown>[] }[]>();
    this.byFile = byFile;
    for (const key of Object.keys(FAST_CHECKS) as KnownKey[]) {
      let items: Sourced<unknown>[] | null = null;
      Object.defineProperty(this.inputs, key, {
        enumerable: true,
        get: () => {
          if (items === null) {
            load(key);
            this.handedOut.add(key);
            const chunks = (byFile.get(key) ?? []).sort((a, b) => a.rank - b.rank);
            byFile.delete(key);
            items = chunks.length === 1 ? (chunks[0]?.items ?? []) : chunks.flatMap((c) => c.items);
          }
          return items;
        },
        set: (value: Sourced<unknown>[]) => {
          items = value;
        },
      });
    }
  }

  /**
   * Validates one file's keys and gathers its items. The items keep the file's origin, not the file: once the caller
   * lets go of the parsed document, only the items stay in memory. `rank` is the file's place in file order (by need).
   */
  addFile(raw: RawSnapshotFile, rank = 0): void {
    const { data, ...file } = raw;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      this.warn('NOT_A_SNAPSHOT_FILE', `${file.path}: not a JSON object of describe-* keys; ignored`, []);
      return;
    }
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (!isGathered(key)) continue;
      const k = key as KnownKey;
      const parsed = FAST_CHECKS[k]?.(value) ? value : parseSlow(file, k, value);
      this.presentKeys.add(key);
      const items: Sourced<unknown>[] =
        k === 'PrefixListEntries' ? [{ value: parsed, file }] : (parsed as unknown[]).map((v) => ({ value: v, file }));
      if (this.byFile) {
        if (this.handedOut.has(k)) throw new LateItems(`${file.path} adds ${k} after the build read it`);
        const chunks = this.byFile.get(k);
        if (chunks) chunks.push({ rank, items });
        else this.byFile.set(k, [{ rank, items }]);
      } else {
        const bucket = this.inputs[k] as Sourced<unknown>[];
        for (const it of items) bucket.push(it);
      }
    }
  }
}

/**
 * Validates and gathers the files. Throws SNAPSHOT_INVALID naming file + path, or when no file holds any describe-*
 * key.
 */
export function mergeFiles(files: RawSnapshotFile[]): Merger {
  const m = new Merger();
  for (const f of files) m.addFile(f);
  refuseEmpty(
    m,
    files.map((f) => f.path),
  );
  return m;
}

/** Throws SNAPSHOT_INVALID when files were read but none holds any describe-* key. */
export function refuseEmpty(m: Merger, paths: readonly string[]): void {
  if (paths.length > 0 && m.presentKeys.size === 0) {
    // Files that parse but hold no describe-* output (`{}`, an array, another tool's JSON): say so rather than answer
    // every question with "unknown endpoint".
    throw new WhypingError(
      'SNAPSHOT_INVALID',
      `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}: no describe-* output found (no Vpcs, Subnets, Reservations, RouteTables, … key). Pass the JSON that \`aws ec2 describe-*\` prints, or a folder of such files.`,
    );
  }
}
