/**
 * Part of the work a question does, counted rather than timed (the same on any machine, at any load): lookups in the
 * snapshot's top-level maps and sets (`s.vpcs`, `s.networkInterfaces`, `s.index.subnetRouteTable`, …), and the
 * elements walked when one of them is iterated, per question of each class. Used by bench/engine.ts (in a process of
 * its own) and by test/engine/lookups.test.ts. A scan of those collections, or more lookups per question in a bigger
 * account, shows here. Not counted: arrays (a table's routes, an ACL's entries), the maps nested in other structures
 * (the address-range index, load balancing) and the parse caches the engine fills at an object's first use.
 */
import type { Snapshot } from '../src/model/index.js';
import { askClass, type ClassQuery, QUERY_CLASSES } from './synthetic.js';

/** Per class: lookups per question, and elements walked per question. */
export type LookupCounts = Record<string, { lookups: number; walked: number }>;

type Method = (this: unknown, ...args: unknown[]) => unknown;
const WRAPPED = ['get', 'has', 'values', 'keys', 'entries', 'forEach', Symbol.iterator] as const;

/**
 * Asks `questions` on `s` and counts, while the snapshot's own maps and sets have their `get`/`has` and iteration
 * methods shadowed by counting ones (own properties of those objects, deleted before returning, whatever happens:
 * Map.prototype and Set.prototype are never touched, so nothing else in the process changes). One question of each
 * class is asked first, uncounted: what a snapshot builds once, at the first question that needs it (the address-range
 * index), is not a question's work. `walked` adds a collection's size each time its iteration starts (an upper bound
 * of the elements walked; 0 when none is iterated).
 */
export function countLookups(s: Snapshot, questions: readonly ClassQuery[]): LookupCounts {
  const ask = (q: ClassQuery) => askClass(s, q);
  for (const kind of QUERY_CLASSES) {
    const q = questions.find((x) => x.kind === kind);
    if (q) ask(q);
  }
  const own: (Map<unknown, unknown> | Set<unknown>)[] = [];
  for (const v of [...Object.values(s), ...Object.values(s.index)])
    if (v instanceof Map || v instanceof Set) own.push(v);
  let lookups = 0;
  let walked = 0;
  try {
    for (const collection of own) {
      const target = collection as unknown as Record<PropertyKey, Method | undefined>;
      for (const name of WRAPPED) {
        const original = target[name];
        if (!original) continue;
        const lookup = name === 'get' || name === 'has';
        Object.defineProperty(collection, name, {
          configurable: true,
          value(this: unknown, ...args: unknown[]) {
            if (lookup) lookups++;
            else walked += collection.size;
            return original.apply(this, args);
          },
        });
      }
    }
    const out: LookupCounts = {};
    for (const kind of QUERY_CLASSES) {
      const qs = questions.filter((x) => x.kind === kind);
      lookups = 0;
      walked = 0;
      for (const q of qs) ask(q);
      out[kind] = { lookups: lookups / qs.length, walked: walked / qs.length };
    }
    return out;
  } finally {
    for (const collection of own)
      for (const name of WRAPPED) delete (collection as unknown as Record<PropertyKey, unknown>)[name];
  }
}
