/** The SDK returns timestamps as Date objects; scenario JSON holds ISO strings. Revive them on the way out. */

const TIMESTAMP_KEYS = new Set([
  'LaunchTime',
  'AttachTime',
  'CreateTime',
  'CreationTime',
  'CreationTimestamp',
  'DeleteTime',
  'ExpirationTime',
  'UsageOperationUpdateTime',
  'CreatedAt',
]);

/** Deep copy of `value` with the EC2 timestamp fields as Date objects, as the SDK deserializer produces them. */
export function reviveDates<T>(value: T): T {
  return revive(structuredClone(value)) as T;
}

function revive(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (TIMESTAMP_KEYS.has(k) && (typeof x === 'string' || typeof x === 'number')) {
        const d = new Date(typeof x === 'number' ? x * 1000 : x);
        o[k] = Number.isNaN(d.getTime()) ? x : d;
      } else {
        o[k] = revive(x);
      }
    }
  }
  return v;
}
