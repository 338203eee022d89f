// One parser per argument shape, and the keyword → parser table (BuildKit's `dispatch` map in parser.go
// with the functions of line_parsers.go and split_command.go).
import { DockerfileError } from './errors.js';
import {
  fromByteString,
  goQuote,
  goTrimLeftSpace,
  goTrimSpace,
  isAscii,
  isGoSpace,
  toByteString,
} from './go-text.js';

/** What a line parser makes of an instruction's argument text. */
export interface ParsedArgs {
  readonly args: readonly string[];
  readonly json: boolean;
  /** ONBUILD only: the text of the wrapped instruction. */
  readonly subCommand?: string;
}

export type LineParser = (rest: string, escapeToken: string) => ParsedArgs;

const WHITESPACE_RUN = /[\t\v\f\r ]+/;
const NONE: ParsedArgs = { args: [], json: false };

export const NOT_STRING_ARRAY_MESSAGE =
  'when using JSON array syntax, arrays must be comprised of strings only';

/** `[\t\v\f\r ]`, the blanks BuildKit's `reWhitespace` splits on. */
function isSplitBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}

/** Splits off the keyword and the leading flags (BuildKit's `splitCommand`). */
export function splitCommand(
  line: string,
  escapeToken: string,
): { keyword: string; flags: string[]; rest: string } {
  const trimmed = goTrimSpace(line);
  let end = 0;
  while (end < trimmed.length && !isSplitBlank(trimmed.charCodeAt(end))) end++;
  if (end === trimmed.length) return { keyword: trimmed, flags: [], rest: '' };
  let argsFrom = end + 1;
  while (argsFrom < trimmed.length && isSplitBlank(trimmed.charCodeAt(argsFrom))) argsFrom++;
  const { rest, flags } = extractBuilderFlags(trimmed.slice(argsFrom), escapeToken);
  return { keyword: trimmed.slice(0, end), flags, rest: goTrimSpace(rest) };
}

/**
 * Leading `--flag` words, quotes removed and escapes applied; a bare `--` ends them. BuildKit scans
 * bytes here, so on non-ASCII text we scan the UTF-8 bytes as it does (see `toByteString`).
 */
export function extractBuilderFlags(line: string, escapeToken: string): { rest: string; flags: string[] } {
  // Most lines have no flags: when the first word (after ASCII blanks) does not start with `--`, the
  // byte-wise scan below would stop right there, so skip it.
  let first = 0;
  while (first < line.length && line.charCodeAt(first) < 0x80 && isGoSpace(line.charCodeAt(first))) first++;
  if (first < line.length && line.charCodeAt(first) < 0x80 && !line.startsWith('--', first)) {
    return { rest: line.slice(first), flags: [] };
  }
  // Plain flag words (ASCII, no quotes, no escapes) are taken as they stand; the full scan below takes over
  // from the first word that is not plain. Everything consumed here is ASCII, so offsets agree with it.
  const flags: string[] = [];
  let start = first;
  while (start < line.length && line.startsWith('--', start)) {
    let end = start;
    let plain = true;
    for (; end < line.length; end++) {
      const code = line.charCodeAt(end);
      if (code >= 0x80 || code === 0x22 || code === 0x27 || line[end] === escapeToken) {
        plain = false;
        break;
      }
      if (isGoSpace(code)) break;
    }
    if (!plain) break;
    const word = line.slice(start, end);
    if (word === '--') return { rest: line.slice(end), flags };
    flags.push(word);
    start = end;
    while (start < line.length && line.charCodeAt(start) < 0x80 && isGoSpace(line.charCodeAt(start))) start++;
    if (start < line.length && line.charCodeAt(start) < 0x80 && !line.startsWith('--', start)) {
      return { rest: line.slice(start), flags };
    }
  }
  if (start >= line.length) return { rest: '', flags };

  const ascii = isAscii(line);
  const text = ascii ? line : toByteString(line);
  const restFrom = (pos: number): string => (ascii ? text.slice(pos) : fromByteString(text.slice(pos)));
  let word = '';
  let blankOk = false;
  let quote = '';
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  for (let pos = start; pos <= text.length; pos++) {
    const atEnd = pos === text.length;
    const ch = atEnd ? '' : text[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpace(ch.charCodeAt(0))) continue;
      if (ch !== '-' || text[pos + 1] !== '-') return { rest: restFrom(pos), flags };
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOk || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch.charCodeAt(0))) {
        if (word === '--') return { rest: restFrom(pos), flags };
        if (blankOk || word.length > 0) flags.push(word);
        phase = 'spaces';
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      if (ch === escapeToken) {
        if (pos + 1 === text.length) continue;
        pos++;
        word += text[pos];
        continue;
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escapeToken) {
      if (pos + 1 === text.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += text[pos];
      continue;
    }
    word += ch;
  }
  return { rest: '', flags };
}

/**
 * Words split on whitespace outside quotes; quotes and escapes are kept for the expander to remove later
 * (BuildKit's `parseWords`).
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  for (let pos = 0; pos <= rest.length; pos++) {
    const atEnd = pos === rest.length;
    let ch = atEnd ? '' : rest[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpace(ch.charCodeAt(0))) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOk || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch.charCodeAt(0))) {
        phase = 'spaces';
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === rest.length) continue;
        word += ch;
        pos++;
        ch = rest[pos]!;
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === rest.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = rest[pos]!;
    }
    word += ch;
  }
  return words;
}

function parseIgnore(): ParsedArgs {
  return { args: [''], json: false };
}

function parseSubCommand(rest: string): ParsedArgs {
  return rest === '' ? NONE : { args: [], json: false, subCommand: rest };
}

function parseStringsWhitespaceDelimited(rest: string): ParsedArgs {
  return rest === '' ? NONE : { args: rest.split(WHITESPACE_RUN), json: false };
}

function parseString(rest: string): ParsedArgs {
  return rest === '' ? NONE : { args: [rest], json: false };
}

function parseNameOrNameVal(rest: string, escapeToken: string): ParsedArgs {
  return { args: parseWords(rest, escapeToken), json: false };
}

function parseNameVal(rest: string, escapeToken: string, keyword: string): ParsedArgs {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return NONE;
  if (!words[0]!.includes('=')) {
    const match = WHITESPACE_RUN.exec(rest);
    if (match === null) throw new DockerfileError(`${keyword} must have two arguments`);
    return { args: [rest.slice(0, match.index), rest.slice(match.index + match[0].length), ''], json: false };
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new DockerfileError(
        `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`,
      );
    }
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return { args, json: false };
}

/** A JSON array of strings, or `undefined` when the text is not JSON (BuildKit then falls back). */
function parseJsonArray(rest: string): string[] | undefined {
  const text = goTrimLeftSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((item) => typeof item === 'string')) throw new DockerfileError(NOT_STRING_ARRAY_MESSAGE);
  return value as string[];
}

function parseMaybeJson(rest: string): ParsedArgs {
  if (rest === '') return NONE;
  const json = parseJsonArray(rest);
  return json === undefined ? { args: [rest], json: false } : { args: json, json: true };
}

function parseMaybeJsonToList(rest: string): ParsedArgs {
  const json = parseJsonArray(rest);
  return json === undefined ? parseStringsWhitespaceDelimited(rest) : { args: json, json: true };
}

/** HEALTHCHECK: a type word (`CMD`, `NONE`) then the command like RUN. BuildKit scans bytes here too. */
function parseHealthConfig(rest: string): ParsedArgs {
  const text = isAscii(rest) ? rest : toByteString(rest);
  let sep = 0;
  while (sep < text.length && !isGoSpace(text.charCodeAt(sep))) sep++;
  let next = sep;
  while (next < text.length && isGoSpace(text.charCodeAt(next))) next++;
  if (sep === 0) return NONE;
  const back = (part: string): string => (text === rest ? part : fromByteString(part));
  const command = parseMaybeJson(back(text.slice(next)));
  return { args: [back(text.slice(0, sep)), ...command.args], json: command.json };
}

/** The argument parser for each keyword (lowercase); unknown keywords get `parseIgnore`. */
const DISPATCH: ReadonlyMap<string, LineParser> = new Map<string, LineParser>([
  ['add', parseMaybeJsonToList],
  ['arg', parseNameOrNameVal],
  ['cmd', parseMaybeJson],
  ['copy', parseMaybeJsonToList],
  ['entrypoint', parseMaybeJson],
  ['env', (rest, escape) => parseNameVal(rest, escape, 'ENV')],
  ['expose', parseStringsWhitespaceDelimited],
  ['from', parseStringsWhitespaceDelimited],
  ['healthcheck', parseHealthConfig],
  ['label', (rest, escape) => parseNameVal(rest, escape, 'LABEL')],
  ['maintainer', parseString],
  ['onbuild', parseSubCommand],
  ['run', parseMaybeJson],
  ['shell', parseMaybeJson],
  ['stopsignal', parseString],
  ['user', parseString],
  ['volume', parseMaybeJsonToList],
  ['workdir', parseString],
]);

export function lineParserFor(keyword: string): LineParser {
  return DISPATCH.get(keyword) ?? parseIgnore;
}

export function isKnownKeyword(keyword: string): boolean {
  return DISPATCH.has(keyword);
}
