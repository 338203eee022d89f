// Heredoc operators on RUN, COPY and ADD lines (BuildKit's `heredocsFromLine` and `heredocFromMatch`).
import { DockerfileError } from './errors.js';
import { processWords, type ShellEnv } from './shell.js';

export interface HeredocHeader {
  readonly name: string;
  readonly expand: boolean;
  readonly chomp: boolean;
  readonly fileDescriptor: number;
}

const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const NO_ENV: ShellEnv = { get: () => undefined };

/** Instructions whose lines may carry heredocs; ONBUILD may wrap one of them. */
export const HEREDOC_KEYWORDS: ReadonlySet<string> = new Set(['run', 'copy', 'add']);

/**
 * Reads one word as a heredoc operator, e.g. `<<EOF`, `<<-"EOF"`, `3<<EOF`; `undefined` when it is none.
 * Quoting any part of the delimiter turns expansion of the body off.
 */
export function parseHeredocWord(word: string): HeredocHeader | undefined {
  const match = HEREDOC_WORD.exec(word);
  if (match === null) return undefined;
  const [, fd = '', dash = '', rest = ''] = match;
  if (rest === '') return undefined;
  const words = lexHeredocName(rest, false);
  if (words.length !== 1) return undefined;
  const raw = lexHeredocName(rest, true);
  if (raw.length !== words.length) {
    throw new DockerfileError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const name = words[0]!;
  return {
    name,
    expand: countQuotes(name) === countQuotes(raw[0]!),
    chomp: dash === '-',
    fileDescriptor: fd === '' ? 0 : Number.parseInt(fd, 10),
  };
}

function lexHeredocName(text: string, rawQuotes: boolean): string[] {
  try {
    return processWords(text, NO_ENV, '\\', { rawQuotes, skipUnsetEnv: true });
  } catch (error) {
    throw new DockerfileError(error instanceof Error ? error.message : String(error), [], undefined, {
      cause: error,
    });
  }
}

function countQuotes(text: string): number {
  let count = 0;
  for (const ch of text) if (ch === "'" || ch === '"') count++;
  return count;
}

/** Every heredoc operator on a logical line, in the order the bodies follow it. */
export function heredocsFromLine(line: string): HeredocHeader[] {
  let words: string[];
  try {
    // The escape token is always `\` here, whatever the escape directive says (as in BuildKit).
    words = processWords(line, NO_ENV, '\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  } catch {
    return []; // BuildKit ignores lexing errors at this point
  }
  const headers: HeredocHeader[] = [];
  for (const word of words) {
    const header = parseHeredocWord(word);
    if (header !== undefined) headers.push(header);
  }
  return headers;
}

/** `<<-` bodies lose their leading tabs where the instruction uses them (BuildKit's `ChompHeredocContent`). */
export function chompHeredocContent(content: string): string {
  // Go's `(?m)^` starts a line only after `\n`; JavaScript's `m` flag also after `\r`, so spell it out.
  return content.replace(/(^|\n)\t+/g, '$1');
}
