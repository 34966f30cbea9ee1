import { describe, expect, it } from 'vitest';
import { describeEndpoint, numberedFixes, renderText, verdictLine } from '../../src/render/text.js';
import { seedDiagnosis } from './sample.js';

describe('the text renderer', () => {
  it('starts with the verdict, naming both ends, the protocol and the blocker count', () => {
    expect(verdictLine(seedDiagnosis())).toBe(
      '✗ Not reachable: Instance - NextWork VPC 1 (i-0aaa1111, 10.1.0.12) → 10.2.4.95, ping (ICMP) (4 blockers).',
    );
  });

  it('says reachable with a check mark', () => {
    const d = { ...seedDiagnosis(), reachable: true, findings: [] };
    expect(verdictLine(d)).toMatch(/^✓ Reachable: .* → 10\.2\.4\.95, ping \(ICMP\)\.$/);
  });

  it('says what was not analyzed when reachable is null', () => {
    const d = {
      ...seedDiagnosis(),
      reachable: null,
      notAnalyzed: { component: 'network-interface', id: 'eni-0lb', reason: 'a load balancer' },
    };
    expect(verdictLine(d)).toContain('? Not analyzed');
    expect(verdictLine(d)).toContain('Network interface eni-0lb: a load balancer');
  });

  it('names a component outside the model in words, like the others (a VPN gateway the path is routed to)', () => {
    const d = {
      ...seedDiagnosis(),
      reachable: null,
      findings: [],
      notAnalyzed: { component: 'virtual-private-gateway', id: 'vgw-0abc', reason: 'VPN paths are outside the model' },
    };
    expect(verdictLine(d)).toContain('the path crosses Virtual private gateway vgw-0abc: VPN paths');
  });

  it('says only the reason when the query itself is outside the model (an IPv6 end)', () => {
    const d = {
      ...seedDiagnosis(),
      reachable: null,
      findings: [],
      notAnalyzed: { component: 'query', id: '2001:db8::1', reason: 'IPv6 paths are not analyzed (IPv4 only for now)' },
    };
    expect(verdictLine(d)).toMatch(/ping \(ICMP\); IPv6 paths are not analyzed \(IPv4 only for now\)\.$/);
  });

  it('lists both paths hop by hop after the blockers and fixes, one short line a hop; --verbose adds the detail', () => {
    const t = renderText(seedDiagnosis());
    expect(t.indexOf('Request path (forward)')).toBeGreaterThan(t.indexOf('Fixes (in apply order)'));
    expect(t).toContain(
      'Request path (forward)\n  ✓ Security group sg-0aaa outbound: outbound All traffic to 0.0.0.0/0',
    );
    expect(t).toContain('  ✗ Route table rtb-0aaa: no route covers 10.2.4.95\n');
    expect(t).toContain('Reply path (return)\n  ✗ Route table rtb-0bbb: no route covers 10.1.0.12');
    const v = renderText(seedDiagnosis(), { verbose: true });
    expect(v).toContain('  ✗ Route table rtb-0aaa: no route covers 10.2.4.95 — routes: 10.1.0.0/16 → local');
  });

  it('marks a hop past a blocker, or one that assumes a fix, as "if fixed", not as a pass', () => {
    const d = seedDiagnosis();
    const after = { component: 'instance' as const, id: 'i-0bbb', allowed: true, rule: 'state running' };
    const eip = {
      component: 'internet-gateway' as const,
      id: 'igw-0aaa',
      allowed: true,
      rule: '10.1.0.12 ↔ 203.0.113.9',
      detail: 'assuming the Elastic IP the fix adds',
    };
    const t = renderText({ ...d, forward: [...d.forward, after], return: [eip, ...d.return] });
    const forward = t.slice(t.indexOf('Request path (forward)'), t.indexOf('Reply path (return)'));
    expect(forward).toContain('  ✓ Network ACL acl-0aaa outbound: 100 All traffic ALL 0.0.0.0/0 ALLOW\n');
    expect(forward).toContain('  ◦ Instance i-0bbb: state running (if fixed)');
    expect(t).toContain('  ◦ Internet gateway igw-0aaa: 10.1.0.12 ↔ 203.0.113.9 (if fixed)');
    expect(t).not.toMatch(/✓ (Instance i-0bbb|Internet gateway)/);
  });

  it('lists every blocker naming its fix by number (the change is said once, in the fix list)', () => {
    const t = renderText(seedDiagnosis());
    expect(t).toContain('Blockers (4)');
    expect(t).toContain('  1. NO_ROUTE (request path): Route table rtb-0aaa has no route to 10.2.4.95. → fix 2');
    expect(t).toContain('  2. PEERING_NOT_ACTIVE (request path): ');
    expect(t).toContain('(no automatic fix: change what it names)');
    expect(t).toMatch(/ {2}4\. PEERING_NOT_ACTIVE \(reply path\): .* → fix 1\n/);
    for (const f of numberedFixes(seedDiagnosis())) expect(t.split(f.summary).length - 1).toBe(1);
    expect(renderText(seedDiagnosis(), { verbose: true })).toContain(
      '     evidence: routes: 10.1.0.0/16 → local, 0.0.0.0/0 → igw-0aaa',
    );
  });

  it('wraps every line to the width with a hanging indent, and cuts a hop to one line', () => {
    const t = renderText(seedDiagnosis(), { width: 40 });
    for (const line of t.trimEnd().split('\n')) {
      // a lone unbreakable token may exceed the width
      if ([...line].length > 40) expect(line.trim()).not.toContain(' ');
    }
    expect(t).toMatch(/\n {2}1\. NO_ROUTE \(request path\): Route\n {5}table/);
  });

  it('numbers each fix once, in apply order', () => {
    expect(numberedFixes(seedDiagnosis()).map((f) => f.id)).toEqual(['fx-accept', 'fx-route-a']);
    const t = renderText(seedDiagnosis());
    expect(t).toContain('Fixes (in apply order)\n  1. Accept peering connection pcx-0abc');
    expect(t).toContain('cannot be undone');
    expect(t).toContain('  2. Add route 10.2.0.0/16 → pcx-0abc to rtb-0aaa');
  });

  it('shows each fix id in the Fixes list, the id `whyping fix --apply` takes', () => {
    const t = renderText(seedDiagnosis());
    for (const [i, f] of numberedFixes(seedDiagnosis()).entries()) {
      const line = t.split('\n').find((l) => l.startsWith(`  ${i + 1}. ${f.summary}`));
      expect(line).toContain(f.id);
    }
  });

  it('says the reason of a skipped probe once, not again as its explanation', () => {
    const reason = 'a snapshot has no live instances to probe';
    const probe = {
      ran: false,
      skipped: reason,
      from: 'Instance - NextWork VPC 1',
      to: 'Instance - NextWork VPC 2',
      protocol: 'icmp' as const,
      port: null,
      sent: null,
      received: null,
      lossPct: null,
      rttMs: null,
      tcp: null,
      commandId: null,
      agreesWithVerdict: null,
      explanation: `Probe skipped: ${reason}.`,
    };
    const t = renderText({ ...seedDiagnosis(), probe });
    expect(t.split(reason).length - 1).toBe(1);
  });

  it('shows warnings', () => {
    expect(renderText(seedDiagnosis())).toContain('Warnings\n  ! NetworkAcls missing: assumed the default ACL');
  });

  it('is plain text unless colours are asked for', () => {
    expect(renderText(seedDiagnosis())).not.toContain('\u001b[');
    expect(renderText(seedDiagnosis(), { color: true })).toContain('\u001b[31m');
  });

  it('strips escape sequences that come from snapshot data', () => {
    const d = seedDiagnosis();
    d.warnings = ['tag \u001b]0;owned\u0007 value'];
    expect(renderText(d)).not.toContain('\u001b');
  });

  it('shows the probe and says when it disagrees with the verdict', () => {
    const probe = {
      ran: true,
      skipped: null,
      from: 'i-0aaa1111',
      to: '10.2.4.95',
      protocol: 'icmp' as const,
      port: null,
      sent: 3,
      received: 3,
      lossPct: 0,
      rttMs: { min: 0.4, avg: 0.5, max: 0.7 },
      tcp: null,
      commandId: 'cmd-1',
      agreesWithVerdict: false,
      explanation: 'the probe got replies the configuration says are impossible',
    };
    const t = renderText({ ...seedDiagnosis(), probe });
    expect(t).toContain(
      'Live probe\n  i-0aaa1111 → 10.2.4.95, ping (ICMP): 3 sent, 3 received, 0% loss, rtt 0.4/0.5/0.7 ms',
    );
    expect(t).toContain('! The probe disagrees with the verdict: the probe got replies');
  });

  it('shows a skipped probe with its reason', () => {
    const probe = {
      ran: false,
      skipped: 'the source is not an instance',
      from: 'internet',
      to: '10.2.4.95',
      protocol: 'tcp' as const,
      port: 22,
      sent: null,
      received: null,
      lossPct: null,
      rttMs: null,
      tcp: null,
      commandId: null,
      agreesWithVerdict: null,
      explanation: '',
    };
    expect(renderText({ ...seedDiagnosis(), probe })).toContain(
      'internet → 10.2.4.95, TCP 22: not run (the source is not an instance)',
    );
  });
});

describe('endpoints in words', () => {
  it('names an AWS service range by its label, then its CIDRs and prefix list in one bracket', () => {
    const eic = {
      kind: 'internet' as const,
      input: 'eic',
      ip: null,
      sourceRange: { label: 'EC2 Instance Connect (us-east-1)', cidrs: ['18.206.107.24/29'], prefixListId: 'pl-1' },
    };
    expect(describeEndpoint(eic)).toBe('EC2 Instance Connect (us-east-1) [18.206.107.24/29, pl-1]');
  });

  it('names an instance by its Name with its id and address', () => {
    const vm = { kind: 'instance' as const, input: 'web-1', id: 'i-1', ip: '10.0.0.5', name: 'web-1' };
    expect(describeEndpoint(vm)).toBe('web-1 (i-1, 10.0.0.5)');
  });
});
