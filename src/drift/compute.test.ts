// What scheduled runs rebuild and why, over a sequence of runs on plain values: the Dockerfile is planned and
// keyed for real, resolutions and restore results are given, each run's document feeds the next.
import { describe, expect, test } from '@jest/globals';

import {
  DOCKERFILE,
  digest,
  found,
  NONE,
  planFor,
  resolved,
  scheduledRun,
  unresolved,
  type RunOutcome,
} from '../../__tests__/support/drift-scenario.js';
import { computeDrift } from './compute.js';
import { parseMaxCacheAge } from './max-age.js';
import type { PreviousDrift, RebuiltStage } from './types.js';

const BASE = 'localhost:5000/base:1';
const OTHER = 'localhost:5000/other:1';
const DAY = 86_400_000;
const T0 = new Date('2025-06-01T03:00:00.000Z');
const at = (days: number): Date => new Date(T0.getTime() + days * DAY);

const runtime = planFor(DOCKERFILE, 'runtime');
const final = planFor(DOCKERFILE);

const why = (stages: readonly RebuiltStage[]): [string, string, string][] =>
  stages.map((stage) => [stage.stage, stage.reasons.join(', '), stage.detail]);

/** The store after a run: every key the run saved, added to what was there. */
const after = (run: RunOutcome, before: ReadonlySet<string> = new Set()): Set<string> =>
  new Set([...before, ...run.savedKeys]);

describe('a sequence of scheduled runs (target runtime)', () => {
  const first = scheduledRun({
    planned: runtime,
    previous: NONE,
    resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
    now: T0,
  });
  const movedRun = scheduledRun({
    planned: runtime,
    previous: found(first.document),
    resolutions: [resolved(BASE, digest(3)), resolved(OTHER, digest(2))],
    saved: after(first),
    now: at(1),
  });
  const quiet = scheduledRun({
    planned: runtime,
    previous: found(movedRun.document),
    resolutions: [resolved(BASE, digest(3)), resolved(OTHER, digest(2))],
    saved: after(movedRun, after(first)),
    now: at(2),
  });

  test('the first run: every image new, every stage not cached, no drift', () => {
    expect(first.result.images.map((image) => [image.image, image.status, image.old, image.new])).toEqual([
      [BASE, 'new', undefined, digest(1)],
      [OTHER, 'new', undefined, digest(2)],
    ]);
    expect(first.result.baseDrift).toBe(false);
    expect(first.result.driftedImages).toEqual([]);
    expect(why(first.result.rebuiltStages)).toEqual([
      ['deps', 'not cached', 'no cache entry for it'],
      ['build', 'not cached', 'no cache entry for it'],
      ['tools', 'not cached', 'no cache entry for it'],
      ['runtime', 'not cached', 'no cache entry for it'],
    ]);
    expect(first.result.noCacheFilters).toEqual([]);
    expect(first.result.previous).toEqual({ found: false, reason: NONE.found ? '' : NONE.reason });
  });

  test('the base moved: only the stages on it and what builds on them, with old and new digests', () => {
    const { result } = movedRun;
    expect(result.baseDrift).toBe(true);
    expect(result.driftedImages).toEqual([
      { image: BASE, platform: 'linux/amd64', old: digest(1), new: digest(3) },
    ]);
    expect(result.images.map((image) => [image.image, image.status, image.stages])).toEqual([
      [BASE, 'moved', ['deps']],
      [OTHER, 'unchanged', ['tools']],
    ]);
    expect(result.stagesOnMovedBase).toEqual(['deps', 'build', 'runtime']);
    expect(why(result.rebuiltStages)).toEqual([
      ['deps', 'base moved', `${BASE} moved`],
      ['build', 'base moved', 'built on deps'],
      ['runtime', 'base moved', 'built on deps'],
    ]);
    // Only what reads the moved image; BuildKit re-runs build (FROM deps) with it, runtime copies by content.
    expect(result.noCacheFilters).toEqual(['deps']);
    expect(result.refreshedKeys).toEqual([]);
    expect(result.dropCacheFrom).toEqual([]);
    expect(result.warnings).toEqual([]);
    // The keys moved exactly there.
    const changed = movedRun.keys
      .filter((key, i) => key.key !== first.keys[i]!.key)
      .map((key) => key.stageName);
    expect(changed).toEqual(['deps', 'build', 'runtime']);
  });

  test('nothing changed: nothing rebuilt, no drift', () => {
    expect(quiet.result.baseDrift).toBe(false);
    expect(quiet.result.images.map((image) => image.status)).toEqual(['unchanged', 'unchanged']);
    expect(quiet.result.rebuiltStages).toEqual([]);
    expect(quiet.result.noCacheFilters).toEqual([]);
    expect(quiet.keys.map((key) => key.key)).toEqual(movedRun.keys.map((key) => key.key));
  });

  test('the documents carry digests, keys and build times forward', () => {
    expect(movedRun.document.images).toEqual([
      { image: BASE, platform: 'linux/amd64', digest: digest(3), indexDigest: digest('f') },
      { image: OTHER, platform: 'linux/amd64', digest: digest(2), indexDigest: digest('f') },
    ]);
    const builtAt = Object.fromEntries(quiet.document.stages.map((stage) => [stage.name, stage.builtAt]));
    expect(builtAt).toEqual({
      deps: at(1).toISOString(),
      build: at(1).toISOString(),
      tools: T0.toISOString(),
      runtime: at(1).toISOString(),
    });
  });

  test('an unresolved image keeps its last digest, its stages their keys, and says so', () => {
    const offline = scheduledRun({
      planned: runtime,
      previous: found(quiet.document),
      resolutions: [resolved(BASE, digest(3)), unresolved(OTHER, 'dial tcp: connection refused')],
      saved: after(quiet, after(movedRun, after(first))),
      now: at(3),
    });
    expect(offline.result.images[1]).toEqual({
      image: OTHER,
      platform: 'linux/amd64',
      status: 'unresolved',
      old: digest(2),
      reason: 'dial tcp: connection refused',
      stages: ['tools'],
    });
    expect(offline.result.baseDrift).toBe(false);
    expect(offline.result.rebuiltStages).toEqual([]);
    expect(offline.keys.map((key) => key.key)).toEqual(quiet.keys.map((key) => key.key));
    expect(offline.document.images[1]).toEqual(quiet.document.images[1]);
  });
});

describe('max-cache-age', () => {
  const first = scheduledRun({
    planned: runtime,
    previous: NONE,
    resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
    now: T0,
  });
  const store = after(first);

  test('a stage whose cache is older is rebuilt with what builds on it, under refreshed keys', () => {
    const old = scheduledRun({
      planned: runtime,
      previous: found(first.document),
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      saved: store,
      entryCreatedAt: {
        deps: at(5).toISOString(),
        build: at(5).toISOString(),
        tools: T0.toISOString(),
        runtime: at(5).toISOString(),
      },
      maxCacheAgeMs: parseMaxCacheAge('7d'),
      now: at(9),
    });
    expect(old.result.staleStages).toEqual(['tools']);
    expect(why(old.result.rebuiltStages)).toEqual([
      ['tools', 'cache too old', 'its cache is 9d old (max-cache-age 7d)'],
      ['runtime', 'cache too old', 'built on tools'],
    ]);
    expect(old.result.noCacheFilters).toEqual(['tools']);
    expect(old.result.refreshedKeys.map((entry) => entry.stage)).toEqual([2, 3]);
    const tools = old.keys.find((key) => key.stageName === 'tools')!;
    const refreshed = old.result.refreshedKeys[0]!;
    expect(refreshed.key).not.toBe(tools.key);
    expect(refreshed.key.startsWith(tools.restoreKeys[0]!)).toBe(true);
    expect(refreshed.restoreKeys).toEqual([tools.key, ...tools.restoreKeys]);
    expect(old.result.saveKeys.map((key) => key.key)).toEqual([
      old.keys[0]!.key,
      old.keys[1]!.key,
      refreshed.key,
      old.result.refreshedKeys[1]!.key,
    ]);
    expect(old.document.stages.find((stage) => stage.name === 'tools')).toEqual({
      name: 'tools',
      key: tools.key,
      baseKey: expect.any(String),
      builtAt: at(9).toISOString(),
      refreshedKey: refreshed.key,
    });

    // The next run restores the refreshed entries: fresh, nothing rebuilt.
    const next = scheduledRun({
      planned: runtime,
      previous: found(old.document),
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      saved: after(old, store),
      entryCreatedAt: {
        deps: at(5).toISOString(),
        build: at(5).toISOString(),
        tools: at(9).toISOString(),
        runtime: at(9).toISOString(),
      },
      maxCacheAgeMs: parseMaxCacheAge('7d'),
      now: at(10),
    });
    expect(next.restoredKeys.find((key) => key.stageName === 'tools')!.key).toBe(refreshed.key);
    expect(next.result.rebuiltStages).toEqual([]);
    expect(next.document.stages.find((stage) => stage.name === 'tools')!.refreshedKey).toBe(refreshed.key);
  });

  test('without entry times, the previous run’s record of when it built the stage counts', () => {
    const later = scheduledRun({
      planned: runtime,
      previous: found(first.document),
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      saved: store,
      maxCacheAgeMs: parseMaxCacheAge('2w'),
      now: at(15),
    });
    expect(later.result.staleStages).toEqual(['deps', 'build', 'tools', 'runtime']);
    expect(later.result.rebuiltStages[0]!.detail).toBe('its cache is 15d old (max-cache-age 14d)');
    expect(later.result.warnings).toEqual([]);
  });

  test('no age known at all: a warning, nothing stale', () => {
    const unknown = scheduledRun({
      planned: runtime,
      previous: NONE,
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      saved: store,
      maxCacheAgeMs: parseMaxCacheAge('12h'),
      now: at(30),
    });
    expect(unknown.result.staleStages).toEqual([]);
    expect(unknown.result.rebuiltStages).toEqual([]);
    expect(unknown.result.warnings).toEqual([
      'max-cache-age cannot apply to deps, build, tools, runtime: the store does not say when their caches were made, and no earlier scheduled run recorded it',
    ]);
  });

  test('an unnamed stage cannot be filtered: its records are dropped instead, with a warning', () => {
    const firstFinal = scheduledRun({
      planned: final,
      previous: NONE,
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      now: T0,
    });
    const old = scheduledRun({
      planned: final,
      previous: found(firstFinal.document),
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      saved: after(firstFinal),
      entryCreatedAt: {
        deps: at(8).toISOString(),
        build: at(8).toISOString(),
        tools: at(8).toISOString(),
        runtime: at(8).toISOString(),
        'stage-4': T0.toISOString(),
      },
      maxCacheAgeMs: parseMaxCacheAge('7d'),
      now: at(9),
    });
    expect(old.result.staleStages).toEqual(['stage-4']);
    expect(why(old.result.rebuiltStages)).toEqual([
      ['stage-4', 'cache too old', 'its cache is 9d old (max-cache-age 7d)'],
    ]);
    expect(old.result.noCacheFilters).toEqual([]);
    expect(old.result.dropCacheFrom).toEqual([4]);
    expect(old.result.warnings).toEqual([
      expect.stringMatching(
        /^stage-4 must be rebuilt .* BuildKit applies no-cache-filter to named stages only: its cached records are left out/,
      ),
    ]);
  });

  test('an unnamed stage on a moved base needs no filter: its key and BuildKit’s both changed', () => {
    const firstFinal = scheduledRun({
      planned: final,
      previous: NONE,
      resolutions: [resolved(BASE, digest(1)), resolved(OTHER, digest(2))],
      now: T0,
    });
    const moved = scheduledRun({
      planned: final,
      previous: found(firstFinal.document),
      resolutions: [resolved(BASE, digest(4)), resolved(OTHER, digest(2))],
      saved: after(firstFinal),
      now: at(1),
    });
    expect(moved.result.images.map((image) => [image.status, image.stages])).toEqual([
      ['moved', ['deps', 'stage-4']],
      ['unchanged', ['tools']],
    ]);
    expect(why(moved.result.rebuiltStages)).toEqual([
      ['deps', 'base moved', `${BASE} moved`],
      ['build', 'base moved', 'built on deps'],
      ['runtime', 'base moved', 'built on deps'],
      ['stage-4', 'base moved', `${BASE} moved`],
    ]);
    expect(moved.result.noCacheFilters).toEqual(['deps']);
    expect(moved.result.dropCacheFrom).toEqual([]);
    expect(moved.result.warnings).toEqual([]);
  });
});

describe('why a stage rebuilds', () => {
  const resolutions = [resolved(BASE, digest(1)), resolved(OTHER, digest(2))];
  const first = scheduledRun({ planned: runtime, previous: NONE, resolutions, now: T0 });

  test('a changed instruction is "key changed", told apart from a moved base by the keys without digests', () => {
    const edited = planFor(DOCKERFILE.replace('echo build', 'echo build2'), 'runtime');
    const both = scheduledRun({
      planned: edited,
      previous: found(first.document),
      resolutions: [resolved(BASE, digest(5)), resolved(OTHER, digest(2))],
      saved: after(first),
      now: at(1),
    });
    expect(why(both.result.rebuiltStages)).toEqual([
      ['deps', 'base moved', `${BASE} moved`],
      ['build', 'base moved, key changed', 'built on deps'],
      ['runtime', 'base moved, key changed', 'built on deps'],
    ]);
    const onlyEdit = scheduledRun({
      planned: edited,
      previous: found(first.document),
      resolutions,
      saved: after(first),
      now: at(1),
    });
    expect(why(onlyEdit.result.rebuiltStages)).toEqual([
      [
        'build',
        'key changed',
        'its instructions, build arguments or context files changed since the last scheduled run',
      ],
      [
        'runtime',
        'key changed',
        'its instructions, build arguments or context files changed since the last scheduled run',
      ],
    ]);
    expect(onlyEdit.result.noCacheFilters).toEqual([]);
  });

  test('a stage the last run did not build is "key changed"; an evicted entry "not cached"', () => {
    const partial = scheduledRun({
      planned: runtime,
      previous: found({ ...first.document, stages: first.document.stages.filter((s) => s.name !== 'tools') }),
      resolutions,
      saved: after(first),
      restore: { tools: 'miss', deps: 'partial' },
      now: at(1),
    });
    expect(why(partial.result.rebuiltStages)).toEqual([
      [
        'deps',
        'not cached',
        expect.stringMatching(/^no cache entry for its key \(built from stagecraft-v1-/),
      ],
      ['tools', 'key changed', 'not built by the last scheduled run'],
    ]);
  });

  test('caching off: every stage, and nothing about ages', () => {
    const off = scheduledRun({
      planned: runtime,
      previous: NONE,
      resolutions,
      cacheOff: true,
      maxCacheAgeMs: DAY,
      now: T0,
    });
    expect(
      why(off.result.rebuiltStages).map(([stage, reason, detail]) => `${stage}: ${reason}: ${detail}`),
    ).toEqual([
      'deps: not cached: caching is off',
      'build: not cached: caching is off',
      'tools: not cached: caching is off',
      'runtime: not cached: caching is off',
    ]);
    expect(off.result.warnings).toEqual([]);
  });

  test('a damaged entry says why', () => {
    const previous: PreviousDrift = found(first.document);
    const result = computeDrift({
      plan: runtime.plan,
      targetPlatform: runtime.request.targetPlatform,
      previous,
      resolutions,
      keys: first.keys,
      restore: first.keys.map((key) => ({
        stage: key.stage,
        result: key.stageName === 'build' ? 'miss' : 'exact',
        ...(key.stageName === 'build' ? { warning: 'cache entry x is damaged (index.json)' } : {}),
      })),
      now: at(1),
    });
    expect(why(result.rebuiltStages)).toEqual([
      ['build', 'not cached', 'no usable cache entry (cache entry x is damaged (index.json))'],
    ]);
  });
});

describe('platforms', () => {
  const dockerfile = `FROM --platform=$BUILDPLATFORM localhost:5000/base:1 AS tools
RUN echo tools
FROM localhost:5000/base:1 AS runtime
COPY --from=tools /x /x
COPY --from=localhost:5000/other:1 /y /y
`;
  const arm = planFor(dockerfile, 'runtime', 'linux/arm64');

  test('a FROM --platform image is resolved for that platform, COPY --from images for the target', () => {
    const run = scheduledRun({
      planned: arm,
      previous: NONE,
      resolutions: [
        resolved(BASE, digest(1), 'linux/amd64'),
        resolved(BASE, digest(2), 'linux/arm64'),
        resolved(OTHER, digest(3), 'linux/arm64'),
      ],
      now: T0,
    });
    expect(run.result.images.map((image) => [image.image, image.platform, image.stages])).toEqual([
      [BASE, 'linux/amd64', ['tools']],
      [BASE, 'linux/arm64', ['runtime']],
      [OTHER, 'linux/arm64', ['runtime']],
    ]);
    const moved = scheduledRun({
      planned: arm,
      previous: found(run.document),
      resolutions: [
        resolved(BASE, digest(1), 'linux/amd64'),
        resolved(BASE, digest(4), 'linux/arm64'),
        resolved(OTHER, digest(3), 'linux/arm64'),
      ],
      saved: after(run),
      now: at(1),
    });
    expect(moved.result.driftedImages).toEqual([
      { image: BASE, platform: 'linux/arm64', old: digest(2), new: digest(4) },
    ]);
    expect(moved.result.stagesOnMovedBase).toEqual(['runtime']);
    // keys/ takes one digest per image, so the amd64 reader's key moved too: said as it is.
    expect(why(moved.result.rebuiltStages)).toEqual([
      [
        'tools',
        'key changed',
        'the image digests in its key changed (an image it reads moved at another platform, or was not resolved before)',
      ],
      ['runtime', 'base moved', `${BASE} moved`],
    ]);
  });
});
