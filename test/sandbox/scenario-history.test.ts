/**
 * Every built-in scenario whose blocker a change could have made carries the change that made it, so `npm start`
 * shows the history with nothing configured: the seed lab's deleted peering route (and where it pointed), the NACL
 * rule narrowed to tcp 5432, and the NAT gateway deleted under a route (read on the dead target itself).
 */
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../src/core/history.js';
import { investigate } from '../../src/core/investigate.js';
import { parseRequest } from '../../src/core/request.js';
import { historySection } from '../../src/render/history.js';
import { clockedSandbox } from '../support/clocked-sandbox.js';

async function history(scenario: string, question: string) {
  const { deps } = clockedSandbox({ scenario });
  const source = { kind: 'live' as const, deps };
  const d = await readHistory(await investigate(parseRequest(question), source, { probe: false }), source);
  return { d, lines: historySection(d).map((l) => l.replace(/\[event [0-9a-f-]+\]/, '[event …]')) };
}

describe('the scenarios’ histories', () => {
  it('seed lab: the peering route deleted yesterday by sam, which pointed at the peering', async () => {
    const { lines } = await history('seed-lab', '"Instance - NextWork VPC 1" "Instance - NextWork VPC 2"');
    expect(lines[1]).toBe(
      '  1. rtb-03e4f5a6b7c8d9e11: DeleteRoute by sam (role NetworkAdmin), yesterday (2026-11-24 08:00 UTC): removed the route 10.2.0.0/16 (was → pcx-0d6e7f8a9b0c1d2e3) from rtb-03e4f5a6b7c8d9e11 [event …] → fix 2',
    );
  });

  it('nacl-reply: the outbound rule narrowed to tcp 5432 by an automation role', async () => {
    const { d, lines } = await history('nacl-reply', 'web-1 db-1:5432');
    expect(d.findings.map((f) => f.code)).toEqual(['NACL_EGRESS_DENIED']);
    expect(lines).toEqual([
      'What changed (CloudTrail, last 7 days)',
      '  1. acl-003178f4b2a749d78: ReplaceNetworkAclEntry by nacl-hardening (role SecurityAutomation), yesterday (2026-11-24 04:00 UTC): replaced outbound rule 100 ALLOW tcp 10.50.1.0/24 port 5432 in acl-003178f4b2a749d78 [event …] → fix 1',
    ]);
  });

  it('blackhole-route: the NAT gateway deleted under the route, found on the gateway’s own history', async () => {
    const { d, lines } = await history('blackhole-route', 'worker-1 8.8.8.8:443');
    expect(d.findings.map((f) => f.code)).toEqual(['ROUTE_BLACKHOLE']);
    expect(d.findings[0]?.history?.events.map((e) => e.eventName)).toEqual(['DeleteNatGateway', 'CreateRoute']);
    expect(lines).toEqual([
      'What changed (CloudTrail, last 7 days)',
      '  1. rtb-08611f42134efdb85: DeleteNatGateway by lee, 2 days ago (2026-11-23 06:00 UTC): deleted the NAT gateway nat-0c84636262990c9e6 [event …] (+1 earlier)',
    ]);
  });
});
