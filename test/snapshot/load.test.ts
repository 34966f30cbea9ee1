import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { LateItems, Merger } from '../../src/snapshot/merge.js';
import { readSnapshotFiles, scanTopLevelKeys } from '../../src/snapshot/read.js';
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

describe('loadSnapshot (by need: a file is parsed when the build first needs one of its keys)', () => {
  it.each(awsConfigDirs(CORPORA_ROOT))('builds the same snapshot as buildSnapshot(readSnapshotFiles) for %s', (dir) => {
    expect(loadSnapshot(dir)).toEqual(buildSnapshot(readSnapshotFiles(dir)));
  });

  it('gives the same snapshot when the bigger files are read in chunks beside the others', () => {
    const dir = awsConfigDirs(CORPORA_ROOT).find((d) => d.includes('aws_demo'));
    if (!dir) throw new Error('aws_demo is in test/fixtures/corpora');
    // Files over 8 kB (security groups, instances, ENIs, endpoint services) stream; the rest load by need.
    const chunked = loadSnapshot(dir, { streamAboveBytes: 8 * 1024, chunkBytes: 4096, batchBytes: 2048 });
    expect(chunked).toEqual(loadSnapshot(dir));
    expect(chunked.networkInterfaces.size).toBeGreaterThan(0);
  });

  it('tells onProgress of each file: every one checked in file order, then each parsed once, as the build needs it', () => {
    const dir = awsConfigDirs(CORPORA_ROOT).find((d) => d.includes('aws_demo'));
    if (!dir) throw new Error('aws_demo is in test/fixtures/corpora');
    const seen: { phase: string; path: string; done: number; total: number }[] = [];
    const s = loadSnapshot(dir, { onProgress: (p) => seen.push({ ...p, path: p.file.path }) });
    expect(s).toEqual(loadSnapshot(dir));
    const checked = seen.filter((p) => p.phase === 'check');
    const parsed = seen.filter((p) => p.phase === 'parse');
    const total = checked[0]?.total ?? 0;
    expect(total).toBeGreaterThan(5);
    expect(checked.map((p) => p.done)).toEqual([...Array(total).keys()]);
    expect(parsed.map((p) => p.done)).toEqual([...Array(total).keys()]);
    expect(new Set(parsed.map((p) => p.path))).toEqual(new Set(checked.map((p) => p.path)));
    expect(seen.every((p) => p.total === total)).toBe(true);
    // Every check comes before the first parse: the first pass reads each file's keys, then the build parses.
    expect(seen.findIndex((p) => p.phase === 'parse')).toBe(total);
  });

  it('tells onProgress after each chunk of a file read in chunks, up to the whole file', () => {
    const dir = awsConfigDirs(CORPORA_ROOT).find((d) => d.includes('aws_demo'));
    if (!dir) throw new Error('aws_demo is in test/fixtures/corpora');
    const chunks = new Map<string, number[]>();
    const sizes = new Map<string, number>();
    loadSnapshot(dir, {
      streamAboveBytes: 8 * 1024,
      chunkBytes: 4096,
      onProgress: (p) => {
        sizes.set(p.file.path, p.file.size);
        if (p.bytesRead !== undefined) chunks.set(p.file.path, [...(chunks.get(p.file.path) ?? []), p.bytesRead]);
      },
    });
    const streamed = [...sizes].filter(([, size]) => size > 8 * 1024).map(([path]) => path);
    expect(streamed.length).toBeGreaterThan(0);
    expect([...chunks.keys()].sort()).toEqual(streamed.sort());
    for (const path of streamed) {
      const told = chunks.get(path) ?? [];
      expect(told.length).toBe(Math.ceil((sizes.get(path) ?? 0) / 4096));
      expect(told.every((b, i) => i === 0 || b > (told[i - 1] ?? 0))).toBe(true);
      expect(told.at(-1)).toBe(sizes.get(path));
    }
  });

  it('tells onProgress after each chunk of a single-file snapshot read in chunks', () => {
    const file = join(import.meta.dirname, '../fixtures/cli/seed-lab-fixed.json');
    const told: { phase: string; done: number; total: number; bytesRead?: number }[] = [];
    const s = loadSnapshot(file, {
      streamAboveBytes: 8 * 1024,
      chunkBytes: 4096,
      onProgress: ({ phase, done, total, bytesRead, file: f }) => {
        told.push({ phase, done, total, ...(bytesRead !== undefined ? { bytesRead } : {}) });
        expect(f.path).toBe(file);
      },
    });
    expect(s).toEqual(loadSnapshot(file));
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8 * 1024);
    expect(told[0]).toEqual({ phase: 'parse', done: 0, total: 1 });
    const chunks = told.slice(1).map((t) => t.bytesRead);
    expect(chunks).toEqual(Array.from({ length: Math.ceil(size / 4096) }, (_, i) => Math.min(size, (i + 1) * 4096)));
  });

  it('tells onProgress of the one file of a single-file snapshot, parsed', () => {
    const file = join(import.meta.dirname, '../fixtures/cli/seed-lab-fixed.json');
    const seen: string[] = [];
    loadSnapshot(file, { onProgress: (p) => seen.push(`${p.phase} ${p.done}/${p.total} ${p.file.path}`) });
    expect(seen).toEqual([`parse 0/1 ${file}`]);
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

    it('gives what reading every file in file order gives, whatever order the build needs the keys in', () => {
      // Build order (prefix lists, VPCs, subnets, … security groups, ENIs, instances) against file order (a…z): the
      // VPCs come last; d-groups.json is parsed for its subnets before a-groups-and-enis.json, yet the copy of sg-1
      // kept is a's (the first in file order); a file holds another tool's JSON, another is not an object (a warning).
      const dir = folder('by-need', {
        'a-groups-and-enis.json': JSON.stringify({
          NetworkInterfaces: [
            { NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-1', VpcId: 'vpc-1', PrivateIpAddress: '10.0.0.5' },
          ],
          SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'first', VpcId: 'vpc-1', IpPermissions: [] }],
        }),
        'b-list.json': '[1, 2]',
        'c-other-tool.json': '{"Findings": [{"Id": "x"}]}',
        'd-groups.json': JSON.stringify({
          Subnets: [{ SubnetId: 'subnet-2', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24' }],
          SecurityGroups: [
            { GroupId: 'sg-1', GroupName: 'second copy', VpcId: 'vpc-1', IpPermissions: [] },
            { GroupId: 'sg-2', GroupName: 'web', VpcId: 'vpc-1', IpPermissions: [] },
          ],
        }),
        'e-subnets.json': '\ufeff{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24"}]}',
        'z-vpcs.json': '{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}',
      });
      const got = loadSnapshot(dir);
      const want = buildSnapshot(readSnapshotFiles(dir));
      expect(got).toEqual(want);
      expect([...got.presentKeys]).toEqual([...want.presentKeys]);
      expect(got.warnings).toEqual(want.warnings);
      expect(got.securityGroups.get('sg-1' as never)?.groupName).toBe('first');
      expect(got.warnings.map((w) => w.code)).toContain('NOT_A_SNAPSHOT_FILE');
    });

    it('names the first wrong file in file order, though the build would parse a later one first', () => {
      const dir = folder('first-wrong', {
        'a-subnets.json': '{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/33"}]}',
        'z-vpcs.json': '{"Vpcs": [\n  {"VpcId": }\n]}',
      });
      // readSnapshotFiles reads every file before validating any, so it would name z-vpcs.json's bad JSON.
      expect(outcome(() => loadSnapshot(dir))).toMatchObject({
        code: 'SNAPSHOT_INVALID',
        message: expect.stringContaining('a-subnets.json: $.Subnets[0].CidrBlock'),
      });
    });

    it('still refuses bad JSON in a file whose keys no noun reads', () => {
      const dir = folder('unread-bad', {
        'Vpcs.json': '{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}',
        'notes.json': '{"Notes": [1, 2,, 3]}',
      });
      expect(same(dir)).toMatchObject({
        code: 'SNAPSHOT_UNREADABLE',
        message: expect.stringContaining('notes.json: invalid JSON'),
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

describe('scanTopLevelKeys', () => {
  const scan = (text: string) => scanTopLevelKeys(Buffer.from(text, 'utf8'));

  it('lists the top-level keys in order, and only those', () => {
    expect(scan('{"Vpcs": [{"VpcId": "vpc-1", "Tags": [{"Key": "a"}]}], "Subnets": [], "NextToken": "x"}')).toEqual([
      'Vpcs',
      'Subnets',
      'NextToken',
    ]);
  });

  it('reads keys with escapes and multi-byte characters, and skips brackets and quotes inside strings', () => {
    expect(scan('{"a\\"b": "x]}\\"{", "é\\u00e9": {"c": "[["}, "d": 1}')).toEqual(['a"b', 'éé', 'd']);
    expect(scan('\ufeff {"Vpcs": []}')).toEqual(['Vpcs']);
  });

  it('cannot tell (null) for a top level that is not an object, cut-short or unbalanced text, or deep nesting', () => {
    expect(scan('[{"Vpcs": []}]')).toBeNull();
    expect(scan('{"Vpcs": [')).toBeNull();
    expect(scan('{"Vpcs": "unterminated}')).toBeNull();
    expect(scan(`{"Junk": ${'['.repeat(70)}${']'.repeat(70)}}`)).toBeNull();
    expect(scan(`{"Fine": ${'['.repeat(60)}${']'.repeat(60)}}`)).toEqual(['Fine']);
    // A key that is not valid UTF-8.
    expect(scanTopLevelKeys(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x5b, 0x5d, 0x7d]))).toBeNull();
  });
});

describe('Merger.deferTo', () => {
  const vpcs = (path: string, id: string) => ({ path, data: { Vpcs: [{ VpcId: id, CidrBlock: '10.0.0.0/16' }] } });

  it('hands a key its items in file order, parsing the files that hold it when the build first reads it', () => {
    const m = new Merger();
    const asked: string[] = [];
    m.deferTo((key) => {
      asked.push(key);
      if (key === 'Vpcs') {
        m.addFile(vpcs('c.json', 'vpc-c'), 2);
        m.addFile(vpcs('a.json', 'vpc-a'), 0);
      }
    });
    expect(m.inputs.Vpcs.map((x) => x.value.VpcId)).toEqual(['vpc-a', 'vpc-c']);
    expect(m.inputs.Vpcs.map((x) => x.file.path)).toEqual(['a.json', 'c.json']);
    expect(m.inputs.Subnets).toEqual([]);
    expect(asked).toEqual(['Vpcs', 'Subnets']);
  });

  it('refuses items for a key the build already read (loadSnapshot then reads the folder in file order)', () => {
    const m = new Merger();
    m.deferTo(() => {});
    expect(m.inputs.Vpcs).toEqual([]);
    expect(() => m.addFile(vpcs('late.json', 'vpc-1'), 5)).toThrow(LateItems);
  });
});
