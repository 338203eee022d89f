import { describe, expect, test } from '@jest/globals';
import { needsImageLoad, repositoryOf, resolveMeasureTarget, type BuiltImage } from './target.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function built(overrides: Partial<BuiltImage>): BuiltImage {
  return { outputs: [], tags: [], driver: 'docker', digest: DIGEST, ...overrides };
}

describe('resolveMeasureTarget', () => {
  // prettier-ignore
  test.each([
    { name: 'docker driver, no output: the default output loads it', image: {}, expected: { kind: 'image-store', image: DIGEST } },
    { name: 'load (type=docker)', image: { outputs: ['type=docker'], driver: 'docker-container' }, expected: { kind: 'image-store', image: DIGEST } },
    { name: 'type=image on the docker driver stays in the engine', image: { outputs: ['type=image'] }, expected: { kind: 'image-store', image: DIGEST } },
    { name: 'push: the registry, by name and digest (a tag could move)', image: { outputs: ['type=image,push=true'], tags: ['localhost:5000/app:pr-7'] }, expected: { kind: 'registry', ref: `localhost:5000/app@${DIGEST}` } },
    { name: 'push and load: the registry', image: { outputs: ['type=image,push=true', 'type=docker'], imageName: 'ghcr.io/acme/app:1,ghcr.io/acme/app:latest' }, expected: { kind: 'registry', ref: `ghcr.io/acme/app@${DIGEST}` } },
    { name: 'type=registry with its own name', image: { outputs: ['type=registry,name=ghcr.io/acme/app:x'] }, expected: { kind: 'registry', ref: `ghcr.io/acme/app@${DIGEST}` } },
    { name: 'a dangling name is no name: the engine', image: { outputs: ['type=image,push=true'], imageName: `moby-dangling@${DIGEST}` }, expected: { kind: 'image-store', image: DIGEST } },
  ])('$name', ({ image, expected }) => {
    expect(resolveMeasureTarget(built(image))).toEqual(expected);
  });

  // prettier-ignore
  test.each([
    { name: 'a tarball', image: { outputs: ['type=docker,dest=out.tar'] }, reason: 'the outputs (type=docker,dest=out.tar) leave no image in the engine\'s image store or a registry' },
    { name: 'a local directory (no digest)', image: { outputs: ['type=local,dest=out'], digest: '' }, reason: 'the outputs (type=local,dest=out) give no image to measure' },
    { name: 'no digest at all', image: { digest: '' }, reason: 'the build gave no image digest' },
    { name: 'docker-container without outputs', image: { driver: 'docker-container' }, reason: 'the docker-container driver keeps the image inside the builder' },
  ])('nothing to measure: $name', ({ image, reason }) => {
    expect(resolveMeasureTarget(built(image))).toEqual({ kind: 'none', reason });
  });
});

test('needsImageLoad: only when nothing was asked, the driver keeps the image, and one platform', () => {
  expect(needsImageLoad([], 'docker', 1)).toBe(false);
  expect(needsImageLoad([], 'docker-container', 1)).toBe(true);
  expect(needsImageLoad([], 'docker-container', 0)).toBe(true);
  expect(needsImageLoad([], 'docker-container', 2)).toBe(false);
  expect(needsImageLoad(['type=docker'], 'docker-container', 1)).toBe(false);
});

test.each([
  ['app', 'app'],
  ['app:1', 'app'],
  ['localhost:5000/app:1', 'localhost:5000/app'],
  ['localhost:5000/app', 'localhost:5000/app'],
  [`ghcr.io/acme/app@${DIGEST}`, 'ghcr.io/acme/app'],
  [`ghcr.io/acme/app:1@${DIGEST}`, 'ghcr.io/acme/app'],
])('repositoryOf(%s) = %s', (reference, repository) => {
  expect(repositoryOf(reference)).toBe(repository);
});
