/**
 * Data problems travel with the answers they touch. The seed lab exported without its NetworkAcls file: the loader
 * assumes each VPC's default (allow-all) network ACL and warns about the VPCs; every answer crossing those VPCs must
 * carry that warning, since its verdict rests on the assumption.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import type { Query } from '../../src/model/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

const seed = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../src/sandbox/scenarios/seed-lab.json'), 'utf8'),
) as Record<string, unknown>;

function ask(data: Record<string, unknown>, q: Query) {
  const snapshot = buildSnapshot([{ path: 'seed-lab.json', data }]);
  return diagnose(snapshot, q, resolveEndpoints(snapshot, q.from, q.to));
}

describe('warnings that concern a whole VPC', () => {
  const q: Query = { from: 'Instance - NextWork VPC 1', to: '10.2.4.95', protocol: 'icmp', port: null };

  it('reach an answer that crosses the VPC (no NetworkAcls: the default ACL is assumed)', () => {
    const { NetworkAcls: _dropped, ...withoutAcls } = seed;
    const d = ask(withoutAcls, q);
    expect(d.warnings.some((w) => w.startsWith('ASSUMED_DEFAULT: no NetworkAcls in the snapshot'))).toBe(true);
  });

  it('are absent when the data is complete', () => {
    expect(ask(seed, q).warnings).toEqual([]);
  });
});
