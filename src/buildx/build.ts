// One build of the target and the stage exports: a single `docker buildx bake` run (one solve, shared work),
// or, when bake cannot express an input (add-hosts), a `docker buildx build` per stage export and one for
// the image, in build order.
import path from 'node:path';
import type { Exec } from '../adapters/exec.js';
import type { Options } from '../options.js';
import { buildBuildArgs, buildBakeArgs } from './args.js';
import { bakeUnsupportedInputs, buildBakeFile, type StageTarget } from './bake-file.js';
import { parseBakeMetadata, parseBuildMetadata, type BuildMetadata } from './metadata.js';
import { parseProgress, summarizeProgress, type ProgressSummary } from './progress.js';
import { readMetadataFile, runBuildx, writeBakeFiles, type BuildxRunError } from './run.js';
import { secretEnvironment } from './specs.js';

export interface BuildRequest {
  readonly options: Options;
  /** Stages built only to export their caches (their keys missed), in build order. */
  readonly stageTargets: readonly StageTarget[];
  readonly targetCacheTo: readonly string[];
  readonly cacheFrom: readonly string[];
  readonly targetName: string | undefined;
  /** Where buildx runs; relative paths in the options start here. */
  readonly cwd: string;
  /** A private directory for the bake and metadata files. */
  readonly workDir: string;
  /** buildx's environment (the secrets' variables are added). */
  readonly env: NodeJS.ProcessEnv;
  readonly onLine: (line: string) => void;
  readonly onCommand?: (argv: readonly string[]) => void;
}

export interface BuildResult {
  readonly metadata: BuildMetadata | undefined;
  readonly progress: ProgressSummary;
}

export async function runBuild(exec: Exec, request: BuildRequest): Promise<BuildResult> {
  return bakeUnsupportedInputs(request.options).length === 0
    ? runBake(exec, request)
    : runBuildsInSequence(exec, request);
}

async function runBake(exec: Exec, request: BuildRequest): Promise<BuildResult> {
  const bake = buildBakeFile({
    options: request.options,
    stageTargets: request.stageTargets,
    targetCacheTo: request.targetCacheTo,
    cacheFrom: request.cacheFrom,
    targetName: request.targetName,
    cwd: request.cwd,
  });
  const files = await writeBakeFiles(request.workDir, bake);
  const metadataFile = path.join(request.workDir, 'metadata.json');
  const argv = buildBakeArgs({
    bakeFile: files.bakeFile,
    composeFile: files.composeFile,
    metadataFile,
    builder: request.options.builder,
    progress: 'plain',
    targets: bake.targets,
  });
  request.onCommand?.(argv);
  const result = await runBuildx(exec, argv, {
    cwd: request.cwd,
    env: { ...request.env, ...bake.secretEnv },
    onLine: request.onLine,
  });
  const text = await readMetadataFile(metadataFile);
  return {
    metadata: text === undefined ? undefined : parseBakeMetadata(text).get(bake.imageTarget),
    progress: summarizeProgress(parseProgress(result.output, { prefixedByTarget: bake.targets.length > 1 })),
  };
}

async function runBuildsInSequence(exec: Exec, request: BuildRequest): Promise<BuildResult> {
  const env = { ...request.env, ...secretEnvironment(request.options) };
  const outputs: string[] = [];
  const build = async (argv: string[]): Promise<void> => {
    request.onCommand?.(argv);
    outputs.push((await runBuildx(exec, argv, { cwd: request.cwd, env, onLine: request.onLine })).output);
  };
  for (const stage of request.stageTargets) {
    await build(
      buildBuildArgs({
        options: request.options,
        kind: 'cache-only',
        target: stage.name,
        cacheFrom: request.cacheFrom,
        cacheTo: stage.cacheTo,
        progress: 'plain',
      }),
    );
  }
  const metadataFile = path.join(request.workDir, 'metadata.json');
  await build(
    buildBuildArgs({
      options: request.options,
      kind: 'image',
      target: request.targetName,
      cacheFrom: request.cacheFrom,
      cacheTo: request.targetCacheTo,
      metadataFile,
      progress: 'plain',
    }),
  );
  const text = await readMetadataFile(metadataFile);
  return {
    metadata: text === undefined ? undefined : parseBuildMetadata(text),
    progress: summarizeProgress(parseProgress(outputs.join('\n'), { prefixedByTarget: false })),
  };
}

/**
 * A failure in BuildKit's cache export rather than in the build itself (e.g. two stage exports writing the
 * same blob at once: `error writing layer blob`, a `locked` ref). The image can still be built without the
 * exports, so the caller retries instead of failing the job over a cache fault.
 */
export function isCacheExportFailure(error: BuildxRunError): boolean {
  const text = `${error.buildError?.step ?? ''}\n${error.buildError?.text ?? ''}\n${error.stderrTail}`;
  return /exporting (?:cache|to client directory)|error writing layer blob|writing cache manifest/i.test(
    text,
  );
}

/** What BuildKit ran in a build that failed: its progress up to the failure. */
export function failedBuildProgress(error: BuildxRunError, request: BuildRequest): ProgressSummary {
  const bake = bakeUnsupportedInputs(request.options).length === 0;
  return summarizeProgress(
    parseProgress(error.output, { prefixedByTarget: bake && request.stageTargets.length > 0 }),
  );
}

/** Two attempts at one build as one: a step counts as run when it ran in either. */
export function mergeProgress(earlier: ProgressSummary, later: ProgressSummary): ProgressSummary {
  return summarizeProgress([...earlier.steps, ...later.steps]);
}
