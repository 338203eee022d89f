import { describe, expect, test } from '@jest/globals';

import {
  DockerignoreError,
  IgnoreMatcher,
  dockerignoreCandidates,
  parseDockerignore,
  type IgnorePattern,
} from './dockerignore.js';

/** Patterns as `!pattern` / `pattern` strings, the way they read in a `.dockerignore`. */
const shown = (patterns: readonly IgnorePattern[]): string[] =>
  patterns.map((p) => (p.exclusion ? `!${p.pattern}` : p.pattern));

const matcher = (text: string): IgnoreMatcher => new IgnoreMatcher(parseDockerignore(text));

function thrown(fn: () => unknown): DockerignoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DockerignoreError) return error;
    throw error;
  }
  throw new Error('expected a DockerignoreError');
}

describe('parseDockerignore: ignorefile.ReadAll then patternmatcher.New', () => {
  test.each([
    { title: 'comments and blank lines are skipped', text: '# comment\n\nfoo\n   \n\t\n', expected: ['foo'] },
    { title: '`#` only counts in column 0', text: '  #x\n#y', expected: ['#x'] },
    {
      title: 'a comment can follow a pattern only on its own line',
      text: 'a # not a comment',
      expected: ['a # not a comment'],
    },
    { title: 'BOM stripped before the comment check', text: '\uFEFF# comment\nfoo', expected: ['foo'] },
    { title: 'BOM stripped from the first line', text: '\uFEFFfoo', expected: ['foo'] },
    { title: 'BOM kept on later lines (not Go space)', text: 'a\n\uFEFFb', expected: ['a', '\uFEFFb'] },
    { title: 'CRLF line endings', text: 'a\r\nb\r\n', expected: ['a', 'b'] },
    { title: 'no newline at the end', text: 'a\nb', expected: ['a', 'b'] },
    { title: 'tabs, NBSP and U+0085 are trimmed', text: '\ta b \u00a0\n\u0085c', expected: ['a b', 'c'] },
    { title: 'leading `/` stripped', text: '/a\n/a/b', expected: ['a', 'a/b'] },
    { title: 'slashes collapsed before stripping', text: '//a//b/', expected: ['a/b'] },
    { title: 'a lone `/` stays', text: '/', expected: ['/'] },
    { title: 'filepath.Clean', text: 'a/./b/../c/\n./d\n.\ne/..', expected: ['a/c', 'd', '.', '.'] },
    { title: '`..` kept when relative, dropped at the root', text: '../a\n/../b', expected: ['../a', 'b'] },
    { title: '`!` marks an exception', text: '!a', expected: ['!a'] },
    {
      title: 'the rest of an exception is re-trimmed and cleaned',
      text: '! a \n!\t/b/c/',
      expected: ['!a', '!b/c'],
    },
    { title: 'whitespace exposed by stripping `/` is trimmed by New', text: '/ foo', expected: ['foo'] },
    { title: '`/ /` cleans to a blank pattern that New drops', text: '/ /\nx', expected: ['x'] },
    {
      title: 'exception whose text starts with a space after `/` keeps it',
      text: '!/ foo',
      expected: ['! foo'],
    },
    {
      title: 'globs are kept verbatim',
      text: '**/*.go\n[a-c]?\n\\*',
      expected: ['**/*.go', '[a-c]?', '\\*'],
    },
    { title: 'empty file', text: '', expected: [] },
  ])('$title', ({ text, expected }) => {
    expect(shown(parseDockerignore(text))).toEqual(expected);
  });

  test('line numbers are 1-based physical lines', () => {
    expect(parseDockerignore('# c\n\na\n  # d\n! b\r\n')).toEqual([
      { pattern: 'a', exclusion: false, line: 3 },
      { pattern: '# d', exclusion: false, line: 4 },
      { pattern: 'b', exclusion: true, line: 5 },
    ]);
  });

  test('a 65535-byte line is accepted', () => {
    expect(parseDockerignore('a'.repeat(65535))).toHaveLength(1);
  });
});

describe('parseDockerignore: errors', () => {
  test.each([
    { title: 'bare `!`', text: '!', message: 'illegal exclusion pattern: "!"', line: 1 },
    {
      title: 'bare `!` on a later line',
      text: 'a\n\n!\nb',
      message: 'illegal exclusion pattern: "!"',
      line: 3,
    },
    { title: '`!` with spaces', text: '!   ', message: 'illegal exclusion pattern: "!"', line: 1 },
    { title: '`!/` cleans to `!`', text: '!/', message: 'illegal exclusion pattern: "!"', line: 1 },
    { title: 'unterminated class', text: '[', message: 'syntax error in pattern', line: 1 },
    { title: 'unterminated class after a literal', text: 'a[', message: 'syntax error in pattern', line: 1 },
    { title: 'empty class', text: '[]', message: 'syntax error in pattern', line: 1 },
    { title: 'empty negated class', text: '[^]', message: 'syntax error in pattern', line: 1 },
    { title: 'range without an end', text: '[a-]', message: 'syntax error in pattern', line: 1 },
    { title: 'trailing backslash', text: 'x\na\\', message: 'syntax error in pattern', line: 2 },
    {
      title: 'trailing escaped space is trimmed away',
      text: 'a\\ ',
      message: 'syntax error in pattern',
      line: 1,
    },
    {
      title: 'bad class after a non-matching chunk (Go ≥ 1.20)',
      text: 'x*[',
      message: 'syntax error in pattern',
      line: 1,
    },
    {
      title: 'reversed range: filepath.Match allows it, regexp does not',
      text: '[z-a]',
      message: 'syntax error in pattern',
      line: 1,
    },
    { title: 'back-reference escape', text: '\\1', message: 'syntax error in pattern', line: 1 },
    {
      title: 'escaped letter regexp does not know',
      text: 'a\\q',
      message: 'syntax error in pattern',
      line: 1,
    },
    { title: 'escaped non-ASCII character', text: '\\é', message: 'syntax error in pattern', line: 1 },
    { title: 'unknown POSIX class', text: '[[:foo:]]', message: 'syntax error in pattern', line: 1 },
    { title: 'unknown Unicode class', text: '\\p{Foo}', message: 'syntax error in pattern', line: 1 },
    { title: 'repeat count out of order', text: '?{2,1}', message: 'syntax error in pattern', line: 1 },
    { title: 'repeat count over 1000', text: '?{1001}', message: 'syntax error in pattern', line: 1 },
    { title: 'nested repetition', text: '*{2}', message: 'syntax error in pattern', line: 1 },
    {
      title: 'New rejects line 2 before line 1 fails to compile',
      text: '[z-a]\n[',
      message: 'syntax error in pattern',
      line: 2,
    },
    {
      title: 'line over bufio.Scanner’s 64 KiB',
      text: 'ok\n' + 'a'.repeat(65536),
      message: 'bufio.Scanner: token too long',
      line: 2,
    },
    {
      title: 'length counted in UTF-8 bytes',
      text: 'é'.repeat(32768),
      message: 'bufio.Scanner: token too long',
      line: 1,
    },
  ])('$title', ({ text, message, line }) => {
    const error = thrown(() => parseDockerignore(text));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DockerignoreError');
    expect(error.message).toBe(message);
    expect(error.line).toBe(line);
  });

  test('IgnoreMatcher validates patterns it is given directly', () => {
    const error = thrown(
      () =>
        new IgnoreMatcher([
          { pattern: 'ok', exclusion: false, line: 1 },
          { pattern: '[', exclusion: true, line: 7 },
        ]),
    );
    expect(error.message).toBe('syntax error in pattern');
    expect(error.line).toBe(7);
  });
});

describe('IgnoreMatcher.isExcluded: one pattern (cases after patternmatcher’s tests)', () => {
  test.each([
    { pattern: '**', path: 'file', excluded: true },
    { pattern: '**', path: 'dir/file', excluded: true },
    { pattern: '**/', path: 'dir/file', excluded: true },
    { pattern: '**/**', path: 'dir/file', excluded: true },
    { pattern: 'dir/**', path: 'dir/file', excluded: true },
    { pattern: 'dir/**', path: 'dir/dir2/file', excluded: true },
    { pattern: 'dir/**', path: 'dir', excluded: false },
    { pattern: '**/dir', path: 'dir', excluded: true },
    { pattern: '**/dir', path: 'dir/file', excluded: true },
    { pattern: '**/dir2/*', path: 'dir/dir2/file', excluded: true },
    { pattern: '**/dir2/**', path: 'dir/dir2/dir3/file', excluded: true },
    { pattern: '**file', path: 'file', excluded: true },
    { pattern: '**file', path: 'dir/dir/file', excluded: true },
    { pattern: '**file', path: 'dir/myfile', excluded: true },
    { pattern: '**/file', path: 'dir/file', excluded: true },
    { pattern: '**/file', path: 'dir/myfile', excluded: false },
    { pattern: '**/file*', path: 'dir/dir/file.txt', excluded: true },
    { pattern: '**/file*txt', path: 'dir/dir/file.txt', excluded: true },
    { pattern: '**/file*.txt*', path: 'dir/dir/file.txt', excluded: true },
    { pattern: '**/**/*.txt', path: 'dir/dir/file.txt', excluded: true },
    { pattern: '**/**/*.txt2', path: 'dir/dir/file.txt', excluded: false },
    { pattern: '**/*.txt', path: 'file.txt', excluded: true },
    { pattern: '**/**/*.txt', path: 'file.txt', excluded: true },
    { pattern: 'a**/*.txt', path: 'a/file.txt', excluded: true },
    { pattern: 'a**/*.txt', path: 'a/dir/dir/file.txt', excluded: true },
    { pattern: 'a/*.txt', path: 'a/dir/file.txt', excluded: false },
    { pattern: 'a/*.txt', path: 'a/file.txt', excluded: true },
    { pattern: 'a/*.txt**', path: 'a/file.txt', excluded: true },
    { pattern: 'a[b-d]e', path: 'ae', excluded: false },
    { pattern: 'a[b-d]e', path: 'ace', excluded: true },
    { pattern: 'a[b-d]e', path: 'aae', excluded: false },
    { pattern: 'a[^b-d]e', path: 'aze', excluded: true },
    { pattern: 'a[^b-d]e', path: 'ace', excluded: false },
    { pattern: '.*', path: '.foo', excluded: true },
    { pattern: '.*', path: 'foo', excluded: false },
    { pattern: 'abc.def', path: 'abcdef', excluded: false },
    { pattern: 'abc.def', path: 'abc.def', excluded: true },
    { pattern: 'abc?def', path: 'abcZdef', excluded: true },
    { pattern: 'abc?def', path: 'abcdef', excluded: false },
    { pattern: 'a\\\\', path: 'a\\', excluded: true },
    { pattern: '\\*', path: '*', excluded: true },
    { pattern: '\\*', path: 'a', excluded: false },
    { pattern: '**/foo/bar', path: 'foo/bar', excluded: true },
    { pattern: '**/foo/bar', path: 'dir/dir2/foo/bar', excluded: true },
    { pattern: 'abc/**', path: 'abc', excluded: false },
    { pattern: 'abc/**', path: 'abc/def/ghi', excluded: true },
    { pattern: '**/.foo', path: '.foo', excluded: true },
    { pattern: '**/.foo', path: 'bar.foo', excluded: false },
    { pattern: 'a(b)c/def', path: 'a(b)c/def', excluded: true },
    { pattern: 'a(b)c/def', path: 'a(b)c/xyz', excluded: false },
    { pattern: 'a.|)$(}+{bc', path: 'a.|)$(}+{bc', excluded: true },
    { pattern: 'dist/*.whl', path: 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', excluded: true },
    { pattern: '*', path: 'a', excluded: true },
    { pattern: '*', path: 'a/b', excluded: true },
    { pattern: '*.go', path: 'main.go', excluded: true },
    { pattern: '*.go', path: 'cmd/main.go', excluded: false },
    { pattern: '?', path: 'a', excluded: true },
    { pattern: '?', path: 'ab', excluded: false },
    { pattern: 'a**b', path: 'ab', excluded: true },
    { pattern: 'a**b', path: 'a/b', excluded: true },
    { pattern: 'a**b', path: 'ax/b', excluded: true },
    { pattern: 'a**b', path: 'axb', excluded: false },
    { pattern: '/a', path: 'a', excluded: true },
    { pattern: 'a/../b', path: 'b', excluded: true },
    { pattern: 'a', path: 'a/b/c', excluded: true },
    { pattern: 'a/b', path: 'a', excluded: false },
    { pattern: 'a/b', path: 'a/b/c', excluded: true },
  ])('$pattern on $path → $excluded', ({ pattern, path, excluded }) => {
    expect(matcher(pattern).isExcluded(path)).toBe(excluded);
  });
});

describe('IgnoreMatcher.isExcluded: the Go regular expression behind a glob', () => {
  test.each([
    {
      title: '`[!a]` is a class of `!` and `a`, not a negation',
      pattern: '[!a]*',
      path: '!x',
      excluded: true,
    },
    { title: '`[!a]` matches `a`', pattern: '[!a]*', path: 'a', excluded: true },
    { title: '`[!a]` does not match `b`', pattern: '[!a]*', path: 'bx', excluded: false },
    { title: '`[^a]` negates', pattern: '[^a]*', path: 'bx', excluded: true },
    { title: '`[^a]` refuses `a`', pattern: '[^a]*', path: 'ax', excluded: false },
    { title: '`[^/]` in a pattern can match `/`', pattern: 'a[^x]b', path: 'a/b', excluded: true },
    {
      title: '`|` is not escaped: `*|x` matches everything',
      pattern: '*|x',
      path: 'deep/er/file',
      excluded: true,
    },
    { title: '`{a,b}` is no brace expansion', pattern: '*.{js,ts}', path: 'a.js', excluded: false },
    { title: '`{a,b}` is literal text', pattern: '*.{js,ts}', path: 'a.{js,ts}', excluded: true },
    {
      title: '`{n}` is a regexp repeat once the pattern is a regexp',
      pattern: 'a{2}*',
      path: 'aab',
      excluded: true,
    },
    { title: '`{n}` does not match its own text', pattern: 'a{2}*', path: 'a{2}', excluded: false },
    {
      title: '`{n}` in a plain pattern is literal (exact match)',
      pattern: 'a{2}',
      path: 'a{2}',
      excluded: true,
    },
    { title: '`*` inside a class becomes `[^/]*`', pattern: '[*]', path: ']', excluded: true },
    { title: '`[*]` does not match `*`', pattern: '[*]', path: '*', excluded: false },
    { title: '`\\d` is a regexp digit', pattern: '\\d*', path: '5x', excluded: true },
    { title: '`\\d` is not a literal `d`', pattern: '\\d*', path: 'dx', excluded: false },
    { title: 'POSIX classes', pattern: '[[:digit:]]*', path: '1x', excluded: true },
    { title: 'Unicode classes', pattern: '\\pL?', path: 'é1', excluded: true },
    { title: 'hex escapes', pattern: 'a\\x41*', path: 'aA', excluded: true },
    {
      title: '`\\Q` quotes the rest of the expression, `$` included',
      pattern: '\\Qa*',
      path: 'a[^/]*$',
      excluded: true,
    },
    { title: '`\\Q` then matches nothing else', pattern: '\\Qa*', path: 'ab', excluded: false },
    { title: '`?` is one code point', pattern: '?', path: '😀', excluded: true },
    { title: '`.` in a glob is literal', pattern: 'a.b*', path: 'axb', excluded: false },
  ])('$title', ({ pattern, path, excluded }) => {
    expect(matcher(pattern).isExcluded(path)).toBe(excluded);
  });
});

describe('IgnoreMatcher.isExcluded: several patterns, as BuildKit walks the context', () => {
  test.each([
    { title: 'later exception wins', text: 'a\n!a', path: 'a', excluded: false },
    { title: 'last match wins', text: 'a\n!a\na', path: 'a', excluded: true },
    { title: 'an exception alone excludes nothing', text: '!a', path: 'a', excluded: false },
    { title: 'exception after a glob', text: '*.md\n!README.md', path: 'README.md', excluded: false },
    { title: 'glob still applies to others', text: '*.md\n!README.md', path: 'CHANGELOG.md', excluded: true },
    { title: '`*` does not cross `/`', text: '*.md\n!README.md', path: 'docs/x.md', excluded: false },
    { title: 'order matters: exception first is overridden', text: '!keep\n*', path: 'keep', excluded: true },
    { title: 'excluded dir', text: 'docs\n!docs/keep.md', path: 'docs', excluded: true },
    { title: 'files below an excluded dir', text: 'docs\n!docs/keep.md', path: 'docs/a.txt', excluded: true },
    {
      title: 'exception re-includes a file in an excluded dir',
      text: 'docs\n!docs/keep.md',
      path: 'docs/keep.md',
      excluded: false,
    },
    { title: 'exception deeper down', text: 'docs\n!docs/sub/keep', path: 'docs/sub/keep', excluded: false },
    {
      title: 'sibling of the exception',
      text: 'docs\n!docs/sub/keep',
      path: 'docs/sub/other',
      excluded: true,
    },
    {
      title: 'skipped dir: same name elsewhere stays out',
      text: 'docs\n!docs/sub/keep',
      path: 'docs/other/keep',
      excluded: true,
    },
    {
      title: 'wildcard exception: every excluded dir is walked',
      text: 'docs\n!**/keep',
      path: 'docs/other/keep',
      excluded: false,
    },
    {
      title: 'exception on a dir re-includes what is below',
      text: 'a\n!a/b',
      path: 'a/b/c',
      excluded: false,
    },
    { title: 'other entries stay excluded', text: 'a\n!a/b', path: 'a/c', excluded: true },
    { title: 'allow-list: `**` then `!src`', text: '**\n!src', path: 'src/x/y.ts', excluded: false },
    { title: 'allow-list: the rest is out', text: '**\n!src', path: 'other/file', excluded: true },
    {
      title: 'allow-list with `*` and a file',
      text: '*\n!src/main.go',
      path: 'src/main.go',
      excluded: false,
    },
    { title: 'allow-list with `*`: siblings', text: '*\n!src/main.go', path: 'src/other.go', excluded: true },
    {
      // MatchesUsingParentResults: the second `d` was skipped for `d` (already excluded), so `d/f` never
      // inherits it, and `d/f` itself is not `d`. MatchesOrParentMatches would say excluded.
      title: 'parent results: a pattern skipped on the dir is not inherited',
      text: 'd\n!d/f\nd',
      path: 'd/f',
      excluded: false,
    },
    { title: 'parent results: siblings', text: 'd\n!d/f\nd', path: 'd/g', excluded: true },
    {
      title: 'exception by suffix, top level',
      text: '*.txt\n!**/keep.txt',
      path: 'keep.txt',
      excluded: false,
    },
  ])('$title', ({ text, path, excluded }) => {
    expect(matcher(text).isExcluded(path)).toBe(excluded);
  });

  test('the context root is never excluded', () => {
    const m = matcher('**\n*');
    expect(m.isExcluded('')).toBe(false);
    expect(m.isExcluded('.')).toBe(false);
  });

  test('paths are normalized (`./`, trailing `/`, doubled `/`)', () => {
    const m = matcher('docs\n!docs/keep.md');
    expect(m.isExcluded('./docs/')).toBe(true);
    expect(m.isExcluded('docs//keep.md')).toBe(false);
    expect(m.isExcluded('./docs/./a.txt')).toBe(true);
  });

  test('no patterns: nothing excluded', () => {
    const m = new IgnoreMatcher([]);
    expect(m.isExcluded('a/b')).toBe(false);
    expect(m.mayIncludeUnder('a')).toBe(true);
    expect(m.hasExclusions).toBe(false);
  });

  test('results are the same in any query order (directory results are cached)', () => {
    const text = 'd\n!d/f\nd\n*.log\n!keep/**';
    const paths = ['d/f', 'd', 'd/g', 'x.log', 'keep/x.log', 'd/f/x', 'a/b.log'];
    const forward = paths.map((p) => matcher(text).isExcluded(p));
    const shared = matcher(text);
    const reversed = [...paths].reverse().map((p) => shared.isExcluded(p));
    expect(reversed.reverse()).toEqual(forward);
    expect(forward).toEqual([false, true, true, true, false, false, false]);
  });
});

describe('IgnoreMatcher.mayIncludeUnder', () => {
  test.each([
    { title: 'excluded dir, no exceptions', text: 'docs', dir: 'docs', expected: false },
    { title: 'dir that is not excluded', text: 'docs', dir: 'src', expected: true },
    { title: 'exception inside the dir', text: 'docs\n!docs/keep.md', dir: 'docs', expected: true },
    { title: 'exception further down', text: 'docs\n!docs/sub/keep', dir: 'docs', expected: true },
    { title: 'on the way to the exception', text: 'docs\n!docs/sub/keep', dir: 'docs/sub', expected: true },
    {
      title: 'off the way to the exception',
      text: 'docs\n!docs/sub/keep',
      dir: 'docs/other',
      expected: false,
    },
    { title: 'exception elsewhere', text: 'docs\n!other', dir: 'docs', expected: false },
    { title: 'trailing `/*` of an exception is ignored', text: 'docs\n!docs/*', dir: 'docs', expected: true },
    {
      title: 'trailing `/**` of an exception is ignored',
      text: 'docs\n!docs/sub/**',
      dir: 'docs/sub',
      expected: true,
    },
    { title: 'any wildcard exception: walk everything', text: 'docs\n!*.md', dir: 'docs', expected: true },
    { title: 'wildcard exception, deep dir', text: 'docs\n!x/a?/b', dir: 'docs/zzz', expected: true },
    { title: 'below a skipped dir', text: 'a\n!b/keep', dir: 'a/x', expected: false },
    { title: 'the root', text: '**', dir: '', expected: true },
  ])('$title', ({ text, dir, expected }) => {
    expect(matcher(text).mayIncludeUnder(dir)).toBe(expected);
  });

  test('plain-path exceptions only open the directories on their way', () => {
    const m = matcher('a\n!b/keep\n!a/x/y');
    // `!a/x/y` is a plain path inside `a`, so `a` is walked and so is `a/x`.
    expect(m.mayIncludeUnder('a')).toBe(true);
    expect(m.mayIncludeUnder('a/z')).toBe(false);
    expect(m.isExcluded('a/x/y')).toBe(false);
    expect(m.isExcluded('a/z/y')).toBe(true);
  });
});

describe('hasExclusions', () => {
  test.each([
    { title: 'only exclusions', text: 'a\nb', expected: false },
    { title: 'one `!` exception', text: 'a\n!b', expected: true },
    { title: 'empty file', text: '', expected: false },
  ])('$title → $expected', ({ text, expected }) => {
    expect(matcher(text).hasExclusions).toBe(expected);
  });
});

describe('dockerignoreCandidates', () => {
  test.each([
    { dockerfile: 'Dockerfile', expected: ['Dockerfile.dockerignore', '.dockerignore'] },
    { dockerfile: 'app/Dockerfile', expected: ['app/Dockerfile.dockerignore', '.dockerignore'] },
    { dockerfile: './app/Dockerfile', expected: ['app/Dockerfile.dockerignore', '.dockerignore'] },
    {
      dockerfile: 'build/prod.Dockerfile',
      expected: ['build/prod.Dockerfile.dockerignore', '.dockerignore'],
    },
    { dockerfile: 'dockerfile', expected: ['dockerfile.dockerignore', '.dockerignore'] },
    { dockerfile: '', expected: ['Dockerfile.dockerignore', '.dockerignore'] },
  ])('"$dockerfile"', ({ dockerfile, expected }) => {
    expect(dockerignoreCandidates(dockerfile)).toEqual(expected);
  });
});

describe('performance', () => {
  test('50,000 paths against a realistic file', () => {
    const m = matcher(
      [
        'node_modules',
        '**/*.log',
        '.git',
        'dist/**',
        '!dist/keep/**',
        '**/__pycache__',
        '*.tmp',
        'build/*',
        '!build/important',
        'docs/**/*.md',
        '!docs/README.md',
        '[Tt]humbs.db',
        '**/test/**/fixtures',
      ].join('\n'),
    );
    const dirs = ['src', 'lib', 'docs', 'dist', 'build', 'test', 'fixtures', 'node_modules', 'keep'];
    const paths: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const segments: string[] = [];
      for (let d = 0; d <= i % 6; d++) segments.push(dirs[(i * 7 + d * 13) % dirs.length] as string);
      segments.push(`file${i}.${['ts', 'log', 'md', 'tmp'][i % 4] as string}`);
      paths.push(segments.join('/'));
    }
    const start = performance.now();
    const excluded = paths.filter((p) => m.isExcluded(p)).length;
    const elapsed = performance.now() - start;
    expect(excluded).toBeGreaterThan(0);
    expect(excluded).toBeLessThan(paths.length);
    expect(elapsed).toBeLessThan(2000);
  });
});
