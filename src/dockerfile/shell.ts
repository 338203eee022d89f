/**
 * Shell-word expansion as BuildKit does it for Dockerfile instructions: a port of
 * `frontend/dockerfile/shell/lex.go` (moby/buildkit, Apache-2.0), written anew for TypeScript.
 *
 * One pass over the word removes quotes, processes the escape token and expands `$VAR` / `${VAR...}`.
 * `processWords` also splits the result into words, where only whitespace that came out of an
 * unquoted variable expansion, or was written unquoted and unescaped, splits.
 *
 * BuildKit's quirks are kept on purpose, because images must come out the same:
 * - `processWords` shares one word buffer between nesting levels, so any `${V<modifier>...}` or
 *   `${V/p/r}` throws away the part of the current word written before it: `a${X:-b}` gives `["b"]`.
 * - Inside double quotes with raw escapes on (pattern and replacement text), an escape token before a
 *   character it does not escape comes out twice: `${V#"a\b"}` gets the pattern `a\\b`, matching `a\b`.
 * - `${V//p/r}` treats `r` (after shell expansion) as a Go `Regexp.ReplaceAllString` template: `$0` and
 *   `${0}` insert the match, `$$` a `$`, any other `$name` nothing. `${V/p/r}` inserts `r` literally.
 * - `*` and `?` in patterns do not match `\n` (Go's `.`), and `//` replaces the way Go does around
 *   empty matches: replacing every match of the pattern `*` by `-` gives `-`, not `--`.
 * - With `skipUnsetEnv`, `${V//p/r}` of an unset `V` is written back as `${V/p/r}`.
 * - A U+FEFF at the very start of the word (or of a pattern) is dropped, as Go's `text/scanner` does.
 */

import { goQuote, isGoSpace } from './go-text.js';

/** Where variables are looked up; a `Map<string, string>` satisfies it. Names are case-sensitive. */
export interface ShellEnv {
  get(name: string): string | undefined;
}

export interface LexOptions {
  /** Keep quote characters in the output. */
  readonly rawQuotes?: boolean;
  /** Keep escape tokens in the output. */
  readonly rawEscapes?: boolean;
  /** Leave `$VAR` / `${VAR...}` of unset variables as written. */
  readonly skipUnsetEnv?: boolean;
  /** Quotes are ordinary characters (used for heredoc bodies). */
  readonly skipProcessQuotes?: boolean;
}

/** A word BuildKit refuses to expand. The message is BuildKit's: `failed to process "<word>": <reason>`. */
export class ShellExpansionError extends Error {
  override readonly name = 'ShellExpansionError';
  /** The word as given. */
  readonly word: string;
  /** The message without the `failed to process "<word>": ` prefix, e.g. `syntax error: bad substitution`. */
  readonly reason: string;

  constructor(word: string, reason: string) {
    super(`failed to process ${goQuote(word)}: ${reason}`);
    this.word = word;
    this.reason = reason;
  }
}

export interface WordResult {
  readonly result: string;
  /** Variables that were looked up and set (possibly empty). */
  readonly matched: ReadonlySet<string>;
  /** Variables that were looked up and not set. */
  readonly unmatched: ReadonlySet<string>;
}

const DEFAULT_OPTIONS: LexOptions = {};

/** Expands one word (BuildKit's `Lex.ProcessWord`): quotes removed, escapes processed, no splitting. */
export function processWord(
  word: string,
  env: ShellEnv,
  escapeToken = '\\',
  options: LexOptions = DEFAULT_OPTIONS,
): string {
  if (isPlain(word, escapeToken, options)) return word;
  return run(new Lexer(word, env, escapeToken, options, false, false), word);
}

/** Whether the word has nothing to expand, quote or escape, so it comes out unchanged. */
function isPlain(word: string, escapeToken: string, options: LexOptions): boolean {
  if (escapeToken.length !== 1 || (escapeToken.charCodeAt(0) & 0xf800) === 0xd800) return false; // let Lexer throw
  const quotes = options.skipProcessQuotes !== true;
  const re = scanner(escapeToken.charCodeAt(0), quotes, false, EOF, true);
  re.lastIndex = 0;
  return !re.test(word);
}

/** `processWord`, also telling which variables were found and which were not (for `UndefinedVar`). */
export function processWordWithMatches(
  word: string,
  env: ShellEnv,
  escapeToken = '\\',
  options: LexOptions = DEFAULT_OPTIONS,
): WordResult {
  const lexer = new Lexer(word, env, escapeToken, options, false, true);
  const result = run(lexer, word);
  return { result, matched: lexer.matched, unmatched: lexer.unmatched };
}

/** Expands and splits into words (BuildKit's `Lex.ProcessWords`, used for `EXPOSE`); empty words are dropped. */
export function processWords(
  word: string,
  env: ShellEnv,
  escapeToken = '\\',
  options: LexOptions = DEFAULT_OPTIONS,
): string[] {
  const lexer = new Lexer(word, env, escapeToken, options, true, false);
  run(lexer, word);
  return lexer.words ?? [];
}

function run(lexer: Lexer, word: string): string {
  try {
    return lexer.processStopOn(EOF, lexer.rawEscapes);
  } catch (error) {
    if (error instanceof LexFailure) throw new ShellExpansionError(word, error.message);
    throw error;
  }
}

/** An expansion error before the word is attached (BuildKit's unwrapped error). */
class LexFailure extends Error {}

const EOF = -1;
const TAB = 0x09;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const DOLLAR = 0x24;
const PERCENT = 0x25;
const SQUOTE = 0x27;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const LT = 0x3c;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const UNDERSCORE = 0x5f;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BOM = 0xfeff;

/** Go's `string(r)` for a scanner result: EOF (and any invalid rune) becomes U+FFFD. */
function runeString(cp: number): string {
  return cp < 0 ? '\uFFFD' : String.fromCodePoint(cp);
}

const UNICODE_LETTER = /^\p{L}$/u;
const UNICODE_DIGIT = /^\p{Nd}$/u;

/** Go's `unicode.IsLetter`. */
function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
  return UNICODE_LETTER.test(String.fromCodePoint(cp));
}

/** Go's `unicode.IsDigit` (any decimal digit, not only ASCII). */
function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return UNICODE_DIGIT.test(String.fromCodePoint(cp));
}

/** POSIX special parameters; like positional ones they are never set in a Dockerfile. */
function isSpecialParam(cp: number): boolean {
  switch (cp) {
    case 0x40: // @
    case STAR:
    case HASH:
    case QUESTION:
    case MINUS:
    case DOLLAR:
    case 0x21: // !
    case 0x30: // 0
      return true;
    default:
      return false;
  }
}

/** Go's `unicode.IsSpace` as a character class (every such character is in the BMP). */
const GO_SPACE_CLASS =
  '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_SPACE_SCAN = new RegExp(`[${GO_SPACE_CLASS}]`, 'g');

function classChar(code: number): string {
  return '\\u' + code.toString(16).padStart(4, '0');
}

const SCANNER_CACHE_LIMIT = 16;
/** Per escape token, the scanners by slot (see `scanner`; slot 32 is the double-quote one). */
const scanners = new Map<number, (RegExp | undefined)[]>();
const DOUBLE_QUOTE_SLOT = 32;

let lastEscape = -1;
let lastTable: (RegExp | undefined)[] = [];

function scannerTable(esc: number): (RegExp | undefined)[] {
  if (esc === lastEscape) return lastTable;
  let table = scanners.get(esc);
  if (table === undefined) {
    if (scanners.size >= SCANNER_CACHE_LIMIT) scanners.clear();
    table = [];
    scanners.set(esc, table);
  }
  lastEscape = esc;
  lastTable = table;
  return table;
}

/**
 * Finds the next character that ends a run of ordinary characters (native regex scanning is several
 * times faster than a charCodeAt loop). `stop` is EOF, `}` or `/`. With `plain`, it finds any
 * character that could make the word come out changed.
 */
function scanner(esc: number, quotes: boolean, split: boolean, stop: number, plain: boolean): RegExp {
  const table = scannerTable(esc);
  const slot =
    (quotes ? 1 : 0) | (split ? 2 : 0) | (plain ? 4 : 0) | (stop === RBRACE ? 8 : stop === SLASH ? 16 : 0);
  let re = table[slot];
  if (re === undefined) {
    let chars = classChar(DOLLAR) + classChar(esc) + classChar(plain ? BOM : LT);
    if (quotes) chars += classChar(SQUOTE) + classChar(DQUOTE);
    if (stop !== EOF) chars += classChar(stop);
    if (split) chars += GO_SPACE_CLASS;
    re = new RegExp(`[${chars}]`, 'g');
    table[slot] = re;
  }
  return re;
}

/** Inside double quotes only `"`, `$` and the escape token are special. */
function doubleQuoteScanner(esc: number): RegExp {
  const table = scannerTable(esc);
  let re = table[DOUBLE_QUOTE_SLOT];
  if (re === undefined) {
    re = new RegExp(`[${classChar(DQUOTE) + classChar(DOLLAR) + classChar(esc)}]`, 'g');
    table[DOUBLE_QUOTE_SLOT] = re;
  }
  return re;
}

/** Shared by lexers that do not track names; never written to. */
const NO_NAMES = new Set<string>();

/** How deep `${…}` expansions may nest (see `Lexer.nested`). */
const MAX_NESTING = 200;

class Lexer {
  /** UTF-16 index of the next character. */
  pos: number;
  /** Whether escape tokens are kept; changes while nested parts (patterns) are read. */
  rawEscapes: boolean;
  /** Words finished so far by the outermost level; only when splitting. */
  readonly words: string[] | undefined;
  /** The word being built. BuildKit shares this buffer with nested levels, which empty it. */
  private buf = '';
  private depth = 0;
  readonly matched: Set<string>;
  readonly unmatched: Set<string>;

  private readonly len: number;
  private readonly esc: number;
  private readonly escStr: string;
  private readonly rawQuotes: boolean;
  private readonly skipUnsetEnv: boolean;
  private readonly processQuotes: boolean;

  constructor(
    private readonly src: string,
    private readonly env: ShellEnv,
    escapeToken: string,
    options: LexOptions,
    split: boolean,
    private readonly capture: boolean,
  ) {
    if (escapeToken.length !== 1 || (escapeToken.charCodeAt(0) & 0xf800) === 0xd800) {
      throw new RangeError(`escape token must be a single character, got ${JSON.stringify(escapeToken)}`);
    }
    this.len = src.length;
    this.pos = src.charCodeAt(0) === BOM ? 1 : 0;
    this.esc = escapeToken.charCodeAt(0);
    this.escStr = escapeToken;
    this.rawQuotes = options.rawQuotes === true;
    this.rawEscapes = options.rawEscapes === true;
    this.skipUnsetEnv = options.skipUnsetEnv === true;
    this.processQuotes = options.skipProcessQuotes !== true;
    this.words = split ? [] : undefined;
    this.matched = capture ? new Set() : NO_NAMES;
    this.unmatched = capture ? new Set() : NO_NAMES;
  }

  private peek(): number {
    return this.pos < this.len ? (this.src.codePointAt(this.pos) as number) : EOF;
  }

  private next(): number {
    const cp = this.peek();
    if (cp !== EOF) this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private fail(message: string): LexFailure {
    return new LexFailure(message);
  }

  /** Adds expanded text to the current word, splitting at whitespace (Go's `wordsStruct.addString`). */
  private addSplitting(text: string): void {
    const words = this.words as string[];
    let start = 0;
    GO_SPACE_SCAN.lastIndex = 0;
    while (GO_SPACE_SCAN.test(text)) {
      const at = GO_SPACE_SCAN.lastIndex - 1;
      if (at > start) this.buf += text.slice(start, at);
      if (this.buf !== '') {
        words.push(this.buf);
        this.buf = '';
      }
      start = at + 1;
    }
    if (start < text.length) this.buf += start === 0 ? text : text.slice(start);
  }

  /**
   * Reads up to `stop` (consumed) or to the end of the word when `stop` is EOF (Go's `processStopOn`).
   * Nested calls read modifier words, patterns and replacements.
   */
  processStopOn(stop: number, rawEscapes: boolean): string {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    const outermost = stop === EOF;
    const split = outermost && this.words !== undefined;
    // Every level resets the shared word buffer and leaves it empty when it succeeds.
    this.buf = '';
    const { src, len, esc, processQuotes } = this;
    const scan = scanner(esc, processQuotes, split, stop, false);
    let out = '';

    while (this.pos < len) {
      const c = src.charCodeAt(this.pos);
      if (c === stop) {
        this.pos++;
        this.rawEscapes = saved;
        return out;
      }
      if (c === DOLLAR) {
        const value = this.processDollar();
        out += value;
        if (split) this.addSplitting(value);
        continue;
      }
      if (c === LT || (processQuotes && (c === SQUOTE || c === DQUOTE))) {
        const text =
          c === LT
            ? this.processPossibleHeredoc()
            : c === SQUOTE
              ? this.processSingleQuote()
              : this.processDoubleQuote();
        out += text;
        if (split) this.buf += text;
        continue;
      }
      if (c === esc) {
        this.pos++;
        if (rawEscapes) {
          out += this.escStr;
          if (split) this.buf += this.escStr;
        }
        if (this.pos >= len) break; // an escape token at the end is dropped
        const cp = src.codePointAt(this.pos) as number;
        const escaped = cp > 0xffff ? src.slice(this.pos, this.pos + 2) : src[this.pos];
        this.pos += escaped.length;
        out += escaped;
        if (split) this.buf += escaped; // escaped whitespace does not split
        continue;
      }
      if (split && isGoSpace(c)) {
        this.pos++;
        out += src[this.pos - 1];
        if (this.buf !== '') {
          (this.words as string[]).push(this.buf);
          this.buf = '';
        }
        continue;
      }
      // A run of ordinary characters, up to the next one the loop above handles.
      const start = this.pos;
      scan.lastIndex = start + 1;
      const end = scan.test(src) ? scan.lastIndex - 1 : len;
      this.pos = end;
      const text = src.slice(start, end);
      out += text;
      if (split) this.buf += text;
    }

    this.rawEscapes = saved;
    if (!outermost) {
      throw this.fail(`unexpected end of statement while looking for matching ${String.fromCharCode(stop)}`);
    }
    if (split && this.buf !== '') {
      (this.words as string[]).push(this.buf);
      this.buf = '';
    }
    return out;
  }

  /** `'...'`: everything literal up to the next `'`; nothing can be escaped. */
  private processSingleQuote(): string {
    const start = this.pos + 1;
    const end = this.src.indexOf("'", start);
    if (end < 0) {
      this.pos = this.len;
      throw this.fail('unexpected end of statement while looking for matching single-quote');
    }
    this.pos = end + 1;
    const text = this.src.slice(start, end);
    return this.rawQuotes ? `'${text}'` : text;
  }

  /** `"..."`: `$` expands; the escape token escapes only `"`, `$` and itself, otherwise it stays. */
  private processDoubleQuote(): string {
    const { src, len, esc } = this;
    this.pos++;
    let out = this.rawQuotes ? '"' : '';
    for (;;) {
      if (this.pos >= len) {
        throw this.fail('unexpected end of statement while looking for matching double-quote');
      }
      const c = src.charCodeAt(this.pos);
      if (c === DQUOTE) {
        this.pos++;
        return this.rawQuotes ? out + '"' : out;
      }
      if (c === DOLLAR) {
        out += this.processDollar();
        continue;
      }
      if (c === esc) {
        this.pos++;
        if (this.rawEscapes) out += this.escStr;
        if (this.pos >= len) continue; // unterminated: fails above
        const d = src.charCodeAt(this.pos);
        if (d === DQUOTE || d === DOLLAR || d === esc) {
          this.pos++;
          out += src[this.pos - 1];
        } else {
          out += this.escStr;
        }
        continue;
      }
      const start = this.pos;
      const scan = doubleQuoteScanner(esc);
      scan.lastIndex = start + 1;
      this.pos = scan.test(src) ? scan.lastIndex - 1 : len;
      out += src.slice(start, this.pos);
    }
  }

  /** `<<` and the blanks after it stay together, so a heredoc marker is one word with its name. */
  private processPossibleHeredoc(): string {
    const start = this.pos;
    this.pos++;
    if (this.pos >= this.len || this.src.charCodeAt(this.pos) !== LT) return '<';
    this.pos++;
    while (this.pos < this.len) {
      const c = this.src.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB && c !== CR) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  /** A name (letters, digits, `_`), a run of digits (positional), or one special parameter character. */
  private processName(): string {
    const start = this.pos;
    const cp = this.peek();
    if (cp === EOF) return '';
    let end: number;
    if (isDigit(cp)) end = this.nameEnd(start, true);
    else if (isSpecialParam(cp)) end = start + 1;
    else end = this.nameEnd(start, false); // a letter or `_` starts a name; anything else gives ''
    this.pos = end;
    return this.src.slice(start, end);
  }

  /** Where a run of name characters (or only digits) starting at `p` ends; ASCII first, then Unicode. */
  private nameEnd(p: number, digitsOnly: boolean): number {
    const { src, len } = this;
    while (p < len) {
      const c = src.charCodeAt(p);
      if (c < 0x80) {
        const digit = c >= 0x30 && c <= 0x39;
        if (
          !digit &&
          (digitsOnly || !((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === UNDERSCORE))
        ) {
          return p;
        }
        p++;
        continue;
      }
      const cp = src.codePointAt(p) as number;
      if (!isDigit(cp) && (digitsOnly || !isLetter(cp))) return p;
      p += cp > 0xffff ? 2 : 1;
    }
    return p;
  }

  private getEnv(name: string): string | undefined {
    const value = this.env.get(name);
    if (this.capture) (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }

  /** Reads a nested part; an error that ran into the end of the word is reported as `eofMessage`. */
  private nested(stop: number, rawEscapes: boolean, eofMessage: string): string {
    // Go's stacks grow; ours do not. No real Dockerfile nests expansions this deep, so stop with an error
    // instead of overflowing the stack.
    if (++this.depth > MAX_NESTING) throw this.fail(`expansions nested deeper than ${MAX_NESTING} levels`);
    try {
      return this.processStopOn(stop, rawEscapes);
    } catch (error) {
      if (error instanceof LexFailure && this.pos >= this.len) throw this.fail(eofMessage);
      throw error;
    } finally {
      this.depth--;
    }
  }

  private processDollar(): string {
    this.pos++; // $
    if (this.src.charCodeAt(this.pos) !== LBRACE) {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined) return this.skipUnsetEnv ? '$' + name : '';
      return value;
    }
    this.pos++; // {
    switch (this.peek()) {
      case EOF:
        throw this.fail("syntax error: missing '}'");
      case LBRACE:
      case RBRACE:
      case COLON:
        throw this.fail('syntax error: bad substitution');
    }
    const name = this.processName();
    let ch = this.next();
    let chs = runeString(ch);
    let nullIsUnset = false;
    switch (ch) {
      case RBRACE: {
        const value = this.getEnv(name);
        if (value === undefined) return this.skipUnsetEnv ? `\${${name}}` : '';
        return value;
      }
      case COLON:
        // Whatever follows the colon is read as a modifier word; only -, + and ? are accepted after it.
        nullIsUnset = true;
        ch = this.next();
        chs += runeString(ch);
        return this.modifier(name, ch, chs, nullIsUnset);
      case PLUS:
      case MINUS:
      case QUESTION:
      case HASH:
      case PERCENT:
        return this.modifier(name, ch, chs, nullIsUnset);
      case SLASH:
        return this.substitution(name);
      default:
        throw this.fail(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** `${name:-w}`, `${name-w}`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%` and rejected `:x` forms. */
  private modifier(name: string, ch: number, chs: string, nullIsUnset: boolean): string {
    const patternWord = ch === HASH || ch === PERCENT;
    if (nullIsUnset && patternWord) throw this.fail(`unsupported modifier (${chs}) in substitution`);
    let word = this.nested(RBRACE, patternWord, "syntax error: missing '}'");

    const value = this.getEnv(name);
    if (value === undefined && this.skipUnsetEnv) return `\${${name}${chs}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === '');

    switch (ch) {
      case MINUS:
        return empty ? word : (value as string);
      case PLUS:
        return empty ? '' : word;
      case QUESTION:
        if (value === undefined) {
          throw this.fail(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        }
        if (nullIsUnset && value === '') {
          throw this.fail(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        }
        return value;
      case HASH:
      case PERCENT: {
        // The doubled form is recognised on the expanded word, as BuildKit does.
        let greedy = false;
        if (word.charCodeAt(0) === ch) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === PERCENT
          ? this.trimSuffix(word, value ?? '', greedy)
          : this.trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw this.fail(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** `${name/pattern/replacement}` (first match) and `${name//pattern/replacement}` (all matches). */
  private substitution(name: string): string {
    const replaceAll = this.peek() === SLASH;
    if (replaceAll) this.pos++;
    const pattern = this.nested(SLASH, true, "syntax error: missing '/' in ${}");
    const replacement = this.nested(RBRACE, true, "syntax error: missing '}'");

    const found = this.getEnv(name);
    if (found === undefined && this.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const value = found ?? '';

    const re = this.compile(pattern, true, false, pattern);
    if (replaceAll) return goReplaceAll(re, value, replacement);
    re.lastIndex = 0;
    const m = re.exec(value);
    if (m === null) return value;
    return value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
  }

  private trimPrefix(pattern: string, value: string, greedy: boolean): string {
    const re = this.compile(pattern, greedy, true, pattern);
    re.lastIndex = 0;
    const m = re.exec(value);
    return m === null ? value : value.slice(m[0].length);
  }

  /** Shortest/longest suffix: reverse both sides and trim a prefix, as BuildKit does. */
  private trimSuffix(pattern: string, value: string, greedy: boolean): string {
    return reverseString(this.trimPrefix(reversePattern(pattern), reverseString(value), greedy));
  }

  private compile(pattern: string, greedy: boolean, anchored: boolean, shown: string): RegExp {
    try {
      return cachedPattern(pattern, greedy, anchored);
    } catch (error) {
      if (error instanceof ShellPatternError) {
        throw this.fail(`invalid pattern (${shown}) in substitution: ${error.message}`);
      }
      throw error;
    }
  }
}

/** A shell pattern BuildKit cannot convert, e.g. `invalid escape '\x'`. */
export class ShellPatternError extends Error {
  override readonly name = 'ShellPatternError';
}

export interface ConvertedPattern {
  /** The regular expression in Go syntax, exactly as BuildKit's `convertShellPatternToRegex` builds it. */
  readonly source: string;
  /** The same expression for JavaScript (flags `gu`; `.` becomes `[^\n]`, as Go's `.` matches `\r`). */
  readonly regexp: RegExp;
}

/**
 * Turns a `${V#pattern}` / `${V/pattern/...}` shell pattern into a regular expression: `*` is any run
 * (shortest unless `greedy`), `?` one character, `\` escapes `*`, `?` and `\` (and is dropped before `}`
 * and `/`); there are no bracket expressions. Throws `ShellPatternError` for any other escape.
 */
export function convertShellPatternToRegex(
  pattern: string,
  greedy: boolean,
  anchored: boolean,
): ConvertedPattern {
  let go = anchored ? '^' : '';
  let js = go;
  const goStar = greedy ? '.*' : '.*?';
  const jsStar = greedy ? '[^\\n]*' : '[^\\n]*?';
  const len = pattern.length;
  let i = pattern.charCodeAt(0) === BOM ? 1 : 0;
  while (i < len) {
    const c = pattern.charCodeAt(i);
    switch (c) {
      case STAR:
        go += goStar;
        js += jsStar;
        i++;
        continue;
      case QUESTION:
        go += '.';
        js += '[^\\n]';
        i++;
        continue;
      case BACKSLASH: {
        i++;
        const d = i < len ? pattern.charCodeAt(i) : EOF;
        // `}` and `/` are escaped only to get past `${...}`; the escape is not part of the pattern.
        if (d === RBRACE || d === SLASH) continue;
        if (d !== STAR && d !== QUESTION && d !== BACKSLASH) {
          throw new ShellPatternError(
            `invalid escape '\\${runeString(i < len ? (pattern.codePointAt(i) as number) : EOF)}'`,
          );
        }
        go += '\\' + pattern[i];
        js += '\\' + pattern[i];
        i++;
        continue;
      }
      case 0x5b: // [
      case 0x5d: // ]
      case LBRACE:
      case RBRACE:
      case 0x2e: // .
      case PLUS:
      case 0x28: // (
      case 0x29: // )
      case 0x7c: // |
      case 0x5e: // ^
      case DOLLAR:
        go += '\\' + pattern[i];
        js += '\\' + pattern[i];
        i++;
        continue;
    }
    // A run of literal characters.
    const start = i;
    i++;
    while (i < len && !isPatternSpecial(pattern.charCodeAt(i))) i++;
    const text = pattern.slice(start, i);
    go += text;
    js += text;
  }
  return { source: go, regexp: new RegExp(js, 'gu') };
}

function isPatternSpecial(c: number): boolean {
  switch (c) {
    case STAR:
    case QUESTION:
    case BACKSLASH:
    case 0x5b:
    case 0x5d:
    case LBRACE:
    case RBRACE:
    case 0x2e:
    case PLUS:
    case 0x28:
    case 0x29:
    case 0x7c:
    case 0x5e:
    case DOLLAR:
      return true;
    default:
      return false;
  }
}

const PATTERN_CACHE_LIMIT = 256;
const patternCache = new Map<string, RegExp | ShellPatternError>();

function cachedPattern(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const key = (greedy ? 'g' : 'n') + (anchored ? '^' : '-') + pattern;
  let entry = patternCache.get(key);
  if (entry === undefined) {
    try {
      entry = convertShellPatternToRegex(pattern, greedy, anchored).regexp;
    } catch (error) {
      if (!(error instanceof ShellPatternError)) throw error;
      entry = error;
    }
    if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
    patternCache.set(key, entry);
  }
  if (entry instanceof ShellPatternError) throw entry;
  return entry;
}

/** Reverses by code point, keeping each `\x` escape pair in order (`a\*c` becomes `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const last = chars.length - 1;
  const out = new Array<string>(chars.length);
  for (let i = 0; i <= last;) {
    const at = last - i;
    if (chars[i] === '\\' && i !== last) {
      out[at - 1] = '\\';
      out[at] = chars[i + 1];
      i += 2;
    } else {
      out[at] = chars[i];
      i++;
    }
  }
  return out.join('');
}

function reverseString(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0xd800) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let out = '';
    for (let i = text.length - 1; i >= 0; i--) out += text[i];
    return out;
  }
  return Array.from(text).reverse().join('');
}

/**
 * Go's `Regexp.ReplaceAllString`: an empty match right after a match is not replaced, the search moves
 * on by one character after an empty match, and the replacement is a template (see `expandTemplate`).
 */
function goReplaceAll(re: RegExp, src: string, template: string): string {
  const end = src.length;
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= end) {
    re.lastIndex = searchPos;
    const m = re.exec(src);
    if (m === null) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += expandTemplate(template, src, a0, a1);
    lastMatchEnd = a1;
    let width = 0;
    if (searchPos < end) width = (src.codePointAt(searchPos) as number) > 0xffff ? 2 : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

/**
 * Go's `Regexp.Expand` for a pattern without groups: `$$` is `$`, `$0`/`${0}` the match, any other
 * `$name`/`${name}` nothing, and a malformed `$` stays literal.
 */
function expandTemplate(template: string, src: string, a0: number, a1: number): string {
  let at = template.indexOf('$');
  if (at < 0) return template;
  let out = '';
  let rest = template;
  while (at >= 0) {
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.charCodeAt(0) === DOLLAR) {
      out += '$';
      rest = rest.slice(1);
    } else {
      const ref = templateRef(rest);
      if (ref === undefined) {
        out += '$';
      } else {
        if (ref.name === '0') out += src.slice(a0, a1);
        rest = rest.slice(ref.length);
      }
    }
    at = rest.indexOf('$');
  }
  return out + rest;
}

/** Go's `extract`: the name after a `$` and how many characters it takes, or undefined if malformed. */
function templateRef(text: string): { name: string; length: number } | undefined {
  const brace = text.charCodeAt(0) === LBRACE;
  const start = brace ? 1 : 0;
  let i = start;
  while (i < text.length) {
    const cp = text.codePointAt(i) as number;
    if (!isLetter(cp) && !isDigit(cp) && cp !== UNDERSCORE) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === start) return undefined;
  const name = text.slice(start, i);
  if (brace) {
    if (text.charCodeAt(i) !== RBRACE) return undefined;
    i++;
  }
  return { name, length: i };
}
