// Runs buildx through Exec (argv only, never a shell), streams its progress line by line to the caller, and
// turns a failure into a RunError that carries buildx's own error block. Also writes the bake files and
// reads the metadata file: the only file access in buildx/.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunError, tailLines, type Exec } from '../adapters/exec.js';
import { renderBakeFile, type BakeFile } from './bake-file.js';
import { parseBuildError, type BuildError } from './progress.js';

export interface RunBuildxOptions {
  readonly cwd?: string;
  /**
   * buildx's whole environment. Pass the process's environment plus the bake file's `secretEnv` (or
   * `secretEnvironment(options)`) when there are secrets; undefined inherits the process's.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Each complete line buildx prints (progress is on stderr), as it arrives: for the log groups. */
  readonly onLine?: (line: string) => void;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface BuildxRunResult {
  readonly exitCode: number;
  /** Everything buildx printed on stderr (the plain progress), then stdout. */
  readonly output: string;
  /** The last lines of stderr. */
  readonly stderrTail: string;
}

/** A failed buildx run: `stderrTail` is buildx's error block (failing step, Dockerfile excerpt, `ERROR:`). */
export class BuildxRunError extends RunError {
  constructor(
    argv: readonly string[],
    exitCode: number,
    /** The parsed error block, when buildx printed one. */
    readonly buildError: BuildError | undefined,
    /** All buildx printed, for parsing the progress of the steps that did run. */
    readonly output: string,
  ) {
    super(argv, exitCode, buildError?.text ?? tailLines(output, 20));
  }
}

/** Runs one buildx command; resolves on exit code 0, throws BuildxRunError otherwise. */
export async function runBuildx(
  exec: Exec,
  argv: readonly string[],
  options: RunBuildxOptions = {},
): Promise<BuildxRunResult> {
  const onLine = options.onLine ?? (() => undefined);
  const stderrLines = createLineSplitter(onLine);
  const stdoutLines = createLineSplitter(onLine);
  const result = await exec(argv, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onStderr: stderrLines.push,
    onStdout: stdoutLines.push,
  });
  stderrLines.flush();
  stdoutLines.flush();
  const output = result.stdout === '' ? result.stderr : `${result.stderr}${result.stdout}`;
  if (result.exitCode !== 0) {
    throw new BuildxRunError(argv, result.exitCode, parseBuildError(result.stderr), output);
  }
  return { exitCode: 0, output, stderrTail: tailLines(result.stderr) };
}

/** Cuts a stream of chunks into lines (`\r\n` or `\n`); `flush` hands over a last line without a newline. */
export function createLineSplitter(onLine: (line: string) => void): {
  push: (chunk: string) => void;
  flush: () => void;
} {
  let pending = '';
  return {
    push(chunk: string) {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        onLine(pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    },
    flush() {
      if (pending !== '') onLine(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

export interface WrittenBakeFiles {
  readonly bakeFile: string;
  readonly composeFile: string | undefined;
}

/**
 * Writes the bake definition (and the compose override for `network`) into `dir`, readable by the owner
 * only: extra cache specs may carry credentials.
 */
export async function writeBakeFiles(dir: string, bake: BakeFile): Promise<WrittenBakeFiles> {
  const bakeFile = path.join(dir, 'stagecraft.bake.json');
  await writePrivate(bakeFile, renderBakeFile(bake.definition));
  let composeFile: string | undefined;
  if (bake.compose !== undefined) {
    // JSON is YAML; bake recognises a compose file by its .yaml name.
    composeFile = path.join(dir, 'stagecraft.compose.yaml');
    await writePrivate(composeFile, renderBakeFile(bake.compose));
  }
  return { bakeFile, composeFile };
}

/** The metadata file's text, or undefined when buildx wrote none (a failed build). */
export async function readMetadataFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writePrivate(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
}
