import { describe, expect, test } from '@jest/globals';
import { InputError } from '../options.js';
import {
  formatCountDelta,
  formatGo,
  formatMaxIncrease,
  formatPercentDelta,
  formatSize,
  formatSizeDelta,
  parseMaxIncrease,
  parsePercent,
  parseSize,
} from './units.js';

// Printed by go-units HumanSizeWithPrecision(size, 3) (go-units 2bd057e, Go 1.19), which `docker images`
// and `docker history` use. Ties are decided on the exact binary value: 1.135 is stored just above, 9.995
// just below.
// prettier-ignore
const DOCKER_PRINTS: readonly [number, string][] = [
  [0, '0B'], [1, '1B'], [999, '999B'], [1000, '1kB'], [1024, '1.02kB'], [1125, '1.12kB'], [1135, '1.14kB'],
  [1145, '1.15kB'], [1155, '1.16kB'], [1234, '1.23kB'], [1250, '1.25kB'], [1350, '1.35kB'], [9995, '9.99kB'],
  [10250, '10.2kB'], [10350, '10.3kB'], [12345, '12.3kB'], [99949, '99.9kB'], [99950, '100kB'],
  [99951, '100kB'], [100500, '100kB'], [100501, '101kB'], [125, '125B'], [999499, '999kB'],
  [1000000, '1MB'], [1048576, '1.05MB'], [1500000, '1.5MB'], [2500000, '2.5MB'], [2505000, '2.5MB'],
  [2515000, '2.52MB'], [77912345, '77.9MB'], [150000000, '150MB'], [123456789012, '123GB'],
  [1000000000000, '1TB'], [5372000000000, '5.37TB'], [2220000000000000, '2.22PB'],
];

describe('formatSize', () => {
  test.each(DOCKER_PRINTS)('%d bytes is %s, as docker prints it', (bytes, expected) => {
    expect(formatSize(bytes)).toBe(expected);
  });

  test('ran every recorded case', () => {
    expect(DOCKER_PRINTS).toHaveLength(35);
  });

  // Go prints `1e+03kB` and `1e+03MB` here; we move to the next unit.
  test.each([
    [999500, '1MB'],
    [999999, '1MB'],
    [999500000, '1GB'],
  ])('%d bytes rounds up into the next unit: %s', (bytes, expected) => {
    expect(formatSize(bytes)).toBe(expected);
  });

  test('negative sizes and non-numbers', () => {
    expect(formatSize(-1500)).toBe('-1.5kB');
    expect(() => formatSize(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatGo', () => {
  test.each([
    [0.000012345, 3, '1.23e-05'],
    [123456, 3, '1.23e+05'],
    [0.5, 3, '0.5'],
    [0.00125, 3, '0.00125'],
    [999.5, 3, '1e+03'],
    [10, 3, '10'],
  ])('%%.%#g of %d', (value, precision, expected) => {
    expect(formatGo(value, precision)).toBe(expected);
  });
});

describe('deltas', () => {
  test.each([
    [1234567, '+1.23MB'],
    [-512, '-512B'],
    [0, '0B'],
    [-999999, '-1MB'],
  ])('size change %d is %s', (bytes, expected) => {
    expect(formatSizeDelta(bytes)).toBe(expected);
  });

  test.each([
    [3, '+3'],
    [-1, '-1'],
    [0, '0'],
  ])('count change %d is %s', (count, expected) => {
    expect(formatCountDelta(count)).toBe(expected);
  });

  test.each([
    [{ change: 100, percent: 3.44 }, '+3.4%'],
    [{ change: -100, percent: -0.55 }, '-0.6%'],
    [{ change: 1, percent: 0.0001 }, '+0.0%'],
    [{ change: 0, percent: 0 }, '0.0%'],
    [{ change: 0, percent: undefined }, '0.0%'],
    [{ change: 5, percent: undefined }, 'n/a'],
  ])('percent change %j is %s', (delta, expected) => {
    expect(formatPercentDelta(delta)).toBe(expected);
  });
});

describe('parseSize', () => {
  test.each([
    ['150MB', 150_000_000],
    ['1.5GB', 1_500_000_000],
    ['10MB', 10_000_000],
    ['500kB', 500_000],
    ['500KB', 500_000],
    ['500k', 500_000],
    ['2 GB', 2_000_000_000],
    ['.5MB', 500_000],
    ['0B', 0],
    ['12B', 12],
    ['1MiB', 1_048_576],
    ['1.5GiB', 1_610_612_736],
    ['1TB', 1e12],
  ])('%s is %d bytes', (input, bytes) => {
    expect(parseSize(input, 'size-limit')).toBe(bytes);
  });

  test.each([
    [
      '150',
      'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB (the unit is required), got "150"',
    ],
    ['15OMB', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "15OMB"'],
    ['-5MB', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "-5MB"'],
    ['5 MB ', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "5 MB "'],
    ['5  MB', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "5  MB"'],
    ['5XB', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "5XB"'],
    ['1e6B', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "1e6B"'],
    ['', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got ""'],
    ['5MBB', 'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "5MBB"'],
    ['99999999TB', 'Input size-limit: "99999999TB" is too large'],
  ])('%j is refused', (input, message) => {
    expect(() => parseSize(input, 'size-limit')).toThrow(new InputError(message));
  });
});

describe('parseMaxIncrease and parsePercent', () => {
  test.each([
    ['5%', { kind: 'percent', percent: 5 }],
    ['0.5%', { kind: 'percent', percent: 0.5 }],
    ['0%', { kind: 'percent', percent: 0 }],
    ['10MB', { kind: 'bytes', bytes: 10_000_000 }],
    ['512 kB', { kind: 'bytes', bytes: 512_000 }],
  ])('%s', (input, expected) => {
    expect(parseMaxIncrease(input)).toEqual(expected);
  });

  test.each([
    [
      '5',
      'Input max-increase: expected a percentage such as 5% or a size with a unit such as 150MB, 1.5GB or 500kB, got "5"',
    ],
    ['-5%', 'Input max-increase: expected a percentage such as 5% or 0.1%, got "-5%"'],
    ['five%', 'Input max-increase: expected a percentage such as 5% or 0.1%, got "five%"'],
    [
      '10 MiBs',
      'Input max-increase: expected a size with a unit such as 150MB, 1.5GB or 500kB, got "10 MiBs"',
    ],
  ])('%j is refused', (input, message) => {
    expect(() => parseMaxIncrease(input)).toThrow(new InputError(message));
  });

  test('comment-threshold', () => {
    expect(parsePercent('0.1%', 'comment-threshold')).toBe(0.1);
    expect(() => parsePercent('0.1', 'comment-threshold')).toThrow(
      'Input comment-threshold: expected a percentage such as 5% or 0.1%, got "0.1"',
    );
  });

  test('formatMaxIncrease', () => {
    expect(formatMaxIncrease({ kind: 'percent', percent: 5 })).toBe('5%');
    expect(formatMaxIncrease({ kind: 'bytes', bytes: 10_000_000 })).toBe('10MB');
  });
});
