/**
 * Probe output parsers: Linux iputils ping, busybox ping, Windows ping.exe, Test-Connection (Windows PowerShell 5.1
 * and PowerShell 7), Test-NetConnection, and the marker lines our own scripts print (src/probe/command.ts).
 * Pure: text in, structured result out; null when nothing recognizable is there.
 */
import { MARKER } from './command.js';

export type OutputFormat =
  | 'iputils'
  | 'busybox'
  | 'windows-ping'
  | 'test-connection'
  | 'test-netconnection'
  | 'whyping-icmp'
  | 'whyping-tcp'
  | 'whyping-udp';

/** An ICMP error message that came back instead of an echo reply (`From 10.0.0.1 icmp_seq=1 Destination Host Unreachable`). */
export interface IcmpError {
  from: string;
  message: string;
}

/** What an output says, in the fields of ProbeDirectionResult plus what only the parser can see. */
export interface ParsedProbeOutput {
  format: OutputFormat;
  sent: number | null;
  received: number | null;
  lossPct: number | null;
  rttMs: { min: number; avg: number; max: number } | null;
  tcp: 'open' | 'refused' | 'timeout' | null;
  udp: 'reply' | 'port-unreachable' | 'no-reply' | null;
  /** ICMP errors seen (iputils `From … Destination Host Unreachable`, Windows `Reply from …: Destination host unreachable.`). */
  icmpErrors: IcmpError[];
  /** Set when the check failed without a reset or a timeout (host unreachable, Test-NetConnection's bare False …). */
  failure: string | null;
  /** Set when the check itself could not run on the instance (no bash, no /dev/tcp, …): no network conclusion. */
  error: string | null;
  /** The lines the result was read from. */
  evidence: string;
}

const EMPTY = {
  sent: null,
  received: null,
  lossPct: null,
  rttMs: null,
  tcp: null,
  udp: null,
  icmpErrors: [],
  failure: null,
  error: null,
} satisfies Omit<ParsedProbeOutput, 'format' | 'evidence'>;

const num = (s: string | undefined): number => Number(s);
const round = (n: number): number => Math.round(n * 1000) / 1000;

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function loss(sent: number, received: number): number {
  return sent === 0 ? 0 : Math.round(((sent - received) / sent) * 100);
}

function rttOf(values: number[]): ParsedProbeOutput['rttMs'] {
  if (values.length === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  return { min: Math.min(...values), avg: round(sum / values.length), max: Math.max(...values) };
}

/** Linux iputils: `3 packets transmitted, 3 received, 0% packet loss, time 2003ms` + `rtt min/avg/max/mdev = …`. */
export function parseIputils(text: string): ParsedProbeOutput | null {
  const summary = /^(\d+) packets transmitted, (\d+) received((?:, \+\d+ \w+)*), ([\d.]+)% packet loss.*$/m.exec(text);
  if (!summary) return null;
  const rtt = /^rtt min\/avg\/max\/mdev = ([\d.]+)\/([\d.]+)\/([\d.]+)\/[\d.]+ ms$/m.exec(text);
  const icmpErrors: IcmpError[] = [];
  for (const line of lines(text)) {
    // `From 10.0.0.1 icmp_seq=1 Destination Host Unreachable` or `From host (10.0.0.1) icmp_seq=1 Packet filtered`
    const m = /^From (\S+)(?: \(([^)]+)\))? icmp_seq=\d+ (.+)$/.exec(line.trim());
    if (m?.[1] && m[3]) icmpErrors.push({ from: m[2] ?? m[1], message: m[3].trim() });
  }
  return {
    ...EMPTY,
    format: 'iputils',
    sent: num(summary[1]),
    received: num(summary[2]),
    lossPct: num(summary[4]),
    rttMs: rtt ? { min: num(rtt[1]), avg: num(rtt[2]), max: num(rtt[3]) } : null,
    icmpErrors,
    evidence: [summary[0], rtt?.[0], icmpErrors[0] && `From ${icmpErrors[0].from}: ${icmpErrors[0].message}`]
      .filter(Boolean)
      .join('\n'),
  };
}

/** busybox (and BSD): `3 packets transmitted, 3 packets received, 0% packet loss` + `round-trip min/avg/max = …`. */
export function parseBusybox(text: string): ParsedProbeOutput | null {
  const summary =
    /^(\d+) packets transmitted, (\d+) packets received(?:, \+?\d+ duplicates)?, ([\d.]+)% packet loss$/m.exec(text);
  if (!summary) return null;
  const rtt = /^round-trip min\/avg\/max(?:\/stddev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/[\d.]+)? ms$/m.exec(text);
  return {
    ...EMPTY,
    format: 'busybox',
    sent: num(summary[1]),
    received: num(summary[2]),
    lossPct: num(summary[3]),
    rttMs: rtt ? { min: num(rtt[1]), avg: num(rtt[2]), max: num(rtt[3]) } : null,
    evidence: [summary[0], rtt?.[0]].filter(Boolean).join('\n'),
  };
}

/**
 * Windows ping.exe (English). ping.exe counts `Reply from <router>: Destination host unreachable.` as received, so
 * when per-reply lines are present only `Reply from …: bytes=` lines count as echo replies.
 */
export function parseWindowsPing(text: string): ParsedProbeOutput | null {
  const summary = /Packets: Sent = (\d+), Received = (\d+), Lost = (\d+) \((\d+)% loss\)/.exec(text);
  if (!summary) return null;
  const sent = num(summary[1]);
  let received = num(summary[2]);
  let lossPct = num(summary[4]);
  const times: number[] = [];
  const icmpErrors: IcmpError[] = [];
  let perLine = false;
  for (const raw of lines(text)) {
    const line = raw.trim();
    const echo = /^Reply from (\S+): bytes=\d+ time([<=])(\d+)ms TTL=\d+$/i.exec(line);
    if (echo) {
      perLine = true;
      times.push(echo[2] === '<' ? 0 : num(echo[3]));
      continue;
    }
    const err = /^Reply from (\S+): (.+?)\.?$/.exec(line);
    if (err?.[1] && err[2]) {
      perLine = true;
      icmpErrors.push({ from: err[1], message: err[2] });
    }
    if (/^Request timed out\.?$/i.test(line)) perLine = true;
  }
  if (perLine && times.length !== received) {
    received = times.length;
    lossPct = loss(sent, received);
  }
  const stats = /Minimum = (\d+)ms, Maximum = (\d+)ms, Average = (\d+)ms/.exec(text);
  const rttMs =
    received === 0
      ? null
      : stats && times.length === 0
        ? { min: num(stats[1]), avg: num(stats[3]), max: num(stats[2]) }
        : rttOf(times);
  return {
    ...EMPTY,
    format: 'windows-ping',
    sent,
    received,
    lossPct,
    rttMs,
    icmpErrors,
    evidence: [
      summary[0].trim(),
      stats?.[0],
      icmpErrors[0] && `Reply from ${icmpErrors[0].from}: ${icmpErrors[0].message}`,
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

/** Test-NetConnection: `TcpTestSucceeded : True|False` (tcp) or `PingSucceeded : True|False` (icmp). */
export function parseTestNetConnection(text: string): ParsedProbeOutput | null {
  const tcp = /^\s*TcpTestSucceeded\s*:\s*(True|False)\s*$/im.exec(text);
  const ping = /^\s*PingSucceeded\s*:\s*(True|False)\s*$/im.exec(text);
  const rtt = /^\s*PingReplyDetails \(RTT\)\s*:\s*(\d+) ms\s*$/im.exec(text);
  const warning = /^WARNING: TCP connect to \(.+\) failed$/m.exec(text);
  if (tcp) {
    const ok = tcp[1]?.toLowerCase() === 'true';
    return {
      ...EMPTY,
      format: 'test-netconnection',
      tcp: ok ? 'open' : null,
      failure: ok ? null : 'TCP connect failed (Test-NetConnection does not say whether it was refused or timed out)',
      evidence: [warning?.[0], tcp[0].trim()].filter(Boolean).join('\n'),
    };
  }
  if (ping) {
    const ok = ping[1]?.toLowerCase() === 'true';
    const ms = rtt ? num(rtt[1]) : null;
    return {
      ...EMPTY,
      format: 'test-netconnection',
      sent: 1,
      received: ok ? 1 : 0,
      lossPct: ok ? 0 : 100,
      rttMs: ok && ms !== null ? { min: ms, avg: ms, max: ms } : null,
      evidence: [ping[0].trim(), ok ? rtt?.[0].trim() : undefined].filter(Boolean).join('\n'),
    };
  }
  return null;
}

/**
 * Test-Connection. PowerShell 7 prints a table `Ping Source Address Latency BufferSize Status` with one row per echo
 * (`3 ADMIN1 * * * TimedOut`); Windows PowerShell 5.1 prints `Source Destination IPV4Address IPV6Address Bytes
 * Time(ms)` rows for replies only and an error per lost echo (`Testing connection to computer '…' failed: …`).
 */
export function parseTestConnection(text: string): ParsedProbeOutput | null {
  if (/^\s*Ping\s+Source\s+Address\s+Latency\s+BufferSize\s+Status\s*$/m.test(text)) {
    const rows: string[] = [];
    const times: number[] = [];
    let sent = 0;
    for (const raw of lines(text)) {
      const m = /^\s*(\d+)\s+\S+\s+\S+\s+(\d+|\*)\s+(\d+|\*)\s+(\w+)\s*$/.exec(raw);
      if (!m) continue;
      sent++;
      rows.push(raw.trim());
      if (m[4] === 'Success' && m[2] !== '*') times.push(num(m[2]));
    }
    if (sent === 0) return null;
    return {
      ...EMPTY,
      format: 'test-connection',
      sent,
      received: times.length,
      lossPct: loss(sent, times.length),
      rttMs: rttOf(times),
      evidence: rows.join('\n'),
    };
  }
  if (/^\s*Source\s+Destination\s+IPV4Address\s+IPV6Address/m.test(text)) {
    const times: number[] = [];
    const rows: string[] = [];
    for (const raw of lines(text)) {
      const m = /^\s*\S+\s+\S+\s+(\d{1,3}(?:\.\d{1,3}){3})\s+(?:\S+\s+)?(\d+)\s+(\d+)\s*$/.exec(raw);
      if (!m) continue;
      times.push(num(m[3]));
      rows.push(raw.trim());
    }
    const failures = (text.match(/Testing connection to computer '[^']*' failed/g) ?? []).length;
    const sent = times.length + failures;
    if (sent === 0) return null;
    return {
      ...EMPTY,
      format: 'test-connection',
      sent,
      received: times.length,
      lossPct: loss(sent, times.length),
      rttMs: rttOf(times),
      evidence: rows.concat(failures ? [`${failures} × Testing connection … failed`] : []).join('\n'),
    };
  }
  return null;
}

const REFUSED = /connection refused|ConnectionRefused/i;
const UNREACHABLE = /no route to host|network is unreachable|HostUnreachable|NetworkUnreachable|HostDown/i;
const TIMED_OUT = /^(?:timeout|TimedOut)$|timed out/i;

/** Our own marker lines (`whyping-probe icmp 1 Success 0`, `whyping-probe tcp open`, `whyping-probe udp no-reply`). */
export function parseMarkers(text: string): ParsedProbeOutput | null {
  const all = lines(text)
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${MARKER} `));
  if (all.length === 0) return null;
  const icmp = all.filter((l) => l.startsWith(`${MARKER} icmp `));
  if (icmp.length > 0) {
    const times: number[] = [];
    let errors = 0;
    for (const line of icmp) {
      const m = /^\S+ icmp \d+ (\w+) (\d+)$/.exec(line);
      if (m?.[1] === 'Success') times.push(num(m[2]));
      if (m?.[1] === 'Error') errors++;
    }
    if (errors === icmp.length) {
      return {
        ...EMPTY,
        format: 'whyping-icmp',
        error: 'the .NET Ping check failed on every attempt',
        evidence: icmp.join('\n'),
      };
    }
    return {
      ...EMPTY,
      format: 'whyping-icmp',
      sent: icmp.length,
      received: times.length,
      lossPct: loss(icmp.length, times.length),
      rttMs: rttOf(times),
      evidence: icmp.join('\n'),
    };
  }
  const line = all[0] ?? '';
  // Anything the tool printed after the marker (bash's error text) belongs to the evidence too.
  const rest = text.slice(text.indexOf(line) + line.length).trim();
  const m = /^\S+ (tcp|udp) (\S+)(?: (.*))?$/.exec(line);
  if (!m) return null;
  const status = m[2] ?? '';
  const detail = `${m[3] ?? ''} ${rest}`.trim();
  const evidence = [line, rest].filter(Boolean).join('\n').slice(0, 500);
  const said = `${status} ${detail}`;
  if (m[1] === 'tcp') {
    const base = { ...EMPTY, format: 'whyping-tcp' as const, evidence };
    if (status === 'open') return { ...base, tcp: 'open' };
    if (TIMED_OUT.test(status) || (status === 'error' && TIMED_OUT.test(detail))) return { ...base, tcp: 'timeout' };
    if (REFUSED.test(said)) return { ...base, tcp: 'refused' };
    if (UNREACHABLE.test(said)) {
      return {
        ...base,
        failure: `an ICMP unreachable came back instead of a TCP answer (${firstLine(detail || status)})`,
      };
    }
    return { ...base, error: firstLine(detail || status) };
  }
  const base = { ...EMPTY, format: 'whyping-udp' as const, evidence };
  if (status === 'reply') return { ...base, udp: 'reply' };
  if (status === 'no-reply' || TIMED_OUT.test(status)) return { ...base, udp: 'no-reply' };
  // Linux reports an ICMP port-unreachable on a connected UDP socket as ECONNREFUSED, Windows as WSAECONNRESET.
  if (REFUSED.test(said) || /ConnectionReset/i.test(status)) return { ...base, udp: 'port-unreachable' };
  if (UNREACHABLE.test(said)) {
    return { ...base, failure: `an ICMP unreachable came back (${firstLine(detail || status)})` };
  }
  return { ...base, error: firstLine(detail || status) };
}

function firstLine(s: string): string {
  return (s.split(/\r?\n/)[0] ?? '').slice(0, 200);
}

/** Reads whatever probe output this is (stdout first, stderr for the tools that report there); null when unknown. */
export function parseProbeOutput(stdout: string, stderr = ''): ParsedProbeOutput | null {
  const both = stderr ? `${stdout}\n${stderr}` : stdout;
  return (
    parseMarkers(both) ??
    parseIputils(stdout) ??
    parseBusybox(stdout) ??
    parseWindowsPing(stdout) ??
    parseTestNetConnection(both) ??
    parseTestConnection(both)
  );
}
