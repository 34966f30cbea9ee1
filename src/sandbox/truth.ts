/**
 * The sandbox's ground truth for a packet sent from an instance: the engine's verdict on the current state (the same
 * `buildSnapshot` + `resolveEndpoints` + `diagnose` whyping itself runs), then the host facts configuration cannot show.
 */
import { diagnose } from '../engine/index.js';
import type { Diagnosis, Protocol, Snapshot } from '../model/index.js';
import { cidrContains } from '../net/ip.js';
import { buildSnapshot, resolveEndpoints } from '../snapshot/index.js';
import type { SandboxState } from './state.js';

/** What the packet meets: the network verdict and what the far end does with it. */
export type ProbeOutcome =
  /** ICMP: replies come back. TCP: the handshake completes. */
  | { kind: 'answered'; rttMs: number[]; ttl: number }
  /** TCP: the host answers with a reset (nothing listens). */
  | { kind: 'refused' }
  /** Nothing comes back (dropped on the way there or back, or by the host). */
  | { kind: 'silent' };

export interface Truth {
  outcome: ProbeOutcome;
  /** The engine's diagnosis of the network path (null when it could not run). */
  diagnosis: Diagnosis | null;
  /** Why the outcome is what it is, in a few words (for tests and logs). */
  because: string;
}

/** The engine's diagnosis of `protocol/port` from `instanceId` to `ip` on the current state. */
export function networkVerdict(
  state: SandboxState,
  instanceId: string,
  ip: string,
  protocol: Protocol,
  port: number | null,
): { diagnosis: Diagnosis | null; snapshot: Snapshot | null; error?: string } {
  try {
    const snapshot = buildSnapshot(state.toFiles());
    const endpoints = resolveEndpoints(snapshot, instanceId, ip);
    const diagnosis = diagnose(snapshot, { from: instanceId, to: ip, protocol, port }, endpoints);
    return { diagnosis, snapshot };
  } catch (e) {
    return { diagnosis: null, snapshot: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** What really happens to a probe from `instanceId` to `ip`: the network verdict, then the far host's own facts. */
export function groundTruth(
  state: SandboxState,
  instanceId: string,
  ip: string,
  protocol: Protocol,
  port: number | null,
): Truth {
  const { diagnosis, snapshot, error } = networkVerdict(state, instanceId, ip, protocol, port);
  if (!diagnosis || !snapshot) return { outcome: { kind: 'silent' }, diagnosis: null, because: `no verdict: ${error}` };
  if (diagnosis.reachable !== true) {
    const why =
      diagnosis.reachable === null
        ? `not analyzed (${diagnosis.notAnalyzed?.reason ?? '?'})`
        : diagnosis.findings.map((f) => f.code).join(', ');
    return { outcome: { kind: 'silent' }, diagnosis, because: `network: ${why}` };
  }
  const src = snapshot.instances.get(instanceId as `i-${string}`);
  const eniId = snapshot.index.privateIpToEni.get(ip)?.[0] ?? snapshot.index.publicIpToEni.get(ip);
  const rtt = (base: number) => [0, 1, 2, 3].map(() => round3(base * (0.85 + state.ids.fraction() * 0.3)));
  if (!eniId) {
    // An address no ENI of the account holds: a host on the internet, or nobody at all inside a VPC.
    const inVpc = [...snapshot.vpcs.values()].some((v) => v.cidrs.some((c) => cidrContains(c, ip)));
    if (inVpc) return { outcome: { kind: 'silent' }, diagnosis, because: 'no interface holds this address' };
    const net = state.hostFacts.internet ?? {};
    if (protocol === 'icmp') {
      return net.answersIcmp === false
        ? { outcome: { kind: 'silent' }, diagnosis, because: 'the internet host drops ICMP' }
        : { outcome: { kind: 'answered', rttMs: rtt(1.8), ttl: 57 }, diagnosis, because: 'the internet host answers' };
    }
    const open = (net.listeningTcpPorts ?? [80, 443]).includes(port ?? -1);
    return open
      ? { outcome: { kind: 'answered', rttMs: rtt(1.8), ttl: 57 }, diagnosis, because: 'the internet host listens' }
      : { outcome: { kind: 'refused' }, diagnosis, because: 'nothing listens on the internet host' };
  }
  const eni = snapshot.networkInterfaces.get(eniId);
  const dstInstanceId = eni?.attachment?.instanceId;
  if (!dstInstanceId) {
    // NAT gateway, endpoint and load balancer interfaces answer nothing addressed to them that the model covers.
    return {
      outcome: { kind: 'silent' },
      diagnosis,
      because: `${eni?.interfaceType ?? 'interface'} ${eniId} answers nothing`,
    };
  }
  const dst = snapshot.instances.get(dstInstanceId);
  const facts = state.hostFact(dstInstanceId);
  const sameAz = src?.availabilityZone && src.availabilityZone === dst?.availabilityZone;
  const ttl = dst?.platform === 'windows' ? 128 : 64;
  const base = sameAz ? 0.45 : 1.1;
  if (protocol === 'icmp') {
    return facts.dropsIcmp
      ? { outcome: { kind: 'silent' }, diagnosis, because: `the OS firewall of ${dstInstanceId} drops ICMP` }
      : { outcome: { kind: 'answered', rttMs: rtt(base), ttl }, diagnosis, because: 'the host answers' };
  }
  if (protocol === 'udp') {
    // UDP: only a listening service answers; anything else gets ICMP port unreachable (reported as refused).
    const open = (facts.listeningUdpPorts ?? []).includes(port ?? -1);
    return open
      ? { outcome: { kind: 'answered', rttMs: rtt(base), ttl }, diagnosis, because: 'a UDP service answers' }
      : { outcome: { kind: 'refused' }, diagnosis, because: `nothing listens on udp ${port}` };
  }
  if ((facts.firewalledTcpPorts ?? []).includes(port ?? -1)) {
    return { outcome: { kind: 'silent' }, diagnosis, because: `the OS firewall of ${dstInstanceId} drops tcp ${port}` };
  }
  const listening = facts.listeningTcpPorts ?? [22];
  return listening.includes(port ?? -1)
    ? { outcome: { kind: 'answered', rttMs: rtt(base), ttl }, diagnosis, because: `tcp ${port} is open` }
    : { outcome: { kind: 'refused' }, diagnosis, because: `nothing listens on tcp ${port}` };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
