/**
 * A snapshot that holds only one side of a transit gateway peering (the peer's account or region was not exported):
 * the far gateway is unknown, so the answer is "not analyzed" at that gateway, never a blocker the far side may not
 * have. Data: batfish/lab-validation aws_tgw_peering (Apache-2.0; see test/fixtures/corpora/README.md).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import { loadSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

const LAB = join(import.meta.dirname, '../fixtures/corpora/lab-validation/snapshots/aws_tgw_peering/aws_configs');
const ACCOUNT = 'accounts/028403472736';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The lab with only `region` of its account. */
function oneRegion(region: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'whyping-partial-'));
  dirs.push(dir);
  cpSync(join(LAB, ACCOUNT, region), join(dir, 'aws_configs', ACCOUNT, region), { recursive: true });
  return join(dir, 'aws_configs');
}

function ask(path: string, from: string, to: string) {
  const s = loadSnapshot(path);
  const q = { from, to, protocol: 'icmp' as const, port: null };
  return diagnose(s, q, resolveEndpoints(s, from, to));
}

describe('a transit gateway peering whose far side the snapshot does not hold', () => {
  it('is reachable with both regions (the measured answer)', () => {
    expect(ask(LAB, '10.1.1.100', '10.3.1.100').reachable).toBe(true);
  });

  it('stops at the far gateway as not analyzed, with no blocker, when only the near region is there', () => {
    const d = ask(oneRegion('us-east-1'), '10.1.1.100', '10.3.1.100');
    expect(d.reachable).toBeNull();
    expect(d.findings.map((f) => f.code)).toEqual([]);
    expect(d.notAnalyzed).toMatchObject({ component: 'transit-gateway' });
    expect(d.notAnalyzed?.reason).toMatch(/^tgw-\w+, the far side of peering tgw-attach-\w+, is not in the snapshot$/);
  });
});
