/**
 * Puts a live probe next to the static verdict: agree (say so), configuration allows but the probe fails (point at the
 * host, with evidence), configuration blocks but the probe gets through (say plainly the model missed something).
 * The verdict, the hops and the findings never change because of a probe. Pure.
 */
import type { Diagnosis, Finding, ProbeDirectionResult, ProbeResult } from '../model/index.js';

/** Did the packet reach the destination host? Any answer from it counts, even a refusal. null: cannot tell. */
export function reachedHost(p: ProbeDirectionResult): boolean | null {
  if (!p.ran) return null;
  if (p.protocol === 'icmp') {
    if (p.received === null) return null;
    if (p.received > 0) return true;
    // An ICMP error sent by the destination itself (iptables REJECT: "Destination Host Prohibited", "Packet
    // filtered", "Destination Port Unreachable") means the echo got there and the host turned it away.
    return hostRejectedEcho(p);
  }
  if (p.protocol === 'tcp') {
    if (p.tcp === 'open' || p.tcp === 'refused') return true;
    if (p.tcp === 'timeout') return false;
    return p.outcome === 'failure' ? false : null;
  }
  if (p.udp === 'reply' || p.udp === 'port-unreachable') return true;
  return null;
}

function hostRejectedEcho(p: ProbeDirectionResult): boolean {
  const target = p.to.replace(/^.*\(([^)]+)\)$/, '$1');
  return (p.evidence ?? '')
    .split('\n')
    .some((l) => /Prohibited|filtered|Port Unreachable/i.test(l) && l.toLowerCase().includes(`from ${target}:`));
}

function finding(
  code: Finding['code'],
  direction: Finding['direction'],
  resource: string,
  message: string,
  evidence?: string,
): Finding {
  return { code, awsCode: null, direction, resource, message, ...(evidence ? { evidence } : {}), fix: null };
}

function what(p: ProbeDirectionResult): string {
  return p.protocol === 'icmp' ? 'ping' : `${p.protocol}/${p.port}`;
}

function blockers(d: Diagnosis): string {
  const codes = [...new Set(d.findings.map((f) => f.code))];
  return codes.length ? codes.join(', ') : 'no finding recorded';
}

/** The reconciled copy of one direction, against `verdict` (true reachable, false blocked, null not analyzed). */
function reconcileDirection(
  p: ProbeDirectionResult,
  verdict: boolean | null,
  d: Diagnosis | null,
  dest: { id: string; label: string },
): ProbeDirectionResult {
  const destination = dest.label;
  const measured = p.explanation;
  if (!p.ran) {
    return {
      ...p,
      agreesWithVerdict: null,
      explanation: `${measured.replace(/\.?$/, '.')} The verdict stands on the configuration alone.`,
    };
  }
  if (d === null || verdict === null) {
    const why =
      d === null
        ? 'The static verdict covers the other direction only; this one is reported as measured.'
        : `The configuration could not be analyzed (${d.notAnalyzed?.reason ?? 'outside the model'}); the probe is the only evidence.`;
    return { ...p, agreesWithVerdict: null, explanation: `${measured} ${why}` };
  }
  const reached = reachedHost(p);
  const findings: Finding[] = [];
  let agrees: boolean | null;
  let text: string;
  if (reached === null) {
    agrees = null;
    text = `${measured} That neither confirms nor contradicts the configuration, which says it is ${verdict ? 'reachable' : 'blocked'}.`;
  } else if (verdict && reached) {
    agrees = true;
    if (p.protocol === 'tcp' && p.tcp === 'refused') {
      text = `${measured} The network agrees with the configuration, but the connection still fails: nothing is listening on port ${p.port} at ${destination}, or a host firewall answers with a reset. Check the service on the host (ss -ltn, or Get-NetTCPConnection -State Listen on Windows).`;
      findings.push(
        finding(
          'NOTHING_LISTENING',
          'forward',
          dest.id,
          `Nothing listens on tcp/${p.port} at ${destination}: the connection reached the host and was refused (TCP reset).`,
          p.evidence,
        ),
      );
    } else if (p.protocol === 'udp' && p.udp === 'port-unreachable') {
      text = `${measured} The network agrees with the configuration; start the service on udp/${p.port}.`;
      findings.push(
        finding(
          'NOTHING_LISTENING',
          'forward',
          dest.id,
          `Nothing listens on udp/${p.port} at ${destination}: the host answered with an ICMP port-unreachable.`,
          p.evidence,
        ),
      );
    } else if (p.protocol === 'icmp' && p.received === 0) {
      text = `${measured} The echo reached ${destination}, whose own firewall rejected it: allow ICMP echo in the host firewall.`;
      findings.push(
        finding(
          'HOST_FIREWALL_SUSPECTED',
          'forward',
          dest.id,
          `The host firewall on ${destination} rejects ICMP echo requests (it answered with an ICMP error).`,
          p.evidence,
        ),
      );
    } else {
      const loss = p.protocol === 'icmp' && p.lossPct ? ` (${p.lossPct}% loss: the path works but is lossy)` : '';
      text = `${measured} The probe agrees with the configuration: reachable${loss}.`;
    }
  } else if (verdict && !reached) {
    agrees = false;
    const cause =
      p.protocol === 'icmp'
        ? `ICMP echo is disabled or dropped by the OS firewall on ${destination} (Windows Firewall drops inbound echo requests unless a rule allows them; iptables, nftables or firewalld on Linux)`
        : `a host firewall on ${destination} (iptables, nftables, firewalld, Windows Defender Firewall) drops ${what(p)}`;
    text = `${measured} The configuration allows ${what(p)} both ways, so something it does not show is dropping the packet. Most likely ${cause}; otherwise something outside the model (a firewall appliance, an OS route on the source). The verdict stays reachable: check the host.`;
    findings.push(
      finding(
        'HOST_FIREWALL_SUSPECTED',
        'forward',
        dest.id,
        `The configuration allows ${what(p)} to ${destination}, but the probe got no answer: suspect the host firewall on ${destination}.`,
        p.evidence,
      ),
    );
  } else if (!verdict && reached) {
    agrees = false;
    text = `${measured} The configuration says this is blocked (${blockers(d)}), yet the packet got an answer from ${destination}. The model missed something (a path or rule it does not see, or a snapshot older than the network): both results are shown; trust the probe for what happens now and check the findings against the console.`;
    findings.push(
      finding(
        'PROBE_CONTRADICTS_VERDICT',
        'forward',
        dest.id,
        `The probe reached ${destination} although the configuration says it is blocked (${blockers(d)}).`,
        p.evidence,
      ),
    );
  } else {
    agrees = true;
    text = `${measured} The probe agrees with the configuration: blocked (${blockers(d)}).`;
  }
  return {
    ...p,
    agreesWithVerdict: agrees,
    explanation: text,
    ...(findings.length ? { findings: findings.map((f) => ({ ...f, direction: 'forward' as const })) } : {}),
  };
}

function destinationOf(d: Diagnosis, reverse: boolean): { id: string; label: string } {
  const e = reverse ? d.endpoints.from : d.endpoints.to;
  const id = e.instanceId ?? e.id ?? e.ip ?? e.input;
  return { id, label: e.name && e.name !== id ? `${e.name} (${id})` : id };
}

/**
 * Sets `agreesWithVerdict` and `explanation` on the probe (and its reverse) against the diagnosis, adds probe-only
 * findings to `probe.findings`, and returns the diagnosis with that probe. `reverseDiagnosis` (B → A) lets the reverse
 * probe be judged too; without it the reverse is reported as measured. `reachable`, hops and findings are untouched.
 */
export function reconcile(diagnosis: Diagnosis, probe: ProbeResult, reverseDiagnosis?: Diagnosis | null): Diagnosis {
  const { reverse, ...forwardOnly } = probe;
  const forward = reconcileDirection(forwardOnly, diagnosis.reachable, diagnosis, destinationOf(diagnosis, false));
  const result: ProbeResult = { ...forward };
  if (reverse) {
    const rd = reverseDiagnosis ?? null;
    result.reverse = reconcileDirection(reverse, rd ? rd.reachable : null, rd, destinationOf(diagnosis, true));
  }
  return { ...diagnosis, probe: result };
}
