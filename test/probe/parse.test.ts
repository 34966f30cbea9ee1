import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../src/probe/parse.js';

const sample = (name: string) => readFileSync(new URL(`../fixtures/probe/${name}`, import.meta.url), 'utf8');

describe('Linux iputils ping', () => {
  it('reads sent, received, loss and min/avg/max from a clean run', () => {
    const p = parseProbeOutput(sample('linux-iputils-success.txt'));
    expect(p).toMatchObject({
      format: 'iputils',
      sent: 3,
      received: 3,
      lossPct: 0,
      rttMs: { min: 0.431, avg: 0.47, max: 0.512 },
    });
    expect(p?.evidence).toContain('3 packets transmitted, 3 received');
  });

  it('reads 100% loss with no rtt line', () => {
    expect(parseProbeOutput(sample('linux-iputils-no-reply.txt'))).toMatchObject({
      sent: 3,
      received: 0,
      lossPct: 100,
      rttMs: null,
      icmpErrors: [],
    });
  });

  it('keeps the fractional loss iputils prints', () => {
    expect(parseProbeOutput(sample('linux-iputils-partial-loss.txt'))).toMatchObject({
      sent: 3,
      received: 2,
      lossPct: 33.3333,
      rttMs: { min: 1.21, avg: 1.29, max: 1.37 },
    });
  });

  it('collects ICMP errors sent by the target (a host firewall REJECT) as evidence', () => {
    const p = parseProbeOutput(sample('linux-iputils-host-prohibited.txt'));
    expect(p).toMatchObject({ sent: 3, received: 0, lossPct: 100 });
    expect(p?.icmpErrors).toHaveLength(3);
    expect(p?.icmpErrors[0]).toEqual({ from: '10.2.4.95', message: 'Destination Host Prohibited' });
    expect(p?.evidence).toContain('From 10.2.4.95: Destination Host Prohibited');
  });

  it('reads the sample from the toolchain notes (the SSM wire example)', () => {
    const text =
      'PING 10.20.1.5 (10.20.1.5) 56(84) bytes of data.\n64 bytes from 10.20.1.5: icmp_seq=1 ttl=64 time=0.512 ms\n\n' +
      '--- 10.20.1.5 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n' +
      'rtt min/avg/max/mdev = 0.512/0.512/0.512/0.000 ms\n';
    expect(parseProbeOutput(text)).toMatchObject({
      sent: 1,
      received: 1,
      rttMs: { min: 0.512, avg: 0.512, max: 0.512 },
    });
  });
});

describe('busybox ping', () => {
  it('reads a clean run', () => {
    expect(parseProbeOutput(sample('busybox-success.txt'))).toMatchObject({
      format: 'busybox',
      sent: 3,
      received: 3,
      lossPct: 0,
      rttMs: { min: 0.214, avg: 0.257, max: 0.296 },
    });
  });

  it('reads 100% loss', () => {
    expect(parseProbeOutput(sample('busybox-no-reply.txt'))).toMatchObject({
      sent: 3,
      received: 0,
      lossPct: 100,
      rttMs: null,
    });
  });
});

describe('Windows ping.exe', () => {
  it('reads replies, treating time<1ms as 0', () => {
    expect(parseProbeOutput(sample('windows-ping-success.txt'))).toMatchObject({
      format: 'windows-ping',
      sent: 3,
      received: 3,
      lossPct: 0,
      rttMs: { min: 0, avg: 0.667, max: 2 },
    });
  });

  it('reads all requests timed out', () => {
    expect(parseProbeOutput(sample('windows-ping-no-reply.txt'))).toMatchObject({
      sent: 3,
      received: 0,
      lossPct: 100,
      rttMs: null,
    });
  });

  it('does not count "Destination host unreachable" replies as received, unlike ping.exe itself', () => {
    const p = parseProbeOutput(sample('windows-ping-host-unreachable.txt'));
    expect(p).toMatchObject({ sent: 3, received: 0, lossPct: 100, rttMs: null });
    expect(p?.icmpErrors[0]).toEqual({ from: '10.1.0.12', message: 'Destination host unreachable' });
  });
});

describe('PowerShell Test-Connection', () => {
  it('reads the PowerShell 7 table, a TimedOut row counting as lost', () => {
    expect(parseProbeOutput(sample('test-connection-ps7.txt'))).toMatchObject({
      format: 'test-connection',
      sent: 3,
      received: 2,
      lossPct: 33,
      rttMs: { min: 1, avg: 2, max: 3 },
    });
  });

  it('reads the Windows PowerShell 5.1 table', () => {
    expect(parseProbeOutput(sample('test-connection-ps51.txt'))).toMatchObject({
      sent: 3,
      received: 3,
      rttMs: { min: 0, avg: 1, max: 2 },
    });
  });

  it('counts 5.1 "Testing connection … failed" errors as lost echoes', () => {
    const text = `${sample('test-connection-ps51.txt')}\nTest-Connection : Testing connection to computer '10.2.4.95' failed: Request timed out\n`;
    expect(parseProbeOutput(text)).toMatchObject({ sent: 4, received: 3, lossPct: 25 });
  });
});

describe('Test-NetConnection', () => {
  it('reads TcpTestSucceeded True as open', () => {
    expect(parseProbeOutput(sample('test-netconnection-open.txt'))).toMatchObject({
      format: 'test-netconnection',
      tcp: 'open',
    });
  });

  it('reads TcpTestSucceeded False as a failure it cannot classify as refused or timeout', () => {
    const p = parseProbeOutput(sample('test-netconnection-failed.txt'));
    expect(p?.tcp).toBeNull();
    expect(p?.failure).toMatch(/does not say whether it was refused or timed out/);
    expect(p?.evidence).toContain('WARNING: TCP connect to (10.2.4.95 : 5432) failed');
  });
});

describe("whyping's own marker lines", () => {
  it('reads the Windows .NET ping lines', () => {
    const text =
      'whyping-probe icmp 1 Success 1\r\nwhyping-probe icmp 2 TimedOut 0\r\nwhyping-probe icmp 3 Success 3\r\n';
    expect(parseProbeOutput(text)).toMatchObject({
      format: 'whyping-icmp',
      sent: 3,
      received: 2,
      lossPct: 33,
      rttMs: { min: 1, avg: 2, max: 3 },
    });
  });

  it.each([
    ['whyping-probe tcp open', 'open'],
    ['whyping-probe tcp timeout', 'timeout'],
    ['whyping-probe tcp TimedOut', 'timeout'],
    ['whyping-probe tcp ConnectionRefused', 'refused'],
    [
      'whyping-probe tcp error bash: connect: Connection refused\nbash: line 1: /dev/tcp/10.2.4.95/5432: Connection refused',
      'refused',
    ],
  ])('reads %j as tcp %s', (text, tcp) => {
    expect(parseProbeOutput(text)?.tcp).toBe(tcp);
  });

  it('reads "No route to host" as a failure that is neither refused nor timeout', () => {
    const p = parseProbeOutput(
      'whyping-probe tcp error bash: connect: No route to host\nbash: line 1: /dev/tcp/10.2.4.95/22: No route to host',
    );
    expect(p?.tcp).toBeNull();
    expect(p?.failure).toMatch(/ICMP unreachable.*No route to host/);
  });

  it.each([
    ['whyping-probe udp reply', 'reply'],
    ['whyping-probe udp no-reply', 'no-reply'],
    ['whyping-probe udp TimedOut', 'no-reply'],
    ['whyping-probe udp ConnectionReset', 'port-unreachable'],
    ["whyping-probe udp error head: error reading 'standard input': Connection refused", 'port-unreachable'],
  ])('reads %j as udp %s', (text, udp) => {
    expect(parseProbeOutput(text)?.udp).toBe(udp);
  });
});

describe('unknown output', () => {
  it.each(['', 'sh: 1: ping: not found', 'bash: ping: command not found\n', 'Access is denied.'])(
    'returns null for %j',
    (text) => {
      expect(parseProbeOutput(text)).toBeNull();
    },
  );
});

describe('a check that could not run', () => {
  it.each([
    'whyping-probe tcp error bash: line 1: /dev/tcp/10.2.4.95/22: No such file or directory',
    'whyping-probe tcp error bash is not installed',
    'whyping-probe udp error cannot open socket',
    'whyping-probe icmp 1 Error 0\nwhyping-probe icmp 2 Error 0\nwhyping-probe icmp 3 Error 0',
  ])('reports %j as an error, not as a network result', (text) => {
    const p = parseProbeOutput(text);
    expect(p?.error).toBeTruthy();
    expect(p?.failure).toBeNull();
    expect(p?.tcp).toBeNull();
    expect(p?.received).toBeNull();
  });
});
