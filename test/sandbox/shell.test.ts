/** What a probe command prints on the instance, rendered from an outcome and read back by the probe parsers. */
import { describe, expect, it } from 'vitest';
import { buildProbeCommand, parseProbeOutput } from '../../src/probe/index.js';
import { runScript } from '../../src/sandbox/shell.js';
import type { ProbeOutcome } from '../../src/sandbox/truth.js';

const answered: ProbeOutcome = { kind: 'answered', rttMs: [0.412, 0.398, 0.455, 0.401], ttl: 64 };
const refused: ProbeOutcome = { kind: 'refused' };
const silent: ProbeOutcome = { kind: 'silent' };

function run(
  platform: 'linux' | 'windows',
  ip: string,
  protocol: 'icmp' | 'tcp' | 'udp',
  port: number | null,
  outcome: ProbeOutcome,
) {
  const cmd = buildProbeCommand(platform, ip, protocol, port);
  const seen: unknown[] = [];
  const r = runScript(cmd.documentName, cmd.commands, (...args) => {
    seen.push(args);
    return outcome;
  });
  return { ...r, seen, parsed: parseProbeOutput(r.stdout, r.stderr) };
}

describe('sandbox shell rendering', () => {
  it('prints iputils ping output for replies, exit code 0', () => {
    const r = run('linux', '10.2.4.95', 'icmp', null, answered);
    expect(r.seen).toEqual([['10.2.4.95', 'icmp', null]]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        'PING 10.2.4.95 (10.2.4.95) 56(84) bytes of data.',
        '64 bytes from 10.2.4.95: icmp_seq=1 ttl=64 time=0.412 ms',
        '64 bytes from 10.2.4.95: icmp_seq=2 ttl=64 time=0.398 ms',
        '64 bytes from 10.2.4.95: icmp_seq=3 ttl=64 time=0.455 ms',
        '',
        '--- 10.2.4.95 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 2003ms',
        'rtt min/avg/max/mdev = 0.398/0.422/0.455/0.024 ms',
        '',
      ].join('\n'),
    );
    expect(r.parsed).toMatchObject({
      format: 'iputils',
      sent: 3,
      received: 3,
      lossPct: 0,
      rttMs: { min: 0.398, max: 0.455 },
    });
  });

  it('prints 100% packet loss and exits 1 when nothing comes back', () => {
    const r = run('linux', '10.2.4.95', 'icmp', null, silent);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('3 packets transmitted, 0 received, 100% packet loss, time 2047ms');
    expect(r.elapsedMs).toBe(4000);
    expect(r.parsed).toMatchObject({ sent: 3, received: 0, lossPct: 100 });
  });

  it('evaluates the TCP script branches: open, refused (bash error text), timeout', () => {
    expect(run('linux', '10.2.4.95', 'tcp', 443, answered).parsed?.tcp).toBe('open');
    const r = run('linux', '10.2.4.95', 'tcp', 443, refused);
    expect(r.stdout).toBe(
      'whyping-probe tcp error bash: connect: Connection refused\nbash: line 1: /dev/tcp/10.2.4.95/443: Connection refused\n',
    );
    expect(r.parsed?.tcp).toBe('refused');
    expect(run('linux', '10.2.4.95', 'tcp', 443, silent).parsed?.tcp).toBe('timeout');
    expect(r.seen).toEqual([['10.2.4.95', 'tcp', 443]]);
  });

  it('evaluates the UDP script branches: reply, port unreachable, no reply', () => {
    expect(run('linux', '10.2.4.95', 'udp', 53, answered).parsed?.udp).toBe('reply');
    expect(run('linux', '10.2.4.95', 'udp', 53, refused).parsed?.udp).toBe('port-unreachable');
    expect(run('linux', '10.2.4.95', 'udp', 53, silent).parsed?.udp).toBe('no-reply');
  });

  it('renders the Windows .NET scripts so the parser reads them', () => {
    expect(run('windows', '10.2.4.95', 'icmp', null, answered).parsed).toMatchObject({ sent: 3, received: 3 });
    expect(run('windows', '10.2.4.95', 'icmp', null, silent).parsed).toMatchObject({ sent: 3, received: 0 });
    expect(run('windows', '10.2.4.95', 'tcp', 3389, answered).parsed?.tcp).toBe('open');
    expect(run('windows', '10.2.4.95', 'tcp', 3389, refused).parsed?.tcp).toBe('refused');
    expect(run('windows', '10.2.4.95', 'tcp', 3389, silent).parsed?.tcp).toBe('timeout');
    expect(run('windows', '10.2.4.95', 'udp', 53, refused).parsed?.udp).toBe('port-unreachable');
  });

  it('answers a command it does not know as a shell would', () => {
    const r = runScript('AWS-RunShellScript', ['traceroute 10.2.4.95'], () => silent);
    expect(r).toMatchObject({ exitCode: 127, stderr: '/bin/sh: line 1: traceroute: command not found\n' });
  });
});
