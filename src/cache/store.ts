// The contract every cache store meets. A stage's entry is a directory (see entry.ts for its layout);
// stores move whole entries and never decide what to build.

export type StoreKind = 'gha' | 'local' | 'registry' | 'memory';

export interface LookupResult {
  /** The key of the entry found: the exact key, or the newest entry under a restore-key prefix. */
  readonly key: string;
  readonly exact: boolean;
}

/**
 * Per-call options (an optional last argument, so stores and callers written without it keep working).
 *
 * A cache fault (service down, HTTP 429/5xx, timeout, corrupt archive, a registry that cannot be reached) is
 * never thrown: the store reports it once through `onWarning` and answers as if nothing were there (`lookup`
 * → `undefined`, `exists` → `false`, `restore`/`save` → 0 bytes and nothing restored or stored).
 */
export interface StoreCallOptions {
  /** Gives up on the call; the store then answers as for a fault. */
  readonly signal?: AbortSignal;
  /** One message per fault, meant for a visible warning. */
  readonly onWarning?: (message: string) => void;
  /** Progress and diagnostics (for example the Actions toolkit's own log lines), meant for debug output. */
  readonly onDebug?: (message: string) => void;
}

export interface StageCacheStore {
  readonly kind: StoreKind;
  /** The exact key, else the newest entry whose key starts with each restore key, in order. */
  lookup(
    key: string,
    restoreKeys: readonly string[],
    options?: StoreCallOptions,
  ): Promise<LookupResult | undefined>;
  /** Fetches entry `key` into `dir` (created empty by the caller); returns the bytes transferred. */
  restore(key: string, dir: string, options?: StoreCallOptions): Promise<number>;
  /** Whether an entry with exactly this key exists (checked before saving: a parallel job may have). */
  exists(key: string, options?: StoreCallOptions): Promise<boolean>;
  /**
   * Stores the entry in `dir` under `key`; returns the bytes transferred, 0 when nothing was stored (a fault,
   * reported through `onWarning`, or another job storing the same key first).
   */
  save(key: string, dir: string, options?: StoreCallOptions): Promise<number>;
  /**
   * Present on stores whose entries BuildKit reads and writes itself (the registry store): nothing moves
   * through entry directories, `restore` and `save` do nothing and return 0, and the build is given these
   * `--cache-from`/`--cache-to` values instead of a local layout.
   */
  readonly buildkit?: BuildKitCacheBackend;
}

/** The buildx side of a store that BuildKit talks to directly (see `StageCacheStore.buildkit`). */
export interface BuildKitCacheBackend {
  /** The `--cache-from` value that imports entry `key` (a key that `lookup` returned). */
  cacheFrom(key: string): string;
  /**
   * The `--cache-to` values that make BuildKit store a stage's cache as entry `key`, and as the newest entry
   * under each of its restore keys, so that `lookup` finds it by prefix later.
   */
  cacheTo(key: string, restoreKeys: readonly string[]): readonly string[];
}
