import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseBuildError,
  parseProgress,
  parseVertexName,
  summarizeProgress,
  type Vertex,
} from './progress.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const read = (name: string) => readFileSync(path.join(testdata, name), 'utf8');
const plain = { prefixedByTarget: false };
const bake = { prefixedByTarget: true };

/** `stage k/n INSTRUCTION-KEYWORD` for each step, to compare against the Dockerfile at a glance. */
const label = (vertex: Vertex) =>
  `${vertex.stage} ${vertex.step!.index}/${vertex.step!.total} ${vertex.instruction.split(' ')[0]}`;

// All recordings build testdata/three-stages/Dockerfile (deps → build → runtime; `test` never needed) or
// testdata/run-error/Dockerfile, with buildx 0.13.1 on docker 26.1 (record.sh).
describe('parseProgress on a cold build and a cached rebuild (docker buildx build)', () => {
  test('cold: every step of the three stages ran, the skipped test stage never appears', () => {
    const vertices = parseProgress(read('progress-build-cold-three-stages-buildx-0.13.txt'), plain);
    const summary = summarizeProgress(vertices);
    expect(summary.executedSteps.map(label)).toEqual([
      'deps 2/2 RUN',
      'build 1/2 COPY',
      'build 2/2 RUN',
      'runtime 2/2 COPY',
    ]);
    expect(summary.cachedSteps).toEqual([]);
    expect(summary.stagesRun).toEqual(['deps', 'build', 'runtime']);
    expect(summary.executedRuns.map(label)).toEqual(['deps 2/2 RUN', 'build 2/2 RUN']);
    expect(summary.fullyCached).toBe(false);
    expect(vertices.some((vertex) => vertex.stage === 'test')).toBe(false);

    const depsRun = vertices.find((vertex) => vertex.stage === 'deps' && vertex.step?.index === 2)!;
    expect(depsRun).toMatchObject({ status: 'done', cached: false, internal: false, target: undefined });
    expect(depsRun.durationS).toBeGreaterThanOrEqual(1); // RUN … && sleep 1
    const buildRun = vertices.find((vertex) => vertex.stage === 'build' && vertex.step?.index === 2)!;
    expect(buildRun.logs).toEqual(['built']);
    expect(buildRun.instruction).toBe('RUN cat /deps.txt /src/app.txt > /built.txt && echo "built"');
  });

  test('cached: every step CACHED, nothing ran', () => {
    const summary = summarizeProgress(
      parseProgress(read('progress-build-cached-three-stages-buildx-0.13.txt'), plain),
    );
    expect(summary.cachedSteps.map(label)).toEqual([
      'deps 2/2 RUN',
      'build 1/2 COPY',
      'build 2/2 RUN',
      'runtime 2/2 COPY',
    ]);
    expect(summary.executedSteps).toEqual([]);
    expect(summary.stagesCached).toEqual(['deps', 'build', 'runtime']);
    expect(summary.stagesRun).toEqual([]);
    expect(summary.fullyCached).toBe(true);
  });

  test('BuildKit’s own vertices are internal and carry no stage', () => {
    const vertices = parseProgress(read('progress-build-cold-three-stages-buildx-0.13.txt'), plain);
    const internal = vertices.filter((vertex) => vertex.internal).map((vertex) => vertex.instruction);
    expect(internal).toEqual(
      expect.arrayContaining([
        'load build definition from Dockerfile',
        'load build context',
        'exporting to image',
      ]),
    );
    expect(vertices.filter((vertex) => vertex.internal).every((vertex) => vertex.stage === undefined)).toBe(
      true,
    );
    expect(vertices.every((vertex) => vertex.status === 'done' || vertex.status === 'cached')).toBe(true);
  });
});

describe('parseProgress on bake runs', () => {
  test('cold, three targets: names carry the target; each stage’s steps ran once', () => {
    const vertices = parseProgress(read('progress-bake-cold-three-targets-buildx-0.13.txt'), bake);
    const summary = summarizeProgress(vertices);
    expect(summary.stagesRun).toEqual(['deps', 'build', 'runtime']);
    expect(summary.executedRuns.map(label).sort()).toEqual(['build 2/2 RUN', 'deps 2/2 RUN']);
    expect(vertices.some((vertex) => vertex.stage === 'test')).toBe(false);
    // A step is printed once, under whichever target reached it first; its stage is the Dockerfile's.
    for (const vertex of summary.steps) expect(['deps', 'build', 'runtime']).toContain(vertex.target);
    const exports = vertices.filter((vertex) => vertex.instruction === 'exporting cache to client directory');
    expect(exports.map((vertex) => vertex.target).sort()).toEqual(['build', 'deps', 'runtime']);
    expect(exports.every((vertex) => vertex.internal && vertex.status === 'done')).toBe(true);
    expect(vertices.find((vertex) => vertex.instruction === 'load local bake definitions')).toMatchObject({
      target: undefined,
      internal: true,
    });
  });

  test('a step printed under several targets counts once', () => {
    const summary = summarizeProgress(
      parseProgress(read('progress-bake-cold-three-targets-buildx-0.13.txt'), bake),
    );
    const ids = summary.steps.map((vertex) => `${vertex.stage}|${vertex.step!.index}/${vertex.step!.total}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(summary.cachedSteps.length + summary.executedSteps.length).toBe(summary.steps.length);
  });

  test('interrupted vertices (`#N ...`) are one vertex, finished once', () => {
    const text = read('progress-bake-cold-three-targets-buildx-0.13.txt');
    const ids = parseProgress(text, bake).map((vertex) => vertex.id);
    expect(new Set(ids).size).toBe(ids.length);
    const highest = Math.max(...[...text.matchAll(/^#(\d+) /gm)].map((match) => Number(match[1])));
    expect(ids.length).toBe(highest); // #1 … #N, #0 (the builder line) excluded
  });

  test('after a prune, with every stage’s export as cache-from: fully cached', () => {
    const summary = summarizeProgress(
      parseProgress(read('progress-bake-cached-from-exports-buildx-0.13.txt'), plain),
    );
    expect(summary.fullyCached).toBe(true);
    expect(summary.stagesCached).toEqual(['deps', 'build', 'runtime']);
  });

  test('without the target’s own export only the target’s step runs', () => {
    const summary = summarizeProgress(
      parseProgress(read('progress-bake-partly-cached-from-exports-buildx-0.13.txt'), plain),
    );
    expect(summary.executedSteps.map(label)).toEqual(['runtime 2/2 COPY']);
    expect(summary.stagesRun).toEqual(['runtime']);
    expect(summary.stagesCached).toEqual(['deps', 'build']);
    expect(summary.executedRuns).toEqual([]);
  });
});

describe('parseProgress on two platforms', () => {
  test('the platform is split from the stage', () => {
    const vertices = parseProgress(read('progress-build-two-platforms-buildx-0.13.txt'), plain);
    const runs = summarizeProgress(vertices).executedRuns;
    expect(runs.map((vertex) => `${vertex.platform} ${label(vertex)}`).sort()).toEqual([
      'linux/amd64 build 2/2 RUN',
      'linux/amd64 deps 2/2 RUN',
      'linux/amd64/v2 build 2/2 RUN',
      'linux/amd64/v2 deps 2/2 RUN',
    ]);
    expect(summarizeProgress(vertices).stagesRun).toEqual(['deps', 'build', 'runtime']);
  });
});

describe('failed builds', () => {
  test.each([
    ['progress-build-run-error-buildx-0.13.txt', plain, '[build 1/1]'],
    ['progress-bake-run-error-buildx-0.13.txt', bake, '[runtime build 1/1]'],
  ])('%s: the failing step, its output and the error block', (file, options, prefix) => {
    const text = read(file);
    const vertices = parseProgress(text, options);
    const summary = summarizeProgress(vertices);
    const command = 'RUN echo "compiling" &&     echo "error: something broke" >&2 &&     exit 3';
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]).toMatchObject({
      stage: 'build',
      status: 'error',
      cached: false,
      instruction: command,
      logs: ['compiling', 'error: something broke'],
      error:
        'process "/bin/sh -c echo \\"compiling\\" &&     echo \\"error: something broke\\" >&2 &&     exit 3" did not complete successfully: exit code: 3',
    });

    const error = parseBuildError(text)!;
    expect(error.message).toBe(`failed to solve: ${summary.failed[0]!.error}`);
    expect(error.step).toBe(`${prefix} ${command}`);
    expect(error.location).toEqual({ file: 'Dockerfile', line: 5 });
    const lines = error.text.split('\n');
    expect(lines[0]).toBe('------');
    expect(lines).toContain('   5 | >>> RUN echo "compiling" && \\');
    expect(lines.at(-1)).toBe(`ERROR: ${error.message}`);
  });

  test('an ERROR line with no step before it', () => {
    const text =
      '#0 building with "default" instance using docker driver\n\n#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\nERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory\n';
    expect(parseBuildError(text)).toEqual({
      message: 'failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory',
      step: undefined,
      location: undefined,
      text: 'ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory',
    });
  });

  test('a successful build has no error block', () => {
    expect(parseBuildError(read('progress-build-cold-three-stages-buildx-0.13.txt'))).toBeUndefined();
  });
});

describe('parseVertexName', () => {
  test.each([
    [
      '[deps 2/2] RUN x',
      false,
      { stage: 'deps', step: { index: 2, total: 2 }, instruction: 'RUN x', internal: false },
    ],
    ['[1/2] RUN x', false, { stage: undefined, step: { index: 1, total: 2 }, internal: false }],
    ['[stage-0 1/3] FROM a', false, { stage: 'stage-0', step: { index: 1, total: 3 } }],
    ['[ 9/10] COPY a b', false, { stage: undefined, step: { index: 9, total: 10 } }],
    ['[linux/arm64->amd64 build 2/3] RUN x', false, { platform: 'linux/arm64->amd64', stage: 'build' }],
    [
      '[internal] load build context',
      false,
      { internal: true, target: undefined, instruction: 'load build context' },
    ],
    ['exporting to image', false, { internal: true, instruction: 'exporting to image' }],
    ['[app build 2/3] RUN x', true, { target: 'app', stage: 'build', internal: false }],
    ['[app internal] load .dockerignore', true, { target: 'app', internal: true }],
    ['[app] exporting to image', true, { target: 'app', internal: true, instruction: 'exporting to image' }],
    ['[internal] load local bake definitions', true, { target: undefined, internal: true }],
    ['[app linux/amd64 deps 1/2] FROM a', true, { target: 'app', platform: 'linux/amd64', stage: 'deps' }],
    ['[app 2/2] ONBUILD RUN x', true, { target: 'app', stage: undefined, instruction: 'ONBUILD RUN x' }],
  ])('%j (prefixed: %s)', (name, prefixed, expected) => {
    expect(parseVertexName(name, prefixed)).toMatchObject(expected);
  });
});

describe('status lines', () => {
  test('CANCELED, and DONE after CACHED stays cached', () => {
    const vertices = parseProgress(
      '#1 [a 1/2] RUN x\n#1 CANCELED\n#2 [a 2/2] RUN y\n#2 CACHED\n#2 DONE 0.0s\n#3 [a 2/2] RUN z\n',
      plain,
    );
    expect(vertices.map((vertex) => vertex.status)).toEqual(['canceled', 'cached', 'running']);
  });
});
