/** The reader's bookkeeping: counted calls, rounds, the concurrency limit, pagination. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { chunks, Ec2Reader } from '../../src/collect/reader.js';
import { classifyEndpoint, nameVariants } from '../../src/collect/resolve.js';
import { silentLogger } from '../../src/log.js';

const reader = (limit = 3) => new Ec2Reader({} as EC2Client, silentLogger, limit);

describe('Ec2Reader', () => {
  it('never has more calls in flight than its limit, and counts every call in one round', async () => {
    const r = reader(3);
    let inFlight = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const call = () =>
      r.send('DescribeVpcs', async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => release.push(resolve));
        inFlight -= 1;
      });
    const round = r.round(
      'test',
      Array.from({ length: 10 }, () => call),
    );
    while (r.stats.calls < 10 || release.length > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      release.shift()?.();
    }
    await round;
    expect(peak).toBe(3);
    expect(r.stats).toEqual({ calls: 10, rounds: 1, operations: Array(10).fill('DescribeVpcs') });
  });

  it('follows NextToken to the last page', async () => {
    const r = reader();
    const pages: Record<string, { Items: number[]; NextToken?: string }> = {
      start: { Items: [1, 2], NextToken: 'a' },
      a: { Items: [3], NextToken: 'b' },
      b: { Items: [4] },
    };
    const seen: (string | undefined)[] = [];
    const items = await r.pages(
      'DescribeSubnets',
      async (token) => {
        seen.push(token);
        return pages[token ?? 'start'] as { Items: number[]; NextToken?: string };
      },
      (o) => o.Items,
    );
    expect(items).toEqual([1, 2, 3, 4]);
    expect(seen).toEqual([undefined, 'a', 'b']);
    expect(r.stats.calls).toBe(3);
  });

  it('turns a failure into a WhypingError naming the IAM action', async () => {
    const r = reader();
    const denied = Object.assign(new Error('no'), { name: 'UnauthorizedOperation', $metadata: {} });
    await expect(r.send('DescribeVpcs', () => Promise.reject(denied))).rejects.toMatchObject({
      code: 'AWS_ACCESS_DENIED',
      details: { aws: { action: 'ec2:DescribeVpcs' } },
    });
  });

  it('an empty round is not a round', async () => {
    const r = reader();
    await r.round('nothing', []);
    expect(r.stats.rounds).toBe(0);
  });

  it('chunks filter values by 200', () => {
    expect(chunks(Array.from({ length: 401 }, (_, i) => i)).map((c) => c.length)).toEqual([200, 200, 1]);
  });
});

describe('classifying an endpoint', () => {
  it.each([
    ['i-0a7b3c9d1e5f20311', 'instance-id'],
    ['eni-0f0e1d2c3b4a59611', 'eni-id'],
    ['10.2.4.95', 'ip'],
    ['2600:1f18::1', 'ip'],
    ['internet', 'internet'],
    ['Internet', 'internet'],
    ['eic', 'eic'],
    ['ec2-instance-connect', 'eic'],
    ['Instance - NextWork VPC 1', 'name'],
    ['i-am-a-name with spaces', 'name'],
  ])('%s is a %s', (text, kind) => {
    expect(classifyEndpoint(text).kind).toBe(kind);
  });

  it('tries a Name in a few spellings and escapes filter wildcards', () => {
    expect(nameVariants('web-1')).toEqual(['web-1', 'WEB-1', 'Web-1']);
    expect(nameVariants('db*')).toContain('db\\*');
  });
});
