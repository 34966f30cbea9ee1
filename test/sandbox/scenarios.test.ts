/**
 * The built-in scenarios tell their stories: the engine's findings on each, the probe's answer from the host facts,
 * and every fix the engine proposes applies cleanly through the fix executors and clears what it was for.
 */
import { DeleteInternetGatewayCommand, DetachInternetGatewayCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import { isWhypingError } from '../../src/errors.js';
import { executeFix } from '../../src/fix/index.js';
import { silentLogger } from '../../src/log.js';
import type { Diagnosis, Query } from '../../src/model/index.js';
import { reconcile, runProbe } from '../../src/probe/index.js';
import { createSandbox, listScenarios, loadScenario, type Sandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, readSnapshotFiles, resolveEndpoints } from '../../src/snapshot/index.js';

function verdict(sb: Sandbox, q: Query): Diagnosis {
  const s = buildSnapshot(sb.snapshotFiles());
  return diagnose(s, q, resolveEndpoints(s, q.from, q.to));
}

/** Applies every proposed fix in order (dry run first), as `whyping fix --apply all` would. */
async function applyAll(sb: Sandbox, d: Diagnosis): Promise<string[]> {
  const plans = d.findings
    .flatMap((f) => (f.fix ? [f.fix] : []))
    .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i)
    .sort((a, b) => a.order - b.order);
  const ctx = {
    actor: 'U0SANDBOX',
    diagnosisId: 'scenario-test',
    now: () => new Date('2026-11-25T10:00:00Z'),
    logger: silentLogger,
  };
  const statuses: string[] = [];
  for (const plan of plans) {
    const dry = await executeFix(sb.clients.ec2, plan, { ...ctx, dryRun: true });
    expect(dry.status, `${plan.action} dry run: ${dry.message}`).toBe('would-apply');
    const r = await executeFix(sb.clients.ec2, plan, { ...ctx, dryRun: false });
    expect(r.status, `${plan.action}: ${r.message}`).toBe('applied');
    statuses.push(plan.action);
  }
  return statuses;
}

const STORIES: { scenario: string; query: Query; findings: string[]; fixedBy: string[] }[] = [
  {
    scenario: 'seed-lab',
    query: { from: 'Instance - NextWork VPC 1', to: 'Instance - NextWork VPC 2', protocol: 'icmp', port: null },
    findings: ['NO_ROUTE forward', 'NO_ROUTE return', 'PEERING_NOT_ACTIVE forward', 'SG_INGRESS_DENIED forward'],
    fixedBy: ['AcceptVpcPeeringConnection', 'CreateRoute', 'CreateRoute', 'AuthorizeSecurityGroupIngress'],
  },
  {
    scenario: 'transitive-peering',
    query: { from: 'app-a', to: 'db-c', protocol: 'icmp', port: null },
    findings: ['PEERING_NOT_TRANSITIVE forward'],
    fixedBy: [],
  },
  {
    scenario: 'nacl-reply',
    query: { from: 'web-1', to: 'db-1', protocol: 'tcp', port: 5432 },
    findings: ['NACL_EGRESS_DENIED return'],
    fixedBy: ['CreateNetworkAclEntry'],
  },
  {
    scenario: 'blackhole-route',
    query: { from: 'worker-1', to: '8.8.8.8', protocol: 'icmp', port: null },
    findings: ['ROUTE_BLACKHOLE forward'],
    fixedBy: [],
  },
  {
    scenario: 'broken-nlb',
    query: { from: '203.0.113.7', to: 'shop', protocol: 'tcp', port: 80 },
    findings: ['SG_INGRESS_DENIED forward'],
    fixedBy: ['AuthorizeSecurityGroupIngress'],
  },
  {
    scenario: 'host-firewall',
    query: { from: 'bastion', to: 'app-1', protocol: 'icmp', port: null },
    findings: [],
    fixedBy: [],
  },
  {
    // Its fixes run in two accounts: test/core/accounts.integ.test.ts applies them through `fix all`.
    scenario: 'cross-account-peering',
    query: { from: 'app-a', to: '10.20.1.20', protocol: 'icmp', port: null },
    findings: ['NO_ROUTE forward', 'PEERING_NOT_ACTIVE forward', 'NO_ROUTE return'],
    fixedBy: [],
  },
];

describe('built-in scenarios', () => {
  it('lists every scenario and loads each with its host facts and story', () => {
    expect(listScenarios()).toEqual([
      'blackhole-route',
      'broken-nlb',
      'cross-account-peering',
      'host-firewall',
      'nacl-reply',
      'seed-lab',
      'transitive-peering',
    ]);
    for (const name of listScenarios()) {
      const s = loadScenario(name);
      expect(s.description.length, name).toBeGreaterThan(40);
      expect(Object.keys(s.hostFacts.instances ?? {}).length, name).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown scenario with BAD_INPUT listing the known ones', () => {
    let caught: unknown;
    try {
      createSandbox({ scenario: 'seed-labb' });
    } catch (e) {
      caught = e;
    }
    expect(isWhypingError(caught, 'BAD_INPUT')).toBe(true);
    expect((caught as Error).message).toContain('seed-lab');
  });

  it('loads any snapshot given as files (--sandbox PATH), with its region and account', () => {
    const files = readSnapshotFiles(new URL('../fixtures/scenarios/seed-lab-fixed', import.meta.url).pathname);
    const sb = createSandbox({ files });
    expect(sb.scenario).toBe('files');
    expect(sb.state.accountId).toBe('111122223333');
    expect(sb.region).toBe('us-east-1');
    expect(verdict(sb, STORIES[0]?.query as Query).reachable).toBe(true);
  });

  for (const story of STORIES) {
    it(`${story.scenario}: ${story.query.from} → ${story.query.to} shows ${story.findings.join(', ') || 'no finding (reachable)'}`, () => {
      const d = verdict(createSandbox({ scenario: story.scenario }), story.query);
      // The story's own findings must be there (the engine may add related ones as it learns more).
      const codes = d.findings.map((f) => `${f.code} ${f.direction}`);
      for (const f of story.findings) expect(codes).toContain(f);
      expect(d.reachable).toBe(story.findings.length === 0);
    });
  }

  for (const story of STORIES.filter((s) => s.fixedBy.length > 0)) {
    it(`${story.scenario}: every proposed fix applies through the executors and the path works afterwards`, async () => {
      const sb = createSandbox({ scenario: story.scenario });
      const applied = await applyAll(sb, verdict(sb, story.query));
      expect(applied.sort()).toEqual([...story.fixedBy].sort());
      expect(verdict(sb, story.query)).toMatchObject({ reachable: true, findings: [] });
    });
  }

  it('seed-lab: EC2 Instance Connect to instance 1 is fixed with an Elastic IP through the executors', async () => {
    const sb = createSandbox();
    const q: Query = { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 };
    const applied = await applyAll(sb, verdict(sb, q));
    expect(applied).toEqual(['AllocateAndAssociateAddress']);
    expect(verdict(sb, q)).toMatchObject({ reachable: true, findings: [] });
    expect(sb.state.instances()[0]?.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('a VPC whose internet gateway was deleted gets a new one attached, and the route that named the old one points at it', async () => {
    const sb = createSandbox();
    const oldIgw = 'igw-0c2d4e6f8a0b1c3d1';
    await sb.clients.ec2.send(
      new DetachInternetGatewayCommand({ InternetGatewayId: oldIgw, VpcId: 'vpc-0e5b1c9d2f4a71a01' }),
    );
    await sb.clients.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: oldIgw }));
    const q: Query = { from: 'Instance - NextWork VPC 1', to: '8.8.8.8', protocol: 'icmp', port: null };
    const d = verdict(sb, q);
    expect(d.findings.map((f) => `${f.code} ${f.resource}`)).toContain(
      'INTERNET_GATEWAY_NOT_ATTACHED vpc-0e5b1c9d2f4a71a01',
    );
    const applied = await applyAll(sb, d);
    expect(applied).toContain('CreateAndAttachInternetGateway');
    const after = verdict(sb, q).findings.map((f) => `${f.code} ${f.resource}`);
    expect(after).not.toContain('INTERNET_GATEWAY_NOT_ATTACHED vpc-0e5b1c9d2f4a71a01');
    expect(after).not.toContain('NO_PUBLIC_IP i-0a7b3c9d1e5f20311');
    // AWS keeps a route to a deleted gateway, in state blackhole, until replaced: the fix replaces it (engine plan).
    expect(after).not.toContain('ROUTE_BLACKHOLE rtb-03e4f5a6b7c8d9e11');
    expect(verdict(sb, q).reachable).toBe(true);
  });

  it('a stopped instance is found and started by its fix', async () => {
    const sb = createSandbox();
    const id = sb.state.instances()[1]?.InstanceId ?? '';
    await sb.clients.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const q = STORIES[0]?.query as Query;
    const d = verdict(sb, q);
    expect(d.findings.map((f) => f.code)).toContain('INSTANCE_NOT_RUNNING');
    await applyAll(sb, d);
    expect(verdict(sb, q).reachable).toBe(true);
  });

  it('host-firewall: the static verdict says reachable, the live probe disagrees (static/live disagreement)', async () => {
    const sb = createSandbox({ scenario: 'host-firewall' });
    const q: Query = { from: 'bastion', to: 'app-1', protocol: 'icmp', port: null };
    const d = verdict(sb, q);
    expect(d.reachable).toBe(true);
    let t = Date.parse('2026-11-25T10:00:00Z');
    const sleep = async (ms: number) => {
      t += ms;
    };
    const probe = await runProbe(
      sb.clients.ssm,
      {
        instanceId: d.endpoints.from.instanceId as `i-${string}`,
        platform: 'linux',
        targetIp: d.endpoints.to.ip ?? '',
        protocol: 'icmp',
        port: null,
      },
      { now: () => new Date(t), sleep, logger: silentLogger },
    );
    expect(probe).toMatchObject({ ran: true, sent: 3, received: 0 });
    expect(reconcile(d, probe).probe?.agreesWithVerdict).toBe(false);
  });
});
