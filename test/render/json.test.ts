import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FindingHistory } from '../../src/model/index.js';
import { renderJson, toJson, toJsonBatchError } from '../../src/render/json.js';
import { seedDiagnosis } from './sample.js';

function sampleHistory(): FindingHistory {
  return {
    window: { days: 7, from: '2026-11-30T12:00:00.000Z', to: '2026-12-07T12:00:00.000Z' },
    skipped: null,
    events: [
      {
        eventId: 'e1',
        eventName: 'DeleteRoute',
        time: '2026-12-06T09:00:00.000Z',
        principal: 'alice (role Admin)',
        summary: 'removed the route 10.2.0.0/16 from rtb-0aaa',
        byWhyping: false,
      },
    ],
  };
}

describe('the JSON renderer follows the --json contract', () => {
  it("writes a finding's history with its window, skipped and events, without internal fields", () => {
    const d = seedDiagnosis();
    d.findings = d.findings.map((f, i) => (i === 0 ? { ...f, history: sampleHistory() } : f));
    const h = toJson(d).findings[0]?.history;
    expect(h).toEqual({
      window: { days: 7, from: '2026-11-30T12:00:00.000Z', to: '2026-12-07T12:00:00.000Z' },
      skipped: null,
      events: [
        {
          eventId: 'e1',
          eventName: 'DeleteRoute',
          time: '2026-12-06T09:00:00.000Z',
          principal: 'alice (role Admin)',
          summary: 'removed the route 10.2.0.0/16 from rtb-0aaa',
        },
      ],
    });
    expect(toJson(d).findings[1]?.history).toBeNull();
  });

  it('has exactly the documented top-level keys, in order', () => {
    expect(Object.keys(toJson(seedDiagnosis()))).toEqual([
      'query',
      'endpoints',
      'reachable',
      'notAnalyzed',
      'forward',
      'return',
      'findings',
      'warnings',
      'probe',
      'hints',
      'partlyDenied',
      'instanceConnect',
    ]);
  });

  it('emits only keys the README documents for the query, endpoints, hops, findings and fixes, and all of them', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /### `--json` output\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const documented = new Set([...block.matchAll(/"(\w+)":/g)].map((m) => m[1]));
    const d = seedDiagnosis();
    d.findings = d.findings.map((f, i) => (i === 0 ? { ...f, history: sampleHistory() } : f));
    d.partlyDenied = [
      {
        direction: 'return',
        networkAclId: 'acl-1',
        subnetId: 'subnet-1',
        egress: true,
        protocol: 'tcp',
        range: { from: 1024, to: 65535 },
        denied: [{ from: 6667, to: 6667, rule: '90 TCP 6667 0.0.0.0/0 DENY' }],
        share: 1 / 64512,
        message: 'Network ACL acl-1 of subnet-1 denies TCP 6667 …',
      },
    ];
    const j = toJson(d);
    const finding = j.findings.find((f) => f.fix !== null && f.history !== null);
    const emitted = [
      ...Object.keys(j),
      ...Object.keys(j.query),
      ...Object.keys(j.endpoints.from),
      ...Object.keys(j.forward[0] ?? {}),
      ...Object.keys(finding ?? {}),
      ...Object.keys(finding?.fix ?? {}),
      ...Object.keys(finding?.history ?? {}),
      ...Object.keys(finding?.history?.window ?? {}),
      ...Object.keys(finding?.history?.events[0] ?? {}),
      ...Object.keys(j.partlyDenied[0] ?? {}),
      ...Object.keys(j.partlyDenied[0]?.denied[0] ?? {}),
    ];
    for (const key of emitted) expect(documented, `README lacks "${key}"`).toContain(key);
    for (const key of documented) expect(emitted, `output lacks "${key}"`).toContain(key);
  });

  it('writes the query with a null port for ICMP', () => {
    expect(toJson(seedDiagnosis()).query).toEqual({
      from: 'Instance - NextWork VPC 1',
      to: '10.2.4.95',
      protocol: 'icmp',
      port: null,
    });
  });

  it('writes endpoints with kind, id, ip and eni, null when absent', () => {
    const j = toJson(seedDiagnosis());
    expect(j.endpoints.from).toMatchObject({
      kind: 'instance',
      id: 'i-0aaa1111',
      ip: '10.1.0.12',
      eni: 'eni-0aaa1111',
    });
    expect(j.endpoints.to).toMatchObject({ kind: 'ip', id: null, ip: '10.2.4.95', eni: 'eni-0bbb2222', name: null });
  });

  it('writes hops with component, id, direction (null for routes), allowed and rule', () => {
    const j = toJson(seedDiagnosis());
    expect(j.forward[0]).toEqual({
      component: 'security-group',
      id: 'sg-0aaa',
      direction: 'egress',
      allowed: true,
      rule: 'outbound All traffic to 0.0.0.0/0',
      detail: null,
    });
    expect(j.forward[2]).toMatchObject({ component: 'route-table', direction: null, allowed: false });
  });

  it('writes findings with code, awsCode, direction, resource, message and the fix plan', () => {
    const f = toJson(seedDiagnosis()).findings[0];
    expect(Object.keys(f ?? {})).toEqual([
      'code',
      'awsCode',
      'direction',
      'resource',
      'message',
      'evidence',
      'fix',
      'history',
    ]);
    expect(f?.history).toBeNull();
    expect(f?.fix).toEqual({
      id: 'fx-route-a',
      order: 2,
      action: 'CreateRoute',
      params: {
        routeTableId: 'rtb-0aaa',
        destinationCidrBlock: '10.2.0.0/16',
        target: { vpcPeeringConnectionId: 'pcx-0abc' },
      },
      summary: 'Add route 10.2.0.0/16 → pcx-0abc to rtb-0aaa',
      undo: 'Delete route 10.2.0.0/16 from rtb-0aaa',
      reversible: true,
      warnings: [],
    });
    expect(toJson(seedDiagnosis()).findings[2]).toMatchObject({
      evidence: 'inbound rules: SSH TCP 22 from 0.0.0.0/0',
      fix: null,
    });
    expect(toJson(seedDiagnosis()).findings[1]?.evidence).toBeNull();
  });

  it('writes notAnalyzed and probe as null when absent', () => {
    const j = toJson(seedDiagnosis());
    expect(j.notAnalyzed).toBeNull();
    expect(j.probe).toBeNull();
    expect(j.reachable).toBe(false);
  });

  it('writes reachable null with notAnalyzed when the path leaves the model', () => {
    const d = {
      ...seedDiagnosis(),
      reachable: null,
      notAnalyzed: { component: 'network-interface', id: 'eni-0lb', reason: 'a load balancer' },
    };
    expect(toJson(d)).toMatchObject({
      reachable: null,
      notAnalyzed: { component: 'network-interface', id: 'eni-0lb', reason: 'a load balancer' },
    });
  });

  it('writes the probe with every documented field and the reverse direction', () => {
    const dir = {
      ran: true,
      skipped: null,
      from: 'i-0aaa1111',
      to: '10.2.4.95',
      protocol: 'icmp' as const,
      port: null,
      sent: 3,
      received: 0,
      lossPct: 100,
      rttMs: null,
      tcp: null,
      commandId: 'cmd-1',
      agreesWithVerdict: true,
      explanation: 'no reply, as the verdict says',
    };
    const j = toJson({
      ...seedDiagnosis(),
      probe: { ...dir, reverse: { ...dir, from: 'i-0bbb', commandId: 'cmd-2' } },
    });
    expect(Object.keys(j.probe ?? {})).toEqual([
      'ran',
      'skipped',
      'from',
      'to',
      'protocol',
      'port',
      'sent',
      'received',
      'lossPct',
      'rttMs',
      'tcp',
      'commandId',
      'agreesWithVerdict',
      'explanation',
      'reverse',
    ]);
    expect(j.probe?.reverse?.commandId).toBe('cmd-2');
    expect(j.probe).not.toHaveProperty('outcome');
  });

  it('keeps the probe extras (outcome, udp, evidence, host findings) when the probe sets them', () => {
    const dir = {
      ran: true,
      skipped: null,
      from: 'i-0aaa1111',
      to: '10.2.4.95',
      protocol: 'icmp' as const,
      port: null,
      sent: 3,
      received: 0,
      lossPct: 100,
      rttMs: null,
      tcp: null,
      commandId: 'cmd-1',
      agreesWithVerdict: false,
      explanation: 'configuration allows it; the host drops it',
      outcome: 'failure' as const,
      evidence: '3 packets transmitted, 0 received',
      findings: [
        {
          code: 'HOST_FIREWALL_SUSPECTED' as const,
          awsCode: null,
          direction: 'forward' as const,
          resource: 'i-0bbb',
          message: 'host firewall',
          fix: null,
        },
      ],
    };
    const j = toJson({ ...seedDiagnosis(), probe: dir });
    expect(j.probe).toMatchObject({ outcome: 'failure', evidence: '3 packets transmitted, 0 received' });
    expect(j.probe?.findings?.[0]).toEqual({
      code: 'HOST_FIREWALL_SUSPECTED',
      awsCode: null,
      direction: 'forward',
      resource: 'i-0bbb',
      message: 'host firewall',
      evidence: null,
      fix: null,
      history: null,
    });
  });

  it('writes hints as an array, empty when there are none', () => {
    expect(toJson(seedDiagnosis()).hints).toEqual([]);
    expect(toJson({ ...seedDiagnosis(), hints: ['use an EC2 Instance Connect Endpoint'] }).hints).toEqual([
      'use an EC2 Instance Connect Endpoint',
    ]);
  });

  it('renders one line when compact (batch) and parses back to the same object', () => {
    const line = renderJson(seedDiagnosis(), { compact: true });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(toJson(seedDiagnosis()));
    expect(renderJson(seedDiagnosis())).toContain('\n  "query"');
  });

  it('writes a failed batch line as the query and a coded error', () => {
    expect(toJsonBatchError({ from: 'x' }, { code: 'UNKNOWN_ENDPOINT', message: 'no x' })).toEqual({
      query: { from: 'x' },
      error: { code: 'UNKNOWN_ENDPOINT', message: 'no x' },
    });
  });
});
