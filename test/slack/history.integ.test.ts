/**
 * The blockers' history in Slack: the real Bolt app, signed requests, the fake Web API, and the sandbox's CloudTrail
 * beneath the real SDK client. The verdict is posted first; what changed follows in the thread when CloudTrail
 * answers (who, when, the event id), as a reply that carries no state; a refusal is one line naming
 * cloudtrail:LookupEvents; WHYPING_HISTORY_DAYS=0 turns it off.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../src/core/deps.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import { clockedSandbox, holdCloudTrail } from '../support/clocked-sandbox.js';
import { command, post, SEED_ASK, startApp, useSlackApps } from './harness.js';

const { fake, app } = useSlackApps();

const isVerdict = (text: unknown) => typeof text === 'string' && /Not reachable|Reachable|Not analyzed/.test(text);
const isHistory = (c: { method: string; body: Record<string, unknown> }) =>
  c.method === 'chat.postMessage' && String(c.body.text).startsWith('What changed');

/** The sandbox on a clock that starts now and moves only when whyping waits (CloudTrail's rate, no real sleeps). */
function world(opts: SandboxOptions = {}, over: Partial<Deps> = {}) {
  const { sandbox, deps } = clockedSandbox(opts, Date.now());
  return { sandbox, deps: { ...deps, logger: pino({ level: 'silent' }), ...over } };
}

describe('the history in Slack', () => {
  it('posts the verdict first, then what changed in the thread: who, when and the event id, with no state', async () => {
    const { deps, sandbox } = world();
    const open = holdCloudTrail(deps);
    const { base } = await app(deps, { sandbox: true });
    await post(base, command(fake(), SEED_ASK).body, 'form');
    // CloudTrail is held: the verdict and the details arrive all the same.
    const verdict = await fake().waitFor((c) => c.method === 'chat.update' && isVerdict(c.body.text));
    const details = await fake().waitFor(
      (c) => c.method === 'chat.postMessage' && Boolean(c.body.thread_ts) && Boolean(c.body.metadata),
    );
    expect(fake().calls.some(isHistory)).toBe(false);
    open();
    const history = await fake().waitFor(isHistory);
    const order = [verdict, details, history].map((c) => fake().calls.indexOf(c));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const top = fake().messages.find((m) => !m.thread_ts) as { ts: string };
    expect(history.body.thread_ts).toBe(top.ts);
    expect(history.body.metadata).toBeUndefined();
    const deleted = sandbox.state.trail.find((e) => e.eventName === 'DeleteRoute');
    const text = String(history.body.text);
    expect(text).toContain('What changed (CloudTrail, last 7 days)');
    expect(text).toMatch(/1\. rtb-03e4f5a6b7c8d9e11: DeleteRoute by sam \(role NetworkAdmin\), yesterday \(/);
    expect(text).toContain(`[event ${deleted?.eventId}]`);
    expect(text).toContain('pcx-0d6e7f8a9b0c1d2e3: no change recorded in 7 days.');
    // Every blocker has its line: the queue spaces the held calls once released, nothing is throttled.
    expect(text).not.toContain('history not read');
    expect(text.trimEnd().split('\n')).toHaveLength(5);
  });

  it('says in one line that cloudtrail:LookupEvents was refused, and the answer stands', async () => {
    const { deps } = world({ deny: ['cloudtrail:LookupEvents'] });
    const { base } = await app(deps, { sandbox: true });
    await post(base, command(fake(), SEED_ASK).body, 'form');
    const history = await fake().waitFor(isHistory);
    expect(String(history.body.text).split('\n')).toEqual([
      'What changed (CloudTrail, last 7 days)',
      '  history not read: this role may not call cloudtrail:LookupEvents (add it, as in iam/readonly.json).',
    ]);
    expect(fake().calls.some((c) => c.method === 'chat.update' && isVerdict(c.body.text))).toBe(true);
  });

  it('reads no history when WHYPING_HISTORY_DAYS=0', async () => {
    const { deps, sandbox } = world({}, { historyDays: 0 });
    // Started here, not by useSlackApps: draining it waits for the whole conversation, history effect included.
    const { base, slack } = await startApp(fake(), deps, { sandbox: true });
    await post(base, command(fake(), SEED_ASK).body, 'form');
    await fake().waitFor((c) => c.method === 'chat.postMessage' && Boolean(c.body.thread_ts));
    await slack.drain();
    expect(fake().calls.some(isHistory)).toBe(false);
    expect(sandbox.calls.some((c) => c.operation === 'LookupEvents')).toBe(false);
  });
});
