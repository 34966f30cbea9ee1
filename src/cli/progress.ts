/**
 * Signs of life on a terminal: the stage in progress on one line with its elapsed seconds ("Probing web-1 → db-1…
 * 3 s"), rewritten in place every second and cleared when the answer arrives. Not on a terminal (a pipe, a
 * transcript) it writes nothing at all.
 */
import type { TextOut } from './context.js';

/** The status line of one piece of work: `stage` shows (or replaces) the line, `done` clears it. */
export interface StatusLine {
  /** Shows `text` with the seconds since `since` (default: now). */
  stage(text: string, since?: number): void;
  done(): void;
}

const CLEAR = '\r\u001b[K';

/** A status line on `out` when it is a terminal; otherwise one that writes nothing. */
export function statusLine(out: TextOut, opts: { now?: () => number; dim?: (s: string) => string } = {}): StatusLine {
  if (out.isTTY !== true) return { stage: () => {}, done: () => {} };
  const now = opts.now ?? Date.now;
  const dim = opts.dim ?? ((s: string) => s);
  const width = typeof out.columns === 'number' && out.columns > 20 ? out.columns : 80;
  let label = '';
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let shown = false;
  const draw = () => {
    const seconds = `${Math.floor((now() - started) / 1000)} s`;
    // One line only: a label wider than the terminal would wrap, and \r would no longer reach its start.
    const room = width - 1 - seconds.length - 1;
    const text = [...label].length > room ? `${[...label].slice(0, Math.max(0, room - 1)).join('')}…` : label;
    out.write(`${CLEAR}${dim(`${text} ${seconds}`)}`);
    shown = true;
  };
  return {
    stage(text, since) {
      label = text;
      started = since ?? now();
      draw();
      if (!timer) {
        timer = setInterval(draw, 1000);
        timer.unref?.();
      }
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (shown) out.write(CLEAR);
      shown = false;
    },
  };
}
