// Baselines through the memory store: keys, saving on the default branch, finding a pull request's base
// commit's report or the base branch's newest, and every way of having none.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Exec } from '../adapters/exec.js';
import { MemoryStore } from '../cache/memory-store.js';
import type { StageCacheStore } from '../cache/store.js';
import {
  baselineFromImage,
  findBaseline,
  resolveBaselinePlan,
  saveBaseline,
  SIZE_REPORT_FILE,
  sizeBranchPrefix,
  sizeReportKey,
  sizeRestoreKeys,
  type BaselineEvent,
  type BaselineScope,
} from './baseline.js';
import { parseImageConfig, parseImageDocument, type MeasuredImage } from './image.js';
import { buildSizeReport } from './layers.js';
import { encodeSizeReport } from './schema.js';
import type { SizeReport } from './types.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const fixture = (name: string) => readFileSync(path.join(testdata, name), 'utf8');

const DOCKERFILE = '3f2a9c1e';
const SCOPE: BaselineScope = { dockerfile: DOCKERFILE, target: 'final', platform: 'linux/amd64' };
const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const C3 = '3'.repeat(40);

function report(commit: string, extraBytes = 0): SizeReport {
  const document = parseImageDocument(fixture('manifest-two-stages-buildkit-0.13.json'), 'manifest');
  if (document.kind !== 'manifest') throw new Error('not a manifest');
  const image: MeasuredImage = {
    source: 'image-store',
    ref: 'app:1',
    platform: 'linux/amd64',
    manifestDigest: 'sha256:' + 'a'.repeat(64),
    configDigest: document.manifest.config.digest,
    config: parseImageConfig(fixture('config-two-stages-buildkit-0.13.json'), 'config'),
    layers: document.manifest.layers.map((l, i) => ({
      digest: l.digest,
      mediaType: l.mediaType,
      compressedBytes: l.size + (i === 1 ? extraBytes : 0),
      uncompressedBytes: l.size * 2,
      uncompressedMethod: 'gzip-trailer',
    })),
    warnings: [],
  };
  return buildSizeReport({ image, target: 'final', commit, createdAt: '2026-12-01T15:00:00.000Z' });
}

async function withTemp<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-size-test-'));
  try {
    return await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('keys', () => {
  test('readable, one field per part, `-` only between fields', () => {
    expect(sizeReportKey(SCOPE, 'refs/heads/main', C1)).toBe(
      `stagecraft-size-v1-3f2a9c1e-final-linux_amd64-main-${C1}`,
    );
    expect(sizeReportKey({ ...SCOPE, platform: 'linux/arm/v7' }, 'main', C1, '123456')).toBe(
      `stagecraft-size-v1-3f2a9c1e-final-linux_arm_v7-main-${C1}-123456`,
    );
    expect(sizeRestoreKeys(SCOPE, 'main', C1)).toEqual([
      `stagecraft-size-v1-3f2a9c1e-final-linux_amd64-main-${C1}`,
      'stagecraft-size-v1-3f2a9c1e-final-linux_amd64-main-',
    ]);
    expect(sizeRestoreKeys(SCOPE, 'main')).toEqual(['stagecraft-size-v1-3f2a9c1e-final-linux_amd64-main-']);
  });

  test('a field that had to change gets a hash: `a-b` and `a_b` stay apart, and no prefix crosses branches', () => {
    const dashed = sizeReportKey({ ...SCOPE, target: 'build-tools' }, 'release/1.x', C1);
    expect(dashed).toMatch(
      /^stagecraft-size-v1-3f2a9c1e-build_tools_[0-9a-f]{8}-linux_amd64-release_1.x_[0-9a-f]{8}-1{40}$/,
    );
    expect(sizeReportKey({ ...SCOPE, target: 'build_tools' }, 'main', C1)).not.toContain('build_tools_');
    expect(sizeReportKey(SCOPE, 'feature-a', C1)).not.toBe(sizeReportKey(SCOPE, 'feature_a', C1));
    expect(sizeReportKey(SCOPE, 'main-old', C1).startsWith(sizeBranchPrefix(SCOPE, 'main'))).toBe(false);
    expect(sizeReportKey(SCOPE, 'main', C1).split('-')).toHaveLength(3 + 5); // the prefix's three, then five fields
  });

  test('long fields are cut and stay distinct', () => {
    const long = 'x'.repeat(200);
    const key = sizeReportKey({ ...SCOPE, target: long }, long, C1);
    expect(key.length).toBeLessThan(200);
    expect(key).not.toBe(sizeReportKey({ ...SCOPE, target: long + 'y' }, long, C1));
  });
});

describe('saving and finding', () => {
  test('a pull request finds its base commit’s report, else the base branch’s newest', async () => {
    await withTemp(async (tempDir) => {
      const store = new MemoryStore();
      const saved = await saveBaseline(
        store,
        DOCKERFILE,
        report(C1),
        { branch: 'refs/heads/main', commit: C1 },
        { tempDir },
      );
      expect(saved).toMatchObject({ key: sizeReportKey(SCOPE, 'main', C1), saved: true });
      expect(saved.bytes).toBeGreaterThan(1000);
      await saveBaseline(store, DOCKERFILE, report(C2, 1000), { branch: 'main', commit: C2 }, { tempDir });

      const atC1 = await findBaseline(store, SCOPE, { branch: 'main', commit: C1 }, { tempDir });
      expect(atC1).toMatchObject({
        found: true,
        source: 'base-commit',
        from: sizeReportKey(SCOPE, 'main', C1),
      });
      expect(atC1.found && atC1.report).toEqual({ ...report(C1), ref: 'refs/heads/main' });

      const unknownCommit = await findBaseline(store, SCOPE, { branch: 'main', commit: C3 }, { tempDir });
      expect(unknownCommit).toMatchObject({
        found: true,
        source: 'base-branch',
        from: sizeReportKey(SCOPE, 'main', C2),
      });
      expect(unknownCommit.found && unknownCommit.report.compressedBytes).toBe(
        report(C2, 1000).compressedBytes,
      );

      const noCommit = await findBaseline(store, SCOPE, { branch: 'refs/heads/main' }, { tempDir });
      expect(noCommit).toMatchObject({ found: true, source: 'base-branch' });

      expect(store.calls.lookup).toEqual([
        sizeReportKey(SCOPE, 'main', C1),
        sizeReportKey(SCOPE, 'main', C3),
        sizeBranchPrefix(SCOPE, 'main'),
      ]);
      // Nothing left behind in the temp dir.
      expect(readdirSync(tempDir)).toEqual([]);
    });
  });

  test('a scheduled run of the base commit is found by the commit prefix', async () => {
    await withTemp(async (tempDir) => {
      const store = new MemoryStore();
      await saveBaseline(
        store,
        DOCKERFILE,
        report(C1),
        { branch: 'main', commit: C1, run: '777' },
        { tempDir },
      );
      const found = await findBaseline(store, SCOPE, { branch: 'main', commit: C1 }, { tempDir });
      expect(found).toMatchObject({
        found: true,
        source: 'base-commit',
        from: sizeReportKey(SCOPE, 'main', C1, '777'),
      });
    });
  });

  test('another target, platform, Dockerfile or branch is not a baseline', async () => {
    await withTemp(async (tempDir) => {
      const store = new MemoryStore();
      await saveBaseline(store, DOCKERFILE, report(C1), { branch: 'main', commit: C1 }, { tempDir });
      for (const [scope, branch] of [
        [{ ...SCOPE, target: 'base' }, 'main'],
        [{ ...SCOPE, platform: 'linux/arm64' }, 'main'],
        [{ ...SCOPE, dockerfile: 'ffffffff' }, 'main'],
        [SCOPE, 'develop'],
        [SCOPE, 'main-old'],
      ] as const) {
        expect(await findBaseline(store, scope, { branch, commit: C1 }, { tempDir })).toEqual({
          found: false,
          reason: `no size report for ${scope.target} (${scope.platform}) on ${branch} in the memory cache yet`,
        });
      }
    });
  });

  test('a key that exists is not saved again', async () => {
    await withTemp(async (tempDir) => {
      const store = new MemoryStore();
      await saveBaseline(store, DOCKERFILE, report(C1), { branch: 'main', commit: C1 }, { tempDir });
      expect(
        await saveBaseline(store, DOCKERFILE, report(C1, 5), { branch: 'main', commit: C1 }, { tempDir }),
      ).toEqual({
        key: sizeReportKey(SCOPE, 'main', C1),
        saved: false,
        bytes: 0,
        reason: 'a report for this commit is already stored',
      });
      expect(store.calls.save).toHaveLength(1);
    });
  });

  test('damaged, foreign or mismatched entries are no baseline, with the reason', async () => {
    await withTemp(async (tempDir) => {
      const store = new MemoryStore();
      await saveBaseline(store, DOCKERFILE, report(C1), { branch: 'main', commit: C1 }, { tempDir });
      const key = sizeReportKey(SCOPE, 'main', C1);
      const files = store.entries.get(key)!.files;
      const find = () => findBaseline(store, SCOPE, { branch: 'main', commit: C1 }, { tempDir });

      files.set(SIZE_REPORT_FILE, Buffer.from('{"schemaVersion": 1, "target": "fin'));
      expect(await find()).toEqual({
        found: false,
        reason: expect.stringMatching(
          new RegExp(`^the stored report ${key} cannot be used: the report is not JSON: `),
        ),
      });

      files.set(
        SIZE_REPORT_FILE,
        Buffer.from(encodeSizeReport({ ...report(C1), schemaVersion: 2 } as unknown as SizeReport)),
      );
      expect(await find()).toEqual({
        found: false,
        reason: `the stored report ${key} cannot be used: the report has schema version 2, this stagecraft reads 1`,
      });

      files.set(SIZE_REPORT_FILE, Buffer.from(encodeSizeReport({ ...report(C1), compressedBytes: 12 })));
      expect(await find()).toEqual({
        found: false,
        reason: `the stored report ${key} cannot be used: the report is invalid: compressedBytes is not the sum of the layers'`,
      });

      files.set(SIZE_REPORT_FILE, Buffer.from(encodeSizeReport({ ...report(C1), platform: 'linux/arm64' })));
      expect(await find()).toEqual({
        found: false,
        reason: `the stored report ${key} is for final (linux/arm64), not final (linux/amd64)`,
      });

      files.delete(SIZE_REPORT_FILE);
      files.set('other.json', Buffer.from('{}'));
      expect(await find()).toEqual({
        found: false,
        reason: `the stored report ${key} could not be restored (no size-report.json in it)`,
      });
    });
  });

  test('store faults are warnings and no baseline', async () => {
    await withTemp(async (tempDir) => {
      const warnings: string[] = [];
      const store = new MemoryStore({ faults: new Set(['save']) });
      expect(
        await saveBaseline(
          store,
          DOCKERFILE,
          report(C1),
          { branch: 'main', commit: C1 },
          { tempDir, onWarning: (m) => warnings.push(m) },
        ),
      ).toMatchObject({
        saved: false,
        reason: 'the store did not take it (a fault, or another job stored it first)',
      });
      store.faults = new Set();
      await saveBaseline(store, DOCKERFILE, report(C1), { branch: 'main', commit: C1 }, { tempDir });
      store.faults = new Set(['lookup']);
      expect(
        await findBaseline(
          store,
          SCOPE,
          { branch: 'main', commit: C1 },
          { tempDir, onWarning: (m) => warnings.push(m) },
        ),
      ).toMatchObject({
        found: false,
      });
      store.faults = new Set(['restore']);
      expect(
        await findBaseline(
          store,
          SCOPE,
          { branch: 'main', commit: C1 },
          { tempDir, onWarning: (m) => warnings.push(m) },
        ),
      ).toEqual({
        found: false,
        reason: `the stored report ${sizeReportKey(SCOPE, 'main', C1)} could not be restored (the store gave nothing)`,
      });
      expect(warnings).toHaveLength(3);
    });
  });

  test('a store that holds only BuildKit caches (registry) cannot keep baselines', async () => {
    const memory = new MemoryStore();
    const registryLike: StageCacheStore = Object.assign(Object.create(memory) as MemoryStore, {
      kind: 'registry' as const,
      buildkit: { cacheFrom: () => '', cacheTo: () => [] },
    });
    const reason =
      "the registry cache store holds only BuildKit's own caches, not files: size baselines need the gha or local store (or baseline-image)";
    expect(
      await saveBaseline(registryLike, DOCKERFILE, report(C1), { branch: 'main', commit: C1 }),
    ).toMatchObject({ saved: false, reason });
    expect(await findBaseline(registryLike, SCOPE, { branch: 'main', commit: C1 })).toEqual({
      found: false,
      reason,
    });
    expect(memory.calls.save).toEqual([]);
  });
});

describe('a baseline image', () => {
  test('an image that cannot be inspected is no baseline, with the tool’s message', async () => {
    const exec: Exec = async () => ({
      exitCode: 1,
      stdout: '',
      stderr: 'ERROR: localhost:5000/app:gone: not found\n',
    });
    expect(
      await baselineFromImage(exec, 'localhost:5000/app:gone', 'linux/amd64', { target: 'final' }),
    ).toEqual({
      found: false,
      reason:
        'the baseline image localhost:5000/app:gone cannot be measured: docker buildx imagetools inspect failed with exit code 1: ERROR: localhost:5000/app:gone: not found',
    });
  });

  test('measured through imagetools (recorded output) and mapped; range reads go through the fetch given', async () => {
    const manifestDigest =
      'sha256:' +
      JSON.parse(fixture('index-two-stages-provenance-buildkit-0.13.json')).manifests[0].digest.slice(7);
    const calls: string[][] = [];
    const exec: Exec = async (argv) => {
      calls.push([...argv]);
      const target = argv[argv.length - 1]!;
      if (argv.includes('--raw')) {
        return {
          exitCode: 0,
          stdout: target.includes('@')
            ? fixture('imagetools-raw-manifest-buildx-0.13.1.json')
            : fixture('imagetools-raw-index-buildx-0.13.1.json'),
          stderr: '',
        };
      }
      return { exitCode: 0, stdout: fixture('imagetools-image-buildx-0.13.1.json'), stderr: '' };
    };
    const sizes = new Map(
      (
        JSON.parse(fixture('layer-sizes-two-stages-containerd-26.1.json')) as {
          digest: string;
          gzipTrailer: number;
        }[]
      ).map((l) => [l.digest, l.gzipTrailer]),
    );
    const fetched: string[] = [];
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      fetched.push(`${String(url)} ${JSON.stringify(init?.headers)}`);
      const digest = String(url).split('/').pop()!;
      const trailer = Buffer.alloc(4);
      trailer.writeUInt32LE(sizes.get(digest)!);
      return new Response(trailer, { status: 206 });
    }) as typeof fetch;
    const result = await baselineFromImage(exec, 'localhost:5000/app:main', 'linux/amd64', {
      target: 'final',
      fetch: fakeFetch,
      now: () => new Date('2026-12-01T16:00:00Z'),
    });
    expect(calls).toEqual([
      ['docker', 'buildx', 'imagetools', 'inspect', '--raw', 'localhost:5000/app:main'],
      ['docker', 'buildx', 'imagetools', 'inspect', '--raw', `localhost:5000/app@${manifestDigest}`],
      [
        'docker',
        'buildx',
        'imagetools',
        'inspect',
        '--format',
        '{{json .Image}}',
        `localhost:5000/app@${manifestDigest}`,
      ],
    ]);
    expect(fetched[0]).toBe(
      `http://localhost:5000/v2/app/blobs/sha256:345861747fc25d95a69dde45650b0748a2f4a1eb7c0886fbd6b5b66c7748b7e1 {"range":"bytes=1069289-1069292"}`,
    );
    expect(result).toMatchObject({ found: true, source: 'image', from: 'localhost:5000/app:main' });
    if (!result.found) throw new Error('not found');
    expect(result.report).toMatchObject({
      source: 'registry',
      createdAt: '2026-12-01T16:00:00.000Z',
      compressedBytes: 1069293 + 1049195 + 93 + 162,
      uncompressedBytes: 2129920 + 1052672 + 1536 + 2560,
      uncompressedComplete: true,
      image: {
        digest: manifestDigest,
        indexDigest: JSON.parse(fixture('image-inspect-containerd-26.1.json'))[0].Id,
      },
    });
  });

  test('a registry that wants credentials for blobs: compressed sizes stay, uncompressed are unknown, one warning', async () => {
    const exec: Exec = async (argv) => ({
      exitCode: 0,
      stdout: argv.includes('--raw')
        ? fixture('imagetools-raw-manifest-buildx-0.13.1.json')
        : fixture('imagetools-image-buildx-0.13.1.json'),
      stderr: '',
    });
    const fakeFetch = (async (url: string | URL | Request) => {
      const text = String(url);
      if (text.startsWith('https://auth.example/token')) return new Response('denied', { status: 403 });
      return new Response('', {
        status: 401,
        headers: {
          'www-authenticate': 'Bearer realm="https://auth.example/token",service="registry.example"',
        },
      });
    }) as typeof fetch;
    const result = await baselineFromImage(exec, 'registry.example/app:main', 'linux/amd64', {
      target: 'final',
      fetch: fakeFetch,
    });
    if (!result.found) throw new Error(result.reason);
    expect(result.report.uncompressedComplete).toBe(false);
    expect(result.report.uncompressedBytes).toBe(result.report.compressedBytes);
    expect(result.report.warnings).toEqual([
      'The uncompressed sizes of 4 gzip layers are unknown: registry.example refused an anonymous token (HTTP 403); it wants credentials.',
    ]);
  });
});

describe('what a run does with baselines', () => {
  const base: BaselineEvent = {
    eventName: 'push',
    ref: 'refs/heads/main',
    sha: C1,
    defaultBranch: 'main',
    runId: '99',
  };
  // prettier-ignore
  test.each([
    ['a push to the default branch stores', base,
      { compare: { kind: 'none', reason: 'a push to the default branch stores the baseline' }, save: { branch: 'main', commit: C1 } }],
    ['a push to another branch does neither', { ...base, ref: 'refs/heads/topic' },
      { compare: { kind: 'none', reason: 'a push run has no base to compare with (set baseline-image to compare anyway)' } }],
    ['a pull request compares with its base commit', { ...base, eventName: 'pull_request', ref: 'refs/pull/7/merge', pullRequest: { baseRef: 'main', baseSha: C2 } },
      { compare: { kind: 'cache', branch: 'main', commit: C2 } }],
    ['pull_request_target too', { ...base, eventName: 'pull_request_target', pullRequest: { baseRef: 'release/1.x', baseSha: C2 } },
      { compare: { kind: 'cache', branch: 'release/1.x', commit: C2 } }],
    ['baseline-image wins on a pull request', { ...base, eventName: 'pull_request', pullRequest: { baseRef: 'main', baseSha: C2 }, baselineImage: 'ghcr.io/acme/app:main' },
      { compare: { kind: 'image', ref: 'ghcr.io/acme/app:main' } }],
    ['a scheduled run stores per run and compares with the newest', { ...base, eventName: 'schedule' },
      { compare: { kind: 'cache', branch: 'main' }, save: { branch: 'main', commit: C1, run: '99' } }],
    ['workflow_dispatch with a baseline image compares with it', { ...base, eventName: 'workflow_dispatch', baselineImage: 'localhost:5000/app:1' },
      { compare: { kind: 'image', ref: 'localhost:5000/app:1' } }],
    ['a pull request event without a base', { eventName: 'pull_request' },
      { compare: { kind: 'none', reason: 'the pull request event names no base branch' } }],
  ])('%s', (_name, event, expected) => {
    expect(resolveBaselinePlan(event)).toEqual(expected);
  });
});
