import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError, type Exec, type ExecOptions } from '../adapters/exec.js';
import { toOptions } from '../options.js';
import { buildBakeFile } from './bake-file.js';
import { BuildxRunError, createLineSplitter, readMetadataFile, runBuildx, writeBakeFiles } from './run.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const read = (name: string) => readFileSync(path.join(testdata, name), 'utf8');

/** An Exec that replays `stderr` in uneven chunks, as a pipe delivers it, then exits with `exitCode`. */
function replayExec(stderr: string, exitCode: number): Exec & { seen: ExecOptions[] } {
  const seen: ExecOptions[] = [];
  const exec = (async (_argv: readonly string[], options: ExecOptions = {}) => {
    seen.push(options);
    for (let i = 0; i < stderr.length; i += 37) options.onStderr?.(stderr.slice(i, i + 37));
    return { exitCode, stdout: '', stderr };
  }) as Exec & { seen: ExecOptions[] };
  exec.seen = seen;
  return exec;
}

describe('runBuildx', () => {
  test('streams every line of a successful run to the callback, whole', async () => {
    const text = read('progress-bake-cold-three-targets-buildx-0.13.txt');
    const lines: string[] = [];
    const result = await runBuildx(replayExec(text, 0), ['docker', 'buildx', 'bake'], {
      onLine: (line) => lines.push(line),
    });
    expect(lines.join('\n')).toBe(text.replace(/\n$/, ''));
    expect(result.exitCode).toBe(0);
    expect(result.output).toBe(text);
    expect(result.stderrTail.split('\n')).toHaveLength(5);
  });

  test('passes cwd, env and timeout through to Exec', async () => {
    const exec = replayExec('', 0);
    await runBuildx(exec, ['docker', 'buildx', 'bake'], {
      cwd: '/w',
      env: { PATH: '/bin', STAGECRAFT_SECRET_0: 's' },
      timeoutMs: 1000,
    });
    expect(exec.seen[0]).toMatchObject({
      cwd: '/w',
      env: { PATH: '/bin', STAGECRAFT_SECRET_0: 's' },
      timeoutMs: 1000,
    });
  });

  test('a failed run throws a RunError carrying buildx’s error block', async () => {
    const text = read('progress-bake-run-error-buildx-0.13.txt');
    const argv = ['docker', 'buildx', 'bake', '--file', 'b.json', 'deps', 'runtime'];
    const error = await runBuildx(replayExec(text, 1), argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect(error).toBeInstanceOf(BuildxRunError);
    const failure = error as BuildxRunError;
    expect(failure.exitCode).toBe(1);
    expect(failure.argv).toEqual(argv);
    expect(failure.buildError?.location).toEqual({ file: 'Dockerfile', line: 5 });
    expect(failure.stderrTail.split('\n')[0]).toBe('------');
    expect(failure.stderrTail).toContain(' > [runtime build 1/1] RUN echo "compiling"');
    expect(failure.stderrTail).toContain('   5 | >>> RUN echo "compiling" && \\');
    expect(failure.stderrTail.split('\n').at(-1)).toMatch(
      /^ERROR: failed to solve: process .* exit code: 3$/,
    );
    expect(failure.message).toMatch(/^docker buildx bake failed with exit code 1: ------\n/);
    expect(failure.output).toBe(text);
  });

  test('a failure without an ERROR block keeps the last lines', async () => {
    const error = (await runBuildx(replayExec('a\nb\nsignal: killed\n', 137), [
      'docker',
      'buildx',
      'build',
    ]).catch((e: unknown) => e)) as BuildxRunError;
    expect(error.buildError).toBeUndefined();
    expect(error.stderrTail).toBe('a\nb\nsignal: killed');
  });
});

describe('createLineSplitter', () => {
  test('lines across chunks, CRLF, and a last line without a newline', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    for (const chunk of ['#1 a', 'bc\r', '\n#1 DO', 'NE 0.1s\n\n', 'tail']) splitter.push(chunk);
    expect(lines).toEqual(['#1 abc', '#1 DONE 0.1s', '']);
    splitter.flush();
    splitter.flush();
    expect(lines).toEqual(['#1 abc', '#1 DONE 0.1s', '', 'tail']);
  });
});

describe('writeBakeFiles and readMetadataFile', () => {
  test('writes the bake file and the compose override, owner-only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-run-'));
    const bake = buildBakeFile({
      options: toOptions({ target: 'app', network: 'none', 'cache-to': 'type=gha,token=t' }, 'local'),
      stageTargets: [],
      targetCacheTo: [],
      cacheFrom: [],
      targetName: 'app',
      cwd: '/w',
    });
    const written = await writeBakeFiles(dir, bake);
    expect(written).toEqual({
      bakeFile: path.join(dir, 'stagecraft.bake.json'),
      composeFile: path.join(dir, 'stagecraft.compose.yaml'),
    });
    expect(JSON.parse(readFileSync(written.bakeFile, 'utf8'))).toEqual(bake.definition);
    expect(JSON.parse(readFileSync(written.composeFile!, 'utf8'))).toEqual({
      services: { app: { build: { network: 'none' } } },
    });
    expect(statSync(written.bakeFile).mode & 0o777).toBe(0o600);
    expect(await readMetadataFile(path.join(dir, 'absent.json'))).toBeUndefined();
    expect(await readMetadataFile(written.bakeFile)).toContain('"target"');
  });
});
