import { describe, expect, test } from '@jest/globals';
import { clipText, codeInline, escapeInline, escapeMarkdown, fenced, safeLinkUrl } from './markdown.js';

describe('escapeInline and codeInline', () => {
  test.each([
    ['plain', 'plain'],
    ['a | b', 'a &#124; b'],
    ['<img src=x onerror=alert(1)>', '&#60;img src=x onerror=alert&#40;1&#41;&#62;'],
    ['</details>', '&#60;/details&#62;'],
    ['`tick`', '&#96;tick&#96;'],
    ['echo $HOME', 'echo &#36;HOME'],
    ['line one\r\nline  two\n', 'line one line two'],
    ['nul\u0000 bell\u0007 rlo\u202e', 'nul\ufffd bell\ufffd rlo\ufffd'],
  ])('%j', (text, expected) => {
    expect(escapeInline(text)).toBe(expected);
  });

  test('codeInline clips long text before escaping', () => {
    expect(codeInline('RUN a && b', 6)).toBe('<code>RUN a…</code>');
    expect(codeInline('x\n|y')).toBe('<code>x &#124;y</code>');
  });

  test('escapeMarkdown is unchanged', () => {
    expect(escapeMarkdown('a-b $x')).toBe('a&#45;b $x');
  });
});

describe('clipText', () => {
  test.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['this is too long', 8, 'this is…'],
    ['ab😀cd', 4, 'ab…'],
    ['ab😀cd', 5, 'ab😀…'],
  ])('%j to %d', (text, max, expected) => {
    expect(clipText(text, max)).toBe(expected);
  });
});

describe('safeLinkUrl', () => {
  test.each([
    ['https://github.com/o/r/blob/abc/Dockerfile#L3', 'https://github.com/o/r/blob/abc/Dockerfile#L3'],
    [
      'https://github.com/o/r/blob/abc/my file (1).Dockerfile#L3',
      'https://github.com/o/r/blob/abc/my%20file%20%281%29.Dockerfile#L3',
    ],
    ['https://x/<script>|`"', 'https://x/%3Cscript%3E%7C%60%22'],
    ['javascript:alert(1)', undefined],
    ['data:text/html,x', undefined],
    ['//evil', undefined],
  ])('%j', (url, expected) => {
    expect(safeLinkUrl(url)).toBe(expected);
  });
});

describe('fenced', () => {
  test('a fence longer than any backtick run inside', () => {
    expect(fenced('text', 'a ``` b')).toBe('````text\na ``` b\n````\n');
  });
});
