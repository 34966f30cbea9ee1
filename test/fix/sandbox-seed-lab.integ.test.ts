/**
 * The seed lab fixed end to end in the sandbox (src/sandbox: the in-memory account beneath real SDK clients): the
 * same executors and protocol as against AWS, on the default scenario.
 */
import { describe, expect, it } from 'vitest';
import { applyFix, applyUndo, readUndoToken } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sandboxDeps } from '../support/sandbox-deps.js';
import { TEST_UNDO } from '../support/undo-key.js';

const PING: Query = {
  from: 'Instance - NextWork VPC 1',
  to: 'Instance - NextWork VPC 2',
  protocol: 'icmp',
  port: null,
};
const EIC: Query = { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 };
const now = () => new Date('2026-11-25T10:00:00Z');

const depsOf = (sb: Sandbox): Deps => sandboxDeps(sb, now);
const opts = { actor: 'cli:tester', confirm: async () => true, undo: TEST_UNDO };

describe('the seed lab in the sandbox', () => {
  it('is reachable for ping and for EC2 Instance Connect after every fix, and back to blocked after the undos', async () => {
    const sb = createSandbox({ now });
    const deps = depsOf(sb);

    const ping = await applyFix(deps, PING, 'all', opts);
    expect(ping.status, ping.message).toBe('applied');
    expect(ping.reachableBefore).toBe(false);
    expect(ping.reachableAfter).toBe(true);
    const eic = await applyFix(deps, EIC, 'all', opts);
    expect(eic.status, eic.message).toBe('applied');
    expect(eic.reachableAfter).toBe(true);

    // Every write the sandbox answered was dry-run first.
    const writes = sb.calls.filter((c) => c.service === 'ec2' && !/^Describe|^Get|^Search/.test(c.operation));
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes.filter((c) => c.error !== 'DryRunOperation')) {
      expect(sb.calls.some((c) => c.operation === w.operation && c.error === 'DryRunOperation')).toBe(true);
    }

    // Applying again changes nothing: the blockers are gone.
    const again = await applyFix(deps, PING, 'all', opts);
    expect(again.status).toBe('already-in-place');

    // One token per fix command; the later command is undone first.
    const tokens = [eic.undo?.tokens, ping.undo?.tokens].map((t) => {
      expect(t).toHaveLength(1);
      return t?.[0] ?? '';
    });
    for (const t of tokens) {
      const u = await applyUndo(deps, readUndoToken(t, TEST_UNDO.key, now()).token, 'cli:tester');
      expect(u.status, u.message).toBe('applied');
    }
    expect((await investigate(PING, { kind: 'live', deps })).reachable).toBe(false);
    expect((await investigate(EIC, { kind: 'live', deps })).reachable).toBe(false);
  });

  it('names the IAM action the sandbox denies and changes nothing', async () => {
    const sb = createSandbox({ now, deny: ['ec2:CreateRoute'] });
    const r = await applyFix(depsOf(sb), PING, 'all', opts);
    expect(r.status).toBe('refused');
    expect(r.missingPermission).toBe('ec2:CreateRoute');
    const changed = sb.calls.filter(
      (c) => c.service === 'ec2' && !/^Describe/.test(c.operation) && c.error === undefined,
    );
    expect(changed).toEqual([]);
  });
});
