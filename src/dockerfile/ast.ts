import type { LineRange } from './errors.js';

/** A heredoc body attached to a RUN, COPY or ADD line (BuildKit's `parser.Heredoc`). */
export interface Heredoc {
  /** The delimiter with quotes removed: `<<'EOF'` gives `EOF`. */
  readonly name: string;
  /** The body exactly as written, each line with its newline; for `<<-` tabs are not yet stripped. */
  readonly content: string;
  /** `false` when any part of the delimiter was quoted, which turns variable expansion off. */
  readonly expand: boolean;
  /** `<<-`: leading tabs are stripped from body lines when the instruction uses it. */
  readonly chomp: boolean;
  /** `3<<EOF` gives 3; 0 when no descriptor was written. */
  readonly fileDescriptor: number;
}

/**
 * One instruction as the low-level parser sees it (BuildKit's `parser.Node` for a child of the root):
 * no validation and no variable expansion yet.
 */
export interface InstructionNode {
  /** The keyword lowercased, as BuildKit dispatches on it: `from`, `run`, `foo` for an unknown one. */
  readonly keyword: string;
  /** The keyword as written. */
  readonly rawKeyword: string;
  /** Leading `--flag` words with quotes and escapes removed, e.g. `--mount=type=cache,target=/x`. */
  readonly flags: readonly string[];
  /** The argument nodes (BuildKit's `Next` chain), shaped per instruction; empty for ONBUILD. */
  readonly args: readonly string[];
  /** Exec form: the arguments came from a JSON array. */
  readonly json: boolean;
  /** ONBUILD only: the wrapped instruction, parsed as a complete line of its own. */
  readonly onbuild: InstructionNode | undefined;
  readonly heredocs: readonly Heredoc[];
  /** The logical line (continuations joined), without heredoc bodies. */
  readonly original: string;
  /** Physical lines from the keyword to the last line consumed (continuations, heredoc bodies). */
  readonly range: LineRange;
  /** Comment lines directly above the instruction, without the `#`. */
  readonly comments: readonly string[];
}

export interface Directives {
  readonly syntax: string | undefined;
  readonly escape: string | undefined;
  readonly check: string | undefined;
}

export interface ParseWarning {
  readonly rule: string;
  readonly message: string;
  readonly range: LineRange;
}

export interface DockerfileAst {
  readonly instructions: readonly InstructionNode[];
  readonly directives: Directives;
  /** `\` unless an `escape` directive chose a backtick. */
  readonly escapeToken: string;
  readonly warnings: readonly ParseWarning[];
  /** From the first instruction's first line to the last one's last line. */
  readonly range: LineRange;
}
