/**
 * Two clicks of one fix apply it once: work on one key runs one at a time, so the second click re-checks fresh state
 * after the first has applied and reports "already in place". In one process a promise chain per key is enough;
 * several replicas need a shared lock (a DynamoDB conditional write) behind the same interface.
 */

/** Runs work on a key one at a time. */
export interface FixLease {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** The in-process lease: a queue per key, forgotten when it empties. */
export function inProcessLease(): FixLease {
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
