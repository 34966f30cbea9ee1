/**
 * `--sandbox [PATH|SCENARIO]` beside the ends: every form the README shows, in process through the real composition
 * root (src/main/context.ts) and the in-memory sandbox. The next word is --sandbox's value only when it is a built-in
 * scenario or an existing path; any other word stays an end.
 */

import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { registerFixCommands } from '../../src/cli/fix-command.js';
import { runCli, sandboxValueOnlyWhenItIsOne } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { createCliContext } from '../../src/main/context.js';

const FIXED = resolve(import.meta.dirname, '../fixtures/cli/seed-lab-fixed.json');
const VM1 = 'Instance - NextWork VPC 1';
const VM2 = 'Instance - NextWork VPC 2';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = createCliContext({
    config: loadConfig({ WHYPING_PROBES: 'off', WHYPING_SECRET: 'a-test-key-of-at-least-32-characters' }),
    logger: silentLogger,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    stdin: new PassThrough(),
    env: { NO_COLOR: '1' },
  });
  const code = await runCli(argv, ctx, { registerFixCommands });
  return { code, out: out.join(''), err: err.join('') };
}

/** The verdict line's two ends, as the answer names them. */
function ends(out: string): string {
  const m = /^(✓ Reachable|✗ Not reachable): ([\s\S]*?) \(i-[\s\S]*?→\s+([\s\S]*?) \(i-/.exec(out);
  return m ? `${m[1]}: ${m[2]} → ${m[3]}`.replace(/\s+/g, ' ').trim() : `(no verdict) ${out.slice(0, 200)}`;
}

describe('--sandbox takes a value only when it can only be one', () => {
  it('reads the seed lab with a bare --sandbox after the ends, and before them (it swallowed the first end)', async () => {
    for (const argv of [
      ['diagnose', VM1, VM2, '--sandbox'],
      ['diagnose', '--sandbox', VM1, VM2],
      ['diagnose', VM1, '--sandbox', VM2],
      ['diagnose', '--sandbox', '10.1.0.12', '10.2.4.95', '--json'],
    ]) {
      const r = await run(argv);
      expect(r.err, argv.join(' ')).toBe('');
      expect(r.code).toBe(1);
      if (argv.includes('--json')) expect(JSON.parse(r.out).reachable).toBe(false);
      else expect(ends(r.out)).toBe(`✗ Not reachable: ${VM1} → ${VM2}`);
    }
  });

  it('takes a built-in scenario name as the value, before or after the ends, and with =', async () => {
    for (const argv of [
      ['diagnose', 'bastion', 'app-1', '--sandbox', 'host-firewall'],
      ['diagnose', '--sandbox', 'host-firewall', 'bastion', 'app-1'],
      ['diagnose', '--sandbox=host-firewall', 'bastion', 'app-1'],
      ['diagnose', 'bastion', 'app-1', '--sandbox=host-firewall'],
    ]) {
      const r = await run(argv);
      expect(r.err, argv.join(' ')).toBe('');
      expect(ends(r.out), argv.join(' ')).toBe('✓ Reachable: bastion → app-1');
    }
  });

  it('takes an existing snapshot path as the value, before or after the ends, and with =', async () => {
    for (const argv of [
      ['diagnose', VM1, VM2, '--sandbox', FIXED],
      ['diagnose', '--sandbox', FIXED, VM1, VM2],
      ['diagnose', `--sandbox=${FIXED}`, VM1, VM2],
    ]) {
      const r = await run(argv);
      expect(r.err, argv.join(' ')).toBe('');
      expect(r.code).toBe(0);
      expect(ends(r.out)).toBe(`✓ Reachable: ${VM1} → ${VM2}`);
    }
  });

  it('reads a whole question after a bare --sandbox', async () => {
    const r = await run(['diagnose', '--sandbox', `why can't ${VM1} ping ${VM2}`]);
    expect(r.err).toBe('');
    expect(ends(r.out)).toBe(`✗ Not reachable: ${VM1} → ${VM2}`);
  });

  it('applies the same rule to fix', async () => {
    const r = await run(['fix', '--sandbox', VM1, VM2, '--apply', 'all', '--yes']);
    expect(r.err).not.toContain('whyping:');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Before: not reachable');
    expect(r.out).toContain('After: reachable.');
  });

  it('says why a word after --sandbox became an end when there are then too many', async () => {
    const r = await run(['diagnose', 'a', 'b', '--sandbox', 'no-such-scenario']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("too many arguments for 'diagnose'");
    expect(r.err).toMatch(
      /--sandbox did not take "no-such-scenario" as its value: it is neither a built-in scenario \(.*seed-lab.*\) nor an existing file or folder\./,
    );
  });

  it('says a scenario name taken as the value left one end', async () => {
    const r = await run(['diagnose', '--sandbox', 'host-firewall', 'bastion']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--sandbox took "host-firewall" as its snapshot path or scenario');
  });

  it('names the scenarios when --sandbox= is given something that is neither', async () => {
    const r = await run(['diagnose', 'a', 'b', '--sandbox=no-such-scenario']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/built-in scenario: .*seed-lab/);
  });
});

describe('sandboxValueOnlyWhenItIsOne', () => {
  const isValue = (w: string) => w === 'nacl-reply';
  it('moves a bare --sandbox past the words that cannot be its value, up to the next option or --', () => {
    expect(sandboxValueOnlyWhenItIsOne(['diagnose', '--sandbox', 'a', 'b', '--json'], isValue)).toEqual({
      argv: ['diagnose', 'a', 'b', '--sandbox', '--json'],
      readAsEnds: ['a', 'b'],
    });
    expect(sandboxValueOnlyWhenItIsOne(['undo', '--sandbox', 'wpu2.x', '--', 'y'], isValue).argv).toEqual([
      'undo',
      'wpu2.x',
      '--sandbox',
      '--',
      'y',
    ]);
  });
  it('leaves a value, an = form, commands without ends and words after -- alone', () => {
    for (const argv of [
      ['diagnose', '--sandbox', 'nacl-reply', 'a', 'b'],
      ['diagnose', '--sandbox=x', 'a', 'b'],
      ['snapshot', '--sandbox', 'x', '--out', 'd'],
      ['diagnose', 'a', '--', '--sandbox', 'b'],
    ]) {
      expect(sandboxValueOnlyWhenItIsOne(argv, isValue)).toEqual({ argv, readAsEnds: [] });
    }
  });
});
