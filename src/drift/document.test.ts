// The stored document: encoded in a fixed order, read back whole or refused with the path and the reason.
import { describe, expect, test } from '@jest/globals';

import { encodeDriftDocument, parseDriftDocument, parseDriftDocumentJson } from './document.js';
import type { DriftDocument } from './types.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const DOCUMENT: DriftDocument = {
  kind: 'stagecraft-drift',
  version: 1,
  createdAt: '2025-06-02T03:00:00.000Z',
  target: 'runtime',
  platform: 'linux/amd64',
  run: '9876543210_1',
  commit: '0123456789abcdef0123456789abcdef01234567',
  images: [
    { image: 'localhost:5000/base:1', platform: 'linux/amd64', digest: D1, indexDigest: D2 },
    { image: 'stagecraft-test/busybox:1', platform: 'linux/amd64', digest: D2 },
  ],
  stages: [
    {
      name: 'deps',
      key: 'stagecraft-v1-aaaaaaaa-linux_amd64-deps-1111111111111111-2222222222222222',
      baseKey: 'stagecraft-v1-aaaaaaaa-linux_amd64-deps-3333333333333333-4444444444444444',
      builtAt: '2025-06-02T03:00:00.000Z',
      refreshedKey: 'stagecraft-v1-aaaaaaaa-linux_amd64-deps-1111111111111111-5555555555555555',
    },
    { name: 'stage-1', key: 'stagecraft-v1-aaaaaaaa-linux_amd64-stage_1-6666666666666666-7777777777777777' },
  ],
  size: { compressedBytes: 1234, uncompressedBytes: 5678 },
};

describe('encodeDriftDocument and parseDriftDocumentJson', () => {
  test('round trip', () => {
    const text = encodeDriftDocument(DOCUMENT);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseDriftDocumentJson(text)).toEqual({ ok: true, document: DOCUMENT });
  });

  test('fields in a fixed order whatever the object’s, optional ones left out', () => {
    const minimal: DriftDocument = {
      stages: [],
      images: [],
      platform: 'linux/arm64',
      target: 'app',
      createdAt: '2025-06-02T03:00:00.000Z',
      version: 1,
      kind: 'stagecraft-drift',
    };
    expect(encodeDriftDocument(minimal)).toBe(
      '{\n  "kind": "stagecraft-drift",\n  "version": 1,\n  "createdAt": "2025-06-02T03:00:00.000Z",\n' +
        '  "target": "app",\n  "platform": "linux/arm64",\n  "images": [],\n  "stages": []\n}\n',
    );
  });

  test('not JSON', () => {
    expect(parseDriftDocumentJson('{"kind":')).toEqual({
      ok: false,
      reason: expect.stringMatching(/^not JSON \(/),
    });
  });

  const valid = JSON.parse(encodeDriftDocument(DOCUMENT)) as Record<string, unknown>;
  const images = valid.images as Record<string, unknown>[];
  const stages = valid.stages as Record<string, unknown>[];
  // prettier-ignore
  test.each([
    ['an array',                     [],                                                                 'the document is not an object'],
    ['another kind',                 { ...valid, kind: 'stagecraft-size' },                              'kind is not "stagecraft-drift"'],
    ['another version',              { ...valid, version: 2 },                                           'version is 2, not 1 (written by another stagecraft version)'],
    ['no createdAt',                 { ...valid, createdAt: undefined },                                 'createdAt is not a non-empty string'],
    ['a createdAt that is no time',  { ...valid, createdAt: 'yesterday' },                               'createdAt is not an ISO 8601 time'],
    ['an empty target',              { ...valid, target: '' },                                           'target is not a non-empty string'],
    ['images not a list',            { ...valid, images: {} },                                           'images is not a list'],
    ['a short digest',               { ...valid, images: [{ ...images[0], digest: 'sha256:abc' }] },     'images[0].digest is not a sha256 digest'],
    ['a bad index digest',           { ...valid, images: [{ ...images[0], indexDigest: 7 }] },           'images[0].indexDigest is not a non-empty string'],
    ['an image twice',               { ...valid, images: [images[0], images[0]] },                       'images[1] repeats localhost:5000/base:1 (linux/amd64)'],
    ['a stage without key',          { ...valid, stages: [{ name: 'deps' }] },                           'stages[0].key is not a non-empty string'],
    ['a stage twice',                { ...valid, stages: [stages[0], stages[0]] },                       'stages[1] repeats the stage deps'],
    ['a bad builtAt',                { ...valid, stages: [{ ...stages[0], builtAt: 'now' }] },           'stages[0].builtAt is not an ISO 8601 time'],
    ['negative bytes',               { ...valid, size: { compressedBytes: -1 } },                        'size.compressedBytes is not a whole number of bytes'],
  ])('%s is refused', (_name, value, reason) => {
    expect(parseDriftDocument(value)).toEqual({ ok: false, reason });
  });

  test('null optional fields read as absent', () => {
    const parsed = parseDriftDocument({ ...valid, run: null, commit: null, size: null });
    expect(parsed.ok && parsed.document.run).toBeUndefined();
    expect(parsed.ok && parsed.document.size).toBeUndefined();
  });

  test('an image named __proto__ is data, not a prototype', () => {
    const parsed = parseDriftDocumentJson(
      JSON.stringify({ ...valid, images: [{ image: '__proto__', platform: 'linux/amd64', digest: D1 }] }),
    );
    expect(parsed.ok && parsed.document.images[0]!.image).toBe('__proto__');
  });
});
