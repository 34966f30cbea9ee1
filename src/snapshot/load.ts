/**
 * `loadSnapshot(path)`: what `--snapshot PATH` does — read, validate and build — in as little memory as the layout
 * allows. Same snapshot and warnings as `buildSnapshot(readSnapshotFiles(path))`; where several files are wrong, the
 * first wrong one in file order is named, be it unreadable or invalid.
 *
 * A folder is loaded by need: one pass over each file's bytes finds its top-level keys (and checks its nesting), then
 * the build parses a file only when it first needs one of its keys, and lets go of each key's raw items once its noun
 * is built. So the raw security groups, ENIs and instances of a big account are never all in memory at once, beside
 * what is built. A file the pass cannot read is parsed at once; files no noun needs are parsed at the end (their JSON
 * must still be valid). On any error the folder is read again in file order, so the first wrong file in file order is
 * the one named, be it unreadable or invalid.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { LoadProgress, Snapshot } from '../model/index.js';
import { buildMerged } from './build.js';
import { isGathered, Merger, refuseEmpty } from './merge.js';
import {
  type ListedFile,
  type ReadOptions,
  readSnapshotFile,
  STREAM_ABOVE_BYTES,
  scanTopLevelKeys,
  snapshotFileList,
} from './read.js';

/** `readSnapshotFile`'s options, and what a terminal shows while a big snapshot loads. */
export interface LoadOptions extends ReadOptions {
  /** Told before each file is checked or parsed. */
  onProgress?: (progress: LoadProgress) => void;
}

export function loadSnapshot(path: string, opts: LoadOptions = {}): Snapshot {
  const files = snapshotFileList(path, opts);
  if (files.length === 1) return loadInOrder(files, opts);
  return withHeapGrowingByHalf(() => {
    try {
      return loadByNeed(files, opts);
    } catch {
      // Reading in file order names the first wrong file (or throws the same error again).
      return loadInOrder(files, opts);
    }
  });
}

/**
 * V8 lets its heap grow to several times what was live at the last full collection before collecting again; while
 * loading by need, each noun's raw items turn to garbage once it is built, and that growth is what sets the peak
 * (1× synthetic account: ~450 MB with V8's own rule, ~310 MB at half, for about 10 % more load time). So during the
 * load the heap may grow by half between full collections, then V8's own rule is back (0, V8's default: "V8
 * decides"). Left alone when node was started with `--heap-growing-percent` (node refuses it in NODE_OPTIONS).
 */
function withHeapGrowingByHalf<T>(run: () => T): T {
  const userSet = process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a));
  if (userSet) return run();
  setFlagsFromString('--heap-growing-percent=50');
  try {
    return run();
  } finally {
    setFlagsFromString('--heap-growing-percent=0');
  }
}

/**
 * The options to read the `done`-th file of `total` with: `onProgress` hears that it is being parsed, and again after
 * each chunk when it is read in chunks.
 */
function told(opts: LoadOptions, file: ListedFile, done: number, total: number): ReadOptions {
  const { onProgress, ...read } = opts;
  if (!onProgress) return read;
  onProgress({ phase: 'parse', file, done, total });
  return { ...read, onChunk: (bytesRead) => onProgress({ phase: 'parse', file, done, total, bytesRead }) };
}

/** Every file read, validated and gathered in file order, then built. */
function loadInOrder(files: ListedFile[], opts: LoadOptions): Snapshot {
  const merger = new Merger();
  for (const [done, f] of files.entries()) merger.addFile(readSnapshotFile(f, told(opts, f, done, files.length)));
  refuseEmpty(
    merger,
    files.map((f) => f.path),
  );
  return buildMerged(merger);
}

/** A file of a by-need load: its place in file order, its top-level keys, and its bytes when small. */
interface Pending {
  file: ListedFile;
  rank: number;
  keys: ReadonlySet<string>;
  bytes?: Buffer;
}

/**
 * A file smaller than this keeps its bytes from the first pass until it is parsed, rather than being read again: a
 * folder of many small files (accounts × regions × nouns) would otherwise be read twice, and bytes take far less
 * memory than the parsed items.
 */
const KEEP_BYTES_BELOW = 1024 * 1024;

function loadByNeed(files: ListedFile[], opts: LoadOptions): Snapshot {
  const merger = new Merger();
  const streamAbove = opts.streamAboveBytes ?? STREAM_ABOVE_BYTES;
  const pending: Pending[] = [];
  let parsed = 0;
  const parse = (file: ListedFile, rank: number, depthChecked: boolean, bytes?: Buffer) => {
    const read = told(opts, file, parsed++, files.length);
    merger.addFile(readSnapshotFile(file, { ...read, depthChecked, ...(bytes ? { bytes } : {}) }), rank);
  };
  // Before any file is added: a file parsed at once below gathers its items by file too.
  merger.deferTo((key) => {
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      if (!p?.keys.has(key)) continue;
      pending.splice(i--, 1);
      parse(p.file, p.rank, true, p.bytes);
    }
  });
  for (const [rank, file] of files.entries()) {
    let keys: string[] | null = null;
    let bytes: Buffer | undefined;
    opts.onProgress?.({ phase: 'check', file, done: rank, total: files.length });
    if (file.size <= streamAbove) {
      try {
        bytes = readFileSync(file.path);
        keys = scanTopLevelKeys(bytes);
      } catch {
        keys = null; // unreadable now: readSnapshotFile says why
      }
    }
    if (keys === null) {
      parse(file, rank, false, bytes);
      continue;
    }
    const pend: Pending = { file, rank, keys: new Set(keys) };
    if (bytes && bytes.length < KEEP_BYTES_BELOW) pend.bytes = bytes;
    pending.push(pend);
    // As adding the file would (only keys that validate are present: a key that does not fails the load).
    for (const key of keys) if (isGathered(key)) merger.presentKeys.add(key);
  }
  refuseEmpty(
    merger,
    files.map((f) => f.path),
  );
  const snapshot = buildMerged(merger);
  for (const p of pending.splice(0)) parse(p.file, p.rank, true, p.bytes);
  return snapshot;
}
