// How a scheduled build gets the base images it was keyed on. Pure.
//
// `--pull` makes BuildKit resolve every base image in its registry again, and fails the build on one that no
// registry knows (a local-only image: "failed to resolve source metadata for docker.io/…: no such host", seen
// here with docker 26.1), so it is only safe when every image resolved. Pinning is exact in any case: each
// resolved image given as a named context, `--build-context <image>=docker-image://<image>@<digest>` (bake:
// `contexts`), makes BuildKit build on the digest the keys were computed from, even if the tag moves again
// between the lookup and the build. The pins go to buildx only, never into the plan request: there they would
// replace the images, which then drop out of the plan, the digests and the keys.
import type { ImageResolution } from '../buildx/index.js';

/** Each resolved image (not pinned already) → `docker-image://<image>@<index digest, else manifest digest>`. */
export function pinnedImageContexts(resolutions: readonly ImageResolution[]): Map<string, string> {
  const pins = new Map<string, string>();
  for (const resolution of resolutions) {
    if (resolution.status !== 'resolved' || resolution.pinned) continue;
    const digest = resolution.indexDigest ?? resolution.digest;
    const existing = pins.get(resolution.image);
    // Several platforms of one image share its index; an image without one is a single manifest.
    if (existing === undefined || resolution.indexDigest !== undefined) {
      pins.set(resolution.image, `docker-image://${resolution.image}@${digest}`);
    }
  }
  return pins;
}

/** Whether the build may pass `--pull`: only when every image resolved; otherwise why not. */
export function pullDecision(
  resolutions: readonly ImageResolution[],
): { readonly pull: true } | { readonly pull: false; readonly reason: string } {
  const unresolved = [...new Set(resolutions.filter((r) => r.status === 'unresolved').map((r) => r.image))];
  if (unresolved.length === 0) return { pull: true };
  return {
    pull: false,
    reason: `not pulling: ${unresolved.join(', ')} could not be resolved in a registry, and --pull would fail the build on ${unresolved.length === 1 ? 'it' : 'them'}; the resolved images are pinned to their digests instead`,
  };
}
