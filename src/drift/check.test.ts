import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DOCKERFILE, planFor } from '../../__tests__/support/drift-scenario.js';
import type { Exec } from '../adapters/exec.js';
import { sha256Digest } from '../buildx/resolve.js';
import { MemoryStore } from '../cache/memory-store.js';
import type { StageKeyOptions } from '../keys/index.js';
import { checkDrift } from './check.js';
import { computeDrift } from './compute.js';
import { buildDriftDocument } from './record.js';
import { saveDriftDocument, type DriftScope } from './store.js';

const MANIFEST = readFileSync(
  path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '../buildx/testdata/imagetools-raw-manifest-docker-v2-no-provenance-buildx-0.13.1.json',
  ),
  'utf8',
);

/** `imagetools inspect --raw`: each image's manifest, made distinct by trailing spaces; others not found. */
function fakeExec(manifests: Readonly<Record<string, string>>): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  const exec: Exec = async (argv) => {
    calls.push([...argv]);
    const text = manifests[argv[argv.length - 1]!];
    return text === undefined
      ? { exitCode: 1, stdout: '', stderr: 'ERROR: localhost:5000/other:1: not found' }
      : { exitCode: 0, stdout: text, stderr: '' };
  };
  return { exec, calls };
}

const planned = planFor(DOCKERFILE);
const keyOptions: StageKeyOptions = {
  plan: planned.plan,
  dockerfile: planned.staged,
  request: planned.request,
  dockerfilePath: 'Dockerfile',
  contextDigests: new Map(),
};
const scope: DriftScope = { dockerfile: 'Dockerfile', target: 'stage-4', platform: 'linux/amd64' };
const BASE = 'localhost:5000/base:1';
const OTHER = 'localhost:5000/other:1';
const v1 = { [BASE]: MANIFEST, [OTHER]: `${MANIFEST} ` };
const v2 = { [BASE]: `${MANIFEST}  `, [OTHER]: `${MANIFEST} ` };

async function firstRun(store: MemoryStore): Promise<void> {
  const check = await checkDrift({ exec: fakeExec(v1).exec, store, scope, keyOptions });
  const now = new Date('2025-06-01T03:00:00.000Z');
  const result = computeDrift({
    ...check,
    plan: planned.plan,
    targetPlatform: planned.request.targetPlatform,
    now,
  });
  const document = buildDriftDocument({ ...check, result, target: 'stage-4', platform: 'linux/amd64', now });
  expect(await saveDriftDocument(store, scope, document, '1_1')).toMatchObject({ saved: true });
}

describe('checkDrift', () => {
  test('the first run: no previous document, the digests in the keys, every fallback kept', async () => {
    const store = new MemoryStore();
    const { exec, calls } = fakeExec(v1);
    const check = await checkDrift({ exec, store, scope, keyOptions });
    expect(check.previous).toMatchObject({ found: false });
    expect(calls.map((argv) => argv[argv.length - 1])).toEqual([BASE, OTHER]);
    expect(check.resolutions.map((r) => [r.image, r.status === 'resolved' && r.digest])).toEqual([
      [BASE, sha256Digest(MANIFEST)],
      [OTHER, sha256Digest(`${MANIFEST} `)],
    ]);
    expect(check.keys.map((key) => key.key)).not.toEqual(check.baseKeys.map((key) => key.key));
    expect(check.restoreKeys).toEqual(check.keys);
    expect(check.unresolved).toEqual([]);
  });

  test('a moved base: its stages and their dependents restore their exact keys only', async () => {
    const store = new MemoryStore();
    await firstRun(store);
    const check = await checkDrift({ exec: fakeExec(v2).exec, store, scope, keyOptions });
    expect(check.previous).toMatchObject({ found: true });
    const withFallbacks = check.restoreKeys
      .filter((key) => key.restoreKeys.length > 0)
      .map((key) => key.stageName);
    // deps and stage-4 read the base; build and runtime are built on deps; tools reads the other image.
    expect(withFallbacks).toEqual(['tools']);
    expect(check.restoreKeys.map((key) => key.key)).toEqual(check.keys.map((key) => key.key));
  });

  test('an image that cannot be resolved keeps the previous digest and is reported as treated as unchanged', async () => {
    const store = new MemoryStore();
    await firstRun(store);
    const before = await checkDrift({ exec: fakeExec(v1).exec, store, scope, keyOptions });
    const check = await checkDrift({ exec: fakeExec({ [BASE]: MANIFEST }).exec, store, scope, keyOptions });
    expect(check.unresolved).toEqual([
      expect.stringMatching(
        /^localhost:5000\/other:1 \(linux\/amd64\) could not be resolved, treated as unchanged: /,
      ),
    ]);
    expect(check.keys.map((key) => key.key)).toEqual(before.keys.map((key) => key.key));
  });

  test('without a store (cache off): no history, and the images are still resolved', async () => {
    const check = await checkDrift({ exec: fakeExec(v1).exec, store: undefined, scope, keyOptions });
    expect(check.previous).toEqual({
      found: false,
      reason: 'with cache off there is no store for the history of scheduled runs',
    });
    expect(check.resolutions.every((r) => r.status === 'resolved')).toBe(true);
  });
});
