/**
 * A local stand-in for Slack's Web API (and response_url hooks, and Socket Mode's apps.connections.open): an HTTP
 * server on 127.0.0.1 that records every call and keeps the messages it was sent, so conversations.replies returns
 * whyping's own messages with their metadata, as Slack does.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded call: the Web API method (or `hook:<path>` for a response_url), its parsed body, and when. */
export interface Call {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

/** A message as the fake keeps it. */
export interface Message {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: unknown;
  bot_id: string;
  user: string;
}

function parseBody(raw: string, type: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (type?.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The Web API client sends nested values (blocks, metadata) JSON-encoded inside form fields.
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The fake Slack. */
export class FakeSlack {
  readonly calls: Call[] = [];
  readonly messages: Message[] = [];
  private readonly events = new EventEmitter();
  private server: Server | undefined;
  private seq = 1000;
  url = '';
  /** Channels where chat.postMessage answers not_in_channel. */
  notInChannel = new Set<string>();
  /** Methods that answer an error, once each per entry. */
  failures: { method: string; error: string }[] = [];
  /** Methods that answer 429 with Retry-After (seconds), once each per entry. */
  rateLimits: { method: string; retryAfter: number }[] = [];
  /** Members of user groups. */
  groups = new Map<string, string[]>();
  /** Channels shared with another organization. */
  extShared = new Set<string>();
  /** The ws:// URL apps.connections.open returns. */
  socketUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The Web API base URL (SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Calls of one method. */
  of(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (past or future) that matches; rejects after `ms`. */
  waitFor(match: (c: Call) => boolean, ms = 20_000, what = 'a matching call'): Promise<Call> {
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('call', on);
        reject(new Error(`timed out waiting for ${what}; calls: ${this.calls.map((c) => c.method).join(', ')}`));
      }, ms);
      const on = (c: Call) => {
        if (match(c)) {
          clearTimeout(timer);
          this.events.off('call', on);
          resolve(c);
        }
      };
      this.events.on('call', on);
    });
  }

  /** Resolves when `n` calls match. */
  async waitForCount(match: (c: Call) => boolean, n: number, ms = 30_000): Promise<Call[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.calls.filter(match);
      if (found.length >= n) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} calls (got ${found.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.events.once('call', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const hook = path.startsWith('/hooks/');
    const method = hook ? `hook:${path.slice('/hooks/'.length)}` : path.replace(/^\/api\//, '');
    const body = parseBody(raw, req.headers['content-type']);
    const call: Call = { method, body, at: Date.now() };
    const limit = this.rateLimits.findIndex((r) => r.method === method);
    if (limit >= 0) {
      const [r] = this.rateLimits.splice(limit, 1);
      this.calls.push({ ...call, method: `${method}#429` });
      res.writeHead(429, { 'retry-after': String(r?.retryAfter ?? 1), 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const answer = this.answer(method, body);
    this.calls.push(call);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
    this.events.emit('call', call);
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    if (method.startsWith('hook:')) return { ok: true };
    const failure = this.failures.findIndex((f) => f.method === method);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return { ok: false, error: f?.error };
    }
    const channel = String(body.channel ?? '');
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', user: 'whyping' };
      case 'chat.postMessage': {
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const ts = `1700000000.${String(this.seq++).padStart(6, '0')}`;
        const m: Message = {
          channel,
          ts,
          bot_id: 'BBOT',
          user: 'UBOT',
          ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
          ...(typeof body.text === 'string' ? { text: body.text } : {}),
          ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
        };
        this.messages.push(m);
        return { ok: true, channel, ts, message: m };
      }
      case 'chat.update': {
        const m = this.messages.find((x) => x.channel === channel && x.ts === body.ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        if (typeof body.text === 'string') m.text = body.text;
        if (Array.isArray(body.blocks)) m.blocks = body.blocks;
        if (body.metadata) m.metadata = body.metadata;
        return { ok: true, channel, ts: m.ts };
      }
      case 'conversations.replies': {
        const ts = String(body.ts);
        const thread = this.messages.filter((m) => m.channel === channel && (m.ts === ts || m.thread_ts === ts));
        return { ok: true, messages: thread, has_more: false };
      }
      case 'conversations.info':
        return { ok: true, channel: { id: channel, is_ext_shared: this.extShared.has(channel) } };
      case 'usergroups.users.list':
        return { ok: true, users: this.groups.get(String(body.usergroup)) ?? [] };
      case 'apps.connections.open':
        return { ok: true, url: this.socketUrl };
      default:
        return { ok: true };
    }
  }
}
