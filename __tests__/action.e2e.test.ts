// The bundled action, run as a runner runs it: outputs, job summary, annotations and exit codes.
import { describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './support/conformance.js';
import { runAction } from './support/runner.js';

function workspaceWithExample(): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'stagecraft-ws-'));
  cpSync(path.join(REPO_ROOT, 'example'), path.join(workspace, 'example'), { recursive: true });
  return workspace;
}

describe('dist/index.js as a runner calls it', () => {
  test('plans the example: outputs, summary with text and graph, success', async () => {
    const run = await runAction(workspaceWithExample(), {
      file: 'example/Dockerfile',
      context: 'example',
      target: 'RUNTIME',
      platforms: 'linux/amd64',
      cache: 'local',
      'cache-dir': mkdtempSync(path.join(tmpdir(), 'stagecraft-cache-')),
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.get('stages')).toBe('["deps","build","runtime"]');
    expect(run.outputs.get('skipped-stages')).toBe('["test","docs"]');
    expect(run.outputs.get('target')).toBe('runtime');
    expect(JSON.parse(run.outputs.get('plan')!)).toMatchObject({ targetIndex: 4, order: [0, 1, 4] });
    expect(run.summary).toContain('build    ← COPY --from=build in runtime, line 22');
    expect(run.summary).toContain('```mermaid');
    expect(run.stdout).toContain('::group::Plan');
  });

  test('build args reach global ARGs in FROM', async () => {
    const run = await runAction(workspaceWithExample(), {
      file: 'example/Dockerfile',
      context: 'example',
      'build-args': 'BASE=stagecraft-test/busybox:1\nUNUSED=x',
      cache: 'off',
      platforms: 'linux/amd64',
    });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.get('plan')!).externalImages).toEqual(['stagecraft-test/busybox:1']);
  });

  test('a Dockerfile error fails the step with an annotation on its line, outputs still set', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'stagecraft-ws-'));
    writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM alpine AS a\nRUN true\nCOPY --from=$SRC /x /x\n');
    const run = await runAction(workspace, {});
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error title=Dockerfile error,file=Dockerfile,line=3::variable expansion is not supported for --from',
    );
    expect(run.outputs.get('stages')).toBe('[]');
    expect(run.outputs.get('skipped-stages')).toBe('[]');
    expect(run.summary).toContain('Dockerfile:3 cannot be built');
  });

  test('an unknown target fails with BuildKit’s suggestion', async () => {
    const run = await runAction(workspaceWithExample(), { file: 'example/Dockerfile', target: 'runtme' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('target stage "runtme" could not be found (did you mean runtime?)');
  });

  test('a missing Dockerfile and a malformed build arg are clear errors', async () => {
    const missing = await runAction(workspaceWithExample(), { file: 'nope/Dockerfile' });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('Cannot read the Dockerfile nope/Dockerfile');
    const malformed = await runAction(workspaceWithExample(), {
      file: 'example/Dockerfile',
      'build-args': 'NOEQUALS',
    });
    expect(malformed.exitCode).toBe(1);
    expect(malformed.stdout).toContain('Input build-args: expected NAME=VALUE, got "NOEQUALS"');
  });
});
