/**
 * `fix all` across two accounts and regions (issue 17): the peering is accepted by the partner account in its own
 * region, and a route is added on each side in the account that owns the table; the undo token carries each step's
 * account and region. Without a fix role for the partner, nothing changes and the refusal names the variable.
 */
import { describe, expect, it } from 'vitest';
import { applyFix, applyUndo, readUndoToken } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { diagnoseLive } from '../../src/core/investigate.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sandboxDeps } from '../support/sandbox-deps.js';
import { TEST_UNDO } from '../support/undo-key.js';

const A = '111122223333';
const B = '444455556666';
const PING: Query = { from: 'app-a', to: '10.20.1.20', protocol: 'icmp', port: null };
const now = () => new Date('2026-11-25T10:00:00Z');
const opts = { actor: 'cli:tester', confirm: async () => true, undo: TEST_UNDO };

const deps = (sb: Sandbox): Deps => sandboxDeps(sb, now);

const writes = (sb: Sandbox, key: string) =>
  (sb.sites?.get(key)?.calls ?? []).filter((c) => !/^Describe|^Get|^Search/.test(c.operation) && !c.error);

/** The sandbox's deps, where the partner account has a read role but no fix role. */
function depsWithoutFixRole(sb: Sandbox): Deps {
  const accounts = sb.clients.accounts;
  if (!accounts) throw new Error('a sandbox of two accounts has account clients');
  const noFixRole = {
    ...accounts,
    other: (w: { account: string; region: string }, purpose: 'read' | 'fix') => {
      if (purpose === 'fix')
        throw new Error(`no role is configured for account ${w.account}: set WHYPING_ACCOUNT_FIX_ROLE`);
      return accounts.other(w, purpose);
    },
  };
  return { ...deps(sb), clients: { ...sb.clients, accounts: noFixRole } };
}

describe('fix all across accounts and regions', () => {
  it('accepts the peering as the partner, in eu-west-1, and adds the route on each side', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering', now });
    const r = await applyFix(deps(sb), PING, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.reachableBefore).toBe(false);
    expect(r.reachableAfter).toBe(true);
    // Each change was made by the account that owns it, in its region (dry runs answer with an error, not counted).
    expect(writes(sb, `${A}/us-east-1`).map((c) => c.operation)).toEqual(['CreateRoute']);
    expect(writes(sb, `${B}/eu-west-1`).map((c) => c.operation)).toEqual([
      'AcceptVpcPeeringConnection',
      'CreateTags',
      'CreateRoute',
    ]);
    // The undo token's steps name the account and region of each table.
    const steps = (r.undo?.steps ?? []).join('\n');
    expect(steps).toContain(`account ${A}, us-east-1`);
    expect(steps).toContain(`account ${B}, eu-west-1`);
  });

  it('without a fix role for the partner account, nothing changes and the refusal names WHYPING_ACCOUNT_FIX_ROLE', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering', now });
    const r = await applyFix(depsWithoutFixRole(sb), PING, 'all', opts);
    expect(r.status).toBe('refused');
    expect(r.message).toContain('WHYPING_ACCOUNT_FIX_ROLE');
    expect(sb.calls.filter((c) => !/^Describe|^Get|^Search/.test(c.operation) && !c.error)).toEqual([]);
  });

  it('undo of that fix runs each step in its own account and region (the fix role for the partner), re-reading each first', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering', now });
    const r = await applyFix(deps(sb), PING, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.undo?.tokens).toHaveLength(1);
    const { token, region } = readUndoToken(r.undo?.tokens[0] ?? '', TEST_UNDO.key, now());
    // Steps in two regions: no single region to read, and the token says which account applied it.
    expect(region).toBeUndefined();
    expect(token.home).toBe(A);
    expect(new Set(token.steps.map((s) => `${s.account}/${s.region}`))).toEqual(
      new Set([`${A}/us-east-1`, `${B}/eu-west-1`]),
    );
    const callsBefore = new Map([...(sb.sites ?? new Map()).entries()].map(([k, s]) => [k, s.calls.length]));
    const u = await applyUndo(deps(sb), token, 'cli:tester');
    expect(u.status, u.message).toBe('applied');
    const since = (key: string) => (sb.sites?.get(key)?.calls ?? []).slice(callsBefore.get(key) ?? 0);
    // Each site re-read its own route table, then deleted its own route (dry run first, then the call).
    for (const key of [`${A}/us-east-1`, `${B}/eu-west-1`]) {
      const ops = since(key).map((c) => `${c.operation}${c.error ? `(${c.error})` : ''}`);
      expect(ops[0], key).toBe('DescribeRouteTables');
      expect(
        ops.filter((o) => o === 'DeleteRoute'),
        key,
      ).toHaveLength(1);
    }
    // The routes are gone on both sides: the path is blocked again by the missing routes (the peering stays accepted).
    const after = await diagnoseLive(PING, deps(sb));
    expect(after.diagnosis.findings.map((f) => f.code).sort()).toEqual(['NO_ROUTE', 'NO_ROUTE']);
  });

  it('undo with no fix role for the partner: nothing is undone, naming the step and the variable', async () => {
    const sb = createSandbox({ scenario: 'cross-account-peering', now });
    const r = await applyFix(deps(sb), PING, 'all', opts);
    const { token } = readUndoToken(r.undo?.tokens[0] ?? '', TEST_UNDO.key, now());
    const before = sb.calls.length;
    const u = await applyUndo(depsWithoutFixRole(sb), token, 'cli:tester');
    expect(u.status).toBe('refused');
    expect(u.message).toMatch(
      /^Nothing was undone: step \d of \d \(.*account 444455556666, eu-west-1\]\) cannot be reached/,
    );
    expect(u.message).toContain('WHYPING_ACCOUNT_FIX_ROLE');
    expect(sb.calls.slice(before).filter((c) => !/^Describe/.test(c.operation))).toEqual([]);
  });
});
