// The whole pipeline against a real BuildKit: which stages' caches are restored and saved, and what BuildKit
// ran, across the changes a project sees. Every second build runs on a pruned builder, as on a fresh runner.
import { beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

  test('a rebuild with no change restores every stage, runs nothing and saves nothing', async () => {
    const again = await build(dir, store);
    expect(again.hits).toEqual({ deps: 'exact', build: 'exact', final: 'exact' });
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
    expect(rebuilt.hits).toEqual({ deps: 'exact', build: 'exact', final: 'exact' });
    expect(rebuilt.saved).toEqual([]);
    expect(rebuilt.result.progress!.executedRuns).toEqual([]);
  });

  test('blanks inside a shell-form RUN change what BuildKit runs: that stage and its dependents miss', async () => {
    writeProject(
      dir,
      DOCKERFILE.replace('RUN cat /src/* /deps.txt > /app.txt', 'RUN cat /src/*   /deps.txt > /app.txt'),
    );
    const rebuilt = await build(dir, store);
    expect(rebuilt.hits).toEqual({ deps: 'exact', build: 'partial', final: 'partial' });
    expect(rebuilt.result.progress!.executedRuns).toHaveLength(1);
    expect(rebuilt.saved.sort()).toEqual(['build', 'final']);
  });

  test('a change to a file only the final stage copies misses that stage alone', async () => {
    writeProject(dir);
    writeFileSync(path.join(dir, 'final.txt'), 'final v2\n');
    const rebuilt = await build(dir, store);
    expect(rebuilt.hits).toEqual({ deps: 'exact', build: 'exact', final: 'partial' });
    expect(rebuilt.saved).toEqual(['final']);
    expect(rebuilt.result.progress!.executedRuns).toEqual([]);
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
    expect(again.hits).toEqual({ deps: 'exact', build: 'exact', final: 'exact' });
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
