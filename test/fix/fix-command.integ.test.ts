/**
 * `whyping fix` and `whyping undo` in-process (runCli with registerFixCommands), against the writable nock-backed
 * seed lab: confirmation rules, output, exit codes 0/1/2/3.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { SSMClient } from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { registerFixCommands } from '../../src/cli/fix-command.js';
import { runCli } from '../../src/cli/program.js';
import type { Deps } from '../../src/core/deps.js';
import { WhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { type WritableAccount, writableAccount } from './account.js';

const SEED = JSON.parse(readFileSync(new URL('../../src/sandbox/scenarios/seed-lab.json', import.meta.url), 'utf8'));
const VM1 = 'Instance - NextWork VPC 1';
const VM2 = 'Instance - NextWork VPC 2';
const common = {
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
};

function buffer() {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

async function cli(args: string[], opts: { tty?: boolean; input?: string } = {}) {
  const stdout = buffer();
  const stderr = buffer();
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  stdin.end(opts.input ?? '');
  const deps: Deps = {
    clients: { ec2: new EC2Client(common), ssm: new SSMClient(common), eic: new EC2InstanceConnectClient(common) },
    region: 'us-east-1',
    logger: silentLogger,
    now: () => new Date('2026-11-25T10:00:00Z'),
    sleep: async () => {},
    probesEnabled: false,
  };
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin,
    env: { USER: 'tester' },
    logger: silentLogger,
    loadSnapshot: () => {
      throw new WhypingError('BAD_INPUT', 'no snapshots in this test');
    },
    openDeps: async () => deps,
    exportSnapshot: async () => ({ paths: [], calls: 0, rounds: 0 }),
    hasAwsCredentials: async () => true,
  };
  const code = await runCli(args, ctx, { registerFixCommands });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let acct: WritableAccount;
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  acct?.stop();
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('whyping fix', () => {
  it('applies every fix with --yes, prints before/after and undo tokens, and exits 0', async () => {
    acct = writableAccount([SEED]);
    const r = await cli(['fix', VM1, VM2, '--apply', 'all', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('these 4 changes, in order');
    expect(r.stderr).toContain('CANNOT BE UNDONE');
    expect(r.stdout).toMatch(/^Before: not reachable \(4 blocker\(s\)\)\./);
    expect(r.stdout).toMatch(/After: reachable\.\n$/);
    expect(r.stdout.match(/undo: whyping undo wpu1\./g)).toHaveLength(3);
    expect(r.stdout).toContain('AWS request id(s):');

    // The printed token undoes the change.
    const token = /undo: whyping undo (wpu1\.\S+)/.exec(r.stdout)?.[1] ?? '';
    const u = await cli(['undo', token, '--yes']);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/^APPLIED: Undone/);
  });

  it('refuses with exit 1 and changes nothing when stdin is not a terminal and --yes is missing', async () => {
    acct = writableAccount([SEED]);
    const r = await cli(['fix', VM1, VM2, '--apply', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Refusing to change AWS without confirmation');
    expect(acct.writes()).toEqual([]);
  });

  it('asks on a terminal and applies when the answer is y', async () => {
    acct = writableAccount([SEED]);
    const r = await cli(['fix', VM1, VM2, '--apply', 'all'], { tty: true, input: 'y\n' });
    expect(r.stderr).toContain('Apply? [y/N]');
    expect(r.code).toBe(0);
    expect(acct.writes().length).toBeGreaterThan(0);
  });

  it('exits 1 on a stale fix id and 2 on a malformed one', async () => {
    acct = writableAccount([SEED]);
    const stale = await cli(['fix', VM1, VM2, '--apply', 'fix-ffffffffffff', '--yes']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('Stale plan');
    const bad = await cli(['fix', VM1, VM2, '--apply', 'rm -rf /', '--yes']);
    expect(bad.code).toBe(2);
    expect(acct.writes()).toEqual([]);
  });

  it('exits 3 and names the IAM action when AWS denies the dry run', async () => {
    acct = writableAccount([SEED], { deny: ['AcceptVpcPeeringConnection'] });
    const r = await cli(['fix', VM1, VM2, '--apply', 'all', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('ec2:AcceptVpcPeeringConnection');
    expect(acct.writes()).toEqual([]);
  });
});

describe('whyping undo', () => {
  it('exits 2 on a garbled token without contacting AWS', async () => {
    acct = writableAccount([SEED]);
    const r = await cli(['undo', 'wpu1.garbage.abcdefgh', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Not a valid whyping undo token');
    expect(acct.calls).toEqual([]);
  });
});
