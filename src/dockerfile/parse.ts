// Bytes → syntax tree, as BuildKit's `parser.Parse` does it: directives, comments, continuations, heredoc
// bodies, keyword and flags; each argument shape is handled in line-parsers.ts.
import type { DockerfileAst, Heredoc, InstructionNode, ParseWarning } from './ast.js';
import { DirectiveScanner } from './directives.js';
import { DockerfileError, withLocation, type LineRange } from './errors.js';
import { goTrimLeftSpace, goTrimSpace, isGoSpace } from './go-text.js';

const NO_COMMENTS: readonly string[] = Object.freeze([]);
import { HEREDOC_KEYWORDS, heredocsFromLine } from './heredoc.js';
import { lineParserFor, splitCommand } from './line-parsers.js';

/** bufio.Scanner's limit: a line of more bytes than this fails the parse. */
export const MAX_LINE_BYTES = 65535;

/** Physical lines with their line endings, failing as Go's scanner does on an over-long line. */
class LineScanner {
  private pos = 0;
  tooLong = false;
  constructor(private readonly text: string) {}

  next(): string | undefined {
    if (this.tooLong || this.pos >= this.text.length) return undefined;
    const newline = this.text.indexOf('\n', this.pos);
    const end = newline < 0 ? this.text.length : newline + 1;
    const line = this.text.slice(this.pos, end);
    const contentLength = newline < 0 ? line.length : line.length - 1;
    // UTF-8 needs at most 3 bytes per UTF-16 unit, so only long lines need counting.
    if (
      contentLength * 3 > MAX_LINE_BYTES &&
      Buffer.byteLength(line) - (end - contentLength - this.pos) > MAX_LINE_BYTES
    ) {
      this.tooLong = true;
      return undefined;
    }
    this.pos = end;
    return line;
  }
}

/** Drops trailing CR and LF characters (Go's `bytes.TrimRight(line, "\r\n")`). */
function trimNewline(line: string): string {
  let end = line.length;
  while (end > 0) {
    const code = line.charCodeAt(end - 1);
    if (code !== 0x0a && code !== 0x0d) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isGoSpace(line.charCodeAt(i))) return false;
  return true;
}

/** The first non-blank character is `#` (checked without copying the line). */
function isComment(line: string): boolean {
  let i = 0;
  while (i < line.length && isGoSpace(line.charCodeAt(i))) i++;
  return line.charCodeAt(i) === 0x23;
}

/**
 * BuildKit's continuation rule, `([^E])E[ \t]*$|^E[ \t]*$` for the escape token E: the line ends with an
 * escape token (blanks may follow) that is not itself escaped. Returns the line without the token and
 * the blanks, or `undefined` when the line does not continue.
 */
export function stripContinuation(line: string, escapeToken: string): string | undefined {
  let end = line.length;
  while (end > 0) {
    const code = line.charCodeAt(end - 1);
    if (code !== 0x20 && code !== 0x09) break;
    end--;
  }
  if (end === 0 || line[end - 1] !== escapeToken) return undefined;
  if (end >= 2 && line[end - 2] === escapeToken) return undefined;
  return line.slice(0, end - 1);
}

export function parseDockerfile(source: string | Uint8Array): DockerfileAst {
  const text = typeof source === 'string' ? source : new TextDecoder('utf-8').decode(source);
  const scanner = new LineScanner(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const directives = new DirectiveScanner();
  let escapeToken = '\\';
  const instructions: InstructionNode[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];
  let currentLine = 0;

  /** Directive scanning sees every line outside heredoc bodies, as in BuildKit. */
  const scanDirective = (line: string): boolean => {
    let directive;
    try {
      directive = directives.scan(line);
    } catch (error) {
      throw withLocation(error, { start: currentLine + 1, end: currentLine + 1 });
    }
    if (directive?.name === 'escape') {
      escapeToken = directive.value;
    }
    return directive !== undefined;
  };

  /** Removes a continuation token; `ended` is false when the next line continues this one. */
  const trimContinuation = (line: string): { line: string; ended: boolean } => {
    const stripped = stripContinuation(line, escapeToken);
    return stripped === undefined ? { line, ended: true } : { line: stripped, ended: false };
  };

  for (let raw = scanner.next(); raw !== undefined; raw = scanner.next()) {
    if (isComment(raw)) {
      const comment = goTrimSpace(raw.slice(1));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    const first = goTrimLeftSpace(trimNewline(raw));
    if (scanDirective(first)) comments.pop();
    currentLine++;
    const startLine = currentLine;
    let { line: logical, ended } = trimContinuation(first.charCodeAt(0) === 0x23 ? '' : first);
    if (ended && logical.length === 0) continue;

    let emptyContinuation = false;
    while (!ended) {
      const next = scanner.next();
      if (next === undefined) break;
      const content = trimNewline(next);
      scanDirective(content);
      currentLine++;
      if (isComment(next)) continue;
      if (isBlank(content)) {
        emptyContinuation = true;
        continue;
      }
      const trimmed = trimContinuation(content);
      logical += trimmed.line;
      ended = trimmed.ended;
    }

    if (emptyContinuation) {
      warnings.push({
        rule: 'NoEmptyContinuation',
        message: `Empty continuation line found in: ${logical}`,
        range: { start: currentLine, end: currentLine },
      });
    }

    let node: InstructionNode;
    try {
      node = buildNode(logical, escapeToken, comments, { start: startLine, end: currentLine });
    } catch (error) {
      throw withLocation(error, { start: startLine, end: currentLine });
    }

    const heredocTarget = node.onbuild ?? node;
    if (HEREDOC_KEYWORDS.has(heredocTarget.keyword) && !heredocTarget.json && logical.includes('<<')) {
      let headers;
      try {
        headers = heredocsFromLine(logical);
      } catch (error) {
        throw withLocation(error, { start: startLine, end: currentLine });
      }
      const heredocs: Heredoc[] = [];
      for (const header of headers) {
        let content = '';
        let terminated = false;
        for (let body = scanner.next(); body !== undefined; body = scanner.next()) {
          currentLine++;
          let candidate = trimNewline(body);
          if (header.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === header.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) {
          throw new DockerfileError('unterminated heredoc', [{ start: startLine, end: currentLine }]);
        }
        heredocs.push({ ...header, content });
      }
      const range = { start: startLine, end: currentLine };
      node =
        node.onbuild === undefined
          ? { ...node, heredocs, range }
          : { ...node, heredocs, range, onbuild: { ...node.onbuild, heredocs, range } };
    }

    instructions.push(node);
    comments = [];
  }

  if (instructions.length === 0) {
    throw new DockerfileError('file with no instructions', [
      { start: Math.max(currentLine, 1), end: Math.max(currentLine, 1) },
    ]);
  }
  if (scanner.tooLong) {
    throw new DockerfileError(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`, [
      { start: currentLine + 1, end: currentLine + 1 },
    ]);
  }
  return {
    instructions,
    directives: {
      syntax: directives.get('syntax'),
      escape: directives.get('escape'),
      check: directives.get('check'),
    },
    escapeToken,
    warnings,
    range: { start: instructions[0]!.range.start, end: instructions[instructions.length - 1]!.range.end },
  };
}

/** One logical line → node; ONBUILD's argument is parsed again as an instruction of its own. */
function buildNode(
  line: string,
  escapeToken: string,
  comments: readonly string[],
  range: LineRange,
): InstructionNode {
  const { keyword: rawKeyword, flags, rest } = splitCommand(line, escapeToken);
  const keyword = rawKeyword.toLowerCase();
  const parsed = lineParserFor(keyword)(rest, escapeToken);
  return {
    keyword,
    rawKeyword,
    flags,
    args: parsed.args,
    json: parsed.json,
    onbuild:
      parsed.subCommand === undefined ? undefined : buildNode(parsed.subCommand, escapeToken, [], range),
    heredocs: [],
    original: line,
    range,
    comments: comments.length === 0 ? NO_COMMENTS : [...comments],
  };
}
