/** A 1-based, inclusive range of physical lines in a Dockerfile. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

/**
 * An error in a Dockerfile. BuildKit attaches locations as an error rises (parser, then instructions),
 * and only the code that read the file knows its name; `file` is set there.
 */
export class DockerfileError extends Error {
  override readonly name = 'DockerfileError';
  readonly ranges: readonly LineRange[];
  readonly file: string | undefined;

  constructor(
    message: string,
    ranges: readonly LineRange[] = [],
    file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.ranges = ranges;
    this.file = file;
  }

  /** First line of the first range, where an annotation goes. */
  get line(): number | undefined {
    return this.ranges[0]?.start;
  }

  withFile(file: string): DockerfileError {
    return new DockerfileError(this.message, this.ranges, file, { cause: this.cause });
  }

  /** `file:line: message`, the form the CLI prints. */
  format(): string {
    const where = [this.file, this.line].filter((part) => part !== undefined).join(':');
    return where === '' ? this.message : `${where}: ${this.message}`;
  }
}

/** Attaches a location to an error that has none yet (BuildKit's `WithLocation`). */
export function withLocation(error: unknown, range: LineRange): DockerfileError {
  if (error instanceof DockerfileError) {
    return error.ranges.length > 0 ? error : new DockerfileError(error.message, [range], error.file);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DockerfileError(message, [range], undefined, { cause: error });
}

/** An instruction keyword BuildKit does not know; callers branch on it to suggest a spelling. */
export class UnknownInstructionError extends DockerfileError {
  readonly instruction: string;
  constructor(instruction: string, range: LineRange, suggestion?: string) {
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    super(`unknown instruction: ${instruction}${hint}`, [range]);
    this.instruction = instruction;
  }
}
