/**
 * Signs of life on a terminal: the stage in progress on one line with its elapsed seconds ("Probing web-1 → db-1…
 * 3 s"), rewritten in place every second and cleared when the answer arrives. Not on a terminal (a pipe, a
 * transcript) it writes nothing at all.
 */
import type { TextOut } from './context.js';

/** The status line of one piece of work: `stage` shows (or replaces) the line, `done` clears it. */
export interface StatusLine {
  /** Shows `text` with its elapsed seconds, counted from now and redrawn every second. */
  stage(text: string): void;
  /** Shows `text` alone, without seconds: for work that holds the process, where no timer can tick. */
  show(text: string): void;
  done(): void;
}

const CLEAR = '\r\u001b[K';

/** A status line on `out` when it is a terminal; otherwise one that writes nothing. */
export function statusLine(out: TextOut, opts: { now?: () => number; dim?: (s: string) => string } = {}): StatusLine {
  if (out.isTTY !== true) return { stage: () => {}, show: () => {}, done: () => {} };
  const now = opts.now ?? Date.now;
  const dim = opts.dim ?? ((s: string) => s);
  const width = typeof out.columns === 'number' && out.columns > 20 ? out.columns : 80;
  let label = '';
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let shown = false;
  // One line only: a label wider than the terminal would wrap, and \r would no longer reach its start.
  const clip = (text: string, room: number) =>
    [...text].length > room ? `${[...text].slice(0, Math.max(0, room - 1)).join('')}…` : text;
  const draw = () => {
    const seconds = `${Math.floor((now() - started) / 1000)} s`;
    out.write(`${CLEAR}${dim(`${clip(label, width - 1 - seconds.length - 1)} ${seconds}`)}`);
    shown = true;
  };
  return {
    stage(text) {
      label = text;
      started = now();
      draw();
      if (!timer) {
        timer = setInterval(draw, 1000);
        timer.unref?.();
      }
    },
    show(text) {
      if (timer) clearInterval(timer);
      timer = undefined;
      out.write(`${CLEAR}${dim(clip(text, width - 1))}`);
      shown = true;
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (shown) out.write(CLEAR);
      shown = false;
    },
  };
}
