import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotFiles } from '../../src/snapshot/read.js';
import { awsConfigDirs, CORPORA_ROOT } from '../support/corpora-dirs.js';

/** The error a call throws (its code and message), or the snapshot. */
function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    if (isWhypingError(e)) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
}

describe('loadSnapshot (one file at a time)', () => {
  it.each(awsConfigDirs(CORPORA_ROOT))('builds the same snapshot as buildSnapshot(readSnapshotFiles) for %s', (dir) => {
    expect(loadSnapshot(dir)).toEqual(buildSnapshot(readSnapshotFiles(dir)));
  });

  describe('errors', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'whyping-load-'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const folder = (name: string, files: Record<string, string>) => {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      return dir;
    };
    const same = (dir: string, opts: { maxMb?: number } = {}) => {
      const got = outcome(() => loadSnapshot(dir, opts));
      expect(got).toEqual(outcome(() => buildSnapshot(readSnapshotFiles(dir, opts))));
      return got;
    };

    it('names every file when none holds describe-* output', () => {
      const dir = folder('empty', { 'a.json': '{}', 'b.json': '[]', 'c.json': '{"Other": 1}', 'd.json': '{}' });
      expect(same(dir)).toMatchObject({ code: 'SNAPSHOT_INVALID', message: expect.stringContaining('a.json') });
    });

    it('names the file and path of an invalid value', () => {
      const dir = folder('invalid', {
        'Vpcs.json': '{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}',
        'Subnets.json': '{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/33"}]}',
      });
      expect(same(dir)).toMatchObject({
        code: 'SNAPSHOT_INVALID',
        message: expect.stringMatching(/Subnets\.json: \$\.Subnets\[0\]\.CidrBlock: not a CIDR block/),
      });
    });

    it('names the file of bad JSON', () => {
      const dir = folder('bad-json', { 'Vpcs.json': '{"Vpcs": [\n  {"VpcId": }\n]}' });
      expect(same(dir)).toMatchObject({
        code: 'SNAPSHOT_UNREADABLE',
        message: expect.stringContaining('Vpcs.json: invalid JSON'),
      });
    });

    it('refuses a snapshot over the size limit before reading it', () => {
      const dir = folder('big', { 'Vpcs.json': `{"Vpcs": [], "pad": "${'x'.repeat(1024 * 1024)}"}` });
      expect(same(dir, { maxMb: 1 })).toMatchObject({
        code: 'SNAPSHOT_UNREADABLE',
        message: expect.stringContaining('1 MB limit'),
      });
    });
  });
});
