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
  presentBlobs,
  validateLayout,
} from './entry.js';
import {
  findManifestByTag,
  isExternal,
  ownBlobs,
  ownResultChains,
  referencedBlobs,
  unloadableOwnResults,
  type StageCache,
} from './oci-layout.js';
import { localCacheFromSpec, localCacheToSpec } from './specs.js';
import type { StageCacheStore, StoreCallOptions } from './store.js';

/** Progress for debug output (`{info, warning, debug}` of the adapters' Logger fits). */
export interface CacheLogger {
  debug(message: string): void;
}

/**
 * `unneeded`: a restore by need never looked the stage up, because a stage built on it hit its exact key, so
 * BuildKit executes nothing of it.
 */
export type RestoreResult = 'exact' | 'partial' | 'miss' | 'unneeded';

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

/** What a stage may need restored besides its own entry (`restoreNeeds` in src/plan makes these). */
export interface StageNeeds {
  /** The stage it is built `FROM`, when it is built on another stage: its layers are part of this stage's. */
  readonly from?: number;
  /** Every stage it reads while it builds. */
  readonly dependencies: readonly number[];
}

export interface RestoreOptions {
  readonly store: StageCacheStore;
  /** The stages the target reaches, in build order. Only these are looked up; skipped stages never are. */
  readonly keys: readonly StageKey[];
  /**
   * Restore by need, from `target` down: a stage whose exact key hits needs only the entries of its layer
   * chain (itself and the stages it is built FROM); a stage that misses needs every stage it reads. Stages
   * never needed are not looked up (`unneeded`). Without it, every stage in `keys` is restored.
   */
  readonly needs?: { readonly target: number; readonly stages: ReadonlyMap<number, StageNeeds> };
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

function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A stage whose entry cannot be used after all: a miss, with the reason added to its warnings. */
function demote(report: Mutable<StageRestoreReport>, warning: string): void {
  report.result = 'miss';
  delete report.tag;
  delete report.cacheFrom;
  delete report.createdAt;
  report.warning = report.warning === undefined ? warning : `${report.warning}; ${warning}`;
}

/**
 * Looks up and restores the entries of the stages the build needs (exact key, else restore keys), merges them
 * into one OCI layout, and rewrites every manifest there without the layers it lacks, so BuildKit never meets
 * a result it cannot load. Never throws for a cache fault or a damaged entry: those stages miss, with a
 * `warning`.
 */
export async function restoreStageCaches(options: RestoreOptions): Promise<RestoreReport> {
  const { store, keys, workDir, signal, logger } = options;
  const layoutDir = path.join(workDir, 'layout');
  const entriesDir = path.join(workDir, 'restored');
  const local = store.buildkit === undefined;
  if (local) {
    await removeTree(layoutDir);
    await removeTree(entriesDir);
    await ensureLayout(layoutDir);
  }
  const reports = new Map<number, Mutable<StageRestoreReport>>(
    keys.map((stageKey) => [
      stageKey.stage,
      {
        stage: stageKey.stage,
        stageName: stageKey.stageName,
        key: stageKey.key,
        result: 'unneeded',
        bytes: 0,
      },
    ]),
  );
  /** Each restored entry's own blobs (what its metadata says it stores). */
  const ownBlobsOf = new Map<number, Set<string>>();

  /**
   * Looks the stage up and merges its entry into the layout; sets `result` to exact, partial or miss. An older
   * entry (a restore-key match) is fetched only if `olderUseless` gives no reason against it.
   */
  const restoreOne = async (
    stageKey: StageKey,
    report: Mutable<StageRestoreReport>,
    olderUseless: () => Promise<string | undefined> = () => Promise.resolve(undefined),
  ): Promise<void> => {
    report.result = 'miss';
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
      return;
    }
    if (found === undefined) {
      missWith();
      return;
    }
    logger?.debug(
      `stage-caches.restoreStageCaches: ${stageKey.stageName}: found ${found.key}${found.exact ? ' (exact)' : ''}`,
    );
    const useless = found.exact ? undefined : await olderUseless();
    if (useless !== undefined) {
      logger?.debug(
        `stage-caches.restoreStageCaches: ${stageKey.stageName}: not restoring ${found.key}: ${useless}`,
      );
      missWith();
      return;
    }
    if (store.buildkit !== undefined) {
      report.result = found.exact ? 'exact' : 'partial';
      report.restoredKey = found.key;
      report.cacheFrom = store.buildkit.cacheFrom(found.key);
      missWith();
      return;
    }
    const entryDir = path.join(entriesDir, `stage-${stageKey.stage}`);
    try {
      await removeTree(entryDir);
      await mkdir(entryDir, { recursive: true });
      report.bytes = await store.restore(found.key, entryDir, call);
    } catch (error) {
      missWith(`cache restore of ${found.key} failed: ${errorMessage(error)}`);
      return;
    }
    if (warnings.length > 0) {
      missWith();
      return;
    }
    report.restoredKey = found.key;
    const merged = await mergeEntryIntoLayout(entryDir, layoutDir);
    if (!merged.ok) {
      missWith(`cache entry ${found.key} is damaged (${merged.reason}); building without it`);
      return;
    }
    if (merged.key !== found.key) {
      missWith(`cache entry ${found.key} holds the entry of ${merged.key}; building without it`);
      return;
    }
    report.result = found.exact ? 'exact' : 'partial';
    report.tag = merged.tag;
    report.cacheFrom = localCacheFromSpec(layoutDir, merged.tag);
    // Its age (a scheduled run's max-cache-age) and its own blobs; the merge has just read and checked both.
    const metadata = await readEntryMetadata(entryDir).catch(() => undefined);
    if (metadata !== undefined) {
      report.createdAt = metadata.createdAt;
      const shared = new Set(metadata.shared ?? []);
      ownBlobsOf.set(
        stageKey.stage,
        new Set(metadata.blobs.map((blob) => blob.digest).filter((digest) => !shared.has(digest))),
      );
    }
  };

  /** Why an exact entry cannot give the stage's output (its own results need blobs nobody has), if so. */
  const unusable = async (report: StageRestoreReport): Promise<string | undefined> => {
    const own = ownBlobsOf.get(report.stage);
    if (!local || report.tag === undefined || own === undefined) return undefined;
    try {
      const descriptor = findManifestByTag(await readLayoutIndex(layoutDir), report.tag);
      if (descriptor === undefined) return 'its manifest is not in the layout';
      const cache = await readStageCache(layoutDir, descriptor);
      const missing = unloadableOwnResults(cache, own, await presentBlobs(layoutDir), options.externalLayers);
      if (missing.length === 0) return undefined;
      const more = missing.length > 2 ? ` and ${missing.length - 2} more` : '';
      return (
        `its layers need ${missing.length} blob${missing.length === 1 ? '' : 's'} that are neither restored ` +
        `nor in the image store (${missing.slice(0, 2).map(shortDigest).join(', ')}${more})`
      );
    } catch (error) {
      return errorMessage(error);
    }
  };

  const byStage = new Map(keys.map((stageKey) => [stageKey.stage, stageKey]));
  const visits = new Map<number, Promise<boolean>>();
  /** Restores what `stage` needs; true when its exact entry gives its output (its layer chain is there). */
  const need = (stage: number): Promise<boolean> => {
    let visit = visits.get(stage);
    if (visit === undefined) {
      visit = visitStage(stage);
      visits.set(stage, visit);
    }
    return visit;
  };
  const visitStage = async (stage: number): Promise<boolean> => {
    const stageKey = byStage.get(stage);
    const report = reports.get(stage);
    if (stageKey === undefined || report === undefined) return false;
    const stageNeeds = options.needs?.stages.get(stage);
    const from = stageNeeds?.from;
    // Every result of a stage sits on its FROM stage's layers: when that stage will be built anew, BuildKit's
    // keys for this stage's steps change too, and an older entry of it can give no hit.
    await restoreOne(stageKey, report, async () =>
      from === undefined || (await need(from))
        ? undefined
        : `${reports.get(from)?.stageName ?? `stage ${from}`}, the stage it is built FROM, is built anew`,
    );
    if (report.result === 'exact') {
      if (from !== undefined && !(await need(from))) {
        const name = reports.get(from)?.stageName ?? `stage ${from}`;
        demote(report, `${name}, the stage it is built FROM, has no usable cache, so neither has this one`);
      } else {
        const problem = await unusable(report);
        if (problem === undefined) return true;
        demote(
          report,
          `cache entry ${report.restoredKey ?? report.key} is incomplete (${problem}); building without it`,
        );
      }
    }
    for (const dependency of stageNeeds?.dependencies ?? []) await need(dependency);
    return false;
  };

  if (options.needs === undefined) {
    for (const stageKey of keys) await restoreOne(stageKey, reports.get(stageKey.stage)!);
    for (const report of reports.values()) {
      if (report.result !== 'exact') continue;
      const problem = await unusable(report);
      if (problem !== undefined)
        demote(
          report,
          `cache entry ${report.restoredKey ?? report.key} is incomplete (${problem}); building without it`,
        );
    }
  } else {
    await need(options.needs.target);
  }

  if (local) {
    const validation = await validateLayout(
      layoutDir,
      options.externalLayers === undefined ? {} : { external: options.externalLayers },
    );
    for (const pruned of validation.pruned) {
      logger?.debug(
        `stage-caches.restoreStageCaches: ${pruned.tag ?? pruned.digest}: without ${pruned.absent.length} ` +
          'layers it was not restored with (results that need them are left to build)',
      );
    }
    for (const dropped of validation.dropped) {
      for (const report of reports.values()) {
        if (report.tag === undefined || report.tag !== dropped.tag) continue;
        demote(
          report,
          `cache entry ${report.restoredKey ?? report.key} is incomplete (${dropped.reason}); building without it`,
        );
      }
    }
    if (validation.error !== undefined) {
      for (const report of reports.values()) {
        if (report.tag === undefined) continue;
        delete report.warning;
        demote(report, `the restored cache layout is unusable (${validation.error}); building without it`);
      }
    }
  }
  const stages = keys.map((stageKey) => reports.get(stageKey.stage)!);
  return { layoutDir, stages, bytes: stages.reduce((sum, r) => sum + r.bytes, 0) };
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
  /**
   * Each stage's FROM stage, as for restore (`restoreNeeds`). A restore by need brings back a hit stage's
   * entry with those of its FROM chain only, so a blob of its output that another stage made too (identical
   * layers) is kept in its entry unless a stage of its FROM chain holds it. Without it, no such blob is kept.
   */
  readonly needs?: ReadonlyMap<number, StageNeeds>;
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

  /** Blobs of the stage's own results' chains that live in the entry of a stage outside its FROM chain. */
  const borrowedChainBlobs = async (
    stage: number,
    stageCache: StageCache,
    own: readonly string[],
  ): Promise<string[]> => {
    const fromChain = new Set<string>();
    for (
      let from = options.needs?.get(stage)?.from;
      from !== undefined;
      from = options.needs?.get(from)?.from
    ) {
      const fromCache = await cacheOf(from);
      for (const blob of fromCache === undefined ? [] : referencedBlobs(fromCache))
        fromChain.add(blob.digest);
    }
    const described = new Map(referencedBlobs(stageCache).map((d) => [d.digest, d]));
    const ownSet = new Set(own);
    return [...ownResultChains(stageCache, ownSet)].filter((blob) => {
      const descriptor = described.get(blob);
      return (
        !ownSet.has(blob) &&
        !fromChain.has(blob) &&
        (descriptor === undefined ||
          options.externalLayers === undefined ||
          !isExternal(descriptor, options.externalLayers))
      );
    });
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
    const restored = resultOf.get(stageKey.stage)?.result;
    if (restored === 'exact') {
      skip('exact key hit: nothing to save');
      continue;
    }
    if (restored === 'unneeded') {
      skip('not needed: a stage built on it hit its exact key');
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
      const own = ownBlobs(stageCache, dependencies, options.externalLayers).map((d) => d.digest);
      const shared =
        options.needs === undefined ? [] : await borrowedChainBlobs(stageKey.stage, stageCache, own);
      const entryDir = path.join(entriesDir, `stage-${stageKey.stage}`);
      await removeTree(entryDir);
      await packEntry(exportDir, stageKey, [...own, ...shared], entryDir, { shared });
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
