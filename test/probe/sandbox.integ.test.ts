/**
 * The probe against the sandbox account (real SSMClient / EC2InstanceConnectClient, the sandbox answering beneath
 * them), end to end with the engine's verdict: the host-firewall scenario, where the configuration allows ping and
 * tcp/8080 but app-1's OS drops ICMP and nothing listens on 8080, and the seed lab's Instance Connect case.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Protocol } from '../../src/model/index.js';
import {
  addInstanceConnectHint,
  checkInstanceConnect,
  planProbes,
  reconcile,
  runProbes,
} from '../../src/probe/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

function clock() {
  let t = Date.parse('2026-11-25T10:00:00Z');
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

async function probeAndReconcile(scenario: string, from: string, to: string, protocol: Protocol, port: number | null) {
  const sandbox = createSandbox({ scenario });
  const snapshot = buildSnapshot(sandbox.state.toFiles());
  const query = { from, to, protocol, port };
  const diagnosis = diagnose(snapshot, query, resolveEndpoints(snapshot, from, to));
  const deps = { clients: sandbox.clients, logger: silentLogger, probesEnabled: true, ...clock() };
  const probe = await runProbes(deps, planProbes(diagnosis, snapshot), { snapshot });
  return { diagnosis: reconcile(diagnosis, probe), sandbox };
}

describe('probes against the sandbox', () => {
  it('suspects the host firewall when the configuration allows ping but app-1 drops it', async () => {
    const { diagnosis, sandbox } = await probeAndReconcile('host-firewall', 'bastion', 'app-1', 'icmp', null);
    expect(diagnosis.reachable).toBe(true);
    expect(diagnosis.probe).toMatchObject({ ran: true, sent: 3, received: 0, agreesWithVerdict: false });
    expect(diagnosis.probe?.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(diagnosis.probe?.findings?.map((f) => f.code)).toEqual(['HOST_FIREWALL_SUSPECTED']);
    expect(sandbox.calls.map((c) => c.operation)).toContain('SendCommand');
  });

  it('finds nothing listening on tcp/8080 although the configuration allows it', async () => {
    const { diagnosis } = await probeAndReconcile('host-firewall', 'bastion', 'app-1', 'tcp', 8080);
    expect(diagnosis.reachable).toBe(true);
    expect(diagnosis.probe).toMatchObject({ ran: true, tcp: 'refused', agreesWithVerdict: true });
    expect(diagnosis.probe?.findings?.map((f) => f.code)).toEqual(['NOTHING_LISTENING']);
  });

  it('agrees with the seed lab: instance 1 cannot ping instance 2 before the fix', async () => {
    const { diagnosis } = await probeAndReconcile(
      'seed-lab',
      'Instance - NextWork VPC 1',
      'Instance - NextWork VPC 2',
      'icmp',
      null,
    );
    expect(diagnosis.reachable).toBe(false);
    // Both lab instances run the SSM agent (seed-lab.host.json): the probe runs and confirms the block.
    expect(diagnosis.probe).toMatchObject({ ran: true, sent: 3, received: 0, agreesWithVerdict: true });
    expect(diagnosis.probe?.explanation).toMatch(/agrees with the configuration: blocked \(.*PEERING_NOT_ACTIVE/);
  });

  it('adds the Instance Connect Endpoint hint for eic → instance 1 on tcp/22 and checks the key push', async () => {
    const sandbox = createSandbox({ scenario: 'seed-lab' });
    const snapshot = buildSnapshot(sandbox.state.toFiles());
    const endpoints = resolveEndpoints(snapshot, 'eic', 'Instance - NextWork VPC 1');
    const d = addInstanceConnectHint(
      diagnose(snapshot, { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 }, endpoints),
    );
    expect(d.findings.map((f) => f.code)).toContain('NO_PUBLIC_IP');
    expect(d.hints?.[0]).toMatch(/EC2 Instance Connect Endpoint/);
    const id = endpoints.to.instanceId;
    if (!id) throw new Error('instance 1 did not resolve to an instance');
    const r = await checkInstanceConnect(sandbox.clients.eic, { instanceId: id, osUser: 'ec2-user' });
    expect(typeof r.message).toBe('string');
    expect(sandbox.calls.map((c) => c.operation)).toContain('SendSSHPublicKey');
  });
});
