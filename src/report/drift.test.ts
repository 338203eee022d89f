// The scheduled-rebuild report: Markdown and text goldens (UPDATE_GOLDEN=1 rewrites them), the outputs, escaping.
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { expectGolden } from '../../__tests__/support/golden.js';
import type { DriftResult, DriftSize } from '../drift/index.js';
import {
  EMPTY_DRIFT_OUTPUTS,
  renderDriftMarkdown,
  renderDriftOutputs,
  renderDriftText,
  shortDigest,
} from './drift.js';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const d = (n: number): string => `sha256:${String(n).repeat(64)}`;
const BASE = 'localhost:5000/base:1';
const OTHER = 'localhost:5000/other:1';

const QUIET: DriftResult = {
  images: [
    { image: BASE, platform: 'linux/amd64', status: 'unchanged', old: d(1), new: d(1), stages: ['deps'] },
    { image: OTHER, platform: 'linux/amd64', status: 'unchanged', old: d(2), new: d(2), stages: ['tools'] },
  ],
  driftedImages: [],
  baseDrift: false,
  stagesOnMovedBase: [],
  staleStages: [],
  rebuiltStages: [],
  noCacheFilters: [],
  dropCacheFrom: [],
  refreshedKeys: [],
  saveKeys: [],
  warnings: [],
  previous: {
    found: true,
    createdAt: '2025-06-01T03:00:00.000Z',
    run: '101',
    key: 'stagecraft-drift-v1-x-runtime-linux_amd64-101',
    size: { compressedBytes: 2_000_000, uncompressedBytes: 6_000_000 },
  },
};

const MOVED: DriftResult = {
  ...QUIET,
  images: [
    { image: BASE, platform: 'linux/amd64', status: 'moved', old: d(1), new: d(3), stages: ['deps'] },
    { image: OTHER, platform: 'linux/amd64', status: 'unchanged', old: d(2), new: d(2), stages: ['tools'] },
    {
      image: 'stagecraft-test/busybox:1',
      platform: 'linux/amd64',
      status: 'unresolved',
      reason:
        'failed to do request: Head "https://registry-1.docker.io/v2/stagecraft-test/busybox/manifests/1": dial tcp: lookup registry-1.docker.io: no such host',
      stages: ['runtime'],
    },
    {
      image: `node:20@${d(4)}`,
      platform: 'linux/amd64',
      status: 'new',
      new: d(4),
      pinned: true,
      stages: ['web'],
    },
  ],
  driftedImages: [{ image: BASE, platform: 'linux/amd64', old: d(1), new: d(3) }],
  baseDrift: true,
  stagesOnMovedBase: ['deps', 'build'],
  staleStages: ['tools'],
  rebuiltStages: [
    { index: 0, stage: 'deps', reason: 'base moved', reasons: ['base moved'], detail: `${BASE} moved` },
    {
      index: 1,
      stage: 'build',
      reason: 'base moved',
      reasons: ['base moved', 'key changed'],
      detail: 'built on deps',
    },
    {
      index: 2,
      stage: 'tools',
      reason: 'cache too old',
      reasons: ['cache too old'],
      detail: 'its cache is 9d old (max-cache-age 7d)',
    },
    {
      index: 4,
      stage: 'stage-4',
      reason: 'not cached',
      reasons: ['not cached'],
      detail: 'no cache entry for it',
    },
  ],
  noCacheFilters: ['deps', 'build', 'tools'],
  warnings: [
    'stage-4 must be rebuilt (its cache, or that of a stage it builds on, is too old) but has no name, and BuildKit applies no-cache-filter to named stages only: its cached records are left out of the build instead, which rebuilds it on a fresh builder; name it (FROM … AS name) to have it rebuilt on any builder',
  ],
  maxCacheAgeMs: 7 * 86_400_000,
};

const FIRST: DriftResult = {
  ...QUIET,
  images: [{ image: BASE, platform: 'linux/amd64', status: 'new', new: d(1), stages: ['deps'] }],
  rebuiltStages: [
    {
      index: 0,
      stage: 'deps',
      reason: 'not cached',
      reasons: ['not cached'],
      detail: 'no cache entry for it',
    },
  ],
  previous: { found: false, reason: 'no earlier scheduled run of runtime (linux/amd64) in the gha cache' },
};

const PLATFORMS: DriftResult = {
  ...QUIET,
  images: [
    { image: BASE, platform: 'linux/amd64', status: 'unchanged', old: d(1), new: d(1), stages: ['tools'] },
    { image: BASE, platform: 'linux/arm64', status: 'moved', old: d(2), new: d(5), stages: ['runtime'] },
  ],
  driftedImages: [{ image: BASE, platform: 'linux/arm64', old: d(2), new: d(5) }],
  baseDrift: true,
  rebuiltStages: [
    { index: 1, stage: 'runtime', reason: 'base moved', reasons: ['base moved'], detail: `${BASE} moved` },
  ],
  noCacheFilters: ['runtime'],
  previous: { found: true, createdAt: '2025-06-01T03:00:00.000Z', key: 'k' },
};

const HOSTILE: DriftResult = {
  ...QUIET,
  images: [
    {
      image: 'evil|<img src=x onerror=alert(1)>:1',
      platform: 'linux/amd64',
      status: 'unresolved',
      reason: '</details> | `$x` **bold** [link](javascript:alert(1))\nsecond line',
      stages: ['a'],
    },
  ],
  rebuiltStages: [
    { index: 0, stage: 'a_b|c', reason: 'key changed', reasons: ['key changed'], detail: '<script>@team #1' },
  ],
  noCacheFilters: ['a_b|c'],
  warnings: ['> quote\n# heading'],
};

// prettier-ignore
const CASES: [string, DriftResult, { size?: DriftSize; stageCount?: number }][] = [
  ['drift-first-run',       FIRST,     { size: { compressedBytes: 1_500_000 }, stageCount: 1 }],
  ['drift-base-moved',      MOVED,     { size: { compressedBytes: 2_100_000, uncompressedBytes: 6_200_000 }, stageCount: 5 }],
  ['drift-nothing-changed', QUIET,     { size: { compressedBytes: 2_000_000 }, stageCount: 4 }],
  ['drift-two-platforms',   PLATFORMS, {}],
  ['drift-hostile-names',   HOSTILE,   {}],
];

describe('renderDriftMarkdown and renderDriftText (goldens)', () => {
  test.each(CASES)('%s', (name, result, options) => {
    // Files, not folders: every folder in testdata/ is a size-comment case (comment-markdown.test.ts).
    expectGolden(path.join(TESTDATA, `${name}.md`), renderDriftMarkdown(result, options));
    expectGolden(path.join(TESTDATA, `${name}.txt`), renderDriftText(result, options));
  });

  test('every case ran', () => {
    expect(CASES).toHaveLength(5);
  });

  test('nothing from the registry or the Dockerfile escapes into Markdown', () => {
    const markdown = renderDriftMarkdown(HOSTILE);
    expect(markdown).not.toMatch(/<img|<script|<\/details>|\]\(javascript/);
    expect(
      markdown
        .split('\n')
        .filter((line) => line.startsWith('| '))
        .every((line) => line.split(' | ').length <= 5),
    ).toBe(true);
    expect(markdown).not.toContain('\n# heading');
  });
});

describe('renderDriftOutputs', () => {
  test('base moved', () => {
    expect(renderDriftOutputs(MOVED)).toEqual({
      'base-drift': 'true',
      'drifted-images': JSON.stringify([{ image: BASE, platform: 'linux/amd64', old: d(1), new: d(3) }]),
      'rebuilt-stages': JSON.stringify([
        { stage: 'deps', reason: 'base moved', reasons: ['base moved'], detail: `${BASE} moved` },
        {
          stage: 'build',
          reason: 'base moved',
          reasons: ['base moved', 'key changed'],
          detail: 'built on deps',
        },
        {
          stage: 'tools',
          reason: 'cache too old',
          reasons: ['cache too old'],
          detail: 'its cache is 9d old (max-cache-age 7d)',
        },
        { stage: 'stage-4', reason: 'not cached', reasons: ['not cached'], detail: 'no cache entry for it' },
      ]),
    });
  });

  test('nothing changed is the same as not scheduled', () => {
    expect(renderDriftOutputs(QUIET)).toEqual(EMPTY_DRIFT_OUTPUTS);
  });
});

test('shortDigest', () => {
  expect(shortDigest(d(1))).toBe('sha256:111111111111');
  expect(shortDigest('sha512:abc')).toBe('sha512:abc');
});
