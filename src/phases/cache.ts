// The cache phase's edges: which store, which base-image layers the engine already has, and the build with
// its stage exports (seeded export directories, and what to do when an export fails). Wiring over src/cache
// and src/buildx, like main.ts.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Adapters } from '../adapters/types.js';
import {
  BuildxRunError,
  digestReference,
  explainNoCacheExport,
  failedBuildProgress,
  isCacheExportFailure,
  mergeProgress,
  pullImage,
  readImageLayers,
  resolveImageDigests,
  runBuild,
  saveImagesAsLayout,
  type BuilderInfo,
  type BuildRequest,
  type BuildResult,
} from '../buildx/index.js';
import {
  addBlobsToLayout,
  missingLayoutBlobs,
  seedExportDir,
  type RestoreReport,
  type SaveReport,
} from '../cache/index.js';
import type { StageCacheStore } from '../cache/store.js';
import { type StageKey } from '../keys/index.js';
import { type Options } from '../options.js';
import { type Plan } from '../plan/index.js';
import { type StageCacheRow } from '../report/index.js';

export async function openCacheStore(
  options: Options,
  builder: BuilderInfo,
  { logger, ...adapters }: Adapters,
): Promise<StageCacheStore | undefined> {
  if (options.cache === 'off') {
    logger.info('cache: off (cache input)');
    return undefined;
  }
  if (!builder.supportsCacheExport) {
    logger.warning(`${explainNoCacheExport(builder)} Building without per-stage caches.`);
    return undefined;
  }
  const store = await adapters.openStore(options);
  logger.info(`cache: ${store?.kind ?? 'off'}`);
  return store;
}

/**
 * The layers of the external base images, which the builder reads from the engine's image store and cache
 * entries therefore leave out. A base that is not there yet is pulled first, by the digest its tag resolves to
 * now, as a cold build would pull it; one that cannot be pulled keeps its layers in the entries.
 */
export async function readExternalLayers(
  plan: Plan,
  builder: BuilderInfo,
  platform: string,
  { exec, logger }: Adapters,
): Promise<Set<string> | undefined> {
  // Only the docker driver with the containerd store builds from the engine's own image store.
  if (builder.driver !== 'docker' || !builder.containerdStore) {
    logger.info(
      `base-image layers are kept in cache entries: the ${builder.driver} driver cannot see the image store`,
    );
    return undefined;
  }
  const layers = new Set<string>();
  for (const image of plan.externalImages) {
    let found = await readImageLayers(exec, image);
    if (found === undefined) {
      const [resolved] = await resolveImageDigests(exec, [image], platform);
      const reference = resolved?.status === 'resolved' ? digestReference(image, resolved.digest) : image;
      if (await pullImage(exec, reference, platform)) {
        found = await readImageLayers(exec, reference);
        logger.info(`${image} was not in the image store: pulled ${reference}`);
      }
    }
    if (found === undefined) {
      logger.warning(
        `${image} is not in the image store and could not be pulled: its layers are kept in the cache entries`,
      );
      continue;
    }
    for (const layer of found) layers.add(layer);
  }
  logger.info(
    `base-image layers are left out of cache entries: the builder reads them from the image store ` +
      `(${plan.externalImages.length} base image${plan.externalImages.length === 1 ? '' : 's'})`,
  );
  return layers;
}

/**
 * Exports write base-image layers too. BuildKit reads their blobs from the engine's content store; should it
 * look for them in the cache source instead (where entries leave them out), this adds them to the layout from
 * a local copy of the base images. True when blobs were added.
 */
export async function completeLayoutForExport(
  layoutDir: string,
  plan: Plan,
  workDir: string,
  adapters: Adapters,
): Promise<boolean> {
  const missing = await missingLayoutBlobs(layoutDir);
  if (missing.length === 0) return false;
  const imagesDir = path.join(workDir, 'base-images');
  await mkdir(imagesDir, { recursive: true });
  if (!(await saveImagesAsLayout(adapters.exec, plan.externalImages, imagesDir))) {
    adapters.logger.warning('could not copy the base images out of the image store');
    return false;
  }
  const added = await addBlobsToLayout(layoutDir, imagesDir, missing);
  adapters.logger.info(`added ${added.length} base-image blobs to the cache layout for the stage exports`);
  return added.length > 0;
}

export interface StageExports {
  /** Each exported stage's directory (`--cache-to type=local,dest=…`); cleared when the exports are given up. */
  readonly exportDirs: Map<number, string>;
  readonly restore: RestoreReport | undefined;
  readonly externalLayers: ReadonlySet<string> | undefined;
  /** Whether BuildKit writes the entries itself (a registry store): nothing to seed then. */
  readonly storeWritesItself: boolean;
  readonly plan: Plan;
  readonly workDir: string;
}

/**
 * Runs the build with its stage exports. The export directories are seeded first, so each export writes only
 * its new blobs. An export that still fails (BuildKit looked for a base-image layer in the cache source, where
 * entries leave it out) gets those blobs from a local copy of the base images and the build runs again, the
 * progress of both attempts merged; failing that, the build runs without the exports: a warning, nothing saved.
 */
export async function buildWithStageExports(
  adapters: Adapters,
  request: BuildRequest,
  stageExports: StageExports,
): Promise<BuildResult> {
  const { exportDirs, restore, externalLayers, plan, workDir } = stageExports;
  const { logger } = adapters;
  if (restore !== undefined && !stageExports.storeWritesItself) {
    for (const dir of exportDirs.values())
      await seedExportDir(dir, restore.layoutDir, externalLayers ?? new Set());
  }
  const exportFailed = (error: unknown): error is BuildxRunError =>
    error instanceof BuildxRunError && isCacheExportFailure(error) && exportDirs.size > 0;
  let failure: BuildxRunError;
  try {
    return await runBuild(adapters.exec, request);
  } catch (error) {
    if (!exportFailed(error)) throw error;
    failure = error;
  }
  if (restore !== undefined && externalLayers !== undefined) {
    logger.info(`exporting the stage caches failed (${failure.stderrTail.trim()}); adding base-image blobs`);
    if (await completeLayoutForExport(restore.layoutDir, plan, workDir, adapters)) {
      const earlier = failedBuildProgress(failure, request);
      try {
        const result = await runBuild(adapters.exec, request);
        return { ...result, progress: mergeProgress(earlier, result.progress) };
      } catch (error) {
        if (!exportFailed(error)) throw error;
        failure = error;
      }
    }
  }
  logger.warning(`exporting the stage caches failed; building again without them: ${failure.stderrTail}`);
  exportDirs.clear();
  return runBuild(adapters.exec, { ...request, stageTargets: [], targetCacheTo: [] });
}

export function cacheRows(
  plan: Plan,
  keys: readonly StageKey[],
  restore: RestoreReport | undefined,
  save: SaveReport | undefined,
): StageCacheRow[] {
  return keys.map((key) => {
    const restored = restore?.stages.find((stage) => stage.stage === key.stage);
    const saved = save?.stages.find((stage) => stage.stage === key.stage);
    return {
      stage: plan.stages[key.stage]!.displayName,
      key: key.key,
      result: restored?.result ?? 'miss',
      bytesRestored: restored?.bytes ?? 0,
      bytesSaved: saved?.saved === true ? saved.bytes : 0,
    };
  });
}
