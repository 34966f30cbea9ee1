// A stand-in for the Slack Web API (https://slack.com/api/<method>) for scripts/image-check.sh: answers every method
// with ok, auth.test with a bot identity, and prints each method it was asked, one a line. Listens on 127.0.0.1 only.
//   node scripts/fake-slack-api.js [PORT]     (0 or nothing: a port the kernel picks; the port is printed first)
import { createServer } from 'node:http';

const IDENTITY = {
  url: 'https://whyping-check.slack.com/',
  team: 'whyping check',
  user: 'whyping',
  team_id: 'T0CHECK',
  user_id: 'U0BOT',
  bot_id: 'B0BOT',
};

const server = createServer((req, res) => {
  const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
  req.resume();
  req.on('end', () => {
    process.stdout.write(`${method}\n`);
    const body =
      method === 'auth.test'
        ? { ok: true, ...IDENTITY }
        : method === 'chat.postMessage'
          ? { ok: true, channel: 'C0CHECK', ts: `${Date.now() / 1000}` }
          : { ok: true };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
