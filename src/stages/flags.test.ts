// BuildKit's bflag_test.go cases as tables, plus the suggestion search (util/suggest).
import { describe, expect, test } from '@jest/globals';
import { DockerfileError } from '../dockerfile/index.js';
import {
  ADD_FLAGS,
  COPY_FLAGS,
  type FlagDeclarations,
  goToLower,
  goToUpper,
  levenshtein,
  NO_FLAGS,
  parseFlags,
  RUN_FLAGS,
  suggest,
  withSuggestion,
} from './flags.js';

const TEST_FLAGS = {
  bool1: 'bool',
  bool2: 'bool',
  bool3: 'bool',
  str1: 'string',
  str2: 'string',
  list: 'strings',
} as const satisfies FlagDeclarations;

describe('parseFlags accepts', () => {
  // prettier-ignore
  test.each([
    { name: 'no flags',                       args: [],                                  values: {}, used: [] },
    { name: 'a bare -- alone',                args: ['--'],                              values: {}, used: [] },
    { name: 'flags after -- are not read',    args: ['--', '--nope'],                    values: {}, used: [] },
    { name: 'an empty string value',          args: ['--str1='],                         values: { str1: '' }, used: ['str1'] },
    { name: 'a string value',                 args: ['--str1=BYE'],                      values: { str1: 'BYE' }, used: ['str1'] },
    { name: 'a value holding =',              args: ['--str1=a=b'],                      values: { str1: 'a=b' }, used: ['str1'] },
    { name: 'a bool without value',           args: ['--bool1'],                         values: { bool1: true }, used: ['bool1'] },
    { name: 'a bool =true',                   args: ['--bool1=true'],                    values: { bool1: true }, used: ['bool1'] },
    { name: 'a bool =TRUE (any case)',        args: ['--bool1=TRUE'],                    values: { bool1: true }, used: ['bool1'] },
    { name: 'a bool =false',                  args: ['--bool1=false'],                   values: { bool1: false }, used: ['bool1'] },
    { name: 'a bool and a string',            args: ['--bool1', '--str1=BYE'],           values: { bool1: true, str1: 'BYE' }, used: ['bool1', 'str1'] },
    { name: 'a repeated list flag',           args: ['--list=a', '--list=b'],            values: { list: ['a', 'b'] }, used: ['list'] },
    { name: 'a blank list value',             args: ['--list= '],                        values: { list: [' '] }, used: ['list'] },
    { name: 'several kinds (BuildKit test)',  args: ['--bool2=false', '--bool3', '--str2= '], values: { bool2: false, bool3: true, str2: ' ' }, used: ['bool2', 'bool3', 'str2'] },
  ])('$name', ({ args, values, used }) => {
    const parsed = parseFlags(args, TEST_FLAGS);
    expect(parsed.values).toEqual({
      bool1: undefined,
      bool2: undefined,
      bool3: undefined,
      str1: undefined,
      str2: undefined,
      list: [],
      ...values,
    });
    expect([...parsed.used].sort()).toEqual(used);
  });
});

describe('parseFlags rejects', () => {
  // prettier-ignore
  test.each([
    { name: 'a string flag without =',       args: ['--str1'],                 message: 'missing a value on flag: --str1' },
    { name: 'a list flag without =',         args: ['--list'],                 message: 'missing a value on flag: --list' },
    { name: 'a bool flag with an empty =',   args: ['--bool1='],               message: 'missing a value on flag: --bool1' },
    { name: 'a bool flag not true or false', args: ['--bool1=false1'],         message: 'expecting boolean value for flag --bool1, not: false1' },
    { name: 'a bool flag =yes',              args: ['--bool1=yes'],            message: 'expecting boolean value for flag --bool1, not: yes' },
    { name: 'an unknown flag near a known',  args: ['--bool4'],                message: 'unknown flag: --bool4 (did you mean bool1?)' },
    { name: 'an unknown flag far from all',  args: ['--platform=x'],           message: 'unknown flag: --platform' },
    { name: 'an unknown flag with a value',  args: ['--stri=x'],               message: 'unknown flag: --stri (did you mean str1?)' },
    { name: 'a repeated string flag',        args: ['--str1=a', '--str1=b'],   message: 'duplicate flag specified: --str1' },
    { name: 'a repeated bool flag',          args: ['--bool1', '--bool1'],     message: 'duplicate flag specified: --bool1' },
    { name: 'a word without dashes',         args: ['-x'],                     message: 'arg should start with -- : -x' },
    { name: 'an error before a --',          args: ['--nope', '--'],           message: 'unknown flag: --nope' },
  ])('$name', ({ args, message }) => {
    expect(() => parseFlags(args, TEST_FLAGS)).toThrow(new DockerfileError(message));
  });
});

describe('declarations per instruction', () => {
  // prettier-ignore
  test.each([
    { name: 'ADD has no --from',               args: ['--from=x'],   declarations: ADD_FLAGS,  message: 'unknown flag: --from' },
    { name: 'ADD --chmown suggests chown',     args: ['--chmown=1'], declarations: ADD_FLAGS,  message: 'unknown flag: --chmown (did you mean chown?)' },
    { name: 'COPY --parent suggests parents',  args: ['--parent'],   declarations: COPY_FLAGS, message: 'unknown flag: --parent (did you mean parents?)' },
    { name: 'RUN --mout suggests mount',       args: ['--mout=x'],   declarations: RUN_FLAGS,  message: 'unknown flag: --mout (did you mean mount?)' },
    { name: 'RUN --networks suggests network', args: ['--networks=host'], declarations: RUN_FLAGS, message: 'unknown flag: --networks (did you mean network?)' },
    { name: 'no flags declared',               args: ['--x=1'],      declarations: NO_FLAGS,   message: 'unknown flag: --x' },
  ])('$name', ({ args, declarations, message }) => {
    expect(() => parseFlags(args, declarations)).toThrow(new DockerfileError(message));
  });

  test('COPY reads every flag it declares', () => {
    const { values } = parseFlags(
      [
        '--from=build',
        '--chown=1:1',
        '--chmod=644',
        '--link',
        '--parents=false',
        '--exclude=a',
        '--exclude=b',
      ],
      COPY_FLAGS,
    );
    expect(values).toEqual({
      from: 'build',
      chown: '1:1',
      chmod: '644',
      link: true,
      parents: false,
      exclude: ['a', 'b'],
    });
  });
});

describe('suggest', () => {
  // prettier-ignore
  test.each([
    { name: 'case-insensitive, upper input',   value: 'FORM',  options: ['from', 'run'], caseSensitive: false, expected: 'FROM' },
    { name: 'case-insensitive, lower input',   value: 'form',  options: ['FROM', 'RUN'], caseSensitive: false, expected: 'from' },
    { name: 'case-insensitive, mixed input',   value: 'Form',  options: ['FROM', 'RUN'], caseSensitive: false, expected: 'from' },
    { name: 'distance 2 is close enough',      value: 'rn',    options: ['run', 'user'],  caseSensitive: true, expected: 'run' },
    { name: 'distance 3 is too far',           value: 'abc',   options: ['xyz'],          caseSensitive: true, expected: undefined },
    { name: 'the closest option wins',         value: 'cope',  options: ['cmd', 'copy'],  caseSensitive: true, expected: 'copy' },
    { name: 'a tie goes to the first option',  value: 'ard',   options: ['add', 'arg'],   caseSensitive: true, expected: 'add' },
    { name: 'an exact match means no hint',    value: 'copy',  options: ['cop', 'copy'],  caseSensitive: true, expected: undefined },
    { name: 'case-sensitive: case counts',     value: 'FROM',  options: ['from'],         caseSensitive: true, expected: undefined },
    { name: 'no options',                      value: 'x',     options: [],               caseSensitive: true, expected: undefined },
  ])('$name', ({ value, options, caseSensitive, expected }) => {
    expect(suggest(value, options, caseSensitive)).toBe(expected);
  });

  test('withSuggestion appends the hint', () => {
    expect(withSuggestion('unknown x', 'mout', ['mount'], true)).toBe('unknown x (did you mean mount?)');
    expect(withSuggestion('unknown x', 'zzzz', ['mount'], true)).toBe('unknown x');
  });

  // prettier-ignore
  test.each([
    { a: '', b: '', distance: 0 },
    { a: 'abc', b: '', distance: 3 },
    { a: 'kitten', b: 'sitting', distance: 3 },
    { a: 'foo', b: 'from', distance: 2 },
    { a: 'héllo', b: 'hello', distance: 1 },
    { a: '😀a', b: 'a', distance: 1 },
  ])('levenshtein($a, $b) = $distance (code points)', ({ a, b, distance }) => {
    expect(levenshtein(a, b)).toBe(distance);
    expect(levenshtein(b, a)).toBe(distance);
  });
});

describe("Go's case mapping", () => {
  // prettier-ignore
  test.each([
    { name: 'ASCII',                   text: 'Stage-1',  lower: 'stage-1', upper: 'STAGE-1' },
    { name: 'dotted capital I',        text: 'İx',       lower: 'ix',      upper: 'İX' },
    { name: 'Kelvin sign',             text: '\u212a',   lower: 'k',       upper: '\u212a' },
    { name: 'sharp s stays',           text: 'ß',        lower: 'ß',       upper: 'ß' },
    { name: 'final sigma not special', text: 'ΑΣ',       lower: 'ασ',      upper: 'ΑΣ' },
  ])('$name', ({ text, lower, upper }) => {
    expect(goToLower(text)).toBe(lower);
    expect(goToUpper(text)).toBe(upper);
  });
});
