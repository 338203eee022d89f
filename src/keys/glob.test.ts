import { describe, expect, test } from '@jest/globals';
import { cleanContextPath, containsWildcards, isRemoteSource, matchComponent } from './glob.js';

describe('matchComponent: Go filepath.Match on Unix (cases from Go match_test.go; a bad pattern matches nothing)', () => {
  // prettier-ignore
  const cases: [pattern: string, name: string, matches: boolean][] = [
    ['abc', 'abc', true], ['*', 'abc', true], ['*c', 'abc', true], ['a*', 'a', true], ['a*', 'abc', true],
    ['a*', 'ab/c', false], ['a*/b', 'abc/b', true], ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true], ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false], ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true], ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true], ['ab[b-d]', 'abc', true], ['ab[e-g]', 'abc', false], ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false], ['ab[^e-g]', 'abc', true], ['a\\*b', 'a*b', true], ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true], ['a[^a]b', 'a☺b', true], ['a???b', 'a☺b', false], ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true], ['*[a-ζ]', 'A', false], ['a?b', 'a/b', false], ['a*b', 'a/b', false],
    ['[\\]a]', ']', true], ['[\\-]', '-', true], ['[x\\-]', 'x', true], ['[x\\-]', '-', true], ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true], ['[\\-x]', '-', true], ['[\\-x]', 'a', false],
    ['[]a]', ']', false], ['[-]', '-', false], ['[x-]', 'x', false], ['[x-]', '-', false], ['[-x]', 'x', false],
    ['\\', 'a', false], ['[a-b-c]', 'a', false], ['[', 'a', false], ['[^', 'a', false], ['[^bc', 'a', false],
    ['a[', 'a', false], ['a[', 'ab', false], ['a/b[', 'x', false], ['*x', 'xxx', true],
    ['*.go', 'main.go', true], ['*.go', '.go', true], ['*.go', 'main.go.bak', false], ['😀?', '😀x', true],
  ];

  test('runs every case', () => expect(cases).toHaveLength(56));

  test.each(cases)('%j against %j → %j', (pattern, name, matches) => {
    expect(matchComponent(pattern, name)).toBe(matches);
  });
});

describe('source paths', () => {
  // prettier-ignore
  test.each([
    ['.', ''], ['/', ''], ['./', ''], ['a/b/', 'a/b'], ['/a//b/./c', 'a/b/c'], ['../../a', 'a'], ['a/../../b', 'b'],
    ['a/./b/*.go', 'a/b/*.go'],
  ])('cleanContextPath(%j) = %j', (input, expected) => {
    expect(cleanContextPath(input)).toBe(expected);
  });

  test('containsWildcards: *, ? and [ unless escaped', () => {
    expect(['*.go', 'a?', '[ab]'].every(containsWildcards)).toBe(true);
    expect(['plain', 'a\\*b', 'a\\?', 'x]'].some(containsWildcards)).toBe(false);
  });

  test('isRemoteSource: URLs and git@ are fetched by BuildKit, not read from the context', () => {
    expect(
      ['https://x/a.tgz', 'http://x', 'git://h/r.git', 'git@github.com:o/r.git'].every(isRemoteSource),
    ).toBe(true);
    expect(['a.tgz', 'dir/http:', 'github.com/o/r'].some(isRemoteSource)).toBe(false);
  });
});
