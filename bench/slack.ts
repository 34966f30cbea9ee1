/**
 * Slack front end (DESIGN.md §8): the real Bolt app on its HTTP receiver, a local fake Web API, the sandbox seed lab
 * beneath the real SDK clients. For each signed /whyping request: the ack (HTTP response), the first visible message
 * (chat.postMessage at the fake) and the verdict (the chat.update that shows it), measured from the request's start.
 * Targets: ack < 100 ms, first message < 1 s, seed-lab verdict < 2 s.
 */
import { FakeSlack } from '../test/slack/fake-slack.js';
import { command, post, SEED_ASK, sandboxDeps, startApp } from '../test/slack/harness.js';

const RUNS = 30;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

const fake = await new FakeSlack().start();
const { deps } = sandboxDeps();
const { slack, base } = await startApp(fake, deps);
const ack: number[] = [];
const first: number[] = [];
const verdict: number[] = [];
for (let i = 0; i < RUNS + 3; i++) {
  const channel = `CBENCH${i}`;
  const cmd = command(fake, SEED_ASK, { channel });
  const t0 = Date.now();
  const r = await post(base, cmd.body, 'form');
  if (r.status !== 200) throw new Error(`ack status ${r.status}`);
  const posted = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === channel);
  const done = await fake.waitFor(
    (c) =>
      c.method === 'chat.update' && c.body.channel === channel && /Not reachable|Reachable/.test(String(c.body.text)),
  );
  await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === channel && Boolean(c.body.thread_ts));
  if (i < 3) continue; // warm-up: module loading and JIT
  ack.push(r.at - t0);
  first.push(posted.at - t0);
  verdict.push(done.at - t0);
}
await slack.drain();
await fake.stop();

const row = (name: string, xs: number[], target: number) =>
  `| ${name} | ${pct(xs, 50)} ms | ${pct(xs, 95)} ms | ${Math.max(...xs)} ms | < ${target} ms | ${pct(xs, 95) < target ? 'met' : 'MISSED'} |`;
process.stdout.write(`## Slack (\`npx tsx bench/slack.ts\`)

${RUNS} signed \`/whyping ${SEED_ASK}\` requests, one after the other, to the real Bolt app (HTTP receiver on
127.0.0.1) with a local fake Web API and the sandbox seed lab; times from the request's start.

| measure | median | p95 | max | target | status (p95) |
| --- | ---: | ---: | ---: | ---: | --- |
${row('ack (HTTP 200 to the command)', ack, 100)}
${row('first visible message (chat.postMessage)', first, 1000)}
${row('seed-lab verdict (chat.update with the verdict)', verdict, 2000)}
`);
