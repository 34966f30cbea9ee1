/** Reads a snapshot from disk: a JSON file or a folder of JSON files (recursive), with region/account from the layout. */
import { isAscii } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { WhypingError } from '../errors.js';
import type { RawSnapshotFile } from '../model/index.js';
import { readJsonObjectInChunks } from './stream.js';

/** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-iso-east-1, ap-southeast-5 … */
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** Old-style Batfish file names carry the region as a suffix: `Vpcs-us-west-2.json`. */
const REGION_SUFFIX = /-([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})\.json$/;
const ACCOUNT = /^\d{3,12}$/;

/** Files in a snapshot folder that are not describe-* output (the corpora's measured answers). */
const SKIPPED_FILES = new Set(['observed.json']);

/** True for an AWS region name such as `us-east-1` or `us-gov-west-1`. */
export function isRegionName(text: string): boolean {
  return REGION.test(text);
}

/**
 * Region and account implied by a file's place in the layout: `…/aws_configs/<region>/…`,
 * `…/aws_configs/accounts/<account-id>/<region>/…`, or an old-style `<Key>-<region>.json` name.
 */
export function layoutOf(path: string): { region?: string; accountId?: string } {
  const parts = path.split(/[\\/]/);
  const out: { region?: string; accountId?: string } = {};
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    if (part === 'accounts' && ACCOUNT.test(parts[i + 1] ?? '') && i + 1 < parts.length - 1)
      out.accountId = parts[i + 1];
    if (REGION.test(part)) out.region = part;
  }
  const suffix = REGION_SUFFIX.exec(basename(path));
  if (suffix?.[1] && !out.region) out.region = suffix[1];
  return out;
}

/** Line and column (1-based) of a character offset in a text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** SNAPSHOT_UNREADABLE when JSON is nested deeper than MAX_JSON_DEPTH (checked on the file's bytes). */
function refuseDeep(path: string, bytes: Uint8Array): void {
  if (jsonShape(bytes).depth > MAX_JSON_DEPTH) {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: JSON nested more than ${MAX_JSON_DEPTH} levels deep (describe-* output never is). Fix the file or remove it from the snapshot folder.`,
      { file: path },
    );
  }
}

/** Parses one file's text; bad JSON becomes SNAPSHOT_UNREADABLE naming the file, line and column. */
export function parseSnapshotJson(path: string, text: string, depthChecked = false): unknown {
  if (!depthChecked) refuseDeep(path, Buffer.from(text, 'utf8'));
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos?.[1]) {
      const { line, column } = lineColumn(text, Number(pos[1]));
      where = ` at line ${line} column ${column}`;
    } else if (/Unexpected end of JSON input/.test(message)) {
      const { line, column } = lineColumn(text, text.length);
      where = ` at line ${line} column ${column} (end of file)`;
    }
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: invalid JSON${where}: ${reason}. Fix the file or remove it from the snapshot folder.`,
      { file: path },
      { cause: e },
    );
  }
}

/** Deeper JSON than any describe-* output: refused before anything walks it (recursion would overflow the stack). */
export const MAX_JSON_DEPTH = 64;

/**
 * One pass over JSON bytes, no value parsed: the deepest nesting of `[` / `{` (counting stops once past
 * MAX_JSON_DEPTH) and, when the top level is an object, its keys in order. `keys` is null when the pass cannot tell
 * them: the top level is not an object, the text is cut short or unbalanced, a key does not decode, or the nesting is
 * too deep. A string is skipped by searching for its closing quote (one not escaped by an odd run of backslashes), not
 * byte by byte: most of a describe-* file is strings, and no byte of a multi-byte UTF-8 character is a quote or a
 * backslash.
 */
function jsonShape(bytes: Uint8Array): { depth: number; keys: string[] | null } {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte order mark
  while (bytes[i] === 32 || bytes[i] === 10 || bytes[i] === 13 || bytes[i] === 9) i++;
  let keys: string[] | null = bytes[i] === 123 ? [] : null;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let depth = 0;
  let max = 0;
  let expectKey = false;
  for (const n = bytes.length; i < n; i++) {
    const c = bytes[i];
    if (c === 34) {
      let end = bytes.indexOf(34, i + 1);
      while (end > 0 && escaped(bytes, end)) end = bytes.indexOf(34, end + 1);
      if (end < 0) return { depth: max, keys: null }; // unterminated: JSON.parse says where
      if (keys && depth === 1 && expectKey) {
        try {
          keys.push(JSON.parse(decoder.decode(bytes.subarray(i, end + 1))) as string);
        } catch {
          keys = null;
        }
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > MAX_JSON_DEPTH) return { depth: max, keys: null };
      }
      expectKey = depth === 1;
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 && depth === 1) expectKey = true;
  }
  return { depth: max, keys: depth === 0 ? keys : null };
}

/** Is the quote byte at `at` escaped: preceded by an odd number of backslashes? */
function escaped(bytes: Uint8Array, at: number): boolean {
  let n = 0;
  while (bytes[at - 1 - n] === 92) n++;
  return n % 2 === 1;
}

/**
 * The keys of a file's top-level object, in order (jsonShape), or null when the pass cannot tell them or the nesting
 * is deeper than MAX_JSON_DEPTH. A null file is parsed at once, and JSON.parse or the depth check says what is wrong.
 */
export function scanTopLevelKeys(bytes: Uint8Array): string[] | null {
  return jsonShape(bytes).keys;
}

function unreadable(path: string, e: unknown): WhypingError {
  const code = (e as { code?: string } | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file or folder'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : e instanceof Error
          ? e.message
          : String(e);
  return new WhypingError(
    'SNAPSHOT_UNREADABLE',
    `${path}: cannot read the snapshot (${why}). Pass a JSON file or a folder of describe-* JSON files.`,
    { file: path },
    { cause: e },
  );
}

function listJsonFiles(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (e) {
    throw unreadable(dir, e);
  }
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(full);
    } catch (e) {
      throw unreadable(full, e);
    }
    if (stat.isDirectory()) listJsonFiles(full, out);
    else if (stat.isFile() && name.toLowerCase().endsWith('.json') && !SKIPPED_FILES.has(name)) out.push(full);
  }
}

/** The default bound on a snapshot's total size (WHYPING_MAX_SNAPSHOT_MB): large real accounts must still load. */
export const DEFAULT_MAX_SNAPSHOT_MB = 4096;

/**
 * Files above this size are read in chunks (stream.ts): one string cannot hold more than about 512 MiB, and the
 * whole text need not sit in memory beside the parsed values.
 */
export const STREAM_ABOVE_BYTES = 256 * 1024 * 1024;

export interface ReadOptions {
  /** WHYPING_MAX_SNAPSHOT_MB (default DEFAULT_MAX_SNAPSHOT_MB). */
  maxMb?: number;
  /** Read files above this many bytes in chunks (default STREAM_ABOVE_BYTES; tests lower it, with the sizes). */
  streamAboveBytes?: number;
  chunkBytes?: number;
  batchBytes?: number;
  /** The file's nesting was already checked (load.ts's scanTopLevelKeys): parse without counting it again. */
  depthChecked?: boolean;
  /** The file's bytes, already read (load.ts keeps a small file's bytes from its first pass). */
  bytes?: Buffer;
  /** A file read in chunks tells after each chunk how many of its bytes have been read. */
  onChunk?: (bytesRead: number) => void;
}

/**
 * Reads a snapshot: one JSON file, or every *.json under a folder (recursive, `observed.json` skipped). Only regular
 * files are read (a FIFO, a device or a socket is refused before anything is read), and their total size is bounded
 * by `maxMb` (WHYPING_MAX_SNAPSHOT_MB). Every parsed file is held at once: `loadSnapshot` reads and builds in less
 * memory.
 */
export function readSnapshotFiles(path: string, opts: ReadOptions = {}): RawSnapshotFile[] {
  return snapshotFileList(path, opts).map((f) => readSnapshotFile(f, opts));
}

/** A file of a snapshot, with its size when listed. */
export interface ListedFile {
  path: string;
  size: number;
}

/**
 * The files `path` names (itself, or every *.json under it), checked before any is read: regular files only, their
 * total size within `maxMb`, at least one.
 */
export function snapshotFileList(path: string, opts: ReadOptions = {}): ListedFile[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (e) {
    throw unreadable(path, e);
  }
  const paths: string[] = [];
  if (stat.isDirectory()) listJsonFiles(path, paths);
  else if (stat.isFile()) paths.push(path);
  else {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: not a regular file or folder (a pipe, a device or a socket). Pass a JSON file or a folder of describe-* JSON files.`,
      { file: path },
    );
  }
  const maxMb = opts.maxMb ?? DEFAULT_MAX_SNAPSHOT_MB;
  let total = 0;
  const files: ListedFile[] = [];
  for (const p of paths) {
    let size: number;
    try {
      size = statSync(p).size;
    } catch (e) {
      throw unreadable(p, e);
    }
    files.push({ path: p, size });
    total += size;
  }
  if (total > maxMb * 1024 * 1024) {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: the snapshot is ${Math.ceil(total / 1024 / 1024)} MB, over the ${maxMb} MB limit: raise WHYPING_MAX_SNAPSHOT_MB, or export fewer VPCs (whyping snapshot --vpc …).`,
      { file: path },
    );
  }
  if (files.length === 0) {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: the folder holds no .json files. Point --snapshot at a describe-* JSON file or a folder of them.`,
      { file: path },
    );
  }
  return files;
}

/**
 * A file's text. describe-* output is nearly always plain ASCII, which latin1 turns into a string byte for byte, with
 * no UTF-8 decoding (about 40 % less time for that step); anything else is decoded as UTF-8.
 */
function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * A file's text, its nesting checked on the bytes first (unless already checked). The bytes are let go before the
 * caller parses the text: parsing a big file is when memory peaks.
 */
function checkedText(file: string, opts: ReadOptions): string {
  let bytes: Buffer;
  try {
    bytes = opts.bytes ?? readFileSync(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  if (!opts.depthChecked) refuseDeep(file, bytes);
  try {
    return decode(bytes);
  } catch (e) {
    throw unreadable(file, e);
  }
}

/** Reads and parses one listed file (in chunks above `streamAboveBytes`), with region/account from its place. */
export function readSnapshotFile({ path: file, size }: ListedFile, opts: ReadOptions = {}): RawSnapshotFile {
  const streamAbove = opts.streamAboveBytes ?? STREAM_ABOVE_BYTES;
  let data: unknown;
  if (size > streamAbove) {
    try {
      data = readJsonObjectInChunks(file, {
        maxDepth: MAX_JSON_DEPTH,
        ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
        ...(opts.batchBytes ? { batchBytes: opts.batchBytes } : {}),
        ...(opts.onChunk ? { onChunk: opts.onChunk } : {}),
      });
    } catch (e) {
      if (e instanceof WhypingError) throw e;
      throw unreadable(file, e);
    }
  } else {
    data = parseSnapshotJson(file, checkedText(file, opts), true);
  }
  const layout = layoutOf(resolve(file));
  const raw: RawSnapshotFile = { path: file, data };
  if (layout.region) raw.region = layout.region;
  if (layout.accountId) raw.accountId = layout.accountId;
  return raw;
}
