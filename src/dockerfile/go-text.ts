// Go's notions of whitespace and quoting, which BuildKit's parser relies on. JavaScript's `\s` and
// `trim()` differ from Go's `unicode.IsSpace` (JS counts U+FEFF, Go counts U+0085), so we spell Go's out.

/** Go's `unicode.IsSpace` for one UTF-16 code unit (no space lies outside the BMP). */
export function isGoSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Go's `strings.TrimSpace`. */
export function goTrimSpace(text: string): string {
  const trimmed = goTrimLeftSpace(text);
  let end = trimmed.length;
  while (end > 0 && isGoSpace(trimmed.charCodeAt(end - 1))) end--;
  return end === trimmed.length ? trimmed : trimmed.slice(0, end);
}

/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeftSpace(text: string): string {
  let start = 0;
  while (start < text.length && isGoSpace(text.charCodeAt(start))) start++;
  return start === 0 ? text : text.slice(start);
}

// Unicode categories L, M, N, P and S, which with ASCII space make Go's `unicode.IsPrint`.
const GO_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** Go's `strconv.Quote`, for strings that came from valid UTF-8. */
export function goQuote(text: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(plainFrom, i);
    const point = text.codePointAt(i) ?? code;
    const width = point > 0xffff ? 2 : 1;
    out += quoteCodePoint(point, text.slice(i, i + width));
    i += width - 1;
    plainFrom = i + 1;
  }
  return out + text.slice(plainFrom) + '"';
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x22: '\\"',
  0x5c: '\\\\',
};

function quoteCodePoint(point: number, char: string): string {
  const short = SHORT_ESCAPES[point];
  if (short !== undefined) return short;
  if (point < 0x20 || point === 0x7f) return `\\x${point.toString(16).padStart(2, '0')}`;
  if (GO_PRINTABLE.test(char)) return char;
  if (point <= 0xffff) return `\\u${point.toString(16).padStart(4, '0')}`;
  return `\\U${point.toString(16).padStart(8, '0')}`;
}

/** True when every code unit is ASCII, so byte offsets equal string offsets. */
export function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(text);
}

/**
 * Some of BuildKit's scanners walk a string byte by byte and treat each byte as a rune (flag extraction,
 * HEALTHCHECK's type word). To reproduce them exactly on non-ASCII text we work on the UTF-8 bytes
 * spelled as Latin-1 characters and convert back where Go would have kept the bytes.
 */
export function toByteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function fromByteString(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
