// Goldens we own are files compared byte for byte; `UPDATE_GOLDEN=1 npm test` rewrites them for review.
import { expect } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';

export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`golden ${file} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
  }
  expect(actual).toBe(expected);
}
