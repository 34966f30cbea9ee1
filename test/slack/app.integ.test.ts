/**
 * The Slack app end to end, with no Slack: the real Bolt app on its HTTP receiver, signed requests, a local fake Web
 * API that records every call, and AWS through the sandbox beneath the real SDK clients.
 */
import { describe, expect, it } from 'vitest';
import {
  blockText,
  buttons,
  captureLogger,
  click,
  command,
  FIXER,
  gate,
  mention,
  post,
  SEED_ASK,
  sandboxDeps,
  sign,
  useSlackApps,
} from './harness.js';

const { fake, app, apps } = useSlackApps();

const isVerdict = (text: unknown) => typeof text === 'string' && /Not reachable|Reachable|Not analyzed/.test(text);

describe('/whyping', () => {
  it('acks before any AWS work ends, then updates one visible message in place and puts the details in its thread', async () => {
    const { deps } = sandboxDeps();
    const open = gate(deps);
    const { base } = await app(deps);
    const cmd = command(fake(), '"Instance - NextWork VPC 1" "Instance - NextWork VPC 2"');
    const ack = await post(base, cmd.body, 'form');
    expect(ack.status).toBe(200);
    // AWS is held: no verdict can exist yet when the ack has arrived.
    expect(fake().calls.some((c) => c.method === 'chat.update' && isVerdict(c.body.text))).toBe(false);
    open();
    const final = await fake().waitFor((c) => c.method === 'chat.update' && isVerdict(c.body.text));
    const tops = fake()
      .of('chat.postMessage')
      .filter((c) => !c.body.thread_ts);
    expect(tops).toHaveLength(1);
    expect(String(tops[0]?.body.text)).toMatch(/^Investigating Instance - NextWork VPC 1 → Instance - NextWork VPC 2/);
    const top = fake().messages.find((m) => !m.thread_ts) as { ts: string };
    expect(final.body.ts).toBe(top.ts);
    expect(blockText(final.body.blocks as unknown[])).toContain(':x:');
    const details = await fake().waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === top.ts);
    const text = blockText(details.body.blocks as unknown[]);
    for (const code of ['PEERING_NOT_ACTIVE', 'NO_ROUTE', 'SG_INGRESS_DENIED']) expect(text).toContain(code);
    expect(text).toContain('Request path (forward)');
    const b = buttons(details.body.blocks as unknown[]);
    expect(b.map((x) => x.text)).toEqual(expect.arrayContaining(['Fix all', 'Re-check', 'Probe']));
    expect(b.filter((x) => x.text.startsWith('Fix ') && x.text !== 'Fix all').length).toBeGreaterThanOrEqual(3);
    expect(b.find((x) => x.text.startsWith('Fix 1:'))?.confirm).toBeDefined();
    expect(details.body.metadata).toMatchObject({ event_type: 'whyping_state' });
  });

  it('answers help ephemerally through the response_url, without touching AWS', async () => {
    const { deps, sandbox } = sandboxDeps();
    const { base } = await app(deps);
    const cmd = command(fake(), 'help');
    expect((await post(base, cmd.body, 'form')).status).toBe(200);
    const hook = await fake().waitFor((c) => c.method === cmd.hook);
    expect(hook.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(hook.body.text)).toContain('@whyping fix N');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('answers /whyping help eic with the whole topic, ephemerally', async () => {
    const { deps, sandbox } = sandboxDeps();
    const { base } = await app(deps);
    const cmd = command(fake(), 'help eic');
    expect((await post(base, cmd.body, 'form')).status).toBe(200);
    const hook = await fake().waitFor((c) => c.method === cmd.hook);
    expect(hook.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(hook.body.text)).toContain('--connection-type eice');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('lists the instances ephemerally, and an unknown name says the close matches and how to list them', async () => {
    const { deps } = sandboxDeps();
    const { base } = await app(deps);
    const list = command(fake(), 'instances');
    await post(base, list.body, 'form');
    const listed = String((await fake().waitFor((c) => c.method === list.hook)).body.text);
    expect(listed).toMatch(
      /^Instances in us-east-1 \(2\):\n {2}Instance - NextWork VPC 1 +i-[0-9a-f]+ +10\.1\.0\.12\n/,
    );
    expect(listed).toContain('Instance - NextWork VPC 2');
    const unknown = command(fake(), '"Instance - NextWork VPC 3" 10.2.4.95');
    await post(base, unknown.body, 'form');
    const hook = await fake().waitFor((c) => c.method === unknown.hook);
    expect(String(hook.body.text)).toMatch(
      /^Sorry: No instance is named "Instance - NextWork VPC 3" in us-east-1\. Did you mean: Instance - NextWork VPC 1, Instance - NextWork VPC 2\?\nSay `instances` \(or `\/whyping instances`\) to list them\.$/,
    );
  });

  it('answers bad input ephemerally in one sentence, and keeps serving', async () => {
    const { deps } = sandboxDeps();
    const { base } = await app(deps);
    const bad = command(fake(), 'web-1 db-1 tcp 99999');
    await post(base, bad.body, 'form');
    const hook = await fake().waitFor((c) => c.method === bad.hook);
    expect(String(hook.body.text)).toMatch(/^Sorry: Port 99999 is out of range/);
    expect(fake().of('chat.postMessage')).toHaveLength(0);
    const good = command(fake(), SEED_ASK);
    await post(base, good.body, 'form');
    await fake().waitFor((c) => c.method === 'chat.update' && isVerdict(c.body.text));
  });

  it('says a follow-up needs a thread ephemerally, and a bare mention gets the help in its thread', async () => {
    const { deps } = sandboxDeps();
    const { base } = await app(deps);
    const cmd = command(fake(), 'fix 2');
    await post(base, cmd.body, 'form');
    const hook = await fake().waitFor((c) => c.method === cmd.hook);
    expect(hook.body).toMatchObject({ response_type: 'ephemeral', text: 'Nothing to fix yet: ask a question first.' });
    await post(base, mention('', { ts: '1699000040.000100' }), 'json');
    const help = await fake().waitFor((c) => c.method === 'chat.postMessage');
    expect(help.body.thread_ts).toBe('1699000040.000100');
    expect(String(help.body.text)).toContain('/whyping web-1 db-1');
  });

  it('gives each of 20 concurrent commands exactly one answer', async () => {
    const { deps } = sandboxDeps();
    const { base } = await app(deps);
    const channels = Array.from({ length: 20 }, (_, i) => `C0LOAD${String(i).padStart(2, '0')}`);
    const acks = await Promise.all(
      channels.map((channel) => post(base, command(fake(), SEED_ASK, { channel }).body, 'form')),
    );
    expect(acks.every((a) => a.status === 200)).toBe(true);
    // In each thread: the details (carrying the state), then what changed on the blockers (no state).
    await fake().waitForCount((c) => c.method === 'chat.postMessage' && Boolean(c.body.thread_ts), 40, 60_000);
    for (const channel of channels) {
      const posted = fake()
        .of('chat.postMessage')
        .filter((c) => c.body.channel === channel);
      expect(posted.filter((c) => !c.body.thread_ts)).toHaveLength(1);
      expect(posted.filter((c) => c.body.thread_ts && c.body.metadata)).toHaveLength(1);
      const history = posted.filter((c) => c.body.thread_ts && !c.body.metadata);
      expect(history.map((c) => String(c.body.text).split('\n')[0])).toEqual([
        'What changed (CloudTrail, last 7 days)',
      ]);
      const verdicts = fake()
        .of('chat.update')
        .filter((c) => c.body.channel === channel && isVerdict(c.body.text));
      expect(verdicts).toHaveLength(1);
    }
  });

  it('answers through the response_url where the bot cannot post, and says how to invite it', async () => {
    const { deps } = sandboxDeps();
    const { base } = await app(deps);
    fake().notInChannel.add('GPRIVATE1');
    const cmd = command(fake(), SEED_ASK, { channel: 'GPRIVATE1' });
    await post(base, cmd.body, 'form');
    const invite = await fake().waitFor(
      (c) => c.method === cmd.hook && String(c.body.text).includes('/invite @whyping'),
    );
    const answers = fake()
      .of(cmd.hook)
      .filter((c) => c.body.response_type === 'in_channel');
    expect(answers.some((c) => isVerdict(c.body.text))).toBe(true);
    expect(invite.body.response_type).toBe('ephemeral');
  });
});

describe('@whyping in a thread', () => {
  it('reads the unquoted seed-lab question and answers in that thread, then a follow-up after a restart fixes from the thread state', async () => {
    const { deps, sandbox } = sandboxDeps();
    const first = await app(deps);
    const threadTs = '1699000000.000100';
    await post(first.base, mention(SEED_ASK, { ts: '1699000000.000200', threadTs }), 'json');
    const details = await fake().waitFor(
      (c) =>
        c.method === 'chat.postMessage' && c.body.thread_ts === threadTs && String(c.body.text).startsWith('Details'),
    );
    expect(
      fake()
        .of('chat.postMessage')
        .every((c) => c.body.thread_ts === threadTs),
    ).toBe(true);
    const fix2 = buttons(details.body.blocks as unknown[]).find((b) => b.text.startsWith('Fix 2:'));
    expect(fix2?.text).toMatch(/Add route 10\.2\.0\.0\/16/);

    // A new process (a restart, or another replica): nothing in memory; the thread holds the state.
    await first.slack.drain();
    apps.splice(apps.indexOf(first.slack), 1);
    const second = await app(deps);
    await post(second.base, mention('fix 2', { user: FIXER, ts: '1699000000.000300', threadTs }), 'json');
    const report = await fake().waitFor(
      (c) =>
        c.method === 'chat.postMessage' && c.body.thread_ts === threadTs && String(c.body.text).includes('applied'),
    );
    expect(String(report.body.text)).toMatch(/✓ applied: Add route 10\.2\.0\.0\/16.*\[request /);
    expect(String(report.body.text)).toContain(`audit: slack:${FIXER} at `);
    expect(buttons(report.body.blocks as unknown[]).map((b) => b.text)).toContain('Undo');
    expect(sandbox.calls.filter((c) => c.operation === 'CreateRoute' && !c.error)).not.toHaveLength(0);
    expect(fake().of('conversations.replies').length).toBeGreaterThan(0);
  });

  it('answers a retried event once', async () => {
    const { deps } = sandboxDeps();
    const { base } = await app(deps);
    const body = mention(SEED_ASK, { eventId: 'EvSAME', ts: '1699000001.000100' });
    await post(base, body, 'json');
    await post(base, body, 'json', { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'));
    const tops = fake()
      .of('chat.postMessage')
      .filter((c) => String(c.body.text).startsWith('Investigating'));
    expect(tops).toHaveLength(1);
  });

  it('escapes a Name tag of <!channel>: nothing whyping posts can ping a channel', async () => {
    const { worldFiles } = await import('../snapshot/world.js');
    const files = worldFiles((w) => {
      const inst = (w.Reservations as { Instances: { Tags: unknown[] }[] }[])[0]?.Instances[0];
      if (inst) inst.Tags = [{ Key: 'Name', Value: '<!channel> web & <@U0EVIL>' }];
    });
    const { deps } = sandboxDeps({ files });
    const { base } = await app(deps);
    await post(base, mention('i-web db-1 tcp 5432', { ts: '1699000002.000100' }), 'json');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'));
    await fake().waitFor((c) => c.method === 'chat.update' && isVerdict(c.body.text));
    const posted = [...fake().of('chat.postMessage'), ...fake().of('chat.update')];
    const all = posted.map((c) => `${String(c.body.text)} ${blockText(c.body.blocks as unknown[])}`).join('\n');
    expect(all).toContain('&lt;!channel&gt; web &amp; &lt;@U0EVIL&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0EVIL>');
  });
});

describe('requests Slack did not sign', () => {
  it('get 401 and no work for a bad signature or a stale timestamp', async () => {
    const { deps, sandbox } = sandboxDeps();
    const { base } = await app(deps);
    const cmd = command(fake(), SEED_ASK);
    const forged = await post(base, cmd.body, 'form', {}, sign(cmd.body, undefined, 'not-the-secret'));
    const stale = await post(base, cmd.body, 'form', {}, sign(cmd.body, Math.floor(Date.now() / 1000) - 10 * 60));
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(fake().calls.filter((c) => c.method !== 'auth.test')).toHaveLength(0);
    expect(sandbox.calls).toHaveLength(0);
  });
});

describe('fix buttons', () => {
  async function answered(deps: ReturnType<typeof sandboxDeps>['deps'], base: string, channel = 'C0FIX') {
    await post(base, command(fake(), SEED_ASK, { channel }).body, 'form');
    const details = await fake().waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.channel === channel && String(c.body.text).startsWith('Details'),
    );
    void deps;
    return { details, threadTs: String(details.body.thread_ts), ts: fake().messages.at(-1)?.ts as string };
  }

  it('refuse a user who is not a fixer, ephemerally naming the setting, and change nothing', async () => {
    const { deps, sandbox } = sandboxDeps();
    const { base } = await app(deps);
    const a = await answered(deps, base);
    const fix1 = buttons(a.details.body.blocks as unknown[]).find((b) => b.text.startsWith('Fix 1:'));
    const c = click(
      fake(),
      fix1 as { action_id: string; value: string },
      { channel: 'C0FIX', ts: a.ts, threadTs: a.threadTs },
      'UINTRUDER',
    );
    expect((await post(base, c.body, 'form')).status).toBe(200);
    const refusal = await fake().waitFor((x) => x.method === c.hook);
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(String(refusal.body.text)).toContain('WHYPING_FIXERS');
    expect(sandbox.calls.filter((x) => !/^(Describe|LookupEvents)/.test(x.operation))).toHaveLength(0);
  });

  it('apply once when clicked twice at the same time: one applied, the other already in place', async () => {
    const { deps, sandbox } = sandboxDeps();
    const { base } = await app(deps);
    const a = await answered(deps, base);
    const fix2 = buttons(a.details.body.blocks as unknown[]).find((b) => b.text.startsWith('Fix 2:')) as {
      action_id: string;
      value: string;
    };
    const where = { channel: 'C0FIX', ts: a.ts, threadTs: a.threadTs };
    await Promise.all([
      post(base, click(fake(), fix2, where).body, 'form'),
      post(base, click(fake(), fix2, where).body, 'form'),
    ]);
    const reports = await fake().waitForCount(
      (c) => c.method === 'chat.postMessage' && /applied|already|Already/.test(String(c.body.text)),
      2,
    );
    const texts = reports.map((r) => String(r.body.text));
    expect(texts.filter((t) => t.includes('✓ applied'))).toHaveLength(1);
    expect(texts.filter((t) => /Already fixed by someone|already in place/i.test(t))).toHaveLength(1);
    expect(sandbox.calls.filter((c) => c.operation === 'CreateRoute' && !c.error)).toHaveLength(1);
  });

  it('log one audit event per step, with the Slack user, channel, thread, fix id and AWS request ids', async () => {
    const { deps } = sandboxDeps();
    const log = captureLogger('info');
    const { base } = await app(deps, { logger: log.logger });
    const a = await answered(deps, base);
    const fix2 = buttons(a.details.body.blocks as unknown[]).find((b) => b.text.startsWith('Fix 2:')) as {
      action_id: string;
      value: string;
    };
    await post(base, click(fake(), fix2, { channel: 'C0FIX', ts: a.ts, threadTs: a.threadTs }).body, 'form');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('✓ applied'));
    const audit = log.lines.filter((l) => l.audit);
    expect(audit.map((l) => l.audit)).toEqual(['confirmed', 'requested', 'applied']);
    const applied = audit.at(-1) as Record<string, unknown>;
    expect(applied).toMatchObject({ user: FIXER, channel: 'C0FIX', thread: a.threadTs });
    expect(String(applied.fixId)).toMatch(/^fx-|^fix-/);
    expect((applied.requestIds as string[]).length).toBeGreaterThan(0);
  });
});

describe('where whyping answers, and who may press what', () => {
  it('stays out of a Slack Connect channel not listed in WHYPING_CHANNELS, and out of unlisted channels when it is set', async () => {
    const { deps, sandbox } = sandboxDeps();
    const open = await app(deps);
    const shared = JSON.parse(mention(SEED_ASK, { channel: 'C0SHARED' })) as Record<string, unknown>;
    await post(open.base, JSON.stringify({ ...shared, is_ext_shared_channel: true }), 'json');
    const refusal = await fake().waitFor((c) => c.method === 'chat.postEphemeral');
    expect(String(refusal.body.text)).toContain('shared with other organizations');
    const listed = await app(deps, { channels: ['C0OPS'] });
    const cmd = command(fake(), SEED_ASK, { channel: 'C0OTHER' });
    await post(listed.base, cmd.body, 'form');
    expect(String((await fake().waitFor((c) => c.method === cmd.hook)).body.text)).toContain('WHYPING_CHANNELS');
    expect(fake().of('chat.postMessage')).toHaveLength(0);
    expect(sandbox.calls).toHaveLength(0);
  });

  it('lets a member of a user group in WHYPING_FIXERS fix, and keeps Probe to WHYPING_PROBERS', async () => {
    const { deps } = sandboxDeps();
    fake().groups.set('S0ONCALL', ['UONCALL1']);
    const { base } = await app(deps, { fixers: ['S0ONCALL'], probers: ['UPROBER1'] });
    const threadTs = '1699000030.000100';
    await post(base, mention(SEED_ASK, { ts: '1699000030.000200', threadTs }), 'json');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Details'));
    await post(base, mention('probe', { ts: '1699000030.000300', threadTs, user: 'UONCALL1' }), 'json');
    const refused = await fake().waitFor((c) => c.method === 'chat.postEphemeral');
    expect(String(refused.body.text)).toContain('WHYPING_PROBERS');
    await post(base, mention('fix 2', { ts: '1699000030.000400', threadTs, user: 'UONCALL1' }), 'json');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('✓ applied'));
    expect(fake().of('usergroups.users.list')).toHaveLength(1);
  });
});

describe('health', () => {
  it('reports 503 with the reason while Slack refuses the token, and ready once auth.test passes', async () => {
    const { deps } = sandboxDeps();
    fake().failures.push(
      { method: 'auth.test', error: 'invalid_auth' },
      { method: 'auth.test', error: 'invalid_auth' },
    );
    const { base } = await app(deps, { retryMs: 60_000 });
    await fake().waitFor((c) => c.method === 'auth.test');
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { reason: string }).reason).toContain('invalid_auth');
    const up = await fetch(`${base}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ready: true, reason: null });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
