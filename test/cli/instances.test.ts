/**
 * `whyping instances` and the shell's `instances`: the names a question can use, live (the sandbox beneath the real
 * SDK clients) or from a snapshot; and an end that names nothing says the close matches and how to list them.
 */
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import { listInstances } from '../../src/core/instances.js';
import { silentLogger } from '../../src/log.js';
import { createCliContext } from '../../src/main/context.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, readSnapshotFiles } from '../../src/snapshot/index.js';

const FIXED = resolve(import.meta.dirname, '../fixtures/cli/seed-lab-fixed.json');

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = createCliContext({
    config: loadConfig({ WHYPING_PROBES: 'off' }),
    logger: silentLogger,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    stdin: new PassThrough(),
    env: { NO_COLOR: '1' },
  });
  const code = await runCli(argv, ctx);
  return { code, out: out.join(''), err: err.join('') };
}

describe('whyping instances', () => {
  it('lists the sandbox account by Name, with id and private IP, a line each', async () => {
    const r = await run(['instances', '--sandbox']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'Instances in us-east-1 (2):',
        '  Instance - NextWork VPC 1  i-0a7b3c9d1e5f20311  10.1.0.12',
        '  Instance - NextWork VPC 2  i-0b8c4d0e2f6a31422  10.2.4.95',
        '',
      ].join('\n'),
    );
  });

  it('lists a built-in scenario, sorted by Name', async () => {
    const r = await run(['instances', '--sandbox', 'transitive-peering']);
    expect(
      r.out
        .split('\n')
        .slice(1, 4)
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['app-a', 'db-c', 'hub-b']);
  });

  it('lists a snapshot as JSON, public IPs included', async () => {
    const r = await run(['instances', '--snapshot', FIXED, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ where: 'the snapshot', more: false });
    expect(j.instances[0]).toEqual({
      id: 'i-0a7b3c9d1e5f20311',
      name: 'Instance - NextWork VPC 1',
      state: 'running',
      vpcId: 'vpc-0e5b1c9d2f4a71a01',
      privateIp: '10.1.0.12',
      publicIp: '54.163.20.117',
    });
  });

  it('refuses --region with --snapshot, and --snapshot with --sandbox (exit 2)', async () => {
    expect((await run(['instances', '--snapshot', FIXED, '--region', 'eu-west-1'])).code).toBe(2);
    const both = await run(['instances', '--snapshot', FIXED, '--sandbox']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/cannot be used with/);
  });

  it('says when there were more instances than it lists', async () => {
    const snapshot = buildSnapshot(readSnapshotFiles(FIXED));
    const offline = await listInstances({ kind: 'snapshot', snapshot }, 1);
    expect(offline).toMatchObject({ more: true, rows: [{ name: 'Instance - NextWork VPC 1' }] });
    const sb = createSandbox({ region: 'us-east-1' });
    const deps = {
      clients: sb.clients,
      region: sb.region,
      logger: silentLogger,
      now: () => new Date(),
      sleep: async () => {},
      probesEnabled: false,
    };
    const live = await listInstances({ kind: 'live', deps }, 1);
    expect(live.more).toBe(true);
    expect(live.rows).toHaveLength(1);
  });
});

describe('an end that names nothing', () => {
  it('says the close matches and how to list the instances, live and offline', async () => {
    for (const argv of [
      ['diagnose', 'Instance - NextWork VPC 3', '10.2.4.95', '--sandbox'],
      ['diagnose', 'Instance - NextWork VPC 3', '10.2.4.95', '--snapshot', FIXED],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^whyping: No instance.* "Instance - NextWork VPC 3" .*Did you mean: Instance - NextWork VPC 1/,
      );
      expect(r.err).toMatch(
        /\nList the instances with: whyping instances \(with the same --sandbox, --snapshot or --region\)\.\n$/,
      );
    }
  });

  it('says how to list them even with no close match', async () => {
    const r = await run(['diagnose', 'web-1', 'db-1', '--sandbox']);
    expect(r.err).toBe(
      'whyping: No instance is named "web-1" in us-east-1.\nList the instances with: whyping instances (with the same --sandbox, --snapshot or --region).\n',
    );
  });
});
