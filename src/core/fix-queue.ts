/**
 * Two clicks of one fix in this process are answered in turn: work on one question runs one at a time, so the second
 * click re-checks fresh state after the first has applied and reports "already in place" (rather than the lease's
 * "in progress", which is what a click on another replica meets: src/core/lease.ts).
 */

/** Runs work on a key one at a time. */
export interface FixQueue {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** The in-process lease: a queue per key, forgotten when it empties. */
export function inProcessQueue(): FixQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const before = tails.get(key) ?? Promise.resolve();
      const mine = before.then(work, work);
      const tail = mine.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return mine;
    },
  };
}
