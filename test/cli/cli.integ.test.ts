/**
 * The CLI as a user runs it, with the seed lab as a snapshot or the sandbox. Asserts stdout, stderr and exit codes.
 * `run` starts `node bin/whyping.js …` in a child process: for what only a process shows (the exit code it ends with,
 * no stack trace, stdin as a pipe, a reader that goes away, credentials and endpoints the AWS SDK reads from the
 * environment, the Slack app's start). `here` runs the same command in this process, wired as the bin entry wires it
 * (test/support/cli.ts): for what a command prints. Nothing here reaches the network: live AWS is only tried with no
 * credentials and the metadata service disabled.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliHere } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const BROKEN = join(root, 'test/fixtures/cli/seed-lab-broken.json');
const FIXED = join(root, 'test/fixtures/cli/seed-lab-fixed.json');
const VM1 = 'Instance - NextWork VPC 1';
const VM2 = 'Instance - NextWork VPC 2';

/** An environment with no AWS credentials anywhere, and no metadata service to wait for. */
function noAwsEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('SLACK_') && !k.startsWith('WHYPING_')) env[k] = v;
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home = '';
function run(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/whyping.js'), ...args], {
      cwd: root,
      env: { ...noAwsEnv(home), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** The same command in this process, with the same environment (test/support/cli.ts). */
function here(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> {
  return runCliHere(args, { ...noAwsEnv(home), ...opts.env }, opts.input);
}

const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'whyping-cli-'));
});

describe('whyping diagnose with a snapshot', () => {
  it('exits 0 and says reachable on the fixed seed lab', async () => {
    const r = await here(['diagnose', VM1, VM2, '--snapshot', FIXED]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ Reachable: Instance - NextWork VPC 1 \(i-[0-9a-f]+, 10\.1\.0\.12\) →/);
    expect(r.stdout).toContain('Request path (forward)');
    expect(r.stdout).toContain('Reply path (return)');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 1 and lists every blocker and numbered fixes on the broken seed lab', async () => {
    const r = await run(['diagnose', VM1, VM2, '--snapshot', BROKEN]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ Not reachable: [\s\S]*? ping \(ICMP\) \(\d+\s+blockers\)\./);
    for (const code of ['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']) expect(r.stdout).toContain(code);
    expect(r.stdout).toMatch(/Fixes \(in apply order\)\n {2}1\. [\s\S]*?\n {2}2\. /);
    expect(r.stdout).toMatch(/✗ Route table rtb-/);
  });

  it('puts the verdict, blockers and fixes first and the paths after, in 80 columns when piped', async () => {
    const r = await here(['diagnose', VM1, VM2, '--snapshot', BROKEN]);
    const lines = r.stdout.trimEnd().split('\n');
    // Nothing wider than 80 columns, except a lone unbreakable token on its own line.
    for (const line of lines) if ([...line].length > 80) expect(line.trim()).not.toContain(' ');
    const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
    expect(at('✗ Not reachable')).toBe(0);
    expect(at('Blockers (')).toBeLessThan(at('Fixes (in apply order)'));
    expect(at('Fixes (in apply order)')).toBeLessThan(at('Request path (forward)'));
    // A blocker names its fix by number; the change itself is printed once, in the fix list.
    expect(r.stdout).toMatch(/→ fix \d/);
    const add = /Add route 10\.2\.0\.0\/16 → pcx-[0-9a-f]+/.exec(r.stdout)?.[0] as string;
    expect(r.stdout.split(add).length - 1).toBe(1);
  });

  it("shows each hop's full rule, the evidence and how each fix is undone with --verbose", async () => {
    const short = await here(['diagnose', VM1, VM2, '--snapshot', BROKEN]);
    const r = await here(['diagnose', VM1, VM2, '--snapshot', BROKEN, '--verbose']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('evidence: ');
    expect(r.stdout).toContain('undo: DeleteRoute');
    expect(short.stdout).not.toContain('evidence: ');
    expect(r.stdout.split('\n').length).toBeGreaterThan(short.stdout.split('\n').length);
  });

  it('prints the JSON contract with --json', async () => {
    const r = await here(['diagnose', VM1, '10.2.4.95:22', '--snapshot', BROKEN, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual([
      'query',
      'endpoints',
      'reachable',
      'notAnalyzed',
      'forward',
      'return',
      'findings',
      'warnings',
      'probe',
      'hints',
      'partlyDenied',
      'instanceConnect',
    ]);
    expect(j.query).toEqual({ from: VM1, to: '10.2.4.95', protocol: 'tcp', port: 22 });
    expect(j.endpoints.from).toMatchObject({ kind: 'instance', ip: '10.1.0.12' });
    expect(j.endpoints.to).toMatchObject({ ip: '10.2.4.95' });
    expect(j.reachable).toBe(false);
    expect(j.probe).toBeNull();
    for (const f of j.findings) {
      expect(Object.keys(f)).toEqual([
        'code',
        'awsCode',
        'direction',
        'resource',
        'message',
        'evidence',
        'fix',
        'history',
      ]);
      expect(f.history).toBeNull();
    }
    for (const h of [...j.forward, ...j.return]) {
      expect(Object.keys(h)).toEqual(['component', 'id', 'direction', 'allowed', 'rule', 'detail']);
    }
  });

  it('exits 2 on an unknown endpoint, listing close matches, with no stack trace', async () => {
    const r = await run(['diagnose', VM1, 'Instance - NextWork VPC 3', '--snapshot', BROKEN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^whyping: /);
    expect(r.stderr).toContain('Instance - NextWork VPC 2');
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('exits 2 on a loopback end, saying in one sentence why no path leads there', async () => {
    const r = await here(['diagnose', VM1, '127.0.0.1', '--snapshot', BROKEN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^whyping: 127\.0\.0\.1 is a loopback address: it never leaves the host/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on a bad port', async () => {
    const r = await here(['diagnose', VM1, VM2, '--port', '0', '--snapshot', BROKEN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('whyping: Port 0 is out of range: ports go from 1 to 65535.\n');
  });

  it('exits 2 on an unreadable snapshot, with no stack trace', async () => {
    const r = await here(['diagnose', VM1, VM2, '--snapshot', join(home, 'missing.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whyping: .*missing\.json/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('exits 2 with commander’s message on bad usage', async () => {
    const r = await here(['diagnose', VM1, VM2, '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--colour'");
  });
});

describe('whyping diagnose --batch', () => {
  it('prints one line per query, an error object for a failing line, and exits 0', async () => {
    const file = join(home, 'flows.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ from: VM1, to: VM2 }),
        'this is not json',
        '',
        JSON.stringify({ from: VM1, to: 'no-such-host', protocol: 'icmp' }),
        JSON.stringify({ from: VM1, to: '10.2.4.95', protocol: 'tcp', port: 70000 }),
        JSON.stringify({ from: '10.1.0.12', to: '10.2.4.95', protocol: 'tcp', port: 22 }),
      ].join('\n'),
    );
    const r = await here(['diagnose', '--snapshot', BROKEN, '--batch', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ query: { from: VM1, to: VM2, protocol: 'icmp', port: null }, reachable: false });
    expect(lines[1]).toEqual({ query: 'this is not json', error: { code: 'BAD_INPUT', message: expect.any(String) } });
    expect(lines[2]).toMatchObject({ query: { to: 'no-such-host' }, error: { code: 'UNKNOWN_ENDPOINT' } });
    expect(lines[3]).toMatchObject({ query: { port: 70000 }, error: { code: 'BAD_INPUT' } });
    expect(lines[3].error.message).toContain('out of range');
    expect(lines[4]).toMatchObject({ query: { from: '10.1.0.12', protocol: 'tcp', port: 22 } });
    expect(typeof lines[4].reachable).toBe('boolean');
  });

  it('exits 2 when the batch file cannot be read', async () => {
    const r = await here(['diagnose', '--snapshot', BROKEN, '--batch', join(home, 'nope.jsonl'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Cannot read the batch file');
    expect(r.stdout).toBe('');
  });

  it('stops quietly when the reader goes away (| head -1)', async () => {
    const file = join(home, 'many.jsonl');
    writeFileSync(file, `${JSON.stringify({ from: VM1, to: VM2 })}\n`.repeat(2000));
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(
        process.execPath,
        [join(root, 'bin/whyping.js'), 'diagnose', '--snapshot', BROKEN, '--batch', file, '--json'],
        {
          cwd: root,
          env: noAwsEnv(home),
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => {
        stderr += d;
      });
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => done({ code, stderr }));
    });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.code).toBe(0);
  });

  it('reads the batch from stdin with -', async () => {
    const r = await run(['diagnose', '--snapshot', FIXED, '--batch', '-', '--json'], {
      input: `${JSON.stringify({ from: VM1, to: VM2 })}\n`,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).reachable).toBe(true);
  });
});

describe('live AWS and the sandbox', () => {
  it('exits 3 without credentials and mentions --sandbox, quickly', async () => {
    const started = Date.now();
    const r = await run(['diagnose', VM1, VM2]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--sandbox');
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('runs the same live code path against the sandbox with --sandbox', async () => {
    const r = await here(['diagnose', VM1, VM2, '--sandbox']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    for (const code of ['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']) expect(r.stdout).toContain(code);
  });

  it('says after the verdict who changed each blocker and when with --history', async () => {
    const r = await here(['diagnose', VM1, VM2, '--sandbox', '--history']);
    expect(r.code).toBe(1);
    const [verdict, wrapped = ''] = r.stdout.split('\nWhat changed (CloudTrail, last 7 days)\n');
    expect(verdict).toContain('NO_ROUTE');
    const history = wrapped.replace(/\n {5,}/g, ' ');
    expect(history).toMatch(
      /1\. rtb-03e4f5a6b7c8d9e11: DeleteRoute by sam \(role NetworkAdmin\), yesterday \(.+ UTC\): removed .*10\.2\.0\.0\/16.* \[event /,
    );
    expect(history).toContain('2. pcx-0d6e7f8a9b0c1d2e3: no change recorded in 7 days. → fix 1');
    // Four blockers, four lines: none throttled (the queue keeps CloudTrail's rate, and a throttle is retried).
    expect(history.trimEnd().split('\n')).toHaveLength(4);
    expect(history).not.toContain('throttled');
  });

  it('puts the history in each finding with --history --json, and refuses it in a batch', async () => {
    const r = await here(['diagnose', VM1, VM2, '--sandbox', '--history', '--json']);
    const j = JSON.parse(r.stdout);
    const noRoute = j.findings.find((f: { resource: string }) => f.resource === 'rtb-03e4f5a6b7c8d9e11');
    expect(noRoute.history.window.days).toBe(7);
    expect(noRoute.history.skipped).toBeNull();
    expect(noRoute.history.events[0]).toMatchObject({ eventName: 'DeleteRoute', principal: 'sam (role NetworkAdmin)' });
    const batch = await here(['diagnose', '--snapshot', FIXED, '--batch', '-', '--json', '--history']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain('drop --probe, --history, --sandbox and --role-arn');
  });

  it('loads a snapshot into the sandbox with --sandbox PATH', async () => {
    const r = await here(['diagnose', VM1, VM2, '--sandbox', FIXED, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).reachable).toBe(true);
  });
});

describe('whyping snapshot', () => {
  it('exports the sandbox account to a folder that diagnose --snapshot reads back', async () => {
    const out = join(home, 'exported');
    const r = await here(['snapshot', '--sandbox', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Wrote \d+ files to .*exported \(\d+ AWS calls in \d+ rounds?\)\./);
    const d = await here(['diagnose', VM1, VM2, '--snapshot', out, '--json']);
    expect(d.code).toBe(1);
    expect(JSON.parse(d.stdout).findings.map((f: { code: string }) => f.code)).toContain('PEERING_NOT_ACTIVE');
  });

  it('exits 3 without credentials, mentioning --sandbox', async () => {
    const r = await run(['snapshot', '--vpc', 'vpc-0e5b1c9d2f4a71a01', '--out', join(home, 'never')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--sandbox');
  });
});

describe('whyping diagnose --probe', () => {
  it('adds the probe result from the sandbox, and the verdict still decides the exit code', async () => {
    const r = await here(['diagnose', VM1, VM2, '--sandbox', '--probe', '--json']);
    expect(r.code).toBe(1);
    const probe = JSON.parse(r.stdout).probe;
    expect(probe).toMatchObject({ ran: true, protocol: 'icmp', agreesWithVerdict: true });
  });
});

describe('built-in sandbox scenarios', () => {
  it('shows a probe that disagrees with the verdict (host firewall) without changing the exit code', async () => {
    const r = await here(['diagnose', 'bastion', 'app-1', '--sandbox', 'host-firewall', '--probe', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.reachable).toBe(true);
    expect(j.probe).toMatchObject({ ran: true, agreesWithVerdict: false });
    expect(j.probe.findings.map((f: { code: string }) => f.code)).toContain('HOST_FIREWALL_SUSPECTED');
  });

  it('names the built-in scenarios when --sandbox gets something that is neither a path nor a scenario', async () => {
    const r = await here(['diagnose', 'a', 'b', '--sandbox', 'no-such-scenario']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"no-such-scenario" .* neither a built-in scenario \(.*seed-lab.*\) nor an existing file/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('takes --from-account / --to-account on fix as on diagnose: the end is looked up in that account', async () => {
    const sandbox = ['--sandbox', 'cross-account-peering', '--apply', 'all', '--yes'];
    // db-b lives in eu-west-1 of 444455556666: --to-account sends the lookup there, in the default region.
    const there = await here(['fix', 'app-a', 'db-b', '--to-account', '444455556666', ...sandbox]);
    expect(there.code).toBe(2);
    expect(there.stderr).toMatch(/No instance is named "db-b" in us-east-1 \(account 444455556666\)/);
    expect(there.stderr).toMatch(/db-b@444455556666\/<region>/);
    const short = await here(['fix', 'app-a', 'db-b', '--to-account', '4444', ...sandbox]);
    expect(short.code).toBe(2);
    expect(short.stderr.trim()).toBe(
      'whyping: --to-account takes a 12-digit AWS account id (e.g. 444455556666), not "4444".',
    );
    const both = await here(['fix', 'app-a@111122223333', 'db-b', '--from-account', '444455556666', ...sandbox]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /"app-a@111122223333" names account 111122223333, and --from-account says 444455556666/,
    );
    for (const r of [there, short, both]) expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('whyping --help and start', () => {
  it('lists every command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['diagnose', 'snapshot', 'fix', 'undo', 'start'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
  });

  it('shows the help of fix (registered by the fix module)', async () => {
    const r = await here(['fix', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--apply');
  });

  it('starts the Slack app when SLACK_BOT_TOKEN is set, and a missing signing secret is one line and exit 2', async () => {
    const r = await run(['start'], { env: { SLACK_BOT_TOKEN: 'xoxb-test' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whyping: SLACK_SIGNING_SECRET is required over HTTP .*\n$/);
    expect(r.stderr).not.toContain('xoxb-test');
  });

  it('names a malformed Slack setting in one line (exit 2)', async () => {
    const r = await run(['start'], {
      env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 's3cret', WHYPING_FIXERS: 'U1234,bob' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'whyping: WHYPING_FIXERS has an invalid entry "bob": list Slack user ids (U…) and user-group ids (S…), separated by commas.\n',
    );
  });
});

describe('an AWS endpoint that accepts and never answers', () => {
  it('ends the command with one exit-3 line naming WHYPING_AWS_TIMEOUT_S, within the bounded time', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s); // accepted, never answered
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    try {
      const started = process.hrtime.bigint();
      const r = await run(['diagnose', 'i-0123456789abcdef0', '10.0.0.9'], {
        env: {
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
          AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${port}`,
          WHYPING_AWS_TIMEOUT_S: '1',
        },
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/did not answer .* in time .*within 1 s, retries included.*WHYPING_AWS_TIMEOUT_S/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      // One call's budget, plus process start: far from the minutes an unbounded call waits.
      expect(seconds).toBeLessThan(15);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('--sandbox PATH goes through the same validated loader as --snapshot', () => {
  it('refuses a numeric IpProtocol with exit 2 and the JSON path, not an unexpected error', async () => {
    const file = join(home, 'numeric-protocol.json');
    writeFileSync(
      file,
      JSON.stringify({
        SecurityGroups: [
          {
            GroupId: 'sg-1',
            GroupName: 'x',
            VpcId: 'vpc-1',
            IpPermissions: [{ IpProtocol: 6, FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
            IpPermissionsEgress: [],
          },
        ],
      }),
    );
    const r = await here(['diagnose', '10.0.0.1', '10.0.0.2', '--sandbox', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('$.SecurityGroups[0].IpPermissions[0].IpProtocol');
    expect(r.stderr).not.toContain('unexpected error');
  });

  it('refuses deeply nested JSON with exit 2 instead of overflowing the stack', async () => {
    const file = join(home, 'deep-sandbox.json');
    writeFileSync(file, `{"Vpcs":[{"VpcId":"vpc-1","Junk":${'['.repeat(50000)}${']'.repeat(50000)}}]}`);
    const r = await here(['diagnose', '10.0.0.1', '10.0.0.2', '--sandbox', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nested more than 64 levels deep');
  });

  it('applies WHYPING_MAX_SNAPSHOT_MB to --snapshot', async () => {
    const file = join(home, 'padded.json');
    writeFileSync(file, JSON.stringify({ Vpcs: [], Padding: 'x'.repeat(2 * 1024 * 1024) }));
    const r = await here(['diagnose', '10.0.0.1', '10.0.0.2', '--snapshot', file], {
      env: { WHYPING_MAX_SNAPSHOT_MB: '1' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('over the 1 MB limit: raise WHYPING_MAX_SNAPSHOT_MB');
  });
});

describe('resource text never writes escape sequences to the terminal', () => {
  it('strips a Name tag’s OSC title change and screen clear from the "did you mean" list', async () => {
    const evil = 'web\u001b]0;pwned\u0007\u001b[2J';
    const file = join(home, 'evil-names.json');
    writeFileSync(
      file,
      JSON.stringify({
        Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', OwnerId: '111122223333' }],
        Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }],
        Reservations: [
          {
            OwnerId: '111122223333',
            Instances: [
              {
                InstanceId: 'i-0123456789abcdef0',
                SubnetId: 'subnet-1',
                VpcId: 'vpc-1',
                PrivateIpAddress: '10.0.1.5',
                State: { Name: 'running' },
                Tags: [{ Key: 'Name', Value: evil }],
                NetworkInterfaces: [],
                SecurityGroups: [],
              },
            ],
          },
        ],
      }),
    );
    const r = await here(['diagnose', 'web', '10.0.1.9', '--snapshot', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('web]0;pwned');
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('\u0007');
  });
});
