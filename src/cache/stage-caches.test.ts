// Restore and save around a build, with the memory store and the recorded two-stage export.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Exec } from '../adapters/exec.js';
import type { StageKey } from '../keys/types.js';
import { MemoryStore } from './memory-store.js';
import { RegistryStore } from './registry-store.js';
import {
  cacheFromSpecs,
  cacheToSpec,
  restoreStageCaches,
  saveStageCaches,
  stageCacheToSpecs,
  type RestoreReport,
} from './stage-caches.js';
import { FIXTURE, BASE_DIFF_ID } from './testdata/export-two-stages.js';

const DEPS_RUN = 'c2f9ef3cc17cc2ddfaba41b84eb9bcce46134fbf5baa9fb7019478f9e9ea6886';
const APP_RUN = '1c9b3b8d4458d624dbbd36b55f8f61e8be0afef50a1e7e8013a7e3c3c83eb391';
const EXTERNAL = new Set([BASE_DIFF_ID]);

function stageKey(stage: number, stageName: string, runPrefix = 'p1', fullHash = 'f1'): StageKey {
  const prefix = `stagecraft-v1-df-linux-amd64-${stageName}-`;
  return {
    stage,
    stageName,
    key: `${prefix}${runPrefix}-${fullHash}`,
    restoreKeys: [`${prefix}${runPrefix}-`, prefix],
    runPrefix,
    fullHash,
  };
}

const DEPS = stageKey(0, 'deps');
const APP = stageKey(1, 'app');
const DEPENDENCIES = new Map([
  [0, []],
  [1, [0]],
]);

let work: string;
let exportDirs: Map<number, string>;
let run = 0;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'stagecraft-stages-'));
  cpSync(FIXTURE, path.join(work, 'export'), { recursive: true });
  exportDirs = new Map([
    [0, path.join(work, 'export', 'deps')],
    [1, path.join(work, 'export', 'app')],
  ]);
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

function workDir(): string {
  run += 1;
  return path.join(work, `run-${run}`);
}

async function restore(store: MemoryStore, keys: readonly StageKey[] = [DEPS, APP]): Promise<RestoreReport> {
  return restoreStageCaches({ store, keys, workDir: workDir(), externalLayers: EXTERNAL });
}

/** A store holding both stages' entries, saved as a cold build would. */
async function warmStore(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const cold = await restore(store);
  const saved = await saveStageCaches({
    store,
    keys: [DEPS, APP],
    results: cold.stages,
    exportDirs,
    dependenciesOf: DEPENDENCIES,
    workDir: workDir(),
    externalLayers: EXTERNAL,
  });
  expect(saved.stages.map((s) => [s.stageName, s.saved, s.reason])).toEqual([
    ['deps', true, 'saved'],
    ['app', true, 'saved'],
  ]);
  return store;
}

/** The layer digests the manifest of `key`'s entry lists in the restored layout (the config left out). */
function manifestLayers(report: RestoreReport, key: string): string[] {
  const tag = report.stages.find((s) => s.key === key)?.tag;
  const index = JSON.parse(readFileSync(path.join(report.layoutDir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const descriptor = index.manifests.find(
    (d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (descriptor === undefined) return [];
  const manifest = JSON.parse(
    readFileSync(path.join(report.layoutDir, 'blobs', 'sha256', descriptor.digest.slice(7)), 'utf8'),
  ) as { manifests: { digest: string; mediaType: string }[] };
  return manifest.manifests.filter((d) => !d.mediaType.includes('cacheconfig')).map((d) => d.digest);
}

function blobNames(store: MemoryStore, key: string): string[] {
  return [...(store.entries.get(key)?.files.keys() ?? [])]
    .filter((f) => f.startsWith('blobs/'))
    .map((f) => f.slice('blobs/sha256/'.length));
}

describe('restoreStageCaches / saveStageCaches', () => {
  test('cold: every stage misses quietly; saving stores each stage with its own blobs only', async () => {
    const store = new MemoryStore();
    const cold = await restore(store);
    expect(cold.stages.map((s) => [s.stageName, s.result, s.bytes, s.warning])).toEqual([
      ['deps', 'miss', 0, undefined],
      ['app', 'miss', 0, undefined],
    ]);
    expect(cacheFromSpecs(cold)).toEqual([]);
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: cold.stages,
      exportDirs,
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
      externalLayers: EXTERNAL,
    });
    expect(saved.stages.every((s) => s.saved && s.bytes > 0)).toBe(true);
    expect(store.calls.exists).toEqual([DEPS.key, APP.key]);
    expect(blobNames(store, DEPS.key)).toContain(DEPS_RUN);
    expect(blobNames(store, APP.key)).toContain(APP_RUN);
    expect(blobNames(store, APP.key)).not.toContain(DEPS_RUN);
    expect(blobNames(store, APP.key)).toHaveLength(4); // manifest, config, COPY and RUN layers
  });

  test('warm: both stages hit exactly, in one layout, and nothing is saved', async () => {
    const store = await warmStore();
    const warm = await restore(store);
    expect(warm.stages.map((s) => [s.stageName, s.result, s.restoredKey, s.tag, s.warning])).toEqual([
      ['deps', 'exact', DEPS.key, DEPS.key, undefined],
      ['app', 'exact', APP.key, APP.key, undefined],
    ]);
    expect(warm.bytes).toBeGreaterThan(0);
    expect(cacheFromSpecs(warm)).toEqual([
      `type=local,src=${warm.layoutDir},tag=${DEPS.key}`,
      `type=local,src=${warm.layoutDir},tag=${APP.key}`,
    ]);
    const index = JSON.parse(readFileSync(path.join(warm.layoutDir, 'index.json'), 'utf8')) as {
      manifests: { annotations: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name'])).toEqual([
      DEPS.key,
      APP.key,
    ]);
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: warm.stages,
      exportDirs: new Map(),
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [false, 'exact key hit: nothing to save'],
      [false, 'exact key hit: nothing to save'],
    ]);
    expect(store.calls.save).toHaveLength(2); // only the warm-up's
  });

  test('a changed stage falls back to its newest entry under a restore key (partial) and is saved', async () => {
    const store = await warmStore();
    const app2 = stageKey(1, 'app', 'p1', 'f2');
    const report = await restore(store, [DEPS, app2]);
    expect(report.stages.map((s) => [s.stageName, s.result, s.restoredKey])).toEqual([
      ['deps', 'exact', DEPS.key],
      ['app', 'partial', APP.key],
    ]);
    // Only the app was rebuilt and exported; the deps' blobs are found in the restored layout.
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, app2],
      results: report.stages,
      exportDirs: new Map([[1, exportDirs.get(1)!]]),
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
      layoutDir: report.layoutDir,
      externalLayers: EXTERNAL,
    });
    expect(saved.stages.map((s) => [s.stageName, s.saved, s.reason])).toEqual([
      ['deps', false, 'exact key hit: nothing to save'],
      ['app', true, 'saved'],
    ]);
    expect(blobNames(store, app2.key)).not.toContain(DEPS_RUN);
  });

  test('only the given stages are restored: a skipped stage is never looked up', async () => {
    const store = await warmStore();
    store.calls.lookup.length = 0;
    const report = await restore(store, [DEPS]);
    expect(report.stages.map((s) => s.stageName)).toEqual(['deps']);
    expect(store.calls.lookup).toEqual([DEPS.key]);
    expect(store.calls.restore.at(-1)).toBe(DEPS.key);
  });

  test('an evicted stage that the dependent copies from: the dependent still hits, without that layer', async () => {
    const store = await warmStore();
    store.entries.delete(DEPS.key);
    const report = await restore(store);
    expect(report.stages.map((s) => [s.stageName, s.result, s.warning])).toEqual([
      ['deps', 'miss', undefined],
      ['app', 'exact', undefined],
    ]);
    expect(cacheFromSpecs(report)).toEqual([report.stages[1]!.cacheFrom]);
    expect(manifestLayers(report, APP.key)).not.toContain(`sha256:${DEPS_RUN}`);
    expect(manifestLayers(report, APP.key)).toContain(`sha256:${APP_RUN}`);
  });

  test('an unusable entry under the exact key is not replaced, and the reason says so', async () => {
    const store = await warmStore();
    store.entries.get(APP.key)!.files.delete(`blobs/sha256/${APP_RUN}`);
    const report = await restore(store);
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: report.stages,
      exportDirs,
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [false, 'exact key hit: nothing to save'],
      [false, 'an entry under this key exists but was unusable; entries are never replaced'],
    ]);
  });

  test('a damaged entry is a miss with a warning; the other stage still hits', async () => {
    const store = await warmStore();
    store.entries.get(APP.key)!.files.delete(`blobs/sha256/${APP_RUN}`);
    const report = await restore(store);
    expect(report.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'exact'],
      ['app', 'miss'],
    ]);
    expect(report.stages[1]!.warning).toMatch(
      /^cache entry .*app-p1-f1 is damaged \(blob sha256:1c9b3b8d\w+: missing\); building without it$/,
    );
    expect(cacheFromSpecs(report)).toHaveLength(1);
  });

  test('an entry without the base image layer is incomplete unless the base image is external', async () => {
    const store = await warmStore();
    const report = await restoreStageCaches({ store, keys: [DEPS], workDir: workDir() });
    expect(report.stages[0]!.result).toBe('miss');
    expect(report.stages[0]!.warning).toMatch(
      /^cache entry \S+ is incomplete \(its layers need 1 blob that are neither restored nor in the image store \(sha256:345861747fc2\)\); building without it$/,
    );
    expect(cacheFromSpecs(report)).toEqual([]);
  });

  test('store faults are warnings and misses, never throws', async () => {
    const store = await warmStore();
    store.faults = new Set(['lookup']);
    const report = await restore(store);
    expect(report.stages.map((s) => [s.result, s.warning])).toEqual([
      ['miss', `memory store: lookup of ${DEPS.key} failed (simulated fault)`],
      ['miss', `memory store: lookup of ${APP.key} failed (simulated fault)`],
    ]);
    store.faults = new Set(['restore']);
    expect((await restore(store)).stages.map((s) => s.result)).toEqual(['miss', 'miss']);
  });

  test('a failed save is reported with a warning; the next stage is still saved', async () => {
    const store = new MemoryStore();
    store.faults = new Set(['save']);
    const cold = await restore(store);
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: cold.stages,
      exportDirs,
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
      externalLayers: EXTERNAL,
    });
    expect(saved.stages.map((s) => [s.saved, s.reason, s.warning])).toEqual([
      [false, 'the store failed', `memory store: save of ${DEPS.key} failed (simulated fault)`],
      [false, 'the store failed', `memory store: save of ${APP.key} failed (simulated fault)`],
    ]);
  });

  test('exists is checked before saving: a key another job saved meanwhile is left alone', async () => {
    const store = await warmStore();
    const cold = { stages: [DEPS, APP].map((k) => ({ stage: k.stage, result: 'miss' as const })) };
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: cold.stages,
      exportDirs,
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [false, 'already saved (by another job)'],
      [false, 'already saved (by another job)'],
    ]);
  });

  test('a stage without an export, or with a broken one, is not saved', async () => {
    const store = new MemoryStore();
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: [],
      exportDirs: new Map([[1, path.join(work, 'nowhere')]]),
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [false, 'no cache export for this stage'],
      [false, "the stage's cache export is unusable"],
    ]);
    expect(saved.stages[1]!.warning).toMatch(/nowhere: index.json: missing/);
  });

  test('buildx specs: CSV-quoted where a path needs it', () => {
    expect(cacheToSpec('/tmp/x/export-1')).toBe('type=local,dest=/tmp/x/export-1,mode=max');
    expect(cacheToSpec('/tmp/a,b')).toBe('type=local,"dest=/tmp/a,b",mode=max');
    expect(
      cacheFromSpecs({
        layoutDir: '/l',
        bytes: 0,
        stages: [
          {
            stage: 0,
            stageName: 's',
            key: 'k',
            result: 'exact',
            bytes: 0,
            tag: 't',
            cacheFrom: 'type=local,src=/l,tag=t',
          },
        ],
      }),
    ).toEqual(['type=local,src=/l,tag=t']);
    expect(stageCacheToSpecs(new MemoryStore(), APP, '/e')).toEqual(['type=local,dest=/e,mode=max']);
  });
});

describe('with a registry store (BuildKit moves the bytes)', () => {
  /** A fake `docker buildx imagetools inspect --raw` over a set of existing references. */
  function fakeDocker(existing: Set<string>, seen: string[][]): Exec {
    return async (argv) => {
      seen.push([...argv]);
      const ref = argv.at(-1)!;
      return existing.has(ref)
        ? {
            exitCode: 0,
            stdout: '{"manifests":[{"mediaType":"application/vnd.buildkit.cacheconfig.v0"}]}',
            stderr: '',
          }
        : { exitCode: 1, stdout: '', stderr: `ERROR: ${ref}: not found\n` };
    };
  }

  test('restore gives registry --cache-from specs, save checks what BuildKit pushed', async () => {
    const seen: string[][] = [];
    const existing = new Set([
      `localhost:5000/cache:${DEPS.key}`,
      `localhost:5000/cache:stagecraft-v1-df-linux-amd64-app-p1-latest`,
    ]);
    const store = new RegistryStore({ repository: 'localhost:5000/cache', exec: fakeDocker(existing, seen) });
    const report = await restoreStageCaches({ store, keys: [DEPS, APP], workDir: workDir() });
    expect(report.stages.map((s) => [s.stageName, s.result, s.restoredKey, s.bytes])).toEqual([
      ['deps', 'exact', DEPS.key, 0],
      ['app', 'partial', 'stagecraft-v1-df-linux-amd64-app-p1-latest', 0],
    ]);
    expect(cacheFromSpecs(report)).toEqual([
      `type=registry,ref=localhost:5000/cache:${DEPS.key}`,
      'type=registry,ref=localhost:5000/cache:stagecraft-v1-df-linux-amd64-app-p1-latest',
    ]);
    expect(stageCacheToSpecs(store, APP, '/unused')).toEqual([
      `type=registry,ref=localhost:5000/cache:${APP.key},mode=max`,
      'type=registry,ref=localhost:5000/cache:stagecraft-v1-df-linux-amd64-app-p1-latest,mode=max',
      'type=registry,ref=localhost:5000/cache:stagecraft-v1-df-linux-amd64-app-latest,mode=max',
    ]);
    existing.add(`localhost:5000/cache:${APP.key}`);
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: report.stages,
      exportDirs: new Map(),
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [false, 'exact key hit: nothing to save'],
      [true, 'written to the registry by BuildKit'],
    ]);
    expect(seen[0]).toEqual([
      'docker',
      'buildx',
      'imagetools',
      'inspect',
      '--raw',
      `localhost:5000/cache:${DEPS.key}`,
    ]);
  });
});

describe('restore by need', () => {
  const needs = (appFromDeps: boolean) => ({
    target: APP.stage,
    stages: new Map([
      [DEPS.stage, { dependencies: [] }],
      [
        APP.stage,
        appFromDeps ? { from: DEPS.stage, dependencies: [DEPS.stage] } : { dependencies: [DEPS.stage] },
      ],
    ]),
  });
  const restoreByNeed = (store: MemoryStore, appFromDeps = false): Promise<RestoreReport> =>
    restoreStageCaches({
      store,
      keys: [DEPS, APP],
      needs: needs(appFromDeps),
      workDir: workDir(),
      externalLayers: EXTERNAL,
    });

  test('the target hits: the stage it copies from is never looked up, and nothing is saved for it', async () => {
    const store = await warmStore();
    store.calls.lookup.length = 0;
    const report = await restoreByNeed(store);
    expect(report.stages.map((s) => [s.stageName, s.result, s.warning])).toEqual([
      ['deps', 'unneeded', undefined],
      ['app', 'exact', undefined],
    ]);
    expect(store.calls.lookup).toEqual([APP.key]);
    expect(report.bytes).toBe(report.stages[1]!.bytes);
    expect(cacheFromSpecs(report)).toEqual([report.stages[1]!.cacheFrom]);
    // The records of deps stay (their keys link app's); the layer nobody restored is gone from the manifest.
    expect(manifestLayers(report, APP.key)).not.toContain(`sha256:${DEPS_RUN}`);
    const saved = await saveStageCaches({
      store,
      keys: [DEPS, APP],
      results: report.stages,
      exportDirs: new Map(),
      dependenciesOf: DEPENDENCIES,
      workDir: workDir(),
    });
    expect(saved.stages.map((s) => [s.saved, s.reason])).toEqual([
      [false, 'not needed: a stage built on it hit its exact key'],
      [false, 'exact key hit: nothing to save'],
    ]);
  });

  test('the target misses: what it reads is restored', async () => {
    const store = await warmStore();
    store.entries.delete(APP.key);
    store.calls.lookup.length = 0;
    const report = await restoreByNeed(store);
    expect(report.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'exact'],
      ['app', 'miss'],
    ]);
    expect(store.calls.lookup).toEqual([APP.key, DEPS.key]);
  });

  test("a target built FROM a stage needs that stage's entry too", async () => {
    const store = await warmStore();
    store.calls.lookup.length = 0;
    const report = await restoreByNeed(store, true);
    expect(report.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'exact'],
      ['app', 'exact'],
    ]);
    expect(store.calls.lookup).toEqual([APP.key, DEPS.key]);
  });

  test("when the FROM stage's entry is gone, the target misses with a warning and builds", async () => {
    const store = await warmStore();
    store.entries.delete(DEPS.key);
    const report = await restoreByNeed(store, true);
    expect(report.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'miss'],
      ['app', 'miss'],
    ]);
    expect(report.stages[1]!.warning).toBe(
      'deps, the stage it is built FROM, has no usable cache, so neither has this one',
    );
    expect(cacheFromSpecs(report)).toEqual([]);
  });

  test('a damaged target entry is a miss with a warning, and the stages it reads are restored', async () => {
    const store = await warmStore();
    store.entries.get(APP.key)!.files.delete(`blobs/sha256/${APP_RUN}`);
    const report = await restoreByNeed(store);
    expect(report.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'exact'],
      ['app', 'miss'],
    ]);
    expect(report.stages[1]!.warning).toMatch(/is damaged \(blob sha256:1c9b3b8d\w+: missing\)/);
  });

  test('an older entry of a stage whose FROM stage is built anew is not fetched: it can give no hit', async () => {
    const store = await warmStore();
    // Both keys changed (the deps stage's input moved): each finds only its older entry.
    const deps2 = stageKey(0, 'deps', 'p1', 'f2');
    const app2 = stageKey(1, 'app', 'p1', 'f2');
    const restoreWith = (appFromDeps: boolean): Promise<RestoreReport> =>
      restoreStageCaches({
        store,
        keys: [deps2, app2],
        needs: needs(appFromDeps),
        workDir: workDir(),
        externalLayers: EXTERNAL,
      });
    store.calls.restore.length = 0;
    const built = await restoreWith(true);
    expect(built.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'partial'],
      ['app', 'miss'],
    ]);
    expect(store.calls.restore).toEqual([DEPS.key]);
    // A stage that only copies from it keeps its older entry: its leading steps may still hit.
    store.calls.restore.length = 0;
    const copied = await restoreWith(false);
    expect(copied.stages.map((s) => [s.stageName, s.result])).toEqual([
      ['deps', 'partial'],
      ['app', 'partial'],
    ]);
    expect(store.calls.restore).toEqual([APP.key, DEPS.key]);
  });
});
