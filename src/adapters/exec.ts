// Runs processes with an argument vector, never through a shell. Inputs are untrusted.
import { spawn } from 'node:child_process';

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the process's stdin, which is then closed. */
  readonly input?: string | Uint8Array;
  /** Called with each chunk as it arrives (for streaming progress into log groups). */
  readonly onStdout?: (chunk: string) => void;
  readonly onStderr?: (chunk: string) => void;
  /** Kill the process (SIGTERM, then SIGKILL after 5 s) after this long. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Exec = (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/** A failed process: keeps its argv, exit code and the tail of what it said on stderr. */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderrTail: string,
  ) {
    super(
      `${argv.slice(0, 3).join(' ')} failed with exit code ${exitCode}${stderrTail === '' ? '' : `: ${stderrTail}`}`,
    );
  }
}

/** The last few non-empty lines of a process's stderr, for error messages. */
export function tailLines(text: string, count = 5): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .slice(-count)
    .join('\n');
}

export const execProcess: Exec = (argv, options = {}) =>
  new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    if (command === undefined) {
      reject(new Error('execProcess: empty argv'));
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout.push(chunk);
      options.onStdout?.(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr.push(chunk);
      options.onStderr?.(chunk);
    });
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }, options.timeoutMs);
      timer.unref();
    }
    child.on('error', (error) => {
      if (timer !== undefined) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({
        exitCode: code ?? (signal === null ? 1 : 128),
        stdout: stdout.join(''),
        stderr: stderr.join(''),
      });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
