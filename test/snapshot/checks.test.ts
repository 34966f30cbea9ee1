/**
 * The generated fast checks (src/snapshot/checks.generated.ts) are the zod schemas of src/snapshot/schema.ts turned
 * into plain code: regenerating them must give the committed file, or a schema change would be checked by stale
 * predicates. Fix: `npx tsx scripts/gen-checks.ts`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, generatedChecks } from '../../scripts/gen-checks.js';

describe('checks.generated.ts', () => {
  it('is what scripts/gen-checks.ts makes of the current schemas', () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedChecks());
  });
});
