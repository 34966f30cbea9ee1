/**
 * Three `fix all` at once on one account (three processes, as three people running the CLI) (the sandbox, and the nock-backed wire account): the changes are made once,
 * and every run ends applied or "already in place" (exit 0), never failed.
 */
import { readFileSync } from 'node:fs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { SSMClient } from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyFixReport, applyFix } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import { InProcessLeases } from '../../src/core/lease.js';
import { silentLogger } from '../../src/log.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { sandboxDeps } from '../support/sandbox-deps.js';
import { TEST_UNDO } from '../support/undo-key.js';
import { type WritableAccount, writableAccount } from './account.js';

const SEED = JSON.parse(readFileSync(new URL('../../src/sandbox/scenarios/seed-lab.json', import.meta.url), 'utf8'));
const PING: Query = {
  from: 'Instance - NextWork VPC 1',
  to: 'Instance - NextWork VPC 2',
  protocol: 'icmp',
  port: null,
};
const EIC: Query = { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 };
const now = () => new Date('2026-11-25T10:00:00Z');
const opts = { actor: 'cli:tester', confirm: async () => true, undo: TEST_UNDO };

/**
 * Three `whyping fix` processes: each holds its own in-process lease (src/core/lease.ts), so none waits for another
 * and the convergence tested here is AWS's answers read as "already in place", not the lease.
 */
function ownProcess(d: Deps): Deps {
  return { ...d, leases: new InProcessLeases() };
}

function expectConverged(reports: ApplyFixReport[]): void {
  for (const r of reports) {
    expect(
      ['applied', 'already-in-place'],
      `${r.status}: ${r.message} ${r.plans.map((p) => p.message).join(' | ')}`,
    ).toContain(r.status);
  }
}

describe('three racing fix all on the sandbox', () => {
  it.each([
    ['ping (peering, routes, rule)', PING],
    ['EC2 Instance Connect (Elastic IP)', EIC],
  ])('%s: all end applied or already in place, and the change is made once', async (_name, q) => {
    const sb = createSandbox({ now });
    const deps = sandboxDeps(sb, now);
    const reports = await Promise.all([1, 2, 3].map(() => applyFix(ownProcess(deps), q, 'all', opts)));
    expectConverged(reports);
    expect((await investigate(q, { kind: 'live', deps })).reachable).toBe(true);
    const made = (op: string) => sb.calls.filter((c) => c.operation === op && !c.error).length;
    expect(made('AuthorizeSecurityGroupIngress')).toBeLessThanOrEqual(1);
    expect(made('CreateRoute')).toBeLessThanOrEqual(2);
    // One Elastic IP at most: the racers that lost released theirs.
    expect(made('AllocateAddress') - made('ReleaseAddress')).toBeLessThanOrEqual(1);
  });
});

describe('three racing fix all that each create an internet gateway', () => {
  it('attach one gateway; the runs that lost delete theirs and route to the winner', async () => {
    const w = new SnapshotBuilder({ empty: true })
      .addVpc('iso', { cidr: '10.8.0.0/16', igw: false })
      .addSubnet('s', { vpc: 'iso', cidr: '10.8.1.0/24' })
      .addInstance('box', { subnet: 's', ip: '10.8.1.8', publicIp: '3.8.8.8' })
      .allowIcmp('box', '0.0.0.0/0');
    const sb = createSandbox({ files: w.build(), now });
    const deps = sandboxDeps(sb, now);
    const q: Query = { from: 'internet', to: 'box', protocol: 'icmp', port: null };
    const reports = await Promise.all([1, 2, 3].map(() => applyFix(ownProcess(deps), q, 'all', opts)));
    expectConverged(reports);
    const made = (op: string) => sb.calls.filter((c) => c.operation === op && !c.error).length;
    expect(made('CreateInternetGateway') - made('DeleteInternetGateway')).toBe(1);
    expect((await investigate(q, { kind: 'live', deps })).reachable).toBe(true);
  });
});

describe('three racing fix all at the wire', () => {
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
  const common = {
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  };
  const deps = (): Deps => ({
    clients: { ec2: new EC2Client(common), ssm: new SSMClient(common), eic: new EC2InstanceConnectClient(common) },
    region: 'us-east-1',
    logger: silentLogger,
    now,
    sleep: async () => {},
    probesEnabled: false,
  });

  it.each([
    ['ping', PING],
    ['EC2 Instance Connect', EIC],
  ])('%s: all end applied or already in place, and each change is made once', async (_name, q) => {
    acct = writableAccount([SEED]);
    const reports = await Promise.all([1, 2, 3].map(() => applyFix(ownProcess(deps()), q, 'all', opts)));
    expectConverged(reports);
    // The account holds each change once: one whyping rule, one whyping Elastic IP.
    type Peer = { Description?: string };
    const groups = acct.account.SecurityGroups as {
      IpPermissions: { IpRanges?: Peer[]; UserIdGroupPairs?: Peer[] }[];
    }[];
    const rules = groups
      .flatMap((g) => g.IpPermissions)
      .flatMap((p) => [...(p.IpRanges ?? []), ...(p.UserIdGroupPairs ?? [])])
      .filter((x) => x.Description?.startsWith('whyping:'));
    expect(rules.length).toBe(q === PING ? 1 : 0);
    const addresses = (acct.account.Addresses ?? []) as { Tags?: { Key: string }[] }[];
    expect(addresses.filter((a) => a.Tags?.some((t) => t.Key === 'whyping:target-eni'))).toHaveLength(
      q === EIC ? 1 : 0,
    );
  });
});
