import { expect, test } from '@jest/globals';
import type { SizeDiff } from '../size/types.js';
import { EMPTY_SIZE_OUTPUTS, renderSizeOutputs } from './outputs.js';

const current = { compressedBytes: 1500, uncompressedBytes: 4000, layerCount: 3 };

function diff(baseline: number | undefined): SizeDiff {
  if (baseline === undefined) return { current, baseline: undefined, delta: undefined, layers: [] };
  const change = current.compressedBytes - baseline;
  const percent = baseline === 0 ? undefined : (change / baseline) * 100;
  const delta = { change, percent };
  return {
    current,
    baseline: { compressedBytes: baseline, uncompressedBytes: 0, layerCount: 3 },
    delta: { compressed: delta, uncompressed: delta, layerCount: { change: 0, percent: 0 } },
    layers: [],
  };
}

test('without a baseline: the sizes, and empty deltas', () => {
  expect(renderSizeOutputs(diff(undefined))).toEqual({
    ...EMPTY_SIZE_OUTPUTS,
    size: '1500',
    'size-uncompressed': '4000',
  });
});

test.each([
  { baseline: 1000, delta: '500', percent: '50.00' },
  { baseline: 1501, delta: '-1', percent: '-0.07' },
  { baseline: 1500, delta: '0', percent: '0.00' },
  { baseline: 1500001, delta: '-1498501', percent: '-99.90' },
  { baseline: 0, delta: '1500', percent: '' },
])('baseline $baseline: delta $delta, percent "$percent"', ({ baseline, delta, percent }) => {
  expect(renderSizeOutputs(diff(baseline))).toMatchObject({
    'size-delta': delta,
    'size-delta-percent': percent,
    'baseline-size': String(baseline),
  });
});

test('a change too small for two decimals is 0.00, never -0.00', () => {
  const tiny: SizeDiff = {
    ...diff(1000),
    delta: {
      compressed: { change: -1, percent: -0.0001 },
      uncompressed: { change: 0, percent: 0 },
      layerCount: { change: 0, percent: 0 },
    },
  };
  expect(renderSizeOutputs(tiny)['size-delta-percent']).toBe('0.00');
});
