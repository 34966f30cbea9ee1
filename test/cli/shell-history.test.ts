/**
 * The blockers' history in the shell (in-process, the sandbox's CloudTrail beneath the real SDK client): after the
 * answer, "What changed" one line a blocker; CloudTrail that does not answer within 5 s costs one line and the shell
 * goes on; WHYPING_HISTORY_DAYS=0 turns it off. The 5 s are the test's own timer, never a real sleep.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runShell } from '../../src/cli/shell.js';
import type { Deps } from '../../src/core/deps.js';
import { performEffect } from '../../src/core/perform.js';
import { silentLogger } from '../../src/log.js';
import { clockedSandbox, holdCloudTrail } from '../support/clocked-sandbox.js';
import { TEST_UNDO } from '../support/undo-key.js';

const ASK = 'why can\'t "Instance - NextWork VPC 1" ping "Instance - NextWork VPC 2"';
const HEADING = 'What changed (CloudTrail, last 7 days)';

async function session(lines: string[], deps: Deps, wait: (ms: number) => Promise<void> = () => new Promise(() => {})) {
  const stdin = new PassThrough();
  stdin.end(lines.map((l) => `${l}\n`).join(''));
  const out: string[] = [];
  const ctx: CliContext = {
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: () => 0, isTTY: false },
    stdin,
    env: {},
    logger: silentLogger,
    loadSnapshot: () => {
      throw new Error('not used');
    },
    openDeps: async () => deps,
    exportSnapshot: async () => ({ paths: [], calls: 0, rounds: 0 }),
    hasAwsCredentials: async () => false,
    undoKey: () => TEST_UNDO,
    sandboxScenarios: () => [],
    wait,
  };
  const code = await runShell(ctx, { sandboxRequested: true, perform: performEffect });
  return { code, out: out.join('') };
}

/** The lines between `from` and `to` in the output, wrapped lines joined. */
function between(out: string, from: string, to: string): string[] {
  const start = out.indexOf(from);
  const end = out.indexOf(to, start);
  return out
    .slice(start, end)
    .replace(/\n {5,}/g, ' ')
    .trimEnd()
    .split('\n');
}

describe('the history in the shell', () => {
  it('follows the answer with what changed on each blocker, before the next prompt', async () => {
    const { deps, sandbox } = clockedSandbox();
    const r = await session([ASK, 'quit'], deps);
    expect(r.code).toBe(0);
    expect(r.out.indexOf('Reply path (return)')).toBeLessThan(r.out.indexOf(HEADING));
    const lines = between(r.out, HEADING, 'whyping> quit');
    expect(lines[0]).toBe(HEADING);
    const deleted = sandbox.state.trail.find((e) => e.eventName === 'DeleteRoute');
    expect(lines[1]).toMatch(
      new RegExp(
        `^ {2}1\\. rtb-03e4f5a6b7c8d9e11: DeleteRoute by sam \\(role NetworkAdmin\\), yesterday \\(2026-11-24 08:00 UTC\\): .*\\[event ${deleted?.eventId}\\] → fix 2$`,
      ),
    );
    expect(lines.slice(2)).toEqual([
      '  2. pcx-0d6e7f8a9b0c1d2e3: no change recorded in 7 days. → fix 1',
      '  3. sg-0d5a2f3e4b6c7d822: no change recorded in 7 days. → fix 4',
      '  4. rtb-06f7a8b9c0d1e2f22: no change recorded in 7 days. → fix 3',
    ]);
  });

  it('says in one line that the history did not arrive within 5 s, and takes the next question', async () => {
    const { deps } = clockedSandbox();
    holdCloudTrail(deps);
    const waited: number[] = [];
    const r = await session([ASK, 'help', 'quit'], deps, async (ms) => {
      waited.push(ms);
    });
    expect(waited).toEqual([5000]);
    const section = r.out.slice(r.out.indexOf(HEADING), r.out.indexOf('whyping> help'));
    expect(section.replace(/\s+/g, ' ')).toBe(
      `${HEADING} the history did not arrive within 5 s (cloudtrail:LookupEvents is slow or queued); ask again for it. `,
    );
    expect(r.out).toContain('whyping> quit\nBye.');
  });

  it('reads no history after a fix (the recheck), and none at all with WHYPING_HISTORY_DAYS=0', async () => {
    const { deps, sandbox } = clockedSandbox();
    const fixed = await session([ASK, 'fix 2', 'y', 'quit'], deps);
    expect(fixed.out.split(HEADING)).toHaveLength(2);
    const off = clockedSandbox();
    const r = await session([ASK, 'quit'], { ...off.deps, historyDays: 0 });
    expect(r.out).not.toContain('What changed');
    expect(off.sandbox.calls.some((c) => c.operation === 'LookupEvents')).toBe(false);
    // One lookup a blocker, for the first answer only.
    expect(sandbox.calls.filter((c) => c.operation === 'LookupEvents' && !c.error)).toHaveLength(4);
  });
});
