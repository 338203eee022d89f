// The keys phase's edge: hash what the reachable stages read from the context, and gather what
// computeStageKeys needs. Shared by the pipeline and the CLI's plan and drift commands.
import path from 'node:path';
import type { Exec } from '../adapters/exec.js';
import {
  collectContextReads,
  hashContext,
  type ContextHashStats,
  type StageKeyOptions,
} from '../keys/index.js';
import type { Options } from '../options.js';
import type { Plan, PlanRequest } from '../plan/index.js';
import type { StagedDockerfile } from '../stages/index.js';

export async function readKeyOptions(
  exec: Exec,
  root: string,
  options: Options,
  staged: StagedDockerfile,
  plan: Plan,
  request: PlanRequest,
): Promise<{ keyOptions: StageKeyOptions; stats: ContextHashStats }> {
  const reads = collectContextReads(plan, staged, request);
  const digests = await hashContext(
    exec,
    path.resolve(root, options.context),
    path.resolve(root, options.file),
    reads,
  );
  return {
    stats: digests.stats,
    keyOptions: {
      plan,
      dockerfile: staged,
      request,
      dockerfilePath: options.file,
      contextDigests: digests.digests,
      salt: options.cacheKeySalt,
    },
  };
}
