/**
 * Reads a JSON object from a file in chunks, for files too big for one string (V8 refuses strings over ~512 MiB, so
 * `readFileSync(…, 'utf8')` + `JSON.parse` cannot load them). The top-level object is split by key; a key's array is
 * parsed a batch of elements at a time (each batch one `JSON.parse` of at most about `batchBytes`), any other value in
 * one piece. Only the parsed values and one batch of text are in memory at once. The result equals `JSON.parse` of
 * the whole text; malformed JSON is SNAPSHOT_UNREADABLE naming the file, line and column.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { WhypingError } from '../errors.js';

export interface StreamOptions {
  /** Bytes read at a time (default 8 MiB). */
  chunkBytes?: number;
  /** Array elements are parsed in batches of about this many bytes (default 16 MiB). */
  batchBytes?: number;
  /** Deeper nesting is refused (describe-* output never nests deeply). */
  maxDepth: number;
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

/** Reads and parses the JSON object in `path` chunk by chunk. */
export function readJsonObjectInChunks(path: string, opts: StreamOptions): Record<string, unknown> {
  const chunkBytes = opts.chunkBytes ?? 8 * 1024 * 1024;
  const batchBytes = opts.batchBytes ?? 16 * 1024 * 1024;
  const out: Record<string, unknown> = {};
  let state: number = S.BeforeObject;
  let needElement = false;
  let bom = 0; // bytes of a leading byte order mark seen
  let key = '';
  let array: unknown[] = [];
  // The value (or batch of elements) being captured: pieces of earlier chunks, and where it starts in this one.
  let pieces: Buffer[] = [];
  let start = -1;
  let captureLine = 1;
  let captureColumn = 1;
  let captureOffset = 0;
  // Scanning a value: nesting depth within it, inside a string, after a backslash.
  let depth = 0;
  let inString = false;
  let escaped = false;
  // Position, for messages.
  let offset = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (why: string, at = offset): never => {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: invalid JSON at line ${line} column ${at - lineStart + 1}: ${why}. Fix the file or remove it from the snapshot folder.`,
      { file: path },
    );
  };
  const tooDeep = (): never => {
    throw new WhypingError(
      'SNAPSHOT_UNREADABLE',
      `${path}: JSON nested more than ${opts.maxDepth} levels deep (describe-* output never is). Fix the file or remove it from the snapshot folder.`,
      { file: path },
    );
  };
  const begin = (i: number) => {
    pieces = [];
    start = i;
    captureLine = line;
    captureColumn = offset - lineStart + 1;
    captureOffset = offset;
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
      let l = captureLine;
      let col = captureColumn;
      let where = 'in the value starting at';
      if (pos?.[1]) {
        where = 'at';
        const upTo = Number(pos[1]) - (wrap ? 1 : 0);
        for (let k = 0; k < upTo && k < text.length; k++) {
          if (text.charCodeAt(k) === 10) {
            l++;
            col = 1;
          } else col++;
        }
      }
      const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
      throw new WhypingError(
        'SNAPSHOT_UNREADABLE',
        `${path}: invalid JSON ${where} line ${l} column ${col}: ${reason}. Fix the file or remove it from the snapshot folder.`,
        { file: path, offset: captureOffset },
        { cause: e },
      );
    }
  };
  const store = (k: string, v: unknown) => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };

  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      const buf = n < chunkBytes ? chunk.subarray(0, n) : chunk;
      for (let i = 0; i < n; i++, offset++) {
        const c = buf[i] as number;
        if (c === 10) {
          line++;
          lineStart = offset + 1;
        }
        switch (state) {
          case S.BeforeObject:
            if (offset === bom && bom < 3 && c === BOM[bom]) bom++;
            else if (c === 123 && (bom === 0 || bom === 3)) state = S.BeforeKey;
            else if (!isSpace(c)) fail('a snapshot file this big must be one JSON object of describe-* keys');
            break;
          case S.BeforeKey:
            if (c === 34) {
              begin(i);
              inString = true;
              escaped = false;
              state = S.Key;
            } else if (c === 125 && Object.keys(out).length === 0) state = S.End;
            else if (!isSpace(c)) fail('expected a key');
            break;
          case S.Key:
            if (escaped) escaped = false;
            else if (c === 92) escaped = true;
            else if (c === 34) {
              key = finish(buf, i + 1, false) as string;
              state = S.BeforeColon;
            }
            break;
          case S.BeforeColon:
            if (c === 58) state = S.BeforeValue;
            else if (!isSpace(c)) fail("expected ':'");
            break;
          case S.BeforeValue:
            if (isSpace(c)) break;
            if (c === 91) {
              if (opts.maxDepth < 2) tooDeep();
              array = [];
              needElement = false;
              state = S.BeforeElement;
              break;
            }
            begin(i);
            depth = 0;
            inString = false;
            escaped = false;
            state = S.Value;
            i--; // scan this byte as part of the value
            offset--;
            if (c === 10) line--;
            break;
          case S.BeforeElement:
            if (isSpace(c)) break;
            if (c === 93) {
              if (needElement) fail("a ',' before ']'");
              store(key, array);
              state = S.AfterValue;
              break;
            }
            if (start < 0) begin(i);
            needElement = false;
            depth = 0;
            inString = false;
            escaped = false;
            state = S.Element;
            i--;
            offset--;
            if (c === 10) line--;
            break;
          case S.Value:
          case S.Element: {
            // Scans one value; it ends after a closing bracket or string at depth 0, or before a delimiter.
            let ended = -1; // exclusive end in this chunk
            let reprocess = false;
            if (inString) {
              if (escaped) escaped = false;
              else if (c === 92) escaped = true;
              else if (c === 34) {
                inString = false;
                if (depth === 0) ended = i + 1;
              }
            } else if (c === 34) inString = true;
            else if (c === 91 || c === 123) {
              depth++;
              if (depth + (state === S.Element ? 2 : 1) > opts.maxDepth) tooDeep();
            } else if (c === 93 || c === 125) {
              if (depth === 0) {
                ended = i;
                reprocess = true;
              } else if (--depth === 0) ended = i + 1;
            } else if (depth === 0 && (c === 44 || isSpace(c))) {
              ended = i;
              reprocess = true;
            }
            if (ended < 0) break;
            if (state === S.Value) {
              store(key, finish(buf, ended, false));
              state = S.AfterValue;
            } else {
              // Batch size: from the batch's first byte to this element's end.
              if (offset + (ended - i) - captureOffset >= batchBytes) {
                for (const v of finish(buf, ended, true) as unknown[]) array.push(v);
              }
              state = S.AfterElement;
            }
            if (reprocess) {
              i--;
              offset--;
              if (c === 10) line--;
            }
            break;
          }
          case S.AfterElement:
            if (c === 44) {
              needElement = true;
              state = S.BeforeElement;
            } else if (c === 93) {
              if (start >= 0) for (const v of finish(buf, i, true) as unknown[]) array.push(v);
              store(key, array);
              state = S.AfterValue;
            } else if (!isSpace(c)) fail("expected ',' or ']'");
            break;
          case S.AfterValue:
            if (c === 44) state = S.BeforeKey;
            else if (c === 125) state = S.End;
            else if (!isSpace(c)) fail("expected ',' or '}'");
            break;
          case S.End:
            if (!isSpace(c)) fail('unexpected data after the JSON object');
            break;
        }
      }
      if (start >= 0) {
        pieces.push(buf.subarray(start, n));
        start = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (state !== S.End) fail('unexpected end of the file');
  return out;
}
