import { describe, expect, test } from '@jest/globals';
import type { SizeReport } from '../size/types.js';
import { evaluateBudget } from './budget.js';
import { parseMaxIncrease, parseSize } from './units.js';

function report(compressedBytes: number, uncompressedBytes = compressedBytes * 3): SizeReport {
  return {
    schemaVersion: 1,
    target: 'app',
    platform: 'linux/amd64',
    createdAt: '2025-06-01T00:00:00.000Z',
    image: {},
    compressedBytes,
    uncompressedBytes,
    layers: [],
  };
}

const MB = 1_000_000;

describe('evaluateBudget', () => {
  // prettier-ignore
  const cases: [name: string, current: number, baseline: number | undefined, limit: string | undefined, increase: string | undefined, status: string, message: string][] = [
    ['within both', 142 * MB, 140 * MB, '150MB', '5%', 'within',
      'Within budget: compressed size 142MB is within the size-limit of 150MB; the compressed change of +2MB (+1.4%) is within the max-increase of 5%.'],
    ['exactly at the limits', 150 * MB, 140 * MB, '150MB', '10MB', 'within',
      'Within budget: compressed size 150MB is within the size-limit of 150MB; the compressed change of +10MB (+7.1%) is within the max-increase of 10MB.'],
    ['over the size-limit', 151 * MB, 150 * MB, '150MB', undefined, 'over',
      'Over budget: compressed size 151MB is over the size-limit of 150MB.'],
    ['over max-increase in percent', 160 * MB, 150 * MB, undefined, '5%', 'over',
      'Over budget: the compressed change of +10MB (+6.7%) is over the max-increase of 5%.'],
    ['over max-increase in bytes', 161 * MB, 150 * MB, undefined, '10MB', 'over',
      'Over budget: the compressed change of +11MB (+7.3%) is over the max-increase of 10MB.'],
    ['over both', 200 * MB, 150 * MB, '150MB', '10%', 'over',
      'Over budget: compressed size 200MB is over the size-limit of 150MB; the compressed change of +50MB (+33.3%) is over the max-increase of 10%.'],
    ['a shrinking image', 100 * MB, 150 * MB, undefined, '0%', 'within',
      'Within budget: the compressed change of -50MB (-33.3%) is within the max-increase of 0%.'],
    ['no baseline', 100 * MB, undefined, '150MB', '5%', 'no-baseline',
      'No baseline: no size report of the base branch to compare with; compressed size 100MB is within the size-limit of 150MB; max-increase of 5% not checked.'],
    ['no baseline, over the size-limit', 200 * MB, undefined, '150MB', '5%', 'over',
      'Over budget: no size report of the base branch to compare with; compressed size 200MB is over the size-limit of 150MB; max-increase of 5% not checked.'],
    ['no budget', 100 * MB, 90 * MB, undefined, undefined, 'within',
      'Within budget: no size-limit or max-increase set.'],
    ['from an empty baseline', 1 * MB, 0, undefined, '50%', 'over',
      'Over budget: the compressed change of +1MB (n/a) is over the max-increase of 50%.'],
  ];

  test.each(cases)('%s', (_name, current, baseline, limit, increase, status, message) => {
    const verdict = evaluateBudget(report(current), baseline === undefined ? undefined : report(baseline), {
      sizeLimit: limit === undefined ? undefined : parseSize(limit),
      maxIncrease: increase === undefined ? undefined : parseMaxIncrease(increase),
    });
    expect(verdict.status).toBe(status);
    expect(verdict.message).toBe(message);
    expect(verdict.breaches.length > 0).toBe(status === 'over');
  });

  test('ran every case', () => {
    expect(cases).toHaveLength(11);
  });

  test('breaches carry the numbers', () => {
    const verdict = evaluateBudget(report(200 * MB), report(150 * MB), {
      sizeLimit: 150 * MB,
      maxIncrease: { kind: 'percent', percent: 10 },
    });
    expect(verdict.breaches).toEqual([
      {
        kind: 'size-limit',
        limitBytes: 150 * MB,
        actualBytes: 200 * MB,
        message: 'compressed size 200MB is over the size-limit of 150MB',
      },
      {
        kind: 'max-increase',
        limit: { kind: 'percent', percent: 10 },
        increaseBytes: 50 * MB,
        increasePercent: (50 / 150) * 100,
        message: 'the compressed change of +50MB (+33.3%) is over the max-increase of 10%',
      },
    ]);
  });

  test('the uncompressed basis', () => {
    const verdict = evaluateBudget(report(100 * MB, 400 * MB), undefined, {
      sizeLimit: 300 * MB,
      basis: 'uncompressed',
    });
    expect(verdict).toMatchObject({ status: 'over', basis: 'uncompressed' });
    expect(verdict.message).toBe(
      'Over budget: no size report of the base branch to compare with; uncompressed size 400MB is over the size-limit of 300MB.',
    );
  });
});
