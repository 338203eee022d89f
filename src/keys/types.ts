// The contract between keys/ and the steps after it: one key per stage the target reaches.

export interface StageKey {
  /** Stage index in the Dockerfile. */
  readonly stage: number;
  /** Display name: the stage's name, or `stage-<index>`. */
  readonly stageName: string;
  /**
   * `stagecraft-v1-<dockerfile>-<platform>-<stage>-<run-prefix>-<full-hash>`: readable, and the same
   * whichever target needs the stage, so matrix jobs share it.
   */
  readonly key: string;
  /**
   * Fallbacks in order: entries of the same stage sharing its first four RUN steps (with their inputs), then
   * three, two, one. None for a stage without a RUN: an older entry could give it no hit worth a download.
   */
  readonly restoreKeys: readonly string[];
  /** 16 hex characters: a short hash per leading RUN (6, 4, 3, 3), `0`s where the stage has fewer. */
  readonly runPrefix: string;
  readonly fullHash: string;
}

/**
 * One read of the main build context: the sources of a COPY/ADD without `--from`, or a `RUN` bind mount
 * without `from=`. Paths are after ARG/ENV expansion, cleaned and relative to the context root.
 */
export interface ContextRead {
  /** What is read (`sources`, `wildcards`, `excludes`) in canonical form: equal reads share one digest. */
  readonly id: string;
  /** Stage index and the instruction's first line, for messages. */
  readonly stage: number;
  readonly line: number;
  /** `/`-separated, no leading `/`; `''` is the whole context. */
  readonly sources: readonly string[];
  /** COPY/ADD sources may hold `*`, `?` and `[...]` (Go's filepath.Match per component); bind sources never. */
  readonly wildcards: boolean;
  /** `--exclude` patterns (.dockerignore syntax), matched below each source as BuildKit's copy does. */
  readonly excludes: readonly string[];
}

export interface ContextHashStats {
  /** Distinct reads hashed. */
  readonly reads: number;
  /** Files and symlinks the reads select, after .dockerignore and --exclude. */
  readonly files: number;
  /** Of those, read from disk and hashed here. */
  readonly filesHashed: number;
  /** Of those, taken from git's index (tracked and unmodified). */
  readonly filesFromGit: number;
  /** Whether git's index was used; if not, why. */
  readonly git: { readonly used: true } | { readonly used: false; readonly reason: string };
  /** The ignore file applied, relative to the context or absolute; undefined when there is none. */
  readonly ignoreFile: string | undefined;
}

export interface ContextDigests {
  /** Read id → `sha256:<hex>` over the selected paths, their git modes and blob ids. */
  readonly digests: ReadonlyMap<string, string>;
  readonly stats: ContextHashStats;
}
