/** The summary line of applyFix counts blockers, not fixes: it must agree with the re-diagnosis it reports. */
import { describe, expect, it } from 'vitest';
import { applyFix } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { sandboxDeps } from '../support/sandbox-deps.js';
import { TEST_UNDO } from '../support/undo-key.js';

const PING: Query = {
  from: 'Instance - NextWork VPC 1',
  to: 'Instance - NextWork VPC 2',
  protocol: 'icmp',
  port: null,
};
const now = () => new Date('2026-11-25T10:00:00Z');

const deps = (): Deps => sandboxDeps(createSandbox({ now }), now);
const opts = { actor: 'cli:tester', confirm: async () => true, undo: TEST_UNDO };

describe('the applyFix summary', () => {
  it('does not call a blocker gone when the re-diagnosis still counts as many (a route to a pending peering)', async () => {
    const d = deps();
    const before = await applyFix(d, PING, 'all', { ...opts, confirm: async () => false });
    const route = before.before.findings.find((f) => f.code === 'NO_ROUTE' && f.direction === 'forward')?.fix;
    expect(route).toBeDefined();
    const r = await applyFix(d, PING, route?.id as string, opts);
    expect(r.status).toBe('applied');
    expect(r.after?.findings.length).toBe(r.before.findings.length);
    expect(r.message).toBe(
      `Applied 1 change; blockers ${r.before.findings.length} → ${r.after?.findings.length}; still not reachable.`,
    );
  });

  it('counts changes and blockers in words when everything is fixed', async () => {
    const r = await applyFix(deps(), PING, 'all', opts);
    expect(r.message).toBe(`Applied 4 changes; blockers ${r.before.findings.length} → 0; now reachable.`);
  });
});
