/** Slack's Block Kit limits, checked on a message's blocks (test/render/blocks.test.ts, test/engine/ends-sweep.test.ts). */
import { type Block, LIMITS } from '../../src/render/blocks.js';

/** Every text, button and confirm in a message, checked against Slack's limits; returns the problems. */
export function limitProblems(blocks: Block[]): string[] {
  const problems: string[] = [];
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks`);
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'actions' && Array.isArray(o.elements) && o.elements.length > LIMITS.actions)
        problems.push(`${path}: ${o.elements.length} elements`);
      if (o.type === 'button' && String(o.value).length > LIMITS.buttonValue) problems.push(`${path}: button value`);
      const label = (o.text as { text?: unknown } | undefined)?.text;
      if (o.type === 'button' && String(label).length > LIMITS.buttonText)
        problems.push(`${path}: button text ${String(label).length}`);
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && String(o.text).length > LIMITS.text)
        problems.push(`${path}: text ${String(o.text).length}`);
      if (o.type === 'button' && o.confirm) {
        const text = (o.confirm as { text: { text: string } }).text.text;
        if (text.length > LIMITS.confirmText) problems.push(`${path}: confirm ${text.length}`);
      }
      for (const [k, x] of Object.entries(o)) walk(x, `${path}.${k}`);
    }
  };
  walk(blocks, 'blocks');
  return problems;
}

/** A whole message: its blocks (limitProblems) and its fallback text. */
export function messageProblems(message: { text?: string; blocks: Block[] }): string[] {
  const problems = limitProblems(message.blocks);
  if ((message.text ?? '').length > LIMITS.fallbackText) problems.push(`text ${(message.text ?? '').length}`);
  return problems;
}
