/**
 * `.dockerignore` parsing and matching, reproducing what BuildKit does when it sends the main build context.
 *
 * Three Go pieces are mirrored here:
 *  - `moby/patternmatcher/ignorefile.ReadAll` turns the file into pattern strings;
 *  - `patternmatcher.New` and `Pattern.compile`/`match` validate and match them (including the quirks of
 *    building a Go regular expression from the glob, see {@link compileGlob});
 *  - `tonistiigi/fsutil` `filterFS.Walk` decides, directory by directory, what the context contains, feeding each
 *    directory's per-pattern results to its children (`MatchesUsingParentResults`) and skipping directories
 *    that nothing can re-include.
 *
 * Which file is read is decided by `frontend/dockerui` (see {@link dockerignoreCandidates}).
 */
import { FilepathPatternError, goFilepathMatch } from './filepath-match.js';

/** One pattern as BuildKit keeps it: cleaned, without its `!`, and the 1-based line it came from. */
export interface IgnorePattern {
  readonly pattern: string;
  readonly exclusion: boolean;
  readonly line: number;
}

/** A `.dockerignore` BuildKit refuses. The message is Go's; `line` is the 1-based line of the culprit. */
export class DockerignoreError extends Error {
  override readonly name = 'DockerignoreError';
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(message);
    this.line = line;
  }
}

const BAD_PATTERN = 'syntax error in pattern'; // Go's filepath.ErrBadPattern
const BARE_EXCLAMATION = 'illegal exclusion pattern: "!"';
const TOKEN_TOO_LONG = 'bufio.Scanner: token too long';
/** bufio.Scanner's default buffer: a line must fit in it together with its newline. */
const MAX_SCAN_TOKEN = 64 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Go string helpers

/** Go's `unicode.IsSpace` (what `strings.TrimSpace` trims). Unlike JS `trim`, U+0085 is space and U+FEFF is not. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/** Go's `filepath.Clean` on a Unix host (also `path.Clean`). */
function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = (rooted ? '/' : '') + out.join('/');
  return joined === '' ? '.' : joined;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** `bufio.Scanner` with `ScanLines`: split on `\n`, drop one trailing `\r`, no empty token after a final `\n`. */
function scanLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, index) => {
    if (line.length * 3 >= MAX_SCAN_TOKEN && utf8Length(line) >= MAX_SCAN_TOKEN) {
      throw new DockerignoreError(TOKEN_TOO_LONG, index + 1);
    }
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Go regexp (RE2 syntax, Perl flags) → JavaScript RegExp with the `u` flag. Only needs to accept what
// compileGlob can produce, but that is more than it seems: `[`, `]`, `^`, `{`, `|`, `}` and every `\x` escape
// reach Go's regexp parser untouched.

class GoRegexpError extends Error {}

interface Piece {
  readonly js: string;
  /** Go's compiled-size estimate (regexp/syntax calcSize), to reject what Go calls "expression too large". */
  readonly size: number;
  /** Zero-width assertion or already-quantified: JS needs a group around it before a quantifier. */
  readonly needsGroup: boolean;
}

const GO_MAX_SIZE = Math.floor((128 << 20) / 40);
const GO_MAX_REPEAT = 1000;
const MAX_RUNE = 0x10ffff;

type Ranges = [number, number][];

const PERL_GROUPS: Record<string, { negated: boolean; ranges: Ranges }> = {
  '\\d': { negated: false, ranges: [[0x30, 0x39]] },
  '\\D': { negated: true, ranges: [[0x30, 0x39]] },
  '\\s': {
    negated: false,
    ranges: [
      [0x09, 0x0a],
      [0x0c, 0x0d],
      [0x20, 0x20],
    ],
  },
  '\\S': {
    negated: true,
    ranges: [
      [0x09, 0x0a],
      [0x0c, 0x0d],
      [0x20, 0x20],
    ],
  },
  '\\w': {
    negated: false,
    ranges: [
      [0x30, 0x39],
      [0x41, 0x5a],
      [0x5f, 0x5f],
      [0x61, 0x7a],
    ],
  },
  '\\W': {
    negated: true,
    ranges: [
      [0x30, 0x39],
      [0x41, 0x5a],
      [0x5f, 0x5f],
      [0x61, 0x7a],
    ],
  },
};

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/** Go's unicode.Categories keys, in regexp/syntax's canonical spelling. */
const GO_CATEGORIES = new Set(
  'C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
);

/** unicode.CategoryAliases (Go ≥ 1.25), keyed by canonical name. */
const GO_CATEGORY_ALIASES: Record<string, string> = Object.fromEntries(
  Object.entries({
    Cased_Letter: 'LC',
    Close_Punctuation: 'Pe',
    Combining_Mark: 'M',
    Connector_Punctuation: 'Pc',
    Control: 'Cc',
    cntrl: 'Cc',
    Currency_Symbol: 'Sc',
    Dash_Punctuation: 'Pd',
    Decimal_Number: 'Nd',
    digit: 'Nd',
    Enclosing_Mark: 'Me',
    Final_Punctuation: 'Pf',
    Format: 'Cf',
    Initial_Punctuation: 'Pi',
    Letter: 'L',
    Letter_Number: 'Nl',
    Line_Separator: 'Zl',
    Lowercase_Letter: 'Ll',
    Mark: 'M',
    Math_Symbol: 'Sm',
    Modifier_Letter: 'Lm',
    Modifier_Symbol: 'Sk',
    Nonspacing_Mark: 'Mn',
    Number: 'N',
    Open_Punctuation: 'Ps',
    Other: 'C',
    Other_Letter: 'Lo',
    Other_Number: 'No',
    Other_Punctuation: 'Po',
    Other_Symbol: 'So',
    Paragraph_Separator: 'Zp',
    Private_Use: 'Co',
    Punctuation: 'P',
    punct: 'P',
    Separator: 'Z',
    Space_Separator: 'Zs',
    Spacing_Mark: 'Mc',
    Surrogate: 'Cs',
    Symbol: 'S',
    Titlecase_Letter: 'Lt',
    Unassigned: 'Cn',
    Uppercase_Letter: 'Lu',
  }).map(([alias, category]) => [canonicalName(alias), category]),
);

/** regexp/syntax `canonicalName`: drop `_`, `-`, space; first letter upper case, the rest lower case. */
function canonicalName(name: string): string {
  let out = '';
  let first = true;
  for (const ch of name) {
    if (ch === '_' || ch === '-' || ch === ' ') continue;
    if (first) {
      out += ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
      first = false;
    } else out += ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
  }
  return out;
}

function categoryFragment(category: string, negated: boolean): string {
  // Go's C is Cc|Cf|Co|Cs; JavaScript's also holds the unassigned code points (Cn).
  if (category === 'C') return negated ? '\\P{C}\\p{Cn}' : '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}';
  return `${negated ? '\\P' : '\\p'}{${category}}`;
}

const scriptSupport = new Map<string, boolean>();

function isJsScript(name: string): boolean {
  let known = scriptSupport.get(name);
  if (known === undefined) {
    known = /^[A-Za-z0-9]+$/.test(name);
    if (known) {
      try {
        new RegExp(`\\p{Script=${name}}`, 'u');
      } catch {
        known = false;
      }
    }
    scriptSupport.set(name, known);
  }
  return known;
}

/** regexp/syntax `unicodeTable`, as a fragment for a JS `u` class; undefined when Go knows no such table. */
function unicodeFragment(rawName: string, negated: boolean): string | undefined {
  const name = canonicalName(rawName);
  const p = negated ? '\\P' : '\\p';
  switch (name) {
    case 'Any':
      return `${p}{Any}`;
    case 'Assigned':
      return `${p}{Assigned}`;
    case 'Ascii':
      return `${p}{ASCII}`;
    case 'Lc':
      return `${p}{LC}`;
  }
  if (GO_CATEGORIES.has(name)) return categoryFragment(name, negated);
  if (isJsScript(name)) return `${p}{Script=${name}}`;
  const alias = GO_CATEGORY_ALIASES[name];
  return alias === undefined ? undefined : categoryFragment(alias, negated);
}

function jsCodePoint(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCodePoint(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

function jsClass(negated: boolean, ranges: Ranges, fragments: readonly string[]): string {
  let body = '';
  for (const [lo, hi] of ranges)
    body += lo === hi ? jsCodePoint(lo) : `${jsCodePoint(lo)}-${jsCodePoint(hi)}`;
  return `[${negated ? '^' : ''}${body}${fragments.join('')}]`;
}

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}

function unhex(c: string | undefined): number {
  if (c === undefined) return -1;
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 0x30;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 0x61 + 10;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 0x41 + 10;
  return -1;
}

function isAlnum(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/** Translates a Go regular expression (as patternmatcher builds them) to JavaScript source for the `u` flag. */
function translateGoRegexp(source: string): string {
  const cs = Array.from(source); // one element per code point, as Go walks runes
  let i = 0;
  const fail = (): never => {
    throw new GoRegexpError();
  };
  const literal = (cp: number): Piece => ({ js: jsCodePoint(cp), size: 1, needsGroup: false });
  const classPiece = (js: string): Piece => ({ js, size: 1, needsGroup: false });
  const assertion = (js: string): Piece => ({ js, size: 1, needsGroup: true });

  /** parseEscape: `\` at cs[at]; returns the rune and the index after the escape. */
  const parseEscape = (at: number): [number, number] => {
    let p = at + 1;
    const c = cs[p++];
    if (c === undefined) return fail(); // trailing backslash
    if (isOctal(c)) {
      // `\1`..`\7` alone would be a back-reference, which Go does not support; otherwise up to three digits.
      if (c !== '0' && !isOctal(cs[p])) return fail();
      let r = c.charCodeAt(0) - 0x30;
      for (let k = 1; k < 3 && isOctal(cs[p]); k++) r = r * 8 + (cs[p++] as string).charCodeAt(0) - 0x30;
      return [r, p];
    }
    switch (c) {
      case 'x': {
        const first = cs[p++];
        if (first === undefined) return fail();
        if (first === '{') {
          let r = 0;
          let digits = 0;
          for (;;) {
            const d = cs[p++];
            if (d === undefined) return fail();
            if (d === '}') break;
            const v = unhex(d);
            if (v < 0) return fail();
            r = r * 16 + v;
            if (r > MAX_RUNE) return fail();
            digits++;
          }
          if (digits === 0) return fail();
          return [r, p];
        }
        const x = unhex(first);
        const y = unhex(cs[p++]);
        if (x < 0 || y < 0) return fail();
        return [x * 16 + y, p];
      }
      case 'a':
        return [0x07, p];
      case 'f':
        return [0x0c, p];
      case 'n':
        return [0x0a, p];
      case 'r':
        return [0x0d, p];
      case 't':
        return [0x09, p];
      case 'v':
        return [0x0b, p];
      default: {
        const cp = c.codePointAt(0) as number;
        if (cp < 0x80 && !isAlnum(c)) return [cp, p];
        return fail();
      }
    }
  };

  /** parseUnicodeClass: `\p` or `\P` at cs[at]; returns a class fragment and the index after it. */
  const parseUnicodeClass = (at: number): [string, number] => {
    let negated = cs[at + 1] === 'P';
    let name: string;
    let end: number;
    if (cs[at + 2] !== '{') {
      name = cs[at + 2] ?? '';
      end = Math.min(at + 3, cs.length);
    } else {
      const close = cs.indexOf('}', at);
      if (close < 0) return fail();
      name = cs.slice(at + 3, close).join('');
      end = close + 1;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const fragment = unicodeFragment(name, negated);
    if (fragment === undefined) return fail();
    return [fragment, end];
  };

  /** parseClass: `[` at cs[i]. */
  const parseClass = (): Piece => {
    i++;
    let negated = false;
    if (cs[i] === '^') {
      negated = true;
      i++;
    }
    const ranges: Ranges = [];
    const fragments: string[] = [];
    let first = true; // `]` is a literal when it comes first
    while (i >= cs.length || cs[i] !== ']' || first) {
      first = false;
      if (cs.length - i > 2 && cs[i] === '[' && cs[i + 1] === ':') {
        let close = -1;
        for (let k = i + 2; k + 1 < cs.length; k++) {
          if (cs[k] === ':' && cs[k + 1] === ']') {
            close = k;
            break;
          }
        }
        if (close >= 0) {
          let name = cs.slice(i + 2, close).join('');
          const negatedGroup = name.startsWith('^');
          if (negatedGroup) name = name.slice(1);
          const group = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (group === undefined) return fail();
          ranges.push(...(negatedGroup ? complement(group) : group));
          i = close + 2;
          continue;
        }
      }
      if (cs[i] === '\\' && (cs[i + 1] === 'p' || cs[i + 1] === 'P')) {
        const [fragment, next] = parseUnicodeClass(i);
        fragments.push(fragment);
        i = next;
        continue;
      }
      const perl = cs[i] === '\\' ? PERL_GROUPS[`\\${cs[i + 1] ?? ''}`] : undefined;
      if (perl !== undefined) {
        ranges.push(...(perl.negated ? complement(perl.ranges) : perl.ranges));
        i += 2;
        continue;
      }
      const lo = classChar();
      let hi = lo;
      if (cs.length - i >= 2 && cs[i] === '-' && cs[i + 1] !== ']') {
        i++;
        hi = classChar();
        if (hi < lo) return fail();
      }
      ranges.push([lo, hi]);
    }
    i++; // the closing `]`
    return classPiece(jsClass(negated, ranges, fragments));
  };

  const classChar = (): number => {
    const c = cs[i];
    if (c === undefined) return fail(); // missing closing ]
    if (c === '\\') {
      const [r, next] = parseEscape(i);
      i = next;
      return r;
    }
    i++;
    return c.codePointAt(0) as number;
  };

  const parseDecimal = (): number | undefined => {
    const start = i;
    if (!(cs[i] !== undefined && (cs[i] as string) >= '0' && (cs[i] as string) <= '9')) return undefined;
    if (
      cs[i] === '0' &&
      cs[i + 1] !== undefined &&
      (cs[i + 1] as string) >= '0' &&
      (cs[i + 1] as string) <= '9'
    ) {
      return undefined;
    }
    while (cs[i] !== undefined && (cs[i] as string) >= '0' && (cs[i] as string) <= '9') i++;
    let n = 0;
    for (let k = start; k < i; k++) {
      if (n >= 1e8) return -1;
      n = n * 10 + (cs[k] as string).charCodeAt(0) - 0x30;
    }
    return n;
  };

  /** parseRepeat: `{n}`, `{n,}` or `{n,m}` at cs[i]; undefined (and i untouched) when it is a literal `{`. */
  const parseRepeat = (): { min: number; max: number } | undefined => {
    const start = i;
    i++;
    let min = parseDecimal();
    let max: number | undefined;
    if (min !== undefined && i < cs.length) {
      if (cs[i] !== ',') max = min;
      else {
        i++;
        if (i < cs.length) {
          if (cs[i] === '}') max = -1;
          else {
            max = parseDecimal();
            if (max !== undefined && max < 0) min = -1;
          }
        }
      }
    }
    if (min === undefined || max === undefined || cs[i] !== '}') {
      i = start;
      return undefined;
    }
    i++;
    return { min, max };
  };

  const quantify = (items: Piece[], op: string, min: number, max: number, afterRepeat: boolean): void => {
    let suffix = '';
    if (cs[i] === '?') {
      i++;
      suffix = '?';
    }
    if (afterRepeat) fail(); // invalid nested repetition operator
    const sub = items.pop();
    if (sub === undefined) return fail(); // missing argument to repetition operator
    let size: number;
    if (op === '*') size = 2 + sub.size;
    else if (op === '+' || op === '?') size = 1 + sub.size;
    else if (max === -1) size = min === 0 ? 2 + sub.size : 1 + min * sub.size;
    else size = max * sub.size + (max - min);
    const atom = sub.needsGroup ? `(?:${sub.js})` : sub.js;
    items.push({ js: atom + op + suffix, size: Math.max(1, size), needsGroup: true });
  };

  const parseConcat = (): Piece => {
    const items: Piece[] = [];
    let lastWasRepeat = false;
    while (i < cs.length) {
      const c = cs[i] as string;
      if (c === '|' || c === ')') break;
      let isRepeat = false;
      switch (c) {
        case '(': {
          if (cs[i + 1] === '?') return fail(); // Perl flags: never produced from a glob
          i++;
          const inner = parseAlternation();
          if (cs[i] !== ')') return fail(); // missing closing )
          i++;
          items.push({ js: `(?:${inner.js})`, size: 2 + inner.size, needsGroup: false });
          break;
        }
        case '^':
          i++;
          items.push(assertion('^'));
          break;
        case '$':
          i++;
          items.push(assertion('$'));
          break;
        case '.':
          i++;
          items.push(classPiece('[^\\n]')); // Go's `.` only refuses \n
          break;
        case '[':
          items.push(parseClass());
          break;
        case '*':
        case '+':
        case '?':
          i++;
          quantify(items, c, 0, 0, lastWasRepeat);
          isRepeat = true;
          break;
        case '{': {
          const repeat = parseRepeat();
          if (repeat === undefined) {
            i++;
            items.push(literal(0x7b));
            break;
          }
          const { min, max } = repeat;
          if (min < 0 || min > GO_MAX_REPEAT || max > GO_MAX_REPEAT || (max >= 0 && min > max)) return fail();
          const op = max === -1 ? `{${min},}` : max === min ? `{${min}}` : `{${min},${max}}`;
          quantify(items, op, min, max, lastWasRepeat);
          isRepeat = true;
          break;
        }
        case '\\':
          parseBackslash(items);
          break;
        default:
          i++;
          items.push(literal(c.codePointAt(0) as number));
      }
      lastWasRepeat = isRepeat;
    }
    return {
      js: items.map((item) => item.js).join(''),
      size: items.reduce((sum, item) => sum + item.size, 0),
      needsGroup: false,
    };
  };

  const parseBackslash = (items: Piece[]): void => {
    switch (cs[i + 1]) {
      case 'A':
        i += 2;
        items.push(assertion('^'));
        return;
      case 'b':
        i += 2;
        items.push(assertion('\\b'));
        return;
      case 'B':
        i += 2;
        items.push(assertion('\\B'));
        return;
      case 'C':
        return fail();
      case 'Q': {
        // \Q...\E: everything up to \E (or the very end, our `$` included) is literal.
        let end = cs.length;
        for (let k = i + 2; k + 1 < cs.length; k++) {
          if (cs[k] === '\\' && cs[k + 1] === 'E') {
            end = k;
            break;
          }
        }
        for (let k = i + 2; k < end; k++) items.push(literal((cs[k] as string).codePointAt(0) as number));
        i = Math.min(end + 2, cs.length);
        return;
      }
      case 'z':
        i += 2;
        items.push(assertion('$'));
        return;
      case 'p':
      case 'P': {
        const [fragment, next] = parseUnicodeClass(i);
        i = next;
        items.push(classPiece(`[${fragment}]`));
        return;
      }
    }
    const perl = PERL_GROUPS[`\\${cs[i + 1] ?? ''}`];
    if (perl !== undefined) {
      i += 2;
      items.push(classPiece(jsClass(perl.negated, perl.ranges, [])));
      return;
    }
    const [r, next] = parseEscape(i);
    i = next;
    items.push(literal(r));
  };

  const parseAlternation = (): Piece => {
    const branches = [parseConcat()];
    while (cs[i] === '|') {
      i++;
      branches.push(parseConcat());
    }
    return {
      js: branches.map((branch) => branch.js).join('|'),
      size: branches.reduce((sum, branch) => sum + branch.size, 0) + branches.length - 1,
      needsGroup: false,
    };
  };

  const whole = parseAlternation();
  if (i < cs.length) fail(); // an unmatched `)`
  if (whole.size > GO_MAX_SIZE) fail(); // expression too large
  return whole.js;
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (next <= lo - 1) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// patternmatcher.Pattern

type Matcher =
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'suffix'; readonly suffix: string }
  | { readonly kind: 'never' }
  | { readonly kind: 'regexp'; readonly re: RegExp };

/** Go's `shouldEscape`: its bitmap only covers bytes below 64, so `{`, `|` and `}` slip through unescaped. */
const ESCAPED_FOR_REGEXP = new Set(['.', '+', '(', ')', '$']);

/**
 * `Pattern.compile`: classifies the pattern as exact, prefix (`abc/**`), suffix (`**` first) or regexp, and
 * for the last builds the same regular expression as Go. Throws {@link GoRegexpError}.
 */
function compileGlob(pattern: string): Matcher {
  const chars = Array.from(pattern);
  // text/scanner skips a byte-order mark at the start of its input.
  const bomLed = chars[0] === '\uFEFF';
  let pos = bomLed ? 1 : 0;
  let re = '^';
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0; pos < chars.length; i++) {
    const ch = chars[pos++] as string;
    if (ch === '*') {
      if (chars[pos] === '*') {
        pos++;
        if (chars[pos] === '/') pos++; // `**/` is `**`
        if (pos >= chars.length) {
          if (kind === 'exact') kind = 'prefix';
          else {
            re += '.*';
            kind = 'regexp';
          }
        } else {
          re += '(.*/)?';
          kind = 'regexp';
        }
        if (i === 0) kind = 'suffix';
      } else {
        re += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      kind = 'regexp';
    } else if (ESCAPED_FOR_REGEXP.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (pos < chars.length) {
        re += `\\${chars[pos++] as string}`;
        kind = 'regexp';
      } else re += '\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      kind = 'regexp';
    } else {
      re += ch;
    }
  }
  switch (kind) {
    case 'exact':
      return { kind, text: pattern };
    case 'prefix':
      return { kind, prefix: pattern.slice(0, -2) };
    case 'suffix':
      // Go slices two bytes off the pattern; behind a byte-order mark that leaves a broken UTF-8 string that
      // no path can end with.
      return bomLed ? { kind: 'never' } : { kind, suffix: pattern.slice(2) };
    case 'regexp':
      return { kind, re: new RegExp(translateGoRegexp(re + '$'), 'u') };
  }
}

function matches(matcher: Matcher, path: string): boolean {
  switch (matcher.kind) {
    case 'exact':
      return path === matcher.text;
    case 'prefix':
      return path.startsWith(matcher.prefix);
    case 'suffix':
      // `**/foo` also matches a top-level `foo`.
      return (
        path.endsWith(matcher.suffix) || (matcher.suffix.startsWith('/') && path === matcher.suffix.slice(1))
      );
    case 'never':
      return false;
    case 'regexp':
      return matcher.re.test(path);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** `ignorefile.ReadAll` for one line; undefined when the line yields no pattern. */
function readAllLine(raw: string): string | undefined {
  if (raw.startsWith('#')) return undefined;
  let pattern = goTrimSpace(raw);
  if (pattern === '') return undefined;
  const invert = pattern.startsWith('!');
  if (invert) pattern = goTrimSpace(pattern.slice(1));
  if (pattern.length > 0) {
    pattern = goClean(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
  }
  return invert ? `!${pattern}` : pattern;
}

/**
 * Parses a `.dockerignore` file: `ignorefile.ReadAll` followed by `patternmatcher.New`, so the result is what
 * BuildKit matches with (for example `!/a/../b` becomes `{ pattern: 'b', exclusion: true }`).
 * Throws {@link DockerignoreError} where BuildKit fails the build; errors Go only notices while matching (a
 * pattern that compiles to an invalid regular expression) are reported here too.
 */
export function parseDockerignore(text: string): IgnorePattern[] {
  const lines = scanLines(text);
  if (lines.length > 0 && lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
  const patterns: IgnorePattern[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fromFile = readAllLine(raw);
    if (fromFile === undefined) return;
    // patternmatcher.New trims and cleans again, which matters when stripping `/` exposed whitespace.
    let pattern = goTrimSpace(fromFile);
    if (pattern === '') return;
    pattern = goClean(pattern);
    let exclusion = false;
    if (pattern.startsWith('!')) {
      if (pattern.length === 1) throw new DockerignoreError(BARE_EXCLAMATION, line);
      exclusion = true;
      pattern = pattern.slice(1);
    }
    validateSyntax(pattern, line);
    patterns.push({ pattern, exclusion, line });
  });
  // Go compiles a pattern's regular expression on first use, after every pattern passed New's checks.
  for (const pattern of patterns) compilePattern(pattern);
  return patterns;
}

function validateSyntax(pattern: string, line: number): void {
  try {
    // filepath.Match, used by patternmatcher.New only to reject malformed patterns (checked all the way
    // through, as Go ≥ 1.20 does, even when the name stops matching early).
    goFilepathMatch(pattern, '.');
  } catch (error) {
    if (error instanceof FilepathPatternError) throw new DockerignoreError(BAD_PATTERN, line);
    throw error;
  }
}

function compilePattern(pattern: IgnorePattern): Matcher {
  try {
    return compileGlob(pattern.pattern);
  } catch (error) {
    if (error instanceof GoRegexpError || error instanceof SyntaxError) {
      throw new DockerignoreError(BAD_PATTERN, pattern.line);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

const PATTERN_CHARS = /[*[\]?^\\]/;

/** fsutil's `patternWithoutTrailingGlob`. */
function withoutTrailingGlob(pattern: string): string {
  let p = pattern;
  if (p.endsWith('/**')) p = p.slice(0, -3);
  if (p.endsWith('/*')) p = p.slice(0, -2);
  return p;
}

interface DirState {
  /** Per pattern: did it match this directory (MatchesUsingParentResults' MatchInfo). */
  readonly info: Uint8Array;
  readonly excluded: boolean;
  /** Does the walker enter this directory? */
  readonly descend: boolean;
}

const NOT_VISITED: DirState = { info: new Uint8Array(0), excluded: true, descend: false };
const MAX_CACHED_DIRS = 1 << 17;
const NEEDS_CLEAN = /^\.{1,2}(\/|$)|^\/|\/$|\/\/|\/\.{1,2}(\/|$)/;

function normalizeRelative(path: string): string {
  if (!NEEDS_CLEAN.test(path)) return path;
  const cleaned = goClean(path).replace(/^\/+/, '');
  return cleaned === '.' ? '' : cleaned;
}

/**
 * Matches paths against parsed patterns the way BuildKit's context walker does. Each directory's per-pattern
 * results are computed once and reused for everything below it.
 */
export class IgnoreMatcher {
  readonly hasExclusions: boolean;
  private readonly matchers: readonly Matcher[];
  private readonly exclusion: readonly boolean[];
  /** fsutil's `onlyPrefixExcludeExceptions`: no exception uses wildcards (bar a trailing `/*` or `/**`). */
  private readonly onlyPrefixExceptions: boolean;
  private readonly exceptionPrefixes: readonly string[];
  private readonly dirs = new Map<string, DirState>();

  constructor(patterns: readonly IgnorePattern[]) {
    this.matchers = patterns.map((pattern) => {
      validateSyntax(pattern.pattern, pattern.line);
      return compilePattern(pattern);
    });
    this.exclusion = patterns.map((pattern) => pattern.exclusion);
    this.hasExclusions = this.exclusion.includes(true);
    const exceptions = patterns
      .filter((pattern) => pattern.exclusion)
      .map((p) => withoutTrailingGlob(p.pattern));
    this.onlyPrefixExceptions = exceptions.every((pattern) => !PATTERN_CHARS.test(pattern));
    this.exceptionPrefixes = exceptions.map((pattern) => `${pattern}/`);
  }

  /** Path relative to the context root, `/`-separated, no leading `./`. true when the file or dir is excluded. */
  isExcluded(relativePath: string): boolean {
    const path = normalizeRelative(relativePath);
    if (path === '' || this.matchers.length === 0) return false; // the root itself is always sent
    const known = this.dirs.get(path);
    if (known !== undefined) return known.excluded;
    const slash = path.lastIndexOf('/');
    if (slash < 0) return this.evaluate(path, undefined, undefined);
    const parent = this.dirState(path.slice(0, slash));
    if (!parent.descend) return true;
    return this.evaluate(path, parent.info, undefined);
  }

  /**
   * true when the directory's contents may still be re-included by an exception, so a walker must descend.
   * false exactly where BuildKit's walker skips the directory: then everything below it is excluded.
   * (An excluded directory that is descended into still appears in the context if something below it is kept.)
   */
  mayIncludeUnder(relativeDir: string): boolean {
    const dir = normalizeRelative(relativeDir);
    if (dir === '' || this.matchers.length === 0) return true;
    return this.dirState(dir).descend;
  }

  private dirState(dir: string): DirState {
    const known = this.dirs.get(dir);
    if (known !== undefined) return known;
    const slash = dir.lastIndexOf('/');
    let state: DirState;
    const parent = slash < 0 ? undefined : this.dirState(dir.slice(0, slash));
    if (parent !== undefined && !parent.descend) state = NOT_VISITED;
    else {
      const info = new Uint8Array(this.matchers.length);
      const excluded = this.evaluate(dir, parent?.info, info);
      state = { info, excluded, descend: !excluded || this.descendsIntoExcluded(dir) };
    }
    if (this.dirs.size >= MAX_CACHED_DIRS) this.dirs.clear();
    this.dirs.set(dir, state);
    return state;
  }

  /** fsutil: an excluded directory is still walked unless every exception is a plain path outside it. */
  private descendsIntoExcluded(dir: string): boolean {
    if (!this.onlyPrefixExceptions) return true;
    const dirSlash = `${dir}/`;
    return this.exceptionPrefixes.some((prefix) => prefix.startsWith(dirSlash));
  }

  /**
   * `MatchesUsingParentResults`: patterns are applied in order, the last one that matches wins. A pattern
   * that matched the parent directory matches here without being evaluated; otherwise it is evaluated only if
   * it could change the outcome (an exception while excluded, an exclusion while included). Without parent
   * results (top-level entries) a pattern also matches when it matches one of the path's parent directories.
   */
  private evaluate(path: string, parentInfo: Uint8Array | undefined, info: Uint8Array | undefined): boolean {
    let excluded = false;
    for (let i = 0; i < this.matchers.length; i++) {
      const exclusion = this.exclusion[i] as boolean;
      let match = parentInfo !== undefined && parentInfo[i] === 1;
      if (!match) {
        if (exclusion !== excluded) continue;
        const matcher = this.matchers[i] as Matcher;
        match = matches(matcher, path);
        if (!match && parentInfo === undefined) {
          for (let slash = path.indexOf('/'); slash >= 0 && !match; slash = path.indexOf('/', slash + 1)) {
            match = matches(matcher, path.slice(0, slash));
          }
        }
      }
      if (info !== undefined) info[i] = match ? 1 : 0;
      if (match) excluded = !exclusion;
    }
    return excluded;
  }
}

/**
 * Which ignore files BuildKit reads for a Dockerfile path given relative to the context (e.g. `app/Dockerfile`):
 * `<dockerfile>.dockerignore` first (replacing, not merging), then `.dockerignore` at the context root.
 * The name is built from the `filename` option as given, so a lowercase `dockerfile` found as a fallback for
 * `Dockerfile` still uses `Dockerfile.dockerignore`.
 */
export function dockerignoreCandidates(dockerfilePath: string): string[] {
  let file = goClean(dockerfilePath.trim() === '' ? 'Dockerfile' : dockerfilePath).replace(/^\/+/, '');
  if (file === '' || file === '.') file = 'Dockerfile';
  return [`${file}.dockerignore`, '.dockerignore'];
}
