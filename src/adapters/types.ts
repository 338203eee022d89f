// The edges of the pipeline: everything main.ts needs from the outside world, as small interfaces with an
// Actions implementation and a local (CLI) one.
import type { StageCacheStore } from '../cache/store.js';
import type { Options, OutputName } from '../options.js';
import type { Platform } from '../plan/index.js';
import type { SizeReport } from '../size/index.js';
import type { Exec } from './exec.js';
import type { GitHubApi } from './github.js';

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
  /** The REST API for the size comment; undefined without a token (the CLI, or an empty github-token). */
  readonly github?: GitHubApi | undefined;
  /** The clock, for the size report's time of measurement (default the system's). */
  readonly now?: (() => Date) | undefined;
}

/**
 * What the run is about, as plain data: on a runner from GITHUB_* variables and the event file (read by the
 * entry point, see event.ts), locally from CLI flags. Decides what happens to size baselines and comments.
 */
export interface RunContext {
  /** `GITHUB_EVENT_NAME` (push, pull_request, schedule, …); `local` for the CLI. */
  readonly eventName: string;
  /** `GITHUB_REF`, e.g. `refs/heads/main`. */
  readonly ref?: string | undefined;
  /** `GITHUB_SHA`: the commit built (a pull request's merge commit). */
  readonly sha?: string | undefined;
  /** The repository's default branch (`repository.default_branch` in the event). */
  readonly defaultBranch?: string | undefined;
  /** The pull request of a pull_request event: its number, base branch and commit, and head commit. */
  readonly pullRequest?:
    | {
        readonly number: number;
        readonly baseRef: string;
        readonly baseSha: string;
        readonly headSha?: string | undefined;
      }
    | undefined;
  /** `GITHUB_RUN_ID`: keeps the reports of scheduled runs of one commit apart. */
  readonly runId?: string | undefined;
  /** `GITHUB_RUN_ATTEMPT`: keeps a re-run's drift document apart from the first attempt's. */
  readonly runAttempt?: string | undefined;
  /** `GITHUB_REPOSITORY`, split. */
  readonly repository?: { readonly owner: string; readonly repo: string } | undefined;
  /** `GITHUB_SERVER_URL`, for links to Dockerfile lines. */
  readonly serverUrl?: string | undefined;
  /** A report to compare with instead of a stored baseline (the CLI's `--baseline`), with where it came from. */
  readonly baseline?: { readonly report: SizeReport; readonly from: string } | undefined;
  /** Where the JSON size report goes (the `report` output); default a file in the run's work directory. */
  readonly reportJsonPath?: string | undefined;
}

/** A run outside GitHub Actions: nothing to compare with or store unless asked. */
export const LOCAL_RUN: RunContext = { eventName: 'local' };
