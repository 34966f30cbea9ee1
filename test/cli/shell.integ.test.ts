/**
 * The local shell scripted through a pipe (`npm start` with no Slack tokens): the seed walkthrough end to end on the
 * sandbox — diagnose, every blocker, apply the fixes, recheck, reachable; EC2 Instance Connect after the EIP fix.
 * The conversation runs in the test's process through the bin's own wiring (runShellHere: src/main/run.ts); one run
 * starts bin/whyping.js: `start` with nothing configured opens the sandbox shell from a piped stdin and exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runShellHere } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const VM1 = '"Instance - NextWork VPC 1"';
const VM2 = '"Instance - NextWork VPC 2"';

/** `whyping start` as a process: bin/whyping.js, its environment stripped of AWS_, SLACK_ and WHYPING_ variables. */
function spawnShell(
  lines: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const home = mkdtempSync(join(tmpdir(), 'whyping-shell-'));
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('SLACK_') && !k.startsWith('WHYPING_')) base[k] = v;
  }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/whyping.js'), 'start'], {
      cwd: root,
      env: {
        ...base,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
        AWS_CONFIG_FILE: join(home, 'none'),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** `whyping start` in the test's process, the same environment (nothing configured) and the same output. */
async function shell(
  lines: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const r = await runShellHere(lines, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** The banner, its wrapped lines read as one. */
function banner(out: string): string {
  return out.slice(0, out.indexOf('\nAsk ')).replace(/\n\s*/g, ' ');
}

/** The output after the n-th occurrence of `marker`, up to the next one (or the end). */
function section(out: string, marker: string, n = 1): string {
  const parts = out.split(marker);
  return parts[n] ?? '';
}

describe('the local shell, scripted', () => {
  it('says it uses the sandbox because WHYPING_SANDBOX=1, answers help, and quits', async () => {
    const r = await shell(['help', 'quit'], { WHYPING_SANDBOX: '1' });
    expect(r.code).toBe(0);
    expect(banner(r.out)).toMatch(/^whyping shell — using the built-in sandbox .* because WHYPING_SANDBOX=1\.$/);
    expect(r.out).toContain('fix N');
    expect(r.out).toContain('recheck');
    expect(r.out.trimEnd().endsWith('Bye.')).toBe(true);
    expect(r.out).not.toContain('\u001b[');
  });

  it('uses the sandbox when no AWS credentials are configured, and says so (bin/whyping.js, piped stdin, exit 0)', async () => {
    const r = await spawnShell(['help', 'quit']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('fix N');
    expect(r.out.trimEnd().endsWith('Bye.')).toBe(true);
    expect(banner(r.out)).toContain('because no AWS credentials were found');
  });

  it('walks the seed lab from broken to reachable, and EC2 Instance Connect works after the Elastic IP', async () => {
    const r = await shell(
      [
        `why can't ${VM1} ping ${VM2}`,
        'fix 1',
        'n',
        'fix all',
        'y',
        'recheck',
        `why can't I connect to ${VM1} with ec2 instance connect`,
        'fix all',
        'yes',
        'recheck',
        'quit',
      ],
      { WHYPING_SANDBOX: '1' },
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = r.out;

    // 1. the diagnosis: progress stages, verdict, every blocker, numbered fixes
    const first = section(out, `whyping> why can't ${VM1} ping ${VM2}\n`);
    expect(first).toContain('… Resolving Instance - NextWork VPC 1 and Instance - NextWork VPC 2…');
    expect(first).toContain('… Tracing the request path…');
    expect(first).toMatch(/✗ Not reachable: Instance - NextWork VPC 1 [\s\S]*? ping \(ICMP\)/);
    for (const code of ['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']) expect(first).toContain(code);
    expect(first).toMatch(/Fixes \(in apply order\).*\n {2}1\. /);

    // 2. fix 1 answered "n": nothing changes
    expect(out).toContain('Cancelled: nothing was changed.');

    // 3. fix all answered "y": applied, rechecked, reachable
    const applied = section(out, 'Rechecked after the change:\n', 1);
    expect(out).toMatch(/✓ applied: .*\[request /);
    expect(applied).toMatch(/^✓ Reachable: Instance - NextWork VPC 1 [\s\S]*? ping \(ICMP\)\./);

    // 4. EC2 Instance Connect: blocked by the missing public IP, fixed by the Elastic IP, then reachable
    const eic = out.slice(out.indexOf('… Resolving eic and Instance - NextWork VPC 1…'));
    expect(eic).toMatch(/✗ Not reachable: EC2 Instance Connect [\s\S]*?TCP 22/);
    expect(eic).toContain('NO_PUBLIC_IP');
    const eicAfter = section(eic, 'Rechecked after the change:\n', 1);
    expect(eicAfter).toMatch(/^✓ Reachable: EC2 Instance Connect [\s\S]*?TCP 22\./);
    expect(out.trimEnd().endsWith('Bye.')).toBe(true);
  });

  it('fits the seed-lab answer, verdict through the last fix and how to apply them, in one 80×24 screen', async () => {
    const r = await shell([`why can't ${VM1} ping ${VM2}`, 'fix all', 'y', 'undo', 'quit'], { WHYPING_SANDBOX: '1' });
    const lines = r.out.split('\n');
    for (const line of lines) if ([...line].length > 80) expect(line.trim()).not.toContain(' ');
    const verdict = lines.findIndex((l) => l.startsWith('✗ Not reachable'));
    const howTo = lines.findIndex((l) => l.startsWith('Fixes (in apply order) — type fix N or fix all'));
    const paths = lines.findIndex((l) => l.startsWith('Request path (forward)'));
    // The last fix is the last line before the blank line that ends the fixes.
    const lastFix = lines.findIndex((l, i) => i > howTo && l === '') - 1;
    expect(howTo).toBeGreaterThan(verdict);
    expect(lastFix - verdict + 1).toBeLessThanOrEqual(24);
    expect(lastFix).toBeLessThan(paths);
    // Each change is said once in the answer and once in the confirmation; "applied" and "undone" refer to it.
    const add = /Add route 10\.2\.0\.0\/16 → pcx-[0-9a-f]+ to rtb-[0-9a-f]+/.exec(r.out)?.[0] as string;
    const afterAnswer = r.out.slice(r.out.indexOf('whyping> fix all'));
    expect(afterAnswer.split('\nApply?')[0]?.split(add).length).toBe(2);
    expect(afterAnswer).toMatch(/✓ applied: fix 2 \[request /);
    expect(afterAnswer).toMatch(/✓ undone \[request /);
    // The report's irreversible line names the fix by number and says "cannot be undone" once.
    const report = afterAnswer.slice(afterAnswer.indexOf('Apply? [y/N] y'), afterAnswer.indexOf('Rechecked'));
    expect(report.split('cannot be undone').length - 1).toBe(1);
    expect(report.replace(/\s+/g, ' ')).toMatch(
      / cannot be undone: fix 1 — accepting pcx-[0-9a-f]+ is final \(DeleteVpcPeeringConnection removes/,
    );
  });

  it('runs the README walkthrough exactly as printed: the fixes are applied and the recheck is reachable', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```\n(why can't [\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const r = await shell((block as string).trimEnd().split('\n'));
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('Cancelled');
    expect(r.out).not.toContain('Sorry');
    expect(section(r.out, 'Rechecked after the change:\n', 1)).toMatch(/^✓ Reachable: Instance - NextWork VPC 1 /);
    expect(r.out).toMatch(/✗ Not reachable: EC2 Instance Connect [\s\S]*?TCP 22/);
  });

  it('refuses a WHYPING_SANDBOX that names no built-in scenario, naming the variable and the scenarios (exit 2)', async () => {
    const r = await shell(['quit'], { WHYPING_SANDBOX: 'maybe' });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^whyping: WHYPING_SANDBOX=maybe is not a built-in scenario: .*seed-lab.*\n$/);
  });

  it('answers bad input and unknown names without stopping', async () => {
    const r = await shell(['web-1 db-1 tcp 0', 'nosuch-1 nosuch-2', 'fix 1', 'quit'], { WHYPING_SANDBOX: '1' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Sorry: Port 0 is out of range');
    expect(r.out).toMatch(/Sorry: .*nosuch-1/);
    expect(r.out).toContain('Nothing to fix yet');
    expect(r.out.trimEnd().endsWith('Bye.')).toBe(true);
  });
});
