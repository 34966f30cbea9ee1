import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import {
  auditDescription,
  describeUndoStep,
  encodeUndoTokens,
  MAX_UNDO_TOKEN_LENGTH,
  sanitizeSgDescription,
  type UndoStep,
  type UndoToken,
  verifyUndoToken,
} from '../../src/fix/index.js';

const KEY = Buffer.alloc(32, 7);
const NOW = new Date('2026-11-25T10:00:00Z');

const eip: UndoStep = {
  account: '111122223333',
  region: 'us-east-1',
  fixId: 'fix-3f2a9c1d',
  change: {
    kind: 'elastic-ip',
    allocationId: 'eipalloc-0123456789abcdef0',
    associationId: 'eipassoc-0123456789abcdef0',
    networkInterfaceId: 'eni-0123456789abcdef0',
    privateIp: '10.1.0.12',
  },
};
const route: UndoStep = {
  account: '111122223333',
  region: 'us-east-1',
  fixId: 'fix-aaaa1111',
  change: {
    kind: 'route-created',
    routeTableId: 'rtb-0123456789abcdef0',
    destinationCidrBlock: '10.2.0.0/16',
    target: { vpcPeeringConnectionId: 'pcx-0123456789abcdef0' },
  },
};
const token = (steps: UndoStep[]): UndoToken => ({
  v: 2,
  actor: 'cli:ana',
  diagnosisId: 'd-1a2b3c4d5e',
  appliedAt: '2026-11-25T10:00:00Z',
  expiresAt: NOW.getTime() / 1000 + 3600,
  steps,
});

function rejection(t: string, key = KEY, now = NOW): string {
  try {
    verifyUndoToken(t, key, now);
  } catch (e) {
    if (isWhypingError(e, 'BAD_INPUT')) return e.message;
    throw e;
  }
  return 'accepted';
}

/** Signs arbitrary JSON as a token with `key` (what a forger without the key cannot do). */
function signed(json: unknown, key: Buffer): string {
  const body = `wpu2.${Buffer.from(JSON.stringify(json)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('undo tokens', () => {
  it('carry every change of one fix command in one authenticated token that round-trips', () => {
    const t = token([route, eip]);
    const { tokens, split } = encodeUndoTokens(t, KEY);
    expect(split).toBe(false);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatch(/^wpu2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUndoToken(tokens[0] as string, KEY, NOW)).toEqual(t);
  });

  it('are split into one token per change, each valid alone, when one token would pass 1,900 characters', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...route, fixId: `fix-${String(i).padStart(12, '0')}` }));
    const { tokens, split } = encodeUndoTokens(token(many), KEY);
    expect(split).toBe(true);
    expect(tokens).toHaveLength(12);
    for (const [i, t] of tokens.entries()) {
      expect(t.length).toBeLessThanOrEqual(MAX_UNDO_TOKEN_LENGTH);
      expect(verifyUndoToken(t, KEY, NOW).steps).toEqual([many[i]]);
    }
  });

  it('reject a token signed with another key (forged) without showing anything of it', () => {
    const forged = signed(
      { ...token([route]), steps: [{ ...route, change: { ...route.change, destinationCidrBlock: '0.0.0.0/0' } }] },
      Buffer.alloc(32, 1),
    );
    const why = rejection(forged);
    expect(why).toContain('signature does not match');
    expect(why).not.toContain('0.0.0.0/0');
  });

  it('reject a token whose content was edited after signing (tampered)', () => {
    const [t] = encodeUndoTokens(token([eip]), KEY).tokens;
    const [p, body, sig] = String(t).split('.');
    const json = Buffer.from(String(body), 'base64url')
      .toString('utf8')
      .replace('eipalloc-0123456789abcdef0', 'eipalloc-0fffffffffffffff0');
    expect(rejection(`${p}.${Buffer.from(json).toString('base64url')}.${sig}`)).toContain('signature does not match');
  });

  it('reject an expired token, saying when it expired', () => {
    const [t] = encodeUndoTokens({ ...token([eip]), expiresAt: NOW.getTime() / 1000 - 1 }, KEY).tokens;
    expect(rejection(String(t))).toContain('expired at 2026-11-25T09:59:59Z');
  });

  it('reject a correctly signed token whose steps are not a change whyping makes', () => {
    const bad = signed(
      { ...token([eip]), steps: [{ ...eip, change: { kind: 'terminate', instanceId: 'i-0123' } }] },
      KEY,
    );
    expect(rejection(bad)).toContain('unknown shape');
  });

  it('reject the older unsigned format, garbled, truncated, empty and oversized tokens', () => {
    const [t] = encodeUndoTokens(token([eip]), KEY).tokens;
    expect(rejection('wpu1.eyJ2IjoxfQ.abcdefgh')).toContain('carries no signature');
    expect(rejection(String(t).slice(0, -3))).toContain('wrong format');
    expect(rejection(String(t).slice(0, 20))).toContain('wrong format');
    expect(rejection('')).toContain('wrong format');
    expect(rejection('hello world')).toContain('wrong format');
    expect(rejection(`wpu2.${'A'.repeat(2000)}.${'a'.repeat(43)}`)).toContain('too long');
  });

  it('describe each step from its verified content: account, region and fix included', () => {
    expect(describeUndoStep(route)).toBe(
      'delete route 10.2.0.0/16 → pcx-0123456789abcdef0 from rtb-0123456789abcdef0 [fix-aaaa1111; account 111122223333, us-east-1]',
    );
  });
});

describe('audit text', () => {
  it('keeps only the characters EC2 allows in a rule description, at most 255', () => {
    expect(sanitizeSgDescription('ok: a-z A-Z 0-9 ._-:/()#,@[]+=;{}!$*')).toBe('ok: a-z A-Z 0-9 ._-:/()#,@[]+=;{}!$*');
    // `&` is allowed for CIDR rules only, not for rules naming a security group or a prefix list.
    expect(sanitizeSgDescription('a&b')).toBe('a_b');
    expect(sanitizeSgDescription('José <x> "q" \'s\' %')).toBe('Jos_ _x_ _q_ _s_ _');
    expect(sanitizeSgDescription('y'.repeat(400))).toHaveLength(255);
  });

  it('writes "whyping: <actor> <date> <diagnosis id>"', () => {
    const d = auditDescription({
      actor: 'U012AB3CD',
      diagnosisId: 'd-1a2b3c4d',
      fixId: 'fx-1',
      now: () => new Date('2026-11-25T10:00:00.123Z'),
    });
    expect(d).toBe('whyping: U012AB3CD 2026-11-25T10:00:00Z d-1a2b3c4d');
  });
});
