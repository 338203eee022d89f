// The pipeline, wired: plan the target, key its stages, restore their caches, build with buildx, save what
// changed, report. Entry points (index.ts for the action, cli.ts locally) build Options and Adapters and
// call `run`; each step below is one call into its module.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Adapters } from './adapters/types.js';
import {
  BuildxRunError,
  BuildxUnavailableError,
  detectBuilder,
  explainNoCacheExport,
  readImageLayers,
  runBuild,
  saveImagesAsLayout,
  type BuilderInfo,
  type BuildMetadata,
  type ProgressSummary,
} from './buildx/index.js';
import {
  addBlobsToLayout,
  cacheFromSpecs,
  missingLayoutBlobs,
  restoreStageCaches,
  saveStageCaches,
  stageCacheToSpecs,
  type RestoreReport,
  type SaveReport,
} from './cache/index.js';
import type { StageCacheStore } from './cache/store.js';
import { DockerfileError, parseDockerfile } from './dockerfile/index.js';
import {
  addKeysToPlanJson,
  collectContextReads,
  computeStageKeys,
  hashContext,
  type StageKey,
} from './keys/index.js';
import type { Options } from './options.js';
import {
  formatAllPlatform,
  parsePlatform,
  planStages,
  planToJson,
  renderPlanText,
  transitiveDependencies,
  type Plan,
  type Platform,
  type PlanRequest,
} from './plan/index.js';
import {
  formatSize,
  renderBuildMarkdown,
  renderErrorMarkdown,
  renderPlanMarkdown,
  type StageCacheRow,
} from './report/index.js';
import { parseStages, type StagedDockerfile } from './stages/index.js';

export interface RunResult {
  readonly exitCode: number;
  readonly plan: Plan | undefined;
  readonly keys: readonly StageKey[];
  readonly restore: RestoreReport | undefined;
  readonly save: SaveReport | undefined;
  readonly progress: ProgressSummary | undefined;
}

const FAILED: RunResult = {
  exitCode: 1,
  plan: undefined,
  keys: [],
  restore: undefined,
  save: undefined,
  progress: undefined,
};

export async function run(options: Options, adapters: Adapters): Promise<RunResult> {
  const { logger, reporter } = adapters;
  setEmptyOutputs(adapters);

  let platform: Platform;
  try {
    platform =
      options.platforms.length > 0
        ? parsePlatform(options.platforms[0]!, adapters.hostPlatform)
        : adapters.hostPlatform;
  } catch (error) {
    logger.error(`Input platforms: ${errorMessage(error)}`);
    return FAILED;
  }
  const platformName = formatAllPlatform(platform);
  const request: PlanRequest = {
    target: options.target,
    buildArgs: options.buildArgs,
    buildContexts: options.buildContexts,
    targetPlatform: platform,
    buildPlatform: adapters.hostPlatform,
  };

  let source: Uint8Array;
  try {
    source = await adapters.workspace.readFile(options.file);
  } catch (error) {
    logger.error(`Cannot read the Dockerfile ${options.file}: ${errorMessage(error)}`);
    return FAILED;
  }

  // Plan
  let staged: StagedDockerfile;
  let plan: Plan;
  try {
    ({ staged, plan } = await logger.group('Plan', async () => {
      if (source.length === 0) throw new DockerfileError('the Dockerfile cannot be empty');
      const stagedFile = parseStages(parseDockerfile(source));
      const planned = planStages(stagedFile, request);
      logger.info(renderPlanText(planned, platformName));
      return { staged: stagedFile, plan: planned };
    }));
  } catch (error) {
    if (!(error instanceof DockerfileError)) throw error;
    logger.error(error.message, { file: options.file, line: error.line, title: 'Dockerfile error' });
    await reporter.appendSummary(renderErrorMarkdown(options.file, error.message, error.line));
    return FAILED;
  }
  const target = plan.stages[plan.targetIndex]!;
  const names = (indices: readonly number[]): string =>
    JSON.stringify(indices.map((index) => plan.stages[index]!.displayName));
  reporter.setOutput('stages', names(plan.order));
  reporter.setOutput('skipped-stages', names(plan.skipped));
  reporter.setOutput('target', target.displayName);
  await reporter.appendSummary(renderPlanMarkdown(plan, options.file, platformName));

  // Keys
  const contextDir = path.resolve(adapters.workspace.root, options.context);
  const keys = await logger.group('Keys', async () => {
    const reads = collectContextReads(plan, staged, request);
    const digests = await hashContext(
      adapters.exec,
      contextDir,
      path.resolve(adapters.workspace.root, options.file),
      reads,
    );
    const { stats } = digests;
    logger.info(
      `context: ${stats.files} files in ${stats.reads} COPY/ADD reads; ${stats.filesFromGit} from git's index, ${stats.filesHashed} hashed` +
        (stats.git.used ? '' : ` (git index not used: ${stats.git.reason})`),
    );
    const stageKeys = computeStageKeys({
      plan,
      dockerfile: staged,
      request,
      dockerfilePath: options.file,
      contextDigests: digests.digests,
      salt: options.cacheKeySalt,
    });
    for (const key of stageKeys) logger.info(`${key.stageName.padEnd(20)} ${key.key}`);
    return stageKeys;
  });
  reporter.setOutput('plan', JSON.stringify(addKeysToPlanJson(planToJson(plan), keys)));

  // Builder
  let builder: BuilderInfo;
  try {
    builder = await logger.group('Builder', async () => {
      const info = await detectBuilder(adapters.exec, { builder: options.builder });
      logger.info(
        `buildx ${info.buildxVersion}, builder ${info.builder} (${info.driver} driver` +
          `${info.buildkitVersion === undefined ? '' : `, BuildKit ${info.buildkitVersion}`}` +
          `${info.containerdStore ? ', containerd image store' : ''})`,
      );
      return info;
    });
  } catch (error) {
    if (!(error instanceof BuildxUnavailableError)) throw error;
    logger.error(error.message);
    return { ...FAILED, plan, keys };
  }

  const store = await openCacheStore(options, builder, adapters);
  const workDir = await adapters.workspace.makeWorkDir();
  // Base-image layers the builder finds in the engine's image store need not be stored in our entries.
  const externalLayers = await readExternalLayers(plan, builder, adapters);

  // Restore
  let restore: RestoreReport | undefined;
  if (store !== undefined) {
    restore = await logger.group('Restore', async () => {
      const report = await restoreStageCaches({
        store,
        keys,
        workDir: path.join(workDir, 'restore'),
        externalLayers,
        logger: { debug: (message) => logger.debug(message) },
      });
      for (const stage of report.stages) {
        if (stage.warning !== undefined) logger.warning(`cache for ${stage.stageName}: ${stage.warning}`);
        logger.info(
          `${stage.stageName.padEnd(20)} ${stage.result}${stage.restoredKey === undefined ? '' : ` (${stage.restoredKey})`}`,
        );
      }
      const hits = report.stages.filter((stage) => stage.result !== 'miss').length;
      logger.info(`restored ${hits} of ${report.stages.length} stages (${formatSize(report.bytes)})`);
      return report;
    });
  }

  // Build
  const missed = new Set(
    keys
      .filter((key) => restore?.stages.find((stage) => stage.stage === key.stage)?.result !== 'exact')
      .map((key) => key.stage),
  );
  if (restore !== undefined && externalLayers !== undefined && missed.size > 0) {
    await completeLayoutForExport(restore.layoutDir, plan, workDir, adapters);
  }
  const exportDirs = new Map<number, string>();
  const cacheToFor = (key: StageKey): string[] => {
    if (store === undefined || !missed.has(key.stage)) return [];
    const dir = path.join(workDir, 'export', String(key.stage));
    exportDirs.set(key.stage, dir);
    return [...stageCacheToSpecs(store, key, dir)];
  };
  const stageTargets = keys
    .filter((key) => key.stage !== plan.targetIndex && plan.stages[key.stage]!.name !== null)
    .map((key) => ({ name: plan.stages[key.stage]!.name!, cacheTo: cacheToFor(key) }))
    .filter((stageTarget) => stageTarget.cacheTo.length > 0);
  const targetKey = keys.find((key) => key.stage === plan.targetIndex);
  let metadata: BuildMetadata | undefined;
  let progress: ProgressSummary;
  try {
    ({ metadata, progress } = await logger.group('Build', () =>
      runBuild(adapters.exec, {
        options,
        stageTargets,
        targetCacheTo: targetKey === undefined ? [] : cacheToFor(targetKey),
        cacheFrom: restore === undefined ? [] : cacheFromSpecs(restore),
        targetName: target.name ?? undefined,
        cwd: adapters.workspace.root,
        workDir,
        env: process.env,
        onLine: (line) => logger.info(line),
        onCommand: (argv) => logger.debug(`main.build: ${JSON.stringify(argv)}`),
      }),
    ));
  } catch (error) {
    if (!(error instanceof BuildxRunError)) throw error;
    const line = error.buildError?.location?.line;
    const where = line === undefined ? {} : { file: options.file, line };
    logger.error(`docker buildx bake failed: ${error.stderrTail}`, { ...where, title: 'Build failed' });
    await reporter.appendSummary(renderErrorMarkdown(options.file, error.stderrTail, line));
    return { ...FAILED, plan, keys, restore };
  }
  reporter.setOutput('imageid', metadata?.imageid ?? '');
  reporter.setOutput('digest', metadata?.digest ?? '');
  reporter.setOutput('metadata', metadata?.metadata ?? '');
  logger.info(
    progress.fullyCached
      ? 'build: every step was cached'
      : `build: ${progress.executedSteps.length} steps ran, ${progress.cachedSteps.length} cached`,
  );

  // Save
  let save: SaveReport | undefined;
  if (store !== undefined && restore !== undefined) {
    const restored = restore;
    save = await logger.group('Save', async () => {
      const report = await saveStageCaches({
        store,
        keys,
        results: restored.stages,
        exportDirs,
        dependenciesOf: transitiveDependencies(plan),
        workDir: path.join(workDir, 'save'),
        layoutDir: restored.layoutDir,
        externalLayers,
        logger: { debug: (message) => logger.debug(message) },
      });
      for (const stage of report.stages) {
        if (stage.warning !== undefined)
          logger.warning(`saving the cache of ${stage.stageName}: ${stage.warning}`);
        logger.info(
          `${stage.stageName.padEnd(20)} ${stage.saved ? `saved ${formatSize(stage.bytes)}` : stage.reason}`,
        );
      }
      const saved = report.stages.filter((stage) => stage.saved).length;
      logger.info(`saved ${saved} of ${report.stages.length} stages (${formatSize(report.bytes)})`);
      return report;
    });
  }

  const rows = cacheRows(plan, keys, restore, save);
  reporter.setOutput(
    'cache-hits',
    JSON.stringify(Object.fromEntries(rows.map((row) => [row.stage, row.result]))),
  );
  reporter.setOutput('cache-bytes-restored', String(restore?.bytes ?? 0));
  reporter.setOutput('cache-bytes-saved', String(save?.bytes ?? 0));
  await reporter.appendSummary(renderBuildMarkdown(rows, progress));
  logger.info(
    `stagecraft: built ${target.displayName} (${plan.order.length} of ${plan.stages.length} stages; ` +
      `${plan.skipped.length} skipped); cache ${formatSize(restore?.bytes ?? 0)} restored, ${formatSize(save?.bytes ?? 0)} saved`,
  );
  return { exitCode: 0, plan, keys, restore, save, progress };
}

function setEmptyOutputs({ reporter }: Adapters): void {
  // Every output is set on every path, so workflows can test them after a failure too.
  for (const name of ['stages', 'skipped-stages'] as const) reporter.setOutput(name, '[]');
  for (const name of ['target', 'plan', 'imageid', 'digest', 'metadata'] as const)
    reporter.setOutput(name, '');
  reporter.setOutput('cache-hits', '{}');
  reporter.setOutput('cache-bytes-restored', '0');
  reporter.setOutput('cache-bytes-saved', '0');
}

async function openCacheStore(
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

async function readExternalLayers(
  plan: Plan,
  builder: BuilderInfo,
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
    const found = await readImageLayers(exec, image);
    if (found === undefined) {
      logger.info(`${image} is not in the image store yet: its layers stay in the cache entries`);
      continue;
    }
    for (const layer of found) layers.add(layer);
  }
  return layers;
}

/**
 * Exports write base-image layers too, reading their blobs from the cache source; our entries leave those
 * out, so a build that exports gets them from a local copy of the base images first.
 */
async function completeLayoutForExport(
  layoutDir: string,
  plan: Plan,
  workDir: string,
  adapters: Adapters,
): Promise<void> {
  const missing = await missingLayoutBlobs(layoutDir);
  if (missing.length === 0) return;
  const imagesDir = path.join(workDir, 'base-images');
  await mkdir(imagesDir, { recursive: true });
  if (!(await saveImagesAsLayout(adapters.exec, plan.externalImages, imagesDir))) {
    adapters.logger.warning('could not copy the base images out of the image store; stage exports may fail');
    return;
  }
  const added = await addBlobsToLayout(layoutDir, imagesDir, missing);
  adapters.logger.info(`added ${added.length} base-image blobs to the cache layout for the stage exports`);
}

function cacheRows(
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

function errorMessage(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error
    ? String(error.message)
    : String(error);
}
