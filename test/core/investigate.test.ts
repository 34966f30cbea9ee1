import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../src/core/deps.js';
import {
  type BatchResult,
  batchQuery,
  describeCollected,
  investigate,
  investigateBatch,
} from '../../src/core/investigate.js';
import type { WhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, readSnapshotFiles } from '../../src/snapshot/index.js';

const root = resolve(import.meta.dirname, '../..');
const BROKEN = join(root, 'test/fixtures/cli/seed-lab-broken.json');
const FIXED = join(root, 'test/fixtures/cli/seed-lab-fixed.json');
const VM1 = 'Instance - NextWork VPC 1';
const VM2 = 'Instance - NextWork VPC 2';
const ping: Query = { from: VM1, to: VM2, protocol: 'icmp', port: null };

function sandboxDeps(overrides: Partial<Deps> = {}): Deps {
  const sandbox = createSandbox({ region: 'us-east-1' });
  let t = Date.parse('2026-11-25T10:00:00Z');
  return {
    clients: sandbox.clients,
    region: 'us-east-1',
    logger: silentLogger,
    now: () => new Date(t),
    sleep: async (ms) => {
      t += ms;
    },
    probesEnabled: true,
    ...overrides,
  };
}

describe('investigate on a snapshot', () => {
  it('resolves both ends and traces both paths', async () => {
    const stages: string[] = [];
    const d = await investigate(
      ping,
      { kind: 'snapshot', snapshot: buildSnapshot(readSnapshotFiles(BROKEN)) },
      {
        onStage: (s) => stages.push(s),
      },
    );
    expect(stages).toEqual([`Resolving ${VM1} and ${VM2}…`, 'Tracing the request path…']);
    expect(d.reachable).toBe(false);
    expect(d.endpoints.from.ip).toBe('10.1.0.12');
    expect(d.endpoints.to.ip).toBe('10.2.4.95');
    expect(d.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']),
    );
    expect(d.probe).toBeNull();
  });

  it('reports a requested probe as skipped: a snapshot has no live instances', async () => {
    const d = await investigate(
      ping,
      { kind: 'snapshot', snapshot: buildSnapshot(readSnapshotFiles(FIXED)) },
      {
        probe: true,
      },
    );
    expect(d.reachable).toBe(true);
    expect(d.probe).toMatchObject({ ran: false, skipped: 'a snapshot has no live instances to probe' });
  });

  it('throws UNKNOWN_ENDPOINT for a name that matches nothing', async () => {
    await expect(
      investigate({ ...ping, to: 'nope' }, { kind: 'snapshot', snapshot: buildSnapshot(readSnapshotFiles(FIXED)) }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ENDPOINT' });
  });
});

describe('investigate live (through the sandbox’s SDK clients)', () => {
  it('collects, reports each stage, and gives the same verdict as the snapshot', async () => {
    const stages: string[] = [];
    const d = await investigate(ping, { kind: 'live', deps: sandboxDeps() }, { onStage: (s) => stages.push(s) });
    expect(stages[0]).toBe(`Resolving ${VM1} and ${VM2}…`);
    expect(stages[1]).toMatch(/^Reading \d+ route tables?, \d+ security groups?.*…$/);
    expect(stages[2]).toBe('Tracing the request path…');
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']),
    );
  });

  it('probes from the source instance when asked', async () => {
    const stages: string[] = [];
    const d = await investigate(
      ping,
      { kind: 'live', deps: sandboxDeps() },
      { probe: true, onStage: (s) => stages.push(s) },
    );
    expect(stages).toContain(`Probing ${VM1} → ${VM2}…`);
    expect(d.probe).not.toBeNull();
    expect(d.probe?.protocol).toBe('icmp');
  });

  it('sends no probe when probes are off, and says why', async () => {
    const deps = sandboxDeps({ probesEnabled: false });
    const d = await investigate(ping, { kind: 'live', deps }, { probe: true });
    expect(d.probe?.ran).toBe(false);
    expect(d.probe?.skipped).toContain('WHYPING_PROBES=off');
  });
});

describe('investigateBatch', () => {
  it('answers every line in order, and turns a failing line into an error', async () => {
    const snapshot = buildSnapshot(readSnapshotFiles(FIXED));
    const lines = [
      JSON.stringify({ from: VM1, to: VM2 }),
      '{oops',
      '   ',
      JSON.stringify({ from: VM1, to: VM2, protocol: 'tcp' }),
      JSON.stringify([1, 2]),
      JSON.stringify({ from: VM1, to: VM2, protocol: 'udp', port: '53' }),
    ];
    const out: BatchResult[] = [];
    for await (const r of investigateBatch(snapshot, lines)) out.push(r);
    expect(out).toHaveLength(5);
    expect('diagnosis' in (out[0] as BatchResult)).toBe(true);
    expect(out[1]).toMatchObject({ query: '{oops', error: { code: 'BAD_INPUT' } });
    expect(out[2]).toMatchObject({ error: { code: 'BAD_INPUT', message: expect.stringMatching(/TCP needs a port/) } });
    expect(out[3]).toMatchObject({ query: [1, 2], error: { code: 'BAD_INPUT' } });
    expect((out[4] as { diagnosis: { query: Query } }).diagnosis.query).toEqual({
      from: VM1,
      to: VM2,
      protocol: 'udp',
      port: 53,
    });
  });

  it('answers a pair of ends asked again (found or not) as it answers a single question', async () => {
    const snapshot = buildSnapshot(readSnapshotFiles(FIXED));
    const queries = [
      { from: VM1, to: VM2, protocol: 'tcp', port: 22 },
      { from: VM1, to: 'nowhere-1' },
      { from: VM1, to: VM2 },
      { from: VM1, to: 'nowhere-1', protocol: 'tcp', port: 443 },
      { from: VM2, to: VM1 },
      { from: VM1, to: VM2, protocol: 'tcp', port: 22 },
    ];
    const out: BatchResult[] = [];
    for await (const r of investigateBatch(
      snapshot,
      queries.map((q) => JSON.stringify(q)),
    ))
      out.push(r);
    const alone: BatchResult[] = [];
    for (const q of queries) {
      try {
        alone.push({ query: q, diagnosis: await investigate(batchQuery(q), { kind: 'snapshot', snapshot }) });
      } catch (e) {
        alone.push({ query: q, error: e as WhypingError });
      }
    }
    expect(out.map((r) => ('error' in r ? r.error.code : r.diagnosis.reachable))).toEqual([
      true,
      'UNKNOWN_ENDPOINT',
      true,
      'UNKNOWN_ENDPOINT',
      false,
      true,
    ]);
    expect(out).toEqual(alone);
  });
});

describe('batchQuery', () => {
  it.each([
    [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'b', protocol: 'icmp', port: null },
    ],
    [
      { from: 'a', to: 'b', protocol: 'icmp', port: null },
      { from: 'a', to: 'b', protocol: 'icmp', port: null },
    ],
    [
      { from: 'a', to: 'b', port: 443 },
      { from: 'a', to: 'b', protocol: 'tcp', port: 443 },
    ],
    [
      { from: 'web 1', to: 'db-1:5432' },
      { from: 'web 1', to: 'db-1', protocol: 'tcp', port: 5432 },
    ],
  ])('reads %j', (line, query) => {
    expect(batchQuery(line)).toEqual(query);
  });
  it.each([
    [null, /JSON object/],
    ['a b', /JSON object/],
    [{ from: 'a' }, /"to" must be/],
    [{ from: '', to: 'b' }, /"from" must be/],
    [{ from: 1, to: 'b' }, /"from" must be/],
    [{ from: 'a', to: 'b', protocol: 6 }, /"protocol" must be/],
    [{ from: 'a', to: 'b', port: true }, /"port" must be/],
    [{ from: 'a', to: 'b', port: 1.5 }, /whole number/],
    [{ from: 'a', to: 'b', protocol: 'icmp', port: 8 }, /no port/],
  ])('refuses %j', (line, message) => {
    expect(() => batchQuery(line)).toThrow(message);
  });
});

describe('describeCollected', () => {
  it('counts what a collection read, for the progress line', () => {
    expect(
      describeCollected([
        { path: 'live:DescribeRouteTables', data: { RouteTables: [{}, {}, {}] } },
        { path: 'live:DescribeSecurityGroups', data: { SecurityGroups: [{}] } },
        { path: 'live:DescribeNetworkAcls', data: { NetworkAcls: [{}, {}] } },
        { path: 'live:DescribeRouteTables', data: { RouteTables: [{}] } },
      ]),
    ).toBe('4 route tables, 1 security group, 2 network ACLs');
    expect(describeCollected([])).toBe('the network state');
  });
});

describe('investigate adds advice that is not a blocker', () => {
  it('hints at an EC2 Instance Connect Endpoint when EC2 Instance Connect fails for lack of a public IP', async () => {
    const d = await investigate(
      { from: 'eic', to: VM1, protocol: 'tcp', port: 22 },
      { kind: 'snapshot', snapshot: buildSnapshot(readSnapshotFiles(BROKEN)) },
    );
    expect(d.findings.map((f) => f.code)).toContain('NO_PUBLIC_IP');
    expect(d.hints?.join(' ')).toContain('EC2 Instance Connect Endpoint');
  });
});

describe('the EC2 Instance Connect key check (--os-user)', () => {
  const eic: Query = { from: 'eic', to: VM1, protocol: 'tcp', port: 22 };
  const depsOf = (deny: string[] = []) => {
    const sandbox = createSandbox({ region: 'us-east-1', deny });
    return { ...sandboxDeps(), clients: sandbox.clients };
  };

  it('pushes a throwaway key for the OS user and reports that EC2 Instance Connect accepted it', async () => {
    const d = await investigate(eic, { kind: 'live', deps: depsOf() }, { instanceConnectUser: 'ec2-user' });
    expect(d.instanceConnect).toMatchObject({ osUser: 'ec2-user', ran: true, ok: true });
    expect(d.instanceConnect?.instanceId).toBe(d.endpoints.to.instanceId);
    // The network verdict is separate: the seed lab's instance 1 still has no public IP.
    expect(d.findings.map((f) => f.code)).toEqual(['NO_PUBLIC_IP']);
  });

  it('says which IAM action is missing when the caller may not push keys', async () => {
    const d = await investigate(
      eic,
      { kind: 'live', deps: depsOf(['ec2-instance-connect:SendSSHPublicKey']) },
      { instanceConnectUser: 'ec2-user' },
    );
    expect(d.instanceConnect).toMatchObject({ ran: true, ok: false });
    expect(d.instanceConnect?.message).toContain('ec2-instance-connect:SendSSHPublicKey');
  });

  it('does not run for a question that is not EC2 Instance Connect, nor on a snapshot, and says why', async () => {
    const notEic = await investigate(ping, { kind: 'live', deps: depsOf() }, { instanceConnectUser: 'ec2-user' });
    expect(notEic.instanceConnect).toMatchObject({ ran: false, ok: null });
    expect(notEic.instanceConnect?.message).toContain('eic → an instance');
    const offline = await investigate(
      eic,
      { kind: 'snapshot', snapshot: buildSnapshot(readSnapshotFiles(BROKEN)) },
      { instanceConnectUser: 'ec2-user' },
    );
    expect(offline.instanceConnect).toMatchObject({ ran: false, ok: null });
  });

  it('adds nothing when no OS user is given', async () => {
    const d = await investigate(eic, { kind: 'live', deps: depsOf() });
    expect(d.instanceConnect).toBeUndefined();
  });
});
