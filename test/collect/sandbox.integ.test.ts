/**
 * `--sandbox` and the shell run this same collector against the in-memory account beneath the SDK clients: every
 * filter the collector sends must be one the sandbox knows (it rejects unknown ones, as EC2 does), and the collected
 * answer must equal the answer on the whole scenario read offline.
 */
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Diagnosis, Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox, loadScenario } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

const q = (from: string, to: string, protocol: Query['protocol'] = 'icmp', port: number | null = null): Query => ({
  from,
  to,
  protocol,
  port,
});

function answer(files: RawSnapshotFile[], query: Query) {
  const snapshot = buildSnapshot(files);
  const d: Diagnosis = diagnose(snapshot, query, resolveEndpoints(snapshot, query.from, query.to));
  return { reachable: d.reachable, findings: d.findings, forward: d.forward, return: d.return };
}

describe('collecting from the sandbox', () => {
  it.each([
    ['seed-lab', q('Instance - NextWork VPC 1', 'Instance - NextWork VPC 2')],
    ['seed-lab', q('eic', 'Instance - NextWork VPC 1', 'tcp', 22)],
    ['seed-lab', q('internet', '10.1.0.12', 'tcp', 22)],
    ['transitive-peering', q('app-a', 'db-c')],
    ['nacl-reply', q('web-1', 'db-1', 'tcp', 5432)],
    ['blackhole-route', q('worker-1', '8.8.8.8', 'tcp', 443)],
    ['host-firewall', q('bastion', 'app-1')],
  ] as const)('%s: %j answers as the whole scenario does', async (scenario, query) => {
    const sandbox = createSandbox({ scenario });
    const { files, stats } = await collectForQuery(sandbox.clients.ec2, query, {
      region: 'us-east-1',
      logger: silentLogger,
    });
    const { files: whole } = loadScenario(scenario);
    expect(answer(files, query)).toEqual(answer(whole, query));
    expect(stats.calls).toBe(sandbox.calls.filter((c) => c.service === 'ec2').length);
  });
});
