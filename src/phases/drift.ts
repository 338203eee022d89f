// The scheduled-run phase of the pipeline: which base images moved, how the build must change for it,
// and the drift report. Wiring over src/drift, like main.ts.
import { type Adapters, type RunContext } from '../adapters/types.js';
import { type SaveReport } from '../cache/index.js';
import type { StageCacheStore } from '../cache/store.js';
import {
  buildDriftDocument,
  checkDrift,
  pinnedImageContexts,
  pullDecision,
  saveDriftDocument,
  type DriftCheck,
  type DriftResult,
  type DriftScope,
} from '../drift/index.js';
import { computeStageKeys, type StageKey } from '../keys/index.js';
import { type Options } from '../options.js';
import { formatSize, renderDriftMarkdown, renderDriftText } from '../report/index.js';
import { type SizeReport } from '../size/index.js';

/** A scheduled run's first half (drift/check.ts), logged: the previous run, each image's digest, the keys. */
export async function checkBaseImages(
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
export function scheduledBuildOptions(
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

export interface DriftReportInput {
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
export async function reportDrift({ logger, reporter }: Adapters, input: DriftReportInput): Promise<void> {
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
