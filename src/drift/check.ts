// The first half of a scheduled run, shared by main.ts (before the restore) and `stagecraft drift`: the previous
// scheduled run's document, the current digest of every external image the reachable stages read (no pull), and
// the stage keys with those digests and without them. Effects only through the Exec and the store passed in.
import type { Exec } from '../adapters/exec.js';
import { resolveImagePlatforms, type ImageResolution } from '../buildx/index.js';
import type { StageCacheStore } from '../cache/index.js';
import { computeStageKeys, type StageKey, type StageKeyOptions } from '../keys/index.js';
import { computeDrift } from './compute.js';
import { applyRefreshedKeys } from './refresh.js';
import { findDriftDocument, type DriftScope, type DriftStoreOptions } from './store.js';
import type { PreviousDrift } from './types.js';
import { imageDigestsForKeys, imageUsages, resolveRequests, type ImageUsage } from './usage.js';

export interface DriftCheckInput {
  readonly exec: Exec;
  /** Where drift documents live (the gha or local store); undefined: no history (cache off). */
  readonly store: StageCacheStore | undefined;
  readonly scope: DriftScope;
  /** `computeStageKeys`' options without `imageDigests`. */
  readonly keyOptions: StageKeyOptions;
  /** The keys of `keyOptions`, when the caller computed them already. */
  readonly baseKeys?: readonly StageKey[];
  readonly signal?: AbortSignal;
  readonly tempDir?: string;
  readonly onWarning?: (message: string) => void;
  readonly onDebug?: (message: string) => void;
}

export interface DriftCheck {
  readonly previous: PreviousDrift;
  readonly usages: readonly ImageUsage[];
  readonly resolutions: readonly ImageResolution[];
  /** The stage keys with the image digests: what a scheduled run keys, builds and records. */
  readonly keys: readonly StageKey[];
  /** The stage keys without them: tells a changed Dockerfile from a moved base. */
  readonly baseKeys: readonly StageKey[];
  /**
   * `applyRefreshedKeys(keys, previous)`, with no fallbacks for the stages on a moved base: the keys to restore
   * (or look up).
   */
  readonly restoreKeys: readonly StageKey[];
  /** One line per image that could not be resolved ("treated as unchanged"). */
  readonly unresolved: readonly string[];
}

export async function checkDrift(input: DriftCheckInput): Promise<DriftCheck> {
  const { keyOptions } = input;
  const storeOptions: DriftStoreOptions = {
    ...(input.tempDir === undefined ? {} : { tempDir: input.tempDir }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.onWarning === undefined ? {} : { onWarning: input.onWarning }),
    ...(input.onDebug === undefined ? {} : { onDebug: input.onDebug }),
  };
  const previous: PreviousDrift =
    input.store === undefined
      ? { found: false, reason: 'with cache off there is no store for the history of scheduled runs' }
      : await findDriftDocument(input.store, input.scope, storeOptions);
  const usages = imageUsages(keyOptions.plan, keyOptions.request.targetPlatform);
  const resolutions = await resolveImagePlatforms(input.exec, resolveRequests(usages), {
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.onDebug === undefined ? {} : { onDebug: input.onDebug }),
  });
  const imageDigests = imageDigestsForKeys(
    usages,
    resolutions,
    previous.found ? previous.document : undefined,
  );
  const keys = computeStageKeys({ ...keyOptions, imageDigests });
  const baseKeys = input.baseKeys ?? computeStageKeys(keyOptions);
  const unresolved = resolutions.flatMap((resolution) =>
    resolution.status === 'unresolved'
      ? [
          `${resolution.image} (${resolution.platform}) could not be resolved, treated as unchanged: ${resolution.reason}`,
        ]
      : [],
  );
  // A stage on a moved base restores its exact key only: an older entry was built on the old base, which the new
  // build cannot use, and where entries leave base-image layers to the engine's image store (which now holds
  // the new base) it could not even be read back whole.
  const onMovedBase = new Set(
    computeDrift({
      plan: keyOptions.plan,
      targetPlatform: keyOptions.request.targetPlatform,
      previous,
      resolutions,
      keys,
      now: new Date(0),
    }).stagesOnMovedBase,
  );
  const restoreKeys = applyRefreshedKeys(keys, previous).map((key) =>
    onMovedBase.has(key.stageName) ? { ...key, restoreKeys: [] } : key,
  );
  return { previous, usages, resolutions, keys, baseKeys, restoreKeys, unresolved };
}
