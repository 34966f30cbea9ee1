/**
 * One endpoint grammar for every front end: questions read as people type them (unquoted Names with spaces, Slack's
 * markup), and the live resolver reads an end exactly as the snapshot resolver does.
 */
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { parseRequest } from '../../src/core/request.js';
import { silentLogger } from '../../src/log.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { worldFiles } from '../snapshot/world.js';

const SEED: Query = {
  from: 'Instance - NextWork VPC 1',
  to: 'Instance - NextWork VPC 2',
  protocol: 'icmp',
  port: null,
};

describe('a question typed without quotes', () => {
  it.each([
    "why can't Instance - NextWork VPC 1 ping Instance - NextWork VPC 2",
    'why can’t Instance - NextWork VPC 1 ping Instance - NextWork VPC 2?',
    'can Instance - NextWork VPC 1 reach Instance - NextWork VPC 2',
    'from Instance - NextWork VPC 1 to Instance - NextWork VPC 2',
    '"Instance - NextWork VPC 1" ping "Instance - NextWork VPC 2"',
    '<@U0BOT> why can’t Instance - NextWork VPC 1 ping `Instance - NextWork VPC 2`',
    '<@U0BOT> why can’t “Instance - NextWork VPC 1” ping ‘Instance - NextWork VPC 2’',
  ])('reads %s as the two seed-lab instances', (text) => {
    expect(parseRequest(text)).toEqual(SEED);
  });

  it('keeps a port after the question words apart from the Name before it', () => {
    expect(parseRequest('can Instance - NextWork VPC 1 reach Instance - NextWork VPC 2 on port 22')).toEqual({
      ...SEED,
      protocol: 'tcp',
      port: 22,
    });
    expect(parseRequest('Instance - NextWork VPC 1 to Instance - NextWork VPC 2 tcp 443')).toEqual({
      ...SEED,
      protocol: 'tcp',
      port: 443,
    });
  });

  it('still splits single words on spaces when no question word separates them', () => {
    expect(parseRequest('web-1 db-1 tcp 443')).toEqual({ from: 'web-1', to: 'db-1', protocol: 'tcp', port: 443 });
    expect(parseRequest('web-1 db-1 443')).toEqual({ from: 'web-1', to: 'db-1', protocol: 'tcp', port: 443 });
  });

  it('undoes Slack auto-links and mailto links before reading the ends', () => {
    expect(parseRequest('<http://10.0.0.5|10.0.0.5> to <http://db.example.com|db.example.com>')).toMatchObject({
      from: '10.0.0.5',
      to: 'db.example.com',
    });
    expect(parseRequest('web-1 <mailto:ops@example.com|ops@example.com>')).toMatchObject({
      from: 'web-1',
      to: 'ops@example.com',
    });
  });
});

describe('the live and snapshot resolvers', () => {
  it('agree on an instance named i-web: both read it as the Name when no instance has that id', async () => {
    const files = worldFiles((w) => {
      const reservations = w.Reservations as { Instances: { InstanceId: string; Tags: unknown[] }[] }[];
      const inst = reservations[0]?.Instances[1];
      if (!inst) throw new Error('world changed');
      inst.InstanceId = 'i-0123456789abcdef0';
      inst.Tags = [{ Key: 'Name', Value: 'i-dbname' }];
    });
    const offline = buildSnapshot(files);
    const offlineEnds = resolveEndpoints(offline, 'web-1', 'i-dbname');
    expect(offlineEnds.to.instanceId).toBe('i-0123456789abcdef0');

    const sandbox = createSandbox({ files });
    const q: Query = { from: 'web-1', to: 'i-dbname', protocol: 'icmp', port: null };
    const { files: live } = await collectForQuery(sandbox.clients.ec2, q, {
      region: sandbox.region,
      logger: silentLogger,
    });
    const liveEnds = resolveEndpoints(buildSnapshot(live), q.from, q.to);
    expect(liveEnds.to.instanceId).toBe('i-0123456789abcdef0');
    expect(liveEnds.to.ip).toBe(offlineEnds.to.ip);
  });
});
