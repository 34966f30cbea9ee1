import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { registerFixCommands } from '../../src/cli/fix-command.js';
import { errorText, runCli, useColor, verdictExitCode } from '../../src/cli/program.js';
import { WhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { Snapshot } from '../../src/model/index.js';
import { createSandbox, listScenarios } from '../../src/sandbox/index.js';
import { seedDiagnosis } from '../render/sample.js';
import { TEST_UNDO } from '../support/undo-key.js';

function fakeContext(overrides: Partial<CliContext> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    stdin: new PassThrough(),
    env: {},
    logger: silentLogger,
    loadSnapshot: () => {
      throw new WhypingError('SNAPSHOT_UNREADABLE', 'Cannot read snapshot /nope: no such file or folder.');
    },
    openDeps: async () => {
      throw new WhypingError('AWS_CREDENTIALS', 'AWS credentials are missing.');
    },
    exportSnapshot: async () => ({ paths: [], calls: 0, rounds: 0 }),
    hasAwsCredentials: async () => false,
    undoKey: () => TEST_UNDO,
    sandboxScenarios: listScenarios,
    ...overrides,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

describe('whyping explain <topic>', () => {
  it('prints the full text of a topic named in an answer, within 80 columns', async () => {
    const f = fakeContext();
    expect(await runCli(['explain', 'eic'], f.ctx)).toBe(0);
    expect(f.out()).toContain('create an EC2 Instance Connect Endpoint in its VPC');
    expect(f.out()).toContain('--connection-type eice');
    for (const line of f.out().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const g = fakeContext();
    expect(await runCli(['explain', 'peer-sg'], g.ctx)).toBe(0);
    expect(g.out()).toContain('AWS accepts such a rule only across an active VPC peering.');
  });

  it('lists the topics without one, and exits 2 listing them for an unknown one', async () => {
    const f = fakeContext();
    expect(await runCli(['explain'], f.ctx)).toBe(0);
    expect(f.out()).toMatch(/^Topics \(whyping explain <topic>\):\n {2}eic .*\n {2}peer-sg /);
    const g = fakeContext();
    expect(await runCli(['explain', 'nope'], g.ctx)).toBe(2);
    expect(g.err()).toMatch(/No help topic "nope"\. The topics \(whyping explain <topic>\):\n {2}eic .*\n {2}peer-sg /);
  });
});

describe('whyping help <topic>', () => {
  it('prints the topic an answer names, as typed; help <command> stays the command help', async () => {
    const f = fakeContext();
    expect(await runCli(['help', 'eic'], f.ctx)).toBe(0);
    expect(f.out()).toContain('--connection-type eice');
    const g = fakeContext();
    expect(await runCli(['help', 'instances'], g.ctx)).toBe(0);
    expect(g.out()).toMatch(/^Usage: whyping instances/);
  });
});

describe('runCli maps every failure to a message and an exit code', () => {
  it('exits 2 with commander’s message on an unknown option', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', 'b', '--frobnicate'], f.ctx)).toBe(2);
    expect(f.err()).toContain("unknown option '--frobnicate'");
  });

  it('exits 2 on an unknown command, with a suggestion', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnos'], f.ctx)).toBe(2);
    expect(f.err()).toMatch(/unknown command 'diagnos'[\s\S]*Did you mean diagnose\?/);
  });

  it('exits 0 for --help and lists the commands', async () => {
    const f = fakeContext();
    expect(await runCli(['--help'], f.ctx)).toBe(0);
    for (const cmd of ['diagnose', 'snapshot', 'start']) expect(f.out()).toContain(cmd);
  });

  it('prints the version and exits 0', async () => {
    const f = fakeContext();
    expect(await runCli(['--version'], f.ctx, { version: '9.9.9' })).toBe(0);
    expect(f.out()).toBe('9.9.9\n');
  });

  it('exits 2 with no command at all, showing the help', async () => {
    const f = fakeContext();
    expect(await runCli([], f.ctx)).toBe(2);
    expect(f.err()).toContain('Usage: whyping');
  });

  it('exits 2 on a bad port before reading anything', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', 'b', '--port', '70000', '--snapshot', '/x'], f.ctx)).toBe(2);
    expect(f.err()).toBe('whyping: Port 70000 is out of range: ports go from 1 to 65535.\n');
  });

  it('exits 2 when diagnose is missing an end', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', '--snapshot', '/x'], f.ctx)).toBe(2);
    expect(f.err()).toContain('diagnose needs two ends');
  });

  it('reads one argument holding the whole question', async () => {
    const f = fakeContext();
    // The question parses (it reaches the snapshot loader, which fails in this fake).
    expect(await runCli(['diagnose', "why can't web-1 ping db-1", '--snapshot', '/nope'], f.ctx)).toBe(2);
    expect(f.err()).toContain('Cannot read snapshot /nope');
  });

  it('applies --port to a whole question, and says what is wrong with one instead of "needs two ends"', async () => {
    let asked = '';
    const f = fakeContext({
      loadSnapshot: (path) => {
        asked = path;
        throw new WhypingError('SNAPSHOT_UNREADABLE', 'stop here');
      },
    });
    expect(await runCli(['diagnose', "why can't web-1 reach db-1", '--port', '22', '--snapshot', 's'], f.ctx)).toBe(2);
    expect(asked).toBe('s');
    for (const [question, message] of [
      ["why can't web-1 reach db-1 on 70000", 'Port 70000 is out of range'],
      ['"web 1 db-1', 'Unbalanced double quote'],
    ]) {
      const g = fakeContext();
      expect(await runCli(['diagnose', question as string, '--snapshot', 's'], g.ctx)).toBe(2);
      expect(g.err()).toContain(message);
    }
  });

  it('says --sandbox took a scenario as its value when it comes before the ends (test/cli/sandbox-option.test.ts)', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', '--sandbox', 'seed-lab', '10.2.4.95'], f.ctx)).toBe(2);
    expect(f.err()).toContain(
      '--sandbox took "seed-lab" as its snapshot path or scenario: put --sandbox after the ends',
    );
  });

  it('refuses --role-arn with --sandbox for fix and undo too, before opening anything', async () => {
    const arn = 'arn:aws:iam::123456789012:role/X';
    for (const argv of [
      ['fix', 'a', 'b', '--apply', 'all', '--sandbox', '--role-arn', arn, '--yes'],
      // A real token (printed by a sandbox fix of the seed lab's route), so only the options are wrong.
      [
        'undo',
        'wpu1.eyJ2IjoxLCJmaXhJZCI6ImZpeC1hYTM0OTk4ZTI0YTUiLCJzdW1tYXJ5IjoicmVtb3ZlIHJvdXRlIDEwLjIuMC4wLzE2IOKGkiBwY3gtMGQ2ZTdmOGE5YjBjMWQyZTMgZnJvbSBydGItMDNlNGY1YTZiN2M4ZDllMTEiLCJzdGVwcyI6W3sib3AiOiJEZWxldGVSb3V0ZSIsInJvdXRlVGFibGVJZCI6InJ0Yi0wM2U0ZjVhNmI3YzhkOWUxMSIsImRlc3RpbmF0aW9uQ2lkckJsb2NrIjoiMTAuMi4wLjAvMTYifV19.8xEV9ND-',
        '--sandbox',
        '--role-arn',
        arn,
        '--yes',
      ],
    ]) {
      let opened = false;
      const f = fakeContext({
        openDeps: async () => {
          opened = true;
          throw new WhypingError('INTERNAL', 'must not be reached');
        },
      });
      const code = await runCli(argv, f.ctx, { registerFixCommands });
      expect(code, f.err()).toBe(2);
      expect(f.err()).toContain('--role-arn changes live AWS; it has no meaning with --sandbox.');
      expect(opened).toBe(false);
    }
  });

  it('says a cancelled fix once, not once per fix (no terminal, no --yes)', async () => {
    const sb = createSandbox({ region: 'us-east-1' });
    const f = fakeContext({
      openDeps: async () => ({
        clients: sb.clients,
        region: sb.region,
        logger: silentLogger,
        now: () => new Date('2026-11-25T10:00:00Z'),
        sleep: async () => {},
        probesEnabled: false,
      }),
    });
    const argv = ['fix', 'Instance - NextWork VPC 1', 'Instance - NextWork VPC 2', '--apply', 'all'];
    expect(await runCli(argv, f.ctx, { registerFixCommands })).toBe(1);
    expect(f.out().split('Cancelled').length - 1).toBe(1);
    expect(f.out()).toContain('Cancelled: nothing was changed.');
  });

  it('exits 2 when --snapshot and --sandbox are both given', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', 'b', '--snapshot', '/x', '--sandbox'], f.ctx)).toBe(2);
    expect(f.err()).toMatch(/cannot be used with/);
  });

  it('exits 2 when --role-arn is given with --sandbox or --snapshot', async () => {
    for (const argv of [
      ['diagnose', 'a', 'b', '--sandbox', '--role-arn', 'arn:aws:iam::123456789012:role/x'],
      ['diagnose', 'a', 'b', '--snapshot', '/x', '--role-arn', 'arn:aws:iam::123456789012:role/x'],
    ]) {
      const f = fakeContext();
      expect(await runCli(argv, f.ctx)).toBe(2);
      expect(f.err()).toContain('--role-arn reads live AWS');
    }
  });

  it('exits 2 when --region is given with --snapshot (a snapshot carries its own regions)', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', 'b', '--snapshot', '/x', '--region', 'eu-west-1'], f.ctx)).toBe(2);
    expect(f.err()).toContain('drop --region');
  });

  it('exits 2 on an unreadable snapshot', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', 'b', '--snapshot', '/nope'], f.ctx)).toBe(2);
    expect(f.err()).toContain('Cannot read snapshot /nope');
  });

  it('exits 3 without credentials and mentions --sandbox', async () => {
    const f = fakeContext();
    expect(await runCli(['diagnose', 'a', 'b'], f.ctx)).toBe(3);
    expect(f.err()).toContain('--sandbox');
  });

  it('refuses batch without --snapshot or --json, and with ends', async () => {
    for (const argv of [
      ['diagnose', '--batch', 'f'],
      ['diagnose', '--batch', 'f', '--snapshot', 's'],
      ['diagnose', 'a', '--batch', 'f', '--snapshot', 's', '--json'],
      ['diagnose', '--batch', 'f', '--snapshot', 's', '--json', '--port', '1'],
    ]) {
      const f = fakeContext();
      expect(await runCli(argv, f.ctx)).toBe(2);
      expect(f.err()).toMatch(/^whyping: --batch/);
    }
  });

  it('says a folder given as the batch file is a folder, in one line, exit 2', async () => {
    const f = fakeContext({ loadSnapshot: () => ({}) as Snapshot });
    const dir = tmpdir();
    expect(await runCli(['diagnose', '--snapshot', 's', '--json', '--batch', dir], f.ctx)).toBe(2);
    expect(f.err()).toBe(`whyping: Cannot read the batch file ${dir}: it is a folder, not a file of JSON lines.\n`);
    expect(f.out()).toBe('');
  });

  it('says an empty batch held no queries (one line on stderr, exit 0, nothing on stdout)', async () => {
    const stdin = new PassThrough();
    stdin.end('\n  \n');
    const f = fakeContext({ stdin, loadSnapshot: () => ({}) as Snapshot });
    expect(await runCli(['diagnose', '--snapshot', 's', '--json', '--batch', '-'], f.ctx)).toBe(0);
    expect(f.out()).toBe('');
    expect(f.err()).toBe('whyping: stdin held no queries (only empty lines): nothing was diagnosed.\n');
  });

  it('starts the Slack app, not the shell, when SLACK_BOT_TOKEN is set', async () => {
    const f = fakeContext({ env: { SLACK_BOT_TOKEN: 'xoxb-1' } });
    let started = '';
    const code = await runCli(['start'], f.ctx, {
      startSlack: async () => {
        started = 'slack';
      },
      startShell: async () => {
        started = 'shell';
        return 0;
      },
    });
    expect(code).toBe(0);
    expect(started).toBe('slack');
  });

  it('starts the shell when no Slack token is set', async () => {
    const f = fakeContext();
    expect(await runCli(['start'], f.ctx, { startShell: async () => 0 })).toBe(0);
  });

  it('turns an unexpected error into one line, a hint and exit 70, without a stack trace', async () => {
    const f = fakeContext({
      loadSnapshot: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    });
    expect(await runCli(['diagnose', 'a', 'b', '--snapshot', '/x'], f.ctx)).toBe(70);
    expect(f.err()).toBe(
      "whyping: unexpected error: Cannot read properties of undefined (reading 'x')\nRerun with WHYPING_LOG_LEVEL=debug to see the details.\n",
    );
  });

  it('validates ids given to snapshot', async () => {
    const f = fakeContext();
    expect(await runCli(['snapshot', '--vpc', 'vpc-xyz', '--out', '/tmp/x'], f.ctx)).toBe(2);
    expect(f.err()).toContain('"vpc-xyz" is not a VPC id');
  });

  it('refuses a snapshot --out that is a file, before reading anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whyping-out-'));
    const file = join(dir, 'Vpcs.json');
    writeFileSync(file, '{}');
    const f = fakeContext();
    expect(await runCli(['snapshot', '--sandbox', '--out', file], f.ctx)).toBe(2);
    expect(f.err()).toBe(`whyping: --out ${file} is a file: give a folder to write the JSON files into.\n`);
  });

  it('reports what snapshot wrote', async () => {
    const f = fakeContext({
      openDeps: async () => ({}) as never,
      exportSnapshot: async () => ({ paths: ['a.json', 'b.json'], calls: 9, rounds: 3 }),
    });
    const out = join(mkdtempSync(join(tmpdir(), 'whyping-out-')), 'snap');
    expect(await runCli(['snapshot', '--vpc', 'vpc-0123456789abcdef0', '--out', out], f.ctx)).toBe(0);
    expect(f.out()).toContain(`Wrote 2 files to ${out} (9 AWS calls in 3 rounds)`);
  });
});

describe('error text', () => {
  it('lists close matches', () => {
    const e = new WhypingError('UNKNOWN_ENDPOINT', 'No endpoint matches "web-l".', { candidates: ['web-1', 'web-2'] });
    expect(errorText(e)).toBe('No endpoint matches "web-l".\nDid you mean: web-1, web-2?');
  });
  it('does not repeat candidates the message already names', () => {
    const e = new WhypingError('AMBIGUOUS_ENDPOINT', '"web" matches web-1 and web-2.', {
      candidates: ['web-1', 'web-2'],
    });
    expect(errorText(e)).toBe('"web" matches web-1 and web-2.');
  });
});

describe('exit codes and colours', () => {
  it('exits 0 only when reachable', () => {
    expect(verdictExitCode({ ...seedDiagnosis(), reachable: true })).toBe(0);
    expect(verdictExitCode(seedDiagnosis())).toBe(1);
    expect(verdictExitCode({ ...seedDiagnosis(), reachable: null })).toBe(1);
  });
  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(useColor({ stdout: { write: () => 0, isTTY: true }, env: {} })).toBe(true);
    expect(useColor({ stdout: { write: () => 0, isTTY: false }, env: {} })).toBe(false);
    expect(useColor({ stdout: { write: () => 0, isTTY: true }, env: { NO_COLOR: '1' } })).toBe(false);
  });
});
