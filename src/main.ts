// The pipeline, wired: plan the target, key its stages, restore their caches, build with buildx, save what
// changed, measure the image, compare it with its baseline, report (job summary, pull request comment,
// outputs) and apply the size budget. Entry points (index.ts for the action, cli.ts locally) build Options,
// Adapters and the RunContext and call `run`; each step below is one call into its module.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_RUN, type Adapters, type RunContext } from './adapters/types.js';
import {
  BuildxRunError,
  BuildxUnavailableError,
  detectBuilder,
  explainNoCacheExport,
  imageOutputs,
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
  buildDriftDocument,
  checkDrift,
  computeDrift,
  pinnedImageContexts,
  pullDecision,
  saveDriftDocument,
  type DriftCheck,
  type DriftResult,
  type DriftScope,
} from './drift/index.js';
import {
  addKeysToPlanJson,
  collectContextReads,
  computeStageKeys,
  dockerfileKeyPart,
  hashContext,
  type StageKey,
} from './keys/index.js';
import { isScheduledRun, type Options, type OutputName } from './options.js';
import {
  formatAllPlatform,
  parsePlatform,
  planStages,
  planToJson,
  renderPlanMermaid,
  renderPlanText,
  transitiveDependencies,
  type Plan,
  type Platform,
  type PlanRequest,
} from './plan/index.js';
import {
  COMMENT_LIMIT,
  computeSizeDiff,
  EMPTY_DRIFT_OUTPUTS,
  EMPTY_SIZE_OUTPUTS,
  evaluateBudget,
  formatPercentDelta,
  formatSize,
  formatSizeDelta,
  hasSizeChanged,
  renderBuildMarkdown,
  renderDriftMarkdown,
  renderDriftOutputs,
  renderDriftText,
  renderErrorMarkdown,
  renderPlanMarkdown,
  renderSizeComment,
  renderSizeMarker,
  renderSizeOutputs,
  SUMMARY_LIMIT,
  upsertStickyComment,
  type BudgetVerdict,
  type SizeCommentInput,
  type StageCacheRow,
  type StageResult,
  type StickyCommentResult,
} from './report/index.js';
import {
  baselineFromImage,
  buildSizeReport,
  encodeSizeReport,
  findBaseline,
  measureLocalImagePlatforms,
  measureRegistryImage,
  needsImageLoad,
  readImageDiffIds,
  resolveBaselinePlan,
  resolveMeasureTarget,
  resolveStageChain,
  saveBaseline,
  type BaselinePlan,
  type BaselineResult,
  type BaseImageLayers,
  type BuiltImage,
  type MeasuredImage,
  type SaveBaselineResult,
  type SizeDiff,
  type SizeReport,
  type StageChain,
} from './size/index.js';
import { parseStages, type StagedDockerfile } from './stages/index.js';

/** The size of the image for one platform: measured, compared, reported. */
export interface SizeResult {
  readonly report: SizeReport;
  readonly baseline: BaselineResult;
  /** Set when this run stores its report as a baseline (a push to the default branch, a scheduled run). */
  readonly saved: SaveBaselineResult | undefined;
  readonly diff: SizeDiff;
  readonly verdict: BudgetVerdict;
  /** What happened to the pull request comment; undefined when none was due (not a pull request). */
  readonly comment: StickyCommentResult | undefined;
}

export interface RunResult {
  readonly exitCode: number;
  readonly plan: Plan | undefined;
  readonly keys: readonly StageKey[];
  readonly restore: RestoreReport | undefined;
  readonly save: SaveReport | undefined;
  readonly progress: ProgressSummary | undefined;
  /** One per platform, the first platform first; empty when no image was measured. */
  readonly size: readonly SizeResult[];
  /** The JSON size report written (the first platform's), when there is one. */
  readonly reportPath: string | undefined;
  /** A scheduled run's drift: which base images moved, what was rebuilt and why; undefined otherwise. */
  readonly drift?: DriftResult | undefined;
}

const FAILED: RunResult = {
  exitCode: 1,
  plan: undefined,
  keys: [],
  restore: undefined,
  save: undefined,
  progress: undefined,
  size: [],
  reportPath: undefined,
};

export async function run(
  options: Options,
  adapters: Adapters,
  context: RunContext = LOCAL_RUN,
): Promise<RunResult> {
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

  const scheduled = isScheduledRun(options.mode, context.eventName);
  if (!scheduled && options.maxCacheAge !== undefined) {
    logger.info(`max-cache-age: not applied (a ${context.eventName} run is not a scheduled one; see mode)`);
  }

  // Keys
  const contextDir = path.resolve(adapters.workspace.root, options.context);
  const { stageKeys: baseKeys, keyOptions } = await logger.group('Keys', async () => {
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
    const keyInput = {
      plan,
      dockerfile: staged,
      request,
      dockerfilePath: options.file,
      contextDigests: digests.digests,
      salt: options.cacheKeySalt,
    };
    const stageKeys = computeStageKeys(keyInput);
    if (scheduled) logger.info('stage keys without base-image digests (a scheduled run adds them below):');
    for (const key of stageKeys) logger.info(`${key.stageName.padEnd(20)} ${key.key}`);
    return { stageKeys, keyOptions: keyInput };
  });
  let keys: readonly StageKey[] = baseKeys;
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
  const now = (adapters.now ?? (() => new Date()))();

  // Base images (scheduled runs): the previous scheduled run, the digests now, keys with them.
  const driftScope: DriftScope = {
    dockerfile: dockerfileKeyPart(options.file),
    target: target.displayName,
    platform: platformName,
  };
  let check: DriftCheck | undefined;
  let driftStore: StageCacheStore | undefined;
  if (scheduled) {
    driftStore = store ?? (await openBaselineStore(options, adapters));
    check = await logger.group('Base images', () =>
      checkBaseImages(adapters, driftStore, driftScope, keyOptions, baseKeys, workDir),
    );
    keys = check.keys;
    reporter.setOutput('plan', JSON.stringify(addKeysToPlanJson(planToJson(plan), keys)));
  }
  // Base-image layers the builder finds in the engine's image store need not be stored in our entries.
  const externalLayers = await readExternalLayers(plan, builder, adapters);

  // Restore
  let restore: RestoreReport | undefined;
  if (store !== undefined) {
    restore = await logger.group('Restore', async () => {
      const report = await restoreStageCaches({
        store,
        keys: check?.restoreKeys ?? keys,
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

  // Drift (scheduled runs): what moved, what is rebuilt and why
  let drift: DriftResult | undefined;
  // When each restored entry was made (local stores say); else ages come from the previous run's document.
  const entryCreatedAt = new Map(
    (restore?.stages ?? []).flatMap((stage) =>
      stage.createdAt === undefined ? [] : [[stage.stage, stage.createdAt] as const],
    ),
  );
  if (check !== undefined) {
    drift = computeDrift({
      plan,
      targetPlatform: platform,
      previous: check.previous,
      resolutions: check.resolutions,
      keys: check.keys,
      baseKeys: check.baseKeys,
      ...(restore === undefined ? {} : { restore: restore.stages }),
      entryCreatedAt,
      ...(options.maxCacheAge === undefined ? {} : { maxCacheAgeMs: options.maxCacheAge }),
      now,
    });
    for (const warning of drift.warnings) logger.warning(warning);
    for (const [name, value] of Object.entries(renderDriftOutputs(drift)))
      reporter.setOutput(name as OutputName, value);
  }

  // Build
  // A stage rebuilt although its exact key hit (a too old cache) is saved under its refreshed key: a miss.
  const refreshed = new Set(drift?.refreshedKeys.map((entry) => entry.stage) ?? []);
  const saveKeys = drift?.saveKeys ?? keys;
  const missed = new Set(
    keys
      .filter(
        (key) =>
          refreshed.has(key.stage) ||
          restore?.stages.find((stage) => stage.stage === key.stage)?.result !== 'exact',
      )
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
  const stageTargets = saveKeys
    .filter((key) => key.stage !== plan.targetIndex && plan.stages[key.stage]!.name !== null)
    .map((key) => ({ name: plan.stages[key.stage]!.name!, cacheTo: cacheToFor(key) }))
    .filter((stageTarget) => stageTarget.cacheTo.length > 0);
  const targetKey = saveKeys.find((key) => key.stage === plan.targetIndex);
  // The image is measured after the build: it must land where it can be read.
  const load = needsImageLoad(imageOutputs(options), builder.driver, options.platforms.length);
  const loaded: Options = load ? { ...options, load: true } : options;
  const buildOptions: Options =
    check === undefined || drift === undefined ? loaded : scheduledBuildOptions(loaded, check, drift, logger);
  const dropped = new Set(drift?.dropCacheFrom ?? []);
  let metadata: BuildMetadata | undefined;
  let progress: ProgressSummary;
  try {
    ({ metadata, progress } = await logger.group('Build', () => {
      if (load)
        logger.info(
          `loading the image into the engine to measure it (the ${builder.driver} driver keeps it otherwise)`,
        );
      return runBuild(adapters.exec, {
        options: buildOptions,
        stageTargets,
        targetCacheTo: targetKey === undefined ? [] : cacheToFor(targetKey),
        cacheFrom:
          restore === undefined
            ? []
            : cacheFromSpecs({
                ...restore,
                stages: restore.stages.filter((stage) => !dropped.has(stage.stage)),
              }),
        targetName: target.name ?? undefined,
        cwd: adapters.workspace.root,
        workDir,
        env: process.env,
        onLine: (line) => logger.info(line),
        onCommand: (argv) => logger.debug(`main.build: ${JSON.stringify(argv)}`),
      });
    }));
  } catch (error) {
    if (!(error instanceof BuildxRunError)) throw error;
    const line = error.buildError?.location?.line;
    const where = line === undefined ? {} : { file: options.file, line };
    logger.error(`docker buildx bake failed: ${error.stderrTail}`, { ...where, title: 'Build failed' });
    await reporter.appendSummary(renderErrorMarkdown(options.file, error.stderrTail, line));
    return { ...FAILED, plan, keys, restore, drift };
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
        keys: saveKeys,
        results: restored.stages.map((stage) =>
          refreshed.has(stage.stage) ? { ...stage, result: 'miss' as const } : stage,
        ),
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

  // Size
  const sizeScope: SizeScope = {
    options,
    context,
    plan,
    staged,
    request,
    workDir,
    dockerfile: dockerfileKeyPart(options.file),
    commit: context.pullRequest?.headSha ?? context.sha,
  };
  const measured = await logger.group('Size', () =>
    measureSize(sizeScope, adapters, {
      outputs: imageOutputs(buildOptions),
      tags: options.tags,
      driver: builder.driver,
      digest: metadata?.digest ?? '',
      imageName: metadata?.imageName,
    }),
  );

  // Drift report and document (scheduled runs): for the log, the summary and the next scheduled run.
  if (check !== undefined && drift !== undefined) {
    const result = drift;
    const driftCheck = check;
    await logger.group('Drift', () =>
      reportDrift(adapters, {
        store: driftStore,
        scope: driftScope,
        check: driftCheck,
        drift: result,
        save,
        entryCreatedAt,
        stageCount: keys.length,
        size: measured[0]?.report,
        now,
        context,
        commit: sizeScope.commit,
        workDir,
      }),
    );
  }

  // Baseline
  const baselinePlan = resolveBaselinePlan({
    // A workflow_dispatch or `mode: scheduled` run stores its size report as a scheduled run does.
    eventName: scheduled ? 'schedule' : context.eventName,
    ref: context.ref,
    sha: context.sha,
    defaultBranch: context.defaultBranch,
    pullRequest: context.pullRequest,
    baselineImage: options.baselineImage,
    runId: context.runId,
  });
  const compared =
    measured.length === 0
      ? []
      : await logger.group('Baseline', async () =>
          compareWithBaselines(
            sizeScope,
            adapters,
            measured,
            baselinePlan,
            store ?? driftStore ?? (scheduled ? undefined : await openBaselineStore(options, adapters)),
          ),
        );

  // Report
  const sizes =
    compared.length === 0
      ? []
      : await logger.group('Report', () =>
          reportSizes(sizeScope, adapters, compared, stageResults(plan, rows)),
        );
  const reportPath = sizes.length === 0 ? undefined : await writeSizeReports(sizeScope, sizes);
  reporter.setOutput('report', reportPath ?? '');

  // Budget: after the summary and the comment are out.
  const over = sizes.filter((size) => size.verdict.status === 'over');
  for (const size of over) {
    const message = `${size.report.target} (${size.report.platform}): ${size.verdict.message}`;
    if (options.failOnBudget) logger.error(message, { title: 'Image size over budget' });
    else logger.warning(message, { title: 'Image size over budget' });
  }
  const exitCode = over.length > 0 && options.failOnBudget ? 1 : 0;
  return { exitCode, plan, keys, restore, save, progress, size: sizes, reportPath, drift };
}

function setEmptyOutputs({ reporter }: Adapters): void {
  // Every output is set on every path, so workflows can test them after a failure too.
  for (const name of ['stages', 'skipped-stages'] as const) reporter.setOutput(name, '[]');
  for (const name of ['target', 'plan', 'imageid', 'digest', 'metadata'] as const)
    reporter.setOutput(name, '');
  reporter.setOutput('cache-hits', '{}');
  reporter.setOutput('cache-bytes-restored', '0');
  reporter.setOutput('cache-bytes-saved', '0');
  for (const [name, value] of Object.entries(EMPTY_SIZE_OUTPUTS))
    reporter.setOutput(name as OutputName, value);
  reporter.setOutput('report', '');
  for (const [name, value] of Object.entries(EMPTY_DRIFT_OUTPUTS))
    reporter.setOutput(name as OutputName, value);
}

/** A scheduled run's first half (drift/check.ts), logged: the previous run, each image's digest, the keys. */
async function checkBaseImages(
  { exec, logger }: Adapters,
  store: StageCacheStore | undefined,
  scope: DriftScope,
  keyOptions: Parameters<typeof computeStageKeys>[0],
  baseKeys: readonly StageKey[],
  workDir: string,
): Promise<DriftCheck> {
  const check = await checkDrift({
    exec,
    store,
    scope,
    keyOptions,
    baseKeys,
    tempDir: workDir,
    onWarning: (message) => logger.warning(`drift history: ${message}`),
    onDebug: (message) => logger.debug(message),
  });
  logger.info(
    check.previous.found
      ? `previous scheduled run: ${check.previous.key} (${check.previous.document.createdAt})`
      : `no previous scheduled run: ${check.previous.reason}`,
  );
  for (const resolution of check.resolutions) {
    if (resolution.status === 'resolved')
      logger.info(`${resolution.image} (${resolution.platform}): ${resolution.digest}`);
  }
  for (const line of check.unresolved) logger.info(line);
  logger.info('stage keys with the base-image digests:');
  for (const key of check.keys) logger.info(`${key.stageName.padEnd(20)} ${key.key}`);
  return check;
}

/**
 * A scheduled build: `--pull` when every image resolved (else a warning why not), each resolved image pinned to
 * its digest as a named context (buildx only: the plan never sees them), and the drift's no-cache-filters.
 */
function scheduledBuildOptions(
  options: Options,
  check: DriftCheck,
  drift: DriftResult,
  logger: Adapters['logger'],
): Options {
  const decision = pullDecision(check.resolutions);
  if (!decision.pull && !options.pull) logger.warning(decision.reason);
  return {
    ...options,
    pull: options.pull || decision.pull,
    noCacheFilters: [...new Set([...options.noCacheFilters, ...drift.noCacheFilters])],
    buildContexts: new Map([...pinnedImageContexts(check.resolutions), ...options.buildContexts]),
  };
}

interface DriftReportInput {
  readonly store: StageCacheStore | undefined;
  readonly scope: DriftScope;
  readonly check: DriftCheck;
  readonly drift: DriftResult;
  readonly save: SaveReport | undefined;
  readonly entryCreatedAt: ReadonlyMap<number, string>;
  readonly stageCount: number;
  readonly size: SizeReport | undefined;
  readonly now: Date;
  readonly context: RunContext;
  readonly commit: string | undefined;
  readonly workDir: string;
}

/** Stores the document for the next scheduled run, then logs the report and appends it to the summary. */
async function reportDrift({ logger, reporter }: Adapters, input: DriftReportInput): Promise<void> {
  const { drift, check, context, now } = input;
  const saved = new Set(input.save?.stages.filter((stage) => stage.saved).map((stage) => stage.stage) ?? []);
  const notSaved = new Set(
    drift.rebuiltStages.map((stage) => stage.index).filter((stage) => !saved.has(stage)),
  );
  const size =
    input.size === undefined
      ? undefined
      : {
          compressedBytes: input.size.compressedBytes,
          uncompressedBytes: input.size.uncompressedBytes,
        };
  const run =
    context.runId === undefined ? `local_${now.getTime()}` : `${context.runId}_${context.runAttempt ?? '1'}`;
  if (input.store === undefined) {
    logger.info('drift document not stored: with cache off there is no store for it');
  } else {
    const document = buildDriftDocument({
      result: drift,
      previous: check.previous,
      resolutions: check.resolutions,
      keys: check.keys,
      baseKeys: check.baseKeys,
      entryCreatedAt: input.entryCreatedAt,
      notSaved,
      target: input.scope.target,
      platform: input.scope.platform,
      now,
      run,
      ...(input.commit === undefined ? {} : { commit: input.commit }),
      ...(size === undefined ? {} : { size }),
    });
    const result = await saveDriftDocument(input.store, input.scope, document, run, {
      tempDir: input.workDir,
      onWarning: (message) => logger.warning(`drift history: ${message}`),
      onDebug: (message) => logger.debug(message),
    });
    logger.info(
      result.saved
        ? `drift document stored as ${result.key} (${formatSize(result.bytes)})`
        : `drift document not stored as ${result.key}: ${result.reason ?? ''}`,
    );
  }
  const options = { stageCount: input.stageCount, ...(size === undefined ? {} : { size }) };
  for (const line of renderDriftText(drift, options).trimEnd().split('\n')) logger.info(line);
  await reporter.appendSummary(renderDriftMarkdown(drift, options));
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

/** What the size steps share. */
interface SizeScope {
  readonly options: Options;
  readonly context: RunContext;
  readonly plan: Plan;
  readonly staged: StagedDockerfile;
  readonly request: PlanRequest;
  readonly workDir: string;
  /** The Dockerfile's part of baseline keys and comment markers (`dockerfileKeyPart`, without a salt). */
  readonly dockerfile: string;
  /** The commit the image was built from: a pull request's head, else GITHUB_SHA. */
  readonly commit: string | undefined;
}

interface Measured {
  readonly report: SizeReport;
  readonly chain: StageChain | undefined;
}

interface Compared extends Measured {
  readonly baseline: BaselineResult;
  readonly saved: SaveBaselineResult | undefined;
}

/** Measures the built image for each platform and maps its layers to the Dockerfile. Never fails the run. */
async function measureSize(scope: SizeScope, adapters: Adapters, built: BuiltImage): Promise<Measured[]> {
  const { logger, exec } = adapters;
  const where = resolveMeasureTarget(built);
  if (where.kind === 'none') {
    logger.info(`size: not measured: ${where.reason}`);
    return [];
  }
  const host = adapters.hostPlatform;
  const platforms = scope.options.platforms.length > 0 ? scope.options.platforms : [formatAllPlatform(host)];
  const onDebug = (message: string): void => logger.debug(message);
  let images: MeasuredImage[];
  try {
    if (where.kind === 'image-store') {
      logger.info(`measuring ${where.image} in the engine's image store`);
      images = await measureLocalImagePlatforms(exec, where.image, platforms, {
        tempDir: scope.workDir,
        onDebug,
      });
    } else {
      logger.info(`measuring ${where.ref} in its registry`);
      images = [];
      for (const platform of platforms) {
        images.push(await measureRegistryImage(exec, where.ref, platform, { onDebug }));
      }
    }
  } catch (error) {
    logger.warning(`Could not measure the image: ${errorMessage(error)}`);
    return [];
  }
  const target = scope.plan.stages[scope.plan.targetIndex]!.displayName;
  const createdAt = (adapters.now ?? (() => new Date()))().toISOString();
  const measured: Measured[] = [];
  for (const [i, image] of images.entries()) {
    const platform = platforms[i]!;
    const chain = stageChainFor(scope, platform, host, i === 0, onDebug);
    const base =
      where.kind === 'image-store' ? await readBaseLayers(exec, chain, platform, host, onDebug) : undefined;
    const report = buildSizeReport({
      image,
      target,
      chain,
      base,
      commit: scope.commit,
      ref: scope.context.ref,
      createdAt,
    });
    const layers = report.layers.filter((layer) => !layer.emptyLayer).length;
    logger.info(
      `${report.platform}: ${formatSize(report.compressedBytes)} compressed, ` +
        `${formatSize(report.uncompressedBytes)} uncompressed, ${layers} layers`,
    );
    for (const warning of report.warnings ?? []) logger.warning(`${report.platform}: ${warning}`);
    measured.push({ report, chain });
  }
  return measured;
}

/** The target's FROM chain for a platform (the plan is for the first; another may choose other bases). */
function stageChainFor(
  scope: SizeScope,
  platform: string,
  host: Platform,
  first: boolean,
  debug: (message: string) => void,
): StageChain | undefined {
  try {
    const plan = first
      ? scope.plan
      : planStages(scope.staged, { ...scope.request, targetPlatform: parsePlatform(platform, host) });
    return resolveStageChain(plan, scope.staged);
  } catch (error) {
    debug(`main.stageChainFor: ${platform}: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The external base image's diff ids, from the engine (which holds it for the host's platform only). */
async function readBaseLayers(
  exec: Adapters['exec'],
  chain: StageChain | undefined,
  platform: string,
  host: Platform,
  onDebug: (message: string) => void,
): Promise<BaseImageLayers | undefined> {
  if (chain === undefined || !('image' in chain.base) || chain.base.image === 'scratch') return undefined;
  try {
    if (formatAllPlatform(parsePlatform(platform, host)) !== formatAllPlatform(host)) return undefined;
    const diffIds = await readImageDiffIds(exec, chain.base.image, { onDebug });
    return diffIds === undefined ? undefined : { diffIds };
  } catch (error) {
    onDebug(`main.readBaseLayers: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The store for size baselines when the stage caches have none (a builder without cache export). */
async function openBaselineStore(
  options: Options,
  { logger, openStore }: Adapters,
): Promise<StageCacheStore | undefined> {
  if (options.cache === 'off') return undefined;
  try {
    return await openStore(options);
  } catch (error) {
    logger.warning(`No store for size baselines: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Stores this run's reports as baselines where the event asks for it, and finds what to compare with. */
async function compareWithBaselines(
  scope: SizeScope,
  adapters: Adapters,
  measured: readonly Measured[],
  what: BaselinePlan,
  store: StageCacheStore | undefined,
): Promise<Compared[]> {
  const { logger } = adapters;
  const storeOptions = {
    tempDir: scope.workDir,
    onWarning: (message: string) => logger.warning(`size baseline: ${message}`),
    onDebug: (message: string) => logger.debug(message),
  };
  const compared: Compared[] = [];
  for (const { report, chain } of measured) {
    const label = `${report.target} (${report.platform})`;
    let saved: SaveBaselineResult | undefined;
    if (what.save !== undefined) {
      if (store === undefined) {
        logger.info(
          `${label}: the size report is not stored: with cache off there is no store for baselines`,
        );
      } else {
        saved = await saveBaseline(store, scope.dockerfile, report, what.save, storeOptions);
        logger.info(
          saved.saved
            ? `${label}: size report stored as the baseline ${saved.key} (${formatSize(saved.bytes)})`
            : `${label}: size report not stored as ${saved.key}: ${saved.reason}`,
        );
      }
    }
    const baseline = await findBaselineFor(scope, adapters, report, chain, what, store, storeOptions);
    logger.info(
      baseline.found
        ? `${label}: compared with ${baseline.from} (${baseline.source})`
        : `${label}: no baseline: ${baseline.reason}`,
    );
    compared.push({ report, chain, baseline, saved });
  }
  return compared;
}

async function findBaselineFor(
  scope: SizeScope,
  adapters: Adapters,
  report: SizeReport,
  chain: StageChain | undefined,
  what: BaselinePlan,
  store: StageCacheStore | undefined,
  storeOptions: Parameters<typeof findBaseline>[3],
): Promise<BaselineResult> {
  const given = scope.context.baseline;
  if (given !== undefined) {
    return given.report.target === report.target && given.report.platform === report.platform
      ? { found: true, report: given.report, source: 'file', from: given.from }
      : {
          found: false,
          reason: `the baseline ${given.from} is for ${given.report.target} (${given.report.platform}), not ${report.target} (${report.platform})`,
        };
  }
  const compare = what.compare;
  switch (compare.kind) {
    case 'cache':
      return store === undefined
        ? {
            found: false,
            reason:
              'with cache off there is no store to find a baseline in (baseline-image compares with an image)',
          }
        : findBaseline(
            store,
            { dockerfile: scope.dockerfile, target: report.target, platform: report.platform },
            compare,
            storeOptions,
          );
    case 'image':
      return baselineFromImage(adapters.exec, compare.ref, report.platform, {
        target: report.target,
        chain,
        now: adapters.now,
        onDebug: (message) => adapters.logger.debug(message),
      });
    case 'none':
      return { found: false, reason: compare.reason };
    default: {
      const never: never = compare;
      return never;
    }
  }
}

/** The job summary, the pull request comment and the size outputs, per platform (outputs: the first). */
async function reportSizes(
  scope: SizeScope,
  adapters: Adapters,
  compared: readonly Compared[],
  stages: readonly StageResult[],
): Promise<SizeResult[]> {
  const { options, context } = scope;
  const { logger, reporter } = adapters;
  const mermaid = renderPlanMermaid(scope.plan);
  const file = repositoryPath(adapters.workspace.root, options.file);
  const fileUrl =
    context.serverUrl !== undefined &&
    context.repository !== undefined &&
    scope.commit !== undefined &&
    file !== undefined
      ? `${context.serverUrl}/${context.repository.owner}/${context.repository.repo}/blob/${scope.commit}/${file}`
      : undefined;
  const results: SizeResult[] = [];
  for (const [i, { report, baseline, saved }] of compared.entries()) {
    const base = baseline.found ? baseline.report : undefined;
    const diff = computeSizeDiff(report, base);
    const verdict = evaluateBudget(report, base, {
      sizeLimit: options.sizeLimit,
      maxIncrease: options.maxIncrease,
    });
    const input: SizeCommentInput = {
      marker: renderSizeMarker({
        dockerfile: scope.dockerfile,
        target: report.target,
        platform: report.platform,
      }),
      current: report,
      baseline: base,
      diff,
      verdict,
      file: file ?? options.file,
      fileUrl,
      stages,
      mermaid,
    };
    // The summary first: it is written whatever happens to the comment.
    await reporter.appendSummary(renderSizeComment(input, SUMMARY_LIMIT));
    const change =
      diff.delta === undefined
        ? ''
        : ` (${formatSizeDelta(diff.delta.compressed.change)}, ${formatPercentDelta(diff.delta.compressed)})`;
    logger.info(`${report.platform}: ${formatSize(report.compressedBytes)}${change}. ${verdict.message}`);
    const comment = await writeComment(scope, adapters, input, diff);
    if (i === 0) {
      for (const [name, value] of Object.entries(renderSizeOutputs(diff))) {
        reporter.setOutput(name as OutputName, value);
      }
    }
    results.push({ report, baseline, saved, diff, verdict, comment });
  }
  return results;
}

/** The sticky comment on the pull request; a fault is a warning (the summary has the report). */
async function writeComment(
  scope: SizeScope,
  { logger, github }: Adapters,
  input: SizeCommentInput,
  diff: SizeDiff,
): Promise<StickyCommentResult | undefined> {
  const { options, context } = scope;
  const pr = context.pullRequest;
  if (pr === undefined) return undefined;
  const skipped = (reason: string): StickyCommentResult => {
    logger.warning(
      `No size comment on pull request #${pr.number}: ${reason}. The job summary has the report.`,
    );
    return { action: 'skipped', reason };
  };
  if (options.comment === 'never') {
    logger.info('size comment: comment is never');
    return { action: 'skipped', reason: 'comment is never' };
  }
  if (context.repository === undefined) return skipped('GITHUB_REPOSITORY is not set');
  if (github === undefined) return skipped('github-token is empty');
  const result = await upsertStickyComment(github, {
    owner: context.repository.owner,
    repo: context.repository.repo,
    issue: pr.number,
    marker: input.marker,
    body: renderSizeComment(input, COMMENT_LIMIT),
    mode: options.comment,
    changed: hasSizeChanged(diff, options.commentThreshold),
  });
  switch (result.action) {
    case 'failed':
      logger.warning(result.warning ?? `Could not write the size comment on pull request #${pr.number}.`);
      break;
    case 'created':
    case 'updated':
      logger.info(`size comment ${result.action}${result.url === undefined ? '' : `: ${result.url}`}`);
      break;
    case 'skipped':
      logger.info(`size comment not written: ${result.reason ?? ''}`);
      break;
  }
  return result;
}

/** Writes each platform's report as JSON; returns the first one's path (the `report` output). */
async function writeSizeReports(scope: SizeScope, sizes: readonly SizeResult[]): Promise<string> {
  const file = path.resolve(scope.context.reportJsonPath ?? path.join(scope.workDir, 'size-report.json'));
  await mkdir(path.dirname(file), { recursive: true });
  for (const [i, size] of sizes.entries()) {
    const platform = size.report.platform.replace(/[^A-Za-z0-9.]+/g, '_');
    const target = i === 0 ? file : file.replace(/(\.json)?$/, `.${platform}.json`);
    await writeFile(target, encodeSizeReport(size.report));
  }
  return file;
}

/** Every stage in Dockerfile order with its cache result; the ones the target does not need as skipped. */
function stageResults(plan: Plan, rows: readonly StageCacheRow[]): StageResult[] {
  return plan.stages.map((stage) => ({
    stage: stage.displayName,
    result: stage.reachable
      ? (rows.find((row) => row.stage === stage.displayName)?.result ?? 'miss')
      : 'skipped',
  }));
}

/** The Dockerfile's path in the repository (the workspace), with `/`; undefined outside it. */
function repositoryPath(root: string, file: string): string | undefined {
  const relative = path.relative(root, path.resolve(root, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

function errorMessage(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error
    ? String(error.message)
    : String(error);
}
