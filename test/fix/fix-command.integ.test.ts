/**
 * `whyping fix` and `whyping undo` in-process (runCli with registerFixCommands), against the writable nock-backed
 * seed lab: confirmation rules, output, exit codes 0/1/2/3.
 */
import { createHmac } from 'node:crypto';
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
import { listScenarios } from '../../src/sandbox/index.js';
import { TEST_UNDO } from '../support/undo-key.js';
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
    undoKey: () => TEST_UNDO,
    sandboxScenarios: listScenarios,
    now: deps.now,
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
    // Numbered as applied, one number a change (never the shared apply-order group: [1] [2] [2] [3]).
    expect(r.stderr.match(/^ {2}\d+\. fix-/gm)).toEqual(['  1. fix-', '  2. fix-', '  3. fix-', '  4. fix-']);
    expect(r.stderr).toContain('CANNOT BE UNDONE');
    expect(r.stdout).toMatch(/^Before: not reachable \(4 blocker\(s\)\)\./);
    expect(r.stdout).toMatch(/After: reachable\.\n$/);
    // One token for the command, holding the three reversible changes; the peering is named as not in it.
    expect(r.stdout.match(/whyping undo wpu2\./g)).toHaveLength(1);
    expect(r.stdout).toContain(
      'Undo (all 3 changes, in reverse order, or none if any was changed since; until 2026-12-02T10:00:00Z)',
    );
    expect(r.stdout).toMatch(/\nNOT IN THE UNDO TOKEN: fix-\w+ — accepting pcx-\w+ is final \(/);
    expect(r.stdout).not.toMatch(/cannot be undone/i);
    expect(r.stdout).toContain('AWS request id(s):');

    // The printed token undoes every change, last first; the confirmation is derived from the verified steps.
    const token = tokenIn(r.stdout);
    const u = await cli(['undo', token, '--yes']);
    expect(u.code).toBe(0);
    expect(u.stderr).toMatch(
      /1\. delete route 10\.2\.0\.0\/16 → pcx-\w+ from rtb-\w+ \[fix-\w+; account 111122223333, us-east-1\]/,
    );
    expect(u.stdout).toMatch(/^APPLIED: Undone: revoked rule sgr-\w+ of sg-\w+; deleted route/);

    // Replayed: everything is gone already, so nothing is done.
    const again = await cli(['undo', token, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ALREADY IN PLACE: Nothing to undo/);
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

/** The one undo token a fix report printed. */
function tokenIn(stdout: string): string {
  return /whyping undo (wpu2\.\S+)/.exec(stdout)?.[1] ?? '';
}

/** Rewrites a token's JSON and signs it again with `key` (a forger who guessed the format, or the real key). */
function reSigned(token: string, edit: (t: Record<string, unknown>) => void, key: Buffer): string {
  const body = token.split('.')[1] ?? '';
  const json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  edit(json);
  const signed = `wpu2.${Buffer.from(JSON.stringify(json)).toString('base64url')}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

describe('whyping undo only ever reverses what whyping did', () => {
  async function fixed(): Promise<string> {
    acct = writableAccount([SEED]);
    const r = await cli(['fix', VM1, VM2, '--apply', 'all', '--yes']);
    expect(r.code).toBe(0);
    return tokenIn(r.stdout);
  }
  const writes = () => acct.writes().filter((w) => w !== 'CreateTags');
  /** The route for `dest` whyping made in the account, and its table (to change them behind whyping's back). */
  function routeTo(dest: string) {
    const table = (acct.account.RouteTables as { Routes: Record<string, unknown>[] }[]).find((t) =>
      t.Routes.some((r) => r.DestinationCidrBlock === dest),
    ) as { Routes: Record<string, unknown>[] };
    return { table, route: table.Routes.find((r) => r.DestinationCidrBlock === dest) as Record<string, unknown> };
  }

  it('refuses a forged token (re-signed with another key) with exit 2, before any AWS call', async () => {
    const token = await fixed();
    const forged = reSigned(
      token,
      (t) => {
        (t.steps as { change: Record<string, unknown> }[])[0] = {
          ...(t.steps as { change: unknown }[])[0],
          change: {
            kind: 'route-created',
            routeTableId: 'rtb-0123',
            destinationCidrBlock: '0.0.0.0/0',
            target: { gatewayId: 'igw-0123' },
          },
        } as never;
      },
      Buffer.alloc(32, 1),
    );
    const calls = acct.calls.length;
    const r = await cli(['undo', forged, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('signature does not match');
    expect(r.stderr).not.toContain('0.0.0.0/0');
    expect(acct.calls.length).toBe(calls);
  });

  it('refuses a tampered token (one character of its content changed) with exit 2', async () => {
    const token = await fixed();
    const [p, body, sig] = token.split('.');
    const flipped = `${body?.slice(0, 40)}${body?.[40] === 'A' ? 'B' : 'A'}${body?.slice(41)}`;
    const r = await cli(['undo', `${p}.${flipped}.${sig}`, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('signature does not match');
  });

  it('refuses an expired token with exit 2, saying when it expired', async () => {
    const token = await fixed();
    const expired = reSigned(
      token,
      (t) => Object.assign(t, { expiresAt: Date.parse('2026-11-25T09:00:00Z') / 1000 }),
      TEST_UNDO.key,
    );
    const r = await cli(['undo', expired, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expired at 2026-11-25T09:00:00Z');
  });

  it('refuses a token of the older unsigned format with exit 2', async () => {
    acct = writableAccount([SEED]);
    const r = await cli(['undo', `wpu1.${Buffer.from('{}').toString('base64url')}.abcdefgh`, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('carries no signature');
  });

  it('undoes nothing (exit 1, naming the step) after someone points a route whyping made at another target', async () => {
    const token = await fixed();
    const route = routeTo('10.2.0.0/16').route;
    delete route.VpcPeeringConnectionId;
    route.GatewayId = 'igw-0someoneelse000001';
    const before = writes().length;
    const r = await cli(['undo', token, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/REFUSED: Nothing was undone: step \d of 3 \(delete route 10\.2\.0\.0\/16/);
    expect(r.stdout).toContain('now points at igw-0someoneelse000001');
    expect(writes().length).toBe(before);
    expect(route.GatewayId).toBe('igw-0someoneelse000001');
  });

  it('undoes nothing when a route whyping made is no longer in the state it left (now blackhole)', async () => {
    const token = await fixed();
    const route = routeTo('10.2.0.0/16').route;
    route.State = 'blackhole';
    const before = writes().length;
    const r = await cli(['undo', token, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('is now blackhole; whyping left it active');
    expect(writes().length).toBe(before);
  });

  it('undoes nothing after someone replaced the rule whyping added with their own', async () => {
    const token = await fixed();
    type Peer = { Description?: string };
    const groups = acct.account.SecurityGroups as {
      IpPermissions: { IpRanges?: Peer[]; UserIdGroupPairs?: Peer[] }[];
    }[];
    const ours = groups
      .flatMap((g) => g.IpPermissions)
      .flatMap((p) => [...(p.IpRanges ?? []), ...(p.UserIdGroupPairs ?? [])])
      .filter((x) => x.Description?.startsWith('whyping:'));
    expect(ours).toHaveLength(1);
    for (const x of ours) x.Description = 'ops: keep';
    const before = writes().length;
    const r = await cli(['undo', token, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('is now described "ops: keep"');
    expect(writes().length).toBe(before);
  });

  it('undoes nothing when one change is gone and the others are still there', async () => {
    const token = await fixed();
    const { table } = routeTo('10.2.0.0/16');
    table.Routes = table.Routes.filter((r) => r.DestinationCidrBlock !== '10.2.0.0/16');
    const before = writes().length;
    const r = await cli(['undo', token, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('while the others are still in place');
    expect(writes().length).toBe(before);
  });

  it("refuses --region that differs from where the token's changes were made, with exit 2", async () => {
    const token = await fixed();
    const r = await cli(['undo', token, '--yes', '--region', 'eu-west-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('made in us-east-1, not eu-west-1');
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
