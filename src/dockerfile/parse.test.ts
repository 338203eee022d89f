import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumpAst } from './dump.js';
import { DockerfileError } from './errors.js';
import { parseDockerfile } from './parse.js';
import { processWord, ShellExpansionError } from './shell.js';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');

interface ExpectedHeredoc {
  name: string;
  content: string;
  expand: boolean;
  chomp: boolean;
  fileDescriptor: number;
}
interface Expected {
  note: string;
  dump?: string;
  instructions?: {
    range: [number, number];
    heredocs: ExpectedHeredoc[];
    onbuild?: { heredocs: ExpectedHeredoc[] };
  }[];
  error?: { message: string; line: number };
}

const cases = readdirSync(TESTDATA)
  .filter((name) => name.startsWith('heredoc-'))
  .sort();

describe('heredocs (testdata/heredoc-*)', () => {
  test('every heredoc form has a case', () => {
    expect(cases.length).toBe(21);
  });

  test.each(cases)('%s', (name) => {
    const dockerfile = readFileSync(path.join(TESTDATA, name, 'Dockerfile'));
    const expected = JSON.parse(readFileSync(path.join(TESTDATA, name, 'expected.json'), 'utf8')) as Expected;
    if (expected.error !== undefined) {
      const error = catchError(() => parseDockerfile(dockerfile));
      expect(error.message).toBe(expected.error.message);
      expect(error.line).toBe(expected.error.line);
      return;
    }
    const ast = parseDockerfile(dockerfile);
    expect(dumpAst(ast)).toBe(expected.dump);
    expect(
      ast.instructions.map((node) => ({
        range: [node.range.start, node.range.end],
        heredocs: node.heredocs,
        ...(node.onbuild === undefined ? {} : { onbuild: { heredocs: node.onbuild.heredocs } }),
      })),
    ).toEqual(expected.instructions);
  });
});

function catchError(fn: () => unknown): DockerfileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DockerfileError);
    return error as DockerfileError;
  }
  throw new Error('expected a DockerfileError');
}

// prettier-ignore
const directiveCases: { name: string; dockerfile: string; dump: string; escape: string; syntax?: string; check?: string }[] = [
  { name: 'escape directive switches to backtick', dockerfile: '# escape=`\nFROM a\nRUN echo \\\nRUN b `\n  c\n', dump: '(from "a")\n(run "echo \\\\")\n(run "b   c")', escape: '`' },
  { name: 'directives only in the leading run', dockerfile: '# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM a\n', dump: '(from "a")', escape: '`', syntax: 'docker/dockerfile:1', check: 'skip=all' },
  { name: 'a comment ends directive scanning', dockerfile: '# hello\n# escape=`\nFROM a\nRUN b \\\n c\n', dump: '(from "a")\n(run "b  c")', escape: '\\' },
  { name: 'a blank line ends directive scanning', dockerfile: '\n# escape=`\nFROM a\n', dump: '(from "a")', escape: '\\' },
  { name: 'unknown directive ends scanning', dockerfile: '# foo=bar\n# escape=`\nFROM a\n', dump: '(from "a")', escape: '\\' },
  { name: 'directive keys are case-insensitive, values kept', dockerfile: '#  ESCAPE = `\nFROM a\n', dump: '(from "a")', escape: '`' },
  { name: 'a shebang ends scanning', dockerfile: '#!/bin/sh\n# escape=`\nFROM a\n', dump: '(from "a")', escape: '\\' },
  { name: 'trailing blanks after a directive value are dropped', dockerfile: '# escape=`  \t\nFROM a\n', dump: '(from "a")', escape: '`' },
  { name: 'a BOM is dropped', dockerfile: '\uFEFF# escape=`\nFROM a\n', dump: '(from "a")', escape: '`' },
];

describe('parser directives', () => {
  test.each(directiveCases)('$name', ({ dockerfile, dump, escape, syntax, check }) => {
    const ast = parseDockerfile(dockerfile);
    expect(dumpAst(ast)).toBe(dump);
    expect(ast.escapeToken).toBe(escape);
    expect(ast.directives.syntax).toBe(syntax);
    expect(ast.directives.check).toBe(check);
  });

  // prettier-ignore
  test.each([
    { name: 'repeated directive', dockerfile: '# escape=\\\n# escape=`\nFROM a\n', message: 'only one escape parser directive can be used', line: 2 },
    { name: 'invalid escape token', dockerfile: '# escape=x\nFROM a\n', message: "invalid escape token 'x' does not match ` or \\", line: 1 },
    { name: 'line over 64 KiB', dockerfile: `FROM a\nRUN ${'x'.repeat(70000)}\n`, message: 'dockerfile line greater than max allowed size of 65535', line: 2 },
    { name: 'comments only', dockerfile: '# a\n\n# b\n', message: 'file with no instructions', line: 3 },
    { name: 'ENV without value', dockerfile: 'FROM a\nENV PATH\n', message: 'ENV must have two arguments', line: 2 },
    { name: 'JSON array of non-strings', dockerfile: 'FROM a\nCMD ["a", 1]\n', message: 'when using JSON array syntax, arrays must be comprised of strings only', line: 2 },
    { name: 'LABEL word without =', dockerfile: 'FROM a\nLABEL a=b c\n', message: 'Syntax error - can\'t find = in "c". Must be of the form: name=value', line: 2 },
  ])('$name fails on line $line', ({ dockerfile, message, line }) => {
    const error = catchError(() => parseDockerfile(dockerfile));
    expect(error.message).toBe(message);
    expect(error.line).toBe(line);
  });
});

describe('hostile input stays linear and bounded', () => {
  test('long runs of blanks in comments, instructions and directives', () => {
    const blanks = ' '.repeat(30000);
    const started = performance.now();
    expect(
      parseDockerfile(`# syntax=a${blanks}b\nFROM x\n# c${blanks}d\nRUN a${blanks}b ${blanks}\n`)
        .instructions,
    ).toHaveLength(2);
    // Quadratic trimming took seconds here; linear takes milliseconds (a generous bound, not a benchmark).
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('expansions nested past the lexer’s limit are a Dockerfile error, not a stack overflow', () => {
    expect(() => processWord('${X:-'.repeat(5000) + 'a' + '}'.repeat(5000), new Map())).toThrow(
      ShellExpansionError,
    );
    expect(processWord('${X:-'.repeat(100) + 'a' + '}'.repeat(100), new Map())).toBe('a');
  });
});

describe('continuations and comments', () => {
  // prettier-ignore
  test.each([
    { name: 'comment and blank lines inside a continuation', dockerfile: 'FROM a\nRUN echo \\\n# comment\n\n  more\n', dump: '(from "a")\n(run "echo   more")', ranges: [[1, 1], [2, 5]], warnings: 1 },
    { name: 'trailing blanks after the escape', dockerfile: 'FROM a\nRUN a \\  \t\nb\n', dump: '(from "a")\n(run "a b")', ranges: [[1, 1], [2, 3]], warnings: 0 },
    { name: 'escaped backslash does not continue', dockerfile: 'FROM a\nRUN a\\\\\nRUN b\n', dump: '(from "a")\n(run "a\\\\\\\\")\n(run "b")', ranges: [[1, 1], [2, 2], [3, 3]], warnings: 0 },
    { name: 'continuation at end of file', dockerfile: 'FROM a\nRUN a \\', dump: '(from "a")\n(run "a")', ranges: [[1, 1], [2, 2]], warnings: 0 },
    { name: 'keywords in any case, leading whitespace', dockerfile: '  from a AS b\n\tRuN x\n', dump: '(from "a" "AS" "b")\n(run "x")', ranges: [[1, 1], [2, 2]], warnings: 0 },
    { name: 'no inline comments', dockerfile: 'FROM a\nRUN a # b\n', dump: '(from "a")\n(run "a # b")', ranges: [[1, 1], [2, 2]], warnings: 0 },
  ])('$name', ({ dockerfile, dump, ranges, warnings }) => {
    const ast = parseDockerfile(dockerfile);
    expect(dumpAst(ast)).toBe(dump);
    expect(ast.instructions.map((node) => [node.range.start, node.range.end])).toEqual(ranges);
    expect(ast.warnings).toHaveLength(warnings);
  });

  test('comments above an instruction are kept with it (blank lines do not reset them, a bare # does)', () => {
    const ast = parseDockerfile('# syntax=x\n# builds the app\nFROM a\n\n# unrelated\n\nRUN b\n');
    expect(ast.instructions.map((node) => node.comments)).toEqual([['builds the app'], ['unrelated']]);
    const reset = parseDockerfile('FROM a\n# one\n#\n# two\nRUN b\n');
    expect(reset.instructions[1]!.comments).toEqual(['two']);
  });

  test('non-ASCII flag words are scanned byte-wise as BuildKit does', () => {
    const ast = parseDockerfile('FROM a\nCOPY --chown=é src dst\n');
    // Go writes each UTF-8 byte of a flag as its own rune.
    expect(ast.instructions[1]!.flags).toEqual(['--chown=\u00c3\u00a9']);
    expect(ast.instructions[1]!.args).toEqual(['src', 'dst']);
  });
});
