// Against a real BuildKit (docker driver, containerd image store; see scripts/setup-buildkit): real
// `--cache-to type=local` exports are saved as per-stage entries in a local store, restored into one layout and
// fed back with `--cache-from type=local,src=<layout>,tag=<tag>`. Skips loudly without `docker buildx`, unless
// STAGECRAFT_REQUIRE_BUILDKIT=1.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { execProcess } from '../adapters/exec.js';
import type { StageKey } from '../keys/types.js';
import { LocalStore } from './local-store.js';
import { cacheFromSpecs, cacheToSpec, restoreStageCaches, saveStageCaches } from './stage-caches.js';

const BASE_IMAGE = 'stagecraft-test/busybox:1';

function buildkitAvailable(): string | undefined {
  const version = spawnSync('docker', ['buildx', 'version'], { encoding: 'utf8' });
  if (version.status !== 0)
    return `docker buildx is unavailable (${(version.stderr ?? version.error?.message ?? '').trim()})`;
  const image = spawnSync('docker', ['image', 'inspect', BASE_IMAGE], { encoding: 'utf8' });
  if (image.status !== 0) return `the base image ${BASE_IMAGE} is missing (run scripts/setup-buildkit)`;
  return undefined;
}

const unavailable = buildkitAvailable();
const required = process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1';
if (unavailable !== undefined && !required) {
  console.warn(
    `\n*** SKIPPING the BuildKit integration tests of src/cache: ${unavailable}.\n` +
      '*** Run scripts/setup-buildkit, or set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure. ***\n',
  );
}
const describeBuildKit = unavailable === undefined || required ? describe : describe.skip;

async function docker(args: string[], cwd?: string): Promise<string> {
  const result = await execProcess(['docker', ...args], {
    timeoutMs: 180_000,
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.exitCode !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr.slice(-3000)}`);
  }
  return `${result.stdout}${result.stderr}`;
}

/**
 * Removes this test's records from BuildKit's own cache: those it built (their descriptions hold the nonce) and
 * those it imported from our layouts (`imported <blob digest>`, for the stages' own layer blobs; never the
 * shared base image layer).
 */
async function evictBuildCache(nonce: string, importedBlobs: ReadonlySet<string>): Promise<void> {
  for (let round = 0; round < 6; round++) {
    const du = await docker(['buildx', 'du', '--verbose']);
    const ids: string[] = [];
    let id = '';
    for (const line of du.split('\n')) {
      const idMatch = /^ID:\s+(\S+)/.exec(line);
      if (idMatch !== null) id = idMatch[1]!;
      const description = /^Description:\s+(.*)$/.exec(line)?.[1];
      if (description === undefined) continue;
      const imported = /^imported (sha256:[0-9a-f]{64})/.exec(description)?.[1];
      if (description.includes(nonce) || (imported !== undefined && importedBlobs.has(imported)))
        ids.push(id);
    }
    if (ids.length === 0) return;
    for (const record of ids) await docker(['buildx', 'prune', '-af', '--filter', `id=${record}`]);
  }
  throw new Error(`BuildKit's cache still holds records of ${nonce}`);
}

/** Each build step's title and whether BuildKit reported it CACHED (from `--progress plain`). */
function stepsOf(progress: string): Map<string, boolean> {
  const titles = new Map<string, string>();
  const cached = new Set<string>();
  for (const line of progress.split('\n')) {
    const step = /^#(\d+) (\[(?:deps|app) [^\]]+\] .*)$/.exec(line);
    if (step !== null) titles.set(step[1]!, step[2]!);
    const hit = /^#(\d+) CACHED$/.exec(line);
    if (hit !== null) cached.add(hit[1]!);
  }
  return new Map([...titles].map(([n, title]) => [title.replace(/ \d+(\.\d+)?s$/, ''), cached.has(n)]));
}

describeBuildKit('per-stage caches through a real BuildKit', () => {
  const nonce = `n${process.pid}x${Date.now().toString(36)}`;
  let root: string;
  let context: string;
  let store: LocalStore;
  let externalLayers: Set<string>;
  /** The layer blobs of both stages' entries (not the base image's). */
  const ownLayers = new Set<string>();
  const deps: StageKey = stageKey(0, 'deps');
  const app: StageKey = stageKey(1, 'app');

  function stageKey(stage: number, stageName: string): StageKey {
    const prefix = `stagecraft-v1-itg-linux-amd64-${stageName}-`;
    return {
      stage,
      stageName,
      key: `${prefix}p-${nonce}`,
      restoreKeys: [prefix],
      runPrefix: 'p',
      fullHash: nonce,
    };
  }

  async function build(target: string, extra: string[]): Promise<string> {
    return docker(
      [
        'buildx',
        'build',
        '--progress',
        'plain',
        '--target',
        target,
        '--output',
        'type=cacheonly',
        ...extra,
        '.',
      ],
      context,
    );
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-cache-itg-'));
    context = path.join(root, 'context');
    spawnSync('mkdir', ['-p', context]);
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE} AS deps`,
        `RUN echo ${nonce} > /deps.txt && mkdir /out && echo lib-${nonce} > /out/lib.txt`,
        '',
        `FROM ${BASE_IMAGE} AS app`,
        `COPY --from=deps /out/ /app-${nonce}/`,
        `RUN echo app-${nonce} > /app-${nonce}/app.txt`,
        '',
      ].join('\n'),
    );
    const rootFs = await docker(['image', 'inspect', BASE_IMAGE, '--format', '{{json .RootFS.Layers}}']);
    externalLayers = new Set(JSON.parse(rootFs.trim()) as string[]);
    store = new LocalStore({ dir: path.join(root, 'store') });

    // A cold build of each stage, each exporting its own cache; then the entries are saved.
    const exportDirs = new Map([
      [0, path.join(root, 'export-deps')],
      [1, path.join(root, 'export-app')],
    ]);
    await build('deps', ['--cache-to', cacheToSpec(exportDirs.get(0)!)]);
    await build('app', ['--cache-to', cacheToSpec(exportDirs.get(1)!)]);
    const saved = await saveStageCaches({
      store,
      keys: [deps, app],
      results: [],
      exportDirs,
      dependenciesOf: new Map([
        [0, []],
        [1, [0]],
      ]),
      workDir: path.join(root, 'save'),
      externalLayers,
    });
    expect(saved.stages.map((s) => [s.stageName, s.saved, s.reason])).toEqual([
      ['deps', true, 'saved'],
      ['app', true, 'saved'],
    ]);
    for (const key of [deps.key, app.key]) {
      const entry = path.join(root, 'store', 'v1', 'entries', LocalStore.idOf(key), 'entry');
      const metadata = JSON.parse(readFileSync(path.join(entry, 'stagecraft-entry.json'), 'utf8')) as {
        blobs: { digest: string }[];
      };
      for (const blob of metadata.blobs) ownLayers.add(blob.digest);
    }
  }, 300_000);

  afterAll(async () => {
    if (root !== undefined) {
      await evictBuildCache(nonce, ownLayers).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  test('restored entries (own blobs only, base image from the image store) give a fully CACHED build', async () => {
    await evictBuildCache(nonce, ownLayers);
    const report = await restoreStageCaches({
      store,
      keys: [deps, app],
      workDir: path.join(root, 'restore-1'),
      externalLayers,
    });
    expect(report.stages.map((s) => [s.stageName, s.result, s.warning])).toEqual([
      ['deps', 'exact', undefined],
      ['app', 'exact', undefined],
    ]);
    const progress = await build(
      'app',
      cacheFromSpecs(report).flatMap((spec) => ['--cache-from', spec]),
    );
    expect(Object.fromEntries([...stepsOf(progress)].filter(([title]) => !title.includes('FROM')))).toEqual({
      [`[deps 2/2] RUN echo ${nonce} > /deps.txt && mkdir /out && echo lib-${nonce} > /out/lib.txt`]: true,
      [`[app 2/3] COPY --from=deps /out/ /app-${nonce}/`]: true,
      [`[app 3/3] RUN echo app-${nonce} > /app-${nonce}/app.txt`]: true,
    });
  }, 300_000);

  test('a blob deleted from an entry: that stage is dropped before BuildKit sees it, and the build still succeeds', async () => {
    await evictBuildCache(nonce, ownLayers);
    const entryDir = path.join(root, 'store', 'v1', 'entries', LocalStore.idOf(app.key), 'entry');
    const metadata = JSON.parse(readFileSync(path.join(entryDir, 'stagecraft-entry.json'), 'utf8')) as {
      manifest: { digest: string };
      blobs: { digest: string; size: number }[];
    };
    // A layer blob (not the manifest; the config is the one blob under 2 KB that is JSON, layers are gzip).
    const layer = metadata.blobs.find((b) => {
      if (b.digest === metadata.manifest.digest) return false;
      const bytes = readFileSync(path.join(entryDir, 'blobs', 'sha256', b.digest.slice(7)));
      return bytes[0] === 0x1f && bytes[1] === 0x8b;
    })!;
    unlinkSync(path.join(entryDir, 'blobs', 'sha256', layer.digest.slice(7)));

    const report = await restoreStageCaches({
      store,
      keys: [deps, app],
      workDir: path.join(root, 'restore-2'),
      externalLayers,
    });
    expect(report.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'exact'],
      ['app', 'miss'],
    ]);
    expect(report.stages[1]!.warning).toMatch(/is damaged \(blob sha256:\w+: missing\); building without it/);
    const specs = cacheFromSpecs(report);
    expect(specs).toEqual([`type=local,src=${report.layoutDir},tag=${deps.key}`]);

    const progress = await build(
      'app',
      specs.flatMap((spec) => ['--cache-from', spec]),
    );
    expect(Object.fromEntries([...stepsOf(progress)].filter(([title]) => !title.includes('FROM')))).toEqual({
      [`[deps 2/2] RUN echo ${nonce} > /deps.txt && mkdir /out && echo lib-${nonce} > /out/lib.txt`]: true,
      [`[app 2/3] COPY --from=deps /out/ /app-${nonce}/`]: false,
      [`[app 3/3] RUN echo app-${nonce} > /app-${nonce}/app.txt`]: false,
    });
  }, 300_000);
});
