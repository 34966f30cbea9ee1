import { describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { assertInstanceId, buildProbeCommand, PROBE_DOCUMENTS } from '../../src/probe/command.js';

function badInput(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isWhypingError(thrown, 'BAD_INPUT'), String(thrown)).toBe(true);
}

describe('the command text', () => {
  it('pings with iputils/busybox flags on Linux', () => {
    const c = buildProbeCommand('linux', '10.2.4.95', 'icmp', null);
    expect(c.documentName).toBe('AWS-RunShellScript');
    expect(c.commands).toEqual(['LC_ALL=C ping -c 3 -W 2 10.2.4.95']);
  });

  it('pings IPv6 with -6 and the canonical address', () => {
    expect(buildProbeCommand('linux', '2600:1F18:0:0::5', 'icmp', null).commands).toEqual([
      'LC_ALL=C ping -6 -c 3 -W 2 2600:1f18::5',
    ]);
  });

  it('checks TCP with bash /dev/tcp under timeout, handed to bash because SSM runs the lines with sh', () => {
    const text = buildProbeCommand('linux', '10.2.4.95', 'tcp', 5432).commands.join('\n');
    expect(text).toContain("bash -c '");
    expect(text).toContain('timeout 3 bash -c "exec 3<>/dev/tcp/10.2.4.95/5432"');
    expect(text).toContain('whyping-probe tcp open');
  });

  it('checks UDP by reading one byte back, so a port-unreachable shows as a read error', () => {
    const text = buildProbeCommand('linux', '10.2.4.95', 'udp', 53).commands.join('\n');
    expect(text).toContain('exec 3<>/dev/udp/10.2.4.95/53');
    expect(text).toContain('timeout 3 head -c 1 <&3');
  });

  it('uses .NET Ping and TcpClient on Windows (status names do not depend on the OS language)', () => {
    const icmp = buildProbeCommand('windows', '10.2.4.95', 'icmp', null);
    expect(icmp.documentName).toBe(PROBE_DOCUMENTS.windows);
    expect(icmp.commands.join('\n')).toContain("$p.Send('10.2.4.95', 2000)");
    const tcp = buildProbeCommand('windows', '10.2.4.95', 'tcp', 3389).commands.join('\n');
    expect(tcp).toContain("$c.ConnectAsync('10.2.4.95', 3389).Wait(3000)");
    const udp = buildProbeCommand('windows', '10.2.4.95', 'udp', 161).commands.join('\n');
    expect(udp).toContain("$u.Connect('10.2.4.95', 161)");
  });

  it('writes the canonical address, not the text it was given', () => {
    expect(buildProbeCommand('linux', ' 10.2.4.95\n', 'icmp', null).commands[0]).toBe(
      'LC_ALL=C ping -c 3 -W 2 10.2.4.95',
    );
    expect(buildProbeCommand('linux', '::ffff:10.2.4.95', 'icmp', null).commands[0]).toBe(
      'LC_ALL=C ping -c 3 -W 2 10.2.4.95',
    );
  });
});

describe('hostile input never reaches the command', () => {
  const hostileIps = [
    '10.0.0.1; rm -rf /',
    '10.0.0.1 && curl evil.example',
    '$(reboot)',
    '10.0.0.1$(id)',
    '`id`',
    '10.0.0.1`id`',
    '10.0.0.1\nrm -rf /',
    "10.0.0.1' ; id ; '",
    '10.0.0.1"; id; "',
    '10.0.0.1 | nc evil 1',
    '10.0.0.1/24',
    '010.000.000.001',
    '0x0a.0.0.1',
    '10.0.0.256',
    'db-1',
    'localhost',
    '',
    '::1%eth0; id',
  ];
  for (const platform of ['linux', 'windows', 'macos'] as const) {
    for (const protocol of ['icmp', 'tcp', 'udp'] as const) {
      it.each(hostileIps)(`${platform} ${protocol}: refuses the address %j`, (ip) => {
        badInput(() => buildProbeCommand(platform, ip, protocol, protocol === 'icmp' ? null : 22));
      });
    }
  }

  it.each([
    ['22 && x'],
    ['22'],
    [0],
    [65536],
    [1.5],
    [-1],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [null],
    [undefined],
    [{ toString: () => '22' }],
  ])('refuses the port %j for tcp and udp', (port) => {
    badInput(() => buildProbeCommand('linux', '10.2.4.95', 'tcp', port));
    badInput(() => buildProbeCommand('windows', '10.2.4.95', 'udp', port));
  });

  it('refuses a port on an ICMP probe, an unknown protocol and an unknown platform', () => {
    badInput(() => buildProbeCommand('linux', '10.2.4.95', 'icmp', 22));
    badInput(() => buildProbeCommand('linux', '10.2.4.95', 'icmp; id' as never, null));
    badInput(() => buildProbeCommand('plan9' as never, '10.2.4.95', 'icmp', null));
  });

  it('accepts the port edges 1 and 65535', () => {
    expect(buildProbeCommand('linux', '10.2.4.95', 'tcp', 1).target.port).toBe(1);
    expect(buildProbeCommand('linux', '10.2.4.95', 'tcp', 65535).target.port).toBe(65535);
  });

  it.each(['i-0123456789abcdef0', 'i-0123abcd'])('accepts the instance id %j', (id) => {
    expect(() => assertInstanceId(id)).not.toThrow();
  });

  it.each(['i-0123456789abcdef0; id', 'web-1', 'i-XYZ', 'mi-0123456789abcdef0', '', 'i-0123456789abcdef0\n'])(
    'refuses the instance id %j',
    (id) => {
      badInput(() => assertInstanceId(id));
    },
  );

  it('only ever emits characters of the address, the port and the fixed script', () => {
    for (const platform of ['linux', 'windows', 'macos'] as const) {
      for (const protocol of ['icmp', 'tcp', 'udp'] as const) {
        const c = buildProbeCommand(platform, '10.2.4.95', protocol, protocol === 'icmp' ? null : 443);
        const fixed = buildProbeCommand(platform, '10.9.9.9', protocol, protocol === 'icmp' ? null : 54321);
        // Swapping the target changes nothing but the address and the port.
        const normalize = (lines: string[], ip: string, port: string) =>
          lines.map((l) =>
            l
              .split(ip)
              .join('<IP>')
              .replace(new RegExp(`\\b${port}\\b`, 'g'), '<PORT>'),
          );
        expect(normalize(c.commands, '10.2.4.95', '443')).toEqual(normalize(fixed.commands, '10.9.9.9', '54321'));
      }
    }
  });
});

describe('platform details', () => {
  it('gives macOS ping its wait in milliseconds', () => {
    expect(buildProbeCommand('macos', '10.2.4.95', 'icmp', null)).toMatchObject({
      documentName: 'AWS-RunShellScript',
      commands: ['ping -W 2000 -c 3 10.2.4.95'],
    });
  });

  it('opens Windows sockets in the address family of the target', () => {
    expect(buildProbeCommand('windows', '10.2.4.95', 'tcp', 22).commands[0]).toBe(
      '$c = New-Object System.Net.Sockets.TcpClient -ArgumentList ([System.Net.Sockets.AddressFamily]::InterNetwork)',
    );
    expect(buildProbeCommand('windows', '2600:1f18::5', 'udp', 53).commands[0]).toBe(
      '$u = New-Object System.Net.Sockets.UdpClient -ArgumentList ([System.Net.Sockets.AddressFamily]::InterNetworkV6)',
    );
  });
});
