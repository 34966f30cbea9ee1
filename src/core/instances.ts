/** The instances a question can name (`whyping instances`, the shell's and Slack's `instances`), live or offline. */
import { describeInstanceRows, type InstanceRow } from '../collect/names.js';
import type { Source } from './investigate.js';

export type { InstanceRow };

/** A list of instances, by Name then id; `more` when the account held more than were listed. */
export interface InstanceList {
  rows: InstanceRow[];
  more: boolean;
  /** Where they were read: the live (or sandbox) region, or "the snapshot". */
  where: string;
}

/** How many instances a list shows at most. */
export const MAX_LISTED_INSTANCES = 200;

/** Lists the instances of `source`: the snapshot's, or one region's through DescribeInstances (paginated). */
export async function listInstances(source: Source, max = MAX_LISTED_INSTANCES): Promise<InstanceList> {
  if (source.kind === 'snapshot') {
    const all = [...source.snapshot.instances.values()].filter((i) => i.state !== 'terminated');
    const rows = all.map(({ id, name, state, vpcId, privateIp, publicIp }) => ({
      id,
      state,
      ...(name ? { name } : {}),
      ...(vpcId ? { vpcId } : {}),
      ...(privateIp ? { privateIp } : {}),
      ...(publicIp ? { publicIp } : {}),
    }));
    return { rows: sorted(rows).slice(0, max), more: rows.length > max, where: 'the snapshot' };
  }
  const { rows, more } = await describeInstanceRows(source.deps.clients.ec2, max);
  return { rows: sorted(rows), more, where: source.deps.region };
}

function sorted(rows: InstanceRow[]): InstanceRow[] {
  return rows.sort((a, b) => (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.id.localeCompare(b.id));
}
