/** Prefix lists: PrefixLists (AWS-managed, with CIDRs), ManagedPrefixLists (names, owners) and their entries. */
import type { PrefixList, PrefixListId } from '../../model/index.js';
import type { FileOrigin, Inputs } from '../merge.js';
import { origin } from './shared.js';

/** Every prefix list named by the three keys, with its CIDRs (needed for the wording of routes and rules). */
export function prefixListsFrom(inp: Inputs): Map<PrefixListId, PrefixList> {
  const prefixLists = new Map<PrefixListId, PrefixList>();
  const plOf = (id: PrefixListId, file: FileOrigin): PrefixList => {
    let pl = prefixLists.get(id);
    if (!pl) {
      pl = origin({ id, cidrs: [] } as PrefixList, file.accountId, file.region);
      prefixLists.set(pl.id, pl);
    }
    return pl;
  };
  const addCidrs = (pl: PrefixList, cidrs: string[]) => {
    for (const c of cidrs) if (!pl.cidrs.includes(c)) pl.cidrs.push(c);
  };
  for (const { value, file } of inp.PrefixLists) {
    const pl = plOf(value.PrefixListId as PrefixListId, file);
    if (value.PrefixListName) pl.name = value.PrefixListName;
    addCidrs(pl, value.Cidrs ?? []);
  }
  for (const { value, file } of inp.ManagedPrefixLists) {
    const pl = plOf(value.PrefixListId as PrefixListId, file);
    if (value.PrefixListName) pl.name = value.PrefixListName;
    if (value.OwnerId && !pl.accountId) pl.accountId = value.OwnerId;
  }
  for (const { value, file } of inp.PrefixListEntries) {
    for (const [id, entries] of Object.entries(value)) {
      addCidrs(
        plOf(id as PrefixListId, file),
        entries.map((e) => e.Cidr),
      );
    }
  }
  return prefixLists;
}
