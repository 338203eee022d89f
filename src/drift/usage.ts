// Which external images the reachable stages read, at which platform, and the digests that go into their keys.
// Pure.
//
// Platforms follow BuildKit's dockerfile2llb: a stage's FROM image is resolved for the FROM's `--platform`, else
// the target platform; an image a stage copies or mounts from (`COPY --from=alpine`) becomes an implicit stage
// without `--platform`, so it is always resolved for the target platform.
import type { ImageResolution } from '../buildx/index.js';
import { formatAllPlatform, type Plan, type Platform } from '../plan/index.js';
import type { DriftDocument } from './types.js';

export interface ImageUsage {
  readonly image: string;
  /** `os/arch[/variant]` (containerd's FormatAll form, as the keys use it). */
  readonly platform: string;
  /** Indices of the stages that read it directly, in build order. */
  readonly stages: readonly number[];
}

/** Every (image, platform) the reachable stages read, in first-use order (build order, then within a stage). */
export function imageUsages(plan: Plan, targetPlatform: Platform): ImageUsage[] {
  const target = formatAllPlatform(targetPlatform);
  const usages = new Map<string, { image: string; platform: string; stages: number[] }>();
  for (const index of plan.order) {
    const stage = plan.stages[index]!;
    for (const image of stage.images) {
      const isBase = 'image' in stage.base && stage.base.image === image;
      const platform = isBase ? (stage.platform ?? target) : target;
      const id = `${image}\n${platform}`;
      const usage = usages.get(id) ?? { image, platform, stages: [] };
      if (!usage.stages.includes(index)) usage.stages.push(index);
      usages.set(id, usage);
    }
  }
  return [...usages.values()];
}

/** The `(image, platform)` requests for `resolveImagePlatforms`. */
export function resolveRequests(usages: readonly ImageUsage[]): { image: string; platform: string }[] {
  return usages.map(({ image, platform }) => ({ image, platform }));
}

/** A lookup of resolutions (or stored records) by image and platform. */
export function byImagePlatform<T extends { readonly image: string; readonly platform: string }>(
  items: readonly T[],
): (image: string, platform: string) => T | undefined {
  const map = new Map(items.map((item) => [`${item.image}\n${item.platform}`, item]));
  return (image, platform) => map.get(`${image}\n${platform}`);
}

/**
 * The `imageDigests` for `computeStageKeys`: each image's digest at the platform it is read at. An image read at
 * several platforms (a `FROM --platform=$BUILDPLATFORM` stage and a target-platform one) gets every
 * `platform=digest`, sorted and space-separated, so a move at either platform changes the keys of its readers.
 * An unresolved image keeps the previous run's digest (so its stages keep their keys: treated as unchanged);
 * with none, it is left out and keys on its reference alone.
 */
export function imageDigestsForKeys(
  usages: readonly ImageUsage[],
  resolutions: readonly ImageResolution[],
  previous?: DriftDocument,
): Map<string, string> {
  const resolved = byImagePlatform(resolutions);
  const stored = byImagePlatform(previous?.images ?? []);
  const perImage = new Map<string, Map<string, string>>();
  for (const { image, platform } of usages) {
    const resolution = resolved(image, platform);
    const digest = resolution?.status === 'resolved' ? resolution.digest : stored(image, platform)?.digest;
    if (digest === undefined) continue;
    const platforms = perImage.get(image) ?? new Map<string, string>();
    platforms.set(platform, digest);
    perImage.set(image, platforms);
  }
  const digests = new Map<string, string>();
  const platformsOf = new Map<string, Set<string>>();
  for (const { image, platform } of usages) {
    platformsOf.set(image, (platformsOf.get(image) ?? new Set()).add(platform));
  }
  for (const [image, platforms] of perImage) {
    const used = platformsOf.get(image)!;
    if (used.size === 1) {
      digests.set(image, [...platforms.values()][0]!);
      continue;
    }
    digests.set(
      image,
      [...used]
        .sort()
        .map((platform) => `${platform}=${platforms.get(platform) ?? 'unresolved'}`)
        .join(' '),
    );
  }
  return digests;
}
