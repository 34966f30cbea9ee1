/** The Block Kit presenter keeps Slack's limits on every answer, escapes mrkdwn, and points to the CLI when it cuts. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import type { Diagnosis, Query } from '../../src/model/index.js';
import { detailsMessage, escapeMrkdwn, verdictMessage } from '../../src/render/blocks.js';
import { numberedFixes } from '../../src/render/text.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { readSnapshotFiles } from '../../src/snapshot/read.js';
import { resolveEndpoints } from '../../src/snapshot/resolve.js';
import { awsConfigDirs } from '../support/corpora-dirs.js';
import { limitProblems } from '../support/slack-limits.js';
import { seedDiagnosis } from './sample.js';

function numbers(d: Diagnosis): Map<string, number> {
  return new Map(numberedFixes(d).map((f, i) => [f.id, i + 1]));
}

describe('the Block Kit presenter', () => {
  it('keeps every limit on the largest diagnosis in the corpora', () => {
    let largest: Diagnosis | null = null;
    let size = 0;
    for (const dir of awsConfigDirs()) {
      const snapshot = buildSnapshot(readSnapshotFiles(dir));
      const instances = [...snapshot.instances.values()].filter((i) => i.state === 'running').slice(0, 5);
      for (const a of instances) {
        for (const b of instances) {
          if (a === b) continue;
          for (const q of [
            { from: a.id, to: b.id, protocol: 'icmp', port: null },
            { from: a.id, to: b.id, protocol: 'tcp', port: 443 },
          ] as Query[]) {
            try {
              const d = diagnose(snapshot, q, resolveEndpoints(snapshot, q.from, q.to));
              const n = JSON.stringify(d).length;
              if (n > size) [largest, size] = [d, n];
            } catch {
              // An end that does not resolve (no address): not a diagnosis.
            }
          }
        }
      }
    }
    expect(largest).not.toBeNull();
    const d = largest as unknown as Diagnosis;
    expect(limitProblems(detailsMessage(d, numbers(d)).blocks)).toEqual([]);
    expect(limitProblems(verdictMessage(d).blocks)).toEqual([]);
  });

  it("shows the fixes by number as the shell does, the ids only in the buttons' values", () => {
    const d = seedDiagnosis();
    const msg = detailsMessage(d, numbers(d));
    const text = JSON.stringify(msg.blocks.filter((b) => b.type === 'section'));
    const fixes = d.findings.flatMap((f) => (f.fix ? [f.fix] : []));
    expect(fixes.length).toBeGreaterThan(0);
    for (const f of fixes) {
      expect(text).not.toContain(f.id);
      expect(text).toMatch(new RegExp(`\\b${numbers(d).get(f.id)}\\. `));
    }
    const actions = JSON.stringify(msg.blocks.filter((b) => b.type === 'actions'));
    for (const f of fixes) expect(actions).toContain(f.id);
  });

  it('cuts an answer too large for one message and points to the CLI command that prints everything', () => {
    const base = seedDiagnosis();
    const finding = base.findings[0] as Diagnosis['findings'][number];
    const huge: Diagnosis = {
      ...base,
      forward: Array.from({ length: 400 }, (_, i) => ({
        ...(base.forward[0] as Diagnosis['forward'][number]),
        rule: `rule ${i} ${'x'.repeat(200)}`,
      })),
      findings: Array.from({ length: 60 }, (_, i) => ({
        ...finding,
        message: `blocker ${i} ${'y'.repeat(500)}`,
        fix: finding.fix ? { ...finding.fix, id: `fix-${i}`, summary: `change ${i} ${'z'.repeat(400)}` } : null,
      })),
    };
    const msg = detailsMessage(huge, numbers(huge));
    expect(limitProblems(msg.blocks)).toEqual([]);
    const text = JSON.stringify(msg.blocks);
    expect(text).toContain("more section(s). Everything: `whyping diagnose 'Instance - NextWork VPC 1' 10.2.4.95`");
    const actions = msg.blocks.at(-1) as { elements: { text: { text: string } }[] };
    expect(actions.elements.map((e) => e.text.text)).toEqual(expect.arrayContaining(['Fix all', 'Re-check', 'Probe']));
    // A change longer than a confirm dialog holds opens a modal instead (the value says so).
    const long = actions.elements.find((e) => e.text.text.startsWith('Fix 1:')) as unknown as {
      value: string;
      confirm?: unknown;
    };
    expect(long.confirm).toBeUndefined();
    expect(JSON.parse(long.value)).toMatchObject({ m: 1 });
  });

  it('escapes what mrkdwn would read as a mention, a link or a channel ping', () => {
    expect(escapeMrkdwn('<!channel> & <@U1|x> <http://evil|ok>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1|x&gt; &lt;http://evil|ok&gt;',
    );
  });
});
