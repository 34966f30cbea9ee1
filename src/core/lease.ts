/**
 * The fix lease: a fix is applied once even when two clicks on it arrive together (a double click, or two replicas
 * behind a load balancer each receiving one). Most EC2 writes refuse a duplicate (`RouteAlreadyExists`,
 * `InvalidPermission.Duplicate`), but allocating an Elastic IP or creating an internet gateway does not, so `applyFix`
 * holds a lease per fix id from before it reads fresh state until it has applied. One process: `InProcessLeases`.
 * Several replicas: `DynamoDbLeases` (WHYPING_LOCK_TABLE), a conditional write with an expiry, so a lease whose
 * holder died frees itself.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromAwsError, WhypingError } from '../errors.js';
import type { Logger } from '../log.js';

/** A lease held: release it when done (releasing twice, or after it expired, does nothing). */
export interface Lease {
  release(): Promise<void>;
}

/** What `acquire` answers: the lease, or who holds it now. */
export type Acquired = { lease: Lease } | { heldBy: string };

/** Where leases live. */
export interface LeaseStore {
  /** Takes the lease on `key` for `ttlMs` on behalf of `holder` (who asked: shown to whoever is refused). */
  acquire(key: string, opts: { holder: string; ttlMs: number }): Promise<Acquired>;
}

/** How long a fix lease lasts when its holder never releases it (a crash): longer than any fix takes to apply. */
export const FIX_LEASE_TTL_MS = 120_000;

/** Leases in this process's memory: enough for one replica (the shell, the CLI, one Slack app). */
export class InProcessLeases implements LeaseStore {
  private readonly held = new Map<string, { holder: string; token: string; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async acquire(key: string, opts: { holder: string; ttlMs: number }): Promise<Acquired> {
    const current = this.held.get(key);
    if (current && current.expiresAt > this.now()) return { heldBy: current.holder };
    const token = randomUUID();
    this.held.set(key, { holder: opts.holder, token, expiresAt: this.now() + opts.ttlMs });
    return {
      lease: {
        release: async () => {
          if (this.held.get(key)?.token === token) this.held.delete(key);
        },
      },
    };
  }
}

/** The lock table's partition key (a string attribute); the table's definition is in docs/deploy.md. */
export const LOCK_TABLE_KEY = 'fixId';

/** The lease store every `applyFix` of this process uses unless its deps name another. */
export const processLeases: LeaseStore = new InProcessLeases();

/**
 * Leases in a DynamoDB table shared by every replica (WHYPING_LOCK_TABLE): one item per fix id, taken with a
 * conditional PutItem that succeeds only when no unexpired item exists, released with a DeleteItem conditioned on
 * the taker's own token. `expiresAt` (epoch seconds) is also the table's TTL attribute, so DynamoDB deletes leftovers;
 * its deletion is lazy, which is why the condition compares the expiry itself. Table and IAM: docs/deploy.md.
 */
export class DynamoDbLeases implements LeaseStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(key: string, opts: { holder: string; ttlMs: number }): Promise<Acquired> {
    const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    const token = randomUUID();
    const nowS = Math.floor(this.now() / 1000);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            [LOCK_TABLE_KEY]: { S: key },
            holder: { S: opts.holder },
            leaseToken: { S: token },
            expiresAt: { N: String(nowS + Math.ceil(opts.ttlMs / 1000)) },
          },
          ConditionExpression: 'attribute_not_exists(#fixId) OR #expiresAt < :now',
          ExpressionAttributeNames: { '#fixId': LOCK_TABLE_KEY, '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':now': { N: String(nowS) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (e) {
      const err = e as { name?: string; Item?: Record<string, { S?: string }> };
      if (err.name === 'ConditionalCheckFailedException') return { heldBy: err.Item?.holder?.S ?? 'another replica' };
      throw this.failure(e, 'dynamodb:PutItem');
    }
    return { lease: { release: () => this.release(key, token) } };
  }

  private async release(key: string, token: string): Promise<void> {
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { [LOCK_TABLE_KEY]: { S: key } },
          ConditionExpression: '#leaseToken = :token',
          ExpressionAttributeNames: { '#leaseToken': 'leaseToken' },
          ExpressionAttributeValues: { ':token': { S: token } },
        }),
      );
    } catch (e) {
      // Expired and taken by someone else: theirs now. Any other failure: the lease expires on its own.
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return;
      this.logger.warn({ fixId: key, err: this.failure(e, 'dynamodb:DeleteItem').message }, 'fix lease not released');
    }
  }

  private failure(e: unknown, action: string): WhypingError {
    const err = fromAwsError(e, action);
    return new WhypingError(
      err.code,
      `The fix lease table ${this.table} (WHYPING_LOCK_TABLE) could not be used: ${err.message} Nothing was changed.`,
      err.details,
      { cause: e },
    );
  }
}

/** Takes the leases on every key (in a fixed order, so two callers never hold one each); all or none. */
export async function acquireAll(
  store: LeaseStore,
  keys: string[],
  opts: { holder: string; ttlMs: number },
): Promise<{ leases: Lease[] } | { key: string; heldBy: string }> {
  const leases: Lease[] = [];
  for (const key of [...new Set(keys)].sort()) {
    const got = await store.acquire(key, opts).catch(async (e) => {
      await Promise.all(leases.map((l) => l.release()));
      throw e;
    });
    if ('heldBy' in got) {
      await Promise.all(leases.map((l) => l.release()));
      return { key, heldBy: got.heldBy };
    }
    leases.push(got.lease);
  }
  return { leases };
}
