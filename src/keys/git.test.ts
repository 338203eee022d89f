import { describe, expect, test } from '@jest/globals';
import {
  configBoolean,
  configRejectsIndex,
  parseConfigList,
  parseIndexCandidates,
  parsePathList,
  parseRewrittenPaths,
} from './git.js';

// Output as git 2.39 prints it (NULs written as \0).
const LS_FILES =
  'H 100644 78981922613b2afb6025042ff6bd878ac1994e85 0\ta\0' +
  'h 100644 61780798228d17af2d34fce4cfbdf35556832472 0\tassumed\0' +
  'S 100644 61780798228d17af2d34fce4cfbdf35556832472 0\tsparse\0' +
  'H 100755 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 0\tbin/run.sh\0' +
  'H 120000 a2a3e3b52d2c0f3d9b1f5c6c9a7d0cbd8e6c7b2f 0\tlink\0' +
  'H 160000 1111111111111111111111111111111111111111 0\tsubmodule\0' +
  'M 100644 2222222222222222222222222222222222222222 1\tconflict\0' +
  'M 100644 3333333333333333333333333333333333333333 2\tconflict\0' +
  'H 100644 4444444444444444444444444444444444444444 0\tdir/with\ttab and space\0' +
  'H 100644 5555555555555555555555555555555555555555 0\tchanged\0' +
  'H 100644 6666666666666666666666666666666666666666 0\tlfs.bin\0';

describe('git output', () => {
  test('ls-files -s -v -z: cached files and symlinks at stage 0, by path', () => {
    const candidates = parseIndexCandidates(LS_FILES);
    expect([...candidates.keys()]).toEqual([
      'a',
      'bin/run.sh',
      'link',
      'dir/with\ttab and space',
      'changed',
      'lfs.bin',
    ]);
    expect(candidates.get('bin/run.sh')).toEqual({
      mode: '100755',
      oid: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
    });
    expect(candidates.get('link')).toEqual({
      mode: '120000',
      oid: 'a2a3e3b52d2c0f3d9b1f5c6c9a7d0cbd8e6c7b2f',
    });
    expect(parseIndexCandidates('')).toEqual(new Map());
  });

  test('ls-files -s -v -z: a record git would never print is an error', () => {
    expect(() => parseIndexCandidates('garbage\0')).toThrow('git ls-files: cannot read entry "garbage"');
    expect(() => parseIndexCandidates('H 100644 abc 9\tx\0')).toThrow('cannot read entry');
  });

  test('path lists', () => {
    expect(parsePathList('')).toEqual([]);
    expect(parsePathList('a\0b c\0')).toEqual(['a', 'b c']);
  });

  test('check-attr -a -z: paths whose checkout rewrites the blob', () => {
    const output = [
      ['big.bin', 'filter', 'lfs'],
      ['big.bin', 'diff', 'lfs'],
      ['a.txt', 'text', 'auto'],
      ['a.txt', 'eol', 'lf'],
      ['win.bat', 'eol', 'crlf'],
      ['id.c', 'ident', 'set'],
      ['plain.c', 'ident', 'unset'],
      ['utf16.txt', 'working-tree-encoding', 'UTF-16'],
      ['nofilter', 'filter', 'unspecified'],
    ]
      .map((fields) => `${fields.join('\0')}\0`)
      .join('');
    expect([...parseRewrittenPaths(output)].sort()).toEqual(['big.bin', 'id.c', 'utf16.txt', 'win.bat']);
  });

  test('config -z --list, and the settings that rule the index out', () => {
    const config = parseConfigList(
      'core.fileMode\ntrue\0core.autocrlf\ninput\0core.bare\0user.name\nA B\nC\0',
    );
    expect(config).toEqual(
      new Map([
        ['core.filemode', 'true'],
        ['core.autocrlf', 'input'],
        ['core.bare', 'true'],
        ['user.name', 'A B\nC'],
      ]),
    );
    expect(configRejectsIndex(config)).toBeUndefined();
    expect(configRejectsIndex(new Map([['core.autocrlf', 'true']]))).toMatch(/autocrlf=true/);
    expect(configRejectsIndex(new Map([['core.autocrlf', 'false']]))).toBeUndefined();
    expect(configRejectsIndex(new Map([['core.eol', 'crlf']]))).toMatch(/core.eol=crlf/);
    expect(configRejectsIndex(new Map([['core.filemode', 'no']]))).toMatch(/fileMode=false/);
    expect([configBoolean('Yes'), configBoolean('off'), configBoolean(''), configBoolean('maybe')]).toEqual([
      true,
      false,
      false,
      undefined,
    ]);
  });
});
