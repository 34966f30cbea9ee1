/**
 * The fix lease (src/core/lease.ts): in-process leases; DynamoDB leases on the wire (nock, AWS JSON 1.0) and against
 * the sandbox's DynamoDB; and two applyFix calls racing on one Elastic IP fix — the one fix AWS itself would apply
 * twice — apply it once, whether both run in one process or on two "replicas" sharing a lock table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyFix, fixPlansOf } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import { acquireAll, DynamoDbLeases, InProcessLeases, type LeaseStore } from '../../src/core/lease.js';
import { isWhypingError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { TEST_UNDO } from '../support/undo-key.js';

const TTL = { holder: 'U1', ttlMs: 60_000 };

describe('InProcessLeases', () => {
  it('gives a key to one holder at a time and names the holder to the next', async () => {
    const store = new InProcessLeases();
    const first = await store.acquire('fix-a', { holder: 'U1', ttlMs: 60_000 });
    expect(await store.acquire('fix-a', { holder: 'U2', ttlMs: 60_000 })).toEqual({ heldBy: 'U1' });
    expect('lease' in (await store.acquire('fix-b', { holder: 'U2', ttlMs: 60_000 }))).toBe(true);
    if (!('lease' in first)) throw new Error('the first caller must get the lease');
    await first.lease.release();
    expect('lease' in (await store.acquire('fix-a', { holder: 'U2', ttlMs: 60_000 }))).toBe(true);
  });

  it('frees a lease once it expires, and a late release does not free the next holder’s lease', async () => {
    let now = 1_000_000;
    const store = new InProcessLeases(() => now);
    const stale = await store.acquire('fix-a', { holder: 'U1', ttlMs: 1_000 });
    now += 1_001;
    const fresh = await store.acquire('fix-a', { holder: 'U2', ttlMs: 1_000 });
    expect('lease' in fresh).toBe(true);
    if ('lease' in stale) await stale.lease.release();
    expect(await store.acquire('fix-a', { holder: 'U3', ttlMs: 1_000 })).toEqual({ heldBy: 'U2' });
  });

  it('acquireAll takes every key or none', async () => {
    const store = new InProcessLeases();
    await store.acquire('fix-b', TTL);
    expect(await acquireAll(store, ['fix-a', 'fix-b'], { holder: 'U2', ttlMs: 60_000 })).toEqual({
      key: 'fix-b',
      heldBy: 'U1',
    });
    // fix-a was released again when fix-b was refused.
    expect('lease' in (await store.acquire('fix-a', { holder: 'U3', ttlMs: 60_000 }))).toBe(true);
  });
});

describe('DynamoDbLeases on the wire', () => {
  const DDB = 'https://dynamodb.us-east-1.amazonaws.com';
  const JSON10 = { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': 'req-ddb-1' };
  const client = () =>
    new DynamoDBClient({
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
  const NOW = Date.parse('2026-12-07T05:00:00Z');
  const store = () => new DynamoDbLeases(client(), 'whyping-locks', silentLogger, () => NOW);
  const call = (op: string, body?: nock.RequestBodyMatcher) =>
    nock(DDB).post('/', body).matchHeader('x-amz-target', `DynamoDB_20120810.${op}`);

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  it('takes a lease with a conditional PutItem and releases it with a DeleteItem conditioned on its token', async () => {
    let token = '';
    const put = call('PutItem', (b) => {
      token = b.Item.leaseToken.S;
      return (
        b.TableName === 'whyping-locks' &&
        b.Item.fixId.S === 'fix-eip' &&
        b.Item.holder.S === 'U1' &&
        b.Item.expiresAt.N === String(NOW / 1000 + 60) &&
        b.ConditionExpression === 'attribute_not_exists(#fixId) OR #expiresAt < :now' &&
        b.ExpressionAttributeValues[':now'].N === String(NOW / 1000) &&
        b.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
      );
    }).reply(200, {}, JSON10);
    const got = await store().acquire('fix-eip', TTL);
    expect(put.isDone()).toBe(true);
    if (!('lease' in got)) throw new Error('expected the lease');
    const del = call(
      'DeleteItem',
      (b) =>
        b.Key.fixId.S === 'fix-eip' &&
        b.ConditionExpression === '#leaseToken = :token' &&
        b.ExpressionAttributeValues[':token'].S === token,
    ).reply(200, {}, JSON10);
    await got.lease.release();
    expect(del.isDone()).toBe(true);
  });

  it('names the holder when the conditional write fails because the lease is held', async () => {
    call('PutItem').reply(
      400,
      {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: { fixId: { S: 'fix-eip' }, holder: { S: 'U2' }, expiresAt: { N: String(NOW / 1000 + 30) } },
      },
      JSON10,
    );
    expect(await store().acquire('fix-eip', TTL)).toEqual({ heldBy: 'U2' });
  });

  it('says which permission and which variable when the table refuses, and that nothing changed', async () => {
    call('PutItem').reply(
      400,
      { __type: 'com.amazon.coral.service#AccessDeniedException', message: 'User is not authorized' },
      JSON10,
    );
    const e = await store()
      .acquire('fix-eip', TTL)
      .catch((x) => x);
    expect(isWhypingError(e, 'AWS_ACCESS_DENIED')).toBe(true);
    expect(e.message).toBe(
      'The fix lease table whyping-locks (WHYPING_LOCK_TABLE) could not be used: AWS refused dynamodb:PutItem: grant dynamodb:PutItem to the identity whyping runs as (see iam/lock-table.json) (AWS AccessDeniedException, request id req-ddb-1). Nothing was changed.',
    );
  });
});

describe('DynamoDbLeases against the sandbox', () => {
  it('two replicas sharing one table: the second is refused until the first releases', async () => {
    const sb = createSandbox({ dynamoTables: { 'whyping-locks': 'fixId' } });
    const a = new DynamoDbLeases(sb.dynamodb, 'whyping-locks', silentLogger);
    const b = new DynamoDbLeases(sb.dynamodb, 'whyping-locks', silentLogger);
    const first = await a.acquire('fix-eip', TTL);
    expect(await b.acquire('fix-eip', { holder: 'U2', ttlMs: 60_000 })).toEqual({ heldBy: 'U1' });
    if ('lease' in first) await first.lease.release();
    expect('lease' in (await b.acquire('fix-eip', { holder: 'U2', ttlMs: 60_000 }))).toBe(true);
    expect(
      sb.calls.filter((c) => c.service === 'dynamodb').map((c) => `${c.operation}${c.error ? `:${c.error}` : ''}`),
    ).toEqual(['PutItem', 'PutItem:ConditionalCheckFailedException', 'DeleteItem', 'PutItem']);
  });

  it('takes over a lease whose holder died once it has expired', async () => {
    let now = Date.parse('2026-12-07T05:00:00Z');
    const sb = createSandbox({ dynamoTables: { 'whyping-locks': 'fixId' } });
    const dead = new DynamoDbLeases(sb.dynamodb, 'whyping-locks', silentLogger, () => now);
    await dead.acquire('fix-eip', { holder: 'U1', ttlMs: 5_000 });
    now += 6_000;
    const next = new DynamoDbLeases(sb.dynamodb, 'whyping-locks', silentLogger, () => now);
    expect('lease' in (await next.acquire('fix-eip', { holder: 'U2', ttlMs: 5_000 }))).toBe(true);
  });
});

describe('two clicks on one fix', () => {
  const EIC: Query = { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 };

  function depsOf(sb: Sandbox, leases?: LeaseStore): Deps {
    return {
      clients: sb.clients,
      region: sb.region,
      logger: silentLogger,
      now: () => new Date('2026-12-07T05:00:00Z'),
      sleep: async () => {},
      probesEnabled: false,
      ...(leases ? { leases } : {}),
    };
  }

  async function eipFixId(sb: Sandbox): Promise<string> {
    const d = await investigate(EIC, { kind: 'live', deps: depsOf(sb) });
    const plan = fixPlansOf(d).find((p) => p.action === 'AllocateAndAssociateAddress');
    if (!plan) throw new Error('the seed lab must propose an Elastic IP for EC2 Instance Connect');
    return plan.id;
  }

  const allocations = (sb: Sandbox) => sb.calls.filter((c) => c.operation === 'AllocateAddress' && !c.error).length;

  it('racing in one process, allocate one Elastic IP: the second is told the fix is in progress', async () => {
    const sb = createSandbox();
    const id = await eipFixId(sb);
    const deps = depsOf(sb, new InProcessLeases());
    const [r1, r2] = await Promise.all([
      applyFix(deps, EIC, id, { actor: 'U1', confirm: async () => true, undo: TEST_UNDO }),
      applyFix(deps, EIC, id, { actor: 'U2', confirm: async () => true, undo: TEST_UNDO }),
    ]);
    expect(allocations(sb)).toBe(1);
    expect([r1.status, r2.status]).toEqual(['applied', 'refused']);
    expect(r2.message).toBe(
      `In progress: ${id} is being applied right now (asked by U1: a second click, here or on another replica). Nothing was changed by this request.`,
    );
  });

  it('racing on two replicas that share a DynamoDB lock table, allocate one Elastic IP', async () => {
    const sb = createSandbox({ dynamoTables: { 'whyping-locks': 'fixId' } });
    const id = await eipFixId(sb);
    const replica = () => depsOf(sb, new DynamoDbLeases(sb.dynamodb, 'whyping-locks', silentLogger));
    const reports = await Promise.all([
      applyFix(replica(), EIC, id, { actor: 'U1', confirm: async () => true, undo: TEST_UNDO }),
      applyFix(replica(), EIC, id, { actor: 'U2', confirm: async () => true, undo: TEST_UNDO }),
    ]);
    expect(allocations(sb)).toBe(1);
    expect(reports.map((r) => r.status).sort()).toEqual(['applied', 'refused']);
    // Released afterwards: a later click re-checks fresh state and finds the fix in place.
    const later = await applyFix(replica(), EIC, id, { actor: 'U3', confirm: async () => true, undo: TEST_UNDO });
    expect(later.status).toBe('already-in-place');
    expect(allocations(sb)).toBe(1);
  });

  it('without a shared table, two replicas would each allocate one (why WHYPING_LOCK_TABLE exists)', async () => {
    const sb = createSandbox();
    const id = await eipFixId(sb);
    await Promise.all([
      applyFix(depsOf(sb, new InProcessLeases()), EIC, id, { actor: 'U1', confirm: async () => true, undo: TEST_UNDO }),
      applyFix(depsOf(sb, new InProcessLeases()), EIC, id, { actor: 'U2', confirm: async () => true, undo: TEST_UNDO }),
    ]);
    expect(allocations(sb)).toBe(2);
  });
});
