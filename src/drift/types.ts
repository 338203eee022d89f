import type { StageKey } from '../keys/index.js';

// The values of scheduled rebuilds: the stored document a scheduled run leaves for the next one, and what a run
// works out from it (which base images moved, which stages rebuild and why).

/** The document's `version`; a document of another version reads as "no previous run". */
export const DRIFT_DOCUMENT_VERSION = 1;
/** The document's `kind`, so a stray JSON file is never taken for one. */
export const DRIFT_DOCUMENT_KIND = 'stagecraft-drift';

/** One external image at one platform, as a scheduled run resolved it. */
export interface DriftImageRecord {
  /** The reference as the plan lists it (`localhost:5000/base:1`, `node:20@sha256:…`). */
  readonly image: string;
  /** `os/arch[/variant]`. */
  readonly platform: string;
  /** The platform's manifest digest (the pinned digest for a pinned reference). */
  readonly digest: string;
  /** The index the reference pointed at, when it was one. */
  readonly indexDigest?: string;
}

/** One stage the target reached in that run. */
export interface DriftStageRecord {
  /** Display name: the stage's name, or `stage-<index>`. */
  readonly name: string;
  /** Its key with the image digests (what the run computed, before any refresh). */
  readonly key: string;
  /** Its key without image digests, when the run had it: tells a changed Dockerfile from a moved base. */
  readonly baseKey?: string;
  /** When its cache was last built afresh (ISO 8601); absent when unknown. */
  readonly builtAt?: string;
  /**
   * Where its cache was saved instead of `key` after a rebuild that `key`'s existing entry would have refused
   * (the cache was too old): the next run restores this key for `key`.
   */
  readonly refreshedKey?: string;
}

/** The image's size in that run, to show how it moved since. */
export interface DriftSize {
  readonly compressedBytes: number;
  readonly uncompressedBytes?: number;
}

/** What a scheduled run stores for the next one (drift.json in a store entry; see store.ts). */
export interface DriftDocument {
  readonly kind: typeof DRIFT_DOCUMENT_KIND;
  readonly version: typeof DRIFT_DOCUMENT_VERSION;
  /** When the run finished (ISO 8601). */
  readonly createdAt: string;
  /** The target's display name and the platform built: a document is only read by the same. */
  readonly target: string;
  readonly platform: string;
  /** The run that stored it (`GITHUB_RUN_ID`), and the commit built, when known. */
  readonly run?: string;
  readonly commit?: string;
  /** Every external image the reachable stages read, per platform, sorted by image then platform. */
  readonly images: readonly DriftImageRecord[];
  /** The stages the target reached, in build order. */
  readonly stages: readonly DriftStageRecord[];
  readonly size?: DriftSize;
}

/** The previous scheduled run's document, or why there is none. */
export type PreviousDrift =
  | { readonly found: true; readonly document: DriftDocument; readonly key: string }
  | { readonly found: false; readonly reason: string };

/** One (image, platform) the reachable stages read, compared with the previous run. */
export type ImageStatus = 'moved' | 'unchanged' | 'new' | 'unresolved';

export interface ImageDrift {
  readonly image: string;
  readonly platform: string;
  readonly status: ImageStatus;
  /** The previous run's digest; absent for `new` (and for `unresolved` never seen before). */
  readonly old?: string;
  /** This run's digest; absent for `unresolved`. */
  readonly new?: string;
  /** The reference is pinned (`@sha256:…`): it cannot move without the Dockerfile changing. */
  readonly pinned?: boolean;
  /** `unresolved`: why (the tool's words). Such an image is treated as unchanged. */
  readonly reason?: string;
  /** Display names of the stages that read it directly, in build order. */
  readonly stages: readonly string[];
}

/** Why a stage rebuilds, in order of precedence. */
export type RebuildReason = 'base moved' | 'key changed' | 'cache too old' | 'not cached';

export const REBUILD_REASONS: readonly RebuildReason[] = [
  'base moved',
  'key changed',
  'cache too old',
  'not cached',
];

export interface RebuiltStage {
  readonly index: number;
  /** Display name: the stage's name, or `stage-<index>`. */
  readonly stage: string;
  /** The first of `reasons` (by precedence). */
  readonly reason: RebuildReason;
  readonly reasons: readonly RebuildReason[];
  /** One line saying what exactly, e.g. `localhost:5000/base:1 moved`, `builds on deps`, `cache 9d old (max 7d)`. */
  readonly detail: string;
}

export interface DriftResult {
  /** Every (image, platform) the reachable stages read, in first-use order. */
  readonly images: readonly ImageDrift[];
  /** The `moved` ones: the `drifted-images` output. */
  readonly driftedImages: readonly {
    readonly image: string;
    readonly platform: string;
    readonly old: string;
    readonly new: string;
  }[];
  /** Some base image moved: the `base-drift` output. */
  readonly baseDrift: boolean;
  /** Stages reading a moved image, and every stage built on them (transitively), in build order. */
  readonly stagesOnMovedBase: readonly string[];
  /** Stages whose restored cache is older than max-cache-age, in build order. */
  readonly staleStages: readonly string[];
  /**
   * Every stage the run builds instead of taking it from its exact cache entry, with why, in build order: the
   * `rebuilt-stages` output. (BuildKit may still reuse a step whose inputs did not change, e.g. a COPY --from of
   * files that came out the same.)
   */
  readonly rebuiltStages: readonly RebuiltStage[];
  /**
   * Names for `no-cache-filter`: the named stages that read a moved image or whose own cache is too old, in build
   * order. The stages built on them are left to BuildKit, which re-runs them as their inputs change (see
   * compute.ts). BuildKit matches these against stage names only: an unnamed stage cannot be filtered (see
   * `dropCacheFrom`).
   */
  readonly noCacheFilters: readonly string[];
  /**
   * Stage indices whose `--cache-from` must be left out: an unnamed stage whose cache is too old (or that is
   * built on one) cannot be filtered, so it is rebuilt by not giving BuildKit its records, here and in the
   * entries of the stages built on it (their exports hold its records too).
   */
  readonly dropCacheFrom: readonly number[];
  /**
   * Stages rebuilt although their exact key hit: that entry exists and would refuse the new cache, so they are
   * saved under these sibling keys instead (see refresh.ts), counting as misses for the save.
   */
  readonly refreshedKeys: readonly {
    readonly stage: number;
    readonly key: string;
    readonly restoreKeys: readonly string[];
  }[];
  /**
   * The keys to save each stage under, in build order: the refreshed key where there is one, else the key the
   * stage was restored with (`applyRefreshedKeys`). Give these to `saveStageCaches`.
   */
  readonly saveKeys: readonly StageKey[];
  /** Things the user should know (unnamed stages, unknown cache ages); meant for warnings. */
  readonly warnings: readonly string[];
  /** The previous run compared with: when, which run, or why none. */
  readonly previous:
    | {
        readonly found: true;
        readonly createdAt: string;
        readonly run?: string;
        readonly key: string;
        readonly size?: DriftSize;
      }
    | { readonly found: false; readonly reason: string };
  /** max-cache-age in ms, when set. */
  readonly maxCacheAgeMs?: number;
}
