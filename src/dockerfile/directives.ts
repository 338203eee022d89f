// Parser directives (`# syntax=`, `# escape=`, `# check=`): only in the leading run of directive lines
// (BuildKit's parser/directives.go).
import { DockerfileError } from './errors.js';

export type DirectiveName = 'syntax' | 'escape' | 'check';

// Go's `\s` is ASCII-only and excludes \v.
// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` in BuildKit; the lazy value with trailing blanks backtracks
// quadratically here, so the value is matched greedily and its trailing blanks trimmed by hand.
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+)$/;
const isGoRegexpSpace = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
const VALID: ReadonlySet<string> = new Set(['syntax', 'escape', 'check']);

export class DirectiveScanner {
  private done = false;
  private readonly seen = new Map<DirectiveName, string>();

  /**
   * Looks at a line with leading whitespace and the newline already removed. Returns the directive it
   * holds, or `undefined`; the first line that is no directive ends the scan for good.
   */
  scan(line: string): { name: DirectiveName; value: string } | undefined {
    if (this.done) return undefined;
    if (!line.startsWith('#')) {
      this.done = true;
      return undefined;
    }
    const match = DIRECTIVE.exec(line.slice(1).replace(/^[\s\u0085]+/, ''));
    const key = match?.[1]?.toLowerCase();
    if (match === null || key === undefined || !VALID.has(key)) {
      this.done = true;
      return undefined;
    }
    const name = key as DirectiveName;
    if (this.seen.has(name)) throw new DockerfileError(`only one ${name} parser directive can be used`);
    let end = match[2]!.length;
    while (end > 1 && isGoRegexpSpace(match[2]!.charCodeAt(end - 1))) end--;
    const value = match[2]!.slice(0, end);
    if (name === 'escape' && value !== '`' && value !== '\\') {
      throw new DockerfileError(`invalid escape token '${value}' does not match \` or \\`);
    }
    this.seen.set(name, value);
    return { name, value };
  }

  get(name: DirectiveName): string | undefined {
    return this.seen.get(name);
  }
}
