import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectGolden } from '../../__tests__/support/golden.js';
import { parseDockerfile } from '../dockerfile/index.js';
import { parsePlatform, planStages, planToJson, type PlanRequest } from '../plan/index.js';
import { parseStages } from '../stages/index.js';
import { matchComponent, splitContextPath } from './glob.js';
import { collectContextReads } from './normalize.js';
import {
  addKeysToPlanJson,
  computeStageKeys,
  dockerfileKeyPart,
  encodeStageKeyDocuments,
  keyField,
  keyToTag,
  renderStageKeyDocuments,
  type StageKeyOptions,
} from './stage-key.js';
import type { ContextRead, StageKey } from './types.js';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const AMD64 = parsePlatform('linux/amd64');

type Files = Readonly<Record<string, string>>;

/** One build: the Dockerfile, the request and a virtual context (path → content). */
interface Build {
  readonly dockerfile: string;
  readonly files?: Files;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly buildContexts?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly platform?: string;
  readonly salt?: string;
  readonly rotation?: string;
  readonly dockerfilePath?: string;
  readonly imageDigests?: Readonly<Record<string, string>>;
}

function requestOf(build: Build): PlanRequest {
  const platform = parsePlatform(build.platform ?? 'linux/amd64');
  return {
    target: build.target,
    buildArgs: new Map(Object.entries(build.buildArgs ?? {})),
    buildContexts: new Map(Object.entries(build.buildContexts ?? {})),
    targetPlatform: platform,
    buildPlatform: AMD64,
  };
}

/** Stands in for hashContext on plain values: the files under each source (globs per component). */
function fakeDigests(reads: readonly ContextRead[], files: Files): Map<string, string> {
  const digests = new Map<string, string>();
  for (const read of reads) {
    const selected = Object.keys(files)
      .filter((file) => read.sources.some((source) => selects(source, file, read.wildcards)))
      .sort();
    const hash = createHash('sha256').update(JSON.stringify(selected.map((file) => [file, files[file]])));
    digests.set(read.id, `sha256:${hash.digest('hex')}`);
  }
  return digests;
}

function selects(source: string, file: string, wildcards: boolean): boolean {
  const pattern = splitContextPath(source);
  const parts = splitContextPath(file);
  if (pattern.length > parts.length) return false;
  return pattern.every((component, i) =>
    wildcards ? matchComponent(component, parts[i]!) : component === parts[i],
  );
}

function optionsOf(build: Build): StageKeyOptions {
  const request = requestOf(build);
  const dockerfile = parseStages(parseDockerfile(build.dockerfile));
  const plan = planStages(dockerfile, request);
  return {
    plan,
    dockerfile,
    request,
    dockerfilePath: build.dockerfilePath ?? 'Dockerfile',
    contextDigests: fakeDigests(collectContextReads(plan, dockerfile, request), build.files ?? {}),
    salt: build.salt,
    rotation: build.rotation,
    imageDigests: new Map(Object.entries(build.imageDigests ?? {})),
  };
}

function keysOf(build: Build): Map<string, StageKey> {
  return new Map(computeStageKeys(optionsOf(build)).map((key) => [key.stageName, key]));
}

/** Stage names whose key differs between the two builds (both must reach the same stages). */
function misses(before: Build, after: Build): string[] {
  const a = keysOf(before);
  const b = keysOf(after);
  expect([...b.keys()]).toEqual([...a.keys()]);
  return [...a.keys()].filter((name) => a.get(name)!.key !== b.get(name)!.key);
}

const APP = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG UNUSED_GLOBAL=1

FROM golang:\${GO_VERSION} AS deps
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

FROM deps AS build
ARG VERSION=dev
ENV CGO_ENABLED=0
COPY cmd/ ./cmd/
COPY internal/ ./internal/
RUN go build -ldflags "-X main.version=\${VERSION}" -o /out/app ./cmd/app

FROM build AS test
RUN go test ./...

FROM alpine:3.20 AS assets
COPY assets/ /assets/

FROM gcr.io/distroless/static AS runtime
COPY --from=build /out/app /app
COPY config/app.yaml /etc/app.yaml
ENTRYPOINT ["/app"]
`;

const APP_FILES: Files = {
  'go.mod': 'module example.com/app\n',
  'go.sum': '',
  'cmd/app/main.go': 'package main\n',
  'internal/x/x.go': 'package x\n',
  'assets/logo.png': 'PNG',
  'config/app.yaml': 'listen: 8080\n',
  'README.md': '# app\n',
  'docs/guide.md': 'guide\n',
};

const base: Build = { dockerfile: APP, files: APP_FILES };
const withText = (from: string, to: string): Build => {
  if (!APP.includes(from)) throw new Error(`the example has no ${JSON.stringify(from)}`);
  return { ...base, dockerfile: APP.replace(from, to) };
};
const withFile = (file: string, content: string): Build => ({
  ...base,
  files: { ...APP_FILES, [file]: content },
});
const ALL = ['deps', 'build', 'runtime'];

describe('what changes no key', () => {
  // prettier-ignore
  test.each<{ name: string; after: Build }>([
    { name: 'a comment', after: withText('RUN go mod download', '# fetch modules first\nRUN go mod download') },
    { name: 'a comment inside a continuation', after: withText('COPY go.mod go.sum ./', 'COPY go.mod \\\n# the lock\n  go.sum ./') },
    { name: 'blank lines', after: withText('WORKDIR /src\n', '\n\nWORKDIR /src\n\n') },
    { name: 'a line continuation between words', after: withText('COPY cmd/ ./cmd/', 'COPY \\\n    cmd/ \\\n    ./cmd/') },
    { name: 'blanks between words', after: withText('COPY go.mod go.sum ./', 'COPY    go.mod\tgo.sum   ./') },
    { name: 'indentation and trailing blanks', after: withText('ENV CGO_ENABLED=0', '    ENV CGO_ENABLED=0   ') },
    { name: 'keyword case', after: withText('WORKDIR /src', 'workdir /src') },
    { name: 'ENV in its legacy form', after: withText('ENV CGO_ENABLED=0', 'ENV CGO_ENABLED 0') },
    { name: 'quotes that expand to the same word', after: withText('WORKDIR /src', 'WORKDIR "/src"') },
    { name: 'blanks inside an exec-form array', after: withText('ENTRYPOINT ["/app"]', 'ENTRYPOINT [ "/app" ]') },
    { name: 'a RUN continuation that adds no blank', after: withText('RUN go test ./...', 'RUN go \\\ntest ./...') },
    { name: 'blanks between RUN flags and the command', after: withText('RUN go mod download', 'RUN --network=default    go mod download') },
    { name: 'a change to a stage the target does not reach', after: withText('RUN go test ./...', 'RUN go test -race ./...') },
    { name: 'another unreachable stage', after: withText('COPY assets/ /assets/', 'COPY assets/ /static/') },
    { name: 'a build arg the Dockerfile never declares', after: { ...base, buildArgs: { NOT_DECLARED: '1' } } },
    { name: 'a proxy build arg nothing declares', after: { ...base, buildArgs: { HTTP_PROXY: 'http://proxy:3128' } } },
    { name: 'a global ARG no reachable FROM uses', after: { ...base, buildArgs: { UNUSED_GLOBAL: '2' } } },
    { name: 'a file no COPY reads', after: withFile('README.md', '# changed\n') },
    { name: 'a new file no COPY reads', after: withFile('docs/new.md', 'new\n') },
    { name: 'a file only an unreachable stage copies', after: withFile('assets/logo.png', 'PNG2') },
    { name: 'the digest of an image no reachable stage uses', after: { ...base, imageDigests: { 'alpine:3.20': 'sha256:1' } } },
    { name: 'naming the default target', after: { ...base, target: 'runtime' } },
  ])('$name', ({ after }) => {
    expect(misses(base, after)).toEqual([]);
  });
});

test('a stage has one key whichever target needs it', () => {
  const runtime = keysOf(base);
  const test = keysOf({ ...base, target: 'test' });
  expect([...test.keys()]).toEqual(['deps', 'build', 'test']);
  for (const stage of ['deps', 'build']) expect(test.get(stage)).toEqual(runtime.get(stage));
});

describe('what misses which stages', () => {
  // prettier-ignore
  test.each<{ name: string; after: Build; missed: string[] }>([
    { name: 'a file only the final stage copies', after: withFile('config/app.yaml', 'listen: 9090\n'), missed: ['runtime'] },
    { name: 'a file the first stage copies', after: withFile('go.mod', 'module example.com/app2\n'), missed: ALL },
    { name: 'a file a middle stage copies', after: withFile('cmd/app/main.go', 'package main // 2\n'), missed: ['build', 'runtime'] },
    { name: 'a new file in a copied directory', after: withFile('internal/y/y.go', 'package y\n'), missed: ['build', 'runtime'] },
    { name: 'a build arg a stage declares', after: { ...base, buildArgs: { VERSION: '1.2.3' } }, missed: ['build', 'runtime'] },
    { name: 'a global ARG a reachable FROM uses', after: { ...base, buildArgs: { GO_VERSION: '1.23' } }, missed: ALL },
    { name: 'an ARG default', after: withText('ARG VERSION=dev', 'ARG VERSION=prod'), missed: ['build', 'runtime'] },
    { name: 'a RUN command', after: withText('RUN go mod download', 'RUN go mod download -x'), missed: ALL },
    { name: 'blanks inside a shell-form RUN command (BuildKit keys the string)', after: withText('RUN go mod download', 'RUN go  mod download'), missed: ALL },
    { name: 'an ENV a child inherits', after: withText('ENV CGO_ENABLED=0', 'ENV CGO_ENABLED=1'), missed: ['build', 'runtime'] },
    { name: 'a COPY destination', after: withText('COPY config/app.yaml /etc/app.yaml', 'COPY config/app.yaml /etc/app.yml'), missed: ['runtime'] },
    { name: 'COPY --chown', after: withText('COPY --from=build /out/app /app', 'COPY --from=build --chown=1000 /out/app /app'), missed: ['runtime'] },
    { name: 'the final stage\'s metadata', after: withText('ENTRYPOINT ["/app"]', 'ENTRYPOINT ["/app", "-v"]'), missed: ['runtime'] },
    { name: 'the digest of a base image', after: { ...base, imageDigests: { 'golang:1.22': 'sha256:2' } }, missed: ALL },
    { name: 'the digest of the final base image', after: { ...base, imageDigests: { 'gcr.io/distroless/static': 'sha256:3' } }, missed: ['runtime'] },
    { name: 'the platform', after: { ...base, platform: 'linux/arm64' }, missed: ALL },
    { name: 'the salt', after: { ...base, salt: 'again' }, missed: ALL },
    { name: 'the rotation period', after: { ...base, rotation: '2025-W23' }, missed: ALL },
    { name: 'the Dockerfile path', after: { ...base, dockerfilePath: 'docker/Dockerfile' }, missed: ALL },
  ])('$name', ({ after, missed }) => {
    expect(misses(base, after)).toEqual(missed);
  });
});

describe('ARG and ENV scope, as BuildKit dispatches', () => {
  const run = (dockerfile: string, buildArgs: Record<string, string> = {}) =>
    keysOf({ dockerfile, buildArgs }).get('stage-0')!.key;

  test('a RUN after `ARG X` is keyed on X, through the RUN environment', () => {
    const dockerfile = 'FROM alpine\nARG X\nRUN make\n';
    expect(run(dockerfile, { X: '1' })).not.toBe(run(dockerfile, { X: '2' }));
    expect(run(dockerfile, { X: '1' })).not.toBe(run(dockerfile));
  });

  test('a global ARG is invisible in a stage until redeclared', () => {
    const plain = 'ARG X=1\nFROM alpine\nRUN echo $X\n';
    expect(run(plain, { X: '2' })).toBe(run(plain));
    const redeclared = 'ARG X=1\nFROM alpine\nARG X\nRUN echo $X\n';
    expect(run(redeclared, { X: '2' })).not.toBe(run(redeclared));
  });

  test('in-stage ARG: build arg verbatim, default expanded with the stage env (globals unseen), else the global value', () => {
    const documents = (dockerfile: string, buildArgs: Record<string, string> = {}) =>
      encodeStageKeyDocuments(optionsOf({ dockerfile, buildArgs }))[0]!.full;
    const file = 'ARG G=global\nFROM scratch\nENV E=env\nARG A=$E-x B C=$G\nARG G\nRUN true\n';
    expect(documents(file)).toContain('"args":[["A","env-x"],["B",null],["C",""]]');
    expect(documents(file)).toContain('"args":[["G","global"]]');
    expect(documents(file, { A: '$E' })).toContain('"args":[["A","$E"],["B",null],["C",""]]');
    expect(documents(file)).toContain('"env":[["A","env-x"],["C",""],["E","env"],["G","global"],');
  });

  test('ENV pairs see the environment from before the instruction', () => {
    const full = encodeStageKeyDocuments(
      optionsOf({ dockerfile: 'FROM scratch\nENV A=1\nENV A=2 B=$A\n' }),
    )[0]!.full;
    expect(full).toContain('"env":[["A","2"],["B","1"]]');
  });

  test('a child stage inherits ENV and ARG values through FROM <stage>', () => {
    const dockerfile = 'FROM alpine AS a\nARG V=1\nFROM a AS b\nCOPY $V /x\n';
    const reads = (buildArgs: Record<string, string>) => {
      const options = optionsOf({ dockerfile, buildArgs });
      return collectContextReads(options.plan, options.dockerfile, options.request).map(
        (read) => read.sources,
      );
    };
    expect(reads({})).toEqual([['1']]);
    expect(reads({ V: 'dir/sub' })).toEqual([['dir/sub']]);
  });

  test('ONBUILD triggers run, and read the context, in the child', () => {
    const dockerfile = 'FROM alpine AS base\nONBUILD COPY src/ /src/\nFROM base AS app\nRUN ls /src\n';
    const before = keysOf({ dockerfile, files: { 'src/a': '1' } });
    const after = keysOf({ dockerfile, files: { 'src/a': '2' } });
    expect(after.get('base')!.key).toBe(before.get('base')!.key);
    expect(after.get('app')!.key).not.toBe(before.get('app')!.key);
  });

  test('a named build context is keyed by its value', () => {
    const dockerfile = 'FROM alpine AS app\nCOPY --from=tools /bin/tool /usr/bin/\n';
    const key = (value: string) => keysOf({ dockerfile, buildContexts: { tools: value } }).get('app')!.key;
    expect(key('docker-image://tools:1')).not.toBe(key('docker-image://tools:2'));
    const baseKey = (value: string) =>
      keysOf({ dockerfile: 'FROM alpine\nRUN true\n', buildContexts: { alpine: value } }).get('stage-0')!.key;
    expect(baseKey('docker-image://alpine:3.19')).not.toBe(baseKey('docker-image://alpine:3.20'));
  });
});

describe('context reads', () => {
  const readsOf = (dockerfile: string, buildArgs: Record<string, string> = {}) => {
    const options = optionsOf({ dockerfile, buildArgs });
    return collectContextReads(options.plan, options.dockerfile, options.request).map(
      ({ sources, wildcards, excludes }) => ({ sources, wildcards, excludes }),
    );
  };

  // prettier-ignore
  test.each<{ name: string; dockerfile: string; reads: ReturnType<typeof readsOf> }>([
    { name: 'COPY sources, cleaned and rooted at the context', dockerfile: 'FROM scratch\nCOPY ./a/../b /c/ d\n', reads: [{ sources: ['b', 'c'], wildcards: true, excludes: [] }] },
    { name: '`.` is the whole context', dockerfile: 'FROM scratch\nCOPY . /app\n', reads: [{ sources: [''], wildcards: true, excludes: [] }] },
    { name: 'globs stay for the hasher', dockerfile: 'FROM scratch\nCOPY *.go cmd/*/main.go /x/\n', reads: [{ sources: ['*.go', 'cmd/*/main.go'], wildcards: true, excludes: [] }] },
    { name: 'sources and dest expanded, --exclude not', dockerfile: 'FROM scratch\nENV D=src\nCOPY --exclude=$D/*.md $D /x\n', reads: [{ sources: ['src'], wildcards: true, excludes: ['$D/*.md'] }] },
    { name: 'COPY --from reads no context', dockerfile: 'FROM scratch AS a\nFROM scratch\nCOPY --from=a / /\n', reads: [] },
    { name: 'heredoc sources read no context', dockerfile: 'FROM scratch\nCOPY <<EOF /x\nhi\nEOF\n', reads: [] },
    { name: 'ADD URLs read no context', dockerfile: 'FROM scratch\nADD https://example.com/a.tgz local.tgz /x/\n', reads: [{ sources: ['local.tgz'], wildcards: true, excludes: [] }] },
    { name: 'bind mounts of the context', dockerfile: 'FROM alpine\nRUN --mount=type=bind,source=go.mod,target=/m --mount=type=bind,target=/ctx --mount=type=cache,target=/c make\n', reads: [{ sources: ['go.mod'], wildcards: false, excludes: [] }, { sources: [''], wildcards: false, excludes: [] }] },
    { name: 'bind mounts from a stage read no context', dockerfile: 'FROM alpine AS a\nFROM alpine\nRUN --mount=type=bind,from=a,target=/a make\n', reads: [] },
    { name: '--parents with ** reads from above it', dockerfile: 'FROM scratch\nCOPY --parents src/**/*.go /x/\n', reads: [{ sources: ['src'], wildcards: true, excludes: [] }] },
    { name: 'a path the base image ENV might set: the whole context', dockerfile: 'FROM alpine\nCOPY $HOME/x /x\n', reads: [{ sources: [''], wildcards: false, excludes: [] }] },
    { name: 'FROM scratch knows its environment', dockerfile: 'FROM scratch\nCOPY ${NOPE:-a} /x\n', reads: [{ sources: ['a'], wildcards: true, excludes: [] }] },
    { name: 'a declared build arg is certain', dockerfile: 'FROM alpine\nARG SRC=app\nCOPY $SRC /x\n', reads: [{ sources: ['app'], wildcards: true, excludes: [] }] },
  ])('$name', ({ dockerfile, reads }) => {
    expect(readsOf(dockerfile)).toEqual(reads);
  });
});

describe('the run prefix: which older entries are worth restoring', () => {
  const FILE =
    'FROM alpine\nWORKDIR /src\nCOPY deps.lock .\nRUN fetch\nCOPY src/ src/\nRUN make\nLABEL v=1\n';
  const FILES = { 'deps.lock': '1', 'src/a.c': '1' };
  const key = (build: Partial<Build>) => keysOf({ dockerfile: FILE, files: FILES, ...build }).get('stage-0')!;
  const original = key({});

  test('one hash per RUN (6 and 4 characters here), zeros for the RUNs a stage does not have', () => {
    expect(original.runPrefix).toMatch(/^[0-9a-f]{10}0{6}$/);
    const head = original.key.slice(0, original.key.length - 34);
    expect(original.restoreKeys).toEqual([
      `${head}-${original.runPrefix.slice(0, 10)}`,
      `${head}-${original.runPrefix.slice(0, 6)}`,
    ]);
  });

  test('a change after the first RUN keeps its hash: the older entry is found by the shorter restore key', () => {
    const sourceChanged = key({ files: { ...FILES, 'src/a.c': '2' } });
    expect(sourceChanged.key).not.toBe(original.key);
    expect(sourceChanged.runPrefix.slice(0, 6)).toBe(original.runPrefix.slice(0, 6));
    expect(sourceChanged.runPrefix.slice(6, 10)).not.toBe(original.runPrefix.slice(6, 10));
    expect(original.key.startsWith(sourceChanged.restoreKeys[1]!)).toBe(true);
    expect(original.key.startsWith(sourceChanged.restoreKeys[0]!)).toBe(false);
  });

  test.each<{ name: string; build: Partial<Build> }>([
    { name: 'a file the first RUN depends on', build: { files: { ...FILES, 'deps.lock': '2' } } },
    { name: 'the first RUN itself', build: { dockerfile: FILE.replace('fetch', 'fetch --all') } },
    { name: 'an instruction before it', build: { dockerfile: FILE.replace('/src', '/app') } },
    { name: 'the base image', build: { dockerfile: FILE.replace('alpine', 'debian') } },
  ])('a change to $name matches no older entry: no restore key is a prefix of its key', ({ build }) => {
    const changed = key(build);
    for (const restoreKey of changed.restoreKeys) expect(original.key.startsWith(restoreKey)).toBe(false);
  });

  test('image metadata changes the full hash only, so the older entry is found by the longest restore key', () => {
    const relabelled = key({
      dockerfile: FILE.replace('LABEL v=1', 'LABEL v=2').replace('WORKDIR', 'EXPOSE 80\nWORKDIR'),
    });
    expect(relabelled.key).not.toBe(original.key);
    expect(relabelled.runPrefix).toBe(original.runPrefix);
    expect(original.key.startsWith(relabelled.restoreKeys[0]!)).toBe(true);
  });

  test('a stage built FROM a changed stage shares no RUN with its older entries', () => {
    const file = 'FROM alpine AS deps\nCOPY deps.lock .\nRUN fetch\nFROM deps\nRUN make\n';
    const before = keysOf({ dockerfile: file, files: FILES }).get('stage-1')!;
    const after = keysOf({ dockerfile: file, files: { ...FILES, 'deps.lock': '2' } }).get('stage-1')!;
    expect(after.runPrefix.slice(0, 6)).not.toBe(before.runPrefix.slice(0, 6));
  });

  test("a RUN that copies or mounts from a stage hashes that stage's key", () => {
    const file =
      'FROM alpine AS tools\nCOPY deps.lock .\nFROM alpine\nRUN --mount=from=tools,target=/t make\n';
    const before = keysOf({ dockerfile: file, files: FILES }).get('stage-1')!;
    const after = keysOf({ dockerfile: file, files: { ...FILES, 'deps.lock': '2' } }).get('stage-1')!;
    expect(after.runPrefix).not.toBe(before.runPrefix);
  });

  test('a stage without a RUN has no restore keys: an older entry could save it no work', () => {
    const runless = keysOf({ dockerfile: 'FROM alpine\nCOPY src/ /src/\n', files: FILES }).get('stage-0')!;
    expect(runless.runPrefix).toBe('0'.repeat(16));
    expect(runless.restoreKeys).toEqual([]);
  });

  test('past the fourth RUN, entries sharing the first four are alike', () => {
    const runs = (n: number, last: string) =>
      `FROM alpine\n${Array.from({ length: n - 1 }, (_, i) => `RUN step${i}\n`).join('')}RUN ${last}\n`;
    const five = keysOf({ dockerfile: runs(5, 'a') }).get('stage-0')!;
    const fiveChanged = keysOf({ dockerfile: runs(5, 'b') }).get('stage-0')!;
    expect(five.restoreKeys).toHaveLength(4);
    expect(five.runPrefix).toMatch(/^[0-9a-f]{16}$/);
    expect(fiveChanged.runPrefix).toBe(five.runPrefix);
    expect(fiveChanged.key).not.toBe(five.key);
    expect(five.key.startsWith(fiveChanged.restoreKeys[0]!)).toBe(true);
  });
});

describe('the readable key', () => {
  const FIELD = '[A-Za-z0-9_.]+';
  const KEY = new RegExp(`^stagecraft-v1-[0-9a-f]{8}-${FIELD}-${FIELD}-[0-9a-f]{16}-[0-9a-f]{16}$`);

  test('stagecraft-v1-<dockerfile>-<platform>-<stage>-<prefix>-<full>, restore keys as prefixes', () => {
    for (const key of keysOf(base).values()) {
      expect(key.key).toMatch(KEY);
      expect(key.key.length).toBeLessThanOrEqual(128);
      expect(keyToTag(key.key)).toBe(key.key);
      for (const restoreKey of key.restoreKeys) expect(key.key.startsWith(restoreKey)).toBe(true);
      expect(key.key).toContain(`-${key.runPrefix}-`);
      expect(key.key).toContain(`-${key.fullHash.slice(0, 16)}`);
    }
    const runtime = keysOf(base).get('runtime')!;
    expect(
      runtime.key.startsWith(`stagecraft-v1-${dockerfileKeyPart('Dockerfile')}-linux_amd64-runtime-`),
    ).toBe(true);
  });

  test("fields never hold `-`, so no restore key is a prefix of another stage's keys", () => {
    const keys = keysOf({
      dockerfile:
        'FROM alpine AS build\nRUN a\nFROM alpine AS build-tools\nRUN b\nFROM alpine\nCOPY --from=build / /\nCOPY --from=build-tools / /\n',
      platform: 'linux/arm/v7',
    });
    expect([...keys.values()].map((key) => key.key.split('-').slice(3, 5))).toEqual([
      ['linux_arm_v7', 'build'],
      ['linux_arm_v7', 'build_tools'],
      ['linux_arm_v7', 'stage_2'],
    ]);
    const build = keys.get('build')!;
    expect(keys.get('build-tools')!.key.startsWith(build.restoreKeys[0]!)).toBe(false);
  });

  test('long fields are cut and end in a hash, keys stay within 128 characters', () => {
    const name = `s${'x'.repeat(120)}`;
    const keys = keysOf({ dockerfile: `FROM alpine AS ${name}\nRUN true\n` });
    const key = keys.get(name)!.key;
    expect(key.length).toBeLessThanOrEqual(128);
    expect(keyField(name, 46)).toMatch(/^sx{36}_[0-9a-f]{8}$/);
    expect(keyField(name, 46)).not.toBe(keyField(`${name}y`, 46));
  });

  test('the Dockerfile field hashes the repository path, spelled either way', () => {
    expect(dockerfileKeyPart('./docker\\app.Dockerfile')).toBe(dockerfileKeyPart('docker/app.Dockerfile'));
    expect(dockerfileKeyPart('a/Dockerfile')).not.toBe(dockerfileKeyPart('b/Dockerfile'));
    expect(dockerfileKeyPart('Dockerfile', '')).toBe(dockerfileKeyPart('Dockerfile'));
    expect(dockerfileKeyPart('Dockerfile', 'salt')).not.toBe(dockerfileKeyPart('Dockerfile'));
  });

  test('keyToTag maps anything else into a valid tag of at most 128 characters', () => {
    expect(keyToTag('a/b:c')).toBe('a_b_c');
    expect(keyToTag('.hidden')).toBe('_.hidden');
    const long = keyToTag('k'.repeat(300));
    expect(long).toMatch(/^k{119}-[0-9a-f]{8}$/);
  });
});

describe('plan JSON with keys', () => {
  test('reachable stages get key and restoreKeys, skipped ones key null', () => {
    const options = optionsOf(base);
    const keys = computeStageKeys(options);
    const json = addKeysToPlanJson(planToJson(options.plan), keys) as {
      stages: { index: number; name: string; key: string | null; restoreKeys: string[] }[];
    };
    expect(json.stages.map((stage) => [stage.name, stage.key === null, stage.restoreKeys.length])).toEqual([
      ['deps', false, 1],
      ['build', false, 1],
      ['test', true, 0],
      ['assets', true, 0],
      ['runtime', false, 0],
    ]);
    expect(json.stages[4]!.key).toBe(keys[2]!.key);
  });
});

describe('key encoding golden (testdata/example-keys)', () => {
  test('documents and keys of the example', () => {
    const dir = path.join(TESTDATA, 'example-keys');
    const options = optionsOf({
      dockerfile: readFileSync(path.join(dir, 'Dockerfile'), 'utf8'),
      files: { 'go.mod': 'module x\n', 'go.sum': '', 'main.go': 'package main\n', 'config.yaml': 'a: 1\n' },
      buildArgs: { VERSION: '1.0.0' },
      dockerfilePath: 'example-keys/Dockerfile',
      imageDigests: { 'golang:1.22': 'sha256:0123456789abcdef' },
    });
    const text = renderStageKeyDocuments(encodeStageKeyDocuments(options), computeStageKeys(options));
    expectGolden(path.join(dir, 'keys.txt'), text);
  });
});
