/**
 * The shell / PowerShell text a probe runs on an instance. It is built only from a parsed IP address (its canonical
 * text) and an integer port: anything else throws before a request is sent, so no user text reaches a shell.
 */
import { WhypingError } from '../errors.js';
import type { Protocol } from '../model/index.js';
import { numberToV4, parseIp } from '../net/ip.js';

/** The OS family the command is written for (SSM's PlatformType: Linux, Windows, MacOS). */
export type ProbePlatform = 'linux' | 'windows' | 'macos';

/** The SSM documents a probe may run (iam/probe.json scopes ssm:SendCommand to exactly these). */
export const PROBE_DOCUMENTS = {
  linux: 'AWS-RunShellScript',
  macos: 'AWS-RunShellScript',
  windows: 'AWS-RunPowerShellScript',
} as const;

/** Seconds a TCP/UDP check waits for an answer on the instance. */
export const CONNECT_TIMEOUT_S = 3;
/** Echo requests a ping probe sends, and seconds it waits for each reply. */
export const PING_COUNT = 3;
export const PING_WAIT_S = 2;

/** Every line our own scripts print starts with this, so the parser can tell it from tool output. */
export const MARKER = 'whyping-probe';

/** A probe target after validation: nothing in it came from the user as text. */
export interface ProbeTarget {
  ip: string;
  family: 4 | 6;
  protocol: Protocol;
  port: number | null;
}

/** The SendCommand input a probe needs. */
export interface ProbeCommand {
  documentName: (typeof PROBE_DOCUMENTS)[ProbePlatform];
  commands: string[];
  target: ProbeTarget;
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Throws BAD_INPUT unless `id` is an EC2 instance id (`i-` and 8 or 17 hex digits). */
export function assertInstanceId(id: unknown): asserts id is `i-${string}` {
  if (typeof id !== 'string' || !INSTANCE_ID.test(id)) {
    throw new WhypingError('BAD_INPUT', `Not an EC2 instance id: ${JSON.stringify(String(id)).slice(0, 60)}`);
  }
}

/**
 * Validates a probe target: `ip` must parse as an IPv4/IPv6 address (its canonical text is used, never the input),
 * `port` an integer 1–65535 for tcp/udp and null for icmp. Throws WhypingError BAD_INPUT otherwise.
 */
export function validateTarget(ip: unknown, protocol: unknown, port: unknown): ProbeTarget {
  if (protocol !== 'icmp' && protocol !== 'tcp' && protocol !== 'udp') {
    throw new WhypingError('BAD_INPUT', `Probe protocol must be icmp, tcp or udp, not ${JSON.stringify(protocol)}`);
  }
  const parsed = typeof ip === 'string' ? parseIp(ip) : null;
  if (!parsed) {
    throw new WhypingError(
      'BAD_INPUT',
      `Probe target is not an IP address: ${JSON.stringify(String(ip)).slice(0, 60)}`,
    );
  }
  // Re-derive the text from the parsed value: whatever the input looked like, only digits, dots, hex and colons remain.
  const text = parsed.family === 4 ? numberToV4(parsed.value) : parsed.text;
  if (!/^[0-9a-f.:]+$/i.test(text)) throw new WhypingError('BAD_INPUT', 'Probe target is not a plain IP address');
  if (protocol === 'icmp') {
    if (port !== null && port !== undefined) {
      throw new WhypingError('BAD_INPUT', 'An ICMP probe takes no port');
    }
    return { ip: text, family: parsed.family, protocol, port: null };
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new WhypingError('BAD_INPUT', `A ${protocol} probe needs a port 1–65535, not ${JSON.stringify(port)}`);
  }
  return { ip: text, family: parsed.family, protocol, port };
}

/** Builds the command lines for the platform's document. Throws BAD_INPUT (see validateTarget) before anything runs. */
export function buildProbeCommand(
  platform: ProbePlatform,
  ip: unknown,
  protocol: unknown,
  port: unknown,
): ProbeCommand {
  if (platform !== 'linux' && platform !== 'windows' && platform !== 'macos') {
    throw new WhypingError(
      'BAD_INPUT',
      `Probe platform must be linux, windows or macos, not ${JSON.stringify(platform)}`,
    );
  }
  const target = validateTarget(ip, protocol, port);
  const commands = platform === 'windows' ? windowsScript(target) : linuxScript(target, platform === 'macos');
  return { documentName: PROBE_DOCUMENTS[platform], commands, target };
}

function linuxScript(t: ProbeTarget, macos: boolean): string[] {
  if (t.protocol === 'icmp') {
    if (macos) {
      // macOS ping takes -W in milliseconds, and IPv6 is a separate ping6.
      const ping = t.family === 6 ? 'ping6' : `ping -W ${PING_WAIT_S * 1000}`;
      return [`${ping} -c ${PING_COUNT} ${t.ip}`];
    }
    // iputils and busybox both take -c/-W; LC_ALL=C keeps iputils' summary in English for the parser.
    const v6 = t.family === 6 ? ' -6' : '';
    return [`LC_ALL=C ping${v6} -c ${PING_COUNT} -W ${PING_WAIT_S} ${t.ip}`];
  }
  // AWS-RunShellScript runs the lines with sh (dash on Ubuntu), which has no /dev/tcp: hand the check to bash.
  // The inner script uses only double quotes, so it sits safely inside the single-quoted bash -c argument.
  const body =
    t.protocol === 'tcp'
      ? `out=$(timeout ${CONNECT_TIMEOUT_S} bash -c "exec 3<>/dev/tcp/${t.ip}/${t.port}" 2>&1); rc=$?; ` +
        `if [ $rc -eq 0 ]; then echo "${MARKER} tcp open"; ` +
        `elif [ $rc -eq 124 ]; then echo "${MARKER} tcp timeout"; ` +
        `else echo "${MARKER} tcp error $out"; fi`
      : `exec 3<>/dev/udp/${t.ip}/${t.port} || { echo "${MARKER} udp error cannot open socket"; exit 0; }; ` +
        `printf "whyping\\n" >&3; ` +
        `out=$(timeout ${CONNECT_TIMEOUT_S} head -c 1 <&3 2>&1 >/dev/null); rc=$?; ` +
        `if [ $rc -eq 0 ]; then echo "${MARKER} udp reply"; ` +
        `elif [ $rc -eq 124 ]; then echo "${MARKER} udp no-reply"; ` +
        `else echo "${MARKER} udp error $out"; fi`;
  return [
    'if command -v bash >/dev/null 2>&1; then',
    `  bash -c '${body}'`,
    'else',
    `  echo "${MARKER} ${t.protocol} error bash is not installed"`,
    'fi',
  ];
}

function windowsScript(t: ProbeTarget): string[] {
  // .NET sockets and Ping report status names (TimedOut, ConnectionRefused…) that do not depend on the OS language,
  // unlike ping.exe's localized text.
  if (t.protocol === 'icmp') {
    return [
      '$p = New-Object System.Net.NetworkInformation.Ping',
      `foreach ($i in 1..${PING_COUNT}) {`,
      `  try { $r = $p.Send('${t.ip}', ${PING_WAIT_S * 1000}); "${MARKER} icmp $i $($r.Status) $($r.RoundtripTime)" }`,
      `  catch { "${MARKER} icmp $i Error 0" }`,
      `  if ($i -lt ${PING_COUNT}) { Start-Sleep -Milliseconds 500 }`,
      '}',
    ];
  }
  const socketError = [
    '} catch {',
    '  $e = $_.Exception; while ($e.InnerException) { $e = $e.InnerException }',
    `  if ($e -is [System.Net.Sockets.SocketException]) { "${MARKER} ${t.protocol} $($e.SocketErrorCode)" }`,
    `  else { "${MARKER} ${t.protocol} error $($e.GetType().Name)" }`,
  ];
  // A socket created without a family is IPv4-only on .NET Framework (Windows PowerShell 5.1).
  const family = ` -ArgumentList ([System.Net.Sockets.AddressFamily]::${t.family === 6 ? 'InterNetworkV6' : 'InterNetwork'})`;
  if (t.protocol === 'tcp') {
    return [
      `$c = New-Object System.Net.Sockets.TcpClient${family}`,
      'try {',
      `  if ($c.ConnectAsync('${t.ip}', ${t.port}).Wait(${CONNECT_TIMEOUT_S * 1000})) { "${MARKER} tcp open" }`,
      `  else { "${MARKER} tcp timeout" }`,
      ...socketError,
      '} finally { $c.Close() }',
    ];
  }
  return [
    `$u = New-Object System.Net.Sockets.UdpClient${family}`,
    `$u.Client.ReceiveTimeout = ${CONNECT_TIMEOUT_S * 1000}`,
    'try {',
    `  $u.Connect('${t.ip}', ${t.port})`,
    '  [void]$u.Send([byte[]](119,104,121,10), 4)',
    '  $from = New-Object System.Net.IPEndPoint([System.Net.IPAddress]::Any, 0)',
    '  [void]$u.Receive([ref]$from)',
    `  "${MARKER} udp reply"`,
    ...socketError,
    '} finally { $u.Close() }',
  ];
}
