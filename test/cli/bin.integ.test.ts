/**
 * bin/whyping.js picks the code to run: dist/ when its build stamp matches the sources (or when there are no sources,
 * as in the image), the TypeScript through tsx when the sources changed since the build, and a one-line error when
 * neither can run. Each case runs the real bin script in a child process over a throwaway checkout.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { chooseRuntime, sourceStamp, stampPath, statKey, statKeyPath } from '../../bin/build-stamp.js';

const root = resolve(import.meta.dirname, '../..');

let checkout = '';
beforeEach(() => {
  checkout = mkdtempSync(join(tmpdir(), 'whyping-bin-'));
  mkdirSync(join(checkout, 'bin'));
  writeFileSync(join(checkout, 'package.json'), '{"type": "module"}\n');
  for (const f of ['whyping.js', 'build-stamp.js']) copyFileSync(join(root, 'bin', f), join(checkout, 'bin', f));
  mkdirSync(join(checkout, 'src/main'), { recursive: true });
  writeFileSync(join(checkout, 'src/main/cli.ts'), "const from: string = 'the sources';\nconsole.log(from);\n");
  mkdirSync(join(checkout, 'dist/main'), { recursive: true });
  writeFileSync(join(checkout, 'dist/main/cli.js'), "console.log('dist');\n");
  writeFileSync(stampPath(checkout), `${sourceStamp(checkout)}\n`);
  symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'));
});

function runBin(dir: string) {
  return spawnSync(process.execPath, [join(dir, 'bin/whyping.js')], { encoding: 'utf8' });
}

describe('bin/whyping.js chooses what to run', () => {
  it('runs dist/ when the build stamp matches the sources', () => {
    const r = runBin(checkout);
    expect(r.stdout).toBe('dist\n');
    expect(r.status).toBe(0);
  });

  it('runs the sources through tsx when a source file changed after the build', () => {
    writeFileSync(join(checkout, 'src/main/extra.ts'), 'export const x = 1;\n');
    expect(chooseRuntime(checkout)).toEqual({ kind: 'tsx', reason: 'build is older than the sources' });
    const r = runBin(checkout);
    expect(r.stdout).toBe('the sources\n');
    expect(r.status).toBe(0);
  });

  it.each(['scripts/build.js', 'package-lock.json'])(
    'counts %s as a source: the bundle depends on how it is built and on the packages bundled in',
    (file) => {
      mkdirSync(join(checkout, 'scripts'), { recursive: true });
      writeFileSync(join(checkout, file), 'one\n');
      writeFileSync(stampPath(checkout), `${sourceStamp(checkout)}\n`);
      expect(chooseRuntime(checkout)).toEqual({ kind: 'dist' });
      writeFileSync(join(checkout, file), 'two\n');
      expect(chooseRuntime(checkout)).toEqual({ kind: 'tsx', reason: 'build is older than the sources' });
    },
  );

  it("trusts the build's stat key (sizes and times) only while no source changed and it names the current stamp", () => {
    const stamp = sourceStamp(checkout);
    writeFileSync(statKeyPath(checkout), `${stamp} ${statKey(checkout)}\n`);
    expect(runBin(checkout).stdout).toBe('dist\n');
    // Same size, new contents: the key changes with the modification time, and the contents decide.
    writeFileSync(join(checkout, 'src/main/cli.ts'), "const from: string = 'the sourcez';\nconsole.log(from);\n");
    utimesSync(join(checkout, 'src/main/cli.ts'), new Date(), new Date(Date.now() + 5000));
    expect(chooseRuntime(checkout)).toEqual({ kind: 'tsx', reason: 'build is older than the sources' });
    // A key recorded for another stamp vouches for nothing.
    writeFileSync(stampPath(checkout), 'not-the-stamp\n');
    writeFileSync(statKeyPath(checkout), `${stamp} ${statKey(checkout)}\n`);
    expect(chooseRuntime(checkout)).toEqual({ kind: 'tsx', reason: 'build is older than the sources' });
  });

  it('runs the sources through tsx when there is no build at all', () => {
    rmSync(join(checkout, 'dist'), { recursive: true });
    expect(runBin(checkout).stdout).toBe('the sources\n');
  });

  it('runs dist/ in an install with no sources, as in the image', () => {
    rmSync(join(checkout, 'src'), { recursive: true });
    expect(runBin(checkout).stdout).toBe('dist\n');
  });

  it('says to build, in one line with exit 70, when the build is stale and tsx is not installed', () => {
    writeFileSync(join(checkout, 'src/main/cli.ts'), "console.log('edited');\n");
    rmSync(join(checkout, 'node_modules'));
    const r = runBin(checkout);
    expect(r.status).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'whyping: build is older than the sources and tsx is not installed: run `npm run build` (or `npm ci` to install tsx).\n',
    );
  });

  it('says to build when there are neither sources nor a build', () => {
    rmSync(join(checkout, 'src'), { recursive: true });
    rmSync(join(checkout, 'dist'), { recursive: true });
    const r = runBin(checkout);
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/^whyping: no compiled code in dist\/: run `npm run build`/);
  });
});

describe('the repository itself', () => {
  it('was built from the sources as they were when the test run started, so the process tests run the compiled code', () => {
    expect(readFileSync(stampPath(root), 'utf8').trim()).toBe(inject('buildStamp'));
  });

  /** The environment of a user who never heard of the AWS SDK's switch. */
  function plainEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('AWS_') && !k.startsWith('WHYPING_') && !k.startsWith('SLACK_')) env[k] = v;
    }
    return { ...env, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1', NO_COLOR: '1' };
  }

  it.each([
    ['bin/whyping.js', 'bin/whyping.js'],
    ['the compiled entry run directly', 'dist/main/cli.js'],
  ])('prints no AWS SDK notice about Node versions through %s', (_name, entry) => {
    const r = spawnSync(
      process.execPath,
      [join(root, entry), 'diagnose', 'Instance - NextWork VPC 1', 'Instance - NextWork VPC 2', '--sandbox'],
      { cwd: root, encoding: 'utf8', env: plainEnv() },
    );
    expect(r.stdout).toMatch(/^✗ Not reachable/);
    expect(r.stderr).toBe('');
  });
});

describe('signals', () => {
  it('exits 143 on SIGTERM, as PID 1 in a container must (the kernel ignores signals PID 1 does not handle)', async () => {
    const child = spawn(process.execPath, [join(root, 'bin/whyping.js'), 'start'], {
      cwd: root,
      env: { ...process.env, WHYPING_SANDBOX: '1', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The shell is waiting for input once it has printed its first line.
    await new Promise<void>((ready) => child.stdout.once('data', () => ready()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('exit', (code, signal) => done([code, signal])),
    );
    child.kill('SIGTERM');
    expect(await exited).toEqual([143, null]);
  });
});
