/**
 * One parser for every way a user asks the question: CLI arguments, shell lines and Slack text.
 * `web-1 db-1`, `"web 1" db-1 tcp 443`, `db-1:443`, `why can't web-1 ping db-1`, `can web-1 reach db-1 on 443`,
 * `why can't I connect to web-1 with ec2 instance connect`. Pure: text in, a typed Query (or BAD_INPUT) out.
 */
import { WhypingError } from '../errors.js';
import type { Protocol, Query } from '../model/index.js';
import { isIp } from '../net/ip.js';

/** The longest request text accepted (Slack allows 40,000 characters; no real question needs more than this). */
export const MAX_REQUEST_LENGTH = 1000;
/** The longest endpoint accepted (AWS tag values are at most 256 characters). */
export const MAX_ENDPOINT_LENGTH = 256;

/** The endpoint name that stands for the region's EC2 Instance Connect range (resolved by src/snapshot). */
export const EIC_ENDPOINT = 'eic';

/** A word of the request; quoted words are always endpoints, never keywords. */
export interface Token {
  text: string;
  quoted: boolean;
}

function bad(message: string): WhypingError {
  return new WhypingError('BAD_INPUT', message);
}

// C0/C1 controls (tab, CR, LF are whitespace and allowed), and invisible format characters such as bidi overrides and
// zero-width spaces, which can make a request read differently from what it says.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Cf}]/u;
const SPACE = /[\s\u00a0]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Splits text into words like a shell: single and double quotes (straight or typographic), backslash escapes. */
export function tokenize(text: string): Token[] {
  if (text.length > MAX_REQUEST_LENGTH) {
    throw bad(`That request is ${text.length} characters long; keep it under ${MAX_REQUEST_LENGTH}.`);
  }
  if (FORBIDDEN.test(text)) {
    throw bad('The request contains control or invisible characters; type it again as plain text.');
  }
  // Slack and phones turn quotes typographic; treat them as the plain ones.
  const s = fromSlackMarkup(text)
    .replace(/[\u201c\u201d\u201e\u201f]/gu, '"')
    .replace(/[\u2018\u2019\u201a\u201b]/gu, "'");
  const tokens: Token[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  let i = 0;
  const push = () => {
    if (inToken) tokens.push({ text: cur, quoted });
    cur = '';
    inToken = false;
    quoted = false;
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (SPACE.test(c)) {
      push();
      i++;
    } else if (c === '"' || c === "'") {
      // An apostrophe inside a word (can't, o'brien) is a letter, not a quote.
      const prev = s[i - 1];
      const next = s[i + 1];
      if (c === "'" && prev !== undefined && next !== undefined && WORD_CHAR.test(prev) && WORD_CHAR.test(next)) {
        cur += c;
        inToken = true;
        i++;
        continue;
      }
      const close = findClosingQuote(s, i + 1, c);
      if (close < 0) throw bad(`Unbalanced ${c === '"' ? 'double' : 'single'} quote: close the quoted name.`);
      cur += c === '"' ? s.slice(i + 1, close).replace(/\\(["\\])/g, '$1') : s.slice(i + 1, close);
      inToken = true;
      quoted = true;
      i = close + 1;
    } else if (c === '`') {
      // Code formatting (`web 1`, ```web 1```) marks one name, as quotes do.
      const fence = s.startsWith('```', i) ? '```' : '`';
      const close = s.indexOf(fence, i + fence.length);
      if (close < 0) throw bad('Unbalanced backtick: close the `quoted name`.');
      cur += s.slice(i + fence.length, close);
      inToken = true;
      quoted = true;
      i = close + fence.length;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      inToken = true;
      i += 2;
    } else {
      cur += c;
      inToken = true;
      i++;
    }
  }
  push();
  return tokens;
}

/**
 * Undoes what Slack does to message text: mentions (`<@U123>`, `<!here>`, `<#C123|general>`) are dropped, links
 * (`<http://db-1.example.com|db-1.example.com>`, `<mailto:…|…>`) become their label, and `&lt; &gt; &amp;` their
 * characters. Plain text from a shell or the CLI is left as it is.
 */
export function fromSlackMarkup(text: string): string {
  return text
    .replace(/<[@!#][^<>\s]*>/g, ' ')
    .replace(/<(?:https?|mailto):[^<>|\s]*\|([^<>]*)>/g, '$1')
    .replace(/<https?:\/\/([^<>|\s]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function findClosingQuote(s: string, from: number, q: string): number {
  for (let j = from; j < s.length; j++) {
    if (q === '"' && s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === q) return j;
  }
  return -1;
}

/** Validates a port given as text: an integer from 1 to 65535. */
export function parsePort(text: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) throw bad(`"${clip(t)}" is not a port: give a whole number from 1 to 65535.`);
  if (!/^\d+$/.test(t)) throw bad(`Port ${clip(t)} is not a whole number from 1 to 65535.`);
  const n = Number(t);
  if (n < 1 || n > 65535) throw bad(`Port ${clip(t)} is out of range: ports go from 1 to 65535.`);
  return n;
}

/** Validates a protocol name: icmp (or ping), tcp, udp. */
export function parseProtocol(text: string): Protocol {
  const t = text.trim().toLowerCase();
  if (t === 'icmp' || t === 'ping') return 'icmp';
  if (t === 'tcp' || t === 'udp') return t;
  throw bad(`Unknown protocol "${clip(text)}": use icmp, tcp or udp.`);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// Words that carry no endpoint in natural phrasing. Only unquoted words are dropped; quote a Name that is one of them.
const FILLER = new Set([
  'why',
  "can't",
  'cant',
  'cannot',
  'can',
  'could',
  "couldn't",
  'couldnt',
  'does',
  "doesn't",
  'doesnt',
  'do',
  "don't",
  'dont',
  'will',
  "won't",
  'wont',
  'is',
  "isn't",
  'isnt',
  'are',
  "aren't",
  'not',
  'i',
  'we',
  'you',
  'me',
  'my',
  'the',
  'a',
  'an',
  'reach',
  'connect',
  'talk',
  'access',
  'get',
  'hit',
  'see',
  'with',
  'via',
  'using',
  'over',
  'through',
  'and',
  'on',
  'between',
  'traffic',
  'packets',
  'please',
  'check',
  'diagnose',
  'test',
  'whyping',
]);
const FROM_WORDS = new Set(['from']);
const TO_WORDS = new Set(['to', 'into']);
const PORT_WORDS = new Set(['port', '--port', 'on']);
const PROTOCOL_FLAGS = new Set(['--protocol', '--proto']);
/** Service words understood as their usual port (`can web-1 ssh to db-1`). */
const SERVICES = new Map<string, { protocol: Protocol; port: number }>([
  ['ssh', { protocol: 'tcp', port: 22 }],
  ['http', { protocol: 'tcp', port: 80 }],
  ['https', { protocol: 'tcp', port: 443 }],
  ['rdp', { protocol: 'tcp', port: 3389 }],
  ['dns', { protocol: 'udp', port: 53 }],
]);

interface Parsed {
  endpoints: { text: string; role: 'from' | 'to' | null }[];
  protocol: { value: Protocol; word: string; soft: boolean } | null;
  port: { value: number; word: string } | null;
  eic: boolean;
}

/** Parses a request typed as one line (shell, Slack, or CLI arguments joined with their quoting). */
export function parseRequest(text: string): Query {
  return parseTokens(tokenize(text));
}

/**
 * Parses CLI arguments the shell has already split: `<from> <to>` (each may carry `:port`) plus the optional
 * --protocol and --port flag values. The same rules and messages as `parseRequest`.
 */
export function parseRequestArgs(from: string, to: string, flags: { protocol?: string; port?: string } = {}): Query {
  const tokens: Token[] = [endpointToken(from), endpointToken(to)];
  if (flags.protocol !== undefined)
    tokens.push({ text: '--protocol', quoted: false }, { text: flags.protocol, quoted: true });
  if (flags.port !== undefined) tokens.push({ text: '--port', quoted: false }, { text: flags.port, quoted: true });
  return parseTokens(tokens);
}

// A CLI argument is one endpoint even when it has spaces or is a keyword; only a `:port` suffix is read from it.
function endpointToken(arg: string): Token {
  return { text: arg, quoted: !splitHostPort(arg) };
}

/** `db-1:443` → { host: 'db-1', port: '443' }; `[fe80::1]:443` → IPv6 with a port; a bare IP is never split. */
function splitHostPort(text: string): { host: string; port: string } | null {
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (v6) return { host: v6[1] as string, port: v6[2] as string };
  if (isIp(text)) return null;
  const m = /^(.*):([+-]?[\d.]*)$/.exec(text);
  if (!m || (m[1] as string).includes(':')) return null;
  return { host: m[1] as string, port: m[2] as string };
}

/** The grammar shared by every front end, on words already split. */
export function parseTokens(input: Token[]): Query {
  const p: Parsed = { endpoints: [], protocol: null, port: null, eic: false };
  const tokens = joinNameRuns(
    input.map((t) => (t.quoted ? t : { text: t.text.replace(/[?!,;]+$/u, ''), quoted: false })),
  );
  let role: 'from' | 'to' | null = null;

  const setProtocol = (value: Protocol, word: string, soft = false) => {
    if (p.protocol && p.protocol.value !== value) {
      if (p.protocol.soft) {
        p.protocol = { value, word, soft };
        return;
      }
      if (soft) return;
      throw bad(`Two protocols given (${p.protocol.word} and ${word}): ask about one.`);
    }
    if (!p.protocol || p.protocol.soft) p.protocol = { value, word, soft };
  };
  const setPort = (text: string, word: string) => {
    const value = parsePort(text);
    if (p.port && p.port.value !== value) throw bad(`Two ports given (${p.port.value} and ${value}): ask about one.`);
    p.port = { value, word };
  };
  const isNumberish = (t: Token | undefined) => t !== undefined && /^[+-]?[\d.]+$/.test(t.text) && !isIp(t.text);

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    const next = tokens[i + 1];
    const word = tok.text.toLowerCase();
    if (tok.text === '') {
      if (tok.quoted) throw bad('An endpoint is empty: give a name, an id or an IP address.');
      continue;
    }
    if (tok.quoted) {
      p.endpoints.push({ text: tok.text, role });
      role = null;
      continue;
    }
    // `ec2 instance connect`, `instance connect`: the EC2 Instance Connect service as the source.
    const ec2Phrase = phraseAt(tokens, i) === 'ec2 instance connect';
    if (ec2Phrase || (word === 'instance' && next?.quoted === false && next.text.toLowerCase() === 'connect')) {
      p.eic = true;
      i += ec2Phrase ? 2 : 1;
      continue;
    }
    if (PROTOCOL_FLAGS.has(word)) {
      if (!next) throw bad(`${tok.text} needs a value: icmp, tcp or udp.`);
      setProtocol(parseProtocol(next.text), next.text.toLowerCase());
      i++;
      continue;
    }
    if (word === 'icmp') {
      setProtocol('icmp', 'icmp');
      continue;
    }
    if (word === 'ping' || word === 'pinging') {
      setProtocol('icmp', 'ping', true);
      continue;
    }
    const protoPort = /^(tcp|udp)[/:](.*)$/.exec(word);
    const portProto = /^(.*)\/(tcp|udp)$/.exec(word);
    if (protoPort || portProto) {
      const proto = (protoPort ? protoPort[1] : portProto?.[2]) as 'tcp' | 'udp';
      setProtocol(proto, proto);
      setPort((protoPort ? protoPort[2] : portProto?.[1]) as string, word);
      continue;
    }
    if (word === 'tcp' || word === 'udp') {
      setProtocol(word, word);
      let j = i + 1;
      if (tokens[j] && !tokens[j]?.quoted && PORT_WORDS.has((tokens[j] as Token).text.toLowerCase())) j++;
      const portTok = tokens[j];
      if (portTok && !portTok.quoted && isNumberish(portTok)) {
        setPort(portTok.text, word);
        i = j;
      }
      continue;
    }
    if (PORT_WORDS.has(word) && (word !== 'on' || isNumberish(next) || next?.text.toLowerCase() === 'port')) {
      let j = i + 1;
      if (word === 'on' && tokens[j]?.text.toLowerCase() === 'port') j++;
      const portTok = tokens[j];
      if (!portTok) throw bad(`"${tok.text}" needs a port number from 1 to 65535.`);
      setPort(portTok.text, 'port');
      i = j;
      continue;
    }
    const svc = SERVICES.get(word);
    if (svc) {
      setProtocol(svc.protocol, word);
      setPort(String(svc.port), word);
      continue;
    }
    // A bare number after both ends is a port (`web-1 db-1 443`); before that it is more likely half of an unquoted
    // Name (`web 1 db-1`), which must not silently become port 1.
    if (isNumberish(tok) && p.endpoints.length >= 2) {
      setPort(word, 'port');
      continue;
    }
    if (word.startsWith('--')) throw bad(`Unknown option ${clip(tok.text)}: use --protocol icmp|tcp|udp and --port N.`);
    if (FROM_WORDS.has(word)) {
      role = 'from';
      continue;
    }
    if (TO_WORDS.has(word)) {
      role = 'to';
      continue;
    }
    if (FILLER.has(word)) continue;
    const hp = splitHostPort(tok.text);
    if (hp) {
      if (hp.host === '') throw bad(`"${clip(tok.text)}" has a port but no endpoint before the colon.`);
      setPort(hp.port, 'port');
      p.endpoints.push({ text: hp.host, role });
    } else {
      p.endpoints.push({ text: tok.text, role });
    }
    role = null;
  }
  return toQuery(p);
}

/** True when an unquoted word is part of the question rather than of an end (a keyword, a protocol, a port flag). */
function isQuestionWord(word: string): boolean {
  return (
    FILLER.has(word) ||
    FROM_WORDS.has(word) ||
    TO_WORDS.has(word) ||
    PORT_WORDS.has(word) ||
    PROTOCOL_FLAGS.has(word) ||
    SERVICES.has(word) ||
    ['icmp', 'ping', 'pinging', 'tcp', 'udp'].includes(word) ||
    /^(tcp|udp)[/:]|\/(tcp|udp)$/.test(word) ||
    word.startsWith('--')
  );
}

/** The lowercased words from `i` on, three at most, space-separated; a quoted word reads as `\0` (never a keyword). */
function phraseAt(tokens: Token[], i: number): string {
  let out = '';
  const end = Math.min(i + 3, tokens.length);
  for (let k = i; k < end; k++) {
    const t = tokens[k] as Token;
    out += `${k > i ? ' ' : ''}${t.quoted ? '\0' : t.text.toLowerCase()}`;
  }
  return out;
}

/**
 * Reads unquoted Names with spaces as people type them (`why can't Instance - NextWork VPC 1 ping Instance - NextWork
 * VPC 2`): the question's words (ping, reach, to, from, on port …) split the text first, and when that leaves two or
 * more runs of words, each run is one end, spaces and all. With a single run (`web-1 db-1 tcp 443`) the words are the
 * ends, as before. Quotes always force a reading.
 */
function joinNameRuns(tokens: Token[]): Token[] {
  const runs: { start: number; end: number }[] = [];
  let start = -1;
  const lower = tokens.map((t) => t.text.toLowerCase());
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    const prev = i > 0 ? lower[i - 1] : undefined;
    const word = lower[i] ?? '';
    // Only an unquoted word can start an EC2 Instance Connect phrase.
    const lowerPhrase = t !== undefined && !t.quoted ? phraseAt(tokens, i) : '';
    const eicPhrase = lowerPhrase.startsWith('ec2 instance connect') || lowerPhrase.startsWith('instance connect');
    // A number right after tcp/udp/port is that port, not part of a Name.
    const portValue =
      prev !== undefined && ['tcp', 'udp', 'port', '--port'].includes(prev) && /^[+-]?[\d.]+$/.test(word);
    const content = t !== undefined && !t.quoted && t.text !== '' && !isQuestionWord(word) && !eicPhrase && !portValue;
    if (content && start < 0) start = i;
    if (!content && start >= 0) {
      runs.push({ start, end: i });
      start = -1;
    }
    if (eicPhrase) i += lowerPhrase.startsWith('ec2') ? 2 : 1;
  }
  // A run of numbers only is a port (`icmp 443` is refused later with that word), not a Name.
  const named = runs.filter((r) => tokens.slice(r.start, r.end).some((t) => !/^[+-]?[\d.]+$/.test(t.text)));
  const ends = named.length + tokens.filter((t) => t.quoted).length;
  if (ends < 2 || named.every((r) => r.end - r.start === 1)) return tokens;
  const out: Token[] = [];
  let i = 0;
  for (const r of named) {
    out.push(...tokens.slice(i, r.start));
    const words = tokens.slice(r.start, r.end);
    out.push(words.length === 1 ? (words[0] as Token) : { text: words.map((w) => w.text).join(' '), quoted: true });
    i = r.end;
  }
  out.push(...tokens.slice(i));
  return out;
}

function toQuery(p: Parsed): Query {
  for (const e of p.endpoints) {
    if (e.text.length > MAX_ENDPOINT_LENGTH) {
      throw bad(`An endpoint is ${e.text.length} characters long; names and ids are at most ${MAX_ENDPOINT_LENGTH}.`);
    }
    if (e.text.trim() === '') throw bad('An endpoint is empty: give a name, an id or an IP address.');
    checkAddressLike(e.text);
  }
  const ends = [...p.endpoints];
  let from: string;
  let to: string;
  if (p.eic) {
    const others = ends.filter((e) => !isEicName(e.text));
    if (others.length !== 1) {
      throw bad(
        `With EC2 Instance Connect, name one instance to connect to (got ${others.length}): e.g. "connect to web-1 with ec2 instance connect".`,
      );
    }
    from = EIC_ENDPOINT;
    to = (others[0] as { text: string }).text;
  } else {
    if (ends.length < 2) {
      const got = ends.length === 0 ? 'none' : `only "${clip((ends[0] as { text: string }).text)}"`;
      throw bad(
        `Name two ends, from and to (got ${got}): e.g. "web-1 db-1", "web-1 db-1 tcp 443", or "why can't web-1 ping db-1". An end is an instance id, Name, ENI, IP, internet or eic.`,
      );
    }
    if (ends.length > 2) {
      throw bad(
        `Too many ends: ${ends.map((e) => `"${clip(e.text)}"`).join(', ')}. Name two, and quote a Name with spaces ("web 1").`,
      );
    }
    const [a, b] = ends as [{ text: string; role: string | null }, { text: string; role: string | null }];
    const swap = a.role === 'to' || b.role === 'from';
    if (a.role !== null && a.role === b.role) throw bad(`Both ends are marked "${a.role}": say which is the source.`);
    [from, to] = swap ? [b.text, a.text] : [a.text, b.text];
  }

  let protocol: Protocol = p.protocol?.value ?? (p.port ? 'tcp' : 'icmp');
  // EC2 Instance Connect is SSH: asking about it without a port means tcp 22.
  if (isEicName(from) && !p.protocol && !p.port) return { from, to, protocol: 'tcp', port: 22 };
  if (p.protocol?.soft && p.port) protocol = 'tcp';
  if (protocol === 'icmp') {
    if (p.port) throw bad(`ICMP (ping) has no port: drop port ${p.port.value}, or ask about tcp ${p.port.value}.`);
    return { from, to, protocol, port: null };
  }
  if (!p.port)
    throw bad(`${protocol.toUpperCase()} needs a port: e.g. "${protocol} ${protocol === 'udp' ? 53 : 443}".`);
  return { from, to, protocol, port: p.port.value };
}

/**
 * An end written like an address must be one: `10.1.0.999` or `10.2.4` is a typo, not an instance Name, and a CIDR
 * range is not one end. Said here, before any lookup answers "no instance is named 10.1.0.999".
 */
function checkAddressLike(text: string): void {
  const slash = /^([\d.]+|[\da-f:]*:[\da-f:.]*)\/(\d*)$/i.exec(text);
  if (slash) {
    throw bad(
      `"${clip(text)}" is a CIDR range; an end is one address: give an IP inside it (e.g. a private IP of an instance), an instance id or a Name.`,
    );
  }
  if (/^\d+(\.\d+)+$/.test(text) && !isIp(text)) {
    throw bad(`"${clip(text)}" is not a valid IP address: write four numbers from 0 to 255, e.g. 10.1.0.12.`);
  }
}

function isEicName(text: string): boolean {
  const t = text.toLowerCase();
  return t === 'eic' || t === 'ec2-instance-connect';
}
