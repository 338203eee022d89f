import { describe, expect, test } from '@jest/globals';

import { digest, resolved, unresolved } from '../../__tests__/support/drift-scenario.js';
import { pinnedImageContexts, pullDecision } from './pins.js';

const BASE = 'localhost:5000/base:1';

describe('pinnedImageContexts', () => {
  test('resolved images by their index digest (else manifest digest); pinned and unresolved ones left alone', () => {
    const single = { ...resolved('localhost:5000/single:1', digest(2)) };
    delete (single as { indexDigest?: string }).indexDigest;
    const pins = pinnedImageContexts([
      resolved(BASE, digest(1)),
      resolved(BASE, digest(3), 'linux/arm64'),
      single,
      {
        image: `node@${digest(4)}`,
        platform: 'linux/amd64',
        status: 'resolved',
        digest: digest(4),
        pinned: true,
      },
      unresolved('stagecraft-test/busybox:1', 'no such host'),
    ]);
    expect([...pins]).toEqual([
      [BASE, `docker-image://${BASE}@${digest('f')}`],
      ['localhost:5000/single:1', `docker-image://localhost:5000/single:1@${digest(2)}`],
    ]);
  });
});

describe('pullDecision', () => {
  test('pull when everything resolved; otherwise say why not', () => {
    expect(pullDecision([resolved(BASE, digest(1))])).toEqual({ pull: true });
    expect(pullDecision([])).toEqual({ pull: true });
    expect(
      pullDecision([
        resolved(BASE, digest(1)),
        unresolved('stagecraft-test/busybox:1', 'no such host'),
        unresolved('stagecraft-test/busybox:1', 'no such host', 'linux/arm64'),
      ]),
    ).toEqual({
      pull: false,
      reason:
        'not pulling: stagecraft-test/busybox:1 could not be resolved in a registry, and --pull would fail the build on it; the resolved images are pinned to their digests instead',
    });
  });
});
