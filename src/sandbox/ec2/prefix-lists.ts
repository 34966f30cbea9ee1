/** Managed prefix lists: DescribeManagedPrefixLists and GetManagedPrefixListEntries. */
import type { ManagedPrefixList } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import { paginate } from '../pagination.js';
import { byId, describe } from './describe.js';

const managedPrefixLists = describe<ManagedPrefixList>({
  op: 'DescribeManagedPrefixLists',
  outputKey: 'PrefixLists',
  items: (s) => s.docs.ManagedPrefixLists,
  ids: {
    param: 'PrefixListIds',
    of: (v) => v.PrefixListId,
    prefix: 'pl',
    malformed: 'InvalidPrefixListId.Malformed',
    notFound: byId('prefix list', 'InvalidPrefixListID.NotFound'),
  },
  fields: (p) => ({ 'prefix-list-id': p.PrefixListId, 'prefix-list-name': p.PrefixListName, 'owner-id': p.OwnerId }),
  limits: { min: 1, max: 100 },
});

/** GetManagedPrefixListEntries: one list's CIDRs, paginated. */
const managedPrefixListEntries: Handler = (input: Input, ctx: OpContext) => {
  const id = input.PrefixListId as string;
  const known =
    ctx.state.docs.ManagedPrefixLists.some((p) => p.PrefixListId === id) || id in ctx.state.docs.PrefixListEntries;
  if (!known) ctx.fail('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`);
  const entries = ctx.state.docs.PrefixListEntries[id] ?? [];
  const { page, nextToken } = paginate(entries, input, { min: 1, max: 100 }, 'GetManagedPrefixListEntries', ctx);
  return { Entries: structuredClone(page), ...(nextToken ? { NextToken: nextToken } : {}) };
};

/** The operations this noun answers, by command name. */
export const prefixListHandlers = {
  DescribeManagedPrefixLists: managedPrefixLists,
  GetManagedPrefixListEntries: managedPrefixListEntries,
} satisfies Record<string, Handler>;
