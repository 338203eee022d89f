// Pure tests of the layout arithmetic on a real BuildKit export (testdata/export-two-stages-buildx-0.13/).
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import {
  cacheConfigDescriptor,
  checkManifests,
  findManifestByTag,
  isExternal,
  layerChain,
  ownBlobs,
  ownResultChains,
  parseCacheConfig,
  parseCacheManifest,
  parseOciIndex,
  referencedBlobs,
  tagForKey,
  unloadableOwnResults,
  withoutAbsentLayers,
  type StageCache,
} from './oci-layout.js';
import {
  FIXTURE,
  BASE_LAYER,
  BASE_DIFF_ID,
  DEPS_MANIFEST,
  DEPS_CONFIG,
  DEPS_RUN,
  APP_MANIFEST,
  APP_CONFIG,
  APP_COPY,
  APP_RUN,
} from './testdata/export-two-stages.js';

function blob(stage: string, digest: string): string {
  return readFileSync(path.join(FIXTURE, stage, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8');
}

function stageCache(stage: 'deps' | 'app'): StageCache {
  const index = parseOciIndex(readFileSync(path.join(FIXTURE, stage, 'index.json'), 'utf8'));
  const descriptor = findManifestByTag(index, stage);
  if (descriptor === undefined) throw new Error(`fixture ${stage} has no manifest tagged ${stage}`);
  const manifest = parseCacheManifest(blob(stage, descriptor.digest));
  const config = parseCacheConfig(blob(stage, cacheConfigDescriptor(manifest).digest));
  return { descriptor, manifest, config };
}

function presentBlobs(stage: string): Set<string> {
  return new Set(readdirSync(path.join(FIXTURE, stage, 'blobs', 'sha256')).map((hex) => `sha256:${hex}`));
}

describe('parsing a real export (buildx 0.13)', () => {
  test('index.json: one cache manifest, tagged with the export tag', () => {
    const index = parseOciIndex(readFileSync(path.join(FIXTURE, 'app', 'index.json'), 'utf8'));
    expect(index.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: APP_MANIFEST,
        size: 1549,
        annotations: { 'org.opencontainers.image.ref.name': 'app' },
      },
    ]);
  });

  test('the cache manifest lists the layers and one cache config', () => {
    const { manifest } = stageCache('app');
    expect(manifest.manifests.map((d) => d.digest)).toEqual([
      APP_RUN,
      APP_COPY,
      BASE_LAYER,
      DEPS_RUN,
      APP_CONFIG,
    ]);
    expect(cacheConfigDescriptor(manifest).digest).toBe(APP_CONFIG);
  });

  test('the cache config: layer parents (an omitted parent is 0) and record results', () => {
    const deps = stageCache('deps').config!;
    expect(deps.layers).toEqual([
      { blob: BASE_LAYER, parent: -1 },
      { blob: DEPS_RUN, parent: 0 },
    ]);
    expect(deps.records.map((r) => r.results)).toEqual([[1], [], []]);
    const app = stageCache('app').config!;
    expect(app.records.flatMap((r) => r.results).sort()).toEqual([0, 1, 3]);
    // The app's RUN layer stacks on its COPY layer, which stacks on the base image.
    expect(layerChain(app, 0)).toEqual([APP_RUN, APP_COPY, BASE_LAYER]);
    expect(layerChain(app, 3)).toEqual([DEPS_RUN, BASE_LAYER]);
  });

  test('every blob a manifest references, the manifest first', () => {
    expect(referencedBlobs(stageCache('deps')).map((d) => d.digest)).toEqual([
      DEPS_MANIFEST,
      BASE_LAYER,
      DEPS_RUN,
      DEPS_CONFIG,
    ]);
  });
});

describe('own blobs', () => {
  test('a stage without dependencies owns all it references, less external base layers', () => {
    const deps = stageCache('deps');
    expect(ownBlobs(deps, []).map((d) => d.digest)).toEqual([
      DEPS_MANIFEST,
      BASE_LAYER,
      DEPS_RUN,
      DEPS_CONFIG,
    ]);
    expect(ownBlobs(deps, [], new Set([BASE_DIFF_ID])).map((d) => d.digest)).toEqual([
      DEPS_MANIFEST,
      DEPS_RUN,
      DEPS_CONFIG,
    ]);
  });

  test("a stage that copies from another leaves that stage's blobs to its entry", () => {
    expect(ownBlobs(stageCache('app'), [stageCache('deps')]).map((d) => d.digest)).toEqual([
      APP_MANIFEST,
      APP_RUN,
      APP_COPY,
      APP_CONFIG,
    ]);
  });

  test('external layers match on the compressed digest or the diff ID', () => {
    const base = stageCache('deps').manifest.manifests.find((d) => d.digest === BASE_LAYER)!;
    expect(isExternal(base, new Set([BASE_LAYER]))).toBe(true);
    expect(isExternal(base, new Set([BASE_DIFF_ID]))).toBe(true);
    expect(isExternal(base, new Set([DEPS_RUN]))).toBe(false);
  });
});

describe('checkManifests: which caches may reach BuildKit', () => {
  const candidates = (stage: 'deps' | 'app') => {
    const cache = stageCache(stage);
    return [{ descriptor: cache.descriptor, manifest: cache.manifest, config: cache.config! }];
  };

  test('complete when every referenced blob is present or external', () => {
    // The fixture leaves the base layer out: it is complete only with the base image counted as external.
    expect(checkManifests(candidates('deps'), presentBlobs('deps'), new Set([BASE_DIFF_ID]))).toEqual({
      complete: [candidates('deps')[0]!.descriptor],
      incomplete: [],
    });
  });

  test('incomplete when a blob is absent, naming it', () => {
    const result = checkManifests(candidates('deps'), presentBlobs('deps'));
    expect(result.complete).toEqual([]);
    expect(result.incomplete).toEqual([
      {
        descriptor: candidates('deps')[0]!.descriptor,
        tag: 'deps',
        missing: [BASE_LAYER],
        reason: '1 referenced blob is absent: sha256:345861747fc2',
      },
    ]);
  });

  test("the app's cache is incomplete without the deps entry's blob", () => {
    const present = presentBlobs('app');
    present.delete(DEPS_RUN);
    const result = checkManifests(candidates('app'), present, new Set([BASE_LAYER]));
    expect(result.incomplete.map((m) => [m.tag, m.missing])).toEqual([['app', [DEPS_RUN]]]);
  });

  test('an unreadable or absent manifest is dropped with its reason', () => {
    const { descriptor, manifest } = stageCache('app');
    const result = checkManifests(
      [{ descriptor, error: 'cache manifest: invalid JSON' }, { descriptor }, { descriptor, manifest }],
      new Set([descriptor.digest]),
    );
    expect(result.incomplete.map((m) => [m.reason, m.missing])).toEqual([
      ['cache manifest: invalid JSON', []],
      ['cache manifest sha256:568174f0540e could not be read', []],
      ['its cache config could not be read', []],
    ]);
    expect(checkManifests([{ descriptor }], new Set()).incomplete.map((m) => [m.reason, m.missing])).toEqual([
      ['cache manifest sha256:568174f0540e is absent', [APP_MANIFEST]],
    ]);
  });
});

describe('malformed input', () => {
  test.each([
    { name: 'not JSON', text: '{', error: /index.json: invalid JSON/ },
    {
      name: 'wrong schema version',
      text: '{"schemaVersion":1,"manifests":[]}',
      error: /schemaVersion must be 2/,
    },
    {
      name: 'bad digest',
      text: '{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:zz","size":1}]}',
      error: /manifests\[0\]: digest "sha256:zz" is not a sha256 digest/,
    },
    {
      name: 'negative size',
      text: `{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"${APP_RUN}","size":-1}]}`,
      error: /manifests\[0\]: size must be a non-negative integer/,
    },
  ])('index: $name', ({ text, error }) => {
    expect(() => parseOciIndex(text)).toThrow(error);
  });

  test('a cache manifest without a cache config', () => {
    expect(() => parseCacheManifest('{"schemaVersion":2,"manifests":[]}')).toThrow(
      /expected one application\/vnd.buildkit.cacheconfig.v0 blob, found 0/,
    );
  });

  test.each([
    {
      name: 'parent out of range',
      text: `{"layers":[{"blob":"${APP_RUN}","parent":5}]}`,
      error: /parent 5 is out of range/,
    },
    {
      name: 'parent cycle',
      text: `{"layers":[{"blob":"${APP_RUN}","parent":1},{"blob":"${APP_COPY}","parent":0}]}`,
      error: /parent chain has a cycle/,
    },
    {
      name: 'result names a missing layer',
      text: `{"layers":[],"records":[{"digest":"x","layers":[{"layer":0}]}]}`,
      error: /records\[0\] refers to layer 0, which does not exist/,
    },
    {
      name: 'chains are arrays of integers',
      text: `{"layers":[{"blob":"${APP_RUN}","parent":-1}],"records":[{"digest":"x","chains":[{"layers":["a"]}]}]}`,
      error: /chains\[0\].layers must be an array of integers/,
    },
  ])('cache config: $name', ({ text, error }) => {
    expect(() => parseCacheConfig(text)).toThrow(error);
  });

  test('chained results count as results', () => {
    const config = parseCacheConfig(
      `{"layers":[{"blob":"${APP_RUN}","parent":-1},{"blob":"${APP_COPY}","parent":-1}],` +
        `"records":[{"digest":"x","chains":[{"layers":[0,1]}]}]}`,
    );
    expect(config.records[0]!.results).toEqual([0, 1]);
  });
});

describe('tagForKey', () => {
  test.each([
    {
      name: 'a readable key stays as it is',
      key: 'stagecraft-v1-1a2b-linux-amd64-deps-3c4d-5e6f',
      same: true,
    },
    {
      name: 'a slash is replaced and a hash added',
      key: 'stagecraft-v1-1a2b-linux/amd64-deps-3c-5e',
      same: false,
    },
    { name: 'an over-long key is shortened', key: `stagecraft-v1-${'x'.repeat(200)}`, same: false },
  ])('$name', ({ key, same }) => {
    const tag = tagForKey(key);
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);
    expect(tag === key).toBe(same);
  });

  test('keys that clean up the same still get different tags', () => {
    expect(tagForKey('a/b')).not.toBe(tagForKey('a_b'));
    expect(tagForKey('a/b')).not.toBe(tagForKey('a:b'));
  });
});

describe("what a stage's own results need", () => {
  test("the app's own results stand on the base layer and its own layers, not on deps' layer", () => {
    const app = stageCache('app');
    const own = new Set([APP_COPY, APP_RUN]);
    expect([...ownResultChains(app, own)].sort()).toEqual([APP_COPY, APP_RUN, BASE_LAYER].sort());
    // Loadable with the base external, even without deps' blob; not without the base.
    expect(unloadableOwnResults(app, own, new Set(own), new Set([BASE_DIFF_ID]))).toEqual([]);
    expect(unloadableOwnResults(app, own, new Set(own))).toEqual([BASE_LAYER]);
    expect(unloadableOwnResults(app, own, new Set([APP_COPY]), new Set([BASE_DIFF_ID]))).toEqual([APP_RUN]);
  });

  test('withoutAbsentLayers drops those descriptors, never the config, and says when nothing changed', () => {
    const text = blob('app', APP_MANIFEST);
    const pruned = withoutAbsentLayers(text, new Set([DEPS_RUN, APP_CONFIG]));
    expect(pruned).toBeDefined();
    expect(parseCacheManifest(pruned!).manifests.map((d) => d.digest)).toEqual([
      APP_RUN,
      APP_COPY,
      BASE_LAYER,
      APP_CONFIG,
    ]);
    expect(withoutAbsentLayers(text, new Set([`sha256:${'0'.repeat(64)}`]))).toBeUndefined();
  });
});
