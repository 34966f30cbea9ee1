import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWhypingError, type WhypingError } from '../../src/errors.js';
import { isRegionName, layoutOf, parseSnapshotJson, readSnapshotFiles } from '../../src/snapshot/read.js';

function unreadable(fn: () => unknown): WhypingError {
  try {
    fn();
  } catch (e) {
    if (isWhypingError(e, 'SNAPSHOT_UNREADABLE')) return e;
    throw e;
  }
  throw new Error('expected SNAPSHOT_UNREADABLE');
}

describe('layoutOf', () => {
  it('reads the region of a per-region layout', () => {
    expect(layoutOf('/x/aws_configs/us-east-1/Vpcs.json')).toEqual({ region: 'us-east-1' });
  });

  it('reads account and region of a per-account layout', () => {
    expect(layoutOf('/x/aws_configs/accounts/028403472736/us-gov-west-1/Subnets.json')).toEqual({
      accountId: '028403472736',
      region: 'us-gov-west-1',
    });
  });

  it('reads the region suffix of old-style file names', () => {
    expect(layoutOf('/x/aws_configs/Vpcs-us-west-2.json')).toEqual({ region: 'us-west-2' });
  });

  it('says nothing for a flat layout', () => {
    expect(layoutOf('/x/aws_configs/Vpcs.json')).toEqual({});
    expect(layoutOf('/x/accounts/Vpcs.json')).toEqual({});
  });

  it('recognizes region names and nothing else', () => {
    for (const r of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'us-gov-west-1', 'cn-north-1', 'il-central-1'])
      expect(isRegionName(r), r).toBe(true);
    for (const r of ['us-east', 'aws_configs', 'accounts', 'us-east-1a', 'US-EAST-1'])
      expect(isRegionName(r), r).toBe(false);
  });
});

describe('readSnapshotFiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'whyping-read-'));
    const regional = join(dir, 'aws_configs', 'accounts', '111122223333', 'eu-west-1');
    mkdirSync(regional, { recursive: true });
    writeFileSync(join(regional, 'Vpcs.json'), JSON.stringify({ Vpcs: [] }));
    writeFileSync(join(dir, 'aws_configs', 'Subnets-us-west-2.json'), JSON.stringify({ Subnets: [] }));
    writeFileSync(join(dir, 'observed.json'), JSON.stringify({ observations: [] }));
    writeFileSync(join(dir, 'notes.txt'), 'not json');
    mkdirSync(join(dir, 'bad'));
    writeFileSync(
      join(dir, 'bad', 'RouteTables.json'),
      '{\n  "RouteTables": [\n    {"RouteTableId": "rtb-1",,}\n  ]\n}\n',
    );
    writeFileSync(join(dir, 'bad', 'Truncated.json'), '{\n  "Vpcs": [');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a folder recursively, only *.json, skipping observed.json, with layout metadata', () => {
    const files = readSnapshotFiles(join(dir, 'aws_configs'));
    expect(files.map((f) => f.path.slice(dir.length + 1)).sort()).toEqual([
      join('aws_configs', 'Subnets-us-west-2.json'),
      join('aws_configs', 'accounts', '111122223333', 'eu-west-1', 'Vpcs.json'),
    ]);
    const vpcs = files.find((f) => f.path.endsWith('Vpcs.json'));
    expect(vpcs).toMatchObject({ accountId: '111122223333', region: 'eu-west-1', data: { Vpcs: [] } });
    expect(files.find((f) => f.path.endsWith('Subnets-us-west-2.json'))?.region).toBe('us-west-2');
  });

  it('reads a single file', () => {
    const files = readSnapshotFiles(join(dir, 'aws_configs', 'Subnets-us-west-2.json'));
    expect(files).toHaveLength(1);
    expect(files[0]?.data).toEqual({ Subnets: [] });
  });

  it('fails on a missing path with the path in the message', () => {
    const e = unreadable(() => readSnapshotFiles(join(dir, 'nope')));
    expect(e.message).toContain(join(dir, 'nope'));
    expect(e.message).toContain('no such file or folder');
    expect(e.exitCode).toBe(2);
  });

  it('fails on bad JSON naming the file, line and column, on one line', () => {
    const e = unreadable(() => readSnapshotFiles(join(dir, 'bad', 'RouteTables.json')));
    expect(e.message).toContain(join(dir, 'bad', 'RouteTables.json'));
    expect(e.message).toMatch(/line 3 column 30/);
    expect(e.message).not.toContain('\n');
  });

  it('fails on truncated JSON pointing at the end of the file', () => {
    const e = unreadable(() => readSnapshotFiles(join(dir, 'bad', 'Truncated.json')));
    expect(e.message).toMatch(/Truncated\.json: invalid JSON at line 2 column 12/);
  });

  it('fails on a folder with no JSON at all', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(unreadable(() => readSnapshotFiles(empty)).message).toContain('no .json files');
  });

  it('ignores a byte-order mark', () => {
    expect(parseSnapshotJson('x.json', '\ufeff{"Vpcs": []}')).toEqual({ Vpcs: [] });
  });

  it('reads UTF-8 text beside plain ASCII files, a byte-order mark included', () => {
    const utf8 = join(dir, 'utf8');
    mkdirSync(utf8);
    const tags = [{ Key: 'Name', Value: 'café ☕ 東京' }];
    writeFileSync(join(utf8, 'a.json'), JSON.stringify({ Vpcs: [{ VpcId: 'vpc-1', Tags: tags }] }));
    writeFileSync(join(utf8, 'b.json'), `\ufeff${JSON.stringify({ Subnets: [{ SubnetId: 's-1', Tags: tags }] })}`);
    writeFileSync(join(utf8, 'c.json'), JSON.stringify({ Vpcs: [{ VpcId: 'vpc-2' }] }));
    const [a, b, c] = readSnapshotFiles(utf8).map((f) => f.data);
    expect(a).toEqual({ Vpcs: [{ VpcId: 'vpc-1', Tags: tags }] });
    expect(b).toEqual({ Subnets: [{ SubnetId: 's-1', Tags: tags }] });
    expect(c).toEqual({ Vpcs: [{ VpcId: 'vpc-2' }] });
  });
});
