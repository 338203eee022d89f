import { describe, expect, test } from '@jest/globals';

import { InputError } from '../input-error.js';
import { formatAge, parseMaxCacheAge } from './max-age.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseMaxCacheAge', () => {
  // prettier-ignore
  test.each([
    ['7d',    7 * DAY],
    ['12h',   12 * HOUR],
    ['30m',   30 * MINUTE],
    ['2w',    14 * DAY],
    ['1m',    MINUTE],
    [' 7d\n', 7 * DAY],
    ['365d',  365 * DAY],
  ])('%j', (value, ms) => {
    expect(parseMaxCacheAge(value)).toBe(ms);
  });

  const EXPECTED =
    'expected a whole number and a unit m, h, d or w (minutes, hours, days, weeks), such as 7d, 12h, 30m or 2w';
  // prettier-ignore
  test.each([
    ['7',        `Input max-cache-age: ${EXPECTED} (the unit is required), got "7"`],
    ['7 days',   `Input max-cache-age: ${EXPECTED}, got "7 days"`],
    ['7D',       `Input max-cache-age: ${EXPECTED}, got "7D"`],
    ['1.5d',     `Input max-cache-age: ${EXPECTED}, got "1.5d"`],
    ['-1d',      `Input max-cache-age: ${EXPECTED}, got "-1d"`],
    ['7s',       `Input max-cache-age: ${EXPECTED}, got "7s"`],
    ['1d12h',    `Input max-cache-age: ${EXPECTED}, got "1d12h"`],
    ['',         `Input max-cache-age: ${EXPECTED}, got ""`],
    ['0d',       'Input max-cache-age: must be at least 1d, got "0d"'],
    ['99999999999999w', 'Input max-cache-age: "99999999999999w" is too large'],
  ])('%j is refused', (value, message) => {
    expect(() => parseMaxCacheAge(value)).toThrow(new InputError(message));
  });

  test('the error names the input it was given', () => {
    expect(() => parseMaxCacheAge('soon', 'max-age')).toThrow(/^Input max-age: /);
    expect(() => parseMaxCacheAge('soon')).toThrow(InputError);
  });
});

describe('formatAge', () => {
  // prettier-ignore
  test.each([
    [0,                    '0m'],
    [59 * 1000,            '0m'],
    [45 * MINUTE,          '45m'],
    [119 * MINUTE,         '119m'],
    [2 * HOUR,             '2h'],
    [36 * HOUR,            '36h'],
    [2 * DAY,              '2d'],
    [9 * DAY + 23 * HOUR,  '9d'],
    [14 * DAY,             '14d'],
    [-5,                   '0m'],
  ])('%d ms', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
