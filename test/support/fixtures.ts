/** Loading describe-* fixtures for the collect tests (a JSON file, or a folder of them merged by key). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';

const root = new URL('../../', import.meta.url).pathname;

/** Reads a JSON document, or every JSON document of a folder, relative to the repo root. */
export function loadDocs(relPath: string): Record<string, unknown>[] {
  const p = join(root, relPath);
  if (!statSync(p).isDirectory()) return [JSON.parse(readFileSync(p, 'utf8'))];
  return readdirSync(p)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(p, f), 'utf8')));
}

/** The test client of docs/contributing.md (`maxAttempts` overridable for retry tests). */
export function testEc2(maxAttempts = 1, region = 'us-east-1'): EC2Client {
  return new EC2Client({
    region,
    maxAttempts,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
}

/** JSON as written to disk (Dates → ISO strings) with every timestamp string compared as an instant. */
export function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, val) =>
    typeof val === 'string' && /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(val)
      ? new Date(val).toISOString()
      : val,
  );
}
