import { describe, expect, test } from '@jest/globals';
import { DockerfileError } from '../dockerfile/index.js';
import { planDockerfile } from './graph.js';
import { parsePlatform } from './platform.js';
import type { PlanRequest } from './types.js';

const AMD64 = parsePlatform('linux/amd64');
const ARM64 = parsePlatform('linux/arm64');

function plan(dockerfile: string, request: Partial<PlanRequest> = {}) {
  return planDockerfile(dockerfile, {
    buildArgs: new Map(),
    buildContexts: new Map(),
    targetPlatform: AMD64,
    buildPlatform: AMD64,
    ...request,
  });
}

function planError(dockerfile: string, request: Partial<PlanRequest> = {}): DockerfileError {
  try {
    plan(dockerfile, request);
  } catch (error) {
    expect(error).toBeInstanceOf(DockerfileError);
    return error as DockerfileError;
  }
  throw new Error('expected the plan to fail');
}

const MULTI = `FROM golang:1.23 AS builder
RUN go build -o /app

FROM alpine:3.20 AS assets
RUN echo a > /a

FROM builder AS tester
RUN go test

FROM debian:bookworm-slim AS final
COPY --from=builder /app /app
RUN --mount=type=bind,from=assets,target=/m cat /m/a
`;

describe('edges and reasons', () => {
  test('each dependency names its kind and line', () => {
    const result = plan(MULTI);
    expect(result.targetIndex).toBe(3);
    expect(result.order).toEqual([0, 1, 3]);
    expect(result.skipped).toEqual([2]);
    expect(result.stages[3]!.dependsOn).toEqual([
      { stage: 0, via: 'copy', line: 11, reference: 'builder' },
      { stage: 1, via: 'mount', line: 12, reference: 'assets' },
    ]);
    expect(result.stages[2]!.dependsOn).toEqual([{ stage: 0, via: 'from', line: 7, reference: 'builder' }]);
    expect(result.stages[2]!.base).toEqual({ stage: 0 });
    expect(result.externalImages).toEqual(['golang:1.23', 'alpine:3.20', 'debian:bookworm-slim']);
  });

  test('ONBUILD triggers of a base stage are edges of the child, on the ONBUILD line', () => {
    const result = plan(`FROM alpine AS assets
FROM alpine AS parent
ONBUILD COPY --from=assets /a /a
FROM parent AS child
`);
    expect(result.order).toEqual([0, 1, 2]);
    expect(result.stages[2]!.dependsOn).toEqual([
      { stage: 1, via: 'from', line: 4, reference: 'parent' },
      { stage: 0, via: 'onbuild', line: 3, reference: 'assets' },
    ]);
  });

  test('images read by COPY --from and mounts are external images; scratch is not', () => {
    const result = plan(`FROM scratch AS base
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
RUN --mount=type=cache,target=/c --mount=from=busybox:1,target=/b true
`);
    expect(result.stages[0]!.images).toEqual(['nginx:1.27', 'busybox:1']);
    expect(result.externalImages).toEqual(['nginx:1.27', 'busybox:1']);
    expect(result.stages[0]!.base).toEqual({ image: 'scratch' });
  });
});

describe('build arguments and platforms', () => {
  const BY_ARCH = `FROM alpine AS base-amd64
FROM alpine AS base-arm64
FROM base-$TARGETARCH AS final
`;

  test('TARGETARCH follows the target platform', () => {
    expect(plan(BY_ARCH).order).toEqual([0, 2]);
    expect(plan(BY_ARCH, { targetPlatform: ARM64 }).order).toEqual([1, 2]);
  });

  test('a build arg overrides a built-in platform arg', () => {
    expect(plan(BY_ARCH, { buildArgs: new Map([['TARGETARCH', 'arm64']]) }).order).toEqual([1, 2]);
  });

  test('TARGETSTAGE is the requested target', () => {
    const file = `FROM alpine AS stage-x
FROM alpine AS pick-final
FROM alpine AS pick-other
FROM pick-$TARGETSTAGE AS final
`;
    expect(plan(file, { target: 'final' }).stages[3]!.base).toEqual({ stage: 1 });
    expect(plan(file, { target: 'final' }).order).toEqual([1, 3]);
  });

  test('FROM --platform expands global args and is normalized', () => {
    const result = plan('FROM --platform=$BUILDPLATFORM golang AS build\nFROM alpine\n', {
      buildPlatform: ARM64,
    });
    expect(result.stages[0]!.platform).toBe('linux/arm64');
  });

  test('an invalid platform is BuildKit’s error on the FROM line', () => {
    const error = planError('FROM alpine\nFROM --platform=linux/a@b alpine\n');
    expect(error.message).toMatch(/^failed to parse platform linux\/a@b: /);
    expect(error.line).toBe(2);
  });
});

describe('named build contexts', () => {
  test('a context named like a stage replaces it; its own dependencies stay reachable', () => {
    const result = plan(MULTI, { buildContexts: new Map([['builder', 'docker-image://golang:prebuilt']]) });
    expect(result.stages[0]!.base).toEqual({ context: 'builder' });
    expect(result.externalImages).not.toContain('golang:1.23');
  });

  test('a context named like an image replaces that image', () => {
    const result = plan(MULTI, { buildContexts: new Map([['debian:bookworm-slim', 'local:debian']]) });
    expect(result.stages[3]!.base).toEqual({ context: 'debian:bookworm-slim' });
    expect(result.externalImages).toEqual(['golang:1.23', 'alpine:3.20']);
  });

  test('context names are normalized as references: alpine:latest is alpine', () => {
    const result = plan('FROM alpine\n', {
      buildContexts: new Map([['docker.io/library/alpine:latest', 'x']]),
    });
    expect(result.stages[0]!.base).toEqual({ context: 'docker.io/library/alpine:latest' });
  });
});

describe('errors carry BuildKit’s message and the line', () => {
  // prettier-ignore
  test.each([
    { name: 'unknown target with a suggestion', file: MULTI, target: 'buidler', message: 'target stage "buidler" could not be found (did you mean builder?)', line: undefined },
    { name: 'copy from a later stage', file: 'FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y\n', target: 'x', message: 'cannot copy from stage "y", it needs to be defined before current stage "x"', line: 2 },
    { name: 'variable in --from', file: 'FROM a\nCOPY --from=$X /a /a\n', target: '', message: 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround', line: 2 },
    { name: 'blank base', file: 'ARG IMG\nFROM $IMG\n', target: '', message: 'base name ($IMG) should not be blank', line: 2 },
    { name: 'a cycle', file: 'FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y\nCOPY --from=x /b /b\n', target: '', message: 'circular dependency detected on stage: x', line: 2 },
    { name: 'an invalid image in an unreachable stage', file: 'FROM UPPER AS u\nFROM alpine\n', target: '', message: 'failed to parse stage name "UPPER": invalid reference format: repository name (library/UPPER) must be lowercase', line: 1 },
    { name: 'a stage name that is no valid context name', file: 'FROM alpine AS build_\nFROM alpine\n', target: '', message: 'invalid context name build_: invalid reference format', line: 1 },
  ])('$name', ({ file, target, message, line }) => {
    const error = planError(file, { target });
    expect(error.message).toBe(message);
    expect(error.line).toBe(line);
  });

  test('an empty file', () => {
    expect(planError('').message).toBe('the Dockerfile cannot be empty');
  });
});
