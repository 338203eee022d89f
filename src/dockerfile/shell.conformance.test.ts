/**
 * BuildKit's own shell tables, read in place from the shared conformance folder (never copied):
 * `frontend/dockerfile/shell/envVarTest` (Lex.ProcessWord) and `wordsTest` (Lex.ProcessWords), parsed
 * as `buildkit/FORMAT.md` sections 2 and 3 describe, which is how lex_test.go reads them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, test } from '@jest/globals';

import { goTrimSpace } from './go-text.js';
import { processWord, processWords } from './shell.js';

const EXPECTED_ENV_VAR_ROWS = 228; // A and U rows; the 2 W rows are Windows-only
const EXPECTED_WORDS_ROWS = 24;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const conformanceDir =
  process.env.STAGECRAFT_CONFORMANCE_DIR ?? path.resolve(repoRoot, '../shared/conformance');
const shellDir = path.join(conformanceDir, 'buildkit/frontend/dockerfile/shell');

/** A row, or a line the format does not allow (which fails as its own test). */
interface EnvVarRow {
  readonly line: number;
  readonly platform: string;
  readonly source: string;
  readonly expected: string;
  readonly problem?: string;
}

interface WordsRow {
  readonly line: number;
  readonly input: string;
  readonly expected: readonly string[];
  /** The environment as the ENV lines above this row left it. */
  readonly env: ReadonlyMap<string, string>;
  readonly problem?: string;
}

/** Lines as Go's bufio.Scanner gives them: split at \n, one trailing \r dropped, no empty last line. */
function scanLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** TestShellParser4EnvVars: `PLATFORM | SOURCE | EXPECTED`, all trimmed; `#` in column 0 is a comment. */
function parseEnvVarTest(text: string): { rows: EnvVarRow[]; windowsOnly: number } {
  const rows: EnvVarRow[] = [];
  let windowsOnly = 0;
  scanLines(text).forEach((raw, index) => {
    const line = index + 1;
    if (raw.startsWith('#')) return;
    const trimmed = goTrimSpace(raw);
    if (trimmed === '') return;
    const fields = trimmed.split('|');
    if (fields.length !== 3) {
      rows.push({
        line,
        platform: '?',
        source: raw,
        expected: '',
        problem: `expected 3 fields, got ${fields.length}`,
      });
      return;
    }
    const [platform, source, expected] = fields.map(goTrimSpace) as [string, string, string];
    if (platform === 'W') {
      windowsOnly++;
    } else if (platform === 'A' || platform === 'U') {
      rows.push({ line, platform, source, expected });
    } else {
      rows.push({
        line,
        platform,
        source,
        expected,
        problem: `invalid platform tag ${JSON.stringify(platform)}`,
      });
    }
  });
  return { rows, windowsOnly };
}

/**
 * TestShellParser4Words in its "normal" mode: `ENV name=value` lines add to the environment for the rows
 * after them (trailing spaces kept); other lines are `INPUT | WORD,WORD,...` with only leading spaces
 * removed from the expected side.
 */
function parseWordsTest(text: string): WordsRow[] {
  const rows: WordsRow[] = [];
  const env = new Map<string, string>();
  scanLines(text).forEach((raw, index) => {
    const line = index + 1;
    if (raw.startsWith('#')) return;
    if (raw.startsWith('ENV ')) {
      const assignment = raw.slice(3).replace(/^ +/, '');
      const eq = assignment.indexOf('=');
      if (eq < 0) env.set(assignment, '');
      else env.set(assignment.slice(0, eq), assignment.slice(eq + 1));
      return;
    }
    const parts = raw.split('|');
    if (parts.length !== 2) {
      rows.push({ line, input: raw, expected: [], env: new Map(env), problem: 'expected exactly one |' });
      return;
    }
    const [input, expected] = parts as [string, string];
    rows.push({
      line,
      input: goTrimSpace(input),
      expected: expected.replace(/^ +/, '').split(','),
      env: new Map(env),
    });
  });
  return rows;
}

const ENV_VAR_ENV = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
]);

if (!existsSync(conformanceDir)) {
  const message =
    `BuildKit conformance data not found at ${conformanceDir}: the shell lexer is NOT being checked against ` +
    'envVarTest and wordsTest. Set STAGECRAFT_CONFORMANCE_DIR to the shared conformance folder.';
  if (process.env.STAGECRAFT_REQUIRE_CONFORMANCE === '1') {
    throw new Error(`${message} (STAGECRAFT_REQUIRE_CONFORMANCE=1)`);
  }
  console.warn(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n`);
  describe.skip('BuildKit shell conformance (data not found)', () => {
    test('envVarTest', () => undefined);
    test('wordsTest', () => undefined);
  });
} else {
  const envVarTest = parseEnvVarTest(readFileSync(path.join(shellDir, 'envVarTest'), 'utf8'));
  const wordsTest = parseWordsTest(readFileSync(path.join(shellDir, 'wordsTest'), 'utf8'));
  const passed = { envVar: 0, words: 0 };

  describe('BuildKit shell conformance', () => {
    afterAll(() => {
      console.log(
        `conformance: envVarTest ${passed.envVar}/${envVarTest.rows.length}, ` +
          `wordsTest ${passed.words}/${wordsTest.length} (${envVarTest.windowsOnly} Windows-only rows skipped)`,
      );
    });

    describe('envVarTest (ProcessWord)', () => {
      test.each(envVarTest.rows)('line $line: $platform | $source | $expected', (row) => {
        if (row.problem !== undefined) throw new Error(`envVarTest line ${row.line}: ${row.problem}`);
        if (row.expected === 'error') {
          expect(() => processWord(row.source, ENV_VAR_ENV)).toThrow();
        } else {
          expect(processWord(row.source, ENV_VAR_ENV)).toBe(row.expected);
        }
        passed.envVar++;
      });
    });

    describe('wordsTest (ProcessWords)', () => {
      test.each(wordsTest)('line $line: $input → $expected', (row) => {
        if (row.problem !== undefined) throw new Error(`wordsTest line ${row.line}: ${row.problem}`);
        let result: string[];
        try {
          result = processWords(row.input, row.env);
        } catch {
          result = ['error'];
        }
        expect(result).toEqual(row.expected);
        passed.words++;
      });
    });

    // Declared last, so it runs after every row above.
    test(`all ${EXPECTED_ENV_VAR_ROWS} envVarTest and ${EXPECTED_WORDS_ROWS} wordsTest rows ran and passed`, () => {
      expect(envVarTest.rows).toHaveLength(EXPECTED_ENV_VAR_ROWS);
      expect(wordsTest).toHaveLength(EXPECTED_WORDS_ROWS);
      expect(passed).toEqual({ envVar: EXPECTED_ENV_VAR_ROWS, words: EXPECTED_WORDS_ROWS });
    });
  });
}
