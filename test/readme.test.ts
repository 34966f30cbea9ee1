/**
 * The README reads in an 80-column terminal, and its seed-lab walkthrough is
 * what the shell prints now (issue 12, item 7). The shell and the CLI run in the test's process, wired as the bin
 * wires them (test/support/cli.ts); test/cli/shell.integ.test.ts starts the bin itself.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliHere, runShellHere } from './support/cli.js';

const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Columns as a terminal counts them for this text: one per code point. */
const width = (line: string): number => [...line].length;

/** A line may pass 80 columns only when it is one unbreakable token (a URL, a long id). */
function loneToken(line: string): boolean {
  const body = line.replace(/^\s*(?:[-*+]\s+|\d+\.\s+|>\s*)*/, '').trim();
  return !/\s/.test(body);
}

/** The same transcript with what differs from run to run (ids, times, the user) blanked. */
function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '<time>')
    .replace(/\bd-[0-9a-f]{6,}\b/g, '<diagnosis>')
    .replace(/shell:\S+ at/g, 'shell:<user> at')
    .replace(/[ \t]+$/gm, '')
    .trimEnd();
}

describe('README.md', () => {
  it('has no line wider than 80 columns, except a lone unbreakable token', () => {
    const wide = readme
      .split('\n')
      .map((line, i) => ({ n: i + 1, line }))
      .filter(({ line }) => width(line) > 80 && !loneToken(line))
      .map(({ n, line }) => `${n} (${width(line)}): ${line}`);
    expect(wide).toEqual([]);
  });

  it('shows the walkthrough transcript the shell prints now, ids and times aside', async () => {
    const command = /```sh\n(printf '%s\\n' \\\n[\s\S]*?)```/.exec(readme)?.[1];
    const shown = /```text\n(whyping shell [\s\S]*?)```/.exec(readme)?.[1];
    expect(command, 'the printf command of the walkthrough').toBeDefined();
    expect(shown, 'the transcript of the walkthrough').toBeDefined();
    const input = [
      "why can't Instance - NextWork VPC 1 ping Instance - NextWork VPC 2",
      'fix all',
      'y',
      'recheck',
      'undo',
      'quit',
    ];
    expect(command).toContain(`"${input[0]}"`);
    expect(command).toContain(`'fix all' y recheck undo quit | WHYPING_SANDBOX=1`);
    const r = await runShellHere(input, { WHYPING_SANDBOX: '1' });
    expect(r.code).toBe(0);
    expect(normalize(r.stdout)).toBe(normalize(shown as string));
  });

  it('shows a diagnose excerpt whose lines the CLI prints now, in order', async () => {
    const shown = /```console\n\$ npx whyping diagnose [^\n]*\n[^\n]*--sandbox\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown, 'the diagnose excerpt').toBeDefined();
    const r = await runCliHere(['diagnose', 'Instance - NextWork VPC 1', 'Instance - NextWork VPC 2', '--sandbox'], {
      WHYPING_SANDBOX: '1',
    });
    expect(r.code).toBe(1);
    let at = 0;
    for (const line of (shown as string).trimEnd().split('\n')) {
      if (line === '…') continue;
      const found = r.stdout.indexOf(`${line}\n`, at);
      expect(found, `printed after the previous line: ${line}`).toBeGreaterThanOrEqual(at);
      at = found + line.length;
    }
  });
});
