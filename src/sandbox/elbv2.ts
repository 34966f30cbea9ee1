/**
 * Elastic Load Balancing v2 in the sandbox: the load balancers, listeners, target groups, target health and
 * attributes of the loaded snapshot (its elbv2 keys, as `aws elbv2 describe-*` prints them), answered read-only the
 * way the service does: by ARN or name, `LoadBalancerNotFound` / `TargetGroupNotFound` for unknown ones.
 */
import type { Handler } from './context.js';

/** The snapshot keys the sandbox keeps for elbv2 (the corpora's layout names them). */
export const ELB_KEYS = [
  'LoadBalancers',
  'LoadBalancerListeners',
  'TargetGroups',
  'LoadBalancerTargetHealth',
  'LoadBalancerAttributes',
  'TargetGroupAttributes',
] as const;
export type ElbKey = (typeof ELB_KEYS)[number];
// biome-ignore lint/suspicious/noExplicitAny: describe-* documents as loaded
type Doc = Record<string, any>;
export type ElbDocuments = Record<ElbKey, Doc[]>;

export function emptyElbDocuments(): ElbDocuments {
  return Object.fromEntries(ELB_KEYS.map((k) => [k, []])) as unknown as ElbDocuments;
}

/** Adds a document's elbv2 keys (a later copy of the same ARN replaces the earlier one). */
export function loadElbDocuments(docs: ElbDocuments, data: Record<string, unknown>): void {
  const idOf = (key: ElbKey, d: Doc): string | undefined =>
    key === 'TargetGroups' || key === 'LoadBalancerTargetHealth' || key === 'TargetGroupAttributes'
      ? d.TargetGroupArn
      : d.LoadBalancerArn;
  for (const key of ELB_KEYS) {
    const value = data[key];
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      if (typeof item !== 'object' || item === null) continue;
      const copy = structuredClone(item) as Doc;
      const at = docs[key].findIndex((d) => idOf(key, d) !== undefined && idOf(key, d) === idOf(key, copy));
      if (at >= 0) docs[key][at] = copy;
      else docs[key].push(copy);
    }
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export const elbv2Handlers: Record<string, Handler> = {
  DescribeLoadBalancers(input, { state, fail }) {
    const all = state.elb.LoadBalancers;
    const arns = list(input.LoadBalancerArns);
    const names = list(input.Names);
    const picked =
      arns.length || names.length
        ? all.filter((lb) => arns.includes(lb.LoadBalancerArn) || names.includes(lb.LoadBalancerName))
        : all;
    const missing = [
      ...arns.filter((a) => !all.some((lb) => lb.LoadBalancerArn === a)),
      ...names.filter((n) => !all.some((lb) => lb.LoadBalancerName === n)),
    ];
    if (missing.length) fail('LoadBalancerNotFound', `One or more load balancers not found`);
    return { LoadBalancers: structuredClone(picked) };
  },
  DescribeListeners(input, { state, fail }) {
    const arn = String(input.LoadBalancerArn ?? '');
    if (!state.elb.LoadBalancers.some((lb) => lb.LoadBalancerArn === arn))
      fail('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
    const listeners = state.elb.LoadBalancerListeners.filter((l) => l.LoadBalancerArn === arn).flatMap(
      (l) => l.Listeners ?? [],
    );
    return { Listeners: structuredClone(listeners) };
  },
  DescribeLoadBalancerAttributes(input, { state, fail }) {
    const arn = String(input.LoadBalancerArn ?? '');
    if (!state.elb.LoadBalancers.some((lb) => lb.LoadBalancerArn === arn))
      fail('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
    const a = state.elb.LoadBalancerAttributes.find((x) => x.LoadBalancerArn === arn);
    return { Attributes: structuredClone(a?.Attributes ?? []) };
  },
  DescribeTargetGroups(input, { state }) {
    const lb = input.LoadBalancerArn ? String(input.LoadBalancerArn) : null;
    const arns = list(input.TargetGroupArns);
    const groups = state.elb.TargetGroups.filter(
      (tg) => (!lb || list(tg.LoadBalancerArns).includes(lb)) && (!arns.length || arns.includes(tg.TargetGroupArn)),
    );
    return { TargetGroups: structuredClone(groups) };
  },
  DescribeTargetHealth(input, { state, fail }) {
    const arn = String(input.TargetGroupArn ?? '');
    if (!state.elb.TargetGroups.some((tg) => tg.TargetGroupArn === arn))
      fail('TargetGroupNotFound', `Target groups '${arn}' not found`);
    const h = state.elb.LoadBalancerTargetHealth.find((x) => x.TargetGroupArn === arn);
    return { TargetHealthDescriptions: structuredClone(h?.TargetHealthDescriptions ?? []) };
  },
  DescribeTargetGroupAttributes(input, { state, fail }) {
    const arn = String(input.TargetGroupArn ?? '');
    if (!state.elb.TargetGroups.some((tg) => tg.TargetGroupArn === arn))
      fail('TargetGroupNotFound', `Target groups '${arn}' not found`);
    const a = state.elb.TargetGroupAttributes.find((x) => x.TargetGroupArn === arn);
    return { Attributes: structuredClone(a?.Attributes ?? []) };
  },
};
