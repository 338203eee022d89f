// The registry store against a real BuildKit and the loopback registry (localhost:5000; see
// scripts/setup-buildkit): BuildKit pushes with the store's --cache-to specs, the store finds the entries with
// `docker buildx imagetools inspect`, and its --cache-from gives a CACHED build. Skips loudly when either is
// missing, unless STAGECRAFT_REQUIRE_BUILDKIT=1.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { execProcess } from '../adapters/exec.js';
import type { StageKey } from '../keys/types.js';
import { isExternal, parseOciIndex } from './oci-layout.js';
import { RegistryStore } from './registry-store.js';
import { cacheFromSpecs, restoreStageCaches, saveStageCaches, stageCacheToSpecs } from './stage-caches.js';
import type { StoreCallOptions } from './store.js';

const BASE_IMAGE = 'stagecraft-test/busybox:1';
const REPOSITORY = 'localhost:5000/stagecraft-itg-cache';

function unavailableReason(): string | undefined {
  if (spawnSync('docker', ['buildx', 'version']).status !== 0) return 'docker buildx is unavailable';
  if (spawnSync('docker', ['image', 'inspect', BASE_IMAGE]).status !== 0) return `${BASE_IMAGE} is missing`;
  const probe = spawnSync('curl', ['-sf', '-o', '/dev/null', 'http://localhost:5000/v2/']);
  if (probe.status !== 0) return 'no registry answers on localhost:5000';
  return undefined;
}

const unavailable = unavailableReason();
const required = process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1';
if (unavailable !== undefined && !required) {
  console.warn(
    `\n*** SKIPPING the registry cache integration tests: ${unavailable}.\n` +
      '*** Run scripts/setup-buildkit, or set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure. ***\n',
  );
}
const describeRegistry = unavailable === undefined || required ? describe : describe.skip;

async function docker(args: string[], cwd?: string): Promise<string> {
  const result = await execProcess(['docker', ...args], {
    timeoutMs: 180_000,
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.exitCode !== 0)
    throw new Error(`docker ${args.join(' ')} failed:\n${result.stderr.slice(-3000)}`);
  return `${result.stdout}${result.stderr}`;
}

/** Prunes BuildKit records this test made: built (nonce in the description) or imported (its own layers). */
async function evictBuildCache(nonce: string, layers: ReadonlySet<string>): Promise<void> {
  for (let round = 0; round < 6; round++) {
    const ids: string[] = [];
    let id = '';
    for (const line of (await docker(['buildx', 'du', '--verbose'])).split('\n')) {
      id = /^ID:\s+(\S+)/.exec(line)?.[1] ?? id;
      const description = /^Description:\s+(.*)$/.exec(line)?.[1];
      if (description === undefined) continue;
      const imported = /^imported (sha256:[0-9a-f]{64})/.exec(description)?.[1];
      if (description.includes(nonce) || (imported !== undefined && layers.has(imported))) ids.push(id);
    }
    if (ids.length === 0) return;
    for (const record of ids) await docker(['buildx', 'prune', '-af', '--filter', `id=${record}`]);
  }
}

describeRegistry('RegistryStore through a real BuildKit and registry', () => {
  const nonce = `r${process.pid}x${Date.now().toString(36)}`;
  const prefix = `stagecraft-v1-${nonce}-linux_amd64-deps-`;
  const first: StageKey = {
    stage: 0,
    stageName: 'deps',
    key: `${prefix}p-${nonce}`,
    restoreKeys: [`${prefix}p-`, prefix],
    runPrefix: 'p',
    fullHash: nonce,
  };
  let root: string;
  let context: string;
  const store = new RegistryStore({ repository: REPOSITORY, exec: execProcess });
  const ownLayers = new Set<string>();

  const build = (extra: string[]): Promise<string> =>
    docker(
      [
        'buildx',
        'build',
        '--progress',
        'plain',
        '--target',
        'deps',
        '--output',
        'type=cacheonly',
        ...extra,
        '.',
      ],
      context,
    );

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-registry-itg-'));
    context = path.join(root, 'context');
    mkdirSync(context);
    writeFileSync(
      path.join(context, 'Dockerfile'),
      `FROM ${BASE_IMAGE} AS deps\nRUN echo ${nonce} > /deps.txt\nRUN echo more-${nonce} >> /deps.txt\n`,
    );
  });

  afterAll(async () => {
    await evictBuildCache(nonce, ownLayers).catch(() => undefined);
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  }, 120_000);

  test('BuildKit pushes with cacheTo; lookup, exists and the moving tags find it; cacheFrom gives CACHED', async () => {
    const warnings: string[] = [];
    const calls: StoreCallOptions = { onWarning: (m) => warnings.push(m) };
    expect(await store.lookup(first.key, first.restoreKeys, calls)).toBeUndefined();
    expect(warnings).toEqual([]);

    await build(stageCacheToSpecs(store, first, '').flatMap((spec) => ['--cache-to', spec]));
    const saved = await saveStageCaches({
      store,
      keys: [first],
      results: [{ stage: 0, result: 'miss' }],
      exportDirs: new Map(),
      dependenciesOf: new Map(),
      workDir: path.join(root, 'save'),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [true, 'written to the registry by BuildKit'],
    ]);
    expect(await store.exists(first.key, calls)).toBe(true);
    // A later key with the same prefix finds this entry through the moving tag of its first restore key.
    expect(await store.lookup(`${prefix}p-other`, first.restoreKeys, calls)).toEqual({
      key: `${prefix}p-latest`,
      exact: false,
    });
    expect(warnings).toEqual([]);

    const raw = await docker(['buildx', 'imagetools', 'inspect', '--raw', store.refFor(first.key)]);
    const rootFs = JSON.parse(
      (await docker(['image', 'inspect', BASE_IMAGE, '--format', '{{json .RootFS.Layers}}'])).trim(),
    ) as string[];
    for (const layer of parseOciIndex(raw.trim(), 'cache manifest').manifests) {
      if (!isExternal(layer, new Set(rootFs))) ownLayers.add(layer.digest);
    }
    /** Which of the two RUN steps BuildKit reported CACHED. */
    const cachedRuns = (progress: string): string[] => {
      const titles = new Map<string, string>();
      const cached: string[] = [];
      for (const line of progress.split('\n')) {
        const step = /^#(\d+) \[(?:deps )?([23])\/3\] RUN/.exec(line); // a lone stage is not named
        if (step !== null) titles.set(step[1]!, `RUN ${step[2]}/3`);
        const hit = /^#(\d+) CACHED$/.exec(line)?.[1];
        if (hit !== undefined && titles.has(hit)) cached.push(titles.get(hit)!);
      }
      return cached.sort();
    };
    await evictBuildCache(nonce, ownLayers);
    // Control: with BuildKit's own records of this test gone, nothing is CACHED without the registry cache.
    expect(cachedRuns(await build([]))).toEqual([]);
    await evictBuildCache(nonce, ownLayers);

    const report = await restoreStageCaches({ store, keys: [first], workDir: path.join(root, 'restore') });
    expect(report.stages.map((s) => [s.result, s.bytes, s.cacheFrom])).toEqual([
      ['exact', 0, `type=registry,ref=${REPOSITORY}:${first.key}`],
    ]);
    const progress = await build(cacheFromSpecs(report).flatMap((spec) => ['--cache-from', spec]));
    expect(cachedRuns(progress)).toEqual(['RUN 2/3', 'RUN 3/3']);
  }, 300_000);

  test('a registry that does not answer is a warning and a miss', async () => {
    const down = new RegistryStore({
      repository: 'localhost:5999/nothing',
      exec: execProcess,
      timeoutMs: 20_000,
    });
    const warnings: string[] = [];
    expect(await down.lookup(first.key, [], { onWarning: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/^registry cache: lookup of .* failed: .*connection refused/),
    ]);
  }, 60_000);
});
