import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { cli } from './cli.js';

const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../example/Dockerfile');

async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  const code = await cli(argv, { stdout, stderr });
  return {
    code,
    stdout: Buffer.concat(chunks.stdout).toString(),
    stderr: Buffer.concat(chunks.stderr).toString(),
  };
}

function tempDockerfile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'stagecraft-cli-')), 'Dockerfile');
  writeFileSync(file, text);
  return file;
}

describe('stagecraft parse', () => {
  test('--format buildkit prints BuildKit’s dump', async () => {
    const file = tempDockerfile('FROM a AS b\nCOPY --link x /y\n');
    expect(await runCli('parse', '--file', file)).toEqual({
      code: 0,
      stdout: '(from "a" "AS" "b")\n(copy ["--link"] "x" "/y")\n',
      stderr: '',
    });
  });

  test('--format json prints typed instructions with their lines', async () => {
    const { code, stdout } = await runCli('parse', '--file', EXAMPLE, '--format', 'json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.stages.map((stage: { name: string }) => stage.name)).toEqual([
      'deps',
      'build',
      'test',
      'docs',
      'runtime',
    ]);
    expect(json.stages[4].instructions[0]).toMatchObject({
      kind: 'copy',
      from: 'build',
      lines: { start: 22, end: 22 },
    });
    expect(json.metaArgs[0]).toMatchObject({
      kind: 'arg',
      args: [{ key: 'BASE', value: 'stagecraft-example/base:1' }],
    });
  });

  test('a Dockerfile error exits 1 with file:line: message', async () => {
    const file = tempDockerfile('FROM a\nENV PATH\n');
    expect(await runCli('parse', '--file', file)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${file}:2: ENV must have two arguments\n`,
    });
  });
});

describe('stagecraft plan', () => {
  test('json: the plan with error null', async () => {
    const { code, stdout } = await runCli(
      'plan',
      '--file',
      EXAMPLE,
      '--format',
      'json',
      '--platform',
      'linux/arm64',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      target: 'runtime',
      targetIndex: 4,
      order: [0, 1, 4],
      skipped: [2, 3],
      error: null,
    });
  });

  test('json: an unknown target prints the JSON with error set and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(
      'plan',
      '--file',
      EXAMPLE,
      '--target',
      'nope',
      '--format',
      'json',
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error).toEqual({
      message: 'target stage "nope" could not be found',
      line: null,
    });
    expect(stderr).toContain('target stage "nope" could not be found');
  });

  test('json: a located error carries its line', async () => {
    const file = tempDockerfile('FROM a\nCOPY --from=2 /x /x\n');
    const { code, stdout } = await runCli('plan', '--file', file, '--format', 'json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error).toEqual({ message: 'invalid stage index 2', line: 2 });
  });

  test('build args and contexts are repeatable flags', async () => {
    const file = tempDockerfile('ARG V=a\nFROM alpine AS impl-a\nFROM alpine AS impl-b\nFROM impl-${V}\n');
    const { stdout } = await runCli(
      'plan',
      '--file',
      file,
      '--build-arg',
      'V=b',
      '--build-context',
      'impl-b=local:x',
      '--format',
      'json',
    );
    expect(JSON.parse(stdout)).toMatchObject({
      order: [1, 2],
      stages: [{}, { base: { context: 'impl-b' } }, {}],
    });
  });

  test('mermaid and text formats', async () => {
    expect((await runCli('plan', '--file', EXAMPLE, '--format', 'mermaid')).stdout).toMatch(
      /^flowchart TD\n/,
    );
    expect((await runCli('plan', '--file', EXAMPLE)).stdout).toMatch(/^Target: runtime \(stage 4, linux\//);
  });
});

describe('stagecraft drift', () => {
  test('with no earlier scheduled run: nothing to compare, every stage would be built, nothing stored', async () => {
    // Only scratch stages: no image to look up in a registry.
    const file = tempDockerfile('FROM scratch AS one\nENV A=1\nFROM one AS two\nENV B=2\n');
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'stagecraft-cache-'));
    const { code, stdout } = await runCli(
      'drift',
      '--file',
      file,
      '--context',
      path.dirname(file),
      '--cache-dir',
      cacheDir,
      '--platform',
      'linux/amd64',
      '--max-cache-age',
      '7d',
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'No earlier scheduled run to compare with (no earlier scheduled run of two (linux/amd64) in the local cache); 0 base image digests are recorded for the next one.',
        'Rebuilt (2 of 2):',
        '  one  not cached: no cache entry for it',
        '  two  not cached: no cache entry for it',
        '',
      ].join('\n'),
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('usage errors exit 2', () => {
  test.each([
    { name: 'no command', argv: [] },
    { name: 'unknown command', argv: ['frobnicate'] },
    { name: 'unknown flag', argv: ['plan', '--nope'] },
    { name: 'bad format', argv: ['plan', '--format', 'yaml'] },
    { name: 'malformed build arg', argv: ['plan', '--build-arg', 'NOEQUALS'] },
    { name: 'bad platform', argv: ['plan', '--platform', 'a/b/c/d'] },
    { name: 'a comment input', argv: ['build', '--comment', 'always'] },
    { name: 'a token', argv: ['build', '--github-token', 'ghp_x'] },
    { name: 'a size without a unit', argv: ['build', '--size-limit', '150'] },
    { name: 'a baseline that is not a report', argv: ['build', '--baseline', EXAMPLE] },
    { name: 'a baseline that is not there', argv: ['build', '--baseline', '/nonexistent/report.json'] },
    { name: 'drift: a cache age without a unit', argv: ['drift', '--max-cache-age', '7'] },
    {
      name: 'drift: max-cache-age with mode normal',
      argv: ['drift', '--mode', 'normal', '--max-cache-age', '7d'],
    },
    { name: 'drift: the gha cache', argv: ['drift', '--cache', 'gha'] },
    { name: 'drift: a format', argv: ['drift', '--format', 'json'] },
    { name: 'a bad mode', argv: ['build', '--mode', 'weekly'] },
  ])('$name', async ({ argv }) => {
    const { code, stderr } = await runCli(...argv);
    expect(code).toBe(2);
    if (argv.length > 0) expect(stderr).toContain('Usage: stagecraft');
  });
});

test('run: the main job prints the report and writes it to a file', async () => {
  const report = path.join(mkdtempSync(path.join(tmpdir(), 'stagecraft-cli-')), 'out', 'report.md');
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'stagecraft-cache-'));
  const { code, stdout, stderr } = await runCli(
    'run',
    '--file',
    EXAMPLE,
    '--context',
    path.dirname(EXAMPLE),
    '--cache-dir',
    cacheDir,
    '--report-md',
    report,
  );
  expect(code).toBe(0);
  expect(stdout).toBe(readFileSync(report, 'utf8'));
  expect(stdout).toContain('## stagecraft plan: runtime');
  expect(stderr).toContain('output stages=["deps","build","runtime"]');
});

test('build: the size report as Markdown and JSON; --baseline compares with an earlier one; budgets', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-cli-'));
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'stagecraft-cache-'));
  const common = ['--file', EXAMPLE, '--context', path.dirname(EXAMPLE), '--cache-dir', cacheDir];
  const first = await runCli(
    'build',
    ...common,
    '--report-md',
    path.join(dir, 'a.md'),
    '--report-json',
    path.join(dir, 'a.json'),
  );
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('### Image size of <code>runtime</code>');
  expect(first.stdout).toContain('ℹ️ **No baseline**');
  expect(first.stderr).toContain(
    `Report written to ${path.join(dir, 'a.md')} and ${path.join(dir, 'a.json')}`,
  );
  const report = JSON.parse(readFileSync(path.join(dir, 'a.json'), 'utf8')) as {
    schemaVersion: number;
    compressedBytes: number;
  };
  expect(report.schemaVersion).toBe(1);
  expect(first.stderr).toContain(`output size=${report.compressedBytes}\n`);
  expect(first.stderr).toContain(`output report=${path.join(dir, 'a.json')}\n`);

  const second = await runCli(
    'build',
    ...common,
    '--report-md',
    path.join(dir, 'b.md'),
    '--report-json',
    path.join(dir, 'b.json'),
    '--baseline',
    path.join(dir, 'a.json'),
    '--size-limit',
    '1kB',
  );
  expect(second.code).toBe(1);
  expect(second.stdout).toContain('| Compressed | ');
  expect(second.stdout).toContain('| 0B | 0.0% |');
  expect(second.stdout).toContain('No layer changed in size.');
  expect(second.stdout).toContain('❌ **Over budget**');
  expect(second.stderr).toContain(`output baseline-size=${report.compressedBytes}\n`);
  expect(second.stderr).toContain('output size-delta=0\n');
  expect(second.stderr).toMatch(
    /error: runtime \(linux\/[^)]+\): Over budget: compressed size \S+ is over the size-limit of 1kB/,
  );
});
