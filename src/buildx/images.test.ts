import { describe, expect, test } from '@jest/globals';
import { digestReference, parseLayerList } from './images.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('digestReference', () => {
  test.each([
    ['busybox', `busybox@${DIGEST}`],
    ['busybox:1.36', `busybox@${DIGEST}`],
    ['127.0.0.1:5000/team/base:1', `127.0.0.1:5000/team/base@${DIGEST}`],
    ['127.0.0.1:5000/team/base', `127.0.0.1:5000/team/base@${DIGEST}`],
    [`busybox@sha256:${'b'.repeat(64)}`, `busybox@sha256:${'b'.repeat(64)}`],
  ])('%s → %s', (image, expected) => {
    expect(digestReference(image, DIGEST)).toBe(expected);
  });
});

describe('parseLayerList', () => {
  test('reads docker image inspect output, refuses anything else', () => {
    expect(parseLayerList(`["${DIGEST}"]\n`)).toEqual([DIGEST]);
    expect(parseLayerList('null')).toBeUndefined();
    expect(parseLayerList('[1]')).toBeUndefined();
    expect(parseLayerList('no')).toBeUndefined();
  });
});
