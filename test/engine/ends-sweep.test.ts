/**
 * Every kind of end a user types, on every snapshot in test/fixtures/corpora: instance ids and Name tags, ENI ids,
 * private, public, Elastic and NAT gateway addresses, load balancer names and DNS names, unheld addresses inside a VPC's
 * range, `internet`, `eic`, CIDRs, malformed and empty text, over ICMP, TCP and UDP. A seeded sample of pairs; each must
 * end in an answer or in a WhypingError (the refusal a user reads), never in any other exception, and each answer must
 * render as text, JSON and the two Slack messages, within Slack's limits. robustness.test.ts checks the answers' shape
 * on pairs of interfaces; this one checks that no typed end reaches an internal error.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/synthetic.js';
import { diagnose } from '../../src/engine/index.js';
import { WhypingError } from '../../src/errors.js';
import type { Protocol, Query, Snapshot } from '../../src/model/index.js';
import { detailsMessage, verdictMessage } from '../../src/render/blocks.js';
import { renderJson } from '../../src/render/json.js';
import { numberedFixes, renderText } from '../../src/render/text.js';
import { buildSnapshot, readSnapshotFiles, resolveEndpoints } from '../../src/snapshot/index.js';
import { awsConfigDirs, CORPORA_ROOT } from '../support/corpora-dirs.js';
import { messageProblems } from '../support/slack-limits.js';

/** Questions asked per snapshot. */
const PER_SNAPSHOT = 300;
const PORTS = [22, 53, 443, 3306, 65535];

/** A seed from a snapshot's path: adding a corpus leaves the others' samples as they were. */
function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The texts a user may type for an end of a question on this snapshot, and some that name nothing. */
function endTexts(s: Snapshot): string[] {
  const ends = new Set<string>([
    'internet',
    'eic',
    '8.8.8.8',
    '0.0.0.0/0',
    '10.0.0.0/8',
    '2600:1f18::1',
    '300.1.1.1',
    '10.1.2',
    'i-0123456789abcdef0',
    'eni-0123456789abcdef0',
    'no such host',
    '',
  ]);
  for (const i of s.instances.values()) {
    ends.add(i.id);
    if (i.name) ends.add(i.name);
    if (i.privateIp) ends.add(i.privateIp);
    if (i.publicIp) ends.add(i.publicIp);
  }
  for (const e of s.networkInterfaces.values()) {
    ends.add(e.id);
    for (const p of e.privateIps) {
      ends.add(p.address);
      if (p.publicIp) ends.add(p.publicIp);
    }
    for (const a of e.ipv6Addresses) ends.add(a);
  }
  for (const n of s.natGateways.values())
    for (const a of n.addresses) {
      if (a.publicIp) ends.add(a.publicIp);
      if (a.privateIp) ends.add(a.privateIp);
    }
  for (const a of s.addresses.values()) ends.add(a.publicIp);
  for (const v of s.vpcs.values())
    for (const c of v.cidrs) {
      const [a, b] = c.split('.');
      ends.add(`${a}.${b}.255.254`); // in the VPC's range, held by nothing (most likely)
    }
  for (const lb of s.loadBalancing?.loadBalancers.values() ?? []) {
    ends.add(lb.name);
    if (lb.dnsName) ends.add(lb.dnsName);
  }
  return [...ends];
}

const dirs = awsConfigDirs();

describe('every kind of typed end, on every corpus snapshot', () => {
  it('finds the corpus snapshots', () => {
    expect(dirs.length).toBeGreaterThan(20);
  });

  for (const dir of dirs) {
    it(`answers or refuses, never fails, on ${dir.slice(CORPORA_ROOT.length + 1)}`, () => {
      let s: Snapshot;
      try {
        s = buildSnapshot(readSnapshotFiles(dir));
      } catch {
        return; // the loader refusing a snapshot is the loader's business (tested in test/snapshot)
      }
      const ends = endTexts(s);
      const rand = rng(hashOf(dir.slice(CORPORA_ROOT.length)));
      const pick = () => ends[Math.floor(rand() * ends.length)] ?? '';
      const failures: string[] = [];
      let answered = 0;
      let refused = 0;
      for (let k = 0; k < PER_SNAPSHOT; k++) {
        const r = rand();
        const protocol: Protocol = r < 0.4 ? 'icmp' : r < 0.85 ? 'tcp' : 'udp';
        const q: Query = {
          from: pick(),
          to: pick(),
          protocol,
          port: protocol === 'icmp' ? null : (PORTS[k % PORTS.length] ?? 22),
        };
        try {
          const d = diagnose(s, q, resolveEndpoints(s, q.from, q.to));
          // diagnose answers an exception inside the walk as "not analyzed: internal error" instead of throwing.
          if (d.notAnalyzed?.component === 'engine') failures.push(`${JSON.stringify(q)}: ${d.notAnalyzed.reason}`);
          const fixNumbers = new Map(numberedFixes(d).map((f, i) => [f.id, i + 1]));
          expect(renderText(d, { width: 80, fixNumbers }).length).toBeGreaterThan(0);
          expect(JSON.parse(renderJson(d))).toBeTypeOf('object');
          const problems = [
            ...messageProblems(verdictMessage(d, { detailsInThread: true })),
            ...messageProblems(detailsMessage(d, fixNumbers)),
          ];
          if (problems.length > 0) failures.push(`${JSON.stringify(q)}: ${problems.join('; ')}`);
          answered++;
        } catch (e) {
          if (e instanceof WhypingError && e.code !== 'INTERNAL') refused++;
          else failures.push(`${JSON.stringify(q)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        }
      }
      expect(failures.slice(0, 3)).toEqual([]);
      expect(answered + refused).toBe(PER_SNAPSHOT);
      // The sample is not all refusals: ends drawn from the snapshot resolve, so its questions get answers.
      if (s.networkInterfaces.size > 0) expect(answered).toBeGreaterThan(0);
    });
  }
});
