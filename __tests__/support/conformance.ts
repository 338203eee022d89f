// Locates the shared conformance data (BuildKit's own test files, read in place, never copied).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CONFORMANCE_DIR =
  process.env.STAGECRAFT_CONFORMANCE_DIR ?? path.resolve(REPO_ROOT, '../shared/conformance');

export const CORPUS_DIR = process.env.STAGECRAFT_CORPUS_DIR ?? path.resolve(REPO_ROOT, '../shared/corpus');

/**
 * Whether the data folder is here. Absent in a checkout used elsewhere: say so loudly and skip; under
 * `.ci/run` (STAGECRAFT_REQUIRE_CONFORMANCE=1) a missing folder fails instead.
 */
export function haveSharedData(dir: string, what: string): boolean {
  if (existsSync(dir)) return true;
  const message = `${what}: ${dir} is absent`;
  if (process.env.STAGECRAFT_REQUIRE_CONFORMANCE === '1')
    throw new Error(`${message}, and this run requires it`);
  console.warn(`\n!!! ${message}: SKIPPING these tests !!!\n`);
  return false;
}
