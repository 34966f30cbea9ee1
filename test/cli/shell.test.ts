import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runShell } from '../../src/cli/shell.js';
import type { Deps } from '../../src/core/deps.js';
import { performEffect } from '../../src/core/perform.js';
import { WhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createSandbox, listScenarios } from '../../src/sandbox/index.js';
import { TEST_UNDO } from '../support/undo-key.js';

const ASK = 'why can\'t "Instance - NextWork VPC 1" ping "Instance - NextWork VPC 2"';

function sandboxDeps(): Deps {
  return {
    clients: createSandbox({ region: 'us-east-1' }).clients,
    region: 'us-east-1',
    logger: silentLogger,
    now: () => new Date('2026-11-25T10:00:00Z'),
    sleep: async () => {},
    probesEnabled: true,
  };
}

async function session(
  lines: string[],
  opts: {
    tty?: boolean;
    credentials?: boolean;
    openDeps?: CliContext['openDeps'];
    sandboxRequested?: boolean;
    sandboxDisabled?: boolean;
  } = {},
) {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = opts.tty ?? false;
  stdin.end(lines.map((l) => `${l}\n`).join(''));
  const out: string[] = [];
  const err: string[] = [];
  const deps = sandboxDeps();
  const ctx: CliContext = {
    stdout: { write: (s: string) => out.push(s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => err.push(s), isTTY: opts.tty ?? false },
    stdin,
    env: {},
    logger: silentLogger,
    loadSnapshot: () => {
      throw new Error('not used');
    },
    openDeps: opts.openDeps ?? (async () => deps),
    exportSnapshot: async () => ({ paths: [], calls: 0, rounds: 0 }),
    hasAwsCredentials: async () => opts.credentials ?? false,
    undoKey: () => TEST_UNDO,
    sandboxScenarios: listScenarios,
  };
  const code = await runShell(ctx, {
    sandboxRequested: opts.sandboxRequested ?? false,
    ...(opts.sandboxDisabled ? { sandboxDisabled: true } : {}),
    perform: performEffect,
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('the shell', () => {
  it('says it uses live AWS, and the region, when credentials are configured', async () => {
    const r = await session(['quit'], { credentials: true });
    expect(r.out.split('\n')[0]).toBe(
      'whyping shell — using live AWS (region us-east-1) with your default credentials.',
    );
  });

  it('colours only on a terminal, and echoes piped input after its prompt, so a transcript shows the questions', async () => {
    const tty = await session([ASK, 'quit'], { tty: true });
    expect(tty.out).toContain('whyping> ');
    expect(tty.out).toContain('\u001b[');
    const pipe = await session([ASK, 'fix 2', 'y', 'quit']);
    expect(pipe.out).not.toContain('\u001b[');
    expect(pipe.out).toContain(`\nwhyping> ${ASK}\n`);
    expect(pipe.out).toContain('\nwhyping> fix 2\n');
    expect(pipe.out).toContain('\nApply? [y/N] y\n');
    expect(pipe.out).toContain('\nwhyping> quit\nBye.\n');
  });

  it('lists the instances, and an unknown name says the close matches and how to list them', async () => {
    const r = await session(['instances', 'why can\'t "Instance - NextWork VPC 3" ping 10.2.4.95', 'help', 'quit']);
    expect(r.out).toContain(
      [
        'whyping> instances',
        'Instances in us-east-1 (2):',
        '  Instance - NextWork VPC 1  i-0a7b3c9d1e5f20311  10.1.0.12',
        '  Instance - NextWork VPC 2  i-0b8c4d0e2f6a31422  10.2.4.95',
      ].join('\n'),
    );
    expect(r.out.replace(/\n\s*/g, ' ')).toContain(
      'Sorry: No instance is named "Instance - NextWork VPC 3" in us-east-1. Did you mean: Instance - NextWork VPC 1, Instance - NextWork VPC 2?',
    );
    expect(r.out).toContain('?\nType instances to list them.\n');
    expect(r.out).toMatch(/\n {2}instances +list the instances you can name/);
  });

  it('shows a probe on one updating line with its elapsed seconds on a terminal, and each stage once when piped', async () => {
    const tty = await session([ASK, 'probe', 'quit'], { tty: true });
    expect(tty.out).toContain('\r\u001b[K\u001b[2mProbing Instance - NextWork VPC 1 → Instance - NextWork VPC 2… 0 s');
    // Cleared before the answer: the verdict starts on a clean line, and no stage is left as a line of its own.
    expect(tty.out).toContain('… 0 s\u001b[22m\r\u001b[K\u001b[31m\u001b[1m✗ Not reachable');
    expect(tty.out).not.toContain('… Probing');
    const pipe = await session([ASK, 'probe', 'quit']);
    expect(pipe.out).toContain('\n… Probing Instance - NextWork VPC 1 → Instance - NextWork VPC 2…\n');
    expect(pipe.out).not.toContain('\r');
  });

  it('prints a help topic in full with help <topic>, and lists the topics for an unknown one', async () => {
    const r = await session(['help', 'help eic', 'help peer-sg', 'help nope', 'quit']);
    expect(r.out).toContain('Topics (help <topic>):');
    expect(r.out).toContain('aws ec2-instance-connect ssh --instance-id <instance-id>');
    expect(r.out).toContain("into the instance's security group from the endpoint's security group");
    expect(r.out).toContain('AWS accepts such a rule only across an active VPC peering.');
    expect(r.out).toMatch(/No help topic "nope"\. The topics \(help <topic>\):\n {2}eic {5}.*\n {2}peer-sg /);
    for (const line of r.out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('explains fix numbers out of range, and having nothing to undo or recheck', async () => {
    const r = await session(['recheck', 'undo', ASK, 'fix 9', 'fix two', 'quit']);
    expect(r.out).toContain('Nothing to recheck yet');
    expect(r.out).toContain('Nothing to undo in this session.');
    expect(r.out).toContain('Say fix 1…fix 4, or fix all.');
  });

  it('ends the prompt line on Ctrl-D at a terminal (the shell prompt or Apply?), so what follows starts its own line', async () => {
    const r = await session(['help'], { tty: true });
    expect(r.out).toMatch(/whyping> \nBye\.\n$/);
    const asked = await session([ASK, 'fix 1'], { tty: true });
    expect(asked.out).toContain('Apply? [y/N] \n');
    const pipe = await session(['help']);
    expect(pipe.out).toMatch(/peer-sg .*\nBye\.\n$/);
  });

  it('says a cancelled fix all once, not once per fix', async () => {
    const r = await session([ASK, 'fix all', 'n']);
    expect(r.out.split('Cancelled').length - 1).toBe(1);
    expect(r.out).toContain('Cancelled: nothing was changed.');
  });

  it('treats the end of input at a confirmation as no', async () => {
    const r = await session([ASK, 'fix 1']);
    expect(r.out).toContain('Apply? [y/N]');
    expect(r.out).toContain('Cancelled: nothing was changed.');
    expect(r.code).toBe(0);
  });

  it('applies one fix, undoes it, and the recheck shows the blocker back', async () => {
    const r = await session([ASK, 'fix 2', 'y', 'undo', 'recheck', 'quit']);
    expect(r.out).toMatch(/✓ applied: fix 2 \[request /);
    expect(r.out).toMatch(/undid: Add route 10\.2\.0\.0\/16/);
    const recheck = r.out.slice(r.out.lastIndexOf('… Resolving'));
    expect(recheck).toMatch(/✗ Not reachable/);
    expect(recheck).toContain('Add route 10.2.0.0/16');
  });

  it('keeps fix numbers within a conversation: fix N is the fix shown as N, and says so once it is gone', async () => {
    const r = await session([ASK, 'fix 2', 'y', 'fix 2', 'quit']);
    const first = r.out.slice(r.out.indexOf('Fixes (in apply order)'), r.out.indexOf('This will change'));
    const two = /\n {2}2\. (.+)\n/.exec(first)?.[1];
    expect(two).toMatch(/^Add route 10\.2\.0\.0\/16/);
    const recheck = r.out.slice(r.out.indexOf('Rechecked after the change:'));
    // The rechecked answer keeps the numbers: 2 is gone, 1, 3 and 4 are still 1, 3 and 4.
    expect(recheck).toMatch(/Fixes \(in apply order\).*\n {2}1\. /);
    expect(recheck).not.toMatch(/\n {2}2\. Add route 10\.2\.0\.0\/16/);
    expect(recheck).toMatch(/\n {2}3\. /);
    expect(r.out.replace(/\n\s*/g, ' ')).toContain(`Fix 2 (${two}) is no longer proposed`);
  });

  it('undoes the last fix command as a whole, and undo again steps further back', async () => {
    const r = await session([ASK, 'fix 2', 'y', 'fix all', 'y', 'undo', 'undo', 'undo', 'recheck', 'quit']);
    // First the whole `fix all`: several changes in one undo, listed a change a line (a long one wraps, indented).
    const list = /\(undid (\d+) changes\)\n((?: {2}- .+\n(?: {4}.+\n)*)+)Type recheck to see the effect\./.exec(r.out);
    const n = Number(list?.[1]);
    expect(n).toBeGreaterThan(1);
    expect(list?.[2]?.match(/^ {2}- /gm)).toHaveLength(n);
    // Then the single route of `fix 2`, in one line (read as one: lines wrap at 80 columns).
    const singles = r.out
      .replace(/\n\s*/g, ' ')
      .split('(undid: ')
      .slice(1)
      .map((s) => s.slice(0, s.indexOf(') Type recheck')));
    expect(singles).toHaveLength(1);
    expect(singles[0]).toMatch(/^Add route 10\.2\.0\.0\/16/);
    expect(r.out.indexOf('(undid: ')).toBeGreaterThan(r.out.indexOf(`(undid ${n} changes)`));
    expect(r.out).toContain('Nothing to undo in this session.');
    const recheck = r.out.slice(r.out.lastIndexOf('… Resolving'));
    expect(recheck).toMatch(/✗ Not reachable/);
  });

  it('never falls back to the sandbox with WHYPING_SANDBOX=0: no credentials is exit 3, in one message', async () => {
    let opened = false;
    const r = await session(['quit'], {
      sandboxDisabled: true,
      openDeps: async () => {
        opened = true;
        return sandboxDeps();
      },
    });
    expect(r.code).toBe(3);
    expect(opened).toBe(false);
    expect(r.out).not.toContain('sandbox');
    expect(r.err).toMatch(/^whyping: No AWS credentials were found, and WHYPING_SANDBOX=0 keeps the shell off.*\n$/);
  });

  it('says how to use the sandbox when AWS cannot be opened', async () => {
    const r = await session(['quit'], {
      credentials: true,
      openDeps: async () => {
        throw new WhypingError('AWS_REGION', 'No AWS region: pass --region or set AWS_REGION.');
      },
    });
    expect(r.code).toBe(3);
    expect(r.err).toContain('WHYPING_SANDBOX=1');
  });
});
