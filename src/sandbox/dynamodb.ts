/**
 * DynamoDB in the sandbox, as much as the fix lease needs (src/core/lease.ts): PutItem, GetItem and DeleteItem on
 * tables the sandbox was given (`createSandbox({ dynamoTables })`), with condition expressions made of
 * `attribute_exists(a)`, `attribute_not_exists(a)` and comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`) joined by AND /
 * OR (AND first), names and values through `#name` / `:value`. Anything else is refused with a ValidationException,
 * as DynamoDB refuses what it cannot parse.
 */
import type { Handler, Input, OpContext } from './context.js';
import { dynamoError } from './errors.js';

type Item = Record<string, AttributeValue>;
type AttributeValue = { S?: string; N?: string; BOOL?: boolean };

function table(input: Input, ctx: OpContext) {
  const t = ctx.state.dynamoTables.get(String(input.TableName));
  if (!t) ctx.fail('ResourceNotFoundException', 'Requested resource not found');
  return t as NonNullable<typeof t>;
}

function keyOf(item: Item | undefined, keyName: string, ctx: OpContext): string {
  const v = item?.[keyName];
  if (!v || v.S === undefined) {
    ctx.fail('ValidationException', 'One of the required keys was not given a value');
  }
  return (v as AttributeValue).S as string;
}

/** The value of one operand: an attribute of the item (`#name` or a plain name) or an expression value (`:v`). */
function operand(token: string, item: Item | undefined, input: Input, ctx: OpContext): AttributeValue | undefined {
  if (token.startsWith(':')) {
    const v = input.ExpressionAttributeValues?.[token];
    if (!v) ctx.fail('ValidationException', `Value provided in ExpressionAttributeValues unused or missing: ${token}`);
    return v;
  }
  const name = token.startsWith('#') ? input.ExpressionAttributeNames?.[token] : token;
  if (!name)
    ctx.fail(
      'ValidationException',
      `An expression attribute name used in the document path is not defined; attribute name: ${token}`,
    );
  return item?.[name as string];
}

function compare(a: AttributeValue | undefined, op: string, b: AttributeValue | undefined): boolean {
  if (!a || !b) return false;
  const x = a.N !== undefined ? Number(a.N) : (a.S ?? String(a.BOOL));
  const y = b.N !== undefined ? Number(b.N) : (b.S ?? String(b.BOOL));
  switch (op) {
    case '=':
      return x === y;
    case '<>':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

/** Evaluates a condition expression against the item as it is (undefined: no such item). */
export function conditionHolds(expression: string, item: Item | undefined, input: Input, ctx: OpContext): boolean {
  return expression.split(/\s+OR\s+/i).some((conjunction) =>
    conjunction.split(/\s+AND\s+/i).every((term) => {
      const t = term.trim();
      const fn = /^(attribute_exists|attribute_not_exists)\(\s*([#:]?[A-Za-z0-9_]+)\s*\)$/.exec(t);
      if (fn) {
        const present = operand(fn[2] as string, item, input, ctx) !== undefined;
        return fn[1] === 'attribute_exists' ? present : !present;
      }
      const cmp = /^([#:]?[A-Za-z0-9_]+)\s*(=|<>|<=|>=|<|>)\s*([#:]?[A-Za-z0-9_]+)$/.exec(t);
      if (!cmp)
        ctx.fail('ValidationException', `Invalid ConditionExpression: the whyping sandbox does not parse "${t}"`);
      const [, left, op, right] = cmp as RegExpExecArray;
      return compare(
        operand(left as string, item, input, ctx),
        op as string,
        operand(right as string, item, input, ctx),
      );
    }),
  );
}

/** Fails with ConditionalCheckFailedException (carrying the item when asked) when the condition does not hold. */
function check(input: Input, item: Item | undefined, ctx: OpContext): void {
  if (!input.ConditionExpression || conditionHolds(String(input.ConditionExpression), item, input, ctx)) return;
  const extra = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && item ? { Item: structuredClone(item) } : {};
  throw dynamoError('ConditionalCheckFailedException', 'The conditional request failed', ctx.requestId, extra);
}

export const dynamoHandlers: Record<string, Handler> = {
  PutItem(input, ctx) {
    const t = table(input, ctx);
    const key = keyOf(input.Item, t.key, ctx);
    check(input, t.items.get(key) as Item | undefined, ctx);
    t.items.set(key, structuredClone(input.Item));
    return {};
  },
  GetItem(input, ctx) {
    const t = table(input, ctx);
    const item = t.items.get(keyOf(input.Key, t.key, ctx));
    return item ? { Item: structuredClone(item) } : {};
  },
  DeleteItem(input, ctx) {
    const t = table(input, ctx);
    const key = keyOf(input.Key, t.key, ctx);
    check(input, t.items.get(key) as Item | undefined, ctx);
    t.items.delete(key);
    return {};
  },
};
