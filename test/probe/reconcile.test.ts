import { describe, expect, it } from 'vitest';
import type { ProbeDirectionResult } from '../../src/model/index.js';
import { reconcile } from '../../src/probe/reconcile.js';
import { skippedProbe } from '../../src/probe/run.js';
import { diagnosisOf } from './world.js';

function measured(p: Partial<ProbeDirectionResult>): ProbeDirectionResult {
  return {
    ran: true,
    skipped: null,
    from: 'web-1',
    to: 'db-1 (10.2.4.95)',
    protocol: 'icmp',
    port: null,
    sent: null,
    received: null,
    lossPct: null,
    rttMs: null,
    tcp: null,
    commandId: '1c2b3a4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d',
    agreesWithVerdict: null,
    explanation: 'Ping from web-1 to 10.2.4.95: measured.',
    outcome: 'inconclusive',
    ...p,
  };
}

const replies = measured({
  sent: 3,
  received: 3,
  lossPct: 0,
  rttMs: { min: 0.4, avg: 0.5, max: 0.6 },
  outcome: 'success',
});
const silence = measured({
  sent: 3,
  received: 0,
  lossPct: 100,
  outcome: 'failure',
  evidence: '3 packets transmitted, 0 received, 100% packet loss, time 2036ms',
});
const tcp = (state: 'open' | 'refused' | 'timeout') =>
  measured({
    protocol: 'tcp',
    port: 5432,
    tcp: state,
    outcome: state === 'open' ? 'success' : 'failure',
    evidence: `whyping-probe tcp ${state}`,
  });

describe('reconcile', () => {
  it('agrees when both say reachable, and says so', () => {
    const d = reconcile(diagnosisOf(true), replies);
    expect(d.probe).toMatchObject({ agreesWithVerdict: true, commandId: replies.commandId });
    expect(d.probe?.explanation).toMatch(/agrees with the configuration: reachable\.$/);
    expect(d.probe?.findings).toBeUndefined();
  });

  it('agrees when both say blocked, naming the blockers', () => {
    const d = reconcile(diagnosisOf(false, { codes: ['SG_INGRESS_DENIED', 'NO_ROUTE'] }), silence);
    expect(d.probe?.agreesWithVerdict).toBe(true);
    expect(d.probe?.explanation).toMatch(/blocked \(SG_INGRESS_DENIED, NO_ROUTE\)/);
  });

  it('points at the host firewall when the configuration allows ping but nothing answers', () => {
    const d = reconcile(diagnosisOf(true), silence);
    expect(d.probe?.agreesWithVerdict).toBe(false);
    expect(d.probe?.explanation).toMatch(
      /ICMP echo is disabled or dropped by the OS firewall on db-1 \(i-0fedcba9876543210\)/,
    );
    expect(d.probe?.findings).toEqual([
      expect.objectContaining({
        code: 'HOST_FIREWALL_SUSPECTED',
        resource: 'i-0fedcba9876543210',
        evidence: silence.evidence,
        fix: null,
      }),
    ]);
  });

  it('reads tcp refused as nothing listening: the network agrees, the service is missing', () => {
    const d = reconcile(diagnosisOf(true, { protocol: 'tcp', port: 5432 }), tcp('refused'));
    expect(d.probe?.agreesWithVerdict).toBe(true);
    expect(d.probe?.explanation).toMatch(/nothing is listening on port 5432/);
    expect(d.probe?.findings?.[0]).toMatchObject({ code: 'NOTHING_LISTENING', evidence: 'whyping-probe tcp refused' });
  });

  it('reads tcp timeout as a host firewall or something outside the model', () => {
    const d = reconcile(diagnosisOf(true, { protocol: 'tcp', port: 5432 }), tcp('timeout'));
    expect(d.probe?.agreesWithVerdict).toBe(false);
    expect(d.probe?.explanation).toMatch(
      /host firewall on db-1 \(i-0fedcba9876543210\) .* drops tcp\/5432; otherwise something outside the model/,
    );
    expect(d.probe?.findings?.[0]?.code).toBe('HOST_FIREWALL_SUSPECTED');
  });

  it('says plainly that the model missed something when the configuration blocks but the probe gets through', () => {
    const blocked = diagnosisOf(false, { codes: ['PEERING_NOT_ACTIVE'] });
    const d = reconcile(blocked, replies);
    expect(d.probe?.agreesWithVerdict).toBe(false);
    expect(d.probe?.explanation).toMatch(
      /says this is blocked \(PEERING_NOT_ACTIVE\), yet the packet got an answer .* The model missed something/,
    );
    expect(d.probe?.findings?.[0]?.code).toBe('PROBE_CONTRADICTS_VERDICT');
    // The static verdict and its findings are untouched: both results are shown.
    expect(d.reachable).toBe(false);
    expect(d.findings).toEqual(blocked.findings);
  });

  it('counts a TCP reset as getting through when the configuration says blocked', () => {
    const d = reconcile(
      diagnosisOf(false, { protocol: 'tcp', port: 5432, codes: ['SG_INGRESS_DENIED'] }),
      tcp('refused'),
    );
    expect(d.probe?.agreesWithVerdict).toBe(false);
    expect(d.probe?.findings?.[0]?.code).toBe('PROBE_CONTRADICTS_VERDICT');
  });

  it('treats an ICMP error from the target itself as the host firewall rejecting the echo', () => {
    const prohibited = measured({
      sent: 3,
      received: 0,
      lossPct: 100,
      outcome: 'failure',
      evidence:
        '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2003ms\nFrom 10.2.4.95: Destination Host Prohibited',
    });
    const d = reconcile(diagnosisOf(true), prohibited);
    expect(d.probe?.agreesWithVerdict).toBe(true);
    expect(d.probe?.findings?.[0]).toMatchObject({ code: 'HOST_FIREWALL_SUSPECTED' });
    expect(d.probe?.explanation).toMatch(/own firewall rejected it/);
  });

  it('draws no conclusion from UDP silence', () => {
    const udp = measured({ protocol: 'udp', port: 53, udp: 'no-reply', outcome: 'inconclusive' });
    for (const verdict of [true, false]) {
      const d = reconcile(diagnosisOf(verdict, { protocol: 'udp', port: 53 }), udp);
      expect(d.probe?.agreesWithVerdict).toBeNull();
      expect(d.probe?.explanation).toMatch(/neither confirms nor contradicts/);
    }
  });

  it('leaves a skipped probe without a judgement and the verdict standing', () => {
    const skip = skippedProbe('web-1', 'db-1', 'icmp', null, 'probes are turned off (WHYPING_PROBES=off)');
    const d = reconcile(diagnosisOf(true), skip);
    expect(d.probe).toMatchObject({ ran: false, agreesWithVerdict: null });
    expect(d.probe?.explanation).toBe(
      'Probe skipped: probes are turned off (WHYPING_PROBES=off). The verdict stands on the configuration alone.',
    );
  });

  it('reports the probe as the only evidence when the path was not analyzed', () => {
    const d = reconcile(diagnosisOf(null), replies);
    expect(d.probe?.agreesWithVerdict).toBeNull();
    expect(d.probe?.explanation).toMatch(
      /could not be analyzed \(a load balancer is on the path\); the probe is the only evidence/,
    );
    expect(d.reachable).toBeNull();
  });

  it('reports the reverse direction as measured unless its own diagnosis is given', () => {
    const reverse = { ...replies, from: 'db-1', to: 'web-1 (10.1.0.12)' };
    const d = reconcile(diagnosisOf(true), { ...replies, reverse });
    expect(d.probe?.reverse?.agreesWithVerdict).toBeNull();
    expect(d.probe?.reverse?.explanation).toMatch(/covers the other direction only/);
    const back = diagnosisOf(false, { codes: ['SG_INGRESS_DENIED'] });
    const judged = reconcile(diagnosisOf(true), { ...replies, reverse }, back);
    expect(judged.probe?.reverse?.agreesWithVerdict).toBe(false);
    expect(judged.probe?.reverse?.findings?.[0]).toMatchObject({
      code: 'PROBE_CONTRADICTS_VERDICT',
      resource: 'i-0123456789abcdef0',
    });
  });

  it('never changes the verdict, the hops or the findings', () => {
    const before = diagnosisOf(true, { codes: [] });
    const after = reconcile(before, silence);
    const { probe: _p, ...rest } = after;
    const { probe: _q, ...orig } = before;
    expect(rest).toEqual(orig);
    expect(before.probe).toBeNull();
  });
});
