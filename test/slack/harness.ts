/**
 * The real Bolt app on its HTTP receiver (127.0.0.1, a random port), its Web API client pointed at the fake Slack,
 * AWS through the sandbox beneath the real SDK clients, and correctly signed requests.
 */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import type { SlackConfig } from '../../src/config.js';
import type { Deps } from '../../src/core/deps.js';
import { inProcessQueue } from '../../src/core/fix-queue.js';
import { performEffect } from '../../src/core/perform.js';
import { REDACT_PATHS } from '../../src/log.js';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { TEST_UNDO } from '../support/undo-key.js';
import { FakeSlack } from './fake-slack.js';

export const SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-token-abcdef';
export const FIXER = 'UFIXER1';
export const SEED_ASK = "why can't Instance - NextWork VPC 1 ping Instance - NextWork VPC 2";

/** A sandbox and the deps over it (shared between app instances: one AWS account). */
export function sandboxDeps(opts: { files?: RawSnapshotFile[] } = {}): { sandbox: Sandbox; deps: Deps } {
  const sandbox = createSandbox(opts.files ? { files: opts.files } : { region: 'us-east-1' });
  const deps: Deps = {
    clients: sandbox.clients,
    region: sandbox.region,
    logger: pino({ level: 'silent' }),
    now: () => new Date(),
    sleep: async () => {},
    probesEnabled: true,
  };
  return { sandbox, deps };
}

/** Log lines the app wrote (JSON objects), through pino with the app's redaction. */
export function captureLogger(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      const text = String(chunk);
      raw.push(text);
      for (const l of text.split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  return { logger, lines, raw };
}

/** Starts the app over `deps` with the fake Slack. */
export async function startApp(
  fake: FakeSlack,
  deps: Deps,
  over: Partial<SlackConfig> & { sandbox?: boolean; logger?: pino.Logger; retryMs?: number } = {},
): Promise<{ slack: SlackApp; base: string; port: number }> {
  const { sandbox, logger, retryMs, ...config } = over;
  const slack = createSlackApp({
    config: {
      botToken: BOT_TOKEN,
      signingSecret: SECRET,
      appToken: undefined,
      apiUrl: fake.apiUrl,
      port: 0,
      host: '127.0.0.1',
      fixers: [FIXER],
      probers: [FIXER],
      channels: [],
      fixRoleArn: undefined,
      ...config,
    },
    deps,
    sandbox: sandbox ?? false,
    perform: performEffect,
    logger: logger ?? pino({ level: 'silent' }),
    queue: inProcessQueue(),
    undo: TEST_UNDO,
    host: '127.0.0.1',
    retryMs: retryMs ?? 50,
  });
  const { port } = await slack.start();
  return { slack, base: `http://127.0.0.1:${port}`, port };
}

/** Signs a body as Slack does: v0=HMAC-SHA256(secret, `v0:${ts}:${body}`). */
export function sign(body: string, ts = Math.floor(Date.now() / 1000), secret = SECRET) {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

/** Posts a signed request to /slack/events. */
export async function post(
  base: string,
  body: string,
  type: 'form' | 'json',
  headers: Record<string, string> = {},
  signature = sign(body),
): Promise<{ status: number; text: string; at: number }> {
  const r = await fetch(`${base}/slack/events`, {
    method: 'POST',
    body,
    headers: {
      'content-type': type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
      ...signature,
      ...headers,
    },
  });
  return { status: r.status, text: await r.text(), at: Date.now() };
}

let n = 0;

/** A signed /whyping command. */
export function command(fake: FakeSlack, text: string, opts: { channel?: string; user?: string } = {}) {
  const id = ++n;
  const body = new URLSearchParams({
    command: '/whyping',
    text,
    user_id: opts.user ?? 'UASKER1',
    channel_id: opts.channel ?? 'C0INCIDENT',
    team_id: 'T1',
    trigger_id: `trig.${id}`,
    response_url: `${fake.url}/hooks/cmd-${id}`,
  }).toString();
  return { body, hook: `hook:cmd-${id}` };
}

/** A signed app_mention event. */
export function mention(
  text: string,
  opts: { channel?: string; user?: string; ts?: string; threadTs?: string; eventId?: string } = {},
) {
  const id = ++n;
  const ts = opts.ts ?? `1699999999.${String(id).padStart(6, '0')}`;
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: opts.eventId ?? `Ev${id}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_mention',
      user: opts.user ?? 'UASKER1',
      channel: opts.channel ?? 'C0INCIDENT',
      ts,
      ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
      text: `<@UBOT> ${text}`,
    },
  });
}

/** A signed block_actions click on a button of a message the fake holds. */
export function click(
  fake: FakeSlack,
  button: { action_id: string; value: string },
  where: { channel: string; ts: string; threadTs?: string },
  user = FIXER,
) {
  const id = ++n;
  const payload = {
    type: 'block_actions',
    user: { id: user },
    team: { id: 'T1' },
    api_app_id: 'A1',
    channel: { id: where.channel },
    container: { type: 'message', message_ts: where.ts, channel_id: where.channel, thread_ts: where.threadTs },
    message: { ts: where.ts, ...(where.threadTs ? { thread_ts: where.threadTs } : {}) },
    trigger_id: `trig.${id}`,
    response_url: `${fake.url}/hooks/act-${id}`,
    actions: [
      {
        type: 'button',
        block_id: 'whyping_answer',
        action_id: button.action_id,
        value: button.value,
        action_ts: '1.0',
      },
    ],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), hook: `hook:act-${id}` };
}

/** Every button in a message's blocks. */
export function buttons(
  blocks: unknown[] | undefined,
): { action_id: string; value: string; text: string; confirm?: unknown }[] {
  const out: { action_id: string; value: string; text: string; confirm?: unknown }[] = [];
  for (const b of blocks ?? []) {
    for (const e of ((b as { elements?: unknown[] }).elements ?? []) as Record<string, unknown>[]) {
      if (e.type === 'button') {
        out.push({
          action_id: String(e.action_id),
          value: String(e.value),
          text: String((e.text as { text: string }).text),
          ...(e.confirm ? { confirm: e.confirm } : {}),
        });
      }
    }
  }
  return out;
}

/** All text in blocks (mrkdwn and plain), joined. */
export function blockText(blocks: unknown[] | undefined): string {
  return JSON.stringify(blocks ?? []);
}

/** Gates every EC2 call of the sandbox until `open()` is called: the SDK's own middleware stack, beneath the client. */
export function gate(deps: Deps): () => void {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  deps.clients.ec2.middlewareStack.add(
    (next) => async (args) => {
      await opened;
      return next(args);
    },
    { step: 'initialize', name: 'testGate' },
  );
  return open;
}

/** A fresh fake Slack per test, and the apps a test starts on it, drained after the test. */
export function useSlackApps() {
  let current: FakeSlack | undefined;
  const apps: SlackApp[] = [];
  beforeEach(async () => {
    current = await new FakeSlack().start();
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.drain();
    await current?.stop();
  });
  const fake = (): FakeSlack => {
    if (!current) throw new Error('no fake Slack outside a test');
    return current;
  };
  return {
    fake,
    apps,
    /** Starts an app on this test's fake Slack; it is drained after the test. */
    async app(...args: Parameters<typeof startApp> extends [unknown, ...infer R] ? R : never) {
      const started = await startApp(fake(), ...args);
      apps.push(started.slack);
      return started;
    },
  };
}
