/** A fixed undo-token key for tests (the real ones come from core/secret.ts `resolveUndoSecret`). */
import type { UndoKey } from '../../src/core/apply-fix.js';

export const TEST_UNDO: UndoKey = { key: Buffer.alloc(32, 7), ttlHours: 168 };
