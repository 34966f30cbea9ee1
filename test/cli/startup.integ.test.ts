/**
 * What start-up loads: `--help`, `--version` and offline questions (a snapshot file) never load the AWS SDK; the
 * commands that talk to AWS (here the sandbox beneath the real clients) do. A module resolve hook, registered before
 * the CLI starts, refuses any `@aws-sdk/…` import, so loading the SDK fails the command. Both ways whyping runs: the
 * sources through tsx, and the bundle `npm run build` writes, through bin/whyping.js (a bundle that pulled the SDK into
 * the chunks every command loads would fail here). Nothing logged, nothing loads pino either.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const FIXED = join(root, 'test/fixtures/cli/seed-lab-fixed.json');
const VM1 = 'Instance - NextWork VPC 1';
const VM2 = 'Instance - NextWork VPC 2';

const HOOK = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@aws-sdk/')) throw new Error('AWS SDK loaded: ' + specifier);
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/**
 * Says on exit whether any pino module was loaded (pino is CommonJS: it lands in require's cache) and whether anything
 * read process.stdin (reading it opens a stream on fd 0, a few milliseconds a start).
 */
const PINO_PROBE = `import { createRequire } from 'node:module';
const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
let opened = false;
Object.defineProperty(process, 'stdin', { ...stdin, get() { opened = true; return stdin.get.call(process); } });
process.on('exit', () => {
  const loaded = Object.keys(createRequire('/').cache).some((k) => k.includes('/node_modules/pino/'));
  process.stderr.write(loaded ? 'pino loaded' : 'pino not loaded');
  process.stderr.write(opened ? ', stdin opened' : ', stdin not opened');
});`;

const ENTRIES = {
  'the sources (tsx)': ['--import', 'tsx', join(root, 'src/main/cli.ts')],
  'the build, through bin/whyping.js': [join(root, 'bin/whyping.js')],
};

function run(entry: string[], args: string[]) {
  return spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      '--import',
      `data:text/javascript,${encodeURIComponent(PINO_PROBE)}`,
      ...entry,
      ...args,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', WHYPING_SANDBOX: '0', NO_COLOR: '1' },
    },
  );
}

describe.each(Object.entries(ENTRIES))('start-up without the AWS SDK: %s', (_entry, entry) => {
  it.each([
    ['--help', ['--help'], /Usage: whyping/, 0],
    ['--version', ['--version'], /^\d+\.\d+\.\d+/, 0],
    ['fix --help', ['fix', '--help'], /--apply <fix-id\|all>/, 0],
    ['a question about a snapshot file', ['diagnose', VM1, VM2, '--snapshot', FIXED], /Reachable/, 0],
    [
      // Not reachable (exit 1): no public IP on the instance, so the answer adds the Instance Connect Endpoint hint.
      'a question about a snapshot file that earns the EC2 Instance Connect Endpoint hint',
      ['diagnose', 'eic', VM2, '--protocol', 'tcp', '--port', '22', '--snapshot', FIXED, '--json'],
      /EC2 Instance Connect Endpoint \(help eic\)/,
      1,
    ],
  ])('%s runs without loading the AWS SDK', (_name, args, output, status) => {
    const r = run(entry, args as string[]);
    expect(r.stderr).not.toMatch(/AWS SDK loaded/);
    expect(r.stderr).toBe('pino not loaded, stdin not opened');
    expect(r.stdout).toMatch(output as RegExp);
    expect(r.status).toBe(status);
  });

  it('a question to the sandbox account does load it (the hook sees SDK imports)', () => {
    const r = run(entry, ['diagnose', VM1, VM2, '--sandbox']);
    expect(`${r.stdout}${r.stderr}`).toMatch(/AWS SDK loaded: @aws-sdk\//);
    expect(r.status).not.toBe(0);
  });
});
