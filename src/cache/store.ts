// The contract every cache store meets. A stage's entry is a directory (see entry.ts for its layout);
// stores move whole entries and never decide what to build.

export type StoreKind = 'gha' | 'local' | 'registry' | 'memory';

export interface LookupResult {
  /** The key of the entry found: the exact key, or the newest entry under a restore-key prefix. */
  readonly key: string;
  readonly exact: boolean;
}

export interface StageCacheStore {
  readonly kind: StoreKind;
  /** The exact key, else the newest entry whose key starts with each restore key, in order. */
  lookup(key: string, restoreKeys: readonly string[]): Promise<LookupResult | undefined>;
  /** Fetches entry `key` into `dir` (created empty by the caller); returns the bytes transferred. */
  restore(key: string, dir: string): Promise<number>;
  /** Whether an entry with exactly this key exists (checked before saving: a parallel job may have). */
  exists(key: string): Promise<boolean>;
  /** Stores the entry in `dir` under `key`; returns the bytes transferred. */
  save(key: string, dir: string): Promise<number>;
}
