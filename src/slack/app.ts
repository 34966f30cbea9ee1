/**
 * The Slack app (DESIGN.md §5) on Bolt 5: `/whyping`, `@whyping` in channels and incident threads, follow-ups in a
 * thread from the state whyping left there, fix / fix all / re-check / probe / undo buttons, the ambiguous-end menu,
 * and the modal for a change too long for a confirm dialog. HTTP on PORT at /slack/events, or Socket Mode with an
 * app-level token; /healthz and /readyz on PORT in both modes. Pure wiring: the conversation is core's.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  buildReceiverRoutes,
  type CustomRoute,
  HTTPReceiver,
  type Receiver,
  type RespondFn,
  SocketModeReceiver,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackConfig } from '../config.js';
import type { UndoKey } from '../core/apply-fix.js';
import type { Effect, Input } from '../core/conversation.js';
import type { Deps } from '../core/deps.js';
import { type FixQueue, inProcessQueue } from '../core/fix-queue.js';
import type { Logger } from '../log.js';
import type { FixPlan, Query } from '../model/index.js';
import {
  ACTIONS,
  type FixButtonValue,
  fixPlanText,
  linesMessage,
  type QueryButtonValue,
  type UndoButtonValue,
} from '../render/blocks.js';
import { helpText } from '../render/views.js';
import { Access } from './access.js';
import { type ConverseContext, type Perform, ThreadRun, type Where } from './converse.js';
import { boltLogger } from './logger.js';
import { loadThreadState, NEW_THREAD, type ThreadState } from './thread.js';

/** What the Slack app needs from the composition root. */
export interface SlackAppOptions {
  config: SlackConfig;
  /** Reads (and, without a fix role, writes) run with these: live AWS or the sandbox. */
  deps: Deps;
  /** WHYPING_SANDBOX=1: anyone may fix (nothing real changes). */
  sandbox: boolean;
  perform: Perform;
  logger: Logger;
  /** The deps a user's writes run with (WHYPING_FIX_ROLE_ARN); default: `deps`. */
  writeDepsFor?: (user: string) => Promise<Deps>;
  /** True when AWS credentials resolve (readiness); default: true. */
  awsReady?: () => Promise<boolean>;
  queue?: FixQueue;
  /** The key and lifetime of undo tokens (`resolveUndoSecret(config, 'slack')`, WHYPING_UNDO_TTL_H). */
  undo: UndoKey;
  /** How often readiness is retried while not ready. */
  retryMs?: number;
  /** The interface to listen on (default: all; tests use 127.0.0.1). */
  host?: string;
}

/** A running Slack app. */
export interface SlackApp {
  app: App;
  /** Starts the receiver; resolves with the HTTP port (events over HTTP, or only health in Socket Mode). */
  start(): Promise<{ port: number }>;
  /** Stops taking work, finishes in-flight investigations and fixes, then stops the receiver. */
  drain(): Promise<void>;
  /** Readiness as /readyz reports it. */
  readiness(): { ready: boolean; reason: string | null };
}

const MODAL = 'whyping_fix_modal';

function json<T>(text: string | undefined): T | null {
  try {
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

function validQuery(q: unknown): q is Query {
  const v = q as Query | null;
  return (
    !!v &&
    typeof v.from === 'string' &&
    typeof v.to === 'string' &&
    ['icmp', 'tcp', 'udp'].includes(v.protocol) &&
    (v.port === null || (Number.isInteger(v.port) && v.port >= 1 && v.port <= 65535))
  );
}

/** Builds the Slack app (not started). */
export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { config, logger } = opts;
  const log = logger.child({ component: 'slack' });
  const inflight = new Set<Promise<unknown>>();
  let draining = false;
  const ready = { slack: false, aws: false, reason: 'starting' as string | null };
  let botId: string | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let healthServer: Server | undefined;

  const health = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const customRoutes: CustomRoute[] = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => health(res, draining ? 503 : 200, { ok: !draining, draining }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        // Not ready: check again now (one check at a time), so a probe sees a recovery at once.
        const now = readiness();
        const fresh = now.ready || draining ? Promise.resolve() : checkReadyOnce();
        void fresh.then(() => {
          const r = readiness();
          health(res, r.ready ? 200 : 503, r);
        });
      },
    },
  ];
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // Honour 429 Retry-After (the client waits and retries); a few retries, not Slack's default half hour.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 3000 },
    timeout: 15_000,
  };
  const bolt = boltLogger(logger);
  const receiver: Receiver = config.appToken
    ? new SocketModeReceiver({
        appToken: config.appToken,
        logger: bolt,
        installerOptions: { clientOptions },
      })
    : new HTTPReceiver({
        signingSecret: config.signingSecret ?? '',
        logger: bolt,
        customRoutes,
        endpoints: '/slack/events',
      });
  const app = new App({
    token: config.botToken,
    receiver,
    logger: bolt,
    clientOptions,
    // auth.test runs in the readiness loop instead: a Slack outage at start keeps the process up (503 on /readyz).
    tokenVerificationEnabled: false,
  });
  const client: WebClient = app.client;
  const access = new Access(
    { fixers: config.fixers, probers: config.probers, channels: config.channels, sandbox: opts.sandbox },
    client,
  );
  const ctx: ConverseContext = {
    client,
    deps: opts.deps,
    perform: opts.perform,
    access,
    logger: log,
    queue: opts.queue ?? inProcessQueue(),
    undo: opts.undo,
    writeDepsFor: opts.writeDepsFor ?? (async () => opts.deps),
    now: opts.deps.now,
  };

  function readiness(): { ready: boolean; reason: string | null } {
    if (draining) return { ready: false, reason: 'draining: finishing in-flight work before exit' };
    if (ready.slack && ready.aws) return { ready: true, reason: null };
    return { ready: false, reason: ready.reason };
  }

  let checking: Promise<void> | null = null;
  function checkReadyOnce(): Promise<void> {
    checking ??= checkReady().finally(() => {
      checking = null;
    });
    return checking;
  }

  async function checkReady(): Promise<void> {
    try {
      const auth = await client.auth.test();
      botId = auth.bot_id;
      ready.slack = true;
    } catch (e) {
      ready.slack = false;
      ready.reason = `Slack auth.test failed (${(e as { data?: { error?: string } }).data?.error ?? (e as Error).message}): check SLACK_BOT_TOKEN`;
    }
    if (ready.slack) {
      ready.aws = await (opts.awsReady ?? (async () => true))().catch(() => false);
      ready.reason = ready.aws
        ? null
        : 'no AWS credentials resolved yet: sign in the role whyping runs as, or set WHYPING_SANDBOX=1';
    }
    if (ready.reason) log.warn({ reason: ready.reason }, 'not ready; retrying');
    if (!(ready.slack && ready.aws) && !draining) {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void checkReadyOnce(), opts.retryMs ?? 5000);
      retryTimer.unref();
    }
  }

  /** Tracks work so SIGTERM can wait for it. */
  function track(work: Promise<unknown>): Promise<unknown> {
    const p = work.catch((e) => log.error({ err: e }, 'slack handler failed'));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  const seenEvents = new Map<string, number>();
  /** True the first time an event id is seen (Slack retries an event it thinks was not received). */
  function firstDelivery(eventId: string | undefined): boolean {
    if (!eventId) return true;
    const now = Date.now();
    for (const [id, at] of seenEvents) {
      if (now - at < 15 * 60_000 && seenEvents.size < 5000) break;
      seenEvents.delete(id);
    }
    if (seenEvents.has(eventId)) return false;
    seenEvents.set(eventId, now);
    return true;
  }

  async function converse(where: Where, input: Input, state?: ThreadState): Promise<void> {
    const refusal = await access.answersIn(where.channel);
    if (refusal) {
      await ephemeralTo(where, refusal);
      return;
    }
    const s =
      state ?? (where.threadTs ? await loadThreadState(client, where.channel, where.threadTs, botId) : NEW_THREAD);
    await new ThreadRun(ctx, where, s).run(input);
  }

  async function ephemeralTo(where: Where, text: string): Promise<void> {
    const msg = linesMessage([text]);
    if (where.respond) {
      await where.respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: msg.text,
        blocks: msg.blocks as never,
      });
    } else {
      await client.chat.postEphemeral({
        channel: where.channel,
        user: where.user,
        text: msg.text,
        blocks: msg.blocks as never,
        ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
      });
    }
  }

  const restarting = 'whyping is restarting: ask again in a minute.';

  app.command('/whyping', async ({ command, ack, respond }) => {
    await ack();
    const text = command.text.trim();
    const where: Where = { channel: command.channel_id, threadTs: null, user: command.user_id, respond };
    if (draining) {
      await ephemeralTo(where, restarting);
      return;
    }
    const help = /^(?:help|\?)(?:\s+(\S+))?$/i.exec(text);
    if (text === '' || help) {
      await respond({ response_type: 'ephemeral', text: helpText('slack', help?.[1]) });
      return;
    }
    // A slash command always starts a new conversation at the top of the channel (commands cannot run in threads).
    await track(converse(where, { kind: 'text', text }, NEW_THREAD));
  });

  app.event('app_mention', async ({ event, body, context }) => {
    if (!firstDelivery((body as { event_id?: string }).event_id)) {
      log.info(
        { eventId: (body as { event_id?: string }).event_id, retryNum: context.retryNum },
        'retried event ignored',
      );
      return;
    }
    const threadTs = event.thread_ts ?? event.ts;
    const where: Where = { channel: event.channel, threadTs, user: event.user ?? 'unknown' };
    if (draining) {
      await ephemeralTo(where, restarting);
      return;
    }
    const extShared = (body as { is_ext_shared_channel?: boolean }).is_ext_shared_channel;
    const refusal = await access.answersIn(event.channel, extShared === true ? true : undefined);
    if (refusal) {
      await ephemeralTo(where, refusal);
      return;
    }
    // A mention at the top of a channel starts a thread on it; in a thread, the thread's state is read back.
    const state = event.thread_ts ? undefined : NEW_THREAD;
    await track(
      (async () => {
        const s = state ?? (await loadThreadState(client, event.channel, threadTs, botId));
        // The mention of whyping itself opens the text: `<@U…> fix 2` is `fix 2`.
        const text = event.text.replace(/^(\s*<@[A-Z0-9]+(\|[^>]*)?>)+\s*/, '').trim() || 'help';
        await new ThreadRun(ctx, where, s).run({ kind: 'text', text });
      })(),
    );
  });

  /** The thread a click happened in. */
  function clickWhere(
    body: {
      channel?: { id: string };
      user: { id: string };
      message?: { ts: string; thread_ts?: string };
      container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
    },
    respond: RespondFn,
  ): Where {
    const channel = body.channel?.id ?? body.container?.channel_id ?? '';
    const threadTs =
      body.message?.thread_ts ?? body.container?.thread_ts ?? body.message?.ts ?? body.container?.message_ts ?? null;
    return { channel, threadTs, user: body.user.id, respond };
  }

  async function fixClick(where: Where, value: FixButtonValue): Promise<void> {
    if (!validQuery(value.q) || typeof value.id !== 'string') {
      await ephemeralTo(where, 'That button carries no fix whyping issued: ask the question again.');
      return;
    }
    log.info(
      { audit: 'confirmed', user: where.user, channel: where.channel, thread: where.threadTs, fixId: value.id },
      'whyping audit: confirmed',
    );
    await converseEffect(where, {
      kind: 'fix',
      query: value.q,
      fixId: value.id,
      ...(value.p ? { expected: value.p } : {}),
    });
  }

  /** Runs an effect a button asked for directly, in the thread's conversation. */
  async function converseEffect(where: Where, effect: Effect): Promise<void> {
    const refusal = await access.answersIn(where.channel);
    if (refusal) {
      await ephemeralTo(where, refusal);
      return;
    }
    const state = where.threadTs ? await loadThreadState(client, where.channel, where.threadTs, botId) : NEW_THREAD;
    await new ThreadRun(ctx, where, state).runEffect(effect);
  }

  app.action(
    new RegExp(`^${ACTIONS.fix}(:\\d+)?$|^${ACTIONS.fixAll}$`),
    async ({ ack, body, action, respond, client: c }) => {
      await ack();
      const b = body as Parameters<typeof clickWhere>[0] & { trigger_id?: string };
      const where = clickWhere(b, respond);
      if (draining) return void (await ephemeralTo(where, restarting));
      const button = action as { value?: string; confirm?: unknown };
      const value = json<FixButtonValue>(button.value);
      if (!value)
        return void (await ephemeralTo(where, 'That button carries no fix whyping issued: ask the question again.'));
      // A change too long for a confirm dialog: the click opens a modal with the whole change; its submit applies.
      if (value.m === 1 && b.trigger_id) {
        const refusal = await access.allows(where.user, { kind: 'fix', query: value.q, fixId: value.id });
        if (refusal) return void (await ephemeralTo(where, refusal));
        const plans = value.p ? [value.p as FixPlan] : [];
        const text =
          plans.length > 0
            ? fixPlanText(plans)
            : `Apply ${value.id === 'all' ? 'every fix, in order' : `fix ${value.id}`} for ${value.q.from} → ${value.q.to}? whyping re-checks, dry-runs and shows each change in the thread.`;
        await c.views.open({
          trigger_id: b.trigger_id,
          view: {
            type: 'modal',
            callback_id: MODAL,
            private_metadata: JSON.stringify({ v: button.value, c: where.channel, t: where.threadTs }).slice(0, 3000),
            title: { type: 'plain_text', text: 'Change AWS?' },
            submit: { type: 'plain_text', text: 'Apply' },
            close: { type: 'plain_text', text: 'Cancel' },
            blocks: linesMessage(text.split('\n')).blocks as never,
          },
        });
        return;
      }
      await track(fixClick(where, value));
    },
  );

  app.view(MODAL, async ({ ack, body, view }) => {
    await ack();
    const meta = json<{ v: string; c: string; t: string | null }>(view.private_metadata);
    const value = json<FixButtonValue>(meta?.v);
    if (!meta || !value) return;
    await track(fixClick({ channel: meta.c, threadTs: meta.t, user: body.user.id }, value));
  });

  for (const [id, probe] of [
    [ACTIONS.recheck, false],
    [ACTIONS.probe, true],
  ] as const) {
    app.action(id, async ({ ack, body, action, respond }) => {
      await ack();
      const where = clickWhere(body as Parameters<typeof clickWhere>[0], respond);
      if (draining) return void (await ephemeralTo(where, restarting));
      const value = json<QueryButtonValue>((action as { value?: string }).value);
      if (!value || !validQuery(value.q))
        return void (await ephemeralTo(where, 'That button carries no question: ask again.'));
      await track(converseEffect(where, { kind: 'investigate', query: value.q, probe }));
    });
  }

  app.action(ACTIONS.undo, async ({ ack, body, action, respond }) => {
    await ack();
    const where = clickWhere(body as Parameters<typeof clickWhere>[0], respond);
    if (draining) return void (await ephemeralTo(where, restarting));
    const value = json<UndoButtonValue>((action as { value?: string }).value);
    await track(
      (async () => {
        const state = where.threadTs ? await loadThreadState(client, where.channel, where.threadTs, botId) : NEW_THREAD;
        const tokens =
          value && 't' in value && Array.isArray(value.t) ? value.t.filter((t) => typeof t === 'string') : null;
        const entry = tokens
          ? (state.c.undo.find((u) => u.tokens.join() === tokens.join()) ?? { label: 'the fix above', tokens })
          : state.c.undo[state.c.undo.length - 1];
        if (!entry) return void (await ephemeralTo(where, 'Nothing to undo in this thread.'));
        const refusal = await access.answersIn(where.channel);
        if (refusal) return void (await ephemeralTo(where, refusal));
        await new ThreadRun(ctx, where, state).runEffect({ kind: 'undo', entry });
      })(),
    );
  });

  app.action(ACTIONS.pick, async ({ ack, body, action, respond }) => {
    await ack();
    const where = clickWhere(body as Parameters<typeof clickWhere>[0], respond);
    const a = action as { block_id?: string; selected_option?: { value?: string } };
    const m = /^whyping_pick:(from|to):(.*)$/.exec(a.block_id ?? '');
    const q = json<Query>(m?.[2]);
    const picked = a.selected_option?.value;
    if (!m || !q || !validQuery(q) || !picked)
      return void (await ephemeralTo(where, 'That menu carries no question: ask again.'));
    const query: Query = { ...q, [m[1] as 'from' | 'to']: picked };
    await track(converseEffect(where, { kind: 'investigate', query, probe: false }));
  });

  app.error(async (error) => {
    log.error({ err: error }, 'slack app error');
  });

  return {
    app,
    readiness,
    async start() {
      void checkReadyOnce();
      if (config.appToken) {
        // Socket Mode needs no public URL; /healthz and /readyz are the same custom routes on an HTTP server of
        // their own on PORT (Bolt's would listen on every interface with no say in it).
        const routes = buildReceiverRoutes(customRoutes);
        const server = createServer((req, res) => {
          const path = (req.url ?? '/').split('?')[0] ?? '/';
          const handler = routes[path]?.[req.method ?? 'GET'];
          if (handler) handler(req as never, res);
          else health(res, 404, { error: 'not found' });
        });
        healthServer = server;
        await new Promise<void>((resolve) => server.listen(config.port, opts.host, resolve));
        await app.start();
        const port = (server.address() as AddressInfo).port;
        log.info({ port, mode: 'socket' }, 'whyping Slack app started (Socket Mode)');
        return { port };
      }
      const listen = opts.host ? { port: config.port, host: opts.host } : config.port;
      const server = (await app.start(listen as never)) as unknown as Server;
      const port = (server.address() as AddressInfo).port;
      log.info({ port, mode: 'http' }, 'whyping Slack app started (HTTP, /slack/events)');
      return { port };
    },
    async drain() {
      draining = true;
      clearTimeout(retryTimer);
      log.info({ inflight: inflight.size }, 'draining: finishing in-flight work');
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      await app.stop();
      const server = healthServer;
      if (server) await new Promise((resolve) => server.close(resolve));
      log.info('drained');
    },
  };
}
