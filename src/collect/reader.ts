/** Counted, bounded, paginated EC2 reads: every collector call goes through one Ec2Reader. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { fromAwsError } from '../errors.js';
import type { Logger } from '../log.js';

/** What a collection cost: API calls (pages included), sequential rounds, and the operation of each call. */
export interface CollectStats {
  calls: number;
  rounds: number;
  operations: string[];
}

/** Most EC2 filters accept up to 200 values; more are sent as several calls. */
export const MAX_FILTER_VALUES = 200;

/**
 * Parallel calls in flight at once. EC2 rate-limits requests per account, region and action with token buckets (for
 * Describe actions typically a burst of 100, refilled by 20 a second): a round of a dozen calls, mostly of different
 * actions, stays far inside them, and the seed lab's widest round (nine calls) goes out in one wave.
 */
export const DEFAULT_CONCURRENCY = 12;

/** Splits values into chunks of at most `size`. */
export function chunks<T>(values: readonly T[], size = MAX_FILTER_VALUES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** The EC2 client plus the bookkeeping of one collection: call counts, rounds and a concurrency limit. */
export class Ec2Reader {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** `stats` is shared by the readers of one collection across accounts and regions (each has its own limit). */
  constructor(
    readonly ec2: EC2Client,
    readonly logger: Logger,
    readonly concurrency = DEFAULT_CONCURRENCY,
    readonly stats: CollectStats = { calls: 0, rounds: 0, operations: [] },
  ) {}

  /** Runs one sequential round: its tasks in parallel (bounded by the concurrency limit). */
  async round(label: string, tasks: (() => Promise<unknown>)[]): Promise<void> {
    if (tasks.length === 0) return;
    this.stats.rounds += 1;
    this.logger.debug({ round: this.stats.rounds, label, tasks: tasks.length }, 'collect round');
    await Promise.all(tasks.map((t) => t()));
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    // A finished call hands its slot straight to the next waiter, so the limit holds exactly.
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  /** Sends one request: counted, bounded, and any failure turned into a WhypingError naming the IAM action. */
  send<O>(operation: string, fn: () => Promise<O>): Promise<O> {
    return this.slot(async () => {
      this.stats.calls += 1;
      this.stats.operations.push(operation);
      try {
        return await fn();
      } catch (e) {
        throw fromAwsError(e, `ec2:${operation}`);
      }
    });
  }

  /** Follows NextToken to the last page and concatenates the items. */
  async pages<O extends { NextToken?: string | undefined }, T>(
    operation: string,
    fn: (nextToken: string | undefined) => Promise<O>,
    items: (o: O) => T[] | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page: O = await this.send(operation, () => fn(token));
      out.push(...(items(page) ?? []));
      token = page.NextToken || undefined;
    } while (token);
    return out;
  }
}
