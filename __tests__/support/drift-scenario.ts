// Scheduled-run scenarios on plain values for the drift and report tests: a Dockerfile planned and keyed for
// real (plan/, keys/), resolutions and restore results written by hand, and the document a run leaves.
import type { ImageResolution } from '../../src/buildx/index.js';
import type { RestoreResult } from '../../src/cache/index.js';
import { parseDockerfile } from '../../src/dockerfile/index.js';
import {
  applyRefreshedKeys,
  buildDriftDocument,
  computeDrift,
  imageDigestsForKeys,
  imageUsages,
  type DriftDocument,
  type DriftResult,
  type PreviousDrift,
} from '../../src/drift/index.js';
import { computeStageKeys, type StageKey } from '../../src/keys/index.js';
import { parsePlatform, planStages, type Plan, type PlanRequest } from '../../src/plan/index.js';
import { parseStages } from '../../src/stages/index.js';

export const digest = (n: number | string): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/**
 * deps and the unnamed last stage build on localhost:5000/base:1, build on deps, tools on localhost:5000/other:1;
 * runtime (scratch) copies from build and tools; stage-4 copies from runtime.
 */
export const DOCKERFILE = `FROM localhost:5000/base:1 AS deps
RUN echo deps > /deps
FROM deps AS build
RUN echo build > /build
FROM localhost:5000/other:1 AS tools
RUN echo tools > /tools
FROM scratch AS runtime
COPY --from=build /build /build
COPY --from=tools /tools /tools
FROM localhost:5000/base:1
RUN echo final
COPY --from=runtime / /app
`;

export interface Planned {
  readonly plan: Plan;
  readonly request: PlanRequest;
  readonly staged: ReturnType<typeof parseStages>;
}

export function planFor(dockerfile: string, target?: string, platform = 'linux/amd64'): Planned {
  const request: PlanRequest = {
    target,
    buildArgs: new Map(),
    buildContexts: new Map(),
    targetPlatform: parsePlatform(platform),
    buildPlatform: parsePlatform('linux/amd64'),
  };
  const staged = parseStages(parseDockerfile(dockerfile));
  return { plan: planStages(staged, request), request, staged };
}

export function keysFor(planned: Planned, imageDigests?: ReadonlyMap<string, string>): StageKey[] {
  return computeStageKeys({
    plan: planned.plan,
    dockerfile: planned.staged,
    request: planned.request,
    dockerfilePath: 'Dockerfile',
    contextDigests: new Map(),
    imageDigests,
  });
}

export const resolved = (image: string, d: string, platform = 'linux/amd64'): ImageResolution => ({
  image,
  platform,
  status: 'resolved',
  digest: d,
  indexDigest: digest('f'),
  pinned: false,
});

export const unresolved = (image: string, reason: string, platform = 'linux/amd64'): ImageResolution => ({
  image,
  platform,
  status: 'unresolved',
  failure: 'unreachable',
  reason,
});

export interface RunSpec {
  readonly planned: Planned;
  readonly previous: PreviousDrift;
  readonly resolutions: readonly ImageResolution[];
  /** Stage name → what the restore found; a stage not listed: exact when its key was saved before, else miss. */
  readonly restore?: Readonly<Record<string, RestoreResult>>;
  /** Keys that exist in the store (saved by earlier runs). */
  readonly saved?: ReadonlySet<string>;
  readonly entryCreatedAt?: Readonly<Record<string, string>>;
  readonly maxCacheAgeMs?: number;
  readonly now: Date;
  readonly cacheOff?: boolean;
}

export interface RunOutcome {
  readonly keys: readonly StageKey[];
  readonly restoredKeys: readonly StageKey[];
  readonly result: DriftResult;
  readonly document: DriftDocument;
  /** Keys the run saved: each rebuilt stage's key (or refreshed key). */
  readonly savedKeys: readonly string[];
}

/** One scheduled run on plain values: keys with and without digests, a simulated restore, drift, the document. */
export function scheduledRun(spec: RunSpec): RunOutcome {
  const { planned, previous } = spec;
  const usages = imageUsages(planned.plan, planned.request.targetPlatform);
  const digests = imageDigestsForKeys(
    usages,
    spec.resolutions,
    previous.found ? previous.document : undefined,
  );
  const keys = keysFor(planned, digests);
  const baseKeys = keysFor(planned);
  const restoredKeys = applyRefreshedKeys(keys, previous);
  const nameOf = (stage: number): string => planned.plan.stages[stage]!.displayName;
  const saved = spec.saved ?? new Set<string>();
  const restore = spec.cacheOff
    ? undefined
    : restoredKeys.map((key) => {
        const given = spec.restore?.[key.stageName];
        const exact = saved.has(key.key);
        const fallback = key.restoreKeys.find((prefix) => [...saved].some((k) => k.startsWith(prefix)));
        const result: RestoreResult =
          given ?? (exact ? 'exact' : fallback !== undefined ? 'partial' : 'miss');
        const restoredKey =
          result === 'exact'
            ? key.key
            : result === 'partial'
              ? [...saved].find((k) => fallback !== undefined && k.startsWith(fallback))
              : undefined;
        return { stage: key.stage, result, ...(restoredKey === undefined ? {} : { restoredKey }) };
      });
  const entryCreatedAt = new Map<number, string>();
  for (const [name, time] of Object.entries(spec.entryCreatedAt ?? {})) {
    const stage = planned.plan.order.find((index) => nameOf(index) === name);
    if (stage !== undefined) entryCreatedAt.set(stage, time);
  }
  const result = computeDrift({
    plan: planned.plan,
    targetPlatform: planned.request.targetPlatform,
    previous,
    resolutions: spec.resolutions,
    keys,
    baseKeys,
    ...(restore === undefined ? {} : { restore }),
    entryCreatedAt,
    ...(spec.maxCacheAgeMs === undefined ? {} : { maxCacheAgeMs: spec.maxCacheAgeMs }),
    now: spec.now,
  });
  const savedKeys = result.rebuiltStages.map(
    (stage) => result.saveKeys.find((key) => key.stage === stage.index)!.key,
  );
  const document = buildDriftDocument({
    result,
    previous,
    resolutions: spec.resolutions,
    keys,
    baseKeys,
    entryCreatedAt,
    target: planned.plan.stages[planned.plan.targetIndex]!.displayName,
    platform: 'linux/amd64',
    now: spec.now,
    run: String(spec.now.getTime()),
    size: { compressedBytes: 1000, uncompressedBytes: 3000 },
  });
  return { keys, restoredKeys, result, document, savedKeys };
}

export const found = (document: DriftDocument): PreviousDrift => ({
  found: true,
  document,
  key: 'stagecraft-drift-v1-x',
});
export const NONE: PreviousDrift = {
  found: false,
  reason: 'no earlier scheduled run of runtime (linux/amd64) in the memory cache',
};
