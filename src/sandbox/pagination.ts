/** MaxResults / NextToken as EC2 does them: an opaque token, limits checked, ids and MaxResults not mixed. */
import type { OpContext } from './context.js';

/** Page limits of an operation: AWS rejects MaxResults outside [min, max]. */
export interface PageLimits {
  min: number;
  max: number;
}

/** Returns one page of `items` and the token of the next one (absent on the last page). */
export function paginate<T>(
  items: T[],
  input: { MaxResults?: number; NextToken?: string },
  limits: PageLimits,
  op: string,
  ctx: OpContext,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (input.NextToken !== undefined && input.NextToken !== '') {
    start = decodeToken(input.NextToken, op);
    if (start < 0 || start > items.length)
      ctx.fail('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
  }
  if (input.MaxResults === undefined) return { page: items.slice(start) };
  const max = input.MaxResults;
  if (!Number.isInteger(max) || max < limits.min || max > limits.max) {
    ctx.fail(
      'InvalidParameterValue',
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  const end = start + max;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: encodeToken(end, op) } : { page };
}

function encodeToken(offset: number, op: string): string {
  return Buffer.from(JSON.stringify({ op, offset })).toString('base64');
}

function decodeToken(token: string, op: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { op?: unknown; offset?: unknown };
    if (parsed.op !== op || typeof parsed.offset !== 'number') return -1;
    return parsed.offset;
  } catch {
    return -1;
  }
}
