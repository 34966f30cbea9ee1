import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import {
  auditDescription,
  decodeUndoToken,
  encodeUndoToken,
  MAX_UNDO_TOKEN_LENGTH,
  sanitizeSgDescription,
  type UndoPlan,
} from '../../src/fix/index.js';

const plan: UndoPlan = {
  v: 1,
  fixId: 'fx-3f2a9c1d',
  summary: 'disassociate and release Elastic IP 203.0.113.25 (eipalloc-0123456789abcdef0)',
  steps: [
    { op: 'DisassociateAddress', associationId: 'eipassoc-0123456789abcdef0' },
    { op: 'ReleaseAddress', allocationId: 'eipalloc-0123456789abcdef0' },
  ],
};

function badInput(t: string): boolean {
  try {
    decodeUndoToken(t);
    return false;
  } catch (e) {
    return isWhypingError(e, 'BAD_INPUT');
  }
}

describe('undo tokens', () => {
  it('round-trips an undo plan through a compact token', () => {
    const token = encodeUndoToken(plan);
    expect(token.length).toBeLessThanOrEqual(MAX_UNDO_TOKEN_LENGTH);
    expect(token).toMatch(/^wpu1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8}$/);
    expect(decodeUndoToken(token)).toEqual(plan);
  });

  it('keeps the largest undo plan (four steps, a long summary) within 1500 characters', () => {
    const big: UndoPlan = {
      v: 1,
      fixId: `fx-${'a'.repeat(90)}`,
      summary: 'x'.repeat(1000),
      steps: [
        {
          op: 'RevokeSecurityGroupIngress',
          groupId: 'sg-0123456789abcdef0',
          permission: { protocol: 'tcp', fromPort: 1024, toPort: 65535, peerGroupId: 'sg-0fedcba9876543210' },
        },
        {
          op: 'ReplaceRoute',
          routeTableId: 'rtb-0123456789abcdef0',
          destinationCidrBlock: '10.20.0.0/16',
          target: { transitGatewayId: 'tgw-0123456789abcdef0' },
        },
        { op: 'DetachInternetGateway', internetGatewayId: 'igw-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0' },
        { op: 'DeleteInternetGateway', internetGatewayId: 'igw-0123456789abcdef0' },
      ],
    };
    const token = encodeUndoToken(big);
    expect(token.length).toBeLessThanOrEqual(MAX_UNDO_TOKEN_LENGTH);
    expect(decodeUndoToken(token).summary).toHaveLength(300);
  });

  it('rejects a token whose content was edited (checksum mismatch) as bad input', () => {
    const token = encodeUndoToken(plan);
    const [prefix, body, sum] = token.split('.');
    const edited = Buffer.from(
      Buffer.from(String(body), 'base64url')
        .toString('utf8')
        .replace('eipalloc-0123456789abcdef0', 'eipalloc-0fffffffffffffff0'),
    ).toString('base64url');
    expect(badInput(`${prefix}.${edited}.${sum}`)).toBe(true);
  });

  it('rejects a re-checksummed token whose steps break the schema as bad input', () => {
    const forged = Buffer.from(
      JSON.stringify({ ...plan, steps: [{ op: 'TerminateInstances', instanceId: 'i-0123' }] }),
    ).toString('base64url');
    const sum = createHash('sha256').update(forged).digest('base64url').slice(0, 8);
    expect(badInput(`wpu1.${forged}.${sum}`)).toBe(true);
  });

  it('rejects garbled, truncated, empty and oversized tokens as bad input', () => {
    const token = encodeUndoToken(plan);
    expect(badInput(token.slice(0, -3))).toBe(true);
    expect(badInput(token.slice(0, 20))).toBe(true);
    expect(badInput('')).toBe(true);
    expect(badInput('hello world')).toBe(true);
    expect(badInput(`wpu1.${'A'.repeat(2000)}.abcdefgh`)).toBe(true);
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
