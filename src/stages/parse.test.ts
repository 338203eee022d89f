// parseStages: BuildKit's instructions/parse_test.go and parse_heredoc_test.go cases as tables (every
// error with its message and line), what each instruction becomes, and the real-world corpus.
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR, haveSharedData } from '../../__tests__/support/conformance.js';
import {
  DockerfileError,
  parseDockerfile,
  UnknownInstructionError,
  type InstructionNode,
} from '../dockerfile/index.js';
import type { Instruction, StagedDockerfile } from './instructions.js';
import { parseCommand, parseStages } from './parse.js';

const stagesOf = (text: string): StagedDockerfile => parseStages(parseDockerfile(text));

/** The single instruction of the single stage after `FROM scratch`. */
function only(text: string): Instruction {
  const { stages } = stagesOf(`FROM scratch\n${text}`);
  expect(stages).toHaveLength(1);
  expect(stages[0]!.instructions).toHaveLength(1);
  return stages[0]!.instructions[0]!;
}

function thrownBy(run: () => unknown): DockerfileError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DockerfileError);
    return error as DockerfileError;
  }
  throw new Error('expected a DockerfileError');
}

function failure(text: string): { message: string; line: number | undefined; error: DockerfileError } {
  const error = thrownBy(() => stagesOf(text));
  return { message: error.message, line: error.line, error };
}

const at = (line: number, message: string): string => `dockerfile parse error on line ${line}: ${message}`;

describe('instruction errors (message and line)', () => {
  // prettier-ignore
  const cases: { name: string; dockerfile: string; line: number; message: string }[] = [
    // FROM and stage names
    { name: 'FROM without arguments',            dockerfile: 'FROM',                                  line: 1, message: at(1, 'FROM requires either one or three arguments') },
    { name: 'FROM with two arguments',           dockerfile: 'FROM a b',                              line: 1, message: at(1, 'FROM requires either one or three arguments') },
    { name: 'FROM with AS misspelt',             dockerfile: 'FROM a is b',                           line: 1, message: at(1, 'FROM requires either one or three arguments') },
    { name: 'FROM with four arguments',          dockerfile: 'FROM a AS b c',                         line: 1, message: at(1, 'FROM requires either one or three arguments') },
    { name: 'a stage name starting with a digit', dockerfile: 'FROM a AS 1st',                        line: 1, message: at(1, 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols') },
    { name: 'a stage name with a symbol',        dockerfile: 'FROM a\nFROM b AS Build$',              line: 2, message: at(2, 'invalid name for build stage: "Build$", name can\'t start with a number or contain symbols') },
    { name: 'a stage name with a variable',      dockerfile: 'FROM a AS ${NAME}',                     line: 1, message: at(1, 'invalid name for build stage: "${NAME}", name can\'t start with a number or contain symbols') },
    { name: 'stage name checked before flags',   dockerfile: 'FROM --nope a AS 1',                    line: 1, message: at(1, 'invalid name for build stage: "1", name can\'t start with a number or contain symbols') },
    { name: 'FROM with an unknown flag',         dockerfile: 'FROM --plaform=x a',                    line: 1, message: at(1, 'unknown flag: --plaform (did you mean platform?)') },
    { name: 'FROM --platform without value',     dockerfile: 'FROM --platform a',                     line: 1, message: at(1, 'missing a value on flag: --platform') },
    { name: 'FROM --platform twice',             dockerfile: 'FROM --platform=a --platform=b c',      line: 1, message: at(1, 'duplicate flag specified: --platform') },
    // Before the first FROM
    { name: 'an instruction before FROM',        dockerfile: 'RUN true\nFROM a',                      line: 1, message: 'no build stage in current context' },
    { name: 'ENV before FROM after an ARG',      dockerfile: 'ARG A=1\n\nENV B=2\nFROM a',            line: 3, message: 'no build stage in current context' },
    { name: 'an invalid ARG before FROM',        dockerfile: 'ARG =x\nFROM a',                        line: 1, message: at(1, 'ARG names can not be blank') },
    { name: 'an unknown one before FROM',        dockerfile: 'FRON a',                                line: 1, message: at(1, 'unknown instruction: FRON (did you mean FROM?)') },
    // COPY and ADD
    { name: 'COPY with one argument',            dockerfile: 'FROM a\nCOPY arg1',                     line: 2, message: at(2, 'COPY requires at least two arguments, but only one was provided. Destination could not be determined') },
    { name: 'ADD with one argument',             dockerfile: 'FROM a\nADD arg1',                      line: 2, message: at(2, 'ADD requires at least two arguments, but only one was provided. Destination could not be determined') },
    { name: 'COPY then whitespace (BuildKit)',   dockerfile: 'FROM a\nCOPY\t\n\t\tquux \\\n      bar', line: 2, message: at(2, 'COPY requires at least two arguments, but only one was provided. Destination could not be determined') },
    { name: 'COPY arguments checked before flags', dockerfile: 'FROM a\nCOPY --nope x',               line: 2, message: at(2, 'COPY requires at least two arguments, but only one was provided. Destination could not be determined') },
    { name: 'COPY to a heredoc',                 dockerfile: 'FROM a\nCOPY /foo <<EOF\nEOF',          line: 2, message: at(2, 'COPY cannot accept a heredoc as a destination') },
    { name: 'ADD to a heredoc',                  dockerfile: 'FROM a\nADD x <<-EOF\nEOF',             line: 2, message: at(2, 'ADD cannot accept a heredoc as a destination') },
    { name: 'ADD --from',                        dockerfile: 'FROM a AS assets\nFROM b\nADD --from=assets /h /h', line: 3, message: at(3, 'unknown flag: --from') },
    { name: 'COPY --from twice',                 dockerfile: 'FROM a\nCOPY --from=a --from=b x y',    line: 2, message: at(2, 'duplicate flag specified: --from') },
    { name: 'COPY --link=maybe',                 dockerfile: 'FROM a\nCOPY --link=maybe x y',         line: 2, message: at(2, 'expecting boolean value for flag --link, not: maybe') },
    { name: 'COPY --link=',                      dockerfile: 'FROM a\nCOPY --link= x y',              line: 2, message: at(2, 'missing a value on flag: --link') },
    { name: 'COPY --exclude without value',      dockerfile: 'FROM a\nCOPY --exclude x y',            line: 2, message: at(2, 'missing a value on flag: --exclude') },
    { name: 'ADD --keep-git-dir=yes',            dockerfile: 'FROM a\nADD --keep-git-dir=yes x y',    line: 2, message: at(2, 'expecting boolean value for flag --keep-git-dir, not: yes') },
    { name: 'ADD --unpak suggests unpack',       dockerfile: 'FROM a\nADD --unpak x y',               line: 2, message: at(2, 'unknown flag: --unpak (did you mean unpack?)') },
    // ONBUILD
    { name: 'ONBUILD alone',                     dockerfile: 'FROM a\nONBUILD',                       line: 2, message: at(2, 'ONBUILD requires at least one argument') },
    { name: 'ONBUILD ONBUILD',                   dockerfile: 'FROM a\nONBUILD ONBUILD RUN touch foobar', line: 2, message: at(2, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed') },
    { name: 'ONBUILD FROM',                      dockerfile: 'FROM a\nONBUILD FROM scratch',          line: 2, message: at(2, 'FROM isn\'t allowed as an ONBUILD trigger') },
    { name: 'ONBUILD maintainer (any case)',     dockerfile: 'FROM a\nonbuild maintainer me',         line: 2, message: at(2, 'MAINTAINER isn\'t allowed as an ONBUILD trigger') },
    { name: 'ONBUILD with a flag of its own',    dockerfile: 'FROM a\nONBUILD --x RUN true',          line: 2, message: at(2, 'unknown flag: --x') },
    // One argument exactly
    { name: 'MAINTAINER alone',                  dockerfile: 'FROM a\nMAINTAINER',                    line: 2, message: at(2, 'MAINTAINER requires exactly one argument') },
    { name: 'WORKDIR alone',                     dockerfile: 'FROM a\nWORKDIR',                       line: 2, message: at(2, 'WORKDIR requires exactly one argument') },
    { name: 'USER alone',                        dockerfile: 'FROM a\nUSER',                          line: 2, message: at(2, 'USER requires exactly one argument') },
    { name: 'STOPSIGNAL alone',                  dockerfile: 'FROM a\nSTOPSIGNAL',                    line: 2, message: at(2, 'STOPSIGNAL requires exactly one argument') },
    { name: 'MAINTAINER unknown flag',           dockerfile: 'FROM a\nMAINTAINER --boo joe@example.com', line: 2, message: at(2, 'unknown flag: --boo') },
    { name: 'WORKDIR unknown flag',              dockerfile: 'FROM a\nWORKDIR --x /app',              line: 2, message: at(2, 'unknown flag: --x') },
    { name: 'USER unknown flag',                 dockerfile: 'FROM a\nUSER --x me',                   line: 2, message: at(2, 'unknown flag: --x') },
    // At least one argument
    { name: 'ENV alone',                         dockerfile: 'FROM a\nENV',                           line: 2, message: at(2, 'ENV requires at least one argument') },
    { name: 'LABEL alone',                       dockerfile: 'FROM a\nLABEL',                         line: 2, message: at(2, 'LABEL requires at least one argument') },
    { name: 'HEALTHCHECK alone',                 dockerfile: 'FROM a\nHEALTHCHECK',                   line: 2, message: at(2, 'HEALTHCHECK requires at least one argument') },
    { name: 'EXPOSE alone',                      dockerfile: 'FROM a\nEXPOSE',                        line: 2, message: at(2, 'EXPOSE requires at least one argument') },
    { name: 'VOLUME alone',                      dockerfile: 'FROM a\nVOLUME',                        line: 2, message: at(2, 'VOLUME requires at least one argument') },
    { name: 'VOLUME []',                         dockerfile: 'FROM a\nVOLUME []',                     line: 2, message: at(2, 'VOLUME requires at least one argument') },
    { name: 'ARG alone',                         dockerfile: 'FROM a\nARG',                           line: 2, message: at(2, 'ARG requires at least one argument') },
    { name: 'SHELL alone',                       dockerfile: 'FROM a\nSHELL',                         line: 2, message: at(2, 'SHELL requires at least one argument') },
    { name: 'SHELL []',                          dockerfile: 'FROM a\nSHELL []',                      line: 2, message: at(2, 'SHELL requires at least one argument') },
    // Blank names and other shapes
    { name: 'ENV with a blank name',             dockerfile: 'FROM a\nENV =arg2',                     line: 2, message: at(2, 'ENV names can not be blank') },
    { name: 'LABEL with a blank name',           dockerfile: 'FROM a\nLABEL a=1 =arg2',               line: 2, message: at(2, 'LABEL names can not be blank') },
    { name: 'ARG with a blank name',             dockerfile: 'FROM a\nARG a =x',                      line: 2, message: at(2, 'ARG names can not be blank') },
    { name: 'ENV with a flag',                   dockerfile: 'FROM a\nENV --x=1 a=b',                 line: 2, message: at(2, 'unknown flag: --x') },
    { name: 'LABEL with a flag',                 dockerfile: 'FROM a\nLABEL --x a=b',                 line: 2, message: at(2, 'unknown flag: --x') },
    { name: 'EXPOSE with a flag',                dockerfile: 'FROM a\nEXPOSE --x 80',                 line: 2, message: at(2, 'unknown flag: --x') },
    { name: 'CMD with a flag',                   dockerfile: 'FROM a\nCMD --x true',                  line: 2, message: at(2, 'unknown flag: --x') },
    { name: 'ENTRYPOINT with a flag',            dockerfile: 'FROM a\nENTRYPOINT --x true',           line: 2, message: at(2, 'unknown flag: --x') },
    { name: 'VOLUME with an empty path',         dockerfile: 'FROM a\nVOLUME ["/a", " "]',            line: 2, message: at(2, 'VOLUME specified can not be an empty string') },
    { name: 'SHELL in shell form',               dockerfile: 'FROM a\nSHELL /bin/bash -c',            line: 2, message: at(2, 'SHELL requires the arguments to be in JSON form') },
    { name: 'SHELL with a flag',                 dockerfile: 'FROM a\nSHELL --x ["sh"]',              line: 2, message: at(2, 'unknown flag: --x') },
    // HEALTHCHECK
    { name: 'HEALTHCHECK NONE with arguments',   dockerfile: 'FROM a\nHEALTHCHECK NONE x',            line: 2, message: at(2, 'HEALTHCHECK NONE takes no arguments') },
    { name: 'HEALTHCHECK CMD alone',             dockerfile: 'FROM a\nHEALTHCHECK CMD',               line: 2, message: at(2, 'Missing command after HEALTHCHECK CMD') },
    { name: 'HEALTHCHECK CMD []',                dockerfile: 'FROM a\nHEALTHCHECK CMD []',            line: 2, message: at(2, 'Missing command after HEALTHCHECK CMD') },
    { name: 'HEALTHCHECK of an unknown type',    dockerfile: 'FROM a\nHEALTHCHECK cmdx true',         line: 2, message: at(2, 'Unknown type "CMDX" in HEALTHCHECK (try CMD)') },
    { name: 'HEALTHCHECK flags before type',     dockerfile: 'FROM a\nHEALTHCHECK --nope BAD x',      line: 2, message: at(2, 'unknown flag: --nope') },
    { name: 'HEALTHCHECK type before interval',  dockerfile: 'FROM a\nHEALTHCHECK --interval=5x BAD x', line: 2, message: at(2, 'Unknown type "BAD" in HEALTHCHECK (try CMD)') },
    { name: 'HEALTHCHECK --intervl',             dockerfile: 'FROM a\nHEALTHCHECK --intervl=1s CMD x', line: 2, message: at(2, 'unknown flag: --intervl (did you mean interval?)') },
    { name: 'HEALTHCHECK --interval no value',   dockerfile: 'FROM a\nHEALTHCHECK --interval CMD x',  line: 2, message: at(2, 'missing a value on flag: --interval') },
    { name: 'an interval under 1ms',             dockerfile: 'FROM a\nHEALTHCHECK --interval=50ns CMD x', line: 2, message: at(2, 'Interval "interval" cannot be less than 1ms') },
    { name: 'a negative timeout',                dockerfile: 'FROM a\nHEALTHCHECK --timeout=-1s CMD x', line: 2, message: at(2, 'Interval "timeout" cannot be less than 1ms') },
    { name: 'a start period of 999us',           dockerfile: 'FROM a\nHEALTHCHECK --start-period=999us CMD x', line: 2, message: at(2, 'Interval "start-period" cannot be less than 1ms') },
    { name: 'a start interval of 0.5ms',         dockerfile: 'FROM a\nHEALTHCHECK --start-interval=0.5ms CMD x', line: 2, message: at(2, 'Interval "start-interval" cannot be less than 1ms') },
    { name: 'a duration without unit',           dockerfile: 'FROM a\nHEALTHCHECK --interval=5 CMD x', line: 2, message: at(2, 'time: missing unit in duration "5"') },
    { name: 'a duration with a bad unit',        dockerfile: 'FROM a\nHEALTHCHECK --interval=5x CMD x', line: 2, message: at(2, 'time: unknown unit "x" in duration "5x"') },
    // BuildKit's flag scanner turns each UTF-8 byte into a rune, so `é` reaches ParseDuration as `Ã©`.
    { name: 'a duration with a non-ASCII unit',  dockerfile: 'FROM a\nHEALTHCHECK --interval=5é CMD x', line: 2, message: at(2, 'time: unknown unit "\\xc3\\x83\\xc2\\xa9" in duration "5\\xc3\\x83\\xc2\\xa9"') },
    { name: 'a duration that is a word',         dockerfile: 'FROM a\nHEALTHCHECK --timeout=soon CMD x', line: 2, message: at(2, 'time: invalid duration "soon"') },
    { name: 'a duration of only a dot',          dockerfile: 'FROM a\nHEALTHCHECK --timeout=.s CMD x', line: 2, message: at(2, 'time: invalid duration ".s"') },
    { name: 'a duration that overflows',         dockerfile: 'FROM a\nHEALTHCHECK --timeout=9999999999h CMD x', line: 2, message: at(2, 'time: invalid duration "9999999999h"') },
    { name: 'negative retries',                  dockerfile: 'FROM a\nHEALTHCHECK --retries=-1 CMD x', line: 2, message: at(2, '--retries cannot be negative (-1)') },
    { name: 'retries that are not a number',     dockerfile: 'FROM a\nHEALTHCHECK --retries=three CMD x', line: 2, message: at(2, 'strconv.ParseInt: parsing "three": invalid syntax') },
    { name: 'retries beyond 32 bits',            dockerfile: 'FROM a\nHEALTHCHECK --retries=2147483648 CMD x', line: 2, message: at(2, 'strconv.ParseInt: parsing "2147483648": value out of range') },
    // RUN
    { name: 'RUN --mount from with a variable',  dockerfile: 'FROM a\nRUN --mount=type=cache,from=$X,target=/x true', line: 2, message: at(2, "'from' doesn't support variable expansion, define alias stage instead") },
    { name: 'RUN --mount with a bare quote',     dockerfile: 'FROM a\nRUN --mount=target=/a\\"b true', line: 2, message: at(2, 'failed to parse csv mounts: parse error on line 1, column 10: bare " in non-quoted-field') },
    { name: 'RUN --mount= empty',                dockerfile: 'FROM a\nRUN --mount= true',             line: 2, message: at(2, 'failed to parse csv mounts: EOF') },
    { name: 'RUN --mount without value',         dockerfile: 'FROM a\nRUN --mount true',              line: 2, message: at(2, 'missing a value on flag: --mount') },
    { name: 'RUN --mout',                        dockerfile: 'FROM a\nRUN --mout=type=cache true',    line: 2, message: at(2, 'unknown flag: --mout (did you mean mount?)') },
    { name: 'RUN --network=bridge',              dockerfile: 'FROM a\nRUN --network=bridge true',     line: 2, message: at(2, 'invalid network mode "bridge"') },
    { name: 'RUN --network=',                    dockerfile: 'FROM a\nRUN --network= true',           line: 2, message: at(2, 'invalid network mode ""') },
    { name: 'RUN --security=privileged',         dockerfile: 'FROM a\nRUN --security=privileged true', line: 2, message: at(2, 'security "privileged" is not valid') },
    { name: 'RUN --device with two names',       dockerfile: 'FROM a\nRUN --device=a,b true',         line: 2, message: at(2, "invalid field 'b' must be a key=value pair") },
    { name: 'RUN devices before mounts',         dockerfile: 'FROM a\nRUN --mount=from=$X --device=a,name=b true', line: 2, message: at(2, 'device name already set to a') },
    { name: 'RUN mounts before network',         dockerfile: 'FROM a\nRUN --network=x --mount=from=$X true', line: 2, message: at(2, "'from' doesn't support variable expansion, define alias stage instead") },
    { name: 'RUN network before security',       dockerfile: 'FROM a\nRUN --security=x --network=y true', line: 2, message: at(2, 'invalid network mode "y"') },
    { name: 'RUN flags before hooks',            dockerfile: 'FROM a\nRUN --network=x --nope true',   line: 2, message: at(2, 'unknown flag: --nope') },
    // Unknown instructions
    { name: 'FOO (BuildKit test)',               dockerfile: 'FROM a\nFOO bar',                       line: 2, message: at(2, 'unknown instruction: FOO (did you mean FROM?)') },
    { name: 'foo in lower case',                 dockerfile: 'FROM a\nfoo bar',                       line: 2, message: at(2, 'unknown instruction: foo (did you mean from?)') },
    { name: 'Copyy in mixed case',               dockerfile: 'FROM a\nCopyy x y',                     line: 2, message: at(2, 'unknown instruction: Copyy (did you mean copy?)') },
    { name: 'ENTRYPONT',                         dockerfile: 'FROM a\nENTRYPONT ["x"]',               line: 2, message: at(2, 'unknown instruction: ENTRYPONT (did you mean ENTRYPOINT?)') },
    { name: 'nothing close',                     dockerfile: 'FROM a\nXYZZY x',                       line: 2, message: at(2, 'unknown instruction: XYZZY') },
    // Lines
    { name: 'the first line of a continued instruction', dockerfile: 'FROM a\n\n# c\nRUN --network=x \\\n  true', line: 4, message: at(4, 'invalid network mode "x"') },
    { name: 'an error after a heredoc',          dockerfile: 'FROM a\nRUN <<EOF\nFROM b AS 1\nEOF\nUSER',  line: 5, message: at(5, 'USER requires exactly one argument') },
  ];

  test.each(cases)('$name', ({ dockerfile, line, message }) => {
    const result = failure(dockerfile);
    expect(result.message).toBe(message);
    expect(result.line).toBe(line);
  });

  test('the table is complete', () => {
    expect(cases).toHaveLength(101);
  });

  test('an unknown instruction is an UnknownInstructionError covering the whole instruction', () => {
    const { error } = failure('FROM a\nFOO bar \\\n  baz');
    expect(error).toBeInstanceOf(UnknownInstructionError);
    expect((error as UnknownInstructionError).instruction).toBe('FOO');
    expect(error.ranges).toEqual([{ start: 2, end: 3 }]);
  });

  test('a wrapped error keeps the inner message as its cause', () => {
    const { error } = failure('FROM a\nCOPY x');
    expect(error.ranges).toEqual([{ start: 2, end: 2 }]);
    expect((error.cause as Error).message).toBe(
      'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    );
  });
});

describe('hand-built nodes the parser never makes (BuildKit TestCommandsTooManyArguments)', () => {
  const node = (keyword: string, args: string[]): InstructionNode => ({
    keyword,
    rawKeyword: keyword.toUpperCase(),
    flags: [],
    args,
    json: false,
    onbuild: undefined,
    heredocs: [],
    original: '',
    range: { start: 7, end: 8 },
    comments: [],
  });

  // prettier-ignore
  test.each([
    { name: 'ENV with four words',   keyword: 'env',   args: ['arg1', 'arg2', 'arg3', ''], message: 'Bad input to ENV, too many arguments' },
    { name: 'LABEL with four words', keyword: 'label', args: ['arg1', 'arg2', 'arg3', ''], message: 'Bad input to LABEL, too many arguments' },
    { name: 'ENV with a blank name', keyword: 'env',   args: ['', 'arg2', '='],            message: 'ENV names can not be blank' },
  ])('$name', ({ keyword, args, message }) => {
    const error = thrownBy(() => parseCommand(node(keyword, args)));
    expect([error.message, error.ranges]).toEqual([message, [{ start: 7, end: 8 }]]);
  });
});

describe('instructions BuildKit accepts without checking', () => {
  // prettier-ignore
  test.each([
    { name: 'STOPSIGNAL ignores flags',         text: 'STOPSIGNAL --x SIGKILL',        kind: 'stopsignal' },
    { name: 'ARG ignores flags',                text: 'ARG --x a=1',                   kind: 'arg' },
    { name: 'HEALTHCHECK NONE ignores flags',   text: 'HEALTHCHECK --nope=1 NONE',     kind: 'healthcheck' },
    { name: 'RUN without a command',            text: 'RUN',                           kind: 'run' },
    { name: 'CMD without a command',            text: 'CMD',                           kind: 'cmd' },
    { name: 'ONBUILD with an unknown trigger',  text: 'ONBUILD FOO bar',               kind: 'onbuild' },
    { name: 'ONBUILD with a bad trigger',       text: 'ONBUILD COPY x',                kind: 'onbuild' },
    { name: 'an unknown mount type',            text: 'RUN --mount=type=foo true',     kind: 'run' },
    { name: 'a mount from ending in $',         text: 'RUN --mount=from=x$ true',      kind: 'run' },
    { name: 'HEALTHCHECK --interval=0s',        text: 'HEALTHCHECK --interval=0s CMD x', kind: 'healthcheck' },
    { name: 'HEALTHCHECK --interval=1ms',       text: 'HEALTHCHECK --interval=1ms CMD x', kind: 'healthcheck' },
  ])('$name', ({ text, kind }) => {
    expect(only(text).kind).toBe(kind);
  });
});

describe('what each instruction holds', () => {
  // prettier-ignore
  test.each([
    { name: 'ENV key=value pairs',        text: 'ENV a=1 b="two words"',        expected: { kind: 'env', env: [{ key: 'a', value: '1', noDelimiter: false }, { key: 'b', value: '"two words"', noDelimiter: false }] } },
    { name: 'ENV legacy form',            text: 'ENV a b c',                    expected: { kind: 'env', env: [{ key: 'a', value: 'b c', noDelimiter: true }] } },
    { name: 'LABEL pairs',                text: 'LABEL "com.x"="y" z=1',        expected: { kind: 'label', labels: [{ key: '"com.x"', value: '"y"', noDelimiter: false }, { key: 'z', value: '1', noDelimiter: false }] } },
    { name: 'MAINTAINER',                 text: 'MAINTAINER Jo <jo@x>',         expected: { kind: 'maintainer', maintainer: 'Jo <jo@x>' } },
    { name: 'WORKDIR raw',                text: 'WORKDIR $HOME/app',            expected: { kind: 'workdir', path: '$HOME/app' } },
    { name: 'USER raw',                   text: 'USER ${UID}:0',                expected: { kind: 'user', user: '${UID}:0' } },
    { name: 'STOPSIGNAL',                 text: 'STOPSIGNAL SIGTERM',           expected: { kind: 'stopsignal', signal: 'SIGTERM' } },
    { name: 'EXPOSE sorted as BuildKit',  text: 'EXPOSE 8080 443/tcp 80',       expected: { kind: 'expose', ports: ['443/tcp', '80', '8080'] } },
    { name: 'VOLUME trimmed',             text: 'VOLUME [" /data ", "/logs"]',  expected: { kind: 'volume', volumes: ['/data', '/logs'] } },
    { name: 'ARG forms',                  text: 'ARG a b= c=d=e "q"=1',         expected: { kind: 'arg', args: [{ key: 'a', value: undefined }, { key: 'b', value: '' }, { key: 'c', value: 'd=e' }, { key: '"q"', value: '1' }] } },
    { name: 'SHELL',                      text: 'SHELL ["pwsh", "-c"]',         expected: { kind: 'shell', shell: ['pwsh', '-c'] } },
    { name: 'CMD shell form',             text: 'CMD echo  "hi"',               expected: { kind: 'cmd', command: { args: ['echo  "hi"'], prependShell: true } } },
    { name: 'CMD exec form',              text: 'CMD ["echo", "hi"]',           expected: { kind: 'cmd', command: { args: ['echo', 'hi'], prependShell: false } } },
    { name: 'CMD bad JSON is shell form', text: "CMD ['echo']",                 expected: { kind: 'cmd', command: { args: ["['echo']"], prependShell: true } } },
    { name: 'ENTRYPOINT exec form',       text: 'ENTRYPOINT ["/init"]',         expected: { kind: 'entrypoint', command: { args: ['/init'], prependShell: false } } },
    { name: 'ENTRYPOINT []',              text: 'ENTRYPOINT []',                expected: { kind: 'entrypoint', command: { args: [], prependShell: false } } },
    { name: 'HEALTHCHECK shell form',     text: 'HEALTHCHECK CMD hello world',  expected: { kind: 'healthcheck', test: ['CMD-SHELL', 'hello world'], interval: undefined, retries: undefined } },
    { name: 'HEALTHCHECK exec form',      text: 'HEALTHCHECK cmd ["curl", "-f", "x"]', expected: { kind: 'healthcheck', test: ['CMD', 'curl', '-f', 'x'] } },
    { name: 'HEALTHCHECK NONE',           text: 'HEALTHCHECK none',             expected: { kind: 'healthcheck', test: ['NONE'] } },
    { name: 'HEALTHCHECK flags',          text: 'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=0 --start-interval=1.5s --retries=+3 CMD true', expected: { kind: 'healthcheck', interval: '30s', timeout: '1m30s', startPeriod: '0', startInterval: '1.5s', retries: 3 } },
    { name: 'HEALTHCHECK empty flags',    text: 'HEALTHCHECK --interval= --retries= CMD true', expected: { kind: 'healthcheck', interval: undefined, retries: undefined } },
    { name: 'COPY flags',                 text: 'COPY --from=Build --chown=1:1 --chmod=755 --link --parents --exclude=*.md --exclude=x a b /d/', expected: { kind: 'copy', from: 'Build', chown: '1:1', chmod: '755', link: true, parents: true, exclude: ['*.md', 'x'], files: { sources: ['a', 'b'], contents: [], dest: '/d/' } } },
    { name: 'COPY without flags',         text: 'COPY a /d',                    expected: { kind: 'copy', from: undefined, chown: undefined, link: false, parents: false, exclude: [] } },
    { name: 'COPY --from= is unset',      text: 'COPY --from= a /d',            expected: { kind: 'copy', from: undefined } },
    { name: 'COPY JSON form',             text: 'COPY ["a b", "/d e/"]',        expected: { kind: 'copy', files: { sources: ['a b'], contents: [], dest: '/d e/' } } },
    { name: 'COPY a JSON heredoc word',   text: 'COPY ["<<EOF", "/d"]',         expected: { kind: 'copy', files: { sources: [], contents: [{ path: 'EOF', data: '', expand: true }], dest: '/d' } } },
    { name: 'ADD flags',                  text: 'ADD --checksum=sha256:abc --keep-git-dir=false --unpack --link=false https://x/y.tgz /y', expected: { kind: 'add', checksum: 'sha256:abc', keepGitDir: false, unpack: true, link: false, exclude: [], files: { sources: ['https://x/y.tgz'], contents: [], dest: '/y' } } },
    { name: 'ADD without flags',          text: 'ADD a /b',                     expected: { kind: 'add', keepGitDir: undefined, unpack: undefined, checksum: undefined, chown: undefined, chmod: undefined } },
    { name: 'RUN shell form',             text: 'RUN echo hi && ls',            expected: { kind: 'run', command: { args: ['echo hi && ls'], prependShell: true }, mounts: [], network: undefined, security: undefined, devices: [] } },
    { name: 'RUN exec form',              text: 'RUN ["ls", "/"]',              expected: { kind: 'run', command: { args: ['ls', '/'], prependShell: false }, heredocs: [] } },
    { name: 'RUN exec form <<EOF',        text: 'RUN ["<<EOF"]',                expected: { kind: 'run', command: { args: ['<<EOF'], prependShell: false }, heredocs: [] } },
    { name: 'RUN flags',                  text: 'RUN --network=none --security=insecure --device=nvidia.com/gpu=all --device=x,required true', expected: { kind: 'run', network: 'none', security: 'insecure', devices: ['nvidia.com/gpu=all', 'x,required'] } },
    { name: 'RUN -- ends the flags',      text: 'RUN -- --not-a-flag',          expected: { kind: 'run', command: { args: ['--not-a-flag'], prependShell: true } } },
  ])('$name', ({ text, expected }) => {
    expect(only(text)).toMatchObject(expected);
  });

  test('RUN mounts keep their values raw and their CSV', () => {
    const run = only(
      'RUN --mount=type=cache,target=/root/.cache/go-build,id=$ID --mount=from=build,src=/out,target=/in go build',
    );
    expect(run).toMatchObject({
      kind: 'run',
      mounts: [
        {
          type: 'cache',
          target: '/root/.cache/go-build',
          id: '$ID',
          readOnly: false,
          raw: 'type=cache,target=/root/.cache/go-build,id=$ID',
        },
        {
          type: 'bind',
          from: 'build',
          source: '/out',
          target: '/in',
          readOnly: true,
          raw: 'from=build,src=/out,target=/in',
        },
      ],
    });
  });

  test('a mount BuildKit would reject when building keeps its message', () => {
    const run = only('RUN --mount=type=secret,id=a,from=s true');
    expect(run).toMatchObject({
      kind: 'run',
      mounts: [{ from: 's', deferredError: 'secret mount should not have a from' }],
    });
  });
});

describe('heredocs (BuildKit TestCopyHeredoc, TestRunHeredoc)', () => {
  // prettier-ignore
  test.each([
    { name: 'no heredoc',             text: 'COPY /foo /bar',                                       sources: ['/foo'], contents: [] },
    { name: 'an empty body',          text: 'COPY <<EOF /bar\nEOF',                                 sources: [], contents: [{ path: 'EOF', data: '', expand: true }] },
    { name: 'one line',               text: 'COPY <<EOF /bar\nTESTING\nEOF',                        sources: [], contents: [{ path: 'EOF', data: 'TESTING\n', expand: true }] },
    { name: 'chomped',                text: 'COPY <<-EOF /bar\n\tTESTING\nEOF',                     sources: [], contents: [{ path: 'EOF', data: 'TESTING\n', expand: true }] },
    { name: 'quoted: no expansion',   text: "COPY <<'EOF' /bar\nTESTING\nEOF",                      sources: [], contents: [{ path: 'EOF', data: 'TESTING\n', expand: false }] },
    { name: 'two heredocs',           text: 'COPY <<EOF1 <<EOF2 /bar\nthis is the first file\nEOF1\nthis is the second file\nEOF2', sources: [], contents: [{ path: 'EOF1', data: 'this is the first file\n', expand: true }, { path: 'EOF2', data: 'this is the second file\n', expand: true }] },
    { name: 'a heredoc and a path',   text: 'COPY <<EOF foo.txt /bar\nthis is inline\nEOF',         sources: ['foo.txt'], contents: [{ path: 'EOF', data: 'this is inline\n', expand: true }] },
    { name: 'quotes in the body',     text: 'COPY <<EOF /bar\n"quotes"\nEOF',                       sources: [], contents: [{ path: 'EOF', data: '"quotes"\n', expand: true }] },
  ])('COPY $name', ({ text, sources, contents }) => {
    expect(only(text)).toMatchObject({ kind: 'copy', files: { sources, contents, dest: '/bar' } });
  });

  test('ADD heredoc sources become contents too', () => {
    expect(only('ADD <<"EOF" /x\nbody\nEOF')).toMatchObject({
      kind: 'add',
      files: { sources: [], contents: [{ path: 'EOF', data: 'body\n', expand: false }], dest: '/x' },
    });
  });

  // prettier-ignore
  test.each([
    { name: 'a script',              text: 'RUN <<EOF\nls /\nwhoami\nEOF',                          args: ['<<EOF'], heredocs: [{ name: 'EOF', content: 'ls /\nwhoami\n', chomp: false, expand: true }] },
    { name: 'piped to python',       text: 'RUN <<\'EOF\' | python\nprint("hello")\nprint("world")\nEOF', args: ["<<'EOF' | python"], heredocs: [{ name: 'EOF', content: 'print("hello")\nprint("world")\n', expand: false }] },
    { name: 'chomp kept raw',        text: 'RUN <<-EOF\n\techo test\nEOF',                          args: ['<<-EOF'], heredocs: [{ name: 'EOF', content: '\techo test\n', chomp: true }] },
  ])('RUN $name', ({ text, args, heredocs }) => {
    expect(only(text)).toMatchObject({ kind: 'run', command: { args, prependShell: true }, heredocs });
  });
});

describe('ONBUILD', () => {
  // prettier-ignore
  test.each([
    { name: 'a simple trigger',            text: 'ONBUILD RUN echo hi',                      expression: 'RUN echo hi',                 keyword: 'run' },
    { name: 'lower case keyword',          text: 'onbuild   COPY --from=x a b',              expression: 'COPY --from=x a b',           keyword: 'copy' },
    { name: 'a continued trigger',         text: 'ONBUILD RUN a \\\n  && b',                 expression: 'RUN a   && b',                keyword: 'run' },
    { name: 'with heredocs',               text: 'ONBUILD COPY <<A <<-B /x\none\nA\n\ttwo\n\tB', expression: 'COPY <<A <<-B /x\none\nA\n\ttwo\nB', keyword: 'copy' },
  ])('$name', ({ text, expression, keyword }) => {
    const onbuild = only(text);
    expect(onbuild).toMatchObject({ kind: 'onbuild', expression });
    if (onbuild.kind !== 'onbuild') throw new Error('not an ONBUILD');
    expect(onbuild.trigger.keyword).toBe(keyword);
  });

  test('parseCommand reads a trigger on its own, errors unprefixed', () => {
    const onbuild = only('ONBUILD COPY --from=assets /a /b');
    if (onbuild.kind !== 'onbuild') throw new Error('not an ONBUILD');
    expect(parseCommand(onbuild.trigger)).toMatchObject({ kind: 'copy', from: 'assets' });

    const bad = parseDockerfile('FROM a\nCOPY x').instructions[1]!;
    expect(() => parseCommand(bad)).toThrow(
      new DockerfileError(
        'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      ),
    );
    const from = parseDockerfile('FROM a').instructions[0]!;
    expect(() => parseCommand(from)).toThrow(
      new DockerfileError('*instructions.Stage is not a command type'),
    );
  });
});

describe('stages', () => {
  const dockerfile = [
    '# syntax=docker/dockerfile:1', // 1
    'ARG BASE=alpine', // 2
    'ARG VERSION', // 3
    '# the builder', // 4
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS Build', // 5
    'WORKDIR /src', // 6
    'RUN go build \\', // 7
    '  -o /out/app', // 8
    '', // 9
    'FROM ${BASE}:${VERSION}', // 10
    'FROM scratch as final', // 11
    'COPY --from=build /out/app /app', // 12
    'CMD ["/app"]', // 13
  ].join('\n');

  test('meta args, names, bases and ranges', () => {
    const result = stagesOf(dockerfile);
    expect(result.escapeToken).toBe('\\');
    expect(result.metaArgs.map((arg) => [arg.args, arg.range])).toEqual([
      [[{ key: 'BASE', value: 'alpine' }], { start: 2, end: 2 }],
      [[{ key: 'VERSION', value: undefined }], { start: 3, end: 3 }],
    ]);
    const summary = result.stages.map(({ instructions, ...stage }) => ({
      ...stage,
      kinds: instructions.map((instruction) => instruction.kind),
    }));
    expect(summary).toEqual([
      {
        index: 0,
        name: 'build',
        rawName: 'Build',
        baseName: 'golang:1.22',
        platform: '$BUILDPLATFORM',
        fromRange: { start: 5, end: 5 },
        range: { start: 5, end: 8 },
        comments: ['the builder'],
        kinds: ['workdir', 'run'],
      },
      {
        index: 1,
        name: undefined,
        rawName: undefined,
        baseName: '${BASE}:${VERSION}',
        platform: undefined,
        fromRange: { start: 10, end: 10 },
        range: { start: 10, end: 10 },
        comments: [],
        kinds: [],
      },
      {
        index: 2,
        name: 'final',
        rawName: 'final',
        baseName: 'scratch',
        platform: undefined,
        fromRange: { start: 11, end: 11 },
        range: { start: 11, end: 13 },
        comments: [],
        kinds: ['copy', 'cmd'],
      },
    ]);
  });

  test('ARGs after the first FROM belong to the stage', () => {
    const result = stagesOf('ARG A\nFROM x\nARG B');
    expect(result.metaArgs).toHaveLength(1);
    expect(result.stages[0]!.instructions.map((instruction) => instruction.kind)).toEqual(['arg']);
  });

  test('only meta args: no stages, no error (BuildKit fails later, in the graph)', () => {
    const result = stagesOf('ARG A=1');
    expect(result.stages).toEqual([]);
    expect(result.metaArgs).toHaveLength(1);
  });

  // prettier-ignore
  test.each([
    { name: 'AS in lower case',          line: 'FROM a as b',    stage: 'b' },
    { name: 'AS in mixed case',          line: 'FROM a aS b',    stage: 'b' },
    { name: 'a name with - _ .',         line: 'FROM a AS x-1_y.z', stage: 'x-1_y.z' },
    { name: 'an upper-case name',        line: 'FROM a AS BUILDER', stage: 'builder' },
    { name: 'no name',                   line: 'FROM a',         stage: undefined },
  ])('stage name: $name', ({ line, stage }) => {
    expect(stagesOf(line).stages[0]!.name).toBe(stage);
  });

  test('the escape directive is passed on', () => {
    expect(stagesOf('# escape=`\nFROM a\nRUN a `\n  b').escapeToken).toBe('`');
  });
});

const present = haveSharedData(CORPUS_DIR, 'Dockerfile corpus');
const manifest: { file: string; numFrom: number }[] = present
  ? readFileSync(path.join(CORPUS_DIR, 'manifest.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split('\t'))
      .map(([file = '', , , , numFrom = '']) => ({ file, numFrom: Number(numFrom) }))
  : [];

/**
 * Corpus files BuildKit itself rejects at the instruction level (they are Buildah test inputs: Buildah
 * accepts these stage names, BuildKit's `parseBuildStageName` does not). `num_from` still counts their
 * FROM lines, which the parser sees.
 */
const REJECTED_BY_BUILDKIT: Readonly<Record<string, { line: number; message: string }>> = {
  // `FROM build AS platform-arm/v7`: `/` is not allowed in a stage name.
  'containers__buildah__tests__bud__base-with-arg__Containerfile': {
    line: 13,
    message: at(
      13,
      'invalid name for build stage: "platform-arm/v7", name can\'t start with a number or contain symbols',
    ),
  },
  // `FROM ${PULLSPEC} AS ${FIRST_STAGE}`: BuildKit never expands stage names.
  'containers__buildah__tests__bud__save-stages__Dockerfile.arg-build-stages-and-chained-build-stages': {
    line: 5,
    message: at(
      5,
      'invalid name for build stage: "${FIRST_STAGE}", name can\'t start with a number or contain symbols',
    ),
  },
};

(present ? describe : describe.skip)('real-world corpus', () => {
  let checked = 0;

  test('the manifest lists every file once', () => {
    const files = readdirSync(path.join(CORPUS_DIR, 'files')).sort();
    expect(manifest.map((row) => row.file).sort()).toEqual(files);
    expect(files).toHaveLength(70);
  });

  test.each(manifest)('$file has $numFrom stages', ({ file, numFrom }) => {
    const ast = parseDockerfile(readFileSync(path.join(CORPUS_DIR, 'files', file)));
    const rejected = REJECTED_BY_BUILDKIT[file];
    if (rejected === undefined) {
      expect(parseStages(ast).stages).toHaveLength(numFrom);
    } else {
      expect(ast.instructions.filter((node) => node.keyword === 'from')).toHaveLength(numFrom);
      const error = thrownBy(() => parseStages(ast));
      expect([error.message, error.line]).toEqual([rejected.message, rejected.line]);
    }
    checked++;
  });

  // Runs after the table (tests in a file run in order): no file may be skipped silently.
  test('all 70 files were checked, 2 of them rejected as BuildKit rejects them', () => {
    expect(checked).toBe(70);
    expect(
      Object.keys(REJECTED_BY_BUILDKIT).filter((file) => manifest.some((row) => row.file === file)),
    ).toHaveLength(2);
  });
});
