/**
 * Elastic Load Balancing v2 reads, only when a question involves a load balancer: an end named by its ARN or DNS
 * name (or a name no instance has), or an interface of a load balancer node on the path (an address typed). Reads
 * the load balancers, their listeners, attributes, target groups, target health and target group attributes, and
 * returns them under the snapshot's keys (`LoadBalancers`, `LoadBalancerListeners`, `TargetGroups`,
 * `LoadBalancerTargetHealth`, `LoadBalancerAttributes`, `TargetGroupAttributes`).
 */
import {
  DescribeListenersCommand,
  type DescribeListenersCommandOutput,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersCommandOutput,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Logger } from '../log.js';
import type { RawSnapshotFile } from '../model/index.js';

/** What an end's text says about a load balancer: its ARN, or the name its DNS name carries. */
export function loadBalancerHint(text: string): { arn: string } | { name: string } | null {
  const t = text.trim();
  if (/^arn:aws[\w-]*:elasticloadbalancing:[^:]*:\d*:loadbalancer\/(net|app)\//.test(t)) return { arn: t };
  // name-0123abcd.elb.<region>.amazonaws.com (NLB), name-123.<region>.elb.amazonaws.com (ALB), internal-…, dualstack.…
  const dns =
    /^(?:dualstack\.)?(?:internal-)?([a-z0-9-]+)-[0-9a-z]+\.(?:elb\.[a-z0-9-]+|[a-z0-9-]+\.elb)\.amazonaws\.com\.?$/i.exec(
      t,
    );
  return dns?.[1] ? { name: dns[1] } : null;
}

/** `net/name/id` keys of load balancer node interfaces (`Description: ELB net/name/id`), as names. */
export function loadBalancerNamesOfInterfaces(enis: { Description?: string }[]): string[] {
  const names = new Set<string>();
  for (const e of enis) {
    const m = /^ELB (?:net|app)\/([^/]+)\//.exec(e.Description ?? '');
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

/** Reads the named load balancers (by ARN or name; names not found are skipped) and everything they forward to. */
export async function readLoadBalancers(
  elb: ElasticLoadBalancingV2Client,
  want: { arns: string[]; names: string[] },
  logger: Logger,
): Promise<{ file: RawSnapshotFile; loadBalancers: LoadBalancer[]; targetGroups: TargetGroup[] }> {
  const found = new Map<string, LoadBalancer>();
  const describe = async (input: { LoadBalancerArns?: string[]; Names?: string[] }) => {
    let marker: string | undefined;
    do {
      const out: DescribeLoadBalancersCommandOutput = await elb.send(
        new DescribeLoadBalancersCommand({ ...input, ...(marker ? { Marker: marker } : {}) }),
      );
      for (const lb of out.LoadBalancers ?? []) if (lb.LoadBalancerArn) found.set(lb.LoadBalancerArn, lb);
      marker = out.NextMarker;
    } while (marker);
  };
  if (want.arns.length) await describe({ LoadBalancerArns: want.arns });
  // One call per name: an unknown name fails the whole call (LoadBalancerNotFound), and a name may be no load balancer.
  for (const name of want.names) {
    try {
      await describe({ Names: [name] });
    } catch (e) {
      if ((e as { name?: string }).name !== 'LoadBalancerNotFoundException') throw e;
    }
  }
  const loadBalancers = [...found.values()];
  const listeners: { LoadBalancerArn: string; Listeners: unknown[] }[] = [];
  const attributes: { LoadBalancerArn: string; Attributes: unknown[] }[] = [];
  const groups = new Map<string, TargetGroup>();
  await Promise.all(
    loadBalancers.map(async (lb) => {
      const arn = lb.LoadBalancerArn as string;
      const own: unknown[] = [];
      let marker: string | undefined;
      do {
        const out: DescribeListenersCommandOutput = await elb.send(
          new DescribeListenersCommand({ LoadBalancerArn: arn, ...(marker ? { Marker: marker } : {}) }),
        );
        own.push(...(out.Listeners ?? []));
        marker = out.NextMarker;
      } while (marker);
      listeners.push({ LoadBalancerArn: arn, Listeners: own });
      const attrs = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
      attributes.push({ LoadBalancerArn: arn, Attributes: attrs.Attributes ?? [] });
      marker = undefined;
      do {
        const out: DescribeTargetGroupsCommandOutput = await elb.send(
          new DescribeTargetGroupsCommand({ LoadBalancerArn: arn, ...(marker ? { Marker: marker } : {}) }),
        );
        for (const tg of out.TargetGroups ?? []) if (tg.TargetGroupArn) groups.set(tg.TargetGroupArn, tg);
        marker = out.NextMarker;
      } while (marker);
    }),
  );
  const targetGroups = [...groups.values()];
  const health: { TargetGroupArn: string; TargetHealthDescriptions: unknown[] }[] = [];
  const tgAttributes: { TargetGroupArn: string; Attributes: unknown[] }[] = [];
  await Promise.all(
    targetGroups.map(async (tg) => {
      const arn = tg.TargetGroupArn as string;
      const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      health.push({ TargetGroupArn: arn, TargetHealthDescriptions: h.TargetHealthDescriptions ?? [] });
      const a = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
      tgAttributes.push({ TargetGroupArn: arn, Attributes: a.Attributes ?? [] });
    }),
  );
  logger.debug({ loadBalancers: loadBalancers.length, targetGroups: targetGroups.length }, 'load balancers read');
  const byArn = <T extends { LoadBalancerArn?: string; TargetGroupArn?: string }>(a: T, b: T) =>
    (a.LoadBalancerArn ?? a.TargetGroupArn ?? '').localeCompare(b.LoadBalancerArn ?? b.TargetGroupArn ?? '');
  return {
    file: {
      path: 'live:elbv2',
      data: {
        LoadBalancers: loadBalancers,
        LoadBalancerListeners: listeners.sort(byArn),
        LoadBalancerAttributes: attributes.sort(byArn),
        TargetGroups: targetGroups,
        LoadBalancerTargetHealth: health.sort(byArn),
        TargetGroupAttributes: tgAttributes.sort(byArn),
      },
    },
    loadBalancers,
    targetGroups,
  };
}

/** The instance ids and addresses a set of target groups sends to (to read them with the rest of the path). */
export function targetsOf(file: RawSnapshotFile): { instanceIds: string[]; ips: string[] } {
  const data = file.data as {
    TargetGroups: { TargetGroupArn?: string; TargetType?: string }[];
    LoadBalancerTargetHealth: { TargetGroupArn: string; TargetHealthDescriptions: { Target?: { Id?: string } }[] }[];
  };
  const type = new Map(data.TargetGroups.map((tg) => [tg.TargetGroupArn, tg.TargetType ?? 'instance']));
  const instanceIds = new Set<string>();
  const ips = new Set<string>();
  for (const h of data.LoadBalancerTargetHealth) {
    for (const d of h.TargetHealthDescriptions) {
      const id = d.Target?.Id;
      if (!id) continue;
      if (type.get(h.TargetGroupArn) === 'instance') instanceIds.add(id);
      else if (type.get(h.TargetGroupArn) === 'ip') ips.add(id);
    }
  }
  return { instanceIds: [...instanceIds], ips: [...ips] };
}
