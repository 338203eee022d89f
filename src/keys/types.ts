// The contract between keys/ and the steps after it: one key per stage the target reaches.

export interface StageKey {
  /** Stage index in the Dockerfile. */
  readonly stage: number;
  /** Display name: the stage's name, or `stage-<index>`. */
  readonly stageName: string;
  /**
   * `stagecraft-v1-<dockerfile>-<platform>-<stage>-<prefix-hash>-<full-hash>`: readable, and the same
   * whichever target needs the stage, so matrix jobs share it.
   */
  readonly key: string;
  /** Fallbacks in order: the same stage with the same prefix hash, then the stage's newest entry. */
  readonly restoreKeys: readonly string[];
  readonly prefixHash: string;
  readonly fullHash: string;
}
