// Which images the reachable stages read at which platform, and the digests that go into their keys.
import { describe, expect, test } from '@jest/globals';

import { DOCKERFILE, digest, planFor, resolved, unresolved } from '../../__tests__/support/drift-scenario.js';
import type { DriftDocument } from './types.js';
import { imageDigestsForKeys, imageUsages, resolveRequests } from './usage.js';

const BASE = 'localhost:5000/base:1';
const OTHER = 'localhost:5000/other:1';

describe('imageUsages', () => {
  test('reachable stages only, in first-use order, with the stages reading each', () => {
    const { plan, request } = planFor(DOCKERFILE, 'build');
    expect(imageUsages(plan, request.targetPlatform)).toEqual([
      { image: BASE, platform: 'linux/amd64', stages: [0] },
    ]);
    const all = planFor(DOCKERFILE);
    expect(imageUsages(all.plan, all.request.targetPlatform)).toEqual([
      { image: BASE, platform: 'linux/amd64', stages: [0, 4] },
      { image: OTHER, platform: 'linux/amd64', stages: [2] },
    ]);
  });

  test('FROM --platform for the FROM image; COPY --from and mount images at the target platform', () => {
    const dockerfile = `FROM --platform=linux/amd64 ${BASE} AS tools
COPY --from=${OTHER} /a /a
RUN --mount=from=localhost:5000/third:1,target=/m true
FROM scratch
COPY --from=tools /a /a
`;
    const { plan, request } = planFor(dockerfile, undefined, 'linux/arm/v7');
    const usages = imageUsages(plan, request.targetPlatform);
    expect(usages).toEqual([
      { image: BASE, platform: 'linux/amd64', stages: [0] },
      { image: OTHER, platform: 'linux/arm/v7', stages: [0] },
      { image: 'localhost:5000/third:1', platform: 'linux/arm/v7', stages: [0] },
    ]);
    expect(resolveRequests(usages)).toEqual([
      { image: BASE, platform: 'linux/amd64' },
      { image: OTHER, platform: 'linux/arm/v7' },
      { image: 'localhost:5000/third:1', platform: 'linux/arm/v7' },
    ]);
  });

  test('scratch and named contexts are no images', () => {
    const dockerfile = `FROM scratch AS a
FROM ${BASE} AS b
COPY --from=a / /
`;
    const { plan, request } = planFor(dockerfile);
    expect(imageUsages(plan, request.targetPlatform).map((usage) => usage.image)).toEqual([BASE]);
  });
});

describe('imageDigestsForKeys', () => {
  const usages = [
    { image: BASE, platform: 'linux/amd64', stages: [0] },
    { image: OTHER, platform: 'linux/amd64', stages: [1] },
  ];
  const previous: DriftDocument = {
    kind: 'stagecraft-drift',
    version: 1,
    createdAt: '2025-06-01T00:00:00.000Z',
    target: 't',
    platform: 'linux/amd64',
    images: [{ image: OTHER, platform: 'linux/amd64', digest: digest(9) }],
    stages: [],
  };

  test('resolved digests; an unresolved image keeps the last one known, or is left out', () => {
    const resolutions = [resolved(BASE, digest(1)), unresolved(OTHER, 'no such host')];
    expect([...imageDigestsForKeys(usages, resolutions, previous)]).toEqual([
      [BASE, digest(1)],
      [OTHER, digest(9)],
    ]);
    expect([...imageDigestsForKeys(usages, resolutions)]).toEqual([[BASE, digest(1)]]);
  });

  test('an image read at two platforms keys on both', () => {
    const two = [
      { image: BASE, platform: 'linux/arm64', stages: [1] },
      { image: BASE, platform: 'linux/amd64', stages: [0] },
    ];
    expect(
      imageDigestsForKeys(two, [resolved(BASE, digest(1)), resolved(BASE, digest(2), 'linux/arm64')]).get(
        BASE,
      ),
    ).toBe(`linux/amd64=${digest(1)} linux/arm64=${digest(2)}`);
    expect(imageDigestsForKeys(two, [resolved(BASE, digest(1))]).get(BASE)).toBe(
      `linux/amd64=${digest(1)} linux/arm64=unresolved`,
    );
  });
});
