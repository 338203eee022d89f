// The pipeline, wired: read the Dockerfile, plan the target, report. Entry points (index.ts for the
// action, cli.ts locally) build Options and Adapters and call `run`.
import type { Adapters } from './adapters/types.js';
import { DockerfileError } from './dockerfile/index.js';
import type { Options } from './options.js';
import {
  formatAllPlatform,
  parsePlatform,
  planDockerfile,
  planToJson,
  renderPlanText,
  type Plan,
  type Platform,
} from './plan/index.js';
import { renderErrorMarkdown, renderPlanMarkdown } from './report/markdown.js';

export interface RunResult {
  readonly exitCode: number;
  readonly plan: Plan | undefined;
}

export async function run(options: Options, adapters: Adapters): Promise<RunResult> {
  const { logger, reporter } = adapters;
  // Every output is set on every path, so workflows can test them after a failure too.
  reporter.setOutput('stages', '[]');
  reporter.setOutput('skipped-stages', '[]');
  reporter.setOutput('target', '');
  reporter.setOutput('plan', '');
  let platform: Platform;
  try {
    platform =
      options.platforms.length > 0
        ? parsePlatform(options.platforms[0]!, adapters.hostPlatform)
        : adapters.hostPlatform;
  } catch (error) {
    logger.error(`Input platforms: ${errorMessage(error)}`);
    return { exitCode: 1, plan: undefined };
  }
  const platformName = formatAllPlatform(platform);

  let source: Uint8Array;
  try {
    source = await adapters.workspace.readFile(options.file);
  } catch (error) {
    logger.error(`Cannot read the Dockerfile ${options.file}: ${errorMessage(error)}`);
    return { exitCode: 1, plan: undefined };
  }

  let plan: Plan;
  try {
    plan = await logger.group('Plan', async () => {
      const planned = planDockerfile(source, {
        target: options.target,
        buildArgs: options.buildArgs,
        buildContexts: options.buildContexts,
        targetPlatform: platform,
        buildPlatform: adapters.hostPlatform,
      });
      logger.info(renderPlanText(planned, platformName));
      return planned;
    });
  } catch (error) {
    if (!(error instanceof DockerfileError)) throw error;
    const located = error.file === undefined ? error.withFile(options.file) : error;
    logger.error(located.message, { file: options.file, line: located.line, title: 'Dockerfile error' });
    await reporter.appendSummary(renderErrorMarkdown(options.file, located.message, located.line));
    return { exitCode: 1, plan: undefined };
  }

  const target = plan.stages[plan.targetIndex]!;
  const names = (indices: readonly number[]): string =>
    JSON.stringify(indices.map((index) => plan.stages[index]!.displayName));
  reporter.setOutput('stages', names(plan.order));
  reporter.setOutput('skipped-stages', names(plan.skipped));
  reporter.setOutput('target', target.displayName);
  reporter.setOutput('plan', JSON.stringify(planToJson(plan)));
  await reporter.appendSummary(renderPlanMarkdown(plan, options.file, platformName));
  logger.info(
    `stagecraft: ${target.displayName} needs ${plan.order.length} of ${plan.stages.length} stages; ${plan.skipped.length} skipped`,
  );
  return { exitCode: 0, plan };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
