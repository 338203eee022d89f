// The whole pipeline against a real BuildKit: which stages' caches are restored and saved, and what BuildKit
// ran, across the changes a project sees. Every second build runs on a pruned builder, as on a fresh runner.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE_IMAGE, describeWithBuildKit } from '../__tests__/support/buildkit.js';
import { recordingAdapters } from '../__tests__/support/pipeline.js';
import { LocalStore } from './cache/local-store.js';
import type { StageCacheStore } from './cache/store.js';
import { run, type RunResult } from './main.js';
import { toOptions, type RawInputs } from './options.js';

const DOCKERFILE = `# deps: the slow part
FROM ${BASE_IMAGE} AS deps
ARG DEPS_VERSION=1
RUN echo "deps $DEPS_VERSION" > /deps.txt

FROM deps AS build
COPY src/ /src/
RUN cat /src/* /deps.txt > /app.txt

FROM ${BASE_IMAGE} AS test
COPY tests/ /tests/
RUN cat /tests/*

FROM ${BASE_IMAGE} AS final
COPY --from=build /app.txt /app.txt
COPY final.txt /final.txt
`;

/** Cache results of a rebuild that changes nothing the target reads. */
const UNCHANGED = { deps: 'unneeded', build: 'unneeded', final: 'exact' };

function writeProject(dir: string, dockerfile = DOCKERFILE): void {
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(path.join(dir, '.dockerignore'), 'src/ignored.txt\n');
  for (const sub of ['src', 'tests']) rmSync(path.join(dir, sub), { recursive: true, force: true });
  cpSync(path.join(dir, '..', 'seed'), dir, { recursive: true });
}

function prune(): void {
  const result = spawnSync('docker', ['buildx', 'prune', '-af'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker buildx prune failed: ${result.stderr}`);
}

interface Build {
  readonly result: RunResult;
  readonly warnings: string[];
  /** Every line the pipeline logged. */
  readonly lines: string[];
  /** Stage name → cache result. */
  readonly hits: Record<string, string>;
  /** Names of the stages whose entries were saved. */
  readonly saved: string[];
}

async function build(dir: string, store: StageCacheStore, raw: RawInputs = {}): Promise<Build> {
  prune();
  const { adapters, recorded } = recordingAdapters(dir, store);
  const options = toOptions(
    { cache: 'local', tags: `stagecraft-itg:${path.basename(dir)}`, ...raw },
    'local',
  );
  const result = await run(options, adapters);
  if (result.exitCode !== 0) throw new Error(`build failed: ${recorded.errors.join('\n')}`);
  return {
    result,
    warnings: recorded.warnings,
    lines: recorded.lines,
    hits: JSON.parse(recorded.outputs.get('cache-hits')!) as Record<string, string>,
    saved: result.save!.stages.filter((stage) => stage.saved).map((stage) => stage.stageName),
  };
}

const withBuildKit = describeWithBuildKit('the pipeline integration tests (src/main.itg.test.ts)');

withBuildKit('per-stage caches against a real BuildKit', () => {
  let root: string;
  let dir: string;
  let cacheDir: string;
  let store: LocalStore;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-itg-'));
    const seed = path.join(root, 'seed');
    const files: Record<string, string> = {
      'src/main.txt': 'main v1\n',
      'src/lib.txt': 'lib v1\n',
      'src/ignored.txt': 'ignored v1\n',
      'tests/test.txt': 'test v1\n',
      'final.txt': 'final v1\n',
      'unread.txt': 'nobody copies this\n',
    };
    for (const [file, text] of Object.entries(files)) {
      const full = path.join(seed, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    dir = path.join(root, 'project');
    mkdirSync(dir);
    writeProject(dir);
    cacheDir = path.join(root, 'cache');
    store = new LocalStore({ dir: cacheDir });
  });

  test('a first build saves one entry per reachable stage and none for the skipped one', async () => {
    const first = await build(dir, store);
    expect(first.hits).toEqual({ deps: 'miss', build: 'miss', final: 'miss' });
    expect(first.saved.sort()).toEqual(['build', 'deps', 'final']);
    expect(first.result.progress!.stagesRun).not.toContain('test');
    expect(first.warnings).toEqual([]);
  });

  test('a rebuild with no change restores only the target, runs nothing and saves nothing', async () => {
    const again = await build(dir, store);
    // Restore by need: the target hit, and it is built FROM a base image, so nothing beneath it is needed.
    expect(again.hits).toEqual(UNCHANGED);
    expect(again.result.restore!.stages.filter((stage) => stage.bytes > 0).map((s) => s.stageName)).toEqual([
      'final',
    ]);
    expect(again.result.progress!.fullyCached).toBe(true);
    expect(again.result.progress!.executedRuns).toEqual([]);
    expect(again.saved).toEqual([]);
    expect(again.result.save!.bytes).toBe(0);
  });

  test.each([
    {
      name: 'a comment',
      edit: (): void => writeProject(dir, DOCKERFILE.replace('# deps: the slow part', '# deps: renamed')),
    },
    {
      // Whitespace BuildKit drops: indentation, blank lines, blanks between COPY's words, a continuation
      // that leaves the command text as it was. (Blanks inside a shell-form RUN are part of BuildKit's own
      // cache key, so they rightly change ours: see the next test.)
      name: 'whitespace and a continuation',
      edit: (): void =>
        writeProject(
          dir,
          DOCKERFILE.replace('COPY src/ /src/', '\n   COPY    src/     /src/  ').replace(
            'RUN cat /src/* /deps.txt > /app.txt',
            '  RUN cat /src/* /deps.txt \\\n> /app.txt',
          ),
        ),
    },
    {
      name: 'a stage the target does not reach',
      edit: (): void =>
        writeProject(dir, DOCKERFILE.replace('RUN cat /tests/*', 'RUN cat /tests/* && echo more')),
    },
    {
      name: 'a .dockerignored file',
      edit: (): void => writeFileSync(path.join(dir, 'src/ignored.txt'), 'ignored v2\n'),
    },
    {
      name: 'a file no COPY reads',
      edit: (): void => writeFileSync(path.join(dir, 'unread.txt'), 'still nobody\n'),
    },
    {
      name: 'a build arg the Dockerfile never declares',
      edit: (): void => undefined,
      raw: { 'build-args': 'UNDECLARED=x' },
    },
  ])('a change to $name misses nothing', async ({ edit, raw }) => {
    writeProject(dir);
    edit();
    const rebuilt = await build(dir, store, raw ?? {});
    expect(rebuilt.hits).toEqual(UNCHANGED);
    expect(rebuilt.saved).toEqual([]);
    expect(rebuilt.result.progress!.executedRuns).toEqual([]);
  });

  test('blanks inside a shell-form RUN change what BuildKit runs: that stage and its dependents miss', async () => {
    writeProject(
      dir,
      DOCKERFILE.replace('RUN cat /src/* /deps.txt > /app.txt', 'RUN cat /src/*   /deps.txt > /app.txt'),
    );
    const rebuilt = await build(dir, store);
    // No older entry is restored: build's only RUN changed, and final has no RUN an older entry could save.
    expect(rebuilt.hits).toEqual({ deps: 'exact', build: 'miss', final: 'miss' });
    expect(rebuilt.result.restore!.stages.filter((stage) => stage.bytes > 0).map((s) => s.stageName)).toEqual(
      ['deps'],
    );
    expect(rebuilt.result.progress!.executedRuns).toHaveLength(1);
    expect(rebuilt.saved.sort()).toEqual(['build', 'final']);
  });

  test('a change to a file only the final stage copies misses that stage alone', async () => {
    writeProject(dir);
    writeFileSync(path.join(dir, 'final.txt'), 'final v2\n');
    const rebuilt = await build(dir, store);
    expect(rebuilt.hits).toEqual({ deps: 'exact', build: 'exact', final: 'miss' });
    expect(rebuilt.saved).toEqual(['final']);
    expect(rebuilt.result.progress!.executedRuns).toEqual([]);
  });

  test('a source change restores the older entry of a stage whose first RUN it leaves alone, and that RUN hits', async () => {
    const leading = DOCKERFILE.replace(
      'FROM deps AS build\n',
      'FROM deps AS build\nRUN echo "tools" > /tools.txt\n',
    );
    writeProject(dir, leading);
    const fresh = new LocalStore({ dir: path.join(root, 'cache-leading-run') });
    await build(dir, fresh);
    writeFileSync(path.join(dir, 'src', 'main.txt'), 'main v2\n');
    const rebuilt = await build(dir, fresh);
    expect(rebuilt.hits).toEqual({ deps: 'exact', build: 'partial', final: 'miss' });
    expect(rebuilt.result.progress!.executedRuns.map((vertex) => vertex.instruction)).toEqual([
      'RUN cat /src/* /deps.txt > /app.txt',
    ]);
    expect(rebuilt.saved.sort()).toEqual(['build', 'final']);
    writeProject(dir);
  });

  test('a changed build arg misses the stage that declares it and its dependents', async () => {
    writeProject(dir);
    const rebuilt = await build(dir, store, { 'build-args': 'DEPS_VERSION=2' });
    expect(rebuilt.hits.deps).not.toBe('exact');
    expect(rebuilt.hits.build).not.toBe('exact');
    expect(rebuilt.hits.final).not.toBe('exact');
    expect(rebuilt.saved.sort()).toEqual(['build', 'deps', 'final']);
    expect(rebuilt.result.progress!.executedRuns.length).toBeGreaterThan(0);
  });

  test('with an input bake cannot express (add-hosts) each stage is built and exported in turn', async () => {
    writeProject(dir);
    const fresh = new LocalStore({ dir: path.join(root, 'cache-add-hosts') });
    const first = await build(dir, fresh, { 'add-hosts': 'stagecraft.test:127.0.0.1' });
    expect(first.saved.sort()).toEqual(['build', 'deps', 'final']);
    const again = await build(dir, fresh, { 'add-hosts': 'stagecraft.test:127.0.0.1' });
    expect(again.hits).toEqual(UNCHANGED);
    expect(again.result.progress!.fullyCached).toBe(true);
  });

  test('a corrupt entry and a half-evicted one give a warning and a correct build', async () => {
    writeProject(dir);
    const entries = path.join(cacheDir, 'v1', 'entries');
    // Damage every entry of the current keys: one loses its metadata, the others a blob each.
    const dirs = readdirSync(entries);
    expect(dirs.length).toBeGreaterThan(0);
    for (const [i, entry] of dirs.entries()) {
      if (i === 0) {
        writeFileSync(path.join(entries, entry, 'meta.json'), '{not json');
        continue;
      }
      const blobs = path.join(entries, entry, 'entry', 'blobs', 'sha256');
      const names = readdirSync(blobs);
      rmSync(path.join(blobs, names[names.length - 1]!));
    }
    const rebuilt = await build(dir, store);
    expect(rebuilt.result.exitCode).toBe(0);
    expect(rebuilt.warnings.length).toBeGreaterThan(0);
    const after = await build(dir, store);
    expect(after.result.exitCode).toBe(0);
  });
});

// Issue #8's safety cases: an entry that lost a blob after it was restored, and a base image gone from the
// engine's image store between builds. The base comes from the loopback registry, so that it can be pulled
// again by digest.
withBuildKit('own layers only, and never a record whose blobs are absent', () => {
  const base = `127.0.0.1:5000/stagecraft-itg/base-${process.pid}:1`;
  const dockerfile = `FROM ${base} AS deps
RUN echo deps > /deps.txt

FROM deps AS build
COPY src/ /src/
RUN cat /src/* /deps.txt > /app.txt

FROM ${base} AS final
COPY --from=build /app.txt /app.txt
COPY final.txt /final.txt
`;
  let root: string;
  let dir: string;

  const docker = (...args: string[]): string => {
    const result = spawnSync('docker', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };

  beforeAll(() => {
    docker('tag', BASE_IMAGE, base);
    docker('push', '--quiet', base);
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-itg-own-'));
    dir = path.join(root, 'project');
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(path.join(dir, 'src', 'main.txt'), 'main v1\n');
    writeFileSync(path.join(dir, 'final.txt'), 'final v1\n');
  });

  afterAll(() => {
    spawnSync('docker', ['image', 'rm', '-f', base], { encoding: 'utf8' });
    rmSync(root, { recursive: true, force: true });
  });

  test('entries hold no base-image layer; a no-change rebuild restores only the target and runs nothing', async () => {
    const store = new LocalStore({ dir: path.join(root, 'cache-layers') });
    const first = await build(dir, store);
    expect(first.saved.sort()).toEqual(['build', 'deps', 'final']);
    // The base image's compressed layers, as its registry manifest lists them.
    const manifest = JSON.parse(docker('buildx', 'imagetools', 'inspect', '--raw', base)) as {
      layers: { digest: string }[];
    };
    const baseLayers = manifest.layers.map((layer) => layer.digest);
    expect(baseLayers.length).toBeGreaterThan(0);
    const entriesDir = path.join(root, 'cache-layers', 'v1', 'entries');
    const entries = readdirSync(entriesDir).map((entry) => path.join(entriesDir, entry, 'entry'));
    const stored = entries.flatMap((entry) =>
      readdirSync(path.join(entry, 'blobs', 'sha256')).map((hex) => `sha256:${hex}`),
    );
    const external = entries.flatMap((entry) =>
      (
        JSON.parse(readFileSync(path.join(entry, 'stagecraft-entry.json'), 'utf8')) as {
          external: { digest: string }[];
        }
      ).external.map((blob) => blob.digest),
    );
    expect(stored.filter((blob) => baseLayers.includes(blob))).toEqual([]);
    expect(external).toEqual(expect.arrayContaining(baseLayers));
    const again = await build(dir, store);
    expect(again.hits).toEqual(UNCHANGED);
    expect(again.result.progress!.fullyCached).toBe(true);
    expect(again.result.progress!.executedRuns).toEqual([]);
    expect(again.saved).toEqual([]);
    expect(docker('run', '--rm', `stagecraft-itg:${path.basename(dir)}`, 'cat', '/app.txt')).toBe(
      'main v1\ndeps\n',
    );
  });

  test('a blob deleted from a restored entry: a warning, a correct build, and the build after it too', async () => {
    const store = new LocalStore({ dir: path.join(root, 'cache-deleted') });
    await build(dir, store);
    // Build again with a store that deletes a blob from each entry it has just restored.
    const damaging: StageCacheStore = Object.assign(Object.create(store) as StageCacheStore, {
      restore: async (key: string, into: string, options?: Parameters<StageCacheStore['restore']>[2]) => {
        const bytes = await store.restore(key, into, options);
        const blobs = path.join(into, 'blobs', 'sha256');
        const names = readdirSync(blobs);
        rmSync(path.join(blobs, names[names.length - 1]!));
        return bytes;
      },
    });
    const damaged = await build(dir, damaging);
    expect(damaged.warnings.join('\n')).toMatch(/cache for final: cache entry \S+ is damaged/);
    expect(damaged.hits.final).toBe('miss');
    expect(docker('run', '--rm', `stagecraft-itg:${path.basename(dir)}`, 'cat', '/app.txt')).toBe(
      'main v1\ndeps\n',
    );
    const after = await build(dir, store);
    expect(after.hits).toEqual(UNCHANGED);
    expect(after.result.progress!.fullyCached).toBe(true);
  });

  test('the base image removed from the store between builds: it is pulled by digest, and every build succeeds', async () => {
    const store = new LocalStore({ dir: path.join(root, 'cache-base') });
    await build(dir, store);
    docker('image', 'rm', '-f', base);
    const without = await build(dir, store);
    expect(without.result.exitCode).toBe(0);
    expect(without.hits).toEqual(UNCHANGED);
    expect(without.result.progress!.executedRuns).toEqual([]);
    expect(without.lines.join('\n')).toMatch(
      new RegExp(
        `${base.replace(/[.]/g, '\\.')} was not in the image store: pulled \\S+@sha256:[0-9a-f]{64}`,
      ),
    );
    docker('image', 'rm', '-f', base);
    writeFileSync(path.join(dir, 'final.txt'), 'final v2\n');
    const changed = await build(dir, store);
    expect(changed.hits.final).toBe('miss');
    expect(changed.saved).toEqual(['final']);
    writeFileSync(path.join(dir, 'final.txt'), 'final v1\n');
    const after = await build(dir, store);
    expect(after.hits).toEqual(UNCHANGED);
    expect(after.result.progress!.fullyCached).toBe(true);
  });
});
