// The size phase: measure the built image, compare it with its baseline, report it (summary, pull request
// comment, outputs, report file). Wiring over src/size and src/report, like main.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Adapters, type RunContext } from '../adapters/types.js';
import type { StageCacheStore } from '../cache/store.js';
import { type Options, type OutputName } from '../options.js';
import {
  formatAllPlatform,
  parsePlatform,
  planStages,
  renderPlanMermaid,
  type Plan,
  type Platform,
  type PlanRequest,
} from '../plan/index.js';
import {
  COMMENT_LIMIT,
  computeSizeDiff,
  evaluateBudget,
  formatPercentDelta,
  formatSize,
  formatSizeDelta,
  hasSizeChanged,
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
} from '../report/index.js';
import {
  baselineFromImage,
  buildSizeReport,
  encodeSizeReport,
  findBaseline,
  measureLocalImagePlatforms,
  measureRegistryImage,
  readImageDiffIds,
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
} from '../size/index.js';
import { type StagedDockerfile } from '../stages/index.js';
import { errorMessage } from './errors.js';

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

/** What the size steps share. */
export interface SizeScope {
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

export interface Measured {
  readonly report: SizeReport;
  readonly chain: StageChain | undefined;
}

export interface Compared extends Measured {
  readonly baseline: BaselineResult;
  readonly saved: SaveBaselineResult | undefined;
}

/** Measures the built image for each platform and maps its layers to the Dockerfile. Never fails the run. */
export async function measureSize(
  scope: SizeScope,
  adapters: Adapters,
  built: BuiltImage,
): Promise<Measured[]> {
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
export async function openBaselineStore(
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

/** Finds what to compare each report with, then stores it as a baseline where the event asks for it. */
export async function compareWithBaselines(
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
    // Found before this run's own report is stored: a scheduled run compares with the branch's newest
    // report, which would otherwise be its own.
    const baseline = await findBaselineFor(scope, adapters, report, chain, what, store, storeOptions);
    logger.info(
      baseline.found
        ? `${label}: compared with ${baseline.from} (${baseline.source})`
        : `${label}: no baseline: ${baseline.reason}`,
    );
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
export async function reportSizes(
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
      currentLabel: context.pullRequest === undefined ? 'This build' : 'This PR',
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
export async function writeSizeReports(scope: SizeScope, sizes: readonly SizeResult[]): Promise<string> {
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
export function stageResults(plan: Plan, rows: readonly StageCacheRow[]): StageResult[] {
  return plan.stages.map((stage) => ({
    stage: stage.displayName,
    result: stage.reachable
      ? (rows.find((row) => row.stage === stage.displayName)?.result ?? 'miss')
      : 'skipped',
  }));
}

/** The Dockerfile's path in the repository (the workspace), with `/`; undefined outside it. */
export function repositoryPath(root: string, file: string): string | undefined {
  const relative = path.relative(root, path.resolve(root, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}
