import { describe, expect, it } from 'vitest';
import { coalesced } from '../../src/cli/coalesce.js';

const nextTurn = () => new Promise<void>((done) => setImmediate(done));

describe('coalesced', () => {
  it('writes the lines of one turn together, and the next turn’s lines after them', async () => {
    const writes: string[] = [];
    const out = coalesced({ write: (t: string) => writes.push(t) });
    out.write('a\n');
    out.write('b\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\n']);
    out.write('c\n');
    await nextTurn();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once past 64 KiB, and flush writes what is pending (nothing twice)', async () => {
    const writes: string[] = [];
    const out = coalesced({ write: (t: string) => writes.push(t) });
    const big = `${'x'.repeat(64 * 1024)}\n`;
    out.write(big);
    expect(writes).toEqual([big]);
    out.write('tail\n');
    out.flush();
    expect(writes).toEqual([big, 'tail\n']);
    out.flush();
    await nextTurn();
    expect(writes).toEqual([big, 'tail\n']);
  });
});
