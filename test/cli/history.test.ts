/**
 * `whyping diagnose --history` in-process: the verdict is written before the history is waited for, the history
 * follows under "What changed" one line a blocker, and CloudTrail that does not answer within 5 s costs one line,
 * never the answer. The 5 s are the test's own timer (CliContext.wait), never a real sleep.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { HISTORY_WAIT_MS, runCli } from '../../src/cli/program.js';
import type { Deps } from '../../src/core/deps.js';
import { silentLogger } from '../../src/log.js';
import { listScenarios } from '../../src/sandbox/index.js';
import { clockedSandbox, holdCloudTrail } from '../support/clocked-sandbox.js';
import { TEST_UNDO } from '../support/undo-key.js';

const ARGS = ['diagnose', 'Instance - NextWork VPC 1', 'Instance - NextWork VPC 2', '--history'];

function context(deps: Deps, wait: (ms: number) => Promise<void>) {
  const out: string[] = [];
  const ctx: CliContext = {
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: () => 0, isTTY: false },
    stdin: new PassThrough(),
    env: {},
    logger: silentLogger,
    loadSnapshot: () => {
      throw new Error('not used');
    },
    openDeps: async () => deps,
    exportSnapshot: async () => ({ paths: [], calls: 0, rounds: 0 }),
    hasAwsCredentials: async () => false,
    undoKey: () => TEST_UNDO,
    sandboxScenarios: listScenarios,
    wait,
  };
  return { ctx, out: () => out.join('') };
}

const never = () => new Promise<void>(() => {});

describe('diagnose --history (text)', () => {
  it('writes the verdict, then one line a blocker under What changed, numbered as the blockers and naming the fix', async () => {
    const { deps } = clockedSandbox();
    const f = context(deps, never);
    expect(await runCli(ARGS, f.ctx)).toBe(1);
    const [verdict = '', history = ''] = f.out().split('\nWhat changed (CloudTrail, last 7 days)\n');
    expect(verdict).toMatch(/^✗ Not reachable/);
    const lines = history
      .replace(/\n {5,}/g, ' ')
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^ {2}1\. rtb-03e4f5a6b7c8d9e11: DeleteRoute by sam \(role NetworkAdmin\), yesterday \(2026-11-24 08:00 UTC\): removed .*10\.2\.0\.0\/16.* \[event [0-9a-f-]{36}\] → fix 2$/,
    );
    expect(lines[1]).toBe('  2. pcx-0d6e7f8a9b0c1d2e3: no change recorded in 7 days. → fix 1');
  });

  it('prints the verdict before it waits, and one line when CloudTrail does not answer within 5 s', async () => {
    const { deps } = clockedSandbox();
    holdCloudTrail(deps);
    const waited: { ms: number; before: string }[] = [];
    const f = context(deps, async (ms) => {
      waited.push({ ms, before: f.out() });
    });
    expect(await runCli(ARGS, f.ctx)).toBe(1);
    expect(waited).toHaveLength(1);
    expect(waited[0]?.ms).toBe(HISTORY_WAIT_MS);
    expect(HISTORY_WAIT_MS).toBe(5000);
    // The whole answer was out before the wait began.
    expect(waited[0]?.before).toMatch(/^✗ Not reachable[\s\S]*Reply path \(return\)[\s\S]*\n$/);
    const after = f.out().slice(waited[0]?.before.length);
    expect(after.replace(/\n {2,}/g, ' ')).toBe(
      '\nWhat changed (CloudTrail, last 7 days) the history did not arrive within 5 s (cloudtrail:LookupEvents is slow or queued); ask again for it.\n',
    );
  });

  it('--json waits the same 5 s, then answers with history.skipped naming cloudtrail:LookupEvents', async () => {
    const { deps } = clockedSandbox();
    holdCloudTrail(deps);
    const f = context(deps, async () => {});
    expect(await runCli([...ARGS, '--json'], f.ctx)).toBe(1);
    const j = JSON.parse(f.out()) as { findings: { history: { skipped: string; events: unknown[] } | null }[] };
    expect(j.findings.length).toBeGreaterThan(0);
    for (const x of j.findings) {
      expect(x.history?.skipped).toContain('cloudtrail:LookupEvents');
      expect(x.history?.events).toEqual([]);
    }
  });
});
