// The edges of the pipeline: everything main.ts needs from the outside world, as small interfaces with an
// Actions implementation and a local (CLI) one.
import type { StageCacheStore } from '../cache/store.js';
import type { Options, OutputName } from '../options.js';
import type { Platform } from '../plan/index.js';
import type { Exec } from './exec.js';

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
  /** The directory relative paths in the options start from (the workspace on a runner, the cwd locally). */
  readonly root: string;
  readFile(file: string): Promise<Uint8Array>;
  /** A new empty directory for this run's exports, layouts and bake files. */
  makeWorkDir(): Promise<string>;
}

export interface Adapters {
  readonly logger: Logger;
  readonly reporter: Reporter;
  readonly workspace: Workspace;
  readonly exec: Exec;
  /** The store for `options.cache`; undefined when caching is off. Faults inside it are warnings. */
  openStore(options: Options): Promise<StageCacheStore | undefined>;
  /** The platform the build runs on: the default target and build platform. */
  readonly hostPlatform: Platform;
}
