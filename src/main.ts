// The pipeline, wired: plan the target, key its stages, restore their caches, build with buildx, save what
// changed, measure the image, compare it with its baseline, report (job summary, pull request comment,
// outputs) and apply the size budget. Entry points (index.ts for the action, cli.ts locally) build Options,
// Adapters and the RunContext and call `run`; each step below is one call into its module.
import path from 'node:path';
import { LOCAL_RUN, type Adapters, type RunContext } from './adapters/types.js';
import {
  BuildxRunError,
  BuildxUnavailableError,
  detectBuilder,
  imageOutputs,
  type BuilderInfo,
  type BuildMetadata,
  type ProgressSummary,
} from './buildx/index.js';
import {
  cacheFromSpecs,
  restoreStageCaches,
  saveStageCaches,
  stageCacheToSpecs,
  type RestoreReport,
  type SaveReport,
} from './cache/index.js';
import type { StageCacheStore } from './cache/store.js';
import { DockerfileError, parseDockerfile } from './dockerfile/index.js';
import { computeDrift, type DriftCheck, type DriftResult, type DriftScope } from './drift/index.js';
import { addKeysToPlanJson, computeStageKeys, dockerfileKeyPart, type StageKey } from './keys/index.js';
import { isScheduledRun, type Options, type OutputName } from './options.js';
import {
  formatAllPlatform,
  formatPlatform,
  parsePlatform,
  planStages,
  planToJson,
  renderPlanText,
  restoreNeeds,
  transitiveDependencies,
  type Plan,
  type Platform,
  type PlanRequest,
} from './plan/index.js';
import {
  EMPTY_DRIFT_OUTPUTS,
  EMPTY_SIZE_OUTPUTS,
  formatSize,
  renderBuildMarkdown,
  renderDriftOutputs,
  renderErrorMarkdown,
  renderPlanMarkdown,
} from './report/index.js';
import { needsImageLoad, resolveBaselinePlan } from './size/index.js';
import { parseStages, type StagedDockerfile } from './stages/index.js';
import { readKeyOptions } from './phases/keys.js';
import {
  type SizeScope,
  measureSize,
  compareWithBaselines,
  reportSizes,
  writeSizeReports,
  stageResults,
  openBaselineStore,
  type SizeResult,
} from './phases/size.js';
import { checkBaseImages, scheduledBuildOptions, reportDrift } from './phases/drift.js';
import { buildWithStageExports, cacheRows, openCacheStore, readExternalLayers } from './phases/cache.js';
import { errorMessage } from './phases/errors.js';

/** The size of the image for one platform: measured, compared, reported. */
export type { SizeResult } from './phases/size.js';

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
  const { stageKeys: baseKeys, keyOptions } = await logger.group('Keys', async () => {
    const { keyOptions: keyInput, stats } = await readKeyOptions(
      adapters.exec,
      adapters.workspace.root,
      options,
      staged,
      plan,
      request,
    );
    logger.info(
      `context: ${stats.files} files in ${stats.reads} COPY/ADD reads; ${stats.filesFromGit} from git's index, ${stats.filesHashed} hashed` +
        (stats.git.used ? '' : ` (git index not used: ${stats.git.reason})`),
    );
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
  const externalLayers = await readExternalLayers(plan, builder, formatPlatform(platform), adapters);

  // Restore
  let restore: RestoreReport | undefined;
  if (store !== undefined) {
    restore = await logger.group('Restore', async () => {
      const report = await restoreStageCaches({
        store,
        keys: check?.restoreKeys ?? keys,
        // Restore by need, from the target down; a scheduled run may rebuild a stage whose entry is too old,
        // so it restores every reachable stage.
        ...(check === undefined ? { needs: { target: plan.targetIndex, stages: restoreNeeds(plan) } } : {}),
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
      const count = (...results: string[]): number =>
        report.stages.filter((stage) => results.includes(stage.result)).length;
      const unneeded = count('unneeded');
      logger.info(
        `restored ${count('exact', 'partial')} of ${report.stages.length} stages (${formatSize(report.bytes)})` +
          (unneeded === 0 ? '' : `; ${unneeded} not needed, as a stage built on them hit its exact key`),
      );
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
      .filter((key) => {
        const result = restore?.stages.find((stage) => stage.stage === key.stage)?.result;
        return refreshed.has(key.stage) || (result !== 'exact' && result !== 'unneeded');
      })
      .map((key) => key.stage),
  );
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
    ({ metadata, progress } = await logger.group('Build', async () => {
      if (load)
        logger.info(
          `loading the image into the engine to measure it (the ${builder.driver} driver keeps it otherwise)`,
        );
      const request = {
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
        onLine: (line: string) => logger.info(line),
        onCommand: (argv: readonly string[]) => logger.debug(`main.build: ${JSON.stringify(argv)}`),
      };
      return buildWithStageExports(adapters, request, {
        exportDirs,
        restore,
        externalLayers,
        storeWritesItself: store?.buildkit !== undefined,
        plan,
        workDir,
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
        needs: restoreNeeds(plan),
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
