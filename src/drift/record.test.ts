// The document a scheduled run leaves: which digests, keys and times it keeps, and what it does when a rebuilt
// stage's cache was not stored.
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
} from '../../__tests__/support/drift-scenario.js';
import { buildDriftDocument } from './record.js';

const BASE = 'localhost:5000/base:1';
const OTHER = 'localhost:5000/other:1';
const T0 = new Date('2025-06-01T03:00:00.000Z');
const T1 = new Date('2025-06-09T03:00:00.000Z');
const runtime = planFor(DOCKERFILE, 'runtime');

describe('buildDriftDocument', () => {
  const first = scheduledRun({
    planned: runtime,
    previous: NONE,
    resolutions: [resolved(OTHER, digest(2)), resolved(BASE, digest(1))],
    now: T0,
  });

  test('images sorted by reference then platform; an image never resolved is left out', () => {
    const run = scheduledRun({
      planned: runtime,
      previous: NONE,
      resolutions: [resolved(OTHER, digest(2)), unresolved(BASE, 'no such host')],
      now: T0,
    });
    expect(run.document.images).toEqual([
      { image: OTHER, platform: 'linux/amd64', digest: digest(2), indexDigest: digest('f') },
    ]);
    expect(first.document.images.map((image) => image.image)).toEqual([BASE, OTHER]);
    expect(first.document).toMatchObject({
      kind: 'stagecraft-drift',
      version: 1,
      createdAt: T0.toISOString(),
      target: 'runtime',
      platform: 'linux/amd64',
      size: { compressedBytes: 1000, uncompressedBytes: 3000 },
    });
  });

  test('a rebuilt stage whose cache was not stored keeps its earlier time, and no refreshed key', () => {
    const stale = scheduledRun({
      planned: runtime,
      previous: found(first.document),
      resolutions: [resolved(OTHER, digest(2)), resolved(BASE, digest(1))],
      saved: new Set(first.savedKeys),
      maxCacheAgeMs: 86_400_000,
      now: T1,
    });
    expect(stale.result.refreshedKeys.map((entry) => entry.stage)).toEqual([0, 1, 2, 3]);
    const notSaved = buildDriftDocument({
      result: stale.result,
      previous: found(first.document),
      resolutions: [resolved(OTHER, digest(2)), resolved(BASE, digest(1))],
      keys: stale.keys,
      notSaved: new Set([2]),
      target: 'runtime',
      platform: 'linux/amd64',
      now: T1,
      run: '',
    });
    expect(notSaved.run).toBeUndefined();
    expect(
      notSaved.stages.map((stage) => [stage.name, stage.builtAt, stage.refreshedKey === undefined]),
    ).toEqual([
      ['deps', T1.toISOString(), false],
      ['build', T1.toISOString(), false],
      ['tools', T0.toISOString(), true],
      ['runtime', T1.toISOString(), false],
    ]);
    expect(notSaved.stages[0]!.baseKey).toBeUndefined();
  });
});
