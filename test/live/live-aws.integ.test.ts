/**
 * Against a real AWS account — opt-in. Skipped unless WHYPING_LIVE_AWS=1, because CI has no AWS account and no
 * network. It reads only (iam/readonly.json is enough) and changes nothing.
 *
 *   WHYPING_LIVE_AWS=1 AWS_REGION=us-east-1 WHYPING_LIVE_FROM=web-1 WHYPING_LIVE_TO=db-1 npx vitest run test/live
 *
 * It diagnoses FROM → TO live, exports the scoped state with `whyping snapshot`'s writer, and checks that the
 * exported snapshot gives the same answer offline (the round trip users rely on when they attach a snapshot to a bug).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectForQuery, writeSnapshot } from '../../src/collect/index.js';
import { investigate } from '../../src/core/investigate.js';
import { silentLogger } from '../../src/log.js';
import { createAwsClients } from '../../src/main/aws.js';
import type { Query } from '../../src/model/index.js';
import { buildSnapshot, readSnapshotFiles } from '../../src/snapshot/index.js';

const live = process.env.WHYPING_LIVE_AWS === '1';
const from = process.env.WHYPING_LIVE_FROM ?? '';
const to = process.env.WHYPING_LIVE_TO ?? '';

describe.skipIf(!live)('live AWS (opt-in: WHYPING_LIVE_AWS=1 with WHYPING_LIVE_FROM and WHYPING_LIVE_TO)', () => {
  it('names both ends to diagnose', () => {
    expect(from, 'set WHYPING_LIVE_FROM').not.toBe('');
    expect(to, 'set WHYPING_LIVE_TO').not.toBe('');
  });

  it('gives the same answer live and from the exported snapshot', async () => {
    const { clients, region } = await createAwsClients({ logger: silentLogger });
    const deps = {
      clients,
      region,
      logger: silentLogger,
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      probesEnabled: false,
    };
    const query: Query = { from, to, protocol: 'icmp', port: null };
    const liveAnswer = await investigate(query, { kind: 'live', deps });
    const { files } = await collectForQuery(clients.ec2, query, { region, logger: silentLogger });
    const dir = mkdtempSync(join(tmpdir(), 'whyping-live-'));
    try {
      await writeSnapshot(files, dir);
      const offline = await investigate(query, { kind: 'snapshot', snapshot: buildSnapshot(readSnapshotFiles(dir)) });
      expect(offline.reachable).toBe(liveAnswer.reachable);
      expect(offline.findings.map((f) => [f.code, f.resource])).toEqual(
        liveAnswer.findings.map((f) => [f.code, f.resource]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
