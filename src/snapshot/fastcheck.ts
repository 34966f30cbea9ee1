/**
 * A fast path for zod: turns a (transform-free) zod schema into the source of a plain predicate that checks a value
 * without allocating. A snapshot of 20,000 security groups holds about a million nested objects, and zod's parse
 * copies every one; the predicate answers "valid" in a fraction of that time. The zod schema stays the only
 * definition: scripts/gen-checks.ts writes the predicates into checks.generated.ts (so a valid snapshot loads without
 * zod), a test fails when that file is stale, and when a predicate says "invalid", zod parses the value again to
 * produce the error message and path.
 */
import type { z } from 'zod';

/** A compiled check: true when the value certainly satisfies the schema. */
export type FastCheck = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: { check?: string; format?: string; pattern?: RegExp; fn?: (v: unknown) => unknown } } }[];
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  keyType?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
}

/**
 * Emits the source of predicates: one function per object schema (`c0`, `c1`, …, shared where schemas are shared),
 * one line per field; one function per array and record type, looping over its items.
 */
class Emitter {
  /** Regular expressions the source names as R0, R1, … (hoisted: a literal in a loop is re-created each time). */
  readonly regexps: RegExp[] = [];
  readonly functions: string[] = [];
  private readonly named = new Map<Def, string>();
  private readonly byBody = new Map<string, string>();

  /** `names` names the refinement functions (`isCidr`, returning a boolean), which the generated module imports. */
  constructor(private readonly names: ReadonlyMap<unknown, string>) {}

  private regexp(re: RegExp): string {
    let i = this.regexps.findIndex((r) => r.source === re.source && r.flags === re.flags);
    if (i < 0) i = this.regexps.push(re) - 1;
    return `R${i}`;
  }

  /** `&& …` for the string/number checks of `def` on `x`; null when one is unsupported. */
  private checks(def: Def, x: string): string | null {
    let out = '';
    for (const c of def.checks ?? []) {
      const d = c._zod.def;
      if (d.check === 'string_format' && d.format === 'regex' && d.pattern instanceof RegExp && !d.pattern.global) {
        out += ` && ${this.regexp(d.pattern)}.test(${x})`;
      } else if (d.check === 'number_format' && d.format === 'safeint') {
        out += ` && Number.isSafeInteger(${x})`;
      } else if (d.check === 'custom' && typeof d.fn === 'function' && this.names.has(d.fn)) {
        out += ` && ${this.names.get(d.fn)}(${x})`;
      } else return null;
    }
    return out;
  }

  /** The name of a function checking one value against `def` (one function per distinct body). */
  fn(def: Def): string | null {
    const known = this.named.get(def);
    if (known) return known;
    const body = this.body(def);
    if (body === null) return null;
    let name = this.byBody.get(body);
    if (!name) {
      name = `c${this.byBody.size}`;
      this.byBody.set(body, name);
      this.functions.push(
        body.startsWith('return ') && !body.includes(';\n')
          ? `const ${name} = (x: any): boolean => ${body.slice('return '.length, -1)};`
          : `function ${name}(x: any): boolean {\n${body}\n}`,
      );
    }
    this.named.set(def, name);
    return name;
  }

  /**
   * A function body for `def`. Arrays and records loop here, each with its element's own function: a shared helper
   * taking the function as an argument would be one call site for every type, which V8 cannot inline.
   */
  private body(def: Def): string | null {
    if (def.type === 'array' || def.type === 'record') {
      if (this.checks(def, 'x') === null) return null;
    }
    if (def.type === 'array') {
      const el = def.element && this.fn(def.element._zod.def);
      if (!el) return null;
      return `if (!Array.isArray(x)) return false;\nfor (let i = 0; i < x.length; i++) if (!${el}(x[i])) return false;\nreturn true;`;
    }
    if (def.type === 'record') {
      const k = def.keyType && this.fn(def.keyType._zod.def);
      const v = def.valueType && this.fn(def.valueType._zod.def);
      if (!k || !v) return null;
      return `if (!obj(x)) return false;\nfor (const key of Object.keys(x)) if (!${k}(key) || !${v}(x[key])) return false;\nreturn true;`;
    }
    const e = this.expr(def, 'x', true);
    return e === null ? null : `return ${e};`;
  }

  /**
   * An expression true when `x` (an identifier or property access) satisfies `def`; null when unsupported. A nested
   * object is checked by its own function (`top` is false), so each function reads one level of fields.
   */
  expr(def: Def, x: string, top = false): string | null {
    const checks = this.checks(def, x);
    if (checks === null) return null;
    switch (def.type) {
      case 'string':
        return `typeof ${x} === 'string'${checks}`;
      case 'number':
        return `typeof ${x} === 'number' && Number.isFinite(${x})${checks}`;
      case 'boolean':
        return `typeof ${x} === 'boolean'`;
      case 'optional':
      case 'nullable': {
        if (!def.innerType) return null;
        if (!top) {
          // A field that may be missing gets its own small function (V8 inlines it): one short term per field.
          const name = this.fn(def);
          return name ? `${name}(${x})` : null;
        }
        const innerDef = def.innerType._zod.def;
        // nullish(): optional(nullable(T)) is `== null` (undefined or null) or T.
        if (def.type === 'optional' && innerDef.type === 'nullable' && innerDef.innerType) {
          const inner = this.expr(innerDef.innerType._zod.def, x);
          return inner ? `(${x} == null || ${inner})` : null;
        }
        const inner = this.expr(innerDef, x);
        if (!inner) return null;
        return `(${x} === ${def.type === 'optional' ? 'undefined' : 'null'} || ${inner})`;
      }
      case 'array':
      case 'record': {
        const name = this.fn(def);
        return name ? `${name}(${x})` : null;
      }
      case 'object': {
        if (!def.shape) return null;
        if (!top) {
          const name = this.fn(def);
          return name ? `${name}(${x})` : null;
        }
        const parts = [`obj(${x})`];
        for (const [key, schema] of Object.entries(def.shape)) {
          const access = /^[A-Za-z_$][\w$]*$/.test(key) ? `${x}.${key}` : `${x}[${JSON.stringify(key)}]`;
          const inner = this.expr(schema._zod.def, access);
          if (!inner) return null;
          parts.push(inner);
        }
        return parts.join(' && ');
      }
      default:
        return null; // unions, transforms, pipes …: no fast path, zod parses
    }
  }
}

const PRELUDE = `function obj(x: any): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}`;

/**
 * The source of a module exporting FAST_CHECKS: one predicate per key, true when a value certainly satisfies the
 * key's schema. `names` names the refinement functions the schemas use (the header imports them). Throws when a
 * schema uses something the fast path does not support (every key must have one).
 */
export function fastCheckModule(
  schemas: Record<string, z.ZodType>,
  names: ReadonlyMap<unknown, string>,
  header: string,
): string {
  const emitter = new Emitter(names);
  const entries: string[] = [];
  for (const [key, schema] of Object.entries(schemas)) {
    const name = emitter.fn((schema as unknown as { _zod: { def: Def } })._zod.def);
    if (name === null) throw new Error(`${key}: the schema uses something the fast check does not support`);
    entries.push(`${key}: ${name},`);
  }
  const regexps = emitter.regexps.map((re, i) => `const R${i} = /${re.source}/${re.flags};`);
  return [
    header,
    regexps.join('\n'),
    PRELUDE,
    emitter.functions.join('\n'),
    `export const FAST_CHECKS: Record<string, (x: unknown) => boolean> = {\n${entries.join('\n')}\n};\n`,
  ].join('\n\n');
}
