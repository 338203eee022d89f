import { describe, expect, test } from '@jest/globals';
import { restoreNeeds, transitiveDependencies } from './dependencies.js';
import { planDockerfile } from './graph.js';
import { parsePlatform } from './platform.js';

const AMD64 = parsePlatform('linux/amd64');

function plan(dockerfile: string, target?: string) {
  return planDockerfile(dockerfile, {
    target,
    buildArgs: new Map(),
    buildContexts: new Map(),
    targetPlatform: AMD64,
    buildPlatform: AMD64,
  });
}

// 0 deps, 1 build (FROM deps), 2 test (FROM build, skipped), 3 assets, 4 runtime (COPY from build, mount assets)
const PROJECT = `FROM alpine AS deps
RUN fetch
FROM deps AS build
RUN make
FROM build AS test
RUN make test
FROM alpine AS assets
RUN echo a > /a
FROM busybox AS runtime
COPY --from=build /out/app /app
RUN --mount=type=bind,from=assets,target=/assets cp /assets/a /a
`;

describe('transitiveDependencies', () => {
  test('follows FROM, COPY --from and mounts to the bottom, for reachable stages only', () => {
    const deps = transitiveDependencies(plan(PROJECT, 'runtime'));
    expect(Object.fromEntries(deps)).toEqual({ 0: [], 1: [0], 3: [], 4: [0, 1, 3] });
  });
});

describe('restoreNeeds', () => {
  test('names the FROM stage apart from the stages a stage reads', () => {
    const needs = restoreNeeds(plan(PROJECT, 'runtime'));
    expect([...needs.keys()]).toEqual([0, 1, 3, 4]);
    expect(needs.get(0)).toEqual({ dependencies: [] });
    expect(needs.get(1)).toEqual({ from: 0, dependencies: [0] });
    expect(needs.get(3)).toEqual({ dependencies: [] });
    expect(needs.get(4)).toEqual({ dependencies: [1, 3] });
  });

  test('a stage read twice is listed once', () => {
    const needs = restoreNeeds(
      plan('FROM alpine AS a\nRUN x\nFROM a AS b\nCOPY --from=a /x /y\nRUN --mount=from=a,target=/m true\n'),
    );
    expect(needs.get(1)).toEqual({ from: 0, dependencies: [0] });
  });

  test('an ONBUILD COPY --from in the base stage makes the child read that stage', () => {
    const needs = restoreNeeds(
      plan(
        'FROM alpine AS src\nRUN x\nFROM alpine AS base\nONBUILD COPY --from=src /x /x\nFROM base AS app\n',
      ),
    );
    expect(needs.get(2)?.from).toBe(1);
    expect(needs.get(2)?.dependencies).toEqual(expect.arrayContaining([0, 1]));
  });
});
