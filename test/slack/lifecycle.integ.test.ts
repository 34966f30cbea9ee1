/**
 * The Slack app's transport and lifecycle: Socket Mode through a local WebSocket stand-in, the SIGTERM drain, secrets
 * kept out of the logs, Slack's 429 Retry-After, the ambiguous-end menu, and the Undo button.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { worldFiles } from '../snapshot/world.js';
import {
  BOT_TOKEN,
  blockText,
  buttons,
  captureLogger,
  click,
  command,
  gate,
  mention,
  post,
  SECRET,
  SEED_ASK,
  sandboxDeps,
  startApp,
  useSlackApps,
} from './harness.js';

const { fake, app, apps } = useSlackApps();

const isVerdict = (text: unknown) => typeof text === 'string' && /Not reachable|Reachable|Not analyzed/.test(text);

describe('Socket Mode', () => {
  it('takes a slash command through the WebSocket, acks its envelope, answers through the Web API, and serves /readyz on PORT', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    fake().socketUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const acks: unknown[] = [];
    const gotAck = new Promise<void>((resolve) => {
      wss.on('connection', (ws) => {
        ws.on('message', (data) => {
          acks.push(JSON.parse(String(data)));
          resolve();
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
        const cmd = command(fake(), SEED_ASK, { channel: 'C0SOCKET' });
        ws.send(
          JSON.stringify({
            envelope_id: 'env-1',
            type: 'slash_commands',
            accepts_response_payload: true,
            payload: Object.fromEntries(new URLSearchParams(cmd.body)),
          }),
        );
      });
    });
    try {
      const { deps } = sandboxDeps();
      const { base } = await app(deps, { appToken: 'xapp-1-test', signingSecret: undefined });
      await gotAck;
      expect(acks[0]).toMatchObject({ envelope_id: 'env-1' });
      const final = await fake().waitFor((c) => c.method === 'chat.update' && isVerdict(c.body.text));
      expect(final.body.channel).toBe('C0SOCKET');
      expect(fake().of('apps.connections.open')).toHaveLength(1);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      for (const a of apps.splice(0)) await a.drain();
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});

describe('draining on SIGTERM', () => {
  it('stops taking work, finishes the investigation in flight, then stops', async () => {
    const { deps } = sandboxDeps();
    const open = gate(deps);
    const started = await startApp(fake(), deps);
    await post(started.base, command(fake(), SEED_ASK).body, 'form');
    await fake().waitFor((c) => c.method === 'chat.postMessage');
    let drained = false;
    const draining = started.slack.drain().then(() => {
      drained = true;
    });
    expect((await fetch(`${started.base}/healthz`)).status).toBe(503);
    const late = command(fake(), SEED_ASK, { channel: 'C0LATE' });
    await post(started.base, late.body, 'form');
    const refused = await fake().waitFor((c) => c.method === late.hook);
    expect(String(refused.body.text)).toContain('restarting');
    expect(drained).toBe(false);
    open();
    await draining;
    expect(
      fake()
        .of('chat.update')
        .some((c) => isVerdict(c.body.text)),
    ).toBe(true);
    expect(
      fake()
        .of('chat.postMessage')
        .filter((c) => c.body.channel === 'C0LATE'),
    ).toHaveLength(0);
    await expect(fetch(`${started.base}/healthz`)).rejects.toThrow();
  });
});

describe('the logs', () => {
  it('never hold the bot token or the signing secret, even at debug level', async () => {
    const { deps } = sandboxDeps();
    const log = captureLogger('debug');
    const { base } = await app(deps, { logger: log.logger });
    await post(base, command(fake(), SEED_ASK).body, 'form');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'));
    log.logger.info(
      { botToken: BOT_TOKEN, signingSecret: SECRET, headers: { authorization: `Bearer ${BOT_TOKEN}` } },
      'x',
    );
    const all = log.raw.join('');
    expect(log.lines.length).toBeGreaterThan(5);
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SECRET);
  });
});

describe('Slack rate limits', () => {
  it('honours Retry-After on a 429 and still posts the answer once', async () => {
    const { deps } = sandboxDeps();
    fake().rateLimits.push({ method: 'chat.postMessage', retryAfter: 1 });
    const { base } = await app(deps);
    await post(base, command(fake(), SEED_ASK).body, 'form');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'));
    const limited = fake().calls.find((c) => c.method === 'chat.postMessage#429');
    const retried = fake().of('chat.postMessage')[0];
    expect(limited).toBeDefined();
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(
      fake()
        .of('chat.postMessage')
        .filter((c) => String(c.body.text).startsWith('Investigating')),
    ).toHaveLength(1);
  });
});

describe('an ambiguous end', () => {
  it('offers a menu of the candidates, and choosing one asks the question again with it', async () => {
    const files = worldFiles((w) => {
      const inst = (w.Reservations as { Instances: { Tags: unknown[] }[] }[])[0]?.Instances[0];
      if (inst) inst.Tags = [{ Key: 'Name', Value: 'db-1' }];
    });
    const { deps } = sandboxDeps({ files });
    const { base } = await app(deps);
    const threadTs = '1699000010.000100';
    await post(base, mention('10.2.4.95 db-1 tcp 5432', { ts: '1699000010.000200', threadTs }), 'json');
    const menu = await fake().waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('matches several things'),
    );
    const actions = (
      menu.body.blocks as { type: string; block_id?: string; elements?: Record<string, unknown>[] }[]
    ).find((b) => b.type === 'actions');
    const options = (actions?.elements?.[0]?.options ?? []) as { value: string }[];
    expect(options.map((o) => o.value).sort()).toEqual(['i-db', 'i-web']);
    const payload = {
      type: 'block_actions',
      user: { id: 'UASKER1' },
      team: { id: 'T1' },
      channel: { id: 'C0INCIDENT' },
      container: { type: 'message', message_ts: '1.0', channel_id: 'C0INCIDENT', thread_ts: threadTs },
      message: { ts: '1.0', thread_ts: threadTs },
      trigger_id: 'trig.pick',
      response_url: `${fake().url}/hooks/pick`,
      actions: [
        {
          type: 'static_select',
          block_id: actions?.block_id,
          action_id: 'whyping_pick',
          selected_option: { text: { type: 'plain_text', text: 'db' }, value: 'i-db' },
        },
      ],
    };
    await post(base, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'form');
    const details = await fake().waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'),
    );
    expect(details.body.thread_ts).toBe(threadTs);
    expect(String(details.body.text)).toContain('i-db');
  });
});

describe('the Undo button', () => {
  it('undoes the fix command it was posted with, in the thread, for anyone in the sandbox', async () => {
    const { deps, sandbox } = sandboxDeps();
    const { base } = await app(deps, { sandbox: true, fixers: [] });
    const threadTs = '1699000020.000100';
    await post(base, mention(SEED_ASK, { ts: '1699000020.000200', threadTs }), 'json');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'));
    await post(base, mention('fix 2', { ts: '1699000020.000300', threadTs, user: 'UANYONE' }), 'json');
    const report = await fake().waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('✓ applied'),
    );
    const undo = buttons(report.body.blocks as unknown[]).find((b) => b.text === 'Undo') as {
      action_id: string;
      value: string;
    };
    const c = click(fake(), undo, { channel: 'C0INCIDENT', ts: '1.0', threadTs }, 'UANYONE');
    await post(base, c.body, 'form');
    const undone = await fake().waitFor(
      (x) => x.method === 'chat.postMessage' && String(x.body.text).includes('(undid: Add route'),
    );
    expect(undone.body.thread_ts).toBe(threadTs);
    expect(sandbox.calls.filter((x) => x.operation === 'DeleteRoute' && !x.error)).toHaveLength(1);
    expect(blockText(report.body.blocks as unknown[])).toContain('audit: slack:UANYONE');
  });
});
