/**
 * Signs of life while a probe runs: on a terminal, one line with the stage and its elapsed seconds, rewritten in
 * place and cleared before the answer; nothing of it when the output is not a terminal. Fake timers drive the clock.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadStage, runCli } from '../../src/cli/program.js';
import { statusLine } from '../../src/cli/progress.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { createCliContext } from '../../src/main/context.js';

const CLEAR = '\r\u001b[K';

function tty(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, out: { write: (s: string) => writes.push(s), isTTY, ...(columns ? { columns } : {}) } };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('statusLine', () => {
  it('rewrites one line with the elapsed seconds every second, and clears it when done', () => {
    vi.useFakeTimers();
    const t = tty(true);
    const s = statusLine(t.out);
    s.stage('Probing web-1 → db-1…');
    expect(t.writes).toEqual([`${CLEAR}Probing web-1 → db-1… 0 s`]);
    vi.advanceTimersByTime(3000);
    expect(t.writes.slice(-1)).toEqual([`${CLEAR}Probing web-1 → db-1… 3 s`]);
    expect(t.writes.every((w) => !w.includes('\n'))).toBe(true);
    s.stage('Tracing the request path…');
    expect(t.writes.slice(-1)).toEqual([`${CLEAR}Tracing the request path… 0 s`]);
    s.done();
    expect(t.writes.slice(-1)).toEqual([CLEAR]);
    const count = t.writes.length;
    vi.advanceTimersByTime(5000);
    expect(t.writes).toHaveLength(count);
  });

  it('shows a line without seconds, which no timer rewrites, for work that holds the process', () => {
    vi.useFakeTimers();
    const t = tty(true, 30);
    const s = statusLine(t.out);
    s.stage('Resolving web-1 and db-1…');
    s.show('Reading us-east-1/SecurityGroups.json (6 of 14 files, 29 MB)…');
    const last = t.writes.at(-1) as string;
    expect(last.startsWith(CLEAR)).toBe(true);
    expect([...last.slice(CLEAR.length)].length).toBeLessThan(30);
    expect(last.slice(CLEAR.length)).toMatch(/^Reading us-east-1\/Secu.*…$/);
    const count = t.writes.length;
    vi.advanceTimersByTime(5000);
    expect(t.writes).toHaveLength(count);
    s.done();
    expect(t.writes.at(-1)).toBe(CLEAR);
  });

  it('writes nothing at all when the output is not a terminal', () => {
    vi.useFakeTimers();
    const t = tty(false);
    const s = statusLine(t.out);
    s.stage('Probing web-1 → db-1…');
    vi.advanceTimersByTime(3000);
    s.done();
    expect(t.writes).toEqual([]);
  });

  it('keeps the line narrower than the terminal, so \\r always reaches its start', () => {
    vi.useFakeTimers();
    const t = tty(true, 30);
    const s = statusLine(t.out);
    s.stage('Probing Instance - NextWork VPC 1 → Instance - NextWork VPC 2…');
    vi.advanceTimersByTime(12_000);
    const last = (t.writes.at(-1) as string).slice(CLEAR.length);
    expect([...last].length).toBeLessThan(30);
    expect(last).toMatch(/^Probing Instance - Next.*… 12 s$/);
    s.done();
  });
});

/** Runs the CLI in-process with stderr a terminal or not: the exit code, stderr's writes and stdout. */
async function cli(argv: string[], isTTY: boolean) {
  const err: string[] = [];
  const out: string[] = [];
  const ctx = createCliContext({
    config: loadConfig({}),
    logger: silentLogger,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s), isTTY },
    stdin: new PassThrough(),
    env: { NO_COLOR: '1' },
  });
  const code = await runCli(argv, ctx);
  return { code, err, out: out.join('') };
}

const diagnoseProbe = (isTTY: boolean) =>
  cli(['diagnose', 'Instance - NextWork VPC 1', 'Instance - NextWork VPC 2', '--sandbox', '--probe'], isTTY);

describe('whyping diagnose --probe', () => {
  it('shows the stages and the probe on one updating line of stderr on a terminal, cleared before the answer', async () => {
    const r = await diagnoseProbe(true);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${CLEAR}Probing Instance - NextWork VPC 1 → Instance - NextWork VPC 2… 0 s`);
    expect(r.err.at(-1)).toBe(CLEAR);
    expect(r.err.join('')).not.toContain('\n');
    expect(r.out).toMatch(/^✗ Not reachable/);
  });

  it('writes nothing to stderr when it is not a terminal', async () => {
    const r = await diagnoseProbe(false);
    expect(r.err).toEqual([]);
    expect(r.out).toMatch(/^✗ Not reachable/);
  });
});

describe('whyping diagnose --snapshot (a big snapshot loading)', () => {
  let dir: string;
  beforeAll(() => {
    // The seed lab, and beside it a file of 17 MB (an empty Vpcs list and blanks): big enough to show while it loads.
    dir = mkdtempSync(join(tmpdir(), 'whyping-progress-'));
    mkdirSync(join(dir, 'us-east-1'));
    copyFileSync(join(import.meta.dirname, '../fixtures/cli/seed-lab-fixed.json'), join(dir, 'us-east-1', 'lab.json'));
    writeFileSync(join(dir, 'us-east-1', 'padded.json'), `{"Vpcs": [${' '.repeat(17 * 1024 * 1024)}]}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const diagnoseSnapshot = (isTTY: boolean) =>
    cli(['diagnose', 'Instance - NextWork VPC 1', 'Instance - NextWork VPC 2', '--snapshot', dir], isTTY);

  it('shows the big file being checked and read on the status line of a terminal, cleared before the answer', async () => {
    const r = await diagnoseSnapshot(true);
    expect(r.code).toBe(0);
    const padded = join('us-east-1', 'padded.json');
    // No seconds: the load holds the process, so no timer could tick them.
    expect(r.err).toContain(`${CLEAR}Checking ${padded} (2 of 2 files, 17 MB)…`);
    const reading = r.err.findIndex((w) => w.startsWith(`${CLEAR}Reading ${padded} (`));
    expect(r.err[reading]).toMatch(/ of 2 files, 17 MB\)…$/);
    // The load's own line is cleared before the diagnosis shows its first stage.
    const resolving = r.err.findIndex((w) => w.startsWith(`${CLEAR}Resolving `));
    expect(reading).toBeGreaterThanOrEqual(0);
    expect(resolving).toBeGreaterThan(reading);
    expect(r.err.slice(reading + 1, resolving)).toContain(CLEAR);
    // The small first file, checked at once, does not flicker on the line; nothing ends a line.
    expect(r.err.join('')).not.toContain(`Checking ${join('us-east-1', 'lab.json')}`);
    expect(r.err.join('')).not.toContain('\n');
    expect(r.out).toMatch(/^✓ Reachable/);
  });

  it('clears the line when the load is refused, before the error is printed', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'whyping-progress-broken-'));
    try {
      writeFileSync(join(broken, 'a-padded.json'), `{"Vpcs": [${' '.repeat(17 * 1024 * 1024)}]}`);
      writeFileSync(join(broken, 'b-broken.json'), '{"Subnets": [');
      const { code, err } = await cli(['diagnose', 'a', 'b', '--snapshot', broken], true);
      expect(code).toBe(2);
      const shown = err.findIndex((w) => w.startsWith(`${CLEAR}Checking a-padded.json`));
      const message = err.findIndex((w) => w.includes('b-broken.json') && w.includes('invalid JSON'));
      expect(shown).toBeGreaterThanOrEqual(0);
      expect(message).toBeGreaterThan(shown);
      expect(err.slice(shown + 1, message)).toContain(CLEAR);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('writes nothing to stderr when it is not a terminal', async () => {
    const r = await diagnoseSnapshot(false);
    expect(r.err).toEqual([]);
    expect(r.out).toMatch(/^✓ Reachable/);
  });
});

describe('loadStage (the status line of a snapshot load)', () => {
  const root = join('snap');
  const file = (name: string, size: number) => ({ path: join(root, 'us-east-1', name), size });
  const MiB = 1024 * 1024;

  it('names the file under the snapshot folder, its place among the files and its size', () => {
    expect(loadStage(root, { phase: 'check', file: file('Vpcs.json', 300 * 1024), done: 0, total: 14 })).toBe(
      `Checking ${join('us-east-1', 'Vpcs.json')} (1 of 14 files, 300 kB)…`,
    );
    expect(loadStage(root, { phase: 'parse', file: file('SecurityGroups.json', 29 * MiB), done: 5, total: 14 })).toBe(
      `Reading ${join('us-east-1', 'SecurityGroups.json')} (6 of 14 files, 29 MB)…`,
    );
  });

  it('gives the share read of a file read in chunks, never over 100 %', () => {
    const big = file('SecurityGroups.json', 300 * MiB);
    expect(loadStage(root, { phase: 'parse', file: big, done: 5, total: 14, bytesRead: 120 * MiB })).toBe(
      `Reading ${join('us-east-1', 'SecurityGroups.json')} (6 of 14 files, 40 % of 300 MB)…`,
    );
    // The file grew after it was listed.
    expect(loadStage(root, { phase: 'parse', file: big, done: 5, total: 14, bytesRead: 310 * MiB })).toContain(
      '(6 of 14 files, 100 % of 300 MB)…',
    );
  });

  it('names a single-file snapshot by its file name, without a place', () => {
    const one = join(root, 'account.json');
    expect(loadStage(one, { phase: 'parse', file: { path: one, size: 2 * MiB }, done: 0, total: 1 })).toBe(
      'Reading account.json (2 MB)…',
    );
  });
});
