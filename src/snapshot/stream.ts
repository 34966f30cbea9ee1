/**
 * Reads a JSON object from a file in chunks, for files too big for one string (V8 refuses strings over ~512 MiB, so
 * `readFileSync(…, 'utf8')` + `JSON.parse` cannot load them). The top-level object is split by key; a key's array is
 * parsed a batch of elements at a time (each batch one `JSON.parse` of at most about `batchBytes`), any other value in
 * one piece. Only the parsed values and one batch of text are in memory at once. The result equals `JSON.parse` of
 * the whole text; malformed JSON is SNAPSHOT_UNREADABLE naming the file, line and column.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { WhypingError } from '../errors.js';

export interface StreamOptions {
  /** Bytes read at a time (default 8 MiB). */
  chunkBytes?: number;
  /** Array elements are parsed in batches of about this many bytes (default 16 MiB). */
  batchBytes?: number;
  /** Deeper nesting is refused (describe-* output never nests deeply). */
  maxDepth: number;
  /** Told after each chunk how many bytes of the file have been read: a big file takes a while. */
  onChunk?: (bytesRead: number) => void;
}

/** Scanner states. */
const S = {
  BeforeObject: 0,
  BeforeKey: 1,
  Key: 2,
  BeforeColon: 3,
  BeforeValue: 4,
  Value: 5,
  BeforeElement: 6,
  Element: 7,
  AfterElement: 8,
  AfterValue: 9,
  End: 10,
} as const;

const BOM = [0xef, 0xbb, 0xbf];
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Line and column (1-based, in characters) of byte `offset` of the file: read again, only to word an error. */
function lineColumnAt(path: string, offset: number): { line: number; column: number } {
  const fd = openSync(path, 'r');
  const decoder = new StringDecoder('utf8');
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let line = 1;
  let column = 1;
  let at = 0;
  try {
    while (at < offset) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, offset - at), null);
      if (n === 0) break;
      at += n;
      const text = decoder.write(chunk.subarray(0, n));
      for (let k = 0; k < text.length; k++) {
        if (text.charCodeAt(k) === 10) {
          line++;
          column = 1;
        } else column++;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { line, column };
}

/** Reads and parses the JSON object in `path` chunk by chunk. */
export function readJsonObjectInChunks(path: string, opts: StreamOptions): Record<string, unknown> {
  const chunkBytes = opts.chunkBytes ?? 8 * 1024 * 1024;
  const batchBytes = opts.batchBytes ?? 16 * 1024 * 1024;
  const maxDepth = opts.maxDepth;
  const out: Record<string, unknown> = {};
  let state: number = S.BeforeObject;
  let bom = 0; // bytes of a leading byte order mark seen
  let key = '';
  let array: unknown[] = [];
  let needElement = false;
  // The key, value or batch of elements being captured: pieces of earlier chunks, and where it starts in this one.
  let pieces: Buffer[] = [];
  let start = -1;
  let captureOffset = 0;
  // Scanning a value: nesting depth within it, inside a string, the next byte escaped (a backslash ended a chunk).
  let depth = 0;
  let inString = false;
  let escaped = false;
  let base = 0; // file offset of this chunk's first byte

  const fail = (why: string, at: number): never => {
    const { line, column } = lineColumnAt(path, at);
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: invalid JSON at line ${line} column ${column}: ${why}. Fix the file or remove it from the snapshot folder.`,
      { file: path },
    );
  };
  const tooDeep = (): never => {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: JSON nested more than ${maxDepth} levels deep (describe-* output never is). Fix the file or remove it from the snapshot folder.`,
      { file: path },
    );
  };
  const begin = (i: number) => {
    pieces = [];
    start = i;
    captureOffset = base + i;
  };
  /** The captured text up to `end` (exclusive) in this chunk, parsed (`wrap` adds brackets around a batch). */
  const finish = (chunk: Buffer, end: number, wrap: boolean): unknown => {
    pieces.push(chunk.subarray(start, end));
    start = -1;
    const text = Buffer.concat(pieces).toString('utf8');
    pieces = [];
    try {
      return JSON.parse(wrap ? `[${text}]` : text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const pos = /position (\d+)/.exec(message);
      let { line, column } = lineColumnAt(path, captureOffset);
      let where = 'in the value starting at';
      if (pos?.[1]) {
        where = 'at';
        const upTo = Number(pos[1]) - (wrap ? 1 : 0);
        for (let k = 0; k < upTo && k < text.length; k++) {
          if (text.charCodeAt(k) === 10) {
            line++;
            column = 1;
          } else column++;
        }
      }
      const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
      throw new WhypingError(
        'SNAPSHOT_UNREADABLE',
        `${path}: invalid JSON ${where} line ${line} column ${column}: ${reason}. Fix the file or remove it from the snapshot folder.`,
        { file: path, offset: captureOffset },
        { cause: e },
      );
    }
  };
  const store = (k: string, v: unknown) => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };

  const fd = openSync(path, 'r');
  let bytesRead = 0;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      bytesRead += n;
      opts.onChunk?.(bytesRead);
      const buf = n < chunkBytes ? chunk.subarray(0, n) : chunk;
      let i = 0;
      if (escaped) {
        i = 1; // the byte a backslash at the end of the last chunk escapes
        escaped = false;
      }
      while (i < n) {
        if (state === S.Key || state === S.Value || state === S.Element) {
          // The hot loop: scans a key or value up to its end, or to the end of the chunk.
          const extra = state === S.Element ? 2 : 1; // nesting of the top-level object (and array) around it
          let end = -1;
          for (; i < n; i++) {
            const c = buf[i] as number;
            if (inString) {
              if (c === 92) {
                if (i + 1 < n) i++;
                else escaped = true;
              } else if (c === 34) {
                inString = false;
                if (depth === 0) {
                  end = i + 1;
                  break;
                }
              }
            } else if (c === 34) inString = true;
            else if (c === 123 || c === 91) {
              if (++depth + extra > maxDepth) tooDeep();
            } else if (c === 125 || c === 93) {
              if (depth === 0) {
                end = i;
                break;
              }
              if (--depth === 0) {
                end = i + 1;
                break;
              }
            } else if (depth === 0 && (c === 44 || isSpace(c))) {
              end = i;
              break;
            }
          }
          if (end < 0) break;
          i = end;
          if (state === S.Key) {
            key = finish(buf, end, false) as string;
            state = S.BeforeColon;
          } else if (state === S.Value) {
            store(key, finish(buf, end, false));
            state = S.AfterValue;
          } else {
            // Batch size: from the batch's first byte to this element's end.
            if (base + end - captureOffset >= batchBytes)
              for (const v of finish(buf, end, true) as unknown[]) array.push(v);
            state = S.AfterElement;
          }
          continue;
        }
        const c = buf[i] as number;
        const at = base + i;
        i++;
        if (isSpace(c) && state !== S.BeforeObject) continue;
        switch (state) {
          case S.BeforeObject:
            if (at === bom && bom < 3 && c === BOM[bom]) bom++;
            else if (c === 123 && (bom === 0 || bom === 3)) state = S.BeforeKey;
            else if (!isSpace(c)) fail('a snapshot file this big must be one JSON object of describe-* keys', at);
            break;
          case S.BeforeKey:
            if (c === 34) {
              begin(i - 1);
              inString = true;
              depth = 0;
              state = S.Key;
            } else if (c === 125 && Object.keys(out).length === 0) state = S.End;
            else fail('expected a key', at);
            break;
          case S.BeforeColon:
            if (c === 58) state = S.BeforeValue;
            else fail("expected ':'", at);
            break;
          case S.BeforeValue:
            if (c === 91) {
              if (maxDepth < 2) tooDeep();
              array = [];
              needElement = false;
              state = S.BeforeElement;
              break;
            }
            i--; // the value's first byte
            begin(i);
            depth = 0;
            inString = false;
            state = S.Value;
            break;
          case S.BeforeElement:
            if (c === 93) {
              if (needElement) fail("a ',' before ']'", at);
              store(key, array);
              state = S.AfterValue;
              break;
            }
            i--;
            if (start < 0) begin(i);
            needElement = false;
            depth = 0;
            inString = false;
            state = S.Element;
            break;
          case S.AfterElement:
            if (c === 44) {
              needElement = true;
              state = S.BeforeElement;
            } else if (c === 93) {
              if (start >= 0) for (const v of finish(buf, i - 1, true) as unknown[]) array.push(v);
              store(key, array);
              state = S.AfterValue;
            } else fail("expected ',' or ']'", at);
            break;
          case S.AfterValue:
            if (c === 44) state = S.BeforeKey;
            else if (c === 125) state = S.End;
            else fail("expected ',' or '}'", at);
            break;
          default:
            fail('unexpected data after the JSON object', at);
        }
      }
      if (start >= 0) {
        pieces.push(buf.subarray(start, n));
        start = 0;
      }
      base += n;
    }
  } finally {
    closeSync(fd);
  }
  if (state !== S.End) fail('unexpected end of the file', base);
  return out;
}
