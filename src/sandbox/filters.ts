/** EC2 `Filters` as AWS applies them: values OR'ed, filters AND'ed, `*` and `?` wildcards, tag filters. */
import type { Filter, Tag } from '@aws-sdk/client-ec2';

/** Values a resource has for each filter name (arrays: any element may match; a function is called when needed). */
export type FieldValues = Record<string, unknown>;

/** Thrown for a filter name the operation does not know (AWS answers InvalidParameterValue). */
export class UnknownFilterError extends Error {
  constructor(readonly filterName: string) {
    super(`The filter '${filterName}' is invalid`);
  }
}

/** Converts an EC2 filter value with `*` / `?` wildcards (backslash escapes them) to a RegExp. */
export function wildcardRegExp(value: string): RegExp {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && i + 1 < value.length) {
      out += escapeRe(value[++i] as string);
    } else if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += escapeRe(c);
  }
  return new RegExp(`^${out}$`, 's');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function asStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(asStrings);
  if (v instanceof Date) return [v.toISOString()];
  return [String(v)];
}

/** Compiled patterns per filter object: one request's filters are compiled once, not once per item. */
const compiled = new WeakMap<Filter, RegExp[]>();

function patterns(f: Filter): RegExp[] {
  let res = compiled.get(f);
  if (!res) {
    res = (f.Values ?? []).map(wildcardRegExp);
    compiled.set(f, res);
  }
  return res;
}

/** True when `item` passes every filter. `fields` gives its values by filter name; tags come from `tags`. */
export function matchesFilters(fields: FieldValues, tags: Tag[] | undefined, filters: Filter[] | undefined): boolean {
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    const wanted = patterns(f);
    let have: string[];
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      have = (tags ?? []).filter((t) => t.Key === key).map((t) => t.Value ?? '');
    } else if (name === 'tag-key') {
      have = (tags ?? []).map((t) => t.Key ?? '');
    } else if (name === 'tag-value') {
      have = (tags ?? []).map((t) => t.Value ?? '');
    } else if (Object.hasOwn(fields, name)) {
      const raw = fields[name];
      have = asStrings(typeof raw === 'function' ? raw() : raw);
    } else {
      throw new UnknownFilterError(name);
    }
    if (!have.some((h) => wanted.some((re) => re.test(h)))) return false;
  }
  return true;
}
