/**
 * The fix protocol end to end on the seed lab (DESIGN.md §9), through real SDK clients and a writable nock-backed EC2
 * account: fresh re-collection, re-diagnosis, dry-run, confirmation, apply in order, re-diagnosis, undo.
 */
import { readFileSync } from 'node:fs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { SSMClient } from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyFix, applyUndo, fixPlansOf, readUndoToken } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import { silentLogger } from '../../src/log.js';
import type { FixPlan, Query } from '../../src/model/index.js';
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

const common = {
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
};
function deps(): Deps {
  return {
    clients: { ec2: new EC2Client(common), ssm: new SSMClient(common), eic: new EC2InstanceConnectClient(common) },
    region: 'us-east-1',
    logger: silentLogger,
    now: () => new Date('2026-11-25T10:00:00Z'),
    sleep: async () => {},
    probesEnabled: false,
  };
}
const yes = async () => true;
const opts = { actor: 'cli:tester', confirm: yes, undo: TEST_UNDO };

/** Verifies a token with the test key and undoes it. */
async function undo(d: Deps, token: string | undefined) {
  return applyUndo(d, readUndoToken(token ?? '', TEST_UNDO.key, d.now()).token, 'cli:tester');
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

describe('the seed lab, fixed end to end', () => {
  it('diagnoses, applies every fix in order, and is reachable afterwards; the undo tokens put it back', async () => {
    acct = writableAccount([SEED]);
    const d = deps();
    const before = await investigate(PING, { kind: 'live', deps: d });
    expect(before.reachable).toBe(false);
    const proposed = fixPlansOf(before);
    expect(proposed.map((p) => p.action)).toEqual(
      expect.arrayContaining(['AcceptVpcPeeringConnection', 'CreateRoute', 'AuthorizeSecurityGroupIngress']),
    );

    let confirmed: FixPlan[] = [];
    const report = await applyFix(d, PING, 'all', {
      undo: TEST_UNDO,
      actor: 'cli:tester',
      confirm: async (plans) => {
        confirmed = plans;
        expect(acct.writes()).toEqual([]); // nothing changed before the confirmation
        return true;
      },
    });
    expect(report.status, JSON.stringify(report.plans.map((p) => p.message))).toBe('applied');
    expect(report.reachableBefore).toBe(false);
    expect(report.reachableAfter).toBe(true);
    expect(report.after?.findings).toEqual([]);
    expect(confirmed.map((p) => p.id)).toEqual(proposed.map((p) => p.id));
    // In order: the peering is accepted before the routes through it.
    const writes = acct.writes();
    expect(writes[0]).toBe('AcceptVpcPeeringConnection');
    expect(writes.filter((w) => w === 'CreateRoute')).toHaveLength(2);
    for (const p of report.plans) {
      expect(p.status).toBe('applied');
      expect(p.requestIds.length).toBeGreaterThan(0);
    }
    // One token for the whole command, holding the routes and the rule; the peering is said to be irreversible.
    expect(report.undo?.tokens).toHaveLength(1);
    expect(report.undo?.split).toBe(false);
    expect(report.undo?.tokens[0]).toMatch(/^wpu2\./);
    expect(report.undo?.steps).toHaveLength(3);
    expect(report.irreversible).toHaveLength(1);
    expect(report.irreversible[0]).toMatchObject({
      fixId: expect.stringMatching(/^fix-/),
      summary: expect.stringMatching(/^Accept peering connection pcx-/),
      why: expect.stringMatching(/^accepting pcx-[0-9a-f]+ is final /),
    });
    // Every write was preceded by its dry run.
    for (const w of new Set(writes)) expect(acct.calls.some((c) => c.action === w && c.dry)).toBe(true);

    const after = await investigate(PING, { kind: 'live', deps: d });
    expect(after.reachable).toBe(true);

    // One undo reverses everything that can be undone, last first: the routes and the rule go; the peering stays.
    const writesBefore = acct.writes().length;
    const u = await undo(d, report.undo?.tokens[0]);
    expect(u.status, u.message).toBe('applied');
    expect(acct.writes().slice(writesBefore)).toEqual(['RevokeSecurityGroupIngress', 'DeleteRoute', 'DeleteRoute']);
    const undone = await investigate(PING, { kind: 'live', deps: d });
    expect(undone.reachable).toBe(false);
    expect(undone.findings.map((f) => f.code)).not.toContain('PEERING_NOT_ACTIVE');
    expect(undone.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['NO_ROUTE', 'SG_INGRESS_DENIED']));
  });

  it('gives instance 1 an Elastic IP so EC2 Instance Connect reaches it, and releases it on undo', async () => {
    acct = writableAccount([SEED]);
    const d = deps();
    const report = await applyFix(d, EIC, 'all', opts);
    expect(report.reachableBefore).toBe(false);
    const eip = report.plans.find((p) => p.plan.action === 'AllocateAndAssociateAddress');
    expect(eip?.status, eip?.message).toBe('applied');
    expect(report.reachableAfter).toBe(true);
    const addresses = acct.account.Addresses as { Tags?: { Key: string; Value: string }[] }[];
    const ours = addresses.filter((a) => a.Tags?.some((t) => t.Key === 'whyping:target-eni'));
    expect(ours).toHaveLength(1);

    const u = await undo(d, report.undo?.tokens[0]);
    expect(u.status, u.message).toBe('applied');
    expect((acct.account.Addresses as unknown[]).length).toBe(addresses.length - 1);
  });
});

describe('the protocol', () => {
  async function sgPlan(d: Deps): Promise<FixPlan> {
    const before = await investigate(PING, { kind: 'live', deps: d });
    const plan = fixPlansOf(before).find((p) => p.action === 'AuthorizeSecurityGroupIngress');
    if (!plan) throw new Error('the seed lab should propose an ICMP rule');
    return plan;
  }

  it('reports a fix someone already applied as already fixed, and changes nothing', async () => {
    acct = writableAccount([SEED]);
    const d = deps();
    const plan = await sgPlan(d);
    const first = await applyFix(d, PING, plan.id, opts);
    expect(first.status).toBe('applied');
    const writesAfterFirst = acct.writes().length;

    const second = await applyFix(d, PING, plan.id, { ...opts, expected: plan });
    expect(second.status).toBe('already-in-place');
    expect(second.message).toContain('Already fixed by someone');
    expect(acct.writes()).toHaveLength(writesAfterFirst);
  });

  it('refuses a stale plan whose blocker is still there with different parameters', async () => {
    acct = writableAccount([SEED]);
    const d = deps();
    const plan = await sgPlan(d);
    if (plan.action !== 'AuthorizeSecurityGroupIngress') throw new Error('unexpected');
    const stale: FixPlan = { ...plan, id: 'fix-000000000000', params: { ...plan.params, cidr: '10.9.0.0/16' } };
    const r = await applyFix(d, PING, stale.id, { ...opts, expected: stale });
    expect(r.status).toBe('refused');
    expect(r.message).toMatch(/^Stale plan: fix-000000000000 no longer matches/);
    expect(r.message).toContain(plan.id);
    expect(acct.writes()).toEqual([]);
  });

  it('refuses a fix id that is not in the fresh diagnosis, listing the current fixes', async () => {
    acct = writableAccount([SEED]);
    const r = await applyFix(deps(), PING, 'fix-ffffffffffff', opts);
    expect(r.status).toBe('refused');
    expect(r.message).toContain('Stale plan');
    expect(r.message).toContain('The current fixes are');
    expect(acct.writes()).toEqual([]);
  });

  it('changes nothing when AWS denies one of the fixes on the dry run, and names the IAM action', async () => {
    acct = writableAccount([SEED], { deny: ['AuthorizeSecurityGroupIngress'] });
    const r = await applyFix(deps(), PING, 'all', opts);
    expect(r.status).toBe('refused');
    expect(r.missingPermission).toBe('ec2:AuthorizeSecurityGroupIngress');
    expect(r.message).toContain('ec2:AuthorizeSecurityGroupIngress');
    expect(acct.writes()).toEqual([]);
    expect(r.plans.filter((p) => p.status === 'skipped').length).toBe(r.plans.length - 1);
  });

  it('stops at the first failure, keeps the undo tokens of what was applied, and reports a partial run', async () => {
    acct = writableAccount([SEED], {
      failReal: { AuthorizeSecurityGroupIngress: 'RulesPerSecurityGroupLimitExceeded' },
    });
    const r = await applyFix(deps(), PING, 'all', opts);
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/^Stopped at fix-/);
    expect(r.reachableAfter).toBe(false);
    const sg = r.plans.find((p) => p.plan.action === 'AuthorizeSecurityGroupIngress');
    expect(sg?.status).toBe('failed');
    expect(sg?.awsCode).toBe('RulesPerSecurityGroupLimitExceeded');
    const routes = r.plans.filter((p) => p.plan.action === 'CreateRoute');
    expect(routes.map((p) => p.status)).toEqual(['applied', 'applied']);
    // The token holds the two routes that were made.
    expect(r.undo?.steps).toHaveLength(2);
  });

  it('changes nothing when the confirmation is declined', async () => {
    acct = writableAccount([SEED]);
    const r = await applyFix(deps(), PING, 'all', { ...opts, confirm: async () => false });
    expect(r.status).toBe('refused');
    expect(r.message).toContain('Cancelled');
    expect(acct.writes()).toEqual([]);
  });

  it('records who applied the rule in its description', async () => {
    acct = writableAccount([SEED]);
    const d = deps();
    const plan = await sgPlan(d);
    const r = await applyFix(d, PING, plan.id, { ...opts, actor: 'U012AB3CD' });
    expect(r.status).toBe('applied');
    const call = acct.calls.find((c) => c.action === 'AuthorizeSecurityGroupIngress' && !c.dry);
    const description =
      call?.params['IpPermissions.1.IpRanges.1.Description'] ?? call?.params['IpPermissions.1.Groups.1.Description'];
    expect(description).toBe(`whyping: U012AB3CD 2026-11-25T10:00:00Z ${r.diagnosisId}`);
  });
});
