// Restoring and saving per-stage caches around one build. main.ts calls `restoreStageCaches` before buildx,
// passes `cacheFromSpecs(report)` (and, for each stage that missed, a `--cache-to` from `stageCacheToSpecs`) to
// the build, then calls `saveStageCaches`. Both return plain data and log nothing; store faults come back as
// `warning`s on the stages they hit.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { StageKey } from '../keys/types.js';
import {
  mergeEntryIntoLayout,
  packEntry,
  readCacheExport,
  readEntryMetadata,
  readLayoutIndex,
  readStageCache,
  removeTree,
  ensureLayout,
  validateLayout,
} from './entry.js';
import { findManifestByTag, ownBlobs, type StageCache } from './oci-layout.js';
import { localCacheFromSpec, localCacheToSpec } from './specs.js';
import type { StageCacheStore, StoreCallOptions } from './store.js';

/** Progress for debug output (`{info, warning, debug}` of the adapters' Logger fits). */
export interface CacheLogger {
  debug(message: string): void;
}

export type RestoreResult = 'exact' | 'partial' | 'miss';

export interface StageRestoreReport {
  readonly stage: number;
  readonly stageName: string;
  /** The stage's exact key. */
  readonly key: string;
  readonly result: RestoreResult;
  /**
   * The key of the entry restored (the exact key, or a restore-key match); also set on a miss whose entry was
   * fetched but proved unusable (see `warning`).
   */
  readonly restoredKey?: string;
  /** Bytes the store transferred for this stage (also for an entry that then proved unusable). */
  readonly bytes: number;
  /** Local stores: the entry's `ref.name` in the shared layout (`--cache-from type=local,src=<layout>,tag=<tag>`). */
  readonly tag?: string;
  /** The `--cache-from` value for this stage; absent on a miss. */
  readonly cacheFrom?: string;
  /** Why a stage that had an entry still missed, or a store fault; meant for a visible warning. */
  readonly warning?: string;
  /** When the restored entry was made (its metadata's `createdAt`, ISO 8601); local stores, on a hit. */
  readonly createdAt?: string;
}

export interface RestoreReport {
  /** The shared OCI layout every restored entry was merged into (empty for a registry store). */
  readonly layoutDir: string;
  readonly stages: readonly StageRestoreReport[];
  /** Bytes transferred in all. */
  readonly bytes: number;
}

export interface RestoreOptions {
  readonly store: StageCacheStore;
  /** The stages the target reaches, in build order. Only these are looked up; skipped stages never are. */
  readonly keys: readonly StageKey[];
  /** A directory for this run's restored entries and the shared layout (created if needed). */
  readonly workDir: string;
  /**
   * Layers of external base images that the builder reads from its own image store (compressed digests or
   * diff IDs, e.g. `docker image inspect`'s `RootFS.Layers`): entries leave them out, and validation counts
   * them as present.
   */
  readonly externalLayers?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly logger?: CacheLogger;
}

function callOptions(
  warnings: string[],
  signal: AbortSignal | undefined,
  logger: CacheLogger | undefined,
): StoreCallOptions {
  return {
    onWarning: (message) => warnings.push(message),
    ...(logger === undefined ? {} : { onDebug: (message: string) => logger.debug(message) }),
    ...(signal === undefined ? {} : { signal }),
  };
}

function errorMessage(error: unknown): string {
  return typeof (error as Error | undefined)?.message === 'string' ? (error as Error).message : String(error);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Looks up and restores each stage's entry (exact key, else its restore keys), merges the entries into one OCI
 * layout, and drops every manifest whose blobs are not all there (that stage is then a miss). Never throws
 * for a cache fault or a damaged entry: those stages miss, with a `warning`.
 */
export async function restoreStageCaches(options: RestoreOptions): Promise<RestoreReport> {
  const { store, keys, workDir, signal, logger } = options;
  const layoutDir = path.join(workDir, 'layout');
  const entriesDir = path.join(workDir, 'restored');
  const reports: Mutable<StageRestoreReport>[] = [];
  if (store.buildkit === undefined) {
    await removeTree(layoutDir);
    await removeTree(entriesDir);
    await ensureLayout(layoutDir);
  }

  for (const stageKey of keys) {
    const report: Mutable<StageRestoreReport> = {
      stage: stageKey.stage,
      stageName: stageKey.stageName,
      key: stageKey.key,
      result: 'miss',
      bytes: 0,
    };
    reports.push(report);
    const warnings: string[] = [];
    const call = callOptions(warnings, signal, logger);
    const missWith = (warning?: string): void => {
      const all = warning === undefined ? warnings : [...warnings, warning];
      if (all.length > 0) report.warning = all.join('; ');
    };
    let found;
    try {
      found = await store.lookup(stageKey.key, stageKey.restoreKeys, call);
    } catch (error) {
      missWith(`cache lookup of ${stageKey.key} failed: ${errorMessage(error)}`);
      continue;
    }
    if (found === undefined) {
      missWith();
      continue;
    }
    logger?.debug(
      `stage-caches.restoreStageCaches: ${stageKey.stageName}: found ${found.key}${found.exact ? ' (exact)' : ''}`,
    );
    if (store.buildkit !== undefined) {
      report.result = found.exact ? 'exact' : 'partial';
      report.restoredKey = found.key;
      report.cacheFrom = store.buildkit.cacheFrom(found.key);
      missWith();
      continue;
    }
    const entryDir = path.join(entriesDir, `stage-${stageKey.stage}`);
    try {
      await removeTree(entryDir);
      await mkdir(entryDir, { recursive: true });
      report.bytes = await store.restore(found.key, entryDir, call);
    } catch (error) {
      missWith(`cache restore of ${found.key} failed: ${errorMessage(error)}`);
      continue;
    }
    if (warnings.length > 0) {
      missWith();
      continue;
    }
    report.restoredKey = found.key;
    const merged = await mergeEntryIntoLayout(entryDir, layoutDir);
    if (!merged.ok) {
      missWith(`cache entry ${found.key} is damaged (${merged.reason}); building without it`);
      continue;
    }
    if (merged.key !== found.key) {
      missWith(`cache entry ${found.key} holds the entry of ${merged.key}; building without it`);
      continue;
    }
    report.result = found.exact ? 'exact' : 'partial';
    report.tag = merged.tag;
    report.cacheFrom = localCacheFromSpec(layoutDir, merged.tag);
    // Its age, for a scheduled run's max-cache-age; the metadata was just read and checked by the merge.
    const createdAt = await readEntryMetadata(entryDir).then(
      (metadata) => metadata.createdAt,
      () => undefined,
    );
    if (createdAt !== undefined) report.createdAt = createdAt;
  }

  if (store.buildkit === undefined) {
    const validation = await validateLayout(
      layoutDir,
      options.externalLayers === undefined ? {} : { external: options.externalLayers },
    );
    for (const dropped of validation.dropped) {
      for (const report of reports) {
        if (report.tag === undefined || report.tag !== dropped.tag) continue;
        const warning = `cache entry ${report.restoredKey ?? report.key} is incomplete (${dropped.reason}); building without it`;
        report.result = 'miss';
        delete report.tag;
        delete report.cacheFrom;
        delete report.createdAt;
        report.warning = report.warning === undefined ? warning : `${report.warning}; ${warning}`;
      }
    }
    if (validation.error !== undefined) {
      for (const report of reports) {
        if (report.tag === undefined) continue;
        report.result = 'miss';
        delete report.tag;
        delete report.cacheFrom;
        delete report.createdAt;
        report.warning = `the restored cache layout is unusable (${validation.error}); building without it`;
      }
    }
  }
  return { layoutDir, stages: reports, bytes: reports.reduce((sum, r) => sum + r.bytes, 0) };
}

/** The `--cache-from` values for a build: one per stage that has a usable entry, in build order. */
export function cacheFromSpecs(report: RestoreReport): string[] {
  return report.stages.flatMap((stage) => (stage.cacheFrom === undefined ? [] : [stage.cacheFrom]));
}

/** `--cache-to` for one stage's local export (mode=max, into its own directory). */
export function cacheToSpec(exportDir: string, tag?: string): string {
  return localCacheToSpec(exportDir, tag);
}

/**
 * The `--cache-to` values for a stage whose exact key missed: a local export into `exportDir` for stores that
 * move entries, or the registry specs for a store BuildKit writes to itself.
 */
export function stageCacheToSpecs(
  store: StageCacheStore,
  stageKey: StageKey,
  exportDir: string,
): readonly string[] {
  return store.buildkit === undefined
    ? [localCacheToSpec(exportDir)]
    : store.buildkit.cacheTo(stageKey.key, stageKey.restoreKeys);
}

export interface StageSaveReport {
  readonly stage: number;
  readonly stageName: string;
  readonly key: string;
  readonly saved: boolean;
  /** Bytes the store transferred. */
  readonly bytes: number;
  /** Why it was saved or not, for the log: "saved", "exact key hit", "already saved by another job", … */
  readonly reason: string;
  /** Set when a fault kept the stage from being saved; meant for a visible warning. */
  readonly warning?: string;
}

export interface SaveReport {
  readonly stages: readonly StageSaveReport[];
  readonly bytes: number;
}

export interface SaveOptions {
  readonly store: StageCacheStore;
  /** The stages the target reaches, in build order. */
  readonly keys: readonly StageKey[];
  /** What the restore found per stage (`restoreStageCaches(...).stages` fits); a stage not listed missed. */
  readonly results: readonly Pick<StageRestoreReport, 'stage' | 'result' | 'tag' | 'restoredKey'>[];
  /** Each stage's `--cache-to type=local,dest=<dir>,mode=max` export (`cacheToSpec`), for the stages built. */
  readonly exportDirs: ReadonlyMap<number, string>;
  /** Each stage's transitive dependencies in the reachable graph; their blobs are kept out of its entry. */
  readonly dependenciesOf: ReadonlyMap<number, readonly number[]>;
  /** A directory for this run's packed entries (created if needed). */
  readonly workDir: string;
  /** The restore's shared layout, where the caches of dependencies that hit (and were not rebuilt) are read. */
  readonly layoutDir?: string;
  /** As for restore: external base-image layers, left out of entries. */
  readonly externalLayers?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly logger?: CacheLogger;
}

/**
 * Saves the entry of every stage whose exact key missed, after checking that no other job saved it meanwhile.
 * Each entry holds only the stage's own blobs: what its dependencies' caches reference lives in their entries.
 * Never throws for a cache fault or a bad export: that stage is not saved, with a `warning`.
 */
export async function saveStageCaches(options: SaveOptions): Promise<SaveReport> {
  const { store, keys, results, exportDirs, dependenciesOf, workDir, signal, logger } = options;
  const resultOf = new Map(results.map((r) => [r.stage, r]));
  const reports: StageSaveReport[] = [];
  const entriesDir = path.join(workDir, 'packed');
  const exportCache = new Map<number, Promise<StageCache | undefined>>();

  /** A stage's cache, from this run's export, else from the restored layout (a dependency that hit). */
  const cacheOf = (stage: number): Promise<StageCache | undefined> => {
    let cached = exportCache.get(stage);
    if (cached === undefined) {
      cached = (async () => {
        const exportDir = exportDirs.get(stage);
        if (exportDir !== undefined) return readCacheExport(exportDir).catch(() => undefined);
        const tag = resultOf.get(stage)?.tag;
        if (options.layoutDir === undefined || tag === undefined) return undefined;
        const layoutDir = options.layoutDir;
        try {
          const descriptor = findManifestByTag(await readLayoutIndex(layoutDir), tag);
          return descriptor === undefined ? undefined : await readStageCache(layoutDir, descriptor);
        } catch {
          return undefined;
        }
      })();
      exportCache.set(stage, cached);
    }
    return cached;
  };

  for (const stageKey of keys) {
    const base = { stage: stageKey.stage, stageName: stageKey.stageName, key: stageKey.key };
    const skip = (reason: string, warning?: string): void => {
      reports.push(
        warning === undefined
          ? { ...base, saved: false, bytes: 0, reason }
          : { ...base, saved: false, bytes: 0, reason, warning },
      );
    };
    if (resultOf.get(stageKey.stage)?.result === 'exact') {
      skip('exact key hit: nothing to save');
      continue;
    }
    const warnings: string[] = [];
    const call = callOptions(warnings, signal, logger);
    const warning = (): string | undefined => (warnings.length > 0 ? warnings.join('; ') : undefined);

    if (store.buildkit !== undefined) {
      // BuildKit pushed the entry during the build (stageCacheToSpecs); see whether it is there.
      const there = await store.exists(stageKey.key, call).catch(() => false);
      if (there)
        reports.push({ ...base, saved: true, bytes: 0, reason: 'written to the registry by BuildKit' });
      else skip('not in the registry after the build (was the stage built with its --cache-to?)', warning());
      continue;
    }

    const exportDir = exportDirs.get(stageKey.stage);
    if (exportDir === undefined) {
      skip('no cache export for this stage');
      continue;
    }
    try {
      if (await store.exists(stageKey.key, call)) {
        // Entries are never replaced (GitHub's cache cannot): an unusable one stays until it is evicted.
        skip(
          resultOf.get(stageKey.stage)?.restoredKey === stageKey.key
            ? 'an entry under this key exists but was unusable; entries are never replaced'
            : 'already saved (by another job)',
        );
        continue;
      }
      if (warnings.length > 0) {
        skip('the store could not be checked', warning());
        continue;
      }
      let stageCache: StageCache;
      try {
        stageCache = await readCacheExport(exportDir);
      } catch (error) {
        skip(
          "the stage's cache export is unusable",
          `cache export of ${stageKey.stageName} is unusable: ${errorMessage(error)}`,
        );
        continue;
      }
      const dependencies: StageCache[] = [];
      for (const dep of dependenciesOf.get(stageKey.stage) ?? []) {
        const depCache = await cacheOf(dep);
        if (depCache !== undefined) dependencies.push(depCache);
        else
          logger?.debug(
            `stage-caches.saveStageCaches: ${stageKey.stageName}: no cache of stage ${dep}; its blobs stay in this entry`,
          );
      }
      const own = ownBlobs(stageCache, dependencies, options.externalLayers);
      const entryDir = path.join(entriesDir, `stage-${stageKey.stage}`);
      await removeTree(entryDir);
      await packEntry(
        exportDir,
        stageKey,
        own.map((d) => d.digest),
        entryDir,
      );
      const bytes = await store.save(stageKey.key, entryDir, call);
      if (warnings.length > 0) skip('the store failed', warning());
      else if (bytes === 0) skip('not stored (another job may have saved the same key first)');
      else reports.push({ ...base, saved: true, bytes, reason: 'saved' });
    } catch (error) {
      skip('saving failed', `cache save of ${stageKey.key} failed: ${errorMessage(error)}`);
    }
  }
  return { stages: reports, bytes: reports.reduce((sum, r) => sum + r.bytes, 0) };
}
