// What a scheduled run rebuilds, and why: pure, from the plan, the previous run's document, this run's image
// digests, the stage keys, what the restore found and how old it was.
//
// - An image moved when its digest at a platform differs from the previous run's. Every stage reading it, and
//   every stage built on those (FROM, COPY --from, mounts, ONBUILD; transitively), is "on a moved base": their
//   keys changed (the digests are in them), so they miss and are rebuilt.
// - A stage whose restored cache (exact or fallback) is older than max-cache-age is rebuilt, and so is everything
//   built on it, under refreshed keys where their exact key hit (see refresh.ts).
// - `no-cache-filter` gets only the named stages that read a moved image or whose own cache is too old, not the
//   stages built on them. Measured with BuildKit 0.13 (docker 26.1): a filtered stage's FROM children re-run with
//   it, and a COPY --from or mount child re-runs exactly when the files it reads changed (BuildKit keys those on
//   content); so listing them adds nothing but work. A stage on a moved base needs no filter to miss (`--pull`
//   or a pinned context resolves the new digest, which is in BuildKit's keys too); the filter makes sure no old
//   record of it is taken.
// - BuildKit matches `no-cache-filter` against stage names only (dockerfile2llb: `st.Name != ""`), so an unnamed
//   stage cannot be filtered. On a moved base that does not matter (its keys changed). An unnamed stage with a too
//   old cache is instead kept from its records: its `--cache-from` and that of every stage built on it are left
//   out (their exports hold its records too). That rebuilds it on a fresh builder; a builder with its own warm
//   cache (a self-hosted runner) may still hit, which the warnings say.
// - Any other stage whose exact key missed is rebuilt because its key changed since the previous run (the
//   Dockerfile, the build args or the context files it reads; told by its key without digests where given), or
//   because its cache was not there (evicted, never saved, or no previous run to compare with).
import type { ImageResolution } from '../buildx/index.js';
import type { StageRestoreReport } from '../cache/index.js';
import type { StageKey } from '../keys/index.js';
import { transitiveDependencies, type Plan, type Platform } from '../plan/index.js';
import { formatAge } from './max-age.js';
import { applyRefreshedKeys, refreshStageKey } from './refresh.js';
import {
  REBUILD_REASONS,
  type DriftResult,
  type ImageDrift,
  type PreviousDrift,
  type RebuildReason,
  type RebuiltStage,
} from './types.js';
import { byImagePlatform, imageUsages } from './usage.js';

export interface DriftInput {
  readonly plan: Plan;
  readonly targetPlatform: Platform;
  readonly previous: PreviousDrift;
  /** `resolveImagePlatforms` for `imageUsages(plan, targetPlatform)`. */
  readonly resolutions: readonly ImageResolution[];
  /**
   * `computeStageKeys` with `imageDigests`, in build order: the stage keys themselves, not `applyRefreshedKeys`'s
   * (which the restore was given; this applies it again to know them).
   */
  readonly keys: readonly StageKey[];
  /** `computeStageKeys` without `imageDigests`, when computed: tells a changed Dockerfile from a moved base. */
  readonly baseKeys?: readonly StageKey[];
  /** `restoreStageCaches(...).stages`; absent when caching is off (every stage then counts as not cached). */
  readonly restore?: readonly Pick<StageRestoreReport, 'stage' | 'result' | 'restoredKey' | 'warning'>[];
  /** When each restored entry was made (its `createdAt`), by stage index, where the store keeps it. */
  readonly entryCreatedAt?: ReadonlyMap<number, string>;
  /** `parseMaxCacheAge(max-cache-age)`; undefined: no age limit. */
  readonly maxCacheAgeMs?: number;
  readonly now: Date;
}

/** Every stage in `seeds`, and every reachable stage that depends on one of them, transitively. */
function withDependents(
  plan: Plan,
  deps: ReadonlyMap<number, number[]>,
  seeds: ReadonlySet<number>,
): Set<number> {
  const closure = new Set(seeds);
  for (const index of plan.order) {
    if ((deps.get(index) ?? []).some((dep) => seeds.has(dep))) closure.add(index);
  }
  return closure;
}

/** The first stage of `among`, in build order, that `index` depends on. */
function firstDependency(
  plan: Plan,
  deps: ReadonlyMap<number, number[]>,
  index: number,
  among: ReadonlySet<number>,
): number | undefined {
  const mine = new Set(deps.get(index) ?? []);
  return plan.order.find((candidate) => mine.has(candidate) && among.has(candidate));
}

export function computeDrift(input: DriftInput): DriftResult {
  const { plan, previous, now } = input;
  const nameOf = (index: number): string => plan.stages[index]!.displayName;
  const deps = transitiveDependencies(plan);
  const warnings: string[] = [];

  // ---- images ----
  const resolved = byImagePlatform(input.resolutions);
  const stored = byImagePlatform(previous.found ? previous.document.images : []);
  const usages = imageUsages(plan, input.targetPlatform);
  const images: ImageDrift[] = usages.map((usage) => {
    const resolution = resolved(usage.image, usage.platform);
    const old = stored(usage.image, usage.platform)?.digest;
    const stages = usage.stages.map(nameOf);
    const base = {
      image: usage.image,
      platform: usage.platform,
      ...(old === undefined ? {} : { old }),
      stages,
    };
    if (resolution === undefined || resolution.status === 'unresolved') {
      return {
        ...base,
        status: 'unresolved',
        reason: resolution === undefined ? 'it was not looked up' : resolution.reason,
      };
    }
    const status = old === undefined ? 'new' : old === resolution.digest ? 'unchanged' : 'moved';
    return { ...base, status, new: resolution.digest, ...(resolution.pinned ? { pinned: true } : {}) };
  });
  const driftedImages = images.flatMap((image) =>
    image.status === 'moved' && image.old !== undefined && image.new !== undefined
      ? [{ image: image.image, platform: image.platform, old: image.old, new: image.new }]
      : [],
  );

  // ---- stages on a moved base ----
  const movedBy = new Map<number, string[]>();
  images.forEach((image, i) => {
    if (image.status !== 'moved') return;
    for (const index of usages[i]!.stages) movedBy.set(index, [...(movedBy.get(index) ?? []), image.image]);
  });
  const movedDirect = new Set(movedBy.keys());
  const moved = withDependents(plan, deps, movedDirect);

  // ---- cache ages ----
  const restoreOf = new Map((input.restore ?? []).map((report) => [report.stage, report]));
  const builtAtOfKey = new Map<string, string>();
  if (previous.found) {
    for (const record of previous.document.stages) {
      if (record.builtAt === undefined) continue;
      builtAtOfKey.set(record.refreshedKey ?? record.key, record.builtAt);
    }
  }
  const ages = new Map<number, number>();
  const unknownAges: string[] = [];
  for (const index of plan.order) {
    const report = restoreOf.get(index);
    if (report === undefined || report.result === 'miss') continue;
    const createdAt =
      input.entryCreatedAt?.get(index) ??
      (report.restoredKey === undefined ? undefined : builtAtOfKey.get(report.restoredKey));
    const time = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
    if (Number.isNaN(time)) unknownAges.push(nameOf(index));
    else ages.set(index, Math.max(0, now.getTime() - time));
  }
  const maxAge = input.maxCacheAgeMs;
  const staleDirect = new Set<number>();
  if (maxAge !== undefined) {
    for (const [index, age] of ages) if (age > maxAge) staleDirect.add(index);
    if (unknownAges.length > 0) {
      warnings.push(
        `max-cache-age cannot apply to ${unknownAges.join(', ')}: the store does not say when ${unknownAges.length === 1 ? 'its cache was' : 'their caches were'} made, and no earlier scheduled run recorded it`,
      );
    }
  }
  const stale = withDependents(plan, deps, staleDirect);

  // Unnamed stages that must be rebuilt from a too old cache: no filter reaches them.
  const unfilterable = new Set([...stale].filter((index) => plan.stages[index]!.name === null));
  const dropCacheFrom = withDependents(plan, deps, unfilterable);
  for (const index of plan.order) {
    if (!unfilterable.has(index)) continue;
    warnings.push(
      `${nameOf(index)} must be rebuilt (its cache, or that of a stage it builds on, is too old) but has no name, and BuildKit applies no-cache-filter to named stages only: its cached records are left out of the build instead, which rebuilds it on a fresh builder; name it (FROM … AS name) to have it rebuilt on any builder`,
    );
  }

  // ---- why each stage rebuilds ----
  const baseKeyOf = new Map((input.baseKeys ?? []).map((key) => [key.stage, key]));
  const keyOf = new Map(input.keys.map((key) => [key.stage, key]));
  const keyChange = (index: number): string | undefined => {
    if (!previous.found) return undefined;
    const name = nameOf(index);
    const record = previous.document.stages.find((stage) => stage.name === name);
    if (record === undefined) return 'not built by the last scheduled run';
    const baseKey = baseKeyOf.get(index)?.key;
    const key = keyOf.get(index)?.key;
    const digestsChanged = key !== undefined && key !== record.key && !moved.has(index);
    if (baseKey !== undefined && record.baseKey !== undefined) {
      if (baseKey !== record.baseKey)
        return 'its instructions, build arguments or context files changed since the last scheduled run';
      // The same stage, other digests, no move here: keys/ takes one digest per image, so an image read at two
      // platforms changes every reader's key when it moves at either; or it was not resolved before.
      return digestsChanged
        ? 'the image digests in its key changed (an image it reads moved at another platform, or was not resolved before)'
        : undefined;
    }
    return digestsChanged ? 'its key changed since the last scheduled run' : undefined;
  };

  const rebuiltStages: RebuiltStage[] = [];
  for (const index of plan.order) {
    const report = restoreOf.get(index);
    const exact = report?.result === 'exact';
    const details = new Map<RebuildReason, string>();
    if (moved.has(index)) {
      const images = movedBy.get(index);
      const via = firstDependency(plan, deps, index, movedDirect);
      details.set(
        'base moved',
        images !== undefined
          ? `${[...new Set(images)].join(', ')} moved`
          : `built on ${via === undefined ? 'a stage on a moved base' : nameOf(via)}`,
      );
    }
    if (!exact) {
      const change = keyChange(index);
      if (change !== undefined) details.set('key changed', change);
    }
    if (stale.has(index)) {
      const age = ages.get(index);
      const via = firstDependency(plan, deps, index, staleDirect);
      details.set(
        'cache too old',
        staleDirect.has(index) && age !== undefined && maxAge !== undefined
          ? `its cache is ${formatAge(age)} old (max-cache-age ${formatAge(maxAge)})`
          : `built on ${via === undefined ? 'a stage with a too old cache' : nameOf(via)}`,
      );
    }
    if (!exact && !details.has('base moved') && !details.has('key changed')) {
      details.set(
        'not cached',
        report === undefined
          ? input.restore === undefined
            ? 'caching is off'
            : 'no cache lookup for it'
          : report.warning !== undefined
            ? `no usable cache entry (${report.warning})`
            : report.result === 'partial'
              ? `no cache entry for its key (built from ${report.restoredKey ?? 'a fallback entry'})`
              : 'no cache entry for it',
      );
    }
    const reasons = REBUILD_REASONS.filter((reason) => details.has(reason));
    if (reasons.length === 0) continue;
    rebuiltStages.push({
      index,
      stage: nameOf(index),
      reason: reasons[0]!,
      reasons,
      detail: details.get(reasons[0]!)!,
    });
  }

  // ---- what the build is given ----
  const forced = new Set([...moved, ...stale]);
  const noCacheFilters = plan.order.flatMap((index) => {
    const name = plan.stages[index]!.name;
    return (movedDirect.has(index) || staleDirect.has(index)) && name !== null ? [name] : [];
  });
  const builtAt = now.toISOString();
  const refreshed = new Map<number, StageKey>();
  for (const key of input.keys) {
    if (forced.has(key.stage) && restoreOf.get(key.stage)?.result === 'exact') {
      refreshed.set(key.stage, refreshStageKey(key, builtAt));
    }
  }
  const saveKeys = applyRefreshedKeys(input.keys, previous).map((key) => refreshed.get(key.stage) ?? key);

  return {
    images,
    driftedImages,
    baseDrift: driftedImages.length > 0,
    stagesOnMovedBase: plan.order.filter((index) => moved.has(index)).map(nameOf),
    staleStages: plan.order.filter((index) => staleDirect.has(index)).map(nameOf),
    rebuiltStages,
    noCacheFilters,
    dropCacheFrom: plan.order.filter((index) => dropCacheFrom.has(index)),
    refreshedKeys: [...refreshed.values()].map(({ stage, key, restoreKeys }) => ({
      stage,
      key,
      restoreKeys,
    })),
    saveKeys,
    warnings,
    previous: previous.found
      ? {
          found: true,
          createdAt: previous.document.createdAt,
          key: previous.key,
          ...(previous.document.run === undefined ? {} : { run: previous.document.run }),
          ...(previous.document.size === undefined ? {} : { size: previous.document.size }),
        }
      : { found: false, reason: previous.reason },
    ...(maxAge === undefined ? {} : { maxCacheAgeMs: maxAge }),
  };
}
