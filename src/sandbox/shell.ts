/**
 * What a probe's command prints on the instance, rendered from the ground truth: Linux iputils `ping`, bash
 * `/dev/tcp` / `/dev/udp` checks (with the `if [ $rc -eq N ]; then echo "…"` branches of whyping's scripts
 * evaluated), and the .NET Ping / TcpClient scripts of AWS-RunPowerShellScript. The target IP and port are read from
 * the command text, as the instance's shell would read them.
 */
import type { Protocol } from '../model/index.js';
import { isIp } from '../net/ip.js';
import type { ProbeOutcome } from './truth.js';

/** What the command did: its output streams, exit code and how long it ran. */
export interface ScriptRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  elapsedMs: number;
}

/** Answers "what happens to this packet?" for the script being run. */
export type Prober = (ip: string, protocol: Protocol, port: number | null) => ProbeOutcome;

/** Runs (renders) an AWS-RunShellScript or AWS-RunPowerShellScript command list. */
export function runScript(documentName: string, commands: string[], probe: Prober): ScriptRun {
  const text = commands.join('\n');
  return documentName === 'AWS-RunPowerShellScript' ? runPowerShell(text, probe) : runShell(text, probe);
}

function runShell(text: string, probe: Prober): ScriptRun {
  const ping = /(?:^|[\s;&|(])ping6?((?:[ \t]+[^\s;&|)]+)+)/m.exec(text);
  if (ping?.[1] && !text.includes('/dev/tcp/') && !text.includes('/dev/udp/')) return runPing(ping[1], probe);
  const tcp = /\/dev\/tcp\/([0-9a-fA-F.:]+)\/(\d+)/.exec(text);
  if (tcp?.[1] && tcp[2]) return runSocket(text, 'tcp', tcp[1], Number(tcp[2]), probe);
  const udp = /\/dev\/udp\/([0-9a-fA-F.:]+)\/(\d+)/.exec(text);
  if (udp?.[1] && udp[2]) return runSocket(text, 'udp', udp[1], Number(udp[2]), probe);
  const first = text.trim().split(/\s+/)[0] ?? '';
  return { stdout: '', stderr: `/bin/sh: line 1: ${first}: command not found\n`, exitCode: 127, elapsedMs: 5 };
}

/** iputils `ping` (the Amazon Linux / Ubuntu one), with -c, -W, -w, -i, -q and -4/-6. */
function runPing(argText: string, probe: Prober): ScriptRun {
  const args = argText.trim().split(/\s+/);
  let count = 0;
  let wait = 10;
  let interval = 1;
  let quiet = false;
  let target = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const next = () => Number(args[++i]);
    if (a === '-c') count = next();
    else if (a === '-W') wait = next();
    else if (a === '-w') count ||= next();
    else if (a === '-i') interval = next();
    else if (a === '-q') quiet = true;
    else if (a.startsWith('-')) continue;
    else target = a;
  }
  if (!count) count = 4;
  if (!isIp(target)) {
    return { stdout: '', stderr: `ping: ${target}: Name or service not known\n`, exitCode: 2, elapsedMs: 20 };
  }
  const outcome = probe(target, 'icmp', null);
  const lines = [`PING ${target} (${target}) 56(84) bytes of data.`];
  const spanMs = Math.round((count - 1) * interval * 1000);
  if (outcome.kind === 'answered') {
    const times = Array.from({ length: count }, (_, i) => outcome.rttMs[i % outcome.rttMs.length] ?? 0.5);
    if (!quiet) {
      times.forEach((t, i) => {
        lines.push(`64 bytes from ${target}: icmp_seq=${i + 1} ttl=${outcome.ttl} time=${fmtMs(t)} ms`);
      });
    }
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    const mdev = Math.sqrt(times.reduce((a, t) => a + (t - avg) ** 2, 0) / times.length);
    lines.push('', `--- ${target} ping statistics ---`);
    lines.push(`${count} packets transmitted, ${count} received, 0% packet loss, time ${spanMs + 3}ms`);
    lines.push(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms`);
    return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0, elapsedMs: spanMs + Math.ceil(max) };
  }
  lines.push('', `--- ${target} ping statistics ---`);
  lines.push(`${count} packets transmitted, 0 received, 100% packet loss, time ${spanMs + 47}ms`);
  lines.push('');
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 1, elapsedMs: spanMs + wait * 1000 };
}

/** A bash `/dev/tcp` or `/dev/udp` check, optionally under `timeout N`, with whyping's rc branches. */
function runSocket(text: string, protocol: 'tcp' | 'udp', ip: string, port: number, probe: Prober): ScriptRun {
  const outcome = probe(ip, protocol, port);
  const timeoutS = Number(/\btimeout\s+(\d+)/.exec(text)?.[1] ?? 0);
  let rc: number;
  let out = '';
  let elapsedMs = 3;
  if (outcome.kind === 'answered') {
    rc = 0;
    elapsedMs = Math.ceil(outcome.rttMs[0] ?? 1);
  } else if (outcome.kind === 'refused') {
    rc = 1;
    out =
      protocol === 'tcp'
        ? `bash: connect: Connection refused\nbash: line 1: /dev/tcp/${ip}/${port}: Connection refused`
        : `head: error reading 'standard input': Connection refused`;
  } else if (timeoutS > 0) {
    rc = 124;
    elapsedMs = timeoutS * 1000;
  } else {
    rc = 1;
    out = `bash: connect: Connection timed out\nbash: line 1: /dev/${protocol}/${ip}/${port}: Connection timed out`;
    elapsedMs = 127_000;
  }
  // whyping's scripts branch on the exit code and echo a marker line: evaluate those branches.
  const branches = [...text.matchAll(/(?:if|elif) \[ \$rc -eq (\d+) \]; then echo "([^"]*)"/g)];
  const fallback = /else echo "([^"]*)"/.exec(text);
  if (branches.length > 0) {
    const hit = branches.find((b) => Number(b[1]) === rc)?.[2] ?? fallback?.[1];
    const line = (hit ?? '').replaceAll('$out', out).replaceAll('\u0024{out}', out);
    return { stdout: `${line}\n`, stderr: '', exitCode: 0, elapsedMs };
  }
  // `… && echo open || echo closed`
  const andOr = /&&\s*echo\s+"?([^"|&;\n]*)"?\s*\|\|\s*echo\s+"?([^"|&;\n]*)"?/.exec(text);
  if (andOr) {
    return {
      stdout: `${(rc === 0 ? andOr[1] : andOr[2])?.trim()}\n`,
      stderr: out ? `${out}\n` : '',
      exitCode: 0,
      elapsedMs,
    };
  }
  return { stdout: '', stderr: out ? `${out}\n` : '', exitCode: rc, elapsedMs };
}

/** .NET Ping / TcpClient / UdpClient scripts printing `<marker> <protocol> …` lines (and Test-NetConnection). */
function runPowerShell(text: string, probe: Prober): ScriptRun {
  const marker = /"(\S+) (?:icmp|tcp|udp) /.exec(text)?.[1] ?? 'probe';
  const ipPort = /\('([0-9a-fA-F.:]+)',\s*(\d+)\)/.exec(text);
  if (text.includes('NetworkInformation.Ping')) {
    const ip = /Send\('([0-9a-fA-F.:]+)'/.exec(text)?.[1] ?? '';
    const count = Number(/\b1\.\.(\d+)/.exec(text)?.[1] ?? 4);
    const outcome = probe(ip, 'icmp', null);
    const lines = Array.from({ length: count }, (_, i) =>
      outcome.kind === 'answered'
        ? `${marker} icmp ${i + 1} Success ${Math.max(1, Math.round(outcome.rttMs[i % outcome.rttMs.length] ?? 1))}`
        : `${marker} icmp ${i + 1} TimedOut 0`,
    );
    return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0, elapsedMs: count * 1500 };
  }
  if (ipPort?.[1] && ipPort[2] && (text.includes('TcpClient') || text.includes('UdpClient'))) {
    const protocol = text.includes('TcpClient') ? 'tcp' : 'udp';
    const outcome = probe(ipPort[1], protocol, Number(ipPort[2]));
    let said: string;
    if (protocol === 'tcp') {
      said = outcome.kind === 'answered' ? 'open' : outcome.kind === 'refused' ? 'ConnectionRefused' : 'timeout';
    } else {
      said = outcome.kind === 'answered' ? 'reply' : outcome.kind === 'refused' ? 'ConnectionReset' : 'TimedOut';
    }
    return { stdout: `${marker} ${protocol} ${said}\n`, stderr: '', exitCode: 0, elapsedMs: 1000 };
  }
  const tnc = /Test-NetConnection\s+(?:-ComputerName\s+)?([0-9a-fA-F.:]+)(?:\s+-Port\s+(\d+))?/.exec(text);
  if (tnc?.[1]) {
    const port = tnc[2] ? Number(tnc[2]) : null;
    const outcome = probe(tnc[1], port === null ? 'icmp' : 'tcp', port);
    const ok = outcome.kind === 'answered';
    const lines = [
      '',
      `ComputerName     : ${tnc[1]}`,
      `RemoteAddress    : ${tnc[1]}`,
      ...(port === null
        ? [`PingSucceeded    : ${ok ? 'True' : 'False'}`]
        : [`RemotePort       : ${port}`, `TcpTestSucceeded : ${ok ? 'True' : 'False'}`]),
      '',
    ];
    return { stdout: `${lines.join('\r\n')}\r\n`, stderr: '', exitCode: 0, elapsedMs: ok ? 1000 : 21_000 };
  }
  return {
    stdout: '',
    stderr: 'The term is not recognized as the name of a cmdlet, function, script file, or operable program.\r\n',
    exitCode: 1,
    elapsedMs: 200,
  };
}

function fmtMs(t: number): string {
  return t >= 100 ? t.toFixed(0) : t >= 10 ? t.toFixed(1) : t.toFixed(3);
}
