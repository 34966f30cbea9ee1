/**
 * Files above the streaming threshold are read in chunks (src/snapshot/stream.ts). The threshold, chunk and batch
 * sizes are lowered here so small files take that path: the result must equal the one-string read, and malformed
 * JSON must still be SNAPSHOT_UNREADABLE naming file, line and column. (A file over V8's string limit is loaded by
 * `npx tsx bench/big-file.ts`, not here.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { buildSnapshot, readSnapshotFiles } from '../../src/snapshot/index.js';

const LABS = resolve(import.meta.dirname, '../fixtures/corpora/lab-validation/snapshots');
const tmp = mkdtempSync(join(tmpdir(), 'whyping-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TINY = { streamAboveBytes: 0, chunkBytes: 97, batchBytes: 300 };

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

describe('reading a snapshot in chunks', () => {
  it.each(['aws_demo', 'aws_tgw_peering', 'aws_multi_account_vpc_peering'])(
    'gives the same files and snapshot as one JSON.parse (%s)',
    (lab) => {
      const dir = join(LABS, lab, 'aws_configs');
      const whole = readSnapshotFiles(dir);
      const chunked = readSnapshotFiles(dir, TINY);
      expect(JSON.stringify(chunked)).toBe(JSON.stringify(whole));
      const ser = (v: unknown) =>
        JSON.stringify(v, (_k, x) => (x instanceof Map ? [...x] : x instanceof Set ? [...x] : x));
      expect(ser(buildSnapshot(chunked))).toBe(ser(buildSnapshot(whole)));
    },
  );

  it('keeps strings with brackets, escapes and multi-byte characters whole across chunk borders', () => {
    const data = {
      Vpcs: Array.from({ length: 40 }, (_, i) => ({
        VpcId: `vpc-${i}`,
        Tags: [{ Key: 'Name', Value: `ü[}"\\ ${'é'.repeat(i)} 東京` }],
      })),
      NextToken: null,
      PrefixListEntries: { 'pl-1': [{ Cidr: '10.0.0.0/8' }] },
    };
    const path = file('tricky.json', `\uFEFF${JSON.stringify(data, null, 1)}\n`);
    for (const chunkBytes of [1, 2, 3, 5, 64]) {
      const [f] = readSnapshotFiles(path, { ...TINY, chunkBytes });
      expect(f?.data).toEqual(data);
    }
  });

  it.each([
    ['{"Vpcs": [{"VpcId": "vpc-1"},]}', "line 1 column 30: a ',' before ']'"],
    ['{"Vpcs": [{"VpcId": "vpc-1"}', 'line 1 column 29: unexpected end of the file'],
    ['{"a": 1,}', 'line 1 column 9: expected a key'],
    ['{"a": 1} x', 'line 1 column 10: unexpected data after the JSON object'],
    ['[{"VpcId": "vpc-1"}]', 'line 1 column 1: a snapshot file this big must be one JSON object'],
    ['{"Vpcs": [\n  {"VpcId": "vpc-1",\n   "X": tru}]}', 'in the value starting at line 2 column 3'],
  ])('refuses %j with the place of the problem', (text, where) => {
    const e = errorOf(() => readSnapshotFiles(file('bad.json', text), TINY));
    expect(isWhypingError(e, 'SNAPSHOT_UNREADABLE')).toBe(true);
    expect(e.message).toContain(`bad.json: invalid JSON ${where.startsWith('in ') ? '' : 'at '}${where}`);
  });

  it('refuses JSON nested deeper than describe-* output, as the one-string read does', () => {
    const deep = `{"Vpcs": [${'['.repeat(70)}${']'.repeat(70)}]}`;
    const e = errorOf(() => readSnapshotFiles(file('deep.json', deep), TINY));
    expect(e.message).toContain('JSON nested more than 64 levels deep');
  });
});
