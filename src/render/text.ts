/**
 * The terminal presenter: verdict, both paths hop by hop, every blocker with its evidence and fix, numbered fixes,
 * the probe and warnings. Pure; colours only when the caller says the output is a terminal.
 */
import { styleText } from 'node:util';
import { fixPlansOf } from '../core/fix-order.js';
import { probeSkippedText } from '../model/diagnosis.js';
import type {
  Component,
  Diagnosis,
  Finding,
  FixPlan,
  Hop,
  ProbeDirectionResult,
  Query,
  ResolvedEndpoint,
} from '../model/index.js';

/** Options of the text renderer. */
export interface TextOptions {
  /** ANSI colours (only on a TTY; NO_COLOR respected by the caller). */
  color?: boolean;
  /** The numbers a conversation gave these fixes (stable across its answers); default 1, 2, … in apply order. */
  fixNumbers?: ReadonlyMap<string, number>;
  /**
   * The terminal's width: every line is wrapped to it with a hanging indent (a lone unbreakable token may exceed
   * it), and a hop is one line cut to it. Absent: no wrapping (Slack wraps for itself).
   */
  width?: number;
  /** The full rule text of every hop, each fix's id and undo, and the blockers' evidence. */
  verbose?: boolean;
  /** Under the fixes, the line that says how to apply them in a conversation (`fix N`, `fix all`). */
  howToApply?: boolean;
  /** False: the fixes by number only (a conversation's `fix N`, Slack's buttons carry the ids). Default: ids shown. */
  fixIds?: boolean;
  /** False: leave out both paths (the summary after a fix; `paths` shows them). Default true. */
  paths?: boolean;
}

type Style = (s: string) => string;
/** The styles of terminal text: plain, or ANSI colours. */
export interface Palette {
  ok: Style;
  bad: Style;
  warn: Style;
  bold: Style;
  dim: Style;
}

// Whether to colour is decided once by the caller (useColor: NO_COLOR, FORCE_COLOR, a TTY), for the stream written
// to: styleText must not check process.stdout again (it does by default since Node 20.19).
const style =
  (format: 'green' | 'red' | 'yellow' | 'bold' | 'dim'): Style =>
  (s) =>
    styleText(format, s, { validateStream: false });
const plain: Style = (s) => s;
const COLORS: Palette = {
  ok: style('green'),
  bad: style('red'),
  warn: style('yellow'),
  bold: style('bold'),
  dim: style('dim'),
};
const PLAIN: Palette = { ok: plain, bad: plain, warn: plain, bold: plain, dim: plain };

/** ANSI colours when `color`, else plain text: the one source of terminal styles (render and the shell). */
export function palette(color: boolean | undefined): Palette {
  return color ? COLORS : PLAIN;
}

// Snapshot data (tag values, rule descriptions) is user-controlled: never let it write escape sequences to a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove control characters
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/**
 * Removes the control characters (ESC, CSI, BEL, CR …; newlines and tabs are kept) from text that may carry
 * resource data (Name tags, descriptions, AWS messages), so it cannot move the cursor, retitle or clear a terminal.
 * Every front end writes resource-derived text through this.
 */
export function sanitizeTerminalText(s: string): string {
  return s.replace(CONTROL, '');
}
const clean = sanitizeTerminalText;

/** The fixes of a diagnosis, one per id, in apply order: the numbers users type in `fix 2` (core's one order). */
export const numberedFixes: (d: Diagnosis) => FixPlan[] = fixPlansOf;

/** The question in words: `ping (ICMP)`, `TCP 443`. */
export function describeProtocol(q: Pick<Query, 'protocol' | 'port'>): string {
  return q.protocol === 'icmp' ? 'ping (ICMP)' : `${q.protocol.toUpperCase()} ${q.port}`;
}

/** An endpoint in words: `Instance - NextWork VPC 1 (i-0abc, 10.1.0.12)`. */
export function describeEndpoint(e: ResolvedEndpoint): string {
  if (e.sourceRange) {
    const pl = e.sourceRange.prefixListId ? `, ${e.sourceRange.prefixListId}` : '';
    return clean(`${e.sourceRange.label} [${e.sourceRange.cidrs.join(', ')}${pl}]`);
  }
  if (e.kind === 'internet') return e.ip ? `the internet (${e.ip})` : 'the internet';
  const label = e.name ?? e.input;
  const facts = [e.id && e.id !== label ? e.id : null, e.ip && e.ip !== label ? e.ip : null].filter(Boolean);
  if (e.viaPublicIp) facts.push('public IP');
  return clean(facts.length ? `${label} (${facts.join(', ')})` : label);
}

/** The one-line verdict. */
export function verdictLine(d: Diagnosis, opts: TextOptions = {}): string {
  const c = palette(opts.color);
  const from = describeEndpoint(d.endpoints.from);
  const to = describeEndpoint(d.endpoints.to);
  const what = describeProtocol(d.query);
  if (d.reachable === true) {
    const partly = partlyDeniedNote(d);
    if (partly) return c.warn(c.bold(`✓ Reachable, with intermittent failures: ${from} → ${to}, ${what} (${partly}).`));
    return c.ok(c.bold(`✓ Reachable: ${from} → ${to}, ${what}.`));
  }
  if (d.reachable === null) {
    const na = d.notAnalyzed;
    // The query itself can be what is outside the model (an IPv6 end): then the reason alone says it.
    const where = !na
      ? ''
      : na.component === 'query'
        ? ` ${na.reason}`
        : ` the path crosses ${componentName(na.component as Component)} ${na.id}: ${na.reason}`;
    return c.warn(c.bold(`? Not analyzed: ${from} → ${to}, ${what};${clean(where)}.`));
  }
  const n = d.findings.length;
  const count = n === 1 ? '1 blocker' : `${n} blockers`;
  return c.bad(c.bold(`✗ Not reachable: ${from} → ${to}, ${what} (${count}).`));
}

/**
 * For an answer that is reachable although network ACLs deny part of the client's ephemeral ports: how many
 * connections fail, in a few words (`about 0.0016 % of connections fail: see Warnings`); else null.
 */
export function partlyDeniedNote(d: Diagnosis): string | null {
  const parts = d.partlyDenied ?? [];
  const [only] = parts;
  if (!only) return null;
  // Several ACLs may sit on one reply path (their shares add up) or on different ones (a NAT gateway's side, another
  // target): no single number says it, so the warnings do.
  if (parts.length > 1) return `${parts.length} network ACLs deny part of the client's ephemeral ports; see Warnings`;
  return `about ${Number((only.share * 100).toPrecision(2))} % of connections fail: a network ACL denies part of the client's ephemeral ports; see Warnings`;
}

/** The terminal's width when it cannot be asked (a pipe, a file): 80 columns. */
export const DEFAULT_WIDTH = 80;

/**
 * Renders a whole diagnosis for a terminal: the verdict, the blockers (each naming its fix by number), the fixes
 * and how to apply them first — what a person in an incident reads — then the probe, hints and warnings, then both
 * paths, one short line a hop.
 */
export function renderText(d: Diagnosis, opts: TextOptions = {}): string {
  const c = palette(opts.color);
  const verbose = opts.verbose === true;
  const out: string[] = [verdictLine(d, opts)];

  const fixes = numberedFixes(d);
  const fixNumber = opts.fixNumbers ?? new Map(fixes.map((f, i) => [f.id, i + 1]));
  if (d.findings.length > 0) {
    out.push('', c.bold(`Blockers (${d.findings.length})`));
    d.findings.forEach((f, i) => {
      out.push(...blocker(f, i + 1, fixNumber, c, verbose));
    });
  }
  if (fixes.length > 0) {
    // In a conversation the heading says how to apply them: the first screen ends with the last fix.
    const how = opts.howToApply ? ' — type fix N or fix all (whyping asks first)' : '';
    out.push('', `${c.bold('Fixes (in apply order)')}${how}`);
    fixes.forEach((f, i) => {
      const n = fixNumber.get(f.id) ?? i + 1;
      const once = f.reversible ? '' : c.dim(' (cannot be undone)');
      // The id is what `whyping fix … --apply <fix-id>` takes; the number is what a conversation's `fix N` takes.
      const id = (opts.howToApply || opts.fixIds === false) && !verbose ? '' : c.dim(`  [${clean(f.id)}]`);
      out.push(`  ${n}. ${clean(f.summary)}${once}${id}`);
      if (verbose) out.push(c.dim(`     ${f.action}; ${f.reversible ? 'undo: ' : ''}${clean(f.undo)}`));
      for (const w of f.warnings ?? []) out.push(`     ${c.warn('WARNING')}: ${clean(w)}`);
    });
  }
  if (d.probe) {
    out.push('', c.bold('Live probe'));
    out.push(...probeLines(d.probe, c));
    if (d.probe.reverse) out.push(...probeLines(d.probe.reverse, c));
  }
  if (d.instanceConnect) {
    const k = d.instanceConnect;
    const mark = k.ok === true ? c.ok('✓') : k.ok === false ? c.bad('✗') : c.dim('–');
    out.push('', c.bold('EC2 Instance Connect key push'));
    out.push(`  ${mark} ${clean(k.osUser)}@${clean(k.instanceId ?? '?')}: ${clean(k.message)}`);
  }
  if (d.hints && d.hints.length > 0) {
    out.push('', c.bold('Hints'));
    for (const h of d.hints) out.push(`  • ${clean(h)}`);
  }
  if (d.warnings.length > 0) {
    out.push('', c.bold('Warnings'));
    for (const w of d.warnings) out.push(c.warn(`  ! ${clean(w)}`));
  }
  const short = !verbose && opts.width !== undefined ? opts.width : undefined;
  if (opts.paths !== false) {
    out.push('', c.bold('Request path (forward)'));
    out.push(...hops(d.forward, c, verbose, short));
    out.push('', c.bold('Reply path (return)'));
    out.push(...hops(d.return, c, verbose, short));
  } else {
    out.push(c.dim('(paths shows every hop)'));
  }
  const lines = opts.width === undefined ? out : out.flatMap((l) => wrapLine(l, opts.width as number));
  return `${lines.join('\n')}\n`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: SGR sequences take no room on screen
const SGR = /\u001b\[[0-9;]*m/g;
/** The columns a line takes on screen (colours take none). */
export function visibleWidth(s: string): number {
  return [...s.replace(SGR, '')].length;
}

/**
 * Wraps one line to `width` columns at spaces, continuing under the text after its indent and list marker (`  1. `,
 * `  ✓ `, `  - `); a word longer than the room stays whole on its own line.
 */
export function wrapLine(line: string, width: number): string[] {
  if (visibleWidth(line) <= width) return [line];
  const plainLine = line.replace(SGR, '');
  const marker = /^(\s*(?:\d+\.|[-•!✓✗◦?=…]|[\w ]+:)?\s*)/.exec(plainLine)?.[1] ?? '';
  const hang = ' '.repeat(Math.min([...marker].length, Math.floor(width / 2)));
  const lead = /^ */.exec(line)?.[0] ?? '';
  const words = line.slice(lead.length).split(' ');
  const lines: string[] = [];
  let cur = lead;
  for (const w of words) {
    const candidate = cur.trim() === '' ? `${cur}${w}` : `${cur} ${w}`;
    if (visibleWidth(candidate) <= width || cur.trim() === '') {
      cur = candidate;
    } else {
      lines.push(cur.trimEnd());
      cur = `${hang}${w}`;
    }
  }
  if (cur.trim() !== '') lines.push(cur);
  return lines.filter((l) => l.trim() !== '' || lines.length === 1);
}

/** A hop after a blocker on the same path (or one that assumes a fix) passes only if the blocker is fixed. */
function hypothetical(h: Hop, afterBlocker: boolean): boolean {
  return h.allowed && (afterBlocker || /^assuming\b/i.test(h.detail ?? ''));
}

function hops(list: Hop[], c: Palette, verbose: boolean, width: number | undefined): string[] {
  if (list.length === 0) return [c.dim('  (no hops: the path was not traced)')];
  let blocked = false;
  return list.map((h) => {
    const ifFixed = hypothetical(h, blocked);
    if (!h.allowed) blocked = true;
    const dir = h.direction ? ` ${h.direction === 'ingress' ? 'inbound' : 'outbound'}` : '';
    const id = h.id && h.id !== h.component ? ` ${clean(h.id)}` : '';
    const head = `${componentName(h.component)}${id}${dir}: `;
    if (ifFixed) {
      // Not a real pass: what the trace finds beyond a blocker, or with a fix assumed.
      const tail = verbose && h.detail ? ` — ${clean(h.detail)}` : '';
      return c.dim(cut(`  ◦ ${head}${clean(h.rule)}${tail} (if fixed)`, width, ' (if fixed)'));
    }
    const mark = h.allowed ? c.ok('✓') : c.bad('✗');
    if (!verbose) return `  ${mark} ${cut(`${head}${clean(h.rule)}`, width === undefined ? undefined : width - 4, '')}`;
    const detail = h.detail ? c.dim(` — ${clean(h.detail)}`) : '';
    return `  ${mark} ${head}${clean(h.rule)}${detail}`;
  });
}

/** Cuts `s` to `width` columns with an ellipsis, keeping `keep` (a suffix it ends with) whole. */
function cut(s: string, width: number | undefined, keep: string): string {
  if (width === undefined || [...s].length <= width) return s;
  const body = keep && s.endsWith(keep) ? s.slice(0, s.length - keep.length) : s;
  return `${[...body].slice(0, Math.max(0, width - keep.length - 1)).join('')}…${keep}`;
}

function blocker(
  f: Finding,
  n: number,
  fixNumber: ReadonlyMap<string, number>,
  c: Palette,
  verbose: boolean,
): string[] {
  const path = f.direction === 'forward' ? 'request path' : 'reply path';
  const fix = f.fix ? ` → fix ${fixNumber.get(f.fix.id)}` : c.dim(' (no automatic fix: change what it names)');
  const lines = [`  ${n}. ${c.bad(f.code)} (${path}): ${clean(verbose ? f.message : firstClause(f.message))}${fix}`];
  if (verbose && f.evidence) lines.push(`     evidence: ${clean(f.evidence)}`);
  return lines;
}

/** A message's first clause (up to its first `; `): the rest explains, for --verbose and `paths`. */
function firstClause(m: string): string {
  const i = m.indexOf('; ');
  return i < 0 ? m : `${m.slice(0, i)}.`;
}

function probeLines(p: ProbeDirectionResult, c: Palette): string[] {
  const head = `  ${clean(p.from)} → ${clean(p.to)}, ${describeProtocol(p)}:`;
  const lines: string[] = [];
  if (!p.ran) {
    lines.push(`${head} not run (${clean(p.skipped ?? 'skipped')})`);
  } else {
    const parts: string[] = [];
    if (p.sent !== null) parts.push(`${p.sent} sent, ${p.received ?? 0} received, ${p.lossPct ?? 0}% loss`);
    if (p.rttMs) parts.push(`rtt ${p.rttMs.min}/${p.rttMs.avg}/${p.rttMs.max} ms`);
    if (p.tcp) parts.push(`port ${p.tcp}`);
    if (p.commandId) parts.push(c.dim(`command ${clean(p.commandId)}`));
    lines.push(`${head} ${parts.join(', ')}`);
  }
  if (p.evidence) lines.push(c.dim(`    output: ${clean(p.evidence).split('\n').join('\n            ')}`));
  for (const f of p.findings ?? []) lines.push(`  ${c.warn(f.code)}: ${clean(f.message)}`);
  if (p.agreesWithVerdict === false)
    lines.push(c.warn(`  ! The probe disagrees with the verdict: ${clean(p.explanation)}`));
  else {
    // A skipped probe's explanation starts by repeating the reason already shown after "not run": keep only the rest.
    const rest = p.skipped
      ? p.explanation.replace(probeSkippedText(p.skipped), '').replace(/^\.?\s*/, '')
      : p.explanation;
    if (rest) lines.push(c.dim(`    ${clean(rest)}`));
  }
  return lines;
}

/** A component kind in the console's words. */
export function componentName(k: Component): string {
  switch (k) {
    case 'instance':
      return 'Instance';
    case 'network-interface':
      return 'Network interface';
    case 'security-group':
      return 'Security group';
    case 'network-acl':
      return 'Network ACL';
    case 'route-table':
      return 'Route table';
    case 'peering-connection':
      return 'Peering connection';
    case 'internet-gateway':
      return 'Internet gateway';
    case 'egress-only-internet-gateway':
      return 'Egress-only internet gateway';
    case 'nat-gateway':
      return 'NAT gateway';
    case 'transit-gateway':
      return 'Transit gateway';
    case 'transit-gateway-attachment':
      return 'Transit gateway attachment';
    case 'transit-gateway-route-table':
      return 'Transit gateway route table';
    case 'vpc-endpoint':
      return 'VPC endpoint';
    case 'vpc':
      return 'VPC';
    case 'internet':
      return 'Internet';
    default: {
      // A kind outside `Component` (notAnalyzed names e.g. `virtual-private-gateway`), or one added to the model after
      // this renderer: in words like the others (`Virtual private gateway`) rather than as a code.
      const unknown: string = k;
      const words = unknown.replace(/-/g, ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}
