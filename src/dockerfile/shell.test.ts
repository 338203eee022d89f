import { describe, expect, test } from '@jest/globals';

import {
  ShellExpansionError,
  ShellPatternError,
  convertShellPatternToRegex,
  processWord,
  processWordWithMatches,
  processWords,
  type LexOptions,
} from './shell.js';

type Vars = Readonly<Record<string, string>>;

const env = (vars: Vars = {}): Map<string, string> => new Map(Object.entries(vars));

/** The environment most tables use: set, set-but-empty, and paths for the pattern modifiers. */
const BASE: Vars = {
  SET: 'value',
  EMPTY: '',
  PATH_: 'a/b/c',
  FILE: 'archive.tar.gz',
  SPACED: ' x  y ',
  ÉTÉ: 'summer',
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('processWord: variables and modifiers', () => {
  test.each([
    { word: '$SET', expected: 'value' },
    { word: '${SET}', expected: 'value' },
    { word: '$UNSET', expected: '' },
    { word: '${UNSET}', expected: '' },
    { word: 'x$SET.y', expected: 'xvalue.y' },
    { word: '$SET_1x', expected: '' },
    { word: '$SET-x', expected: 'value-x' },
    { word: '${SET}}', expected: 'value}' },
    { word: '$ÉTÉ', expected: 'summer' },
    { word: '${ÉTÉ}', expected: 'summer' },
    { word: '$', expected: '$' },
    { word: 'a$', expected: 'a$' },
    { word: '$.', expected: '$.' },
    { word: '$/x', expected: '$/x' },
    { word: '$ SET', expected: '$ SET' },
    // ${V:-w} / ${V-w}: default when unset (colon: or empty)
    { word: '${SET:-x}', expected: 'value' },
    { word: '${EMPTY:-x}', expected: 'x' },
    { word: '${UNSET:-x}', expected: 'x' },
    { word: '${SET-x}', expected: 'value' },
    { word: '${EMPTY-x}', expected: '' },
    { word: '${UNSET-x}', expected: 'x' },
    { word: '${UNSET:-}', expected: '' },
    { word: '${UNSET:-a b}', expected: 'a b' },
    // ${V:+w} / ${V+w}: alternative when set (colon: and non-empty)
    { word: '${SET:+x}', expected: 'x' },
    { word: '${EMPTY:+x}', expected: '' },
    { word: '${UNSET:+x}', expected: '' },
    { word: '${SET+x}', expected: 'x' },
    { word: '${EMPTY+x}', expected: 'x' },
    { word: '${UNSET+x}', expected: '' },
    // ${V:?m} / ${V?m}: the value when allowed
    { word: '${SET:?x}', expected: 'value' },
    { word: '${SET?x}', expected: 'value' },
    { word: '${EMPTY?x}', expected: '' },
    // nesting
    { word: '${UNSET:-${SET}}', expected: 'value' },
    { word: '${UNSET:-$SET/x}', expected: 'value/x' },
    { word: '${UNSET:-${ALSO:-deep}}', expected: 'deep' },
    { word: '${SET:+${SET}:}', expected: 'value:' },
    { word: '${UNSET:-"q $SET"}', expected: 'q value' },
    { word: "${UNSET:-'$SET'}", expected: '$SET' },
    { word: '${UNSET:-a\\}b}', expected: 'a}b' },
    { word: '${UNSET:-bbb {foo}', expected: 'bbb {foo' },
    // # ## % %%: shortest/longest prefix/suffix
    { word: '${PATH_#*/}', expected: 'b/c' },
    { word: '${PATH_##*/}', expected: 'c' },
    { word: '${PATH_%/*}', expected: 'a/b' },
    { word: '${PATH_%%/*}', expected: 'a' },
    { word: '${FILE%.*}', expected: 'archive.tar' },
    { word: '${FILE%%.*}', expected: 'archive' },
    { word: '${FILE#*.}', expected: 'tar.gz' },
    { word: '${FILE##*.}', expected: 'gz' },
    { word: '${FILE#archive}', expected: '.tar.gz' },
    { word: '${FILE#nomatch}', expected: 'archive.tar.gz' },
    { word: '${FILE%.g?}', expected: 'archive.tar' },
    { word: '${FILE#}', expected: 'archive.tar.gz' },
    { word: '${FILE%%}', expected: 'archive.tar.gz' },
    { word: '${UNSET#*}', expected: '' },
    { word: '${FILE#$UNSET}', expected: 'archive.tar.gz' },
    // / and //: first or every match (greedy * in the pattern)
    { word: '${PATH_/\\//-}', expected: 'a-b/c' },
    { word: '${PATH_//\\//-}', expected: 'a-b-c' },
    { word: '${PATH_/?/Z}', expected: 'Z/b/c' },
    { word: '${PATH_/b*/Z}', expected: 'a/Z' },
    { word: '${PATH_//[a-c]/Z}', expected: 'a/b/c' },
    { word: '${PATH_/nomatch/Z}', expected: 'a/b/c' },
    { word: '${PATH_/a/}', expected: '/b/c' },
    { word: '${UNSET/a/b}', expected: '' },
    // positional and special parameters are never set
    { word: '$1', expected: '' },
    { word: '$1x', expected: 'x' },
    { word: '${10}', expected: '' },
    { word: '${1:-d}', expected: 'd' },
    { word: '$001aaa', expected: 'aaa' },
    { word: '$٣x', expected: 'x' },
    { word: '$@', expected: '' },
    { word: '$@@@', expected: '@@' },
    { word: '$*', expected: '' },
    { word: '$#', expected: '' },
    { word: '${#}', expected: '' },
    { word: '$?', expected: '' },
    { word: '$-', expected: '' },
    { word: '$$', expected: '' },
    { word: '$!', expected: '' },
    { word: '$0', expected: '' },
    { word: '${0:-zero}', expected: 'zero' },
    { word: '${@:+x}', expected: '' },
  ])('$word → $expected', ({ word, expected }) => {
    expect(processWord(word, env(BASE))).toBe(expected);
  });
});

describe('processWord: errors carry BuildKit’s messages', () => {
  test.each([
    { word: '${}', reason: 'syntax error: bad substitution' },
    { word: '${:}', reason: 'syntax error: bad substitution' },
    { word: '${:-x}', reason: 'syntax error: bad substitution' },
    { word: '${{a}', reason: 'syntax error: bad substitution' },
    { word: '${', reason: "syntax error: missing '}'" },
    { word: 'he${SET', reason: 'unsupported modifier (\uFFFD) in substitution' },
    { word: '${SET:', reason: "syntax error: missing '}'" },
    { word: '${SET:}', reason: "syntax error: missing '}'" },
    { word: '${SET:}x}', reason: 'unsupported modifier (:}) in substitution' },
    { word: '${SET:=x}', reason: 'unsupported modifier (:=) in substitution' },
    { word: '${SET=x}', reason: 'unsupported modifier (=) in substitution' },
    { word: '${SET:x}', reason: 'unsupported modifier (:x) in substitution' },
    { word: '${SET:/a/b}', reason: 'unsupported modifier (:/) in substitution' },
    { word: '${SET:#x}', reason: 'unsupported modifier (:#) in substitution' },
    { word: '${SET:##x}', reason: 'unsupported modifier (:#) in substitution' },
    { word: '${SET:%x}', reason: 'unsupported modifier (:%) in substitution' },
    { word: '${.}', reason: 'unsupported modifier (.) in substitution' },
    { word: '${#SET}', reason: 'unsupported modifier (S) in substitution' },
    { word: '${UNSET?}', reason: 'UNSET: is not allowed to be unset' },
    { word: '${UNSET:?}', reason: 'UNSET: is not allowed to be unset' },
    { word: '${EMPTY:?}', reason: 'EMPTY: is not allowed to be empty' },
    { word: '${UNSET:?custom $SET}', reason: 'UNSET: custom value' },
    { word: '${EMPTY:?custom}', reason: 'EMPTY: custom' },
    { word: '${SET:-x', reason: "syntax error: missing '}'" },
    { word: '${SET:-${UNSET?}', reason: "syntax error: missing '}'" },
    { word: '${SET:-${UNSET?}}', reason: 'UNSET: is not allowed to be unset' },
    { word: '${SET:-${}}', reason: 'syntax error: bad substitution' },
    { word: '${SET:-"x}', reason: "syntax error: missing '}'" },
    { word: '${SET/a', reason: "syntax error: missing '/' in ${}" },
    { word: '${SET//}', reason: "syntax error: missing '/' in ${}" },
    { word: '${SET/a/b', reason: "syntax error: missing '}'" },
    { word: "'abc", reason: 'unexpected end of statement while looking for matching single-quote' },
    { word: '"abc', reason: 'unexpected end of statement while looking for matching double-quote' },
    { word: '"abc\\"', reason: 'unexpected end of statement while looking for matching double-quote' },
    { word: '"abc\\', reason: 'unexpected end of statement while looking for matching double-quote' },
    { word: '${SET#\\x}', reason: "invalid pattern (\\x) in substitution: invalid escape '\\x'" },
    // % reverses the pattern first, and the message shows it reversed
    { word: '${SET%ab\\x}', reason: "invalid pattern (\\xba) in substitution: invalid escape '\\x'" },
    { word: '${SET/\\x/y}', reason: "invalid pattern (\\x) in substitution: invalid escape '\\x'" },
    { word: '${SET#$BS}', reason: "invalid pattern (\\) in substitution: invalid escape '\\\uFFFD'" },
  ])('$word fails: $reason', ({ word, reason }) => {
    // (for printable ASCII, Go's %q and JSON.stringify agree)
    const error = thrown(() => processWord(word, env({ ...BASE, BS: '\\' })));
    expect(error).toBeInstanceOf(ShellExpansionError);
    expect(error).toMatchObject({
      word,
      reason,
      message: `failed to process ${JSON.stringify(word)}: ${reason}`,
    });
  });

  test('the message quotes the word the way Go’s %q does', () => {
    expect(() => processWord('"a\n\t${}"', env())).toThrow(
      'failed to process "\\"a\\n\\t${}\\"": syntax error: bad substitution',
    );
  });
});

describe('processWord: quotes and escapes', () => {
  test.each([
    // escape token \ (the default)
    { escape: '\\', word: "'a b'", expected: 'a b' },
    { escape: '\\', word: '"a b"', expected: 'a b' },
    { escape: '\\', word: "he'll'o", expected: 'hello' },
    { escape: '\\', word: "'$SET'", expected: '$SET' },
    { escape: '\\', word: '"$SET"', expected: 'value' },
    { escape: '\\', word: `"'$SET'"`, expected: "'value'" },
    { escape: '\\', word: `'"x"'`, expected: '"x"' },
    { escape: '\\', word: "'\\n'", expected: '\\n' },
    { escape: '\\', word: "'a\\'", expected: 'a\\' },
    { escape: '\\', word: '\\$SET', expected: '$SET' },
    { escape: '\\', word: '\\${SET}', expected: '${SET}' },
    { escape: '\\', word: 'a\\ b', expected: 'a b' },
    { escape: '\\', word: 'a\\tb', expected: 'atb' },
    { escape: '\\', word: '\\\\', expected: '\\' },
    { escape: '\\', word: '\\\\$SET', expected: '\\value' },
    { escape: '\\', word: 'a\\', expected: 'a' },
    { escape: '\\', word: "\\'", expected: "'" },
    { escape: '\\', word: '\\"', expected: '"' },
    { escape: '\\', word: '\\🚀x', expected: '🚀x' },
    // inside double quotes the escape works only before ", $ and itself
    { escape: '\\', word: '"\\$SET"', expected: '$SET' },
    { escape: '\\', word: '"\\""', expected: '"' },
    { escape: '\\', word: '"\\\\"', expected: '\\' },
    { escape: '\\', word: '"\\t"', expected: '\\t' },
    { escape: '\\', word: `"a\\'b"`, expected: "a\\'b" },
    { escape: '\\', word: '"a`b"', expected: 'a`b' },
    // escape token ` (Windows-style Dockerfiles): backslashes are ordinary
    { escape: '`', word: 'C:\\path\\to', expected: 'C:\\path\\to' },
    { escape: '`', word: '"C:\\dir\\"', expected: 'C:\\dir\\' },
    { escape: '`', word: '`$SET', expected: '$SET' },
    { escape: '`', word: '\\$SET', expected: '\\value' },
    { escape: '`', word: 'a`b', expected: 'ab' },
    { escape: '`', word: 'a` b', expected: 'a b' },
    { escape: '`', word: 'a``', expected: 'a`' },
    { escape: '`', word: 'a`', expected: 'a' },
    { escape: '`', word: '"a`"b"', expected: 'a"b' },
    { escape: '`', word: '"``"', expected: '`' },
    { escape: '`', word: '"`$SET"', expected: '$SET' },
    { escape: '`', word: '"`t"', expected: '`t' },
    { escape: '`', word: "'`'", expected: '`' },
    { escape: '`', word: '${UNSET:-a`}b}', expected: 'a}b' },
    // heredoc markers and redirections pass through a single word unchanged
    { escape: '\\', word: '<<EOF', expected: '<<EOF' },
    { escape: '\\', word: '<<  "EOF"', expected: '<<  EOF' },
    { escape: '\\', word: 'a<b', expected: 'a<b' },
    // a byte-order mark is dropped at the very start of the word only
    { escape: '\\', word: '\ufeff$SET', expected: 'value' },
    { escape: '\\', word: 'a\ufeff', expected: 'a\ufeff' },
    { escape: '\\', word: '\ufeff', expected: '' },
  ])('escape $escape: $word → $expected', ({ escape, word, expected }) => {
    expect(processWord(word, env(BASE), escape)).toBe(expected);
  });

  test('the escape token must be one character', () => {
    expect(() => processWord('x', env(), '')).toThrow(RangeError);
    expect(() => processWord('x', env(), '\\\\')).toThrow(RangeError);
  });
});

describe('processWord: options', () => {
  test.each<{ name: string; options: LexOptions; word: string; expected: string }>([
    { name: 'rawQuotes', options: { rawQuotes: true }, word: `'a'"b"`, expected: `'a'"b"` },
    { name: 'rawQuotes', options: { rawQuotes: true }, word: '"$SET"', expected: '"value"' },
    { name: 'rawQuotes', options: { rawQuotes: true }, word: '"\\$SET"', expected: '"$SET"' },
    { name: 'rawEscapes', options: { rawEscapes: true }, word: 'a\\ b', expected: 'a\\ b' },
    { name: 'rawEscapes', options: { rawEscapes: true }, word: '\\$SET', expected: '\\$SET' },
    { name: 'rawEscapes', options: { rawEscapes: true }, word: 'a\\', expected: 'a\\' },
    { name: 'rawEscapes', options: { rawEscapes: true }, word: '"\\$SET"', expected: '\\$SET' },
    // BuildKit writes an escape that escapes nothing twice when raw escapes are on
    { name: 'rawEscapes', options: { rawEscapes: true }, word: '"\\t"', expected: '\\\\t' },
    // a modifier word is read with raw escapes off, whatever the option says
    { name: 'rawEscapes', options: { rawEscapes: true }, word: '${UNSET:-a\\ b}', expected: 'a b' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '$UNSET', expected: '$UNSET' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET}', expected: '${UNSET}' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '$SET/$1', expected: 'value/$1' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${EMPTY}', expected: '' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET:-x}', expected: '${UNSET:-x}' },
    {
      name: 'skipUnsetEnv',
      options: { skipUnsetEnv: true },
      word: '${UNSET:-$SET}',
      expected: '${UNSET:-value}',
    },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET+x}', expected: '${UNSET+x}' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET:?}', expected: '${UNSET:?}' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET##*/}', expected: '${UNSET##*/}' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET:x}', expected: '${UNSET:x}' },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${UNSET/a/b}', expected: '${UNSET/a/b}' },
    // BuildKit writes // back as a single /
    {
      name: 'skipUnsetEnv',
      options: { skipUnsetEnv: true },
      word: '${UNSET//a/b}',
      expected: '${UNSET/a/b}',
    },
    { name: 'skipUnsetEnv', options: { skipUnsetEnv: true }, word: '${SET:=x}', expected: 'error' },
    { name: 'skipProcessQuotes', options: { skipProcessQuotes: true }, word: "'$SET'", expected: "'value'" },
    { name: 'skipProcessQuotes', options: { skipProcessQuotes: true }, word: '"a b"', expected: '"a b"' },
    { name: 'skipProcessQuotes', options: { skipProcessQuotes: true }, word: "it's", expected: "it's" },
    { name: 'skipProcessQuotes', options: { skipProcessQuotes: true }, word: '\\"\\$SET', expected: '"$SET' },
    {
      name: 'skipProcessQuotes',
      options: { skipProcessQuotes: true },
      word: "${UNSET:-'x'}",
      expected: "'x'",
    },
    {
      name: 'rawQuotes+rawEscapes+skipUnsetEnv',
      options: { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true },
      word: `echo "\\$HOME $UNSET" '$SET' \\& $SET`,
      expected: `echo "\\$HOME $UNSET" '$SET' \\& value`,
    },
  ])('$name: $word → $expected', ({ options, word, expected }) => {
    if (expected === 'error') {
      expect(() => processWord(word, env(BASE), '\\', options)).toThrow(ShellExpansionError);
    } else {
      expect(processWord(word, env(BASE), '\\', options)).toBe(expected);
    }
  });
});

describe('processWord: pattern modifiers follow Go’s regexp', () => {
  test.each<{ name: string; vars: Vars; word: string; expected: string; escape?: string }>([
    // Go's ReplaceAllString does not replace an empty match right after a match
    {
      name: 'replace-all with a pattern that can match empty',
      vars: { B: 'baaac' },
      word: '${B//*/-}',
      expected: '-',
    },
    {
      name: 'replace-all with an empty pattern',
      vars: { B: 'abc', E: '' },
      word: '${B//$E/-}',
      expected: '-a-b-c-',
    },
    {
      name: 'replace-first with an empty pattern',
      vars: { B: 'abc', E: '' },
      word: '${B/$E/-}',
      expected: '-abc',
    },
    // the replacement of // is a Go template; of / it is literal
    {
      name: 'Go template in replace-all',
      vars: { B: 'abc', R: '[$0|${0}|$$|$1|$x|$00|${0x}|$|${0' },
      word: '${B//b/$R}',
      expected: 'a[b|b|$|||||$|${0c',
    },
    {
      name: 'literal replace-first',
      vars: { B: 'abc', R: '[$0|$$]' },
      word: '${B/b/$R}',
      expected: 'a[$0|$$]c',
    },
    {
      name: 'escaped $0 in replace-all',
      vars: { B: 'banana' },
      word: '${B//a/\\$0\\$0}',
      expected: 'b\\a\\an\\a\\an\\a\\a',
    },
    {
      name: 'escaped $0 in replace-first',
      vars: { B: 'banana' },
      word: '${B/a/\\$0}',
      expected: 'b\\$0nana',
    },
    // ? and * match any character but a newline, as Go's `.` does (it does match \r)
    { name: '? skips newlines', vars: { U: 'a\nb' }, word: '${U//?/x}', expected: 'x\nx' },
    { name: '? matches \\r', vars: { U: 'a\rb' }, word: '${U//?/x}', expected: 'xxx' },
    { name: '* stops at a newline', vars: { U: 'ab\ncd' }, word: '${U#*}', expected: 'ab\ncd' },
    { name: '## stops at a newline', vars: { U: 'ab\ncd' }, word: '${U##*}', expected: '\ncd' },
    // ? is one character, not one UTF-16 unit
    { name: 'astral characters', vars: { V: '🚀a🚀' }, word: '${V%?}', expected: '🚀a' },
    { name: 'astral characters', vars: { V: '🚀a🚀' }, word: '${V//?/x}', expected: 'xxx' },
    { name: 'astral characters', vars: { V: '🚀a🚀' }, word: '${V#?}', expected: 'a🚀' },
    // regex characters are literal
    { name: 'regex characters', vars: { V: 'a.b+c' }, word: '${V//./-}', expected: 'a-b+c' },
    { name: 'regex characters', vars: { V: '(x)|[y]^$' }, word: '${V#(x)|[y]^$}', expected: '' },
    // the pattern is the expanded word, so ## can come from a variable
    { name: 'greedy from a variable', vars: { V: 'aXbXc', P: '#*X' }, word: '${V#$P}', expected: 'c' },
    // double quotes in a pattern keep an escape that escapes nothing, doubled
    { name: 'quoted escape in a pattern', vars: { V: 'a\\bc' }, word: '${V#"a\\b"}', expected: 'c' },
    { name: 'quoted escape in a pattern', vars: { V: 'a\\\\bc' }, word: '${V#"a\\b"}', expected: 'a\\\\bc' },
    // with ` as escape token, a backslash in the pattern is still the pattern's own escape
    { name: 'backtick escape token', vars: { V: 'a*b' }, word: '${V#a\\*}', expected: 'b', escape: '`' },
    // ...and the escape token is kept in it, as an ordinary character
    { name: 'backtick escape token', vars: { V: 'a`}b' }, word: '${V#a`}}', expected: 'b', escape: '`' },
  ])('$name: $word', ({ vars, word, expected, escape }) => {
    expect(processWord(word, env(vars), escape)).toBe(expected);
  });
});

describe('processWords', () => {
  test.each<{ word: string; expected: string[]; vars?: Vars; escape?: string; options?: LexOptions }>([
    { word: 'a b  c', expected: ['a', 'b', 'c'] },
    { word: '  a\tb\v', expected: ['a', 'b'] },
    { word: '', expected: [] },
    { word: '   ', expected: [] },
    { word: "''", expected: [] },
    { word: `'' "" a`, expected: ['a'] },
    { word: '"a b" c', expected: ['a b', 'c'] },
    { word: "x'a b'y", expected: ['xa by'] },
    { word: 'a\\ b', expected: ['a b'] },
    { word: 'a` b', escape: '`', expected: ['a b'] },
    { word: '\\  a', expected: [' ', 'a'] },
    { word: '$SPACED', expected: ['x', 'y'] },
    { word: '"$SPACED"', expected: [' x  y '] },
    { word: 'a${SPACED}b', expected: ['a', 'x', 'y', 'b'] },
    { word: 'a${SPLIT}b', vars: { SPLIT: 'x y' }, expected: ['ax', 'yb'] },
    { word: '$EMPTY', expected: [] },
    { word: '8080/tcp $PORTS', vars: { PORTS: '80 443' }, expected: ['8080/tcp', '80', '443'] },
    { word: '${UNSET:-a b}', expected: ['a', 'b'] },
    // Unicode whitespace splits too, written or expanded
    { word: 'a\u00a0b', expected: ['a', 'b'] },
    { word: '$NBSP', vars: { NBSP: 'a\u3000b' }, expected: ['a', 'b'] },
    // << and the blanks after it stay with the heredoc name
    { word: 'cat <<EOF', expected: ['cat', '<<EOF'] },
    { word: 'cat << EOF', expected: ['cat', '<< EOF'] },
    { word: 'cat <<  "EOF" x', expected: ['cat', '<<  EOF', 'x'] },
    { word: 'cat <<\t-EOF', expected: ['cat', '<<\t-EOF'] },
    { word: 'a < b', expected: ['a', '<', 'b'] },
    // BuildKit's shared word buffer: a ${...} with a modifier drops what the word had before it
    { word: 'pre${UNSET:-post}', expected: ['post'] },
    { word: 'a b${UNSET:-c}', expected: ['a', 'c'] },
    { word: 'x"${UNSET:-y}"', expected: ['y'] },
    { word: 'x${SET}', expected: ['xvalue'] },
    { word: 'x${SET#v}', expected: ['alue'] },
    { word: 'x${SET/v/V}', expected: ['Value'] },
    // options
    { word: `"a b" 'c'`, options: { rawQuotes: true }, expected: ['"a b"', "'c'"] },
    { word: 'a\\ b', options: { rawEscapes: true }, expected: ['a\\ b'] },
    { word: '$UNSET a', options: { skipUnsetEnv: true }, expected: ['$UNSET', 'a'] },
    { word: `"a b"`, options: { skipProcessQuotes: true }, expected: ['"a', 'b"'] },
  ])('$word → $expected', ({ word, expected, vars, escape, options }) => {
    expect(processWords(word, env(vars ?? BASE), escape, options)).toEqual(expected);
  });

  test.each([{ word: 'hello" there' }, { word: '${}' }, { word: "a 'b" }])('$word fails', ({ word }) => {
    expect(() => processWords(word, env())).toThrow(ShellExpansionError);
  });
});

// lex_test.go TestProcessWithMatches, as a table.
describe('processWordWithMatches', () => {
  const FOO_BAR: Vars = { FOO: 'xxx', BAR: '' };
  test.each<{ word: string; vars: Vars; expected: string | Error; matched?: string[]; unmatched?: string[] }>(
    [
      { word: 'x', vars: { DUMMY: 'dummy' }, expected: 'x' },
      { word: 'x ${UNUSED}', vars: { DUMMY: 'dummy' }, expected: 'x ', unmatched: ['UNUSED'] },
      { word: 'x ${FOO}', vars: { FOO: 'y' }, expected: 'x y', matched: ['FOO'] },
      {
        word: '${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}',
        vars: FOO_BAR,
        expected: 'xxx  ccc',
        matched: ['FOO', 'BAR'],
        unmatched: ['BAZ'],
      },
      {
        word: '${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}',
        vars: FOO_BAR,
        expected: 'xxx bbb ccc',
        matched: ['FOO', 'BAR'],
        unmatched: ['BAZ'],
      },
      { word: '${FOO:-}', vars: FOO_BAR, expected: 'xxx', matched: ['FOO'] },
      { word: '${FOO:-}', vars: {}, expected: '', unmatched: ['FOO'] },
      {
        word: '${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}',
        vars: FOO_BAR,
        expected: 'aaa bbb ',
        matched: ['FOO', 'BAR'],
        unmatched: ['BAZ'],
      },
      {
        word: '${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}',
        vars: FOO_BAR,
        expected: 'aaa  ',
        matched: ['FOO', 'BAR'],
        unmatched: ['BAZ'],
      },
      { word: '${FOO?aaa}', vars: FOO_BAR, expected: 'xxx', matched: ['FOO'] },
      { word: '${BAR?bbb}', vars: FOO_BAR, expected: '', matched: ['BAR'] },
      { word: '${BAZ?ccc}', vars: FOO_BAR, expected: new Error('BAZ: ccc') },
      { word: '${FOO:?aaa}', vars: FOO_BAR, expected: 'xxx', matched: ['FOO'] },
      { word: '${BAR:?bbb}', vars: FOO_BAR, expected: new Error('BAR: bbb') },
      { word: '${BAZ:?ccc}', vars: FOO_BAR, expected: new Error('BAZ: ccc') },
      { word: '${BAZ:?}', vars: FOO_BAR, expected: new Error('BAZ: is not allowed to be unset') },
      { word: '${FOO=aaa}', vars: FOO_BAR, expected: new Error('unsupported modifier (=) in substitution') },
      { word: '${FOO=:aaa}', vars: FOO_BAR, expected: new Error('unsupported modifier (=) in substitution') },
      { word: '${FOO=}', vars: {}, expected: new Error('unsupported modifier (=) in substitution') },
      {
        word: '${FOO#()[]{\\}^$.\\*\\?|\\\\}',
        vars: { FOO: '()[]{}^$.*?|\\x' },
        expected: 'x',
        matched: ['FOO'],
      },
      { word: '${FOO%%\\**}', vars: { FOO: 'xx**' }, expected: 'xx', matched: ['FOO'] },
      { word: '${FOO#*x*y}', vars: { FOO: 'xxyy' }, expected: 'y', matched: ['FOO'] },
      { word: '${FOO#*}', vars: { FOO: 'xxyy' }, expected: 'xxyy', matched: ['FOO'] },
      { word: '${FOO#$BAR}', vars: { FOO: 'xxyy', BAR: 'x' }, expected: 'xyy', matched: ['FOO', 'BAR'] },
      { word: '${FOO#$BAR}', vars: { FOO: 'xxyy', BAR: '' }, expected: 'xxyy', matched: ['FOO', 'BAR'] },
      { word: '${FOO#}', vars: { FOO: 'xxyy' }, expected: 'xxyy', matched: ['FOO'] },
      { word: '${FOO##*x}', vars: { FOO: 'xxyy' }, expected: 'yy', matched: ['FOO'] },
      { word: '${FOO##}', vars: { FOO: 'xxyy' }, expected: 'xxyy', matched: ['FOO'] },
      { word: '${FOO#?\\?}', vars: { FOO: '???y' }, expected: '?y', matched: ['FOO'] },
      {
        word: '${ABC:-.}${FOO%x}${ABC:-.}',
        vars: { FOO: 'xxyy' },
        expected: '.xxyy.',
        matched: ['FOO'],
        unmatched: ['ABC'],
      },
      { word: '${FOO%%\\**\\*}', vars: { FOO: 'a***yy*' }, expected: 'a', matched: ['FOO'] },
      { word: '${FOO%}', vars: { FOO: 'xxyy' }, expected: 'xxyy', matched: ['FOO'] },
      { word: '${FOO%%$BAR}', vars: { FOO: 'xxyy', BAR: '' }, expected: 'xxyy', matched: ['FOO', 'BAR'] },
      { word: '${FOO:#}', vars: {}, expected: new Error('unsupported modifier (:#) in substitution') },
      { word: '${FOO:##}', vars: {}, expected: new Error('unsupported modifier (:#) in substitution') },
      { word: '${FOO:%}', vars: {}, expected: new Error('unsupported modifier (:%) in substitution') },
      { word: '${FOO:%%}', vars: {}, expected: new Error('unsupported modifier (:%) in substitution') },
      {
        word: '${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}',
        vars: { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' },
        expected: '/foo.*/*.txt - /foo..*.txt',
        matched: ['FOO', 'NEEDLE'],
      },
      {
        word: '${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}',
        vars: { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' },
        expected: '/tmp/bar.txt - /bar.txt',
        matched: ['FOO', 'NEEDLE'],
      },
      {
        word: '${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}',
        vars: { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' },
        expected: '/foo/b/c.txt - /foo/c.txt',
        matched: ['FOO', 'NEEDLE', 'REPLACEMENT'],
      },
      {
        word: '${FOO/$NEEDLE/$REPLACEMENT}',
        vars: { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' },
        expected: 'https://google.de',
        matched: ['FOO', 'NEEDLE', 'REPLACEMENT'],
      },
      {
        word: '${FOO//\\//\\/}',
        vars: { FOO: '/tmp/foo.txt' },
        expected: '\\/tmp\\/foo.txt',
        matched: ['FOO'],
      },
      { word: '${FOO/$BAR/ww}', vars: { FOO: 'xxyy', BAR: '' }, expected: 'wwxxyy', matched: ['FOO', 'BAR'] },
      { word: '${FOO//ww}', vars: { FOO: 'xxyy' }, expected: new Error("syntax error: missing '/' in ${}") },
      { word: '${FOO//}', vars: { FOO: 'xxyy' }, expected: new Error("syntax error: missing '/' in ${}") },
      { word: '${FOO///}', vars: { FOO: 'xxyy' }, expected: 'xxyy', matched: ['FOO'] },
      { word: '${FOO///}', vars: {}, expected: '', unmatched: ['FOO'] },
      // TestProcessWithMatchesPlatform
      ...[
        { TARGETVARIANT: 'v7', TARGETARCH: 'arm', expected: 'something-v1.2.3.linux-arm-v7.tar.gz' },
        { TARGETVARIANT: '', TARGETARCH: 'arm64', expected: 'something-v1.2.3.linux-arm64.tar.gz' },
        { TARGETVARIANT: undefined, TARGETARCH: 'arm64', expected: 'something-v1.2.3.linux-arm64.tar.gz' },
      ].map(({ TARGETVARIANT, TARGETARCH, expected }) => ({
        word: 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz',
        vars: {
          VERSION: 'v1.2.3',
          TARGETOS: 'linux',
          TARGETARCH,
          ...(TARGETVARIANT === undefined ? {} : { TARGETVARIANT }),
        },
        expected,
        matched: [
          'VERSION',
          'TARGETOS',
          'TARGETARCH',
          ...(TARGETVARIANT === undefined ? [] : ['TARGETVARIANT']),
        ],
        unmatched: TARGETVARIANT === undefined ? ['TARGETVARIANT'] : [],
      })),
    ],
  )('$word with $vars', ({ word, vars, expected, matched = [], unmatched = [] }) => {
    if (expected instanceof Error) {
      expect(() => processWordWithMatches(word, env(vars))).toThrow(expected.message);
      return;
    }
    const result = processWordWithMatches(word, env(vars));
    expect(result.result).toBe(expected);
    expect([...result.matched].sort()).toEqual([...matched].sort());
    expect([...result.unmatched].sort()).toEqual([...unmatched].sort());
    expect(processWord(word, env(vars))).toBe(expected);
  });

  test('names are tracked inside words that are not used, and case-sensitively', () => {
    const result = processWordWithMatches('${SET:-$A}${UNSET:+$B}$set', env({ SET: 'v', A: 'a' }));
    expect(result.result).toBe('v');
    expect([...result.matched].sort()).toEqual(['A', 'SET']);
    expect([...result.unmatched].sort()).toEqual(['B', 'UNSET', 'set']);
  });

  test('any ShellEnv works, not only a Map', () => {
    const lookups: string[] = [];
    const shellEnv = {
      get(name: string) {
        lookups.push(name);
        return name === 'X' ? 'x' : undefined;
      },
    };
    expect(processWordWithMatches('$X$Y', shellEnv).result).toBe('x');
    expect(lookups).toEqual(['X', 'Y']);
  });
});

// lex_test.go TestShellParserMandatoryEnvVars, as a table.
describe('mandatory variables', () => {
  const SET_ENVS: Vars = { VAR: 'plain', ARG: 'x' };
  const EMPTY_ENVS: Vars = { VAR: '', ARG: 'x' };
  const UNSET_ENVS: Vars = { ARG: 'x' };
  test.each([
    { name: 'no empty, set', word: '${VAR:?message here$ARG}', vars: SET_ENVS, expected: 'plain' },
    { name: 'no empty, empty', word: '${VAR:?message here$ARG}', vars: EMPTY_ENVS, error: 'message herex' },
    { name: 'no empty, unset', word: '${VAR:?message here$ARG}', vars: UNSET_ENVS, error: 'message herex' },
    { name: 'no unset, set', word: '${VAR?message here$ARG}', vars: SET_ENVS, expected: 'plain' },
    { name: 'no unset, empty', word: '${VAR?message here$ARG}', vars: EMPTY_ENVS, expected: '' },
    { name: 'no unset, unset', word: '${VAR?message here$ARG}', vars: UNSET_ENVS, error: 'message herex' },
  ])('$name', ({ word, vars, expected, error }) => {
    if (error === undefined) {
      expect(processWord(word, env(vars))).toBe(expected);
    } else {
      expect(() => processWord(word, env(vars))).toThrow(`VAR: ${error}`);
    }
  });
});

// lex_test.go TestConvertShellPatternToRegex, as a table, plus the non-greedy and unanchored forms.
describe('convertShellPatternToRegex', () => {
  test.each([
    { pattern: '*', greedy: true, anchored: true, source: '^.*' },
    { pattern: '?', greedy: true, anchored: true, source: '^.' },
    { pattern: '\\*', greedy: true, anchored: true, source: '^\\*' },
    {
      pattern: '(()[]{\\}^$.\\*\\?|\\\\',
      greedy: true,
      anchored: true,
      source: '^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\',
    },
    { pattern: 'a*b', greedy: false, anchored: true, source: '^a.*?b' },
    { pattern: 'a\\/b?', greedy: true, anchored: false, source: 'a/b.' },
    { pattern: '', greedy: true, anchored: false, source: '' },
    { pattern: '\ufeffx', greedy: true, anchored: false, source: 'x' },
  ])('$pattern (greedy $greedy, anchored $anchored) → $source', ({ pattern, greedy, anchored, source }) => {
    const converted = convertShellPatternToRegex(pattern, greedy, anchored);
    expect(converted.source).toBe(source);
    expect(converted.regexp.flags).toBe('gu');
  });

  test.each([
    { pattern: '\\', message: "invalid escape '\\\uFFFD'" },
    { pattern: '\\x', message: "invalid escape '\\x'" },
    { pattern: '\\\\\\', message: "invalid escape '\\\uFFFD'" },
    { pattern: 'a\\🚀', message: "invalid escape '\\🚀'" },
  ])('$pattern is invalid: $message', ({ pattern, message }) => {
    const error = thrown(() => convertShellPatternToRegex(pattern, true, true));
    expect(error).toBeInstanceOf(ShellPatternError);
    expect((error as Error).message).toBe(message);
  });

  test('the JavaScript regexp matches as Go’s would', () => {
    const { regexp } = convertShellPatternToRegex('a?*c', false, true);
    expect('a\rbcc'.match(regexp)?.[0]).toBe('a\rbc');
    expect(regexp.test('a\nbc')).toBe(false);
  });
});
