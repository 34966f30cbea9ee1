/**
 * The engine's fix plans, applied the way `whyping fix … --apply all` applies them: worlds built with the
 * SnapshotBuilder are loaded into the sandbox (src/sandbox: real SDK clients over an in-memory account), then
 * diagnose → applyFix(all) → diagnose again. A plan is only right if the path works afterwards.
 */
import { AttachInternetGatewayCommand, CreateInternetGatewayCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { applyFix, applyUndo, readUndoToken } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import { diagnose } from '../../src/engine/index.js';
import { executeFix, executeUndo, type UndoToken } from '../../src/fix/index.js';
import { silentLogger } from '../../src/log.js';
import type { Diagnosis, FixPlan, Query } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { sandboxDeps } from '../support/sandbox-deps.js';
import { TEST_UNDO } from '../support/undo-key.js';

const now = () => new Date('2026-11-25T10:00:00Z');
const opts = { actor: 'cli:tester', confirm: async () => true, undo: TEST_UNDO };

const depsOf = (sb: Sandbox): Deps => sandboxDeps(sb, now);

function sandboxOf(w: SnapshotBuilder): Deps {
  return depsOf(createSandbox({ files: w.build(), now }));
}

const ping = (from: string, to: string): Query => ({ from, to, protocol: 'icmp', port: null });

/** The engine's answer on everything the sandbox account holds. */
function diagnoseAccount(sb: Sandbox, q: Query): Diagnosis {
  const s = buildSnapshot(sb.snapshotFiles());
  return diagnose(s, q, resolveEndpoints(s, q.from, q.to));
}

/** Undoes a fix command from its one token (verified with the test key). */
async function undoAll(deps: Deps, tokens: string[] | undefined) {
  expect(tokens).toHaveLength(1);
  const u = await applyUndo(deps, readUndoToken(tokens?.[0] ?? '', TEST_UNDO.key, now()).token, 'cli:tester');
  expect(u.status, u.message).toBe('applied');
  return u;
}

/** The shop VPC's internet gateway was deleted in a clean-up; the web subnet's default route still names it. */
function shop(): SnapshotBuilder {
  return new SnapshotBuilder({ empty: true })
    .addVpc('shop', { cidr: '10.9.0.0/16', igw: false })
    .addSubnet('web', { vpc: 'shop', cidr: '10.9.1.0/24' })
    .addRouteTable('web-rt', { vpc: 'shop', subnets: ['web'] })
    .addRoute('web-rt', '0.0.0.0/0', 'igw:shop', 'blackhole')
    .addInstance('web-1', { subnet: 'web', ip: '10.9.1.10', publicIp: '3.9.9.9' })
    .allowIcmp('web-1', '0.0.0.0/0');
}

describe('a deleted internet gateway, fixed with --apply all', () => {
  it('web-1 → 8.8.8.8: one fix creates and attaches a gateway and points the dead route at it; reachable after', async () => {
    const w = shop();
    const deps = sandboxOf(w);
    const r = await applyFix(deps, ping('web-1', '8.8.8.8'), 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.before.findings.map((f) => f.code)).toEqual(['ROUTE_BLACKHOLE', 'INTERNET_GATEWAY_NOT_ATTACHED']);
    expect(r.plans.map((p) => [p.plan.action, p.status])).toEqual([['CreateAndAttachInternetGateway', 'applied']]);
    expect(r.plans[0]?.message).toMatch(
      /\(3\) Replaced route 0\.0\.0\.0\/0 → igw-\w+ \(blackhole\) with 0\.0\.0\.0\/0 → igw-/,
    );
    expect(r.reachableAfter).toBe(true);
    expect(r.after?.findings).toEqual([]);

    // Applying again finds nothing to do.
    expect((await applyFix(deps, ping('web-1', '8.8.8.8'), 'all', opts)).status).toBe('already-in-place');
    // The undo detaches first: AWS refuses that while web-1 has its Elastic IP, and then nothing is undone at all.
    const u = await applyUndo(deps, readUndoToken(r.undo?.tokens[0] ?? '', TEST_UNDO.key, now()).token, 'cli:tester');
    expect(u.status).toBe('failed');
    expect(u.message).toContain('DependencyViolation');
    expect(u.message).toContain('Nothing was changed.');
    expect((await investigate(ping('web-1', '8.8.8.8'), { kind: 'live', deps })).reachable).toBe(true);
  });

  it('internet → web-1: the route the reply needs is in the plan of the first finding; reachable after', async () => {
    const deps = sandboxOf(shop());
    const r = await applyFix(deps, ping('internet', 'web-1'), 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.plans).toHaveLength(1);
    expect(r.reachableAfter).toBe(true);
  });

  it('a VPC that never had a gateway: internet → box is reachable after one run (gateway + 0.0.0.0/0 route)', async () => {
    const w = new SnapshotBuilder({ empty: true })
      .addVpc('iso', { cidr: '10.8.0.0/16', igw: false })
      .addSubnet('s', { vpc: 'iso', cidr: '10.8.1.0/24' })
      .addInstance('box', { subnet: 's', ip: '10.8.1.8', publicIp: '3.8.8.8' })
      .allowIcmp('box', '0.0.0.0/0');
    const deps = sandboxOf(w);
    const r = await applyFix(deps, ping('internet', 'box'), 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.plans[0]?.message).toContain(`(3) Added route 0.0.0.0/0 → igw-`);
    expect(r.reachableAfter).toBe(true);
  });

  it('web-1 without a public IP: gateway, route and Elastic IP in one run; the undos, last first, put it all back', async () => {
    // Undone in reverse order, the Elastic IP goes first, so AWS lets the gateway be detached (no mapped address).
    const w = new SnapshotBuilder({ empty: true })
      .addVpc('shop', { cidr: '10.9.0.0/16', igw: false })
      .addSubnet('web', { vpc: 'shop', cidr: '10.9.1.0/24' })
      .addRouteTable('web-rt', { vpc: 'shop', subnets: ['web'] })
      .addRoute('web-rt', '0.0.0.0/0', 'igw:shop', 'blackhole')
      .addInstance('web-1', { subnet: 'web', ip: '10.9.1.10' });
    const deps = sandboxOf(w);
    const q = ping('web-1', '8.8.8.8');
    const r = await applyFix(deps, q, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.plans.map((p) => p.plan.action)).toEqual([
      'CreateAndAttachInternetGateway',
      'AllocateAndAssociateAddress',
    ]);
    expect(r.reachableAfter).toBe(true);
    await undoAll(deps, r.undo?.tokens);
    const back = await investigate(q, { kind: 'live', deps });
    expect(back.reachable).toBe(false);
    // The dead route is gone with the gateway (AWS would not take a route to the deleted one back).
    const codes = back.findings.map((f) => f.code);
    expect(codes).toContain('NO_INTERNET_GATEWAY_ROUTE');
    expect(codes).toContain('NO_PUBLIC_IP');
    expect(codes).not.toContain('ROUTE_BLACKHOLE');
  });
});

describe('the new-gateway plan meets a changed account', () => {
  const ctx = { actor: 'cli:tester', diagnosisId: 'race', now, logger: silentLogger };
  const planOf = (sb: Sandbox): FixPlan => diagnoseAccount(sb, ping('web-1', '8.8.8.8')).findings[0]?.fix as FixPlan;

  it('someone attached a gateway meanwhile: only the route is made, to that one', async () => {
    const sb = createSandbox({ files: shop().build(), now });
    const plan = planOf(sb);
    const igw = (await sb.clients.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId;
    const vpcId = plan.action === 'CreateAndAttachInternetGateway' ? plan.params.vpcId : '';
    await sb.clients.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const r = await executeFix(sb.clients.ec2, plan, { ...ctx, dryRun: false });
    expect(r.status, r.message).toBe('applied');
    expect(r.message).toContain(`Internet gateway ${igw} is already attached`);
    expect(r.undo?.map((u) => u.kind)).toEqual(['route-replaced']);
    expect(r.undo?.[0]).toMatchObject({ previous: null }); // the undo deletes the route: its old gateway is gone
    expect(sb.calls.filter((c) => c.operation === 'CreateInternetGateway' && !c.error)).toHaveLength(1);
    expect(diagnoseAccount(sb, ping('web-1', '8.8.8.8')).reachable).toBe(true);
  });

  it('someone pointed the route at a working target meanwhile: refused, nothing created', async () => {
    const w = shop().addSubnet('edge', { vpc: 'shop', cidr: '10.9.0.0/24' });
    w.addNatGateway('ngw', { subnet: 'edge', ip: '10.9.0.5', publicIp: '3.9.0.5' });
    const sb = createSandbox({ files: w.build(), now });
    const plan = planOf(sb);
    await sb.clients.ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: w.id('web-rt', 'rtb'),
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: w.id('ngw'),
      }),
    );
    const r = await executeFix(sb.clients.ec2, plan, { ...ctx, dryRun: false });
    expect(r.status).toBe('refused');
    expect(r.message).toContain(`now points at ${w.id('ngw')} (active)`);
    expect(sb.calls.some((c) => c.operation === 'CreateInternetGateway')).toBe(false);
  });
});

describe('a blackhole route to a gateway of another VPC, fixed with --apply all', () => {
  it("points the route at the VPC's own gateway; the undo removes the route (AWS takes no route to the other back)", async () => {
    const w = new SnapshotBuilder()
      .addVpc('other', { cidr: '10.5.0.0/16' })
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addRouteTable('app-rt', { vpc: 'main', subnets: ['app'] })
      .addRoute('app-rt', '0.0.0.0/0', 'igw:other', 'blackhole')
      .addInstance('app-1', { subnet: 'app', ip: '10.0.2.10', publicIp: '3.0.2.10' });
    const deps = sandboxOf(w);
    const q = ping('app-1', '8.8.8.8');
    const r = await applyFix(deps, q, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.plans.map((p) => p.plan.action)).toEqual(['ReplaceRoute']);
    expect(r.reachableAfter).toBe(true);
    await undoAll(deps, r.undo?.tokens);
    const back = await investigate(q, { kind: 'live', deps });
    expect(back.findings.map((f) => f.code)).toEqual(['NO_INTERNET_GATEWAY_ROUTE']);
  });
});

describe('a blackhole route to a deleted NAT gateway, fixed with --apply all', () => {
  // The batch subnet's NAT gateway was deleted; a new one was created in the public subnet, the route was forgotten.
  const world = (withNew: boolean) => {
    const w = new SnapshotBuilder()
      .addSubnet('batch', { vpc: 'main', cidr: '10.0.3.0/24' })
      .addNatGateway('old', { subnet: 'public', ip: '10.0.1.5', publicIp: '3.0.0.5', state: 'deleted' })
      .addRoute('batch', '0.0.0.0/0', 'nat:old', 'blackhole')
      .addInstance('worker', { subnet: 'batch', ip: '10.0.3.3' });
    return withNew ? w.addNatGateway('new', { subnet: 'public', ip: '10.0.1.6', publicIp: '3.0.0.6' }) : w;
  };
  const q: Query = { from: 'worker', to: '8.8.8.8', protocol: 'tcp', port: 443 };

  it('points the route at the working NAT gateway: reachable after, through the executor', async () => {
    // Diagnosed on the whole account (as `whyping snapshot` reads it); the next test goes through live collection.
    const sb = createSandbox({ files: world(true).build(), now });
    const before = diagnoseAccount(sb, q);
    const plan = before.findings[0]?.fix;
    expect(plan?.action).toBe('ReplaceRoute');
    const ctx = { actor: 'cli:tester', diagnosisId: 'nat', now, logger: silentLogger };
    expect((await executeFix(sb.clients.ec2, plan as FixPlan, { ...ctx, dryRun: true })).status).toBe('would-apply');
    const applied = await executeFix(sb.clients.ec2, plan as FixPlan, { ...ctx, dryRun: false });
    expect(applied.status, applied.message).toBe('applied');
    expect(diagnoseAccount(sb, q)).toMatchObject({ reachable: true, findings: [] });
    // The undo cannot name the deleted NAT gateway again (AWS: NatGatewayNotFound): it removes the route instead.
    const token: UndoToken = {
      v: 2,
      actor: ctx.actor,
      diagnosisId: ctx.diagnosisId,
      appliedAt: '2026-11-25T10:00:00Z',
      expiresAt: now().getTime() / 1000 + 3600,
      steps: (applied.undo ?? []).map((change) => ({
        account: sb.state.accountId,
        region: sb.region,
        fixId: (plan as FixPlan).id,
        change,
      })),
    };
    const u = await executeUndo(sb.clients.ec2, token, { actor: ctx.actor, region: sb.region, logger: silentLogger });
    expect(u.status, u.message).toBe('applied');
    expect(u.message).toContain('no longer exists');
    expect(diagnoseAccount(sb, q).reachable).toBe(false);
  });

  it('finds the working NAT gateway through the live per-query collection too, and applyFix makes it reachable', async () => {
    // The collector reads every NAT gateway of the VPCs on the path, not only those a route names.
    const r = await applyFix(sandboxOf(world(true)), q, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.before.findings[0]?.fix?.action).toBe('ReplaceRoute');
    expect(r.after?.reachable).toBe(true);
  });

  it('without one, changes nothing and the finding says what to create', async () => {
    const deps = sandboxOf(world(false));
    const r = await applyFix(deps, q, 'all', opts);
    expect(r.status).toBe('refused');
    expect(r.message).toBe('Not fixable by whyping: none of its blockers has a fix whyping can apply.');
    expect(r.before.findings[0]?.message).toContain('Create a public NAT gateway in a public subnet');
  });
});

describe('the blackhole-route scenario (npx whyping diagnose worker-1 8.8.8.8 --sandbox blackhole-route)', () => {
  it('names the public subnet and gateway to use for a new NAT gateway', async () => {
    const deps = depsOf(createSandbox({ scenario: 'blackhole-route', now }));
    const d = await investigate(ping('worker-1', '8.8.8.8'), { kind: 'live', deps });
    expect(d.findings.map((f) => f.code)).toEqual(['ROUTE_BLACKHOLE']);
    expect(d.findings[0]?.message).toContain(
      'Create a public NAT gateway in a public subnet such as subnet-038acf0422f0d5d50 (us-east-1a), whose route table rtb-08fbaf406e92ef56b sends 0.0.0.0/0 to igw-09928682ad7537047, then point 0.0.0.0/0 in rtb-08611f42134efdb85 at it.',
    );
  });
});
