/**
 * Lines written together: what one turn of the event loop produces goes out in one write (64 KiB at most), before the
 * process next waits for input. A batch's answers still stream as its lines arrive, in far fewer write(2) calls.
 */
export interface CoalescedOut {
  write(text: string): void;
  /** Writes what is pending now (before anything else is written to the stream or to another one). */
  flush(): void;
}

const MAX_PENDING = 64 * 1024;

export function coalesced(out: { write(text: string): unknown }): CoalescedOut {
  let pending = '';
  let scheduled: NodeJS.Immediate | null = null;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  return {
    write(text) {
      pending += text;
      if (pending.length >= MAX_PENDING) flush();
      else scheduled ??= setImmediate(flush);
    },
    flush,
  };
}
