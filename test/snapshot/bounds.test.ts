/**
 * Snapshot input is bounded: only regular files and folders are read, the total size is capped
 * (WHYPING_MAX_SNAPSHOT_MB), JSON deeper than any describe-* output is refused before anything walks it, and
 * validation stops after 100 problems and says how many it saw.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { MAX_REPORTED_ISSUES } from '../../src/snapshot/build.js';
import { buildSnapshot, readSnapshotFiles } from '../../src/snapshot/index.js';

const dir = mkdtempSync(join(tmpdir(), 'whyping-bounds-'));

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isWhypingError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('accepted');
}

describe('reading a snapshot', () => {
  it('refuses a FIFO before reading from it (it would wait forever)', () => {
    const fifo = join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const f = failure(() => readSnapshotFiles(fifo));
    expect(f.code).toBe('SNAPSHOT_UNREADABLE');
    expect(f.message).toContain('not a regular file or folder');
  });

  it('refuses a device such as /dev/zero (it would grow without end)', () => {
    expect(failure(() => readSnapshotFiles('/dev/zero')).message).toContain('not a regular file or folder');
  });

  it('refuses a snapshot over the size limit, naming WHYPING_MAX_SNAPSHOT_MB, before reading it', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ Vpcs: [], Padding: 'x'.repeat(3 * 1024 * 1024) }));
    const f = failure(() => readSnapshotFiles(big, { maxMb: 2 }));
    expect(f.code).toBe('SNAPSHOT_UNREADABLE');
    expect(f.message).toMatch(/is 4 MB, over the 2 MB limit: raise WHYPING_MAX_SNAPSHOT_MB/);
    expect(readSnapshotFiles(big, { maxMb: 4 })).toHaveLength(1);
  });

  it('refuses JSON nested deeper than any describe-* output, without overflowing the stack', () => {
    const deep = join(dir, 'deep.json');
    writeFileSync(
      deep,
      `{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16","Junk":${'['.repeat(100000)}${']'.repeat(100000)}}]}`,
    );
    expect(failure(() => readSnapshotFiles(deep)).message).toContain('nested more than 64 levels deep');
  });

  it('does not count brackets inside strings as nesting', () => {
    const names = join(dir, 'names.json');
    writeFileSync(
      names,
      JSON.stringify({
        Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', Tags: [{ Key: 'Name', Value: '['.repeat(500) }] }],
      }),
    );
    expect(buildSnapshot(readSnapshotFiles(names)).vpcs.size).toBe(1);
  });

  it('knows where a string with escaped quotes and backslashes ends', () => {
    const tags = (value: string) => [{ Key: 'Name', Value: value }];
    const escapes = join(dir, 'escapes.json');
    writeFileSync(
      escapes,
      JSON.stringify({
        Vpcs: [
          { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', Tags: tags(`a\\"${'['.repeat(100)}\\\\`) },
          { VpcId: 'vpc-2', CidrBlock: '10.1.0.0/16', Tags: tags(`\\\\"${'{'.repeat(100)}`) },
        ],
      }),
    );
    expect(buildSnapshot(readSnapshotFiles(escapes)).vpcs.size).toBe(2);
    const deep = join(dir, 'deep-after-escapes.json');
    writeFileSync(deep, `{"Vpcs":[{"VpcId":"vpc-1\\\\","Junk":${'['.repeat(70)}${']'.repeat(70)}}]}`);
    expect(failure(() => readSnapshotFiles(deep)).message).toContain('nested more than 64 levels deep');
  });
});

describe('validating a snapshot', () => {
  it('stops after 100 problems and reports the first and the count (a huge file of empty objects)', () => {
    const empties = { path: 'empties.json', data: { Vpcs: Array.from({ length: 200000 }, () => ({})) } };
    const f = failure(() => buildSnapshot([empties]));
    expect(f.code).toBe('SNAPSHOT_INVALID');
    expect(f.message).toContain('$.Vpcs[0]');
    expect(f.message).toContain(`(${MAX_REPORTED_ISSUES} or more problems in all; checking stopped there)`);
  });

  it('counts the problems when there are fewer than 100', () => {
    const two = { path: 'two.json', data: { Vpcs: [{}, { VpcId: 'vpc-2', CidrBlock: '10.0.0.0/16' }, {}] } };
    const f = failure(() => buildSnapshot([two]));
    expect(f.message).toContain('(2 problems in all)');
  });
});
