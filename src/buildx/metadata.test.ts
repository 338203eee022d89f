import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetadataError, parseBakeMetadata, parseBuildMetadata } from './metadata.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const read = (name: string) => readFileSync(path.join(testdata, name), 'utf8');
const DIGEST = /^sha256:[0-9a-f]{64}$/;

describe('parseBakeMetadata (recorded from buildx 0.13.1)', () => {
  test('three targets: two cache-only exports and a loaded image', () => {
    const text = read('metadata-bake-three-targets-buildx-0.13.json');
    const targets = parseBakeMetadata(text);
    expect([...targets.keys()].sort()).toEqual(['build', 'deps', 'runtime']);
    const raw = JSON.parse(text) as Record<string, Record<string, unknown>>;

    for (const name of ['deps', 'build']) {
      const entry = targets.get(name)!;
      expect(entry.imageid).toBe('');
      expect(entry.digest).toBe('');
      expect(entry.imageName).toBeUndefined();
      expect(entry.cacheManifest).toMatch(DIGEST);
      expect(entry.cacheManifest).toBe(JSON.parse(raw[name]!['cache.manifest'] as string).digest);
    }

    const runtime = targets.get('runtime')!;
    // Attested (buildx's default provenance): an index, no config digest, so imageid is the index digest.
    expect(runtime.digest).toBe(raw.runtime!['containerimage.digest']);
    expect(runtime.digest).toMatch(DIGEST);
    expect(runtime.imageid).toBe(runtime.digest);
    expect(runtime.imageName).toBe('docker.io/library/stagecraft-record:bake');
    expect(runtime.cacheManifest).toMatch(DIGEST);
    expect(JSON.parse(runtime.metadata)).toEqual(raw.runtime);
    expect(runtime.metadata).toBe(JSON.stringify(raw.runtime, null, 2));
  });

  test('a pushed image without provenance: imageid is the config digest', () => {
    const text = read('metadata-bake-push-no-provenance-buildx-0.13.json');
    const raw = JSON.parse(text) as Record<string, Record<string, unknown>>;
    const runtime = parseBakeMetadata(text).get('runtime')!;
    expect(runtime.imageid).toBe(raw.runtime!['containerimage.config.digest']);
    expect(runtime.digest).toBe(raw.runtime!['containerimage.digest']);
    expect(runtime.imageid).not.toBe(runtime.digest);
    expect(runtime.imageName).toBe('localhost:5000/stagecraft-record:push');
    expect(runtime.cacheManifest).toBeUndefined();
  });

  test('top-level buildx keys that are not targets are skipped', () => {
    const text = JSON.stringify({
      'buildx.build.warnings': [{ vertex: 'x' }],
      app: { 'containerimage.digest': 'sha256:a' },
    });
    expect([...parseBakeMetadata(text).keys()]).toEqual(['app']);
  });
});

describe('parseBuildMetadata (recorded from buildx 0.13.1)', () => {
  test('a loaded image', () => {
    const text = read('metadata-build-load-buildx-0.13.json');
    const raw = JSON.parse(text) as Record<string, unknown>;
    const meta = parseBuildMetadata(text);
    expect(meta.digest).toBe(raw['containerimage.digest']);
    expect(meta.imageid).toBe(raw['containerimage.config.digest'] ?? raw['containerimage.digest']);
    expect(meta.imageName).toBe('docker.io/library/stagecraft-record:build');
    expect(meta.cacheManifest).toBeUndefined();
  });
});

describe('malformed metadata', () => {
  test.each([
    ['not JSON', '{', 'bake metadata: not JSON'],
    ['an array', '[]', 'bake metadata: expected a JSON object'],
    ['a target that is a string', '{"app":"x"}', 'bake metadata: target "app" is not an object'],
    [
      'a digest that is a number',
      '{"app":{"containerimage.digest":1}}',
      'bake metadata for app: containerimage.digest is not a string',
    ],
    [
      'a cache manifest that is not JSON',
      '{"app":{"cache.manifest":"{"}}',
      'bake metadata for app: cache.manifest is not JSON',
    ],
    [
      'a cache manifest without digest',
      '{"app":{"cache.manifest":"{}"}}',
      'bake metadata for app: cache.manifest has no digest',
    ],
  ])('%s', (_what, text, message) => {
    expect(() => parseBakeMetadata(text)).toThrow(MetadataError);
    expect(() => parseBakeMetadata(text)).toThrow(message);
  });
});
