/** The shape every EC2 Describe answer shares: id lists (NotFound / Malformed), filters and paging. */
import type { Tag } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import { reviveDates } from '../dates.js';
import { type FieldValues, matchesFilters, UnknownFilterError } from '../filters.js';
import { type PageLimits, paginate } from '../pagination.js';
import type { SandboxState } from '../state.js';

interface DescribeSpec<T> {
  op: string;
  outputKey: string;
  items: (s: SandboxState) => T[];
  /** Input parameter listing ids (`VpcIds`) and how to read an item's id. */
  ids?: {
    param: string;
    of: (t: T) => string | undefined;
    prefix?: string;
    malformed?: string;
    notFound: (missing: string[]) => [string, string];
  };
  /** `Filters` (most operations) or `Filter` (DescribeNatGateways). */
  filterParam?: 'Filters' | 'Filter';
  fields: (t: T, s: SandboxState) => FieldValues;
  tags?: (t: T) => Tag[] | undefined;
  /** null: the operation does not paginate. */
  limits: PageLimits | null;
  /** AWS refuses MaxResults together with the id list for some operations. */
  idsExcludeMaxResults?: boolean;
  render?: (t: T, s: SandboxState) => unknown;
}

/** "The vpc ID 'vpc-1' does not exist" / "The vpc IDs 'vpc-1, vpc-2' do not exist". */
export function notFoundMessage(noun: string, missing: string[]): string {
  return missing.length === 1
    ? `The ${noun} ID '${missing[0]}' does not exist`
    : `The ${noun} IDs '${missing.join(', ')}' do not exist`;
}

export function filterOrFail(
  ctx: OpContext,
  fields: FieldValues,
  tags: Tag[] | undefined,
  filters: Input['Filters'],
): boolean {
  try {
    return matchesFilters(fields, tags, filters);
  } catch (e) {
    if (e instanceof UnknownFilterError) ctx.fail('InvalidParameterValue', e.message);
    throw e;
  }
}

export function describe<T>(spec: DescribeSpec<T>): Handler {
  return (input: Input, ctx: OpContext) => {
    const all = spec.items(ctx.state);
    let items = all;
    const ids = spec.ids ? (input[spec.ids.param] as string[] | undefined) : undefined;
    if (spec.ids && ids && ids.length > 0) {
      const idSpec = spec.ids;
      if (spec.idsExcludeMaxResults && input.MaxResults !== undefined) {
        ctx.fail(
          'InvalidParameterCombination',
          `The parameter ${idSpec.param} cannot be used with the parameter maxResults`,
        );
      }
      if (idSpec.prefix && idSpec.malformed) {
        const bad = ids.find((id) => !id.startsWith(`${idSpec.prefix}-`));
        if (bad !== undefined) ctx.fail(idSpec.malformed, `Invalid id: "${bad}"`);
      }
      const known = new Set(all.map((t) => idSpec.of(t)));
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length > 0) ctx.fail(...idSpec.notFound(missing));
      const wanted = new Set(ids);
      items = all.filter((t) => wanted.has(idSpec.of(t) ?? ''));
    }
    const filters = input[spec.filterParam ?? 'Filters'];
    if (!filters || filters.length === 0) return page(items);
    items = items.filter((t) =>
      filterOrFail(ctx, spec.fields(t, ctx.state), spec.tags ? spec.tags(t) : (t as { Tags?: Tag[] }).Tags, filters),
    );
    return page(items);

    function page(selected: T[]) {
      const render = (t: T) => reviveDates(spec.render ? spec.render(t, ctx.state) : t);
      if (!spec.limits) return { [spec.outputKey]: selected.map(render) };
      const { page: one, nextToken } = paginate(selected, input, spec.limits, spec.op, ctx);
      return { [spec.outputKey]: one.map(render), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
  };
}

export const byId = (noun: string, code: string) => (missing: string[]) =>
  [code, notFoundMessage(noun, missing)] as [string, string];
