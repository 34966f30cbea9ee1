/**
 * What start-up loads: `--help`, `--version` and offline questions (a snapshot file) never load the AWS SDK; the
 * commands that talk to AWS (here the sandbox beneath the real clients) do. A module resolve hook, registered before
 * the CLI starts, refuses any `@aws-sdk/…` import, so loading the SDK fails the command.
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

function run(args: string[]) {
  return spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      '--import',
      'tsx',
      join(root, 'src/main/cli.ts'),
      ...args,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', WHYPING_SANDBOX: '0', NO_COLOR: '1' },
    },
  );
}

describe('start-up without the AWS SDK', () => {
  it.each([
    ['--help', ['--help'], /Usage: whyping/],
    ['--version', ['--version'], /^\d+\.\d+\.\d+/],
    ['fix --help', ['fix', '--help'], /--apply <fix-id\|all>/],
    ['a question about a snapshot file', ['diagnose', VM1, VM2, '--snapshot', FIXED], /Reachable/],
  ])('%s runs without loading the AWS SDK', (_name, args, output) => {
    const r = run(args as string[]);
    expect(r.stderr).not.toMatch(/AWS SDK loaded/);
    expect(r.stdout).toMatch(output as RegExp);
    expect(r.status).toBe(0);
  });

  it('a question to the sandbox account does load it (the hook sees SDK imports)', () => {
    const r = run(['diagnose', VM1, VM2, '--sandbox']);
    expect(`${r.stdout}${r.stderr}`).toMatch(/AWS SDK loaded: @aws-sdk\//);
    expect(r.status).not.toBe(0);
  });
});
