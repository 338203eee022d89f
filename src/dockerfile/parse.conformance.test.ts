// BuildKit's own parser test data, read in place: the positive cases must dump exactly as `result`,
// the negative ones must fail with the message BuildKit gives, and line numbers must match.
import { afterAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFORMANCE_DIR, haveSharedData } from '../../__tests__/support/conformance.js';
import { dumpAst } from './dump.js';
import { DockerfileError } from './errors.js';
import { parseDockerfile } from './parse.js';

const PARSER_DIR = path.join(CONFORMANCE_DIR, 'buildkit/frontend/dockerfile/parser');
const present = haveSharedData(PARSER_DIR, 'BuildKit parser conformance');
const listCases = (dir: string): string[] => (present ? readdirSync(path.join(PARSER_DIR, dir)).sort() : []);

const positive = listCases('testfiles');
// What BuildKit's parser says for each negative case (its own test checks only that it fails).
const NEGATIVE_MESSAGES: Readonly<Record<string, string>> = {
  empty_dockerfile: 'file with no instructions',
  only_comments: 'file with no instructions',
  env_no_value: 'ENV must have two arguments',
  'shykes-nested-json': 'when using JSON array syntax, arrays must be comprised of strings only',
};
const negative = listCases('testfiles-negative');
const counts = { positive: 0, negative: 0, line: 0 };

(present ? describe : describe.skip)('BuildKit parser conformance', () => {
  afterAll(() => {
    console.log(
      `conformance: parser positive ${counts.positive}/33, negative ${counts.negative}/4, line-number ${counts.line}/1`,
    );
  });

  test('the data holds the expected number of cases', () => {
    expect(positive).toHaveLength(33);
    expect(negative.sort()).toEqual(Object.keys(NEGATIVE_MESSAGES).sort());
  });

  test.each(positive)('testfiles/%s dumps exactly as BuildKit', (name) => {
    const dir = path.join(PARSER_DIR, 'testfiles', name);
    const dockerfile = readFileSync(path.join(dir, 'Dockerfile'));
    const expected = readFileSync(path.join(dir, 'result'), 'utf8');
    expect(dumpAst(parseDockerfile(dockerfile)) + '\n').toBe(expected);
    counts.positive++;
  });

  test.each(negative)('testfiles-negative/%s is rejected with BuildKit’s message', (name) => {
    const dockerfile = readFileSync(path.join(PARSER_DIR, 'testfiles-negative', name, 'Dockerfile'));
    expect(() => parseDockerfile(dockerfile)).toThrow(DockerfileError);
    expect(() => parseDockerfile(dockerfile)).toThrow(NEGATIVE_MESSAGES[name]);
    counts.negative++;
  });

  test('testfile-line: every instruction carries its physical line range', () => {
    const ast = parseDockerfile(readFileSync(path.join(PARSER_DIR, 'testfile-line/Dockerfile')));
    expect(ast.range).toEqual({ start: 5, end: 31 });
    expect(ast.instructions.map((node) => node.range)).toEqual([
      { start: 5, end: 5 },
      { start: 11, end: 12 },
      { start: 17, end: 31 },
    ]);
    counts.line++;
  });
});
