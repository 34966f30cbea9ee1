/**
 * Data problems travel with the answers they touch. The seed lab exported without its NetworkAcls file: the loader
 * assumes each VPC's default (allow-all) network ACL and warns about the VPCs; every answer crossing those VPCs must
 * carry that warning, since its verdict rests on the assumption.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/snapshot/index.js';
import { ask } from './helpers.js';

const SEED = resolve(import.meta.dirname, '../../src/sandbox/scenarios/seed-lab.json');
const seed = JSON.parse(readFileSync(SEED, 'utf8')) as Record<string, unknown>;
const VM1 = 'Instance - NextWork VPC 1';

describe('warnings that concern a whole VPC', () => {
  it('reach an answer that crosses the VPC (no NetworkAcls: the default ACL is assumed)', () => {
    const { NetworkAcls: _dropped, ...withoutAcls } = seed;
    const d = ask(buildSnapshot([{ path: SEED, data: withoutAcls }]), VM1, '10.2.4.95');
    expect(d.warnings.some((w) => w.startsWith('ASSUMED_DEFAULT: no NetworkAcls in the snapshot'))).toBe(true);
  });

  it('are absent when the data is complete', () => {
    expect(ask(buildSnapshot([{ path: SEED, data: seed }]), VM1, '10.2.4.95').warnings).toEqual([]);
  });
});
