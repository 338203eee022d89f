// The edges of the pipeline: everything main.ts needs from the outside world, as small interfaces with an
// Actions implementation and a local (CLI) one.
import type { OutputName } from '../options.js';
import type { Platform } from '../plan/index.js';

/** Where a message points: a file relative to the workspace, and a 1-based line. */
export interface SourceLocation {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly title?: string | undefined;
}

export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string, where?: SourceLocation): void;
  error(message: string, where?: SourceLocation): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

export interface Reporter {
  setOutput(name: OutputName, value: string): void;
  /** Appends Markdown to the job summary (the report file locally). */
  appendSummary(markdown: string): Promise<void>;
}

export interface Workspace {
  readFile(file: string): Promise<Uint8Array>;
}

export interface Adapters {
  readonly logger: Logger;
  readonly reporter: Reporter;
  readonly workspace: Workspace;
  /** The platform the build runs on: the default target and build platform. */
  readonly hostPlatform: Platform;
}
