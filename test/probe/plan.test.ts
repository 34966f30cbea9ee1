import { describe, expect, it } from 'vitest';
import { PROBES_OFF_REASON, planProbes, probesEnabledFromEnv } from '../../src/probe/run.js';
import { diagnosisOf, INSTANCE, privateWorld } from './world.js';

describe('probesEnabledFromEnv', () => {
  it.each(['off', 'OFF', ' off ', 'false', '0', 'no', 'disabled'])('turns probes off for WHYPING_PROBES=%j', (v) => {
    expect(probesEnabledFromEnv({ WHYPING_PROBES: v })).toBe(false);
  });

  it.each([undefined, '', 'on', '1', 'true'])('leaves probes on for WHYPING_PROBES=%j', (v) => {
    expect(probesEnabledFromEnv({ WHYPING_PROBES: v })).toBe(true);
  });

  it('names the variable in the skip reason', () => {
    expect(PROBES_OFF_REASON).toContain('WHYPING_PROBES=off');
  });
});

describe('planProbes', () => {
  it('runs the forward probe on the source instance towards the destination address, with the query protocol', () => {
    const plan = planProbes(diagnosisOf(true, { protocol: 'tcp', port: 5432 }), null);
    expect(plan.forward).toEqual({
      request: { instanceId: INSTANCE, platform: 'linux', targetIp: '10.2.4.95', protocol: 'tcp', port: 5432 },
      label: { from: 'web-1', to: 'db-1 (10.2.4.95)' },
    });
    expect(plan.reverse).toBeNull();
  });

  it('takes the platform from the snapshot', () => {
    const s = privateWorld();
    const web = s.instances.get(INSTANCE);
    if (web) s.instances.set(INSTANCE, { ...web, platform: 'windows' });
    const plan = planProbes(diagnosisOf(true), s);
    expect('request' in plan.forward && plan.forward.request.platform).toBe('windows');
  });

  it('plans the reverse from the destination instance towards the source address', () => {
    const plan = planProbes(diagnosisOf(true), null, { reverse: true });
    expect(plan.reverse).toMatchObject({
      request: { instanceId: 'i-0fedcba9876543210', targetIp: '10.1.0.12', protocol: 'icmp', port: null },
    });
  });

  it('uses the instance behind an ENI endpoint', () => {
    const d = diagnosisOf(true);
    d.endpoints.from = {
      kind: 'network-interface',
      input: 'eni-0123456789abcdef0',
      id: 'eni-0123456789abcdef0',
      instanceId: INSTANCE,
      ip: '10.1.0.12',
    };
    expect(planProbes(d, null).forward).toMatchObject({ request: { instanceId: INSTANCE } });
  });

  it('explains why there is nothing to run for an internet source, an IP source, or a destination without an address', () => {
    const fromInternet = diagnosisOf(true);
    fromInternet.endpoints.from = { kind: 'internet', input: 'internet', ip: null };
    expect(planProbes(fromInternet, null).forward).toMatchObject({
      skip: 'a probe runs on the source instance, and the source is the internet',
    });
    const fromIp = diagnosisOf(true);
    fromIp.endpoints.from = { kind: 'ip', input: '203.0.113.9', ip: '203.0.113.9' };
    expect(planProbes(fromIp, null).forward).toMatchObject({
      skip: 'a probe runs on the source instance, and the source is 203.0.113.9 (not an EC2 instance)',
    });
    const toInternet = diagnosisOf(true);
    toInternet.endpoints.to = { kind: 'internet', input: 'internet', ip: null };
    expect(planProbes(toInternet, null).forward).toMatchObject({ skip: 'internet has no address to probe' });
  });
});
