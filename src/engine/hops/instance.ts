/** The instance behind an interface: running or not, and an appliance a route sends traffic through. */

import type { NetworkInterface } from '../../model/index.js';
import type { Flow } from '../flow.js';
import type { Walk } from '../walk.js';

export function instanceState(t: Walk, flow: Flow, eni: NetworkInterface): void {
  const inst = t.instanceOf(eni);
  if (!inst) return;
  const running = inst.state === 'running';
  t.rec.hop(flow, { component: 'instance', id: inst.id, allowed: running, rule: `state ${inst.state}` });
  if (running) return;
  // AWS starts only a stopped instance (StartInstances on one still stopping fails with IncorrectInstanceState).
  const startable = inst.state === 'stopped';
  const wait =
    inst.state === 'stopping'
      ? ' Wait until it is stopped, then start it.'
      : inst.state === 'pending'
        ? ' It is starting: ask again in a minute.'
        : '';
  t.rec.record({
    flow,
    code: 'INSTANCE_NOT_RUNNING',
    resource: inst.id,
    message: `${t.label(eni)} is ${inst.state}: an instance that is not running sends and answers nothing.${wait}`,
    evidence: `state ${inst.state}`,
    fix: startable
      ? { action: { action: 'StartInstances', params: { instanceId: inst.id } }, summary: `Start ${t.label(eni)}` }
      : null,
  });
}

/** A route to an instance or ENI (an appliance): the source/dest check must be off; what it forwards is unknown. */
export function throughAppliance(t: Walk, flow: Flow, instanceId: string | null, eniId: string | null): void {
  const inst = instanceId ? t.s.instances.get(instanceId as `i-${string}`) : undefined;
  const id = eniId ?? inst?.networkInterfaceIds[0];
  const eni = id ? t.s.networkInterfaces.get(id as `eni-${string}`) : undefined;
  if (!eni) {
    t.rec.stop(
      'network-interface',
      eniId ?? instanceId ?? '?',
      `the appliance ${eniId ?? instanceId} is not in the snapshot`,
    );
    return;
  }
  t.rec.hop(flow, {
    component: 'network-interface',
    id: eni.id,
    allowed: !eni.sourceDestCheck,
    rule: `source/destination check ${eni.sourceDestCheck ? 'on' : 'off'}`,
  });
  if (eni.sourceDestCheck) {
    t.rec.record({
      flow,
      code: 'SOURCE_DEST_CHECK',
      resource: eni.id,
      message: `The route sends ${flow.dst} to ${t.label(eni)}, whose interface ${eni.id} has source/destination check on: it drops traffic not addressed to itself.`,
      evidence: 'SourceDestCheck=true',
      fix: {
        action: { action: 'DisableSourceDestCheck', params: { networkInterfaceId: eni.id } },
        summary: `Turn off source/destination check on ${eni.id}`,
      },
    });
  }
  t.rec.stop(
    'network-interface',
    eni.id,
    `traffic is routed through appliance ${t.label(eni)}: what it forwards is outside the model`,
  );
}

/**
 * An end of the query whose interface has source/destination check off is an appliance (a firewall, router or NAT
 * instance): what it sends, answers and forwards is decided by its own configuration, which no describe-* call
 * shows, so a path AWS would carry is "not analyzed", naming the appliance, never a flat "reachable".
 */
export function applianceAtEnd(t: Walk, eni: NetworkInterface): void {
  if (eni.sourceDestCheck || eni.interfaceType !== 'interface') return;
  t.rec.stop(
    'network-interface',
    eni.id,
    `${t.label(eni)} has source/destination check off on ${eni.id}: it is an appliance (a firewall, router or NAT instance), and what it sends, answers and forwards is decided by its own configuration, which no describe-* call shows`,
  );
}
