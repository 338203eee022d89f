// Drift documents through the memory store: keys, saving per run, finding the newest, and every way of having
// none (nothing stored, faults, damage, another target, a store that holds no files).
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { MemoryStore } from '../cache/memory-store.js';
import type { StageCacheStore } from '../cache/store.js';
import type { StageKey } from '../keys/index.js';
import { encodeDriftDocument } from './document.js';
import {
  DRIFT_DOCUMENT_FILE,
  driftDocumentKey,
  driftKeyField,
  driftRestorePrefix,
  findDriftDocument,
  lookUpStages,
  saveDriftDocument,
  type DriftScope,
} from './store.js';
import type { DriftDocument } from './types.js';

const SCOPE: DriftScope = { dockerfile: '1a2b3c4d', target: 'runtime', platform: 'linux/amd64' };

const documentAt = (createdAt: string, run: string): DriftDocument => ({
  kind: 'stagecraft-drift',
  version: 1,
  createdAt,
  target: 'runtime',
  platform: 'linux/amd64',
  run,
  images: [{ image: 'localhost:5000/base:1', platform: 'linux/amd64', digest: `sha256:${'1'.repeat(64)}` }],
  stages: [],
});

describe('keys', () => {
  // prettier-ignore
  test.each([
    [SCOPE,                                                                  '101',       'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-101'],
    [{ ...SCOPE, platform: 'linux/arm/v7' },                                 '101_2',     'stagecraft-drift-v1-1a2b3c4d-runtime-linux_arm_v7-101_2'],
    [{ ...SCOPE, target: 'app-debug' },                                      '101',       'stagecraft-drift-v1-1a2b3c4d-app_debug_cbfebd2f-linux_amd64-101'],
    [SCOPE,                                                                  'run 7/2',   'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-run_7_2_50c60be6'],
  ])('%j, run %j', (scope, run, key) => {
    expect(driftDocumentKey(scope, run)).toBe(key);
    expect(key.startsWith(driftRestorePrefix(scope))).toBe(true);
  });

  test('a target that differs only by - and _ gets its own field; no prefix of one target is another’s', () => {
    expect(driftKeyField('app-debug', 40)).not.toBe(driftKeyField('app_debug', 40));
    expect(
      driftRestorePrefix({ ...SCOPE, target: 'app-debug' }).startsWith(
        driftRestorePrefix({ ...SCOPE, target: 'app' }),
      ),
    ).toBe(false);
  });
});

describe('saveDriftDocument and findDriftDocument', () => {
  test('the newest of the scope is the previous run; another target’s is never read', async () => {
    const store = new MemoryStore();
    expect(await findDriftDocument(store, SCOPE)).toEqual({
      found: false,
      reason: 'no earlier scheduled run of runtime (linux/amd64) in the memory cache',
    });
    const first = await saveDriftDocument(store, SCOPE, documentAt('2025-06-01T03:00:00.000Z', '1'), '1');
    expect(first).toMatchObject({ key: 'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1', saved: true });
    expect(first.bytes).toBeGreaterThan(0);
    const second = documentAt('2025-06-08T03:00:00.000Z', '2');
    await saveDriftDocument(store, SCOPE, second, '2');
    await saveDriftDocument(
      store,
      { ...SCOPE, target: 'runtime_x' },
      { ...documentAt('2025-06-09T03:00:00.000Z', '3'), target: 'runtime_x' },
      '3',
    );
    expect(await findDriftDocument(store, SCOPE)).toEqual({
      found: true,
      document: second,
      key: 'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-2',
    });
    expect(store.calls.lookup).toEqual([
      'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-',
      'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-',
    ]);
  });

  test('the same run twice keeps the first', async () => {
    const store = new MemoryStore();
    await saveDriftDocument(store, SCOPE, documentAt('2025-06-01T03:00:00.000Z', '1'), '1');
    expect(await saveDriftDocument(store, SCOPE, documentAt('2025-06-01T04:00:00.000Z', '1'), '1')).toEqual({
      key: 'stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1',
      saved: false,
      bytes: 0,
      reason: 'a drift document for this run is already stored',
    });
  });

  test('a document for another scope is not stored under this one', async () => {
    const store = new MemoryStore();
    const result = await saveDriftDocument(
      store,
      SCOPE,
      { ...documentAt('2025-06-01T03:00:00.000Z', '1'), platform: 'linux/arm64' },
      '1',
    );
    expect(result).toMatchObject({
      saved: false,
      reason: 'the document is for runtime (linux/arm64), not runtime (linux/amd64)',
    });
    expect(store.calls.save).toEqual([]);
  });

  const damaged = async (content: string | undefined): Promise<string> => {
    const store = new MemoryStore();
    await saveDriftDocument(store, SCOPE, documentAt('2025-06-01T03:00:00.000Z', '1'), '1');
    const entry = store.entries.get('stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1')!;
    entry.files.clear();
    if (content !== undefined) entry.files.set(DRIFT_DOCUMENT_FILE, Buffer.from(content));
    else entry.files.set('other.json', Buffer.from('{}'));
    const found = await findDriftDocument(store, SCOPE);
    return found.found ? 'found' : found.reason;
  };

  // prettier-ignore
  test.each([
    ['no drift.json',      undefined,                                           'the stored drift document stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1 could not be restored (no drift.json in it)'],
    ['not JSON',           '{',                                                 /^the stored drift document \S+ cannot be used: not JSON \(/],
    ['another version',    encodeDriftDocument(documentAt('2025-06-01T03:00:00.000Z', '1')).replace('"version": 1', '"version": 9'), 'the stored drift document stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1 cannot be used: version is 9, not 1 (written by another stagecraft version)'],
    ['another target',     encodeDriftDocument({ ...documentAt('2025-06-01T03:00:00.000Z', '1'), target: 'app' }), 'the stored drift document stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1 is for app (linux/amd64), not runtime (linux/amd64)'],
  ])('%s: no previous run, with the reason', async (_name, content, reason) => {
    const got = await damaged(content);
    if (typeof reason === 'string') expect(got).toBe(reason);
    else expect(got).toMatch(reason);
  });

  test('store faults are warnings and "no previous run"', async () => {
    const store = new MemoryStore();
    await saveDriftDocument(store, SCOPE, documentAt('2025-06-01T03:00:00.000Z', '1'), '1');
    const warnings: string[] = [];
    store.faults = new Set(['restore']);
    expect(await findDriftDocument(store, SCOPE, { onWarning: (w) => warnings.push(w) })).toEqual({
      found: false,
      reason:
        'the stored drift document stagecraft-drift-v1-1a2b3c4d-runtime-linux_amd64-1 could not be restored (the store gave nothing)',
    });
    store.faults = new Set(['lookup']);
    expect(await findDriftDocument(store, SCOPE, { onWarning: (w) => warnings.push(w) })).toMatchObject({
      found: false,
    });
    store.faults = new Set(['save']);
    expect(
      await saveDriftDocument(store, SCOPE, documentAt('2025-06-02T03:00:00.000Z', '2'), '2'),
    ).toMatchObject({
      saved: false,
      reason: 'the store did not take it (a fault, or another job stored it first)',
    });
    expect(warnings).toHaveLength(2);
  });

  test('a throwing store is still "no previous run"', async () => {
    const store = new MemoryStore();
    store.lookup = async () => {
      throw new Error('socket hang up');
    };
    expect(await findDriftDocument(store, SCOPE)).toEqual({
      found: false,
      reason: 'the lookup of earlier scheduled runs failed: socket hang up',
    });
  });

  test('a store that holds only BuildKit’s caches is refused, with the reason', async () => {
    const memory = new MemoryStore();
    const registry: StageCacheStore = {
      ...memory,
      kind: 'registry',
      lookup: memory.lookup.bind(memory),
      restore: memory.restore.bind(memory),
      exists: memory.exists.bind(memory),
      save: memory.save.bind(memory),
      buildkit: { cacheFrom: (key) => key, cacheTo: (key) => [key] },
    };
    const reason =
      "the registry cache store holds only BuildKit's own caches, not files: drift history needs the gha or local store";
    expect(await findDriftDocument(registry, SCOPE)).toEqual({ found: false, reason });
    expect(
      await saveDriftDocument(registry, SCOPE, documentAt('2025-06-01T03:00:00.000Z', '1'), '1'),
    ).toMatchObject({
      saved: false,
      reason,
    });
    expect(memory.calls).toEqual({ lookup: [], restore: [], exists: [], save: [] });
  });
});

describe('lookUpStages', () => {
  const key = (stage: number, name: string, full: string): StageKey => ({
    stage,
    stageName: name,
    key: `stagecraft-v1-x-linux_amd64-${name}-p-${full}`,
    restoreKeys: [`stagecraft-v1-x-linux_amd64-${name}-p-`, `stagecraft-v1-x-linux_amd64-${name}-`],
    runPrefix: 'p',
    fullHash: full,
  });

  test('exact, partial and miss without restoring anything; faults are misses with the warning', async () => {
    const store = new MemoryStore();
    const dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-drift-lookup-'));
    writeFileSync(path.join(dir, 'f'), 'x');
    await store.save(key(0, 'deps', 'a').key, dir);
    await store.save(key(1, 'build', 'old').key, dir);
    const keys = [key(0, 'deps', 'a'), key(1, 'build', 'b'), key(2, 'tools', 'c')];
    expect(await lookUpStages(store, keys)).toEqual([
      { stage: 0, result: 'exact', restoredKey: keys[0]!.key },
      { stage: 1, result: 'partial', restoredKey: key(1, 'build', 'old').key },
      { stage: 2, result: 'miss' },
    ]);
    expect(store.calls.restore).toEqual([]);
    store.faults = new Set(['lookup']);
    expect(await lookUpStages(store, [keys[0]!])).toEqual([
      {
        stage: 0,
        result: 'miss',
        warning: `memory store: lookup of ${keys[0]!.key} failed (simulated fault)`,
      },
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
